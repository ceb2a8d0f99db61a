/**
 * UNION / INTERSECT / EXCEPT [ALL] with SQL multiset semantics. Rows compare
 * as whole tuples with NULL equal to NULL (IS NOT DISTINCT FROM). All three
 * stream the left input in its order; only the right side of INTERSECT/EXCEPT
 * is held (as per-group counts), and UNION keeps just the distinct-key table.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { Batch } from '../../../storage/src/vector.js';
import type { EvalContext } from '../../../storage/src/expr/expr.js';
import type { BatchSource } from './types.js';
import { chunks, takeBatch } from './batch.js';
import { KeyTable } from './keys.js';

export interface SetOpSpec {
  op: 'union' | 'intersect' | 'except';
  all: boolean;
  /** Column types of both inputs (the planner casts both sides to them). */
  types: SqlType[];
}

function growCounts(a: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  if (size <= a.length) return a;
  const n = new Int32Array(Math.max(size, a.length * 2));
  n.set(a);
  return n;
}

export function setOp(left: BatchSource, right: BatchSource, spec: SetOpSpec): BatchSource {
  const { op, all } = spec;

  if (op === 'union' && all) {
    return function* unionAll(ctx: EvalContext): Generator<Batch> {
      for (const b of left(ctx)) if (b.length > 0) yield b;
      for (const b of right(ctx)) if (b.length > 0) yield b;
    };
  }

  if (op === 'union') {
    return function* union(ctx: EvalContext): Generator<Batch> {
      const table = new KeyTable();
      for (const src of [left, right]) {
        for (const b of src(ctx)) {
          if (b.length === 0) continue;
          let nextNew = table.size;
          const ids = table.insert(b.columns, b.length);
          // ids are dense in first-appearance order, so a row is new exactly when it carries the next unseen id
          const sel = new Int32Array(b.length);
          let k = 0;
          for (let i = 0; i < b.length; i++) if (ids[i] === nextNew) { sel[k++] = i; nextNew++; }
          if (k === b.length) yield b;
          else if (k > 0) yield takeBatch(b, sel, k);
        }
      }
    };
  }

  return function* intersectExcept(ctx: EvalContext): Generator<Batch> {
    const table = new KeyTable();
    let rightCount = new Int32Array(1024);
    for (const b of right(ctx)) {
      if (b.length === 0) continue;
      const ids = table.insert(b.columns, b.length);
      rightCount = growCounts(rightCount, table.size);
      for (let i = 0; i < b.length; i++) rightCount[ids[i]!]!++;
    }
    let leftSeen = new Int32Array(1024);
    for (const b of left(ctx)) {
      if (b.length === 0) continue;
      const ids = table.insert(b.columns, b.length);
      leftSeen = growCounts(leftSeen, table.size);
      rightCount = growCounts(rightCount, table.size);
      const sel = new Int32Array(b.length);
      let k = 0;
      for (let i = 0; i < b.length; i++) {
        const g = ids[i]!;
        const occurrence = ++leftSeen[g]!;
        const r = rightCount[g]!;
        let keep: boolean;
        if (op === 'intersect') keep = all ? occurrence <= r : occurrence === 1 && r > 0;
        else keep = all ? occurrence > r : occurrence === 1 && r === 0;
        if (keep) sel[k++] = i;
      }
      if (k === b.length) yield* chunks(b);
      else if (k > 0) yield takeBatch(b, sel, k);
    }
  };
}
