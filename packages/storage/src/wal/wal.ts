/**
 * The write-ahead log writer. Appends are synchronous OS writes, so an
 * ENOSPC reaches the committer before its commit becomes visible; durability
 * is a separate, asynchronous step (flush) shared by concurrent committers
 * (group commit: one fdatasync in flight, everyone who arrives meanwhile is
 * served by the next one).
 *
 * Segments are preallocated (zero-filled to the segment size on the thread
 * pool, the next one while the current one fills, paced by the log's own
 * growth and between its syncs: resumeZeroFill), as PostgreSQL's are: an
 * fdatasync of a file whose size does not change writes the data pages only,
 * not the inode and a journal commit — measured here 0.13–0.23 ms against
 * 0.22–1.6 ms for 60 KB commits, 2.2–2.8 ms against 4.4–19 ms for 6 MB.
 * Opening never waits for a zero-fill: a log starts in a plain segment, and
 * once 1 MiB has been written (a log that stays small — tests, a quiet
 * embedded database — never pays for 64 MiB of zeros) the first prepared
 * segment is taken as soon as it is ready, however full the plain one is.
 *
 * Records of 256 KiB and more are checksummed and written by a writer thread
 * (wal-write-thread.ts) while the committer goes on — when they cannot meet a
 * full disk: they end within a zero-filled segment, or the disk has a wide
 * margin free (free-space-gauge.ts). Records that come while the thread has
 * some are queued behind them, so the file still grows as a prefix of the log.
 * writtenLsn counts them; a flush waits for their writes.
 *
 * Failure model (PostgreSQL's, minus the PANIC): a full disk cuts the partial
 * record off again and the log stays usable; any other I/O error, and any
 * failed fdatasync (the kernel may have dropped the dirty pages, so retrying
 * could report durability that is not there), leaves the log failed: every
 * later append or flush throws 58030 until the server restarts and recovers.
 */
import { SqlError } from '../errors.js';
import {
  DEFAULT_SEGMENT_BYTES,
  MAX_RECORD_PAYLOAD,
  RECORD_HEADER_BYTES,
  SEGMENT_HEADER_BYTES,
  SEGMENT_VERSION,
  createSegment,
  encodeSegmentHeader,
  listSegments,
  recordCrc,
  segmentPath,
} from './segment-files.js';
import { recoverWal, type WalRecord, type WalRecoveryReport } from './wal-recovery.js';
import { errnoCode, nodeWalFs, syncDirectory, writeFully, writevFully, type WalFs, type ZeroFillPacer } from './wal-fs.js';
import { nonZeroAfter, removeIfPresent, segmentVersion } from './segment-space.js';
import { WAL_THREAD_MAX_PAYLOAD, WalWriteThread } from './wal-write-thread.js';
import { FreeSpaceGauge } from './free-space-gauge.js';

const IO_ERROR = '58030';
const DISK_FULL = '53100';
const DATA_CORRUPTED = 'XX001';
const NOT_IN_PREREQUISITE_STATE = '55000';
const PROGRAM_LIMIT_EXCEEDED = '54000';
const INVALID_PARAMETER_VALUE = '22023';

/** Records up to this size are framed in one buffer and written with one syscall. */
const SCRATCH_BYTES = 64 * 1024;
const RESOLVED: Promise<void> = Promise.resolve();
const EMPTY = new Uint8Array(0);
/** The next segment while it is being zero-filled; not a segment name, so recovery ignores it. */
const PREPARED_SEGMENT = 'next-segment.prep';
const PREALLOCATE_AFTER_BYTES = 1024 * 1024;
/** Zero bytes of the next segment per byte of log written meanwhile: it is ready when the current one is half full. */
const ZERO_FILL_PACE = 2;
/** A log this long without an append lets its zero-fill run at full speed: no commit waits behind it. */
const ZERO_FILL_QUIET_MS = 20;
/** The zero-fill's head start, and how far it may fall behind before it goes even while a commit syncs (at most an eighth of a segment). */
const ZERO_FILL_SLACK_BYTES = 4 * 1024 * 1024;
/** Records from this size go to the writer thread (smaller ones cost less to write than to hand over). */
const THREAD_MIN_PAYLOAD = 256 * 1024;

export interface WalOptions {
  /** A new segment starts once the current one has reached this size. */
  segmentBytes?: number;
  fs?: WalFs;
  /** Zero-fill segments to segmentBytes ahead of use (default true); see the file comment. */
  preallocate?: boolean;
  /** Log bytes written after open before the first segment is prepared (default 1 MiB). */
  preallocateAfterBytes?: number;
  /**
   * Large records written by a writer thread (default: on with node:fs, off with an injected fs,
   * whose faults the thread cannot see).
   */
  writeThread?: boolean;
  /** Tests: the writer thread sleeps this long before each record it writes. */
  writeThreadDelayMsForTesting?: number;
  /** How long without an append lets the next segment's zero-fill run at full speed (default 20 ms). */
  zeroFillQuietMs?: number;
}

export interface WalOpenOptions extends WalOptions {
  /**
   * The end of the valid log as recovery established it. Without it, open
   * recovers (validating and, if torn, cutting the tail) from the oldest segment.
   */
  endLsn?: number;
}

interface FlushWaiter {
  lsn: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class WriteAheadLog {
  private readonly scratch = new Uint8Array(SCRATCH_BYTES);
  private readonly scratchView = new DataView(this.scratch.buffer);
  /** Lets a single payload go through the parts path without an array per append. */
  private readonly singlePart: Uint8Array[] = [EMPTY];
  /** Start LSNs of the segments on disk, oldest first; the last is being appended to. */
  private readonly segmentStarts: number[];
  private fd: number;
  private written: number;
  private flushed: number;
  private waiters: FlushWaiter[] = [];
  private syncInFlight: Promise<void> | null = null;
  /** Segments rotated away while an fdatasync on them may still run: closed once it ends. */
  private retiredFds: number[] = [];
  private backgroundTimer: NodeJS.Timeout | null = null;
  /**
   * The next segment's file, zero-filled in the background: absent, being written, ready to rename,
   * or failed (no space: not retried before the next rotation, so a nearly full disk is not filled
   * with zeros again and again while others need the space).
   */
  private prepared: 'none' | 'writing' | 'ready' | 'failed' = 'none';
  private preparing: Promise<void> | null = null;
  /** writtenLsn when the running zero-fill started: its pace follows the log's growth since. */
  private fillFromLsn = 0;
  /** writtenLsn when the zero-fill's last step was allowed (steps grow with the log, resumeZeroFill) */
  private fillGrantedAtLsn = 0;
  /** The zero-fill's next chunk while it waits for its pace (see resumeZeroFill). */
  private fillParked: { doneBytes: number; proceed: Parameters<ZeroFillPacer>[1] } | null = null;
  private fillTimer: NodeJS.Timeout | null = null;
  private lastAppendMs = 0;
  /** Buffers whose record parts the writer thread reads in place (shareBuffer). */
  private readonly sharedBuffers = new Set<SharedArrayBuffer>();
  /** Moving average of the log's fdatasync times (ms), seen from the caller: pool hops and the writer thread's last writes included. */
  private syncMillis = 0;
  private failure: SqlError | null = null;
  private closed = false;
  /** The last segment is of an older format version: records of this one go into a new segment. */
  private rotateBeforeAppend = false;
  /** Whether the segment appended to was zero-filled; a plain one is left for a prepared one early. */
  private currentPreallocated = false;
  /** writtenLsn from which preparing segments starts (see the file comment). */
  private prepareFromLsn = 0;
  /** Free space of the log's disk, when large records may go to the writer thread. */
  private readonly space: FreeSpaceGauge | null;
  /** Started at the first record it takes. */
  private thread: WalWriteThread | null = null;
  private threadRecords = 0;

  private constructor(
    readonly dir: string,
    private readonly fs: WalFs,
    private readonly segmentBytes: number,
    private readonly preallocate: boolean,
    segmentStarts: number[],
    fd: number,
    endLsn: number,
    writeThread: boolean,
    private readonly threadDelayMs: number,
    private readonly zeroFillQuietMs: number,
  ) {
    this.space = writeThread ? new FreeSpaceGauge(dir) : null;
    this.segmentStarts = segmentStarts;
    this.fd = fd;
    this.written = endLsn;
    // Everything recovery found is on disk; whether it is synced we cannot
    // know, so the first flush syncs it (the flush target is writtenLsn).
    this.flushed = segmentStarts[segmentStarts.length - 1]!;
  }

  /** Opens the log for appending at its end; see WalOpenOptions.endLsn. */
  static open(dir: string, opts: WalOpenOptions = {}): WriteAheadLog {
    const fs = opts.fs ?? nodeWalFs;
    const segmentBytes = opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (!Number.isInteger(segmentBytes) || segmentBytes < 64) {
      throw new SqlError(INVALID_PARAMETER_VALUE, `WAL segment size must be an integer of at least 64 bytes, got ${segmentBytes}`);
    }
    let endLsn = opts.endLsn;
    if (endLsn === undefined) {
      fs.mkdirSync(dir, { recursive: true });
      const oldest = listSegments(fs, dir)[0];
      endLsn = recoverWal(dir, oldest?.startLsn ?? 0, () => {}, { fs }).endLsn;
    }
    fs.mkdirSync(dir, { recursive: true });
    const preallocate = opts.preallocate ?? true;
    const writeThread = opts.writeThread ?? fs === nodeWalFs;
    removeIfPresent(fs, `${dir}/${PREPARED_SEGMENT}`);
    const segments = listSegments(fs, dir);
    const last = segments[segments.length - 1];
    if (last === undefined) {
      const fd = createSegment(fs, dir, endLsn);
      const log = new WriteAheadLog(dir, fs, segmentBytes, preallocate, [endLsn], fd, endLsn + SEGMENT_HEADER_BYTES, writeThread, opts.writeThreadDelayMsForTesting ?? 0, opts.zeroFillQuietMs ?? ZERO_FILL_QUIET_MS);
      log.startPreparing(opts, false);
      return log;
    }
    const fd = fs.openSync(segmentPath(dir, last.startLsn), 'r+');
    const fileBytes = fs.fstatSync(fd).size;
    // Bytes past the end are the zeros of a preallocated segment (recovery checked that).
    if (last.startLsn + fileBytes < endLsn) {
      fs.closeSync(fd);
      throw new SqlError(
        DATA_CORRUPTED,
        `WAL segment "${last.name}" ends at LSN ${last.startLsn + fileBytes}, but the log was expected to end at ${endLsn}`,
        { hint: 'Open the log through WriteAheadLog.recover so the end is established from the segments themselves.' },
      );
    }
    const stray = nonZeroAfter(fs, fd, endLsn - last.startLsn, fileBytes);
    if (stray >= 0) {
      fs.closeSync(fd);
      throw new SqlError(
        DATA_CORRUPTED,
        `WAL segment "${last.name}" holds data at LSN ${last.startLsn + stray}, past the end of the log at ${endLsn}`,
        { hint: 'Open the log through WriteAheadLog.recover so the end is established from the segments themselves.' },
      );
    }
    const olderFormat = segmentVersion(fs, fd) !== SEGMENT_VERSION;
    const log = new WriteAheadLog(dir, fs, segmentBytes, preallocate, segments.map((s) => s.startLsn), fd, endLsn, writeThread, opts.writeThreadDelayMsForTesting ?? 0, opts.zeroFillQuietMs ?? ZERO_FILL_QUIET_MS);
    log.rotateBeforeAppend = olderFormat;
    log.startPreparing(opts, !olderFormat && fileBytes >= segmentBytes);
    return log;
  }

  /**
   * Replays the log from `fromLsn` (see recoverWal: a torn tail is cut, a
   * corrupt middle throws XX001) and opens it for appending at the end.
   */
  static recover(
    dir: string,
    fromLsn: number,
    onRecord: (record: WalRecord) => void,
    opts: WalOptions = {},
  ): { log: WriteAheadLog; report: WalRecoveryReport } {
    const report = recoverWal(dir, fromLsn, onRecord, { fs: opts.fs });
    const log = WriteAheadLog.open(dir, { ...opts, endLsn: report.endLsn });
    return { log, report };
  }

  private startPreparing(opts: WalOptions, currentPreallocated: boolean): void {
    this.currentPreallocated = currentPreallocated;
    this.prepareFromLsn = this.written + (opts.preallocateAfterBytes ?? PREALLOCATE_AFTER_BYTES);
    if (this.written >= this.prepareFromLsn) this.prepareNextSegment();
  }

  /** LSN just past the last record handed to the OS or to the writer thread. */
  get writtenLsn(): number {
    return this.written;
  }

  /** Everything before this LSN is fdatasync'ed. Never exceeds writtenLsn. */
  get flushedLsn(): number {
    return this.flushed;
  }

  /**
   * Writes a whole record (type 1..255, payload in one or several parts) to the
   * OS before returning, and returns the LSN just past it. Not durable until flushed.
   */
  append(type: number, payload: Uint8Array | readonly Uint8Array[]): number {
    this.assertWritable();
    if (!Number.isInteger(type) || type < 1 || type > 255) {
      throw new SqlError(INVALID_PARAMETER_VALUE, `WAL record type must be an integer in 1..255, got ${type}`);
    }
    let parts: readonly Uint8Array[];
    if (payload instanceof Uint8Array) {
      this.singlePart[0] = payload;
      parts = this.singlePart;
    } else {
      parts = payload;
    }
    try {
      return this.appendParts(type, parts);
    } finally {
      this.singlePart[0] = EMPTY; // do not keep the caller's payload alive
    }
  }

  private appendParts(type: number, parts: readonly Uint8Array[]): number {
    let payloadBytes = 0;
    for (const part of parts) payloadBytes += part.length;
    if (payloadBytes > MAX_RECORD_PAYLOAD) {
      throw new SqlError(PROGRAM_LIMIT_EXCEEDED, `WAL record of ${payloadBytes} bytes exceeds the maximum of ${MAX_RECORD_PAYLOAD}`);
    }
    if (
      this.rotateBeforeAppend ||
      this.written - this.currentSegmentStart() >= this.segmentBytes ||
      (!this.currentPreallocated && this.prepared === 'ready')
    ) {
      this.rotate();
    }
    const lsn = this.written;
    const recordBytes = RECORD_HEADER_BYTES + payloadBytes;
    const fileOffset = lsn - this.currentSegmentStart();
    if (!this.currentPreallocated) this.space?.note(recordBytes);
    if (this.threadTakes(payloadBytes, fileOffset + recordBytes)) {
      this.thread ??= new WalWriteThread(() => this.onThreadProgress(), this.threadDelayMs);
      this.thread.submit(this.fd, fileOffset, lsn, lsn + recordBytes, type, parts, payloadBytes, this.sharedBuffers);
      this.threadRecords++;
      this.written = lsn + recordBytes;
      this.noteAppended();
      return this.written;
    }
    // written here only once the thread has written everything before it: the file stays a prefix of the log
    this.drainThread();
    const crc = recordCrc(type, parts, lsn);
    const scratch = this.scratch;
    this.scratchView.setUint32(0, payloadBytes, true);
    this.scratchView.setUint32(4, crc, true);
    scratch[8] = type;
    try {
      if (recordBytes <= SCRATCH_BYTES) {
        let at = RECORD_HEADER_BYTES;
        for (const part of parts) {
          scratch.set(part, at);
          at += part.length;
        }
        writeFully(this.fs, this.fd, scratch, recordBytes, fileOffset);
      } else {
        // one writev for the header and every part (a commit's deltas come as dozens of column views)
        const buffers: Uint8Array[] = [scratch.subarray(0, RECORD_HEADER_BYTES)];
        for (const part of parts) if (part.length > 0) buffers.push(part);
        writevFully(this.fs, this.fd, buffers, recordBytes, fileOffset);
      }
    } catch (err) {
      throw this.writeFailed(err, fileOffset);
    }
    this.written = lsn + recordBytes;
    this.noteAppended();
    return this.written;
  }

  private noteAppended(): void {
    this.lastAppendMs = performance.now();
    if (this.prepared === 'none' && this.written >= this.prepareFromLsn) this.prepareNextSegment();
    else if (this.fillParked !== null) this.resumeZeroFill(true);
  }

  /**
   * Whether the writer thread takes a record: a large one, or any while it has records (to keep their
   * order), that ends within a zero-filled segment (its blocks are allocated: no ENOSPC) or, extending
   * the file, while the disk has a wide margin free (free-space-gauge.ts).
   */
  private threadTakes(payloadBytes: number, fileEnd: number): boolean {
    const space = this.space;
    if (space === null || payloadBytes > WAL_THREAD_MAX_PAYLOAD) return false;
    if (payloadBytes < THREAD_MIN_PAYLOAD && !(this.thread?.busy ?? false)) return false;
    return (this.currentPreallocated && fileEnd <= this.segmentBytes) || space.allows(RECORD_HEADER_BYTES + payloadBytes);
  }

  /** LSN before which every record is in the OS's hands (the writer thread's included). */
  private completeLsn(): number {
    return this.thread?.oldestPendingLsn() ?? this.written;
  }

  /** Waits for the writer thread to finish its records; its failure fails the log. */
  private drainThread(): void {
    const thread = this.thread;
    if (thread === null) return;
    try {
      thread.drainSync();
    } catch (err) {
      throw this.fail(`could not write to file "${segmentPath(this.dir, this.currentSegmentStart())}"`, err);
    }
    this.checkThread();
  }

  /** Takes the writer thread's failure (the log fails) and its fdatasyncs (the log is durable that far). */
  private checkThread(): void {
    const thread = this.thread;
    if (thread === null) return;
    const failure = thread.failed();
    if (failure !== null && this.failure === null) {
      const path = segmentPath(this.dir, this.currentSegmentStart());
      this.fail(failure.what === 'sync' ? `could not fdatasync file "${path}"` : `could not write to file "${path}"`, new Error(failure.message));
    }
    if (this.failure === null) this.advanceFlushed(Math.min(thread.syncedLsn, this.completeLsn()));
  }

  private onThreadProgress(): void {
    this.checkThread();
    this.startSyncIfIdle();
  }

  /** Maps a failed write to the error to throw, cutting a partial record off when the disk is full. */
  private writeFailed(err: unknown, recordFileOffset: number): SqlError {
    const path = segmentPath(this.dir, this.currentSegmentStart());
    const code = errnoCode(err);
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      try {
        this.fs.ftruncateSync(this.fd, recordFileOffset);
      } catch (truncateErr) {
        return this.fail(`could not truncate file "${path}" after a failed write`, truncateErr);
      }
      const reason = code === 'ENOSPC' ? 'No space left on device' : 'Disk quota exceeded';
      return new SqlError(DISK_FULL, `could not write to file "${path}": ${reason}`, {
        hint: 'Free disk space; the transaction can be retried.',
      });
    }
    return this.fail(`could not write to file "${path}"`, err);
  }

  /**
   * Moves appends to a new segment. The old one is synced first, so a crash
   * can never keep a later segment's records while losing an earlier one's.
   */
  private rotate(): void {
    this.drainThread();
    const oldFd = this.fd;
    const start = this.written;
    try {
      this.fs.fdatasyncSync(oldFd);
    } catch (err) {
      throw this.fail(`could not fdatasync file "${segmentPath(this.dir, this.currentSegmentStart())}"`, err);
    }
    this.advanceFlushed(start);
    let fd: number;
    const prepared = this.prepared === 'ready';
    try {
      fd = prepared ? this.usePreparedSegment(start) : createSegment(this.fs, this.dir, start);
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOSPC' || code === 'EDQUOT') {
        // Stay on the old segment: the next append tries the rotation again.
        throw new SqlError(DISK_FULL, `could not write to file "${segmentPath(this.dir, start)}": No space left on device`, {
          hint: 'Free disk space; the transaction can be retried.',
        });
      }
      throw this.fail(`could not create WAL segment "${segmentPath(this.dir, start)}"`, err);
    }
    this.fd = fd;
    this.segmentStarts.push(start);
    this.written = start + SEGMENT_HEADER_BYTES;
    this.rotateBeforeAppend = false;
    this.currentPreallocated = prepared;
    if (this.prepared === 'failed') this.prepared = 'none';
    if (this.syncInFlight) this.retiredFds.push(oldFd);
    else this.fs.closeSync(oldFd);
    if (this.written >= this.prepareFromLsn) this.prepareNextSegment();
  }

  /**
   * Turns the zero-filled file into the segment starting at `start`: renamed,
   * its header written and synced, the directory synced, before any record
   * goes in (a renamed file with a zeroed header is cut off by recovery).
   */
  private usePreparedSegment(start: number): number {
    this.prepared = 'none';
    const path = segmentPath(this.dir, start);
    this.fs.renameSync(`${this.dir}/${PREPARED_SEGMENT}`, path);
    const fd = this.fs.openSync(path, 'r+');
    try {
      const header = encodeSegmentHeader(start);
      let written = 0;
      while (written < header.length) written += this.fs.writeSync(fd, header, written, header.length - written, written);
      this.fs.fdatasyncSync(fd);
      syncDirectory(this.fs, this.dir);
      return fd;
    } catch (err) {
      this.fs.closeSync(fd);
      throw err;
    }
  }

  /** Starts zero-filling the next segment's file on the thread pool, unless one is ready or on its way. */
  private prepareNextSegment(): void {
    if (!this.preallocate || this.prepared !== 'none' || this.closed || this.failure) return;
    this.prepared = 'writing';
    this.fillFromLsn = this.written;
    this.fillGrantedAtLsn = this.written;
    this.preparing = new Promise<void>((done) => {
      this.fs.preallocate(
        `${this.dir}/${PREPARED_SEGMENT}`,
        this.segmentBytes,
        (err) => {
          this.preparing = null;
          this.fillParked = null;
          // A failure (a full disk) is not an error here: the rotation creates the segment itself and reports.
          this.prepared = err ? 'failed' : 'ready';
          done();
        },
        (doneBytes, proceed) => {
          this.fillParked = { doneBytes, proceed };
          this.resumeZeroFill(false);
        },
      );
    });
  }

  /**
   * Lets the zero-fill's next chunk go when it does not compete with a commit. Its write-back and
   * fdatasync share the disk with the log's: measured here, a commit's fdatasync took 1.4–2.6 ms on
   * average while a segment was zero-filled at full speed, 0.4–0.7 ms otherwise. So the fill goes
   * between the log's syncs, as fast as the log grows (ZERO_FILL_PACE), and at full speed once
   * the log is quiet; it goes during a sync only when it has fallen far behind (a bulk load that
   * seldom syncs) — or an append (`fromAppend`) would start it just before the commit's sync.
   */
  private resumeZeroFill(fromAppend: boolean): void {
    const parked = this.fillParked;
    if (parked === null) return;
    if (this.closed || this.failure) {
      this.fillParked = null;
      parked.proceed(false);
      return;
    }
    const slack = Math.min(ZERO_FILL_SLACK_BYTES, this.segmentBytes >> 3);
    const allowance = ZERO_FILL_PACE * (this.written - this.fillFromLsn) + slack;
    const commitsIdle = !fromAppend && this.syncInFlight === null && this.waiters.length === 0;
    // from a plain segment the log moves out as soon as it can: its fdatasyncs commit the file system's
    // journal, which in ext4's ordered mode writes the zero-fill's new blocks anyway
    const quiet = !this.currentPreallocated || performance.now() - this.lastAppendMs >= this.zeroFillQuietMs;
    if ((commitsIdle && parked.doneBytes < allowance) || quiet || parked.doneBytes + slack < allowance) {
      this.fillParked = null;
      // a step as large as the log grew since the last one, at the pace: a bulk load turns the event
      // loop about once per statement (MiBs of log), and a chunk per turn left its log in plain
      // segments (a fifth of a 10M-row load's log zero-filled ahead), while statements of a few kB
      // each, whose syncs would queue behind a large step's write-back, keep single chunks
      const grown = ZERO_FILL_PACE * (this.written - this.fillGrantedAtLsn);
      this.fillGrantedAtLsn = this.written;
      parked.proceed(true, this.currentPreallocated ? Math.min(grown, allowance - parked.doneBytes) : grown);
      return;
    }
    if (this.fillTimer === null) {
      this.fillTimer = setTimeout(() => {
        this.fillTimer = null;
        this.resumeZeroFill(false);
      }, this.zeroFillQuietMs);
      this.fillTimer.unref();
    }
  }

  /**
   * Resolves once everything before `lsn` (clamped to writtenLsn) is
   * fdatasync'ed. Callers arriving while a sync runs share the next one.
   */
  flush(lsn: number): Promise<void> {
    if (lsn <= this.flushed) return RESOLVED;
    try {
      this.assertWritable();
    } catch (err) {
      return Promise.reject(err);
    }
    const target = Math.min(lsn, this.written);
    if (target <= this.flushed) return RESOLVED;
    // the thread syncs right after its last write when that write is still to come
    if (this.thread !== null && target > this.completeLsn()) this.thread.requestSync();
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ lsn: target, resolve, reject });
      this.startSyncIfIdle();
    });
  }

  private startSyncIfIdle(): void {
    if (this.waiters.length === 0 || this.failure) return;
    // a waiter may need records the thread is still writing: have it say when the next is done
    if (this.thread?.busy) this.thread.wantProgress();
    if (this.syncInFlight) return;
    // what the writer thread has not written yet is synced once it is (onThreadProgress)
    const target = this.completeLsn();
    if (target <= this.flushed) return;
    const fd = this.fd;
    const path = segmentPath(this.dir, this.currentSegmentStart());
    const started = performance.now();
    this.syncInFlight = new Promise<void>((done) => {
      this.fs.fdatasync(fd, (err) => {
        this.noteSyncMillis(performance.now() - started);
        this.syncInFlight = null;
        for (const retired of this.retiredFds) this.fs.closeSync(retired);
        this.retiredFds = [];
        if (err) {
          this.fail(`could not fdatasync file "${path}"`, err);
        } else {
          this.advanceFlushed(target);
          this.startSyncIfIdle();
          this.resumeZeroFill(false);
        }
        done();
      });
    });
  }

  /**
   * Flushes on the calling thread, blocking it: for embedding callers that cannot await, and for a
   * commit with nobody to share its fdatasync with (see syncIdle). Records the writer thread holds
   * are synced by the thread right after it writes them, and this waits for that (Atomics.wait)
   * instead of syncing again behind it.
   */
  flushSync(lsn: number): void {
    if (lsn <= this.flushed) return;
    this.assertWritable();
    const started = performance.now();
    this.syncAfterThreadWrites();
    this.drainThread();
    this.assertWritable();
    if (lsn > this.flushed) {
      const target = this.written;
      try {
        this.fs.fdatasyncSync(this.fd);
      } catch (err) {
        throw this.fail(`could not fdatasync file "${segmentPath(this.dir, this.currentSegmentStart())}"`, err);
      }
      this.advanceFlushed(target);
    }
    this.noteSyncMillis(performance.now() - started);
    this.resumeZeroFill(false);
  }

  /**
   * Has the writer thread fdatasync once it has written the records it holds (a no-op when it holds
   * none): a flushSync soon after then waits for that sync, which overlaps what the caller does meanwhile.
   */
  syncAfterThreadWrites(): void {
    if (this.thread?.busy) this.thread.requestSync();
  }

  /**
   * Record parts in `buffer` may be read by the writer thread where they are, instead of being copied
   * into its ring: the caller changes the buffer only once holdsBuffer() is false (persist/bytes.ts,
   * ByteArena).
   */
  shareBuffer(buffer: SharedArrayBuffer): void {
    this.sharedBuffers.add(buffer);
  }

  /** `buffer` is no longer read in place (a record still holding it must have been written: see holdsBuffer). */
  unshareBuffer(buffer: SharedArrayBuffer): void {
    this.sharedBuffers.delete(buffer);
    this.thread?.forget(buffer);
  }

  /** Whether the writer thread has yet to write a record whose parts it reads from `buffer`. */
  holdsBuffer(buffer: SharedArrayBuffer): boolean {
    return this.thread?.holds(buffer) ?? false;
  }

  /**
   * No fdatasync running or awaited: a flush now would be nobody else's, and flushSync would wait
   * for nothing but the writer thread's records (which it syncs right after writing them).
   */
  get syncIdle(): boolean {
    return this.syncInFlight === null && this.waiters.length === 0 && this.failure === null && !this.closed;
  }

  /** Recent fdatasync times of this log in ms (a moving average; 0 before the first). */
  get recentSyncMillis(): number {
    return this.syncMillis;
  }

  private noteSyncMillis(ms: number): void {
    this.syncMillis = this.syncMillis === 0 ? ms : this.syncMillis * 0.9 + ms * 0.1;
  }

  /**
   * For synchronous_commit = off: guarantees a flush within delayMs without
   * anyone waiting for it. One timer at a time, unref'd so it never keeps the
   * process alive; a failed flush leaves the log failed, which the next append reports.
   */
  flushInBackground(delayMs = 200): void {
    if (this.backgroundTimer || this.closed || this.failure || this.written <= this.flushed) return;
    this.backgroundTimer = setTimeout(() => {
      this.backgroundTimer = null;
      if (!this.closed) this.flush(this.written).catch(() => {});
    }, delayMs);
    this.backgroundTimer.unref();
  }

  /**
   * Deletes the segments that end at or before `lsn` (everything before it is
   * in a checkpoint). The segment being appended to is never deleted.
   * Returns how many segments were removed.
   */
  truncateBefore(lsn: number): number {
    if (this.closed) throw new SqlError(NOT_IN_PREREQUISITE_STATE, 'write-ahead log is closed');
    let removed = 0;
    while (this.segmentStarts.length > 1 && this.segmentStarts[1]! <= lsn) {
      const path = segmentPath(this.dir, this.segmentStarts[0]!);
      try {
        this.fs.unlinkSync(path);
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') {
          throw new SqlError(IO_ERROR, `could not remove file "${path}": ${(err as Error).message}`);
        }
      }
      this.segmentStarts.shift();
      removed++;
    }
    if (removed > 0) {
      try {
        syncDirectory(this.fs, this.dir);
      } catch (err) {
        throw new SqlError(IO_ERROR, `could not fsync directory "${this.dir}": ${(err as Error).message}`);
      }
    }
    return removed;
  }

  /**
   * Resolves once the background zero-fill of the next segment (if one runs)
   * has ended, with whether a prepared segment is ready. For tests and tools.
   */
  async nextSegmentPrepared(): Promise<boolean> {
    if (this.preparing) await this.preparing;
    return this.prepared === 'ready';
  }

  /** How many records the writer thread was given. For tests and tools. */
  get recordsByThread(): number {
    return this.threadRecords;
  }

  /** Start LSNs of the segments on disk, oldest first. */
  segments(): readonly number[] {
    return this.segmentStarts;
  }

  /** Flushes everything written and closes the files; rejects if that flush fails. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.backgroundTimer) {
      clearTimeout(this.backgroundTimer);
      this.backgroundTimer = null;
    }
    let flushError: unknown = null;
    try {
      if (!this.failure) {
        this.drainThread();
        await this.flush(this.written);
      }
    } catch (err) {
      flushError = err;
    }
    if (this.thread !== null) await this.thread.terminate();
    this.thread = null;
    while (this.syncInFlight) await this.syncInFlight;
    this.closed = true;
    if (this.fillTimer !== null) clearTimeout(this.fillTimer);
    this.fillTimer = null;
    this.resumeZeroFill(false);
    if (this.preparing) await this.preparing;
    for (const retired of this.retiredFds) this.fs.closeSync(retired);
    this.retiredFds = [];
    this.fs.closeSync(this.fd);
    if (flushError) throw flushError;
  }

  private currentSegmentStart(): number {
    return this.segmentStarts[this.segmentStarts.length - 1]!;
  }

  private advanceFlushed(lsn: number): void {
    if (lsn <= this.flushed) return;
    this.flushed = lsn;
    if (this.waiters.length === 0) return;
    const pending: FlushWaiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.lsn <= lsn) waiter.resolve();
      else pending.push(waiter);
    }
    this.waiters = pending;
  }

  /** Puts the log into the failed state, rejects every waiter, and returns the error to throw. */
  private fail(what: string, cause: unknown): SqlError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const error = new SqlError(IO_ERROR, `${what}: ${reason}`, {
      hint: 'The write-ahead log refuses further writes; restart the server so recovery can re-establish the log.',
    });
    if (!this.failure) this.failure = error;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(error);
    return error;
  }

  private assertWritable(): void {
    if (this.closed) throw new SqlError(NOT_IN_PREREQUISITE_STATE, 'write-ahead log is closed');
    if (this.failure) {
      throw new SqlError(IO_ERROR, `write-ahead log is unusable after an earlier I/O error: ${this.failure.message}`, {
        hint: this.failure.hint,
      });
    }
  }
}
