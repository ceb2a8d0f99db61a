/**
 * Checksums of WAL segments by format version. Version 2 (written now) uses
 * CRC-32 as zlib computes it: Node's zlib.crc32 is native and runs at
 * ~4–4.7 GiB/s here, against ~1.2–1.3 GiB/s for our JavaScript CRC-32C, and
 * every logged byte is checksummed on the committing thread. Both detect all
 * bursts up to 32 bits and random damage with probability 1 − 2⁻³²; CRC-32C's
 * edge elsewhere is its hardware instruction, which JavaScript cannot reach.
 * Version 1 segments (CRC-32C) are still read.
 */
import { crc32 } from 'node:zlib';
import { crc32c } from './crc32c.js';

/** crc of `data` continuing from `crc` (0 to start), as an unsigned 32-bit integer. */
export type ChecksumFn = (data: Uint8Array, crc?: number) => number;

export const walCrc32: ChecksumFn = (data, crc = 0) => crc32(data, crc);

/** The checksum of a segment format version, or null for a version this build cannot read. */
export function checksumOfVersion(version: number): ChecksumFn | null {
  if (version === 1) return crc32c;
  if (version === 2) return walCrc32;
  return null;
}

/**
 * A data file's checksum as a checkpoint manifest records it: CRC-32 for files
 * written now, CRC-32C in checkpoints written before (still verified as such;
 * a file hard-linked into a new checkpoint keeps the checksum it was written with).
 */
export interface FileChecksum {
  readonly crc32?: number;
  readonly crc32c?: number;
}

export function fileChecksum(bytes: Uint8Array): { crc32: number } {
  return { crc32: walCrc32(bytes) };
}

/** Just the checksum fields of `f` (manifest entries carry them through links). */
export function checksumFields(f: FileChecksum): FileChecksum {
  return f.crc32 !== undefined ? { crc32: f.crc32 } : f.crc32c !== undefined ? { crc32c: f.crc32c } : {};
}

/** Why `bytes` do not match `expected`, or null when they do. */
export function fileChecksumMismatch(bytes: Uint8Array, expected: FileChecksum): string | null {
  const hex = (n: number) => (n >>> 0).toString(16);
  if (expected.crc32 !== undefined) {
    const crc = walCrc32(bytes);
    return crc === expected.crc32 >>> 0 ? null : `checksum mismatch (${hex(crc)}, expected ${hex(expected.crc32)})`;
  }
  if (expected.crc32c !== undefined) {
    const crc = crc32c(bytes);
    return crc === expected.crc32c >>> 0 ? null : `checksum mismatch (${hex(crc)}, expected ${hex(expected.crc32c)})`;
  }
  return 'the manifest records no checksum for it';
}
