/**
 * The COPY parse thread's side: CopyData bytes in, column batches out.
 *
 * Each COPY handed to this thread is a job. The main thread sends the job's
 * options and where its inline parser stopped (`begin`), then the CopyData
 * bytes in large transferred blocks (`data`), then `end` or `abort`. The
 * thread runs the same CopyFromParser the main thread runs and posts every
 * batch: built in one of the job's shared-memory slots (copy-shared-slots.ts)
 * when one is free, so only the slot's number travels, otherwise with its
 * typed arrays transferred (no copy); text columns travel as dictionary codes
 * plus the batch's small dictionary. After each block it
 * posts `ack` with the block's size, behind that block's batches, so the main
 * thread can bound the bytes and batches in flight. A parse error is posted
 * with PostgreSQL's CONTEXT line (`where`) and ends the job.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { FormatContext } from '../../../storage/src/types/values.js';
import type { Batch } from '../../../storage/src/vector.js';
import { toSqlError } from '../engine/database-error.js';
import { CopyFromParser, type CopyParserState, type WhereError } from './copy-in.js';
import type { CopyOptions } from './copy-options.js';
import { SharedSlotWriter, type SharedSlotsSpec, type SlotBatch } from './copy-shared-slots.js';

export interface ParseJobSpec {
  opts: CopyOptions;
  columns: { name: string; type: SqlType }[];
  table: string;
  ctx: FormatContext;
  batchRows: number;
  resume: CopyParserState;
}

export type ToParseThread =
  | { kind: 'begin'; job: number; spec: ParseJobSpec }
  | { kind: 'data'; job: number; bytes: Uint8Array }
  | { kind: 'end'; job: number }
  | { kind: 'abort'; job: number }
  /** buffers of batches the main thread has appended: the job's next batches reuse them */
  | { kind: 'recycle'; job: number; buffers: ArrayBuffer[] };

/** An SqlError's fields as plain data (what crosses the thread boundary). */
export interface ErrorFields {
  code: string;
  message: string;
  where?: string;
  detail?: string;
  hint?: string;
  column?: string;
  table?: string;
  constraint?: string;
  dataType?: string;
}

export type FromParseThread =
  | { kind: 'ready' }
  | { kind: 'batch'; job: number; batch: Batch }
  /** the job's shared slots (before its first batch in one) */
  | { kind: 'slots'; job: number; spec: SharedSlotsSpec }
  /** a batch in a shared slot: the main thread releases the slot once it is appended */
  | ({ kind: 'slotBatch'; job: number } & SlotBatch)
  /** a block parsed: its batches were posted before; the block itself comes back for reuse */
  | { kind: 'ack'; job: number; block: Uint8Array }
  | { kind: 'done'; job: number }
  | { kind: 'error'; job: number; error: ErrorFields };

export function errorFields(e: unknown): ErrorFields {
  const err: WhereError = toSqlError(e);
  const out: ErrorFields = { code: err.code, message: err.message };
  for (const k of ['where', 'detail', 'hint', 'column', 'table', 'constraint', 'dataType'] as const) {
    const v = err[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/** The buffers behind a batch's typed arrays, each once (a transfer list must not repeat one). */
export function transferables(b: Batch): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView | null) => {
    if (a !== null && a.buffer instanceof ArrayBuffer) seen.add(a.buffer);
  };
  for (const v of b.columns) {
    if (v.tag === 'number' || v.tag === 'bool') {
      add(v.values);
      add(v.nulls);
    } else if (v.tag === 'dict') {
      add(v.codes);
      add(v.nulls);
    }
  }
  return [...seen];
}

function serve(port: NonNullable<typeof parentPort>): void {
  const jobs = new Map<number, CopyFromParser>();
  const post = (m: FromParseThread, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  const fail = (job: number, e: unknown) => {
    jobs.delete(job);
    post({ kind: 'error', job, error: errorFields(e) });
  };
  port.on('message', (m: ToParseThread) => {
    switch (m.kind) {
      case 'begin': {
        const { opts, columns, table, ctx, batchRows, resume } = m.spec;
        try {
          const job = m.job;
          let slots: SharedSlotWriter | null = null;
          const sink = (batch: Batch) => {
            const inSlot = slots?.describe(batch) ?? null;
            if (inSlot !== null) post({ kind: 'slotBatch', job, ...inSlot });
            else post({ kind: 'batch', job, batch }, transferables(batch));
          };
          const parser = new CopyFromParser(opts, columns, table, ctx, sink, batchRows, resume);
          slots = SharedSlotWriter.create(parser.vectorTags, batchRows);
          if (slots !== null) {
            const writer = slots;
            post({ kind: 'slots', job, spec: writer.spec });
            parser.setArraySource(() => writer.take());
          }
          jobs.set(job, parser);
        } catch (e) {
          fail(m.job, e);
        }
        return;
      }
      case 'data': {
        const parser = jobs.get(m.job);
        if (parser === undefined) return; // failed or aborted: the rest is dropped
        try {
          parser.write(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength)); // keeps no view of it
          post({ kind: 'ack', job: m.job, block: m.bytes }, [m.bytes.buffer as ArrayBuffer]);
        } catch (e) {
          fail(m.job, e);
        }
        return;
      }
      case 'end': {
        const parser = jobs.get(m.job);
        if (parser === undefined) return;
        try {
          parser.end();
          jobs.delete(m.job);
          post({ kind: 'done', job: m.job });
        } catch (e) {
          fail(m.job, e);
        }
        return;
      }
      case 'abort':
        jobs.delete(m.job);
        return;
      case 'recycle':
        jobs.get(m.job)?.recycle(m.buffers);
        return;
    }
  });
  post({ kind: 'ready' });
}

// only in the thread started for it (copy-parse-thread.ts), not wherever this module is loaded
if (parentPort && (workerData as { strataCopyParse?: boolean } | null)?.strataCopyParse === true) serve(parentPort);
