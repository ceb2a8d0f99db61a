/**
 * File-level helpers of the WAL writer for preallocated segments: checking
 * that nothing follows the end of the log, reading a segment's format version.
 */
import { SqlError } from '../errors.js';
import { SEGMENT_HEADER_BYTES } from './segment-files.js';
import { errnoCode, type WalFs } from './wal-fs.js';

const IO_ERROR = '58030';

export function removeIfPresent(fs: WalFs, path: string): void {
  try {
    fs.unlinkSync(path);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw new SqlError(IO_ERROR, `could not remove file "${path}": ${(err as Error).message}`);
  }
}

const END_CHECK_BYTES = 64 * 1024;

/**
 * Offset of a non-zero byte in the first 64 KiB after `end` (where the next
 * record would go), or -1: a cheap check that the caller's end of the log
 * is not inside records, without reading a whole preallocated segment.
 */
export function nonZeroAfter(fs: WalFs, fd: number, end: number, fileBytes: number): number {
  const n = Math.min(END_CHECK_BYTES, fileBytes - end);
  if (n <= 0) return -1;
  const buf = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const read = fs.readSync(fd, buf, got, n - got, end + got);
    if (read === 0) break;
    got += read;
  }
  for (let i = 0; i < got; i++) if (buf[i] !== 0) return end + i;
  return -1;
}

/** The format version in the header of the segment open on `fd` (recovery has validated the header). */
export function segmentVersion(fs: WalFs, fd: number): number {
  const header = new Uint8Array(SEGMENT_HEADER_BYTES);
  fs.readSync(fd, header, 0, SEGMENT_HEADER_BYTES, 0);
  return new DataView(header.buffer).getUint32(8, true);
}
