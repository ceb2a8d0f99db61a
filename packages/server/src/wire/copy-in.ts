/**
 * COPY … FROM STDIN parsing: text, CSV and binary formats, streamed.
 *
 * CopyData messages split rows anywhere; the parser keeps the unfinished tail
 * and converts the fields of complete lines straight into the typed columns of
 * one batch (10k rows by default, no per-row objects): fast paths for float8,
 * integers, ISO timestamps and text (dictionary codes with the batch's own
 * dictionary), the type's input function otherwise, and pushes the batch into
 * the session's CopyIn. Memory stays bounded by one batch plus one CopyData
 * message. The same parser runs in the COPY parse thread (copy-parse-worker.ts),
 * which is why its state can be handed over mid-stream (`handoff`, `resume`).
 *
 * A bad value or line raises a SqlError with `where` = PostgreSQL's CONTEXT
 * line, e.g. `COPY t, line 3, column b: "x"`.
 *
 * CopyFromParser is one class built in layers, each in its own file:
 * copy-column-batch.ts (the typed column batch), copy-binary-tuples.ts
 * (binary format), copy-typed-rows.ts (plain text/CSV records in one pass),
 * copy-text-records.ts (text and CSV, every case), and here the streaming
 * entry points (write, end, handoff).
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { FormatContext } from '../../../storage/src/types/values.js';
import type { Batch } from '../../../storage/src/vector.js';
import { fastFloat, fastTimestamp } from './copy-convert.js';
import { COPY_BATCH_ROWS } from './copy-column-batch.js';
import { CopyTextRecordParser } from './copy-text-records.js';
import type { CopyOptions } from './copy-options.js';

export { COPY_BATCH_ROWS, type WhereError } from './copy-column-batch.js';

/** Where a parser stopped, for another parser (in another thread) to continue the same COPY. */
export interface CopyParserState {
  /** input lines (text/CSV) or tuples (binary) consumed so far */
  line: number;
  /** bytes of an unfinished record */
  tail: Uint8Array | null;
  headerPending: boolean;
  binHeaderDone: boolean;
}

/** After this many extensions of a record straddling CopyData messages, the rest of the message is appended at once. */
const STRADDLE_STEPS = 4;

export class CopyFromParser extends CopyTextRecordParser {
  constructor(
    opts: CopyOptions,
    columns: readonly { name: string; type: SqlType }[],
    tableName: string,
    ctx: FormatContext,
    sink: (b: Batch) => void,
    batchSize = COPY_BATCH_ROWS,
    resume?: CopyParserState,
  ) {
    super(opts, columns, tableName, ctx, sink, batchSize);
    if (resume) {
      this.line = resume.line;
      this.tailBytes = resume.tail ? Buffer.from(resume.tail) : null;
      this.headerPending = resume.headerPending;
      this.binHeaderDone = resume.binHeaderDone;
    }
  }

  /** Push the rows parsed so far and return where parsing stands; this parser takes no more input. */
  handoff(): CopyParserState {
    this.flush();
    const state: CopyParserState = { line: this.line, tail: this.tailBytes, headerPending: this.headerPending, binHeaderDone: this.binHeaderDone };
    this.done = true;
    this.tailBytes = null;
    return state;
  }

  /** The end-of-data marker or the binary trailer was seen: later input is ignored. */
  get finished(): boolean {
    return this.done;
  }

  /** Feed one CopyData payload. */
  write(chunk: Buffer): void {
    if (this.done) return;
    if (this.opts.format === 'binary') return this.writeBinary(chunk, false);
    let buf = chunk;
    if (this.tailBytes) {
      // Finish the record the previous message cut, from its tail plus this message's bytes up to
      // a newline, then parse the rest of the message in place (no copy of the whole message).
      let tail: Buffer = this.tailBytes;
      let from = 0;
      for (let step = 0; ; step++) {
        const cut = step < STRADDLE_STEPS ? chunk.indexOf(10, from) : chunk.length - 1;
        if (cut < 0) {
          this.tailBytes = Buffer.concat([tail, chunk.subarray(from)]);
          return;
        }
        const head = Buffer.concat([tail, chunk.subarray(from, cut + 1)]);
        const pos = this.parseRecords(head, false);
        if (this.done) {
          this.tailBytes = null;
          return;
        }
        from = cut + 1;
        if (pos === head.length) break;
        tail = head.subarray(pos); // a quoted newline (CSV): the record goes on
        if (from >= chunk.length) {
          this.tailBytes = tail;
          return;
        }
      }
      buf = chunk.subarray(from);
    }
    const pos = this.parseRecords(buf, false);
    this.tailBytes = pos < buf.length && !this.done ? Buffer.from(buf.subarray(pos)) : null;
  }

  /** End of data (CopyDone): parse what is left, push the last batch; returns the row count. */
  end(): number {
    if (this.opts.format === 'binary') {
      if (!this.done) this.writeBinary(Buffer.alloc(0), true);
    } else if (!this.done && this.tailBytes) {
      const buf = this.tailBytes;
      this.tailBytes = null;
      this.parseRecords(buf, true);
    }
    this.flush();
    return this.rows;
  }
}

export { fastFloat, fastTimestamp };
