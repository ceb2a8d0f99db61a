/**
 * A simple-protocol query's rows sent while the query still runs. The executor
 * hands each batch to this sink inside the statement; its DataRows join the
 * output buffer at once and leave whenever the buffer passes the flush size, so
 * a client starts parsing a large result (TSBS high-cpu-all: ~370k rows) while
 * the rest is still being scanned, as it does with PostgreSQL.
 *
 * RowDescription goes out with the first batch, not before execution starts:
 * an error before any batch then gives ErrorResponse alone, as before; an error
 * after some batches gives RowDescription, those DataRows, then ErrorResponse —
 * what PostgreSQL sends for an error after rows (T D… E), with a different
 * number of rows before it.
 */
import type { Batch } from '../../../storage/src/vector.js';
import type { ResultColumn, ResultSink } from '../../../planner/src/statement/session.js';
import { fieldDef } from '../engine/results.js';
import type { BackendWriter } from './messages.js';

/** What the sink needs from its connection. */
export interface StreamTarget {
  readonly out: BackendWriter;
  sendNotices(): void;
  /** DataRows of `batches`, now or once the client has read what came before (output-backlog.ts) */
  writeBatches(columns: readonly ResultColumn[], batches: readonly Batch[], formats: readonly number[]): void;
}

export class StreamedResult implements ResultSink {
  /** the columns whose RowDescription has been sent for the running statement */
  private described: readonly ResultColumn[] | null = null;

  constructor(private readonly target: StreamTarget) {}

  batch(columns: readonly ResultColumn[], batch: Batch): void {
    if (this.described !== columns) {
      this.target.sendNotices();
      this.target.out.rowDescription(columns.map(fieldDef), []);
      this.described = columns;
    }
    if (batch.length > 0) this.target.writeBatches(columns, [batch], []);
  }

  /**
   * The statement ended (or failed): true when its RowDescription went out with a batch
   * (a streamed result without batches still needs one). Resets for the next statement.
   */
  finish(): boolean {
    const sent = this.described !== null;
    this.described = null;
    return sent;
  }
}
