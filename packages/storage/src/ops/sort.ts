import type { Batch, Vector } from '../vector.js';
import { sliceVector, takeVector } from '../vector.js';
import type { ExprNode } from '../expr/expr.js';
import { compileExprs } from '../expr/compile.js';
import { checkDeadline } from '../expr/deadline.js';
import { sortIndices, topNIndices } from '../kernels/sort.js';
import type { BatchSource } from './source.js';
import { BATCH_ROWS, concatBatches } from './source.js';

export interface SortKeySpec {
  expr: ExprNode;
  desc: boolean;
  nullsFirst: boolean;
}

/**
 * ORDER BY (stable). With `limit` (LIMIT + OFFSET rows) only the best `limit`
 * rows are kept: input is buffered until it exceeds max(limit, one batch) rows,
 * then cut back to the top `limit`, so memory stays O(limit).
 */
export function sortOp(input: BatchSource, keys: readonly SortKeySpec[], limit?: number): BatchSource {
  const evalKeys = compileExprs(keys.map((k) => k.expr));
  const desc = keys.map((k) => k.desc);
  const nullsFirst = keys.map((k) => k.nullsFirst);
  const nk = keys.length;
  return function* (ctx) {
    if (limit !== undefined && limit <= 0) return;
    // key vectors are carried as extra trailing columns
    let pending: Batch[] = [];
    let pendingRows = 0;
    let kept: Batch | null = null;
    const compact = (n: number | undefined): Batch | null => {
      const parts = kept === null ? pending : [kept, ...pending];
      pending = [];
      pendingRows = 0;
      if (parts.length === 0) return null;
      const all = concatBatches(parts);
      const k = all.columns.slice(all.columns.length - nk);
      const idx = n === undefined ? sortIndices(k, desc, nullsFirst, all.length, () => checkDeadline(ctx)) : topNIndices(k, desc, nullsFirst, all.length, n);
      return { length: idx.length, columns: all.columns.map((c) => takeVector(c, idx)) };
    };
    for (const b of input(ctx)) {
      if (b.length === 0) continue;
      pending.push({ length: b.length, columns: [...b.columns, ...evalKeys(b, ctx)] });
      pendingRows += b.length;
      if (limit !== undefined && pendingRows >= Math.max(limit, BATCH_ROWS)) kept = compact(limit);
    }
    const sorted = compact(limit);
    if (sorted === null) return;
    const width = sorted.columns.length - nk;
    const cols: Vector[] = sorted.columns.slice(0, width);
    for (let s = 0; s < sorted.length; s += BATCH_ROWS) {
      const e = Math.min(sorted.length, s + BATCH_ROWS);
      yield s === 0 && e === sorted.length
        ? { length: sorted.length, columns: cols }
        : { length: e - s, columns: cols.map((c) => sliceVector(c, s, e)) };
    }
  };
}
