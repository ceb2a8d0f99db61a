/**
 * On-disk layout of the WAL: segment file names, the segment header and the
 * record frame. An LSN is a byte position in the endless log; a segment named
 * `<16 hex digits of its start LSN>.wal` holds the log bytes from that LSN on,
 * its header included, so `lsn = segmentStart + fileOffset` everywhere.
 *
 * Segment header (24 bytes): "STRATAWL", u32 version, u64 start LSN, u32
 * checksum of the preceding 20 bytes.
 * Record: u32 LE payload length, u32 LE checksum, u8 type, payload. The
 * checksum covers type, payload and the record's own LSN (u64 LE), so bytes
 * left from an older log at the same file offset never validate.
 * The version selects the checksum (checksum.ts): 2 = CRC-32, 1 = CRC-32C.
 *
 * A segment may be longer than its records: segments are preallocated
 * (zero-filled) so that an fdatasync only writes data, not the file size;
 * a zeroed record header followed by nothing but zeros is the end of the log.
 */
import { checksumOfVersion, walCrc32, type ChecksumFn } from './checksum.js';
import { syncDirectory, type WalFs } from './wal-fs.js';

export const SEGMENT_MAGIC = 'STRATAWL';
export const SEGMENT_VERSION = 2;
export const SEGMENT_HEADER_BYTES = 24;
export const RECORD_HEADER_BYTES = 9;
/** Larger payloads are refused on write and taken as garbage on read. */
export const MAX_RECORD_PAYLOAD = 0x3fff_ffff;
export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

const SEGMENT_NAME = /^([0-9a-f]{16})\.wal$/;
const MAGIC_BYTES = new TextEncoder().encode(SEGMENT_MAGIC);

export interface SegmentFile {
  startLsn: number;
  name: string;
}

export function segmentFileName(startLsn: number): string {
  return `${startLsn.toString(16).padStart(16, '0')}.wal`;
}

export function segmentPath(dir: string, startLsn: number): string {
  return `${dir}/${segmentFileName(startLsn)}`;
}

/** Segments in the directory, ordered by start LSN; other files are ignored. */
export function listSegments(fs: WalFs, dir: string): SegmentFile[] {
  const segments: SegmentFile[] = [];
  for (const name of fs.readdirSync(dir)) {
    const m = SEGMENT_NAME.exec(name);
    if (m) segments.push({ startLsn: Number.parseInt(m[1]!, 16), name });
  }
  return segments.sort((a, b) => a.startLsn - b.startLsn);
}

/** Little-endian u64 of a safe integer, byte by byte: this runs once per record. */
export function writeU64(buf: Uint8Array, offset: number, value: number): void {
  const lo = value >>> 0;
  const hi = Math.floor(value / 0x1_0000_0000) >>> 0;
  buf[offset] = lo & 0xff;
  buf[offset + 1] = (lo >>> 8) & 0xff;
  buf[offset + 2] = (lo >>> 16) & 0xff;
  buf[offset + 3] = lo >>> 24;
  buf[offset + 4] = hi & 0xff;
  buf[offset + 5] = (hi >>> 8) & 0xff;
  buf[offset + 6] = (hi >>> 16) & 0xff;
  buf[offset + 7] = hi >>> 24;
}

export function readU64(view: DataView, offset: number): number {
  return view.getUint32(offset, true) + view.getUint32(offset + 4, true) * 0x1_0000_0000;
}

export function encodeSegmentHeader(startLsn: number): Uint8Array {
  const header = new Uint8Array(SEGMENT_HEADER_BYTES);
  const view = new DataView(header.buffer);
  header.set(MAGIC_BYTES, 0);
  view.setUint32(8, SEGMENT_VERSION, true);
  writeU64(header, 12, startLsn);
  view.setUint32(20, walCrc32(header.subarray(0, 20)), true);
  return header;
}

/** The record checksum of a segment whose header segmentHeaderProblem accepted. */
export function segmentChecksum(header: Uint8Array): ChecksumFn {
  const version = new DataView(header.buffer, header.byteOffset, SEGMENT_HEADER_BYTES).getUint32(8, true);
  return checksumOfVersion(version) ?? walCrc32;
}

/** Why the header does not belong to a segment starting at `expectedStart`, or null when it does. */
export function segmentHeaderProblem(header: Uint8Array, expectedStart: number): string | null {
  if (header.length < SEGMENT_HEADER_BYTES) return `segment header is truncated (${header.length} of ${SEGMENT_HEADER_BYTES} bytes)`;
  for (let i = 0; i < MAGIC_BYTES.length; i++) {
    if (header[i] !== MAGIC_BYTES[i]) return 'not a Strata WAL segment (bad magic)';
  }
  const view = new DataView(header.buffer, header.byteOffset, SEGMENT_HEADER_BYTES);
  const version = view.getUint32(8, true);
  const checksum = checksumOfVersion(version);
  if (checksum === null) return `unsupported WAL segment version ${version}`;
  if (view.getUint32(20, true) !== checksum(header.subarray(0, 20))) return 'segment header checksum mismatch';
  const start = readU64(view, 12);
  if (start !== expectedStart) return `segment header says it starts at LSN ${start}, its name says ${expectedStart}`;
  return null;
}

/**
 * Creates a segment holding just its header, durably: the file is synced and
 * the directory too, so the segment exists after a crash once we write to it.
 */
export function createSegment(fs: WalFs, dir: string, startLsn: number): number {
  const path = segmentPath(dir, startLsn);
  const fd = fs.openSync(path, 'wx+', 0o600);
  try {
    const header = encodeSegmentHeader(startLsn);
    let written = 0;
    while (written < header.length) written += fs.writeSync(fd, header, written, header.length - written, written);
    fs.fdatasyncSync(fd);
    syncDirectory(fs, dir);
    return fd;
  } catch (err) {
    try {
      fs.closeSync(fd);
      fs.unlinkSync(path);
    } catch {
      // the original error is the one worth reporting
    }
    throw err;
  }
}

const lsnScratch = new Uint8Array(8);

/** Checksum of a record as written now: type byte, payload (in parts), then the record's LSN. */
export function recordCrc(type: number, payloadParts: readonly Uint8Array[], lsn: number): number {
  lsnScratch[0] = type;
  let crc = walCrc32(lsnScratch.subarray(0, 1));
  for (const part of payloadParts) crc = walCrc32(part, crc);
  writeU64(lsnScratch, 0, lsn);
  return walCrc32(lsnScratch, crc);
}

/** recordCrc with a segment's checksum, for a payload contiguous in one buffer (the reader's case). */
export function recordCrcOf(checksum: ChecksumFn, type: number, payload: Uint8Array, lsn: number): number {
  lsnScratch[0] = type;
  let crc = checksum(lsnScratch.subarray(0, 1));
  crc = checksum(payload, crc);
  writeU64(lsnScratch, 0, lsn);
  return checksum(lsnScratch, crc);
}
