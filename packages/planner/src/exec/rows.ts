/** Turning batches into client rows and back. */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import type { Batch } from '../../../storage/src/vector.js';
import { getValue, vectorFromValues } from '../../../storage/src/vector.js';
import type { EvalContext } from '../../../storage/src/expr/expr.js';
import type { BatchSource } from './types.js';

export function batchToRows(batch: Batch): Value[][] {
  const rows = new Array<Value[]>(batch.length);
  const ncol = batch.columns.length;
  for (let i = 0; i < batch.length; i++) rows[i] = new Array<Value>(ncol);
  for (let c = 0; c < ncol; c++) {
    const col = batch.columns[c]!;
    for (let i = 0; i < batch.length; i++) rows[i]![c] = getValue(col, i);
  }
  return rows;
}

export function collectRows(source: BatchSource, ctx: EvalContext): Value[][] {
  const out: Value[][] = [];
  for (const b of source(ctx)) for (const r of batchToRows(b)) out.push(r);
  return out;
}

export function collectBatches(source: BatchSource, ctx: EvalContext): Batch[] {
  return [...source(ctx)];
}

/** Build one batch from rows (tests, VALUES, small results). */
export function rowsToBatch(rows: readonly (readonly Value[])[], types: readonly SqlType[]): Batch {
  return {
    length: rows.length,
    columns: types.map((t, c) => vectorFromValues(t, rows.map((r) => r[c] ?? null))),
  };
}
