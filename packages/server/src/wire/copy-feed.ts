/**
 * Where a COPY FROM STDIN's bytes go: the inline parser on the main thread,
 * and — once the COPY has proved large (HANDOFF_BYTES) and every column has a
 * typed fast path — the COPY parse thread, which continues exactly where the
 * inline parser stopped (line numbers, unfinished record, header state).
 *
 * In the thread's hands the main thread only batches the CopyData bytes into
 * blocks, transfers them, and appends the column batches that come back
 * (routing them to chunks and nodes), so parsing overlaps with appending.
 * Memory stays bounded: when more than copyFlowLimits.maxInFlight bytes were sent whose
 * batches have not been appended yet, the connection stops reading its socket
 * until the thread has caught up. Errors found in the thread (a bad value) or
 * while appending its batches arrive after write() returned: they are
 * reported through `hooks.failed`, or to the pending end() callback.
 */
import type { Batch } from '../../../storage/src/vector.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import type { CopyFromParser } from './copy-in.js';
import { CopyParseThread } from './copy-parse-thread.js';
import { SharedSlotReader } from './copy-shared-slots.js';
import { transferables, type ErrorFields, type FromParseThread, type ParseJobSpec } from './copy-parse-worker.js';

/** Bytes parsed inline before a COPY is handed to the parse thread (small COPYs never start it). */
export const HANDOFF_BYTES = 4 << 20;
/** Size of the blocks the CopyData bytes are transferred in. */
const BLOCK_BYTES = 512 << 10;
/** Reading stops above `maxInFlight` bytes in flight and resumes below `resumeBelow` (tests lower them). */
export const copyFlowLimits = { maxInFlight: 16 << 20, resumeBelow: 4 << 20 };
/** Rows per batch from the thread: large parts per chunk, few messages. */
const THREAD_BATCH_ROWS = 32_768;

export interface CopyFeedHooks {
  /** An error found after write() returned, while no end() is pending; the COPY is over. */
  failed(e: unknown): void;
  /** Stop reading the client's socket (too many bytes in flight) … */
  pause(): void;
  /** … and start again. */
  resume(): void;
}

export class CopyFeed {
  private thread: CopyParseThread | null = null;
  private job = -1;
  private seen = 0;
  private inFlight = 0;
  private block: Buffer | null = null;
  /** blocks the thread has parsed and sent back (reused: no allocation churn per block) */
  private readonly spare: Buffer[] = [];
  private blockLen = 0;
  private paused = false;
  /** the job's shared batch slots, once the thread has sent them */
  private slots: SharedSlotReader | null = null;
  /** times reading was paused (tests check the flow control ran) */
  static pauses = 0;
  private over = false;
  private endDone: ((err: unknown) => void) | null = null;

  constructor(
    private readonly parser: CopyFromParser,
    private readonly spec: Omit<ParseJobSpec, 'resume' | 'batchRows'>,
    private readonly sink: (b: Batch) => void,
    private readonly hooks: CopyFeedHooks,
  ) {
    // start the thread now, so that it is ready when the COPY has proved large
    if (parser.typedOnly) CopyParseThread.get();
  }

  /** One CopyData payload; inline parse errors are thrown. */
  write(chunk: Buffer): void {
    if (this.over) return;
    if (this.job >= 0) return this.append(chunk);
    this.parser.write(chunk);
    this.seen += chunk.length;
    if (this.seen >= HANDOFF_BYTES && !this.parser.finished && this.parser.typedOnly) this.tryHandoff();
  }

  private tryHandoff(): void {
    const thread = CopyParseThread.get();
    if (thread === null || !thread.ready) return; // starting: keep parsing inline meanwhile
    const resume = this.parser.handoff();
    this.thread = thread;
    this.job = thread.begin({ ...this.spec, batchRows: THREAD_BATCH_ROWS, resume }, {
      message: (m) => this.message(m),
      lost: (reason) => this.fail(new SqlError(SQLSTATE.internalError, reason)),
    });
  }

  private append(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.block === null) {
        this.block = this.spare.pop() ?? Buffer.allocUnsafeSlow(BLOCK_BYTES); // its own ArrayBuffer, so it can be transferred
        this.blockLen = 0;
      }
      const n = Math.min(chunk.length - off, this.block.length - this.blockLen);
      chunk.copy(this.block, this.blockLen, off, off + n);
      this.blockLen += n;
      off += n;
      if (this.blockLen === this.block.length) this.sendBlock();
    }
  }

  private sendBlock(): void {
    const b = this.block;
    if (b === null || this.blockLen === 0) return;
    this.block = null;
    this.inFlight += this.blockLen;
    this.thread!.send({ kind: 'data', job: this.job, bytes: new Uint8Array(b.buffer, b.byteOffset, this.blockLen) }, [b.buffer as ArrayBuffer]);
    if (!this.paused && this.inFlight > copyFlowLimits.maxInFlight) {
      this.paused = true;
      CopyFeed.pauses++;
      this.hooks.pause();
    }
  }

  private message(m: FromParseThread): void {
    if (this.over) return;
    switch (m.kind) {
      case 'batch': {
        try {
          this.sink(m.batch);
        } catch (e) {
          this.fail(e);
          return;
        }
        // appending copied the rows (CopyIn.push keeps no array of a batch): the arrays go back
        const buffers = transferables(m.batch);
        this.thread!.send({ kind: 'recycle', job: this.job, buffers }, buffers);
        return;
      }
      case 'slots':
        this.slots = new SharedSlotReader(m.spec, this.spec.columns.map((c) => c.type));
        return;
      case 'slotBatch': {
        try {
          this.sink(this.slots!.batch(m));
        } catch (e) {
          this.fail(e);
          return;
        }
        this.slots!.release(m.slot); // appending copied the rows
        return;
      }
      case 'ack':
        this.inFlight -= m.block.byteLength;
        if (m.block.buffer.byteLength === BLOCK_BYTES) this.spare.push(Buffer.from(m.block.buffer as ArrayBuffer));
        if (this.paused && this.inFlight < copyFlowLimits.resumeBelow) {
          this.paused = false;
          this.hooks.resume();
        }
        return;
      case 'done': {
        this.finish(false);
        const done = this.endDone;
        this.endDone = null;
        done?.(null);
        return;
      }
      case 'error':
        this.fail(sqlErrorOf(m.error));
        return;
      default:
        return;
    }
  }

  /**
   * End of data (CopyDone): `done` runs once every row is appended — at once when
   * parsing inline, after the thread's last batch otherwise — or with the error.
   */
  end(done: (err: unknown) => void): void {
    if (this.over) return done(null);
    if (this.job < 0) {
      try {
        this.parser.end();
      } catch (e) {
        this.over = true;
        return done(e);
      }
      this.over = true;
      return done(null);
    }
    this.sendBlock();
    this.endDone = done;
    this.thread!.send({ kind: 'end', job: this.job });
  }

  /** The COPY is abandoned (client CopyFail, connection closed, an error elsewhere). */
  abort(): void {
    if (this.over) return;
    this.finish(true);
  }

  private finish(abort: boolean): void {
    this.over = true;
    this.block = null;
    if (this.job >= 0) this.thread!.release(this.job, abort);
  }

  private fail(e: unknown): void {
    if (this.over) return;
    this.finish(true);
    const done = this.endDone;
    this.endDone = null;
    if (done) done(e);
    else this.hooks.failed(e);
  }
}

function sqlErrorOf(f: ErrorFields): SqlError & { where?: string } {
  const { code, message, where, ...fields } = f;
  const e: SqlError & { where?: string } = new SqlError(code, message, fields);
  if (where !== undefined) e.where = where;
  return e;
}
