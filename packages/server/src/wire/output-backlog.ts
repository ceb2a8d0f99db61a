/**
 * Output that waits for the client to read: a large result's remaining rows,
 * kept as batches rather than as text, and every message after them.
 *
 * A query runs synchronously on the event loop, so its DataRows can only reach
 * the kernel while the socket has room: once the client's receive window and
 * the send buffer are full (a few MB), everything else piles up in the
 * socket's user-space queue and leaves only after the statement ends. The
 * client then drains the kernel buffers and sits idle while the server is
 * still scanning (TSBS high-cpu-all: ~400k rows, 46 MB; node-postgres parses
 * slower than the server formats). PostgreSQL's backend blocks in send()
 * instead, so its client never waits.
 *
 * Once the socket is backed up, a result's further batches are kept here as
 * they are (a streamed result's: the statement finishes without formatting them),
 * and the connection formats them batch by batch as the socket drains. Every
 * byte written meanwhile (CommandComplete, later statements, ReadyForQuery)
 * queues behind them, so the client sees the same messages in the same order;
 * no further frame is read until the backlog is gone.
 *
 * A batch stays valid after its statement, as a non-streamed result's batches
 * do (collectBatches keeps them): committed arrays are never written again,
 * staged rows are only ever written past a block's fill point, and the decoded
 * and posting caches drop what they evict rather than reuse it. The client's
 * bytes are therefore the same as if they had been formatted at once, and a
 * SELECT * of millions of rows holds views of the table, not its text.
 */
import type { Socket } from 'node:net';
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { FormatContext } from '../../../storage/src/types/values.js';
import type { Batch } from '../../../storage/src/vector.js';
import type { BackendWriter } from './messages.js';
import type { CatalogLookup } from '../engine/results.js';
import { batchDataRows, type BatchRowWriter } from './data-rows.js';

/** The socket's own queue past which a streamed result's batches are kept instead of formatted. */
export const DEFER_AT = 1024 * 1024;
/** The pump formats batches while the socket's queue is below this (the kernel buffers stay full). */
const PUMP_BELOW = 1024 * 1024;

interface DeferredRows {
  readonly types: readonly SqlType[];
  readonly binary: readonly boolean[];
  readonly ctx: FormatContext;
  readonly catalog: CatalogLookup | undefined;
  readonly batches: Batch[];
}

type Item = Buffer | DeferredRows;

/** Rows formatted per pump step at first; then as many as make about STEP_BYTES. */
const FIRST_STEP_ROWS = 1024;
const STEP_BYTES = 256 * 1024;

export class OutputBacklog {
  private readonly items: Item[] = [];
  private head = 0;
  /** position in the head item when it is rows: its batch, and the next row of that batch */
  private batchAt = 0;
  private rowAt = 0;
  private writer: BatchRowWriter | null = null;
  private stepRows = FIRST_STEP_ROWS;

  get empty(): boolean {
    return this.head >= this.items.length;
  }

  /** Bytes that must follow what is queued already. */
  pushBytes(b: Buffer): void {
    if (b.length > 0) this.items.push(b);
  }

  /** A batch of a result (`binary[k]`: column k in binary format); consecutive batches of one result share an item. */
  pushRows(types: readonly SqlType[], binary: readonly boolean[], ctx: FormatContext, catalog: CatalogLookup | undefined, batch: Batch): void {
    const last = this.items[this.items.length - 1];
    if (last !== undefined && !Buffer.isBuffer(last) && last.types === types) last.batches.push(batch);
    else this.items.push({ types, binary, ctx, catalog, batches: [batch] });
  }

  /**
   * Writes queued output while the socket takes it without queueing more than PUMP_BELOW;
   * true once everything is written. `out` must be empty (the pump runs between frames);
   * `write` hands its bytes (queued ones came from it too) to the socket.
   */
  pump(socket: Socket, out: BackendWriter, flushAt: number, write: (taken: Buffer) => void): boolean {
    let stepBytes = 0;
    const flush = () => {
      if (out.size === 0) return;
      stepBytes += out.size;
      write(out.take());
    };
    while (!this.empty && socket.writableLength < PUMP_BELOW) {
      const item = this.items[this.head]!;
      if (Buffer.isBuffer(item)) {
        write(item);
        this.next();
        continue;
      }
      const b = item.batches[this.batchAt]!;
      this.writer ??= batchDataRows(out, item.types, b, item.binary, item.ctx, item.catalog);
      // a slice of rows at a time: one batch can be 65,536 wide rows, tens of MB of text
      const to = Math.min(b.length, this.rowAt + this.stepRows);
      stepBytes = 0;
      this.writer(this.rowAt, to, flushAt, flush);
      flush();
      if (stepBytes > 0) this.stepRows = Math.max(64, Math.min(65_536, Math.round((STEP_BYTES * (to - this.rowAt)) / stepBytes)));
      this.rowAt = to;
      if (this.rowAt < b.length) continue;
      item.batches[this.batchAt] = EMPTY; // formatted: the socket's copy is the only one needed
      this.writer = null;
      this.rowAt = 0;
      if (++this.batchAt >= item.batches.length) this.next();
    }
    return this.empty;
  }

  private next(): void {
    this.items[this.head] = EMPTY_BYTES;
    this.head++;
    this.batchAt = 0;
    this.rowAt = 0;
    this.writer = null;
  }
}

const EMPTY: Batch = { length: 0, columns: [] };
const EMPTY_BYTES = Buffer.alloc(0);
