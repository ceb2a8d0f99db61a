/**
 * An independent reader of the on-disk WAL format, for the corruption tests:
 * where the segments are, where each record starts and ends, so a test can
 * cut or damage the log at a precise place. Written from the format spec, not
 * by importing the engine's reader: a reader bug must not hide itself.
 *
 * Segment `wal/<16 hex digits of its start LSN>.wal`: a 24-byte header
 * ("STRATAWL", u32 version, u64 start LSN, u32 checksum of the first 20 bytes),
 * then records: u32 LE payload length, u32 LE checksum, u8 type, payload. The
 * record checksum covers type, payload and the record's LSN as u64 LE, where
 * LSN = segment start LSN + file offset. Version 2: CRC-32 (zlib's), version 1:
 * CRC-32C. Segments are preallocated: zeros follow the last record.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { crc32c } from '../../packages/storage/src/wal/crc32c.js';

type Checksum = (data: Uint8Array, crc?: number) => number;

export const SEGMENT_HEADER_BYTES = 24;
export const RECORD_HEADER_BYTES = 9;
const SEGMENT_NAME = /^([0-9a-f]{16})\.wal$/;

export interface WalRecordLocation {
  /** byte offset of the record header in its segment file */
  offset: number;
  /** offset just past the payload */
  end: number;
  type: number;
  payloadLength: number;
}

export interface WalSegmentScan {
  path: string;
  name: string;
  startLsn: number;
  size: number;
  records: WalRecordLocation[];
  /** bytes after the last valid record: a torn tail, or the zeros of a preallocated segment */
  trailingBytes: number;
  /** offset just past the last valid record */
  end: number;
  /** whether every byte after the last valid record is zero (a preallocated segment's unused rest) */
  trailingZeros: boolean;
}

export function walDir(dataDir: string): string {
  return join(dataDir, 'wal');
}

/** Segment files of a data directory, oldest first. */
export function listWalSegments(dataDir: string): { path: string; name: string; startLsn: number }[] {
  const dir = walDir(dataDir);
  return readdirSync(dir)
    .map((name) => ({ name, m: SEGMENT_NAME.exec(name) }))
    .filter((e): e is { name: string; m: RegExpExecArray } => e.m !== null)
    .map((e) => ({ path: join(dir, e.name), name: e.name, startLsn: Number.parseInt(e.m[1]!, 16) }))
    .sort((a, b) => a.startLsn - b.startLsn);
}

function u64le(value: number): Uint8Array {
  const b = new Uint8Array(8);
  const view = new DataView(b.buffer);
  view.setUint32(0, value >>> 0, true);
  view.setUint32(4, Math.floor(value / 0x1_0000_0000) >>> 0, true);
  return b;
}

function recordCrc(checksum: Checksum, type: number, payload: Uint8Array, lsn: number): number {
  let crc = checksum(Uint8Array.of(type));
  crc = checksum(payload, crc);
  return checksum(u64le(lsn), crc);
}

/** Walks a segment record by record until the first record that does not validate. */
export function scanSegment(path: string, name: string, startLsn: number): WalSegmentScan {
  const bytes = new Uint8Array(readFileSync(path));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (bytes.length < SEGMENT_HEADER_BYTES || magic !== 'STRATAWL') throw new Error(`${path}: not a WAL segment (magic "${magic}")`);
  const version = view.getUint32(8, true);
  const checksum: Checksum = version === 2 ? (d, c) => crc32(d, c ?? 0) : version === 1 ? crc32c : () => { throw new Error(`${path}: unknown segment version ${version}`); };
  if (view.getUint32(20, true) !== checksum(bytes.subarray(0, 20))) throw new Error(`${path}: segment header checksum mismatch`);
  const records: WalRecordLocation[] = [];
  let offset = SEGMENT_HEADER_BYTES;
  while (offset + RECORD_HEADER_BYTES <= bytes.length) {
    const payloadLength = view.getUint32(offset, true);
    const end = offset + RECORD_HEADER_BYTES + payloadLength;
    if (end > bytes.length) break;
    const type = bytes[offset + 8]!;
    const payload = bytes.subarray(offset + RECORD_HEADER_BYTES, end);
    if (view.getUint32(offset + 4, true) !== recordCrc(checksum, type, payload, startLsn + offset)) break;
    records.push({ offset, end, type, payloadLength });
    offset = end;
  }
  return { path, name, startLsn, size: bytes.length, records, trailingBytes: bytes.length - offset, end: offset, trailingZeros: bytes.subarray(offset).every((b) => b === 0) };
}

/** All segments of a data directory, scanned. */
export function scanWal(dataDir: string): WalSegmentScan[] {
  return listWalSegments(dataDir).map((s) => scanSegment(s.path, s.name, s.startLsn));
}

/**
 * Where the log ends now: the last segment and the offset just past its last
 * valid record (what a test snapshots after each acknowledged statement).
 */
export function walEnd(dataDir: string): { name: string; end: number } {
  const segments = listWalSegments(dataDir);
  const last = segments[segments.length - 1];
  if (!last) throw new Error(`${walDir(dataDir)} holds no WAL segment`);
  return { name: last.name, end: scanSegment(last.path, last.name, last.startLsn).end };
}
