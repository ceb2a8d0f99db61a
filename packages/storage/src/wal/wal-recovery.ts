/**
 * WAL recovery: replays records from a start LSN and establishes the end of
 * the log. The first record that does not validate ends the replay; whether
 * that is a torn tail (cut it off, the writer died mid-record) or corruption
 * in the middle (refuse to start: committed data would silently vanish) is
 * decided by scanning everything after it for a record that validates. The
 * record's LSN is part of its CRC, so stale or shifted bytes essentially
 * never validate by accident.
 *
 * Memory: segments are streamed through one reusable buffer that only grows
 * for records larger than it.
 */
import { SqlError } from '../errors.js';
import { walCrc32, type ChecksumFn } from './checksum.js';
import {
  MAX_RECORD_PAYLOAD,
  RECORD_HEADER_BYTES,
  SEGMENT_HEADER_BYTES,
  listSegments,
  recordCrcOf,
  segmentChecksum,
  segmentHeaderProblem,
  segmentPath,
  type SegmentFile,
} from './segment-files.js';
import { nodeWalFs, syncDirectory, type WalFs } from './wal-fs.js';

const DATA_CORRUPTED = 'XX001';
const UNDEFINED_FILE = '58P01';
const IO_ERROR = '58030';
const INVALID_PARAMETER_VALUE = '22023';
const READ_BUFFER_BYTES = 1024 * 1024;

/**
 * One replayed record. The object and its payload are reused for the next
 * record: both are valid only during the onRecord call (copy what you keep).
 */
export interface WalRecord {
  lsn: number;
  endLsn: number;
  type: number;
  payload: Uint8Array;
}

export interface WalRecoveryReport {
  /** Records handed to onRecord. */
  records: number;
  /** Their bytes, framing included. */
  bytes: number;
  /** End of the valid log: where appending continues. */
  endLsn: number;
  /** Where a torn tail was cut off, when one was. */
  cutAt?: number;
  /** How many bytes the cut removed (the torn segment's rest plus later segments). */
  cutBytes?: number;
  millis: number;
}

export interface WalRecoveryOptions {
  fs?: WalFs;
}

/** Why a record does not validate; numeric so the byte-by-byte scan allocates nothing. */
const enum Invalid {
  None,
  ShortHeader,
  ZeroHeader,
  BadType,
  BadLength,
  ShortRecord,
  CrcMismatch,
}

function describe(reason: Invalid, length: number): string {
  switch (reason) {
    case Invalid.ShortHeader:
      return 'the segment ends inside the record header';
    case Invalid.ZeroHeader:
      return 'zeroed record header';
    case Invalid.BadType:
      return 'invalid record type 0';
    case Invalid.BadLength:
      return `invalid record length ${length}`;
    case Invalid.ShortRecord:
      return `record of ${length} bytes extends past the end of the segment`;
    case Invalid.CrcMismatch:
      return 'record checksum mismatch';
    default:
      return 'valid';
  }
}

/** Buffered positional reads of one segment file, through a buffer reused across segments. */
class SegmentReader {
  buf = new Uint8Array(READ_BUFFER_BYTES);
  private view = new DataView(this.buf.buffer);
  private fd = -1;
  size = 0;
  private bufFileOffset = 0;
  private bufLength = 0;
  /** The record checksum of the attached segment (its header's version; the current one when the header is damaged). */
  private checksum: ChecksumFn = walCrc32;
  /** Set by check() when the record validates. */
  type = 0;
  payloadLength = 0;
  payloadIndex = 0;

  constructor(private readonly fs: WalFs) {}

  attach(fd: number, size: number): void {
    this.fd = fd;
    this.size = size;
    this.bufFileOffset = 0;
    this.bufLength = 0;
    this.checksum = walCrc32;
  }

  /** Index in buf of file bytes [offset, offset + n), or -1 when the file is shorter. */
  window(offset: number, n: number): number {
    if (offset + n > this.size) return -1;
    if (offset >= this.bufFileOffset && offset + n <= this.bufFileOffset + this.bufLength) return offset - this.bufFileOffset;
    if (n > this.buf.length) {
      let capacity = this.buf.length;
      while (capacity < n) capacity *= 2;
      this.buf = new Uint8Array(capacity);
      this.view = new DataView(this.buf.buffer);
    }
    const want = Math.min(this.buf.length, this.size - offset);
    let got = 0;
    while (got < want) {
      const read = this.fs.readSync(this.fd, this.buf, got, want - got, offset + got);
      if (read === 0) break;
      got += read;
    }
    this.bufFileOffset = offset;
    this.bufLength = got;
    return got >= n ? 0 : -1;
  }

  /** Validates the record at file offset `offset`, whose LSN is `lsn`. */
  check(offset: number, lsn: number): Invalid {
    let at = this.window(offset, RECORD_HEADER_BYTES);
    if (at < 0) return Invalid.ShortHeader;
    const length = this.view.getUint32(at, true);
    const crc = this.view.getUint32(at + 4, true);
    const type = this.buf[at + 8]!;
    this.payloadLength = length;
    if (length === 0 && crc === 0) return Invalid.ZeroHeader;
    if (type === 0) return Invalid.BadType;
    if (length > MAX_RECORD_PAYLOAD) return Invalid.BadLength;
    if (offset + RECORD_HEADER_BYTES + length > this.size) return Invalid.ShortRecord;
    at = this.window(offset, RECORD_HEADER_BYTES + length);
    if (at < 0) return Invalid.ShortRecord;
    const payloadIndex = at + RECORD_HEADER_BYTES;
    if (recordCrcOf(this.checksum, type, this.buf.subarray(payloadIndex, payloadIndex + length), lsn) !== crc) return Invalid.CrcMismatch;
    this.type = type;
    this.payloadIndex = payloadIndex;
    return Invalid.None;
  }

  headerProblem(startLsn: number): string | null {
    const at = this.window(0, Math.min(SEGMENT_HEADER_BYTES, this.size));
    const header = at < 0 ? new Uint8Array(0) : this.buf.subarray(at, at + Math.min(SEGMENT_HEADER_BYTES, this.size));
    const problem = segmentHeaderProblem(header, startLsn);
    this.checksum = problem === null ? segmentChecksum(header) : walCrc32;
    return problem;
  }

  /** The first file offset at or after `offset` holding a non-zero byte, or size when there is none. */
  nextNonZero(offset: number): number {
    let at = offset;
    while (at < this.size) {
      const n = Math.min(READ_BUFFER_BYTES, this.size - at);
      const i = this.window(at, n);
      if (i < 0) return this.size;
      const buf = this.buf;
      let k = i;
      const end = i + n;
      // four bytes per step where aligned: a preallocated segment is megabytes of zeros
      while (k < end && ((buf.byteOffset + k) & 3) !== 0) {
        if (buf[k] !== 0) return at + (k - i);
        k++;
      }
      const words = new Int32Array(buf.buffer, buf.byteOffset + k, (end - k) >> 2);
      let w = 0;
      while (w < words.length && words[w] === 0) w++;
      k += w << 2;
      while (k < end) {
        if (buf[k] !== 0) return at + (k - i);
        k++;
      }
      at += n;
    }
    return this.size;
  }
}

interface InvalidSpot {
  /** LSN where the valid log stops. */
  lsn: number;
  /** Index into segments of the segment holding lsn. */
  segmentIndex: number;
  reason: string;
  /** Index of the first segment, and the offset in it, where the search for valid records begins. */
  scanSegment: number;
  scanOffset: number;
  /** A missing segment rather than a bad record. */
  gap: boolean;
}

/**
 * Replays the log from `fromLsn`, calling onRecord for every valid record in
 * order, and cuts a torn tail off (see the file comment). Throws XX001 on
 * corruption before the end and 58P01 when fromLsn's segment was removed.
 */
export function recoverWal(
  dir: string,
  fromLsn: number,
  onRecord: (record: WalRecord) => void,
  opts: WalRecoveryOptions = {},
): WalRecoveryReport {
  const started = performance.now();
  const fs = opts.fs ?? nodeWalFs;
  fs.mkdirSync(dir, { recursive: true });
  const segments = listSegments(fs, dir);
  const report: WalRecoveryReport = { records: 0, bytes: 0, endLsn: fromLsn, millis: 0 };
  if (segments.length === 0) {
    report.millis = performance.now() - started;
    return report;
  }
  let first = -1;
  for (let k = 0; k < segments.length; k++) if (segments[k]!.startLsn <= fromLsn) first = k;
  if (first < 0) {
    throw new SqlError(
      UNDEFINED_FILE,
      `requested WAL position ${fromLsn} has already been removed (the oldest segment "${segments[0]!.name}" starts at ${segments[0]!.startLsn})`,
    );
  }
  const firstStart = segments[first]!.startLsn;
  if (fromLsn > firstStart && fromLsn < firstStart + SEGMENT_HEADER_BYTES) {
    throw new SqlError(INVALID_PARAMETER_VALUE, `WAL position ${fromLsn} lies inside the header of segment "${segments[first]!.name}"`);
  }

  const reader = new SegmentReader(fs);
  const record: WalRecord = { lsn: 0, endLsn: 0, type: 0, payload: reader.buf.subarray(0, 0) };
  let position = Math.max(fromLsn, firstStart + SEGMENT_HEADER_BYTES);
  let invalid: InvalidSpot | null = null;

  for (let k = first; k < segments.length && !invalid; k++) {
    const segment = segments[k]!;
    if (k > first && segment.startLsn !== position) {
      const missing = segment.startLsn > position;
      invalid = {
        lsn: position,
        segmentIndex: k - 1,
        reason: missing
          ? `the next segment "${segment.name}" starts at ${segment.startLsn}, so the WAL from ${position} to it is missing`
          : `the next segment "${segment.name}" starts at ${segment.startLsn}, overlapping the previous one`,
        scanSegment: k,
        scanOffset: 0,
        gap: true,
      };
      break;
    }
    invalid = withSegment(fs, dir, segment, reader, (): InvalidSpot | null => {
      const headerProblem = reader.headerProblem(segment.startLsn);
      if (headerProblem) {
        return { lsn: segment.startLsn, segmentIndex: k, reason: headerProblem, scanSegment: k, scanOffset: 1, gap: false };
      }
      if (k > first) position = segment.startLsn + SEGMENT_HEADER_BYTES;
      if (position > segment.startLsn + reader.size) {
        throw new SqlError(
          DATA_CORRUPTED,
          `WAL position ${fromLsn} is beyond the end of the log (segment "${segment.name}" ends at ${segment.startLsn + reader.size})`,
        );
      }
      while (position - segment.startLsn < reader.size) {
        const offset = position - segment.startLsn;
        const problem = reader.check(offset, position);
        if (problem !== Invalid.None) {
          return {
            lsn: position,
            segmentIndex: k,
            reason: describe(problem, reader.payloadLength),
            scanSegment: k,
            scanOffset: offset + 1,
            gap: false,
          };
        }
        const end = position + RECORD_HEADER_BYTES + reader.payloadLength;
        record.lsn = position;
        record.endLsn = end;
        record.type = reader.type;
        record.payload = reader.buf.subarray(reader.payloadIndex, reader.payloadIndex + reader.payloadLength);
        onRecord(record);
        report.records++;
        report.bytes += end - position;
        position = end;
      }
      return null;
    });
  }

  if (invalid) cutOrRefuse(fs, dir, segments, reader, invalid, fromLsn, report);
  else report.endLsn = position;
  report.millis = performance.now() - started;
  return report;
}

function withSegment<T>(fs: WalFs, dir: string, segment: SegmentFile, reader: SegmentReader, body: () => T): T {
  let fd: number;
  try {
    fd = fs.openSync(segmentPath(dir, segment.startLsn), 'r');
  } catch (err) {
    throw new SqlError(IO_ERROR, `could not open file "${segmentPath(dir, segment.startLsn)}": ${(err as Error).message}`);
  }
  try {
    reader.attach(fd, fs.fstatSync(fd).size);
    return body();
  } finally {
    fs.closeSync(fd);
  }
}

/** A torn tail is cut off (report.cutAt); corruption with valid records after it throws XX001. */
function cutOrRefuse(
  fs: WalFs,
  dir: string,
  segments: SegmentFile[],
  reader: SegmentReader,
  spot: InvalidSpot,
  fromLsn: number,
  report: WalRecoveryReport,
): void {
  // The zeros of a preallocated segment after its last record are not a tail to cut; and when the
  // rest of the segment is zeros, only later segments can hold records (one scan of the zeros, not two).
  const cutSegment = segments[spot.segmentIndex]!;
  const zeroTail =
    !spot.gap &&
    spot.lsn > cutSegment.startLsn &&
    withSegment(fs, dir, cutSegment, reader, () => reader.nextNonZero(spot.lsn - cutSegment.startLsn) === reader.size);
  const following = zeroTail
    ? countValidRecords(fs, dir, segments, reader, spot.segmentIndex + 1, 0)
    : countValidRecords(fs, dir, segments, reader, spot.scanSegment, spot.scanOffset);
  const segmentName = segments[spot.segmentIndex]!.name;
  if (following > 0 || spot.lsn < fromLsn) {
    const what = spot.gap ? `missing WAL at ${spot.lsn} after segment "${segmentName}"` : `invalid WAL record at ${spot.lsn} in segment "${segmentName}"`;
    throw new SqlError(DATA_CORRUPTED, `${what}: ${spot.reason}; ${following} valid records follow it`, {
      hint: 'The log is damaged before its end; restore the data directory from a backup rather than losing committed transactions.',
    });
  }
  // Torn tail: later segments go first, so a crash mid-cut leaves a log the next recovery cuts the same way.
  let cutBytes = 0;
  let removedFiles = 0;
  for (let k = segments.length - 1; k > spot.segmentIndex; k--) {
    const path = segmentPath(dir, segments[k]!.startLsn);
    cutBytes += fileSize(fs, path);
    fs.unlinkSync(path);
    removedFiles++;
  }
  const cutPath = segmentPath(dir, cutSegment.startLsn);
  const keepBytes = spot.lsn - cutSegment.startLsn;
  if (zeroTail) {
    if (removedFiles > 0) syncDirectory(fs, dir);
    report.endLsn = spot.lsn;
    if (removedFiles > 0) {
      report.cutAt = spot.lsn;
      report.cutBytes = cutBytes;
    }
    return;
  }
  if (keepBytes === 0) {
    cutBytes += fileSize(fs, cutPath);
    fs.unlinkSync(cutPath);
  } else {
    const fd = fs.openSync(cutPath, 'r+');
    try {
      cutBytes += fs.fstatSync(fd).size - keepBytes;
      fs.ftruncateSync(fd, keepBytes);
      fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
  syncDirectory(fs, dir);
  report.endLsn = spot.lsn;
  report.cutAt = spot.lsn;
  report.cutBytes = cutBytes;
}

function fileSize(fs: WalFs, path: string): number {
  const fd = fs.openSync(path, 'r');
  try {
    return fs.fstatSync(fd).size;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Valid records from segment `fromSegment`, offset `fromOffset`, to the end of
 * the log, trying every byte offset (stepping over each record that validates).
 * Later segments are searched from their first record when their header is
 * intact, and byte by byte from offset 1 when it is not.
 */
function countValidRecords(
  fs: WalFs,
  dir: string,
  segments: SegmentFile[],
  reader: SegmentReader,
  fromSegment: number,
  fromOffset: number,
): number {
  let count = 0;
  for (let k = fromSegment; k < segments.length; k++) {
    const segment = segments[k]!;
    withSegment(fs, dir, segment, reader, () => {
      let offset = fromOffset;
      // also selects the segment's checksum for check()
      const headerProblem = reader.headerProblem(segment.startLsn);
      if (k > fromSegment || fromOffset === 0) offset = headerProblem ? 1 : SEGMENT_HEADER_BYTES;
      while (offset + RECORD_HEADER_BYTES <= reader.size) {
        const problem = reader.check(offset, segment.startLsn + offset);
        if (problem === Invalid.None) {
          count++;
          offset += RECORD_HEADER_BYTES + reader.payloadLength;
        } else if (problem === Invalid.ZeroHeader) {
          // A record's first non-zero byte lies within its 8 bytes of length and checksum.
          offset = Math.max(offset + 1, reader.nextNonZero(offset) - 8);
        } else {
          offset++;
        }
      }
    });
  }
  return count;
}
