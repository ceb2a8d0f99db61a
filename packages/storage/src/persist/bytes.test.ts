import { describe, expect, it } from 'vitest';
import { ByteArena, ByteWriter } from './bytes.js';

/** The same writes, with cuts, into a writer: the concatenated output. */
function write(w: ByteWriter): Uint8Array {
  const parts: Uint8Array[] = [];
  w.u32(0xdeadbeef);
  w.u8(7);
  w.align(8);
  parts.push(w.cutView());
  parts.push(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
  for (let i = 0; i < 3000; i++) w.u32(i);
  const at = w.pos;
  w.u32(0);
  w.dataView().setUint32(at, 42, true);
  w.align(8);
  parts.push(w.cutView());
  w.u8(9);
  parts.push(w.finishView());
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  return out;
}

describe('ByteWriter with cuts and an arena', () => {
  it('writes the same bytes with and without an arena, across growth, cuts and positional patches', () => {
    const plain = write(new ByteWriter(16));
    const arena = new ByteArena(64);
    // a dirty arena: the writer writes every byte it takes
    arena.take(64).fill(0xff);
    arena.reset();
    expect(write(new ByteWriter(16, arena))).toEqual(plain);
    expect(new DataView(plain.buffer).getUint32(16 + 3000 * 4, true)).toBe(42);
  });

  it('hands out 8-aligned space, reuses it after reset, and grows to what did not fit', () => {
    const arena = new ByteArena(64);
    const a = arena.take(10);
    const b = arena.take(8);
    expect(a.byteOffset % 8).toBe(0);
    expect(b.byteOffset).toBe(16);
    expect(b.buffer).toBe(a.buffer);
    const big = arena.take(1000);
    expect(big.buffer).not.toBe(a.buffer);
    arena.reset();
    const again = arena.take(1000);
    // the arena grew at reset: this one fits
    expect(again.byteOffset).toBe(0);
    const next = arena.take(8);
    expect(next.buffer).toBe(again.buffer);
  });

  it('never grows beyond its maximum', () => {
    const arena = new ByteArena(64, 128);
    arena.take(4096);
    arena.reset();
    const a = arena.take(100);
    const b = arena.take(100);
    expect(b.buffer).not.toBe(a.buffer);
  });

  it('with a reader, hands out shared memory and moves on at reset from a buffer the reader holds, reusing it once it is let go', () => {
    const shared = new Set<SharedArrayBuffer>();
    const held = new Set<SharedArrayBuffer>();
    const arena = new ByteArena(64, 1024, { share: (b) => shared.add(b), unshare: (b) => shared.delete(b), holds: (b) => held.has(b) });
    const a = arena.take(16);
    expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    const first = a.buffer as SharedArrayBuffer;
    expect(shared.has(first)).toBe(true);
    // not held: reused in place
    arena.reset();
    expect(arena.take(8).buffer).toBe(first);
    // held (a record the reader has yet to write): the next cycle writes elsewhere
    held.add(first);
    arena.reset();
    const second = arena.take(8).buffer as SharedArrayBuffer;
    expect(second).not.toBe(first);
    expect(shared.has(second)).toBe(true);
    // both held: a third; then the first is let go and taken again
    held.add(second);
    arena.reset();
    const third = arena.take(8).buffer as SharedArrayBuffer;
    expect([first, second]).not.toContain(third);
    held.add(third);
    held.delete(first);
    arena.reset();
    expect(arena.take(8).buffer).toBe(first);
    // the reader holds too many: plain memory, copied by the writer instead of held
    for (let i = 0; i < 6; i++) {
      const b = arena.take(8).buffer;
      if (b instanceof SharedArrayBuffer) held.add(b);
      arena.reset();
    }
    expect(arena.take(8).buffer).toBeInstanceOf(ArrayBuffer);
    expect(held.size).toBe(4);
    // all let go: spares beyond two are unshared, and the arena is shared memory again
    held.clear();
    arena.reset();
    expect(arena.take(8).buffer).toBeInstanceOf(SharedArrayBuffer);
    arena.reset();
    expect(shared.size).toBeLessThanOrEqual(3);
  });

  it('with a reader, grows into a new shared buffer and lets the old one go once the reader does', () => {
    const shared = new Set<SharedArrayBuffer>();
    const held = new Set<SharedArrayBuffer>();
    const arena = new ByteArena(64, 1024, { share: (b) => shared.add(b), unshare: (b) => shared.delete(b), holds: (b) => held.has(b) });
    const small = arena.take(8).buffer as SharedArrayBuffer;
    arena.take(500); // does not fit: plain memory now, a larger buffer at reset
    held.add(small);
    arena.reset();
    const large = arena.take(500);
    expect(large.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(large.buffer.byteLength).toBeGreaterThanOrEqual(500);
    expect(shared.has(small)).toBe(true); // still held: kept
    held.clear();
    arena.take(2000); // grows again
    arena.reset();
    arena.reset();
    arena.reset();
    // the 64-byte buffer fits no more output: dropped once nothing holds it (spares beyond two go)
    expect(arena.take(8).buffer.byteLength).toBeGreaterThanOrEqual(1000);
    expect(shared.size).toBeLessThanOrEqual(3);
  });
});
