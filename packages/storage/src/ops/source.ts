/**
 * Batch sources: re-runnable producers of batches. Operators are functions
 * from sources to sources; running one pulls its input lazily, so an operator
 * that has seen enough (LIMIT) stops its inputs by ending the iteration.
 */
import type { Value } from '../types/values.js';
import type { Batch, Vector } from '../vector.js';
import { concatVectors, getValue, sliceVector } from '../vector.js';
import type { EvalContext } from '../expr/expr.js';

export type BatchSource = (ctx: EvalContext) => Iterable<Batch>;

/** Output batch size operators aim for. */
export const BATCH_ROWS = 65536;

export function batchesOf(batches: Batch[]): BatchSource {
  return () => batches;
}

export function appendOp(inputs: readonly BatchSource[]): BatchSource {
  return function* (ctx) {
    for (const input of inputs) yield* input(ctx);
  };
}

/** Re-cut a stream into batches of exactly `rows` rows (the last may be shorter). */
export function rebatch(input: BatchSource, rows: number): BatchSource {
  if (rows <= 0) throw new Error('rebatch: rows must be positive');
  return function* (ctx) {
    let parts: Batch[] = [];
    let have = 0;
    const flush = (): Batch => {
      const b = concatBatches(parts);
      parts = [];
      have = 0;
      return b;
    };
    for (const b of input(ctx)) {
      let off = 0;
      while (off < b.length) {
        const take = Math.min(rows - have, b.length - off);
        parts.push(off === 0 && take === b.length ? b : sliceBatch(b, off, off + take));
        have += take;
        off += take;
        if (have === rows) yield flush();
      }
    }
    if (have > 0) yield flush();
  };
}

export function sliceBatch(b: Batch, start: number, end: number): Batch {
  if (start === 0 && end === b.length) return b;
  return { length: end - start, columns: b.columns.map((c) => sliceVector(c, start, end)) };
}

export function concatBatches(parts: readonly Batch[]): Batch {
  if (parts.length === 1) return parts[0]!;
  let length = 0;
  for (const p of parts) length += p.length;
  const ncol = parts[0]?.columns.length ?? 0;
  const columns: Vector[] = [];
  for (let c = 0; c < ncol; c++) {
    const vs = parts.map((p) => p.columns[c]!);
    columns.push(concatVectors(vs[0]!.type, vs));
  }
  return { length, columns };
}

/** Cut equally long columns into batches of at most BATCH_ROWS rows. */
export function* chunked(columns: readonly Vector[], length: number, size = BATCH_ROWS): Generator<Batch> {
  for (let start = 0; start < length; start += size) {
    const end = Math.min(length, start + size);
    yield { length: end - start, columns: columns.map((c) => (start === 0 && end === length ? c : sliceVector(c, start, end))) };
  }
}

/** The first row's value of a vector, NULL when empty (constant expressions evaluated on one row). */
export function firstValue(v: Vector): Value {
  return v.length === 0 ? null : getValue(v, 0);
}
