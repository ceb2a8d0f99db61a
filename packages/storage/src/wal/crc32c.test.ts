import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c.js';

/** Bit-at-a-time reference: the definition, no tables. */
function reference(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

describe('crc32c', () => {
  it('gives the standard check values', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
  });

  it('matches the bitwise definition at every alignment, length and continuation', () => {
    const buf = new Uint8Array(400);
    for (let i = 0; i < buf.length; i++) buf[i] = (i * 2654435761) >>> 24;
    for (let off = 0; off < 8; off++) {
      for (const len of [0, 1, 3, 4, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 100, 255, 391]) {
        const s = buf.subarray(off, off + len);
        expect(crc32c(s)).toBe(reference(s));
        expect(crc32c(s, 0x12345678)).toBe(reference(s, 0x12345678));
        // split anywhere: continuing gives the CRC of the whole
        const cut = len >> 1;
        expect(crc32c(s.subarray(cut), crc32c(s.subarray(0, cut)))).toBe(reference(s));
      }
    }
  });
});
