/**
 * WITH RECURSIVE.
 *
 * Contract with the planner, either:
 *  a. `const wt = createWorkTable()`; the recursive term's plan reads the CTE
 *     through `workTableScanOp(wt)`; `recursiveUnionOp(base, step, { workTable: wt, all, types })`.
 *  b. or a callback `setWorkTable(batches)` that the planner's own work-table
 *     scan reads from (called before each run of the recursive term).
 *
 * Evaluation (PostgreSQL's algorithm): emit the non-recursive term's rows and
 * make them the working table; then repeatedly run the recursive term, emit
 * its new rows and make them the next working table, until an iteration adds
 * nothing. With UNION (not ALL) rows already produced are discarded, both
 * within and across iterations. Output is streamed, so a LIMIT above an
 * unbounded UNION ALL recursion stops it. The working table is kept per
 * EvalContext, so the same plan can run in nested/correlated executions.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { Batch } from '../../../storage/src/vector.js';
import type { EvalContext } from '../../../storage/src/expr/expr.js';
import { checkDeadline } from '../../../storage/src/expr/deadline.js';
import type { BatchSource } from './types.js';
import { takeBatch } from './batch.js';
import { KeyTable } from './keys.js';

export interface WorkTable {
  /** @internal current iteration's rows per execution context */
  readonly current: WeakMap<EvalContext, readonly Batch[]>;
}

export function createWorkTable(): WorkTable {
  return { current: new WeakMap() };
}

/** The recursive term's view of the rows produced by the previous iteration. */
export function workTableScanOp(wt: WorkTable): BatchSource {
  return function* workTableScan(ctx: EvalContext): Generator<Batch> {
    const batches = wt.current.get(ctx);
    if (!batches) throw new Error('workTableScanOp: read outside recursiveUnionOp');
    yield* batches;
  };
}

export interface RecursiveUnionSpec {
  workTable?: WorkTable;
  setWorkTable?: (batches: Batch[]) => void;
  /** UNION ALL (true) or UNION (false). */
  all: boolean;
  types: SqlType[];
}

export function recursiveUnionOp(nonRecursive: BatchSource, recursive: BatchSource, spec: RecursiveUnionSpec): BatchSource {
  const { workTable: wt, setWorkTable, all } = spec;
  if (!wt && !setWorkTable) throw new Error('recursiveUnionOp: needs workTable or setWorkTable');
  return function* recursiveUnion(ctx: EvalContext): Generator<Batch> {
    const seen = all ? null : new KeyTable();
    const fresh = (b: Batch): Batch | null => {
      if (b.length === 0) return null;
      if (!seen) return b;
      let nextNew = seen.size;
      const ids = seen.insert(b.columns, b.length);
      const sel = new Int32Array(b.length);
      let k = 0;
      for (let i = 0; i < b.length; i++) if (ids[i] === nextNew) { sel[k++] = i; nextNew++; }
      return k === 0 ? null : k === b.length ? b : takeBatch(b, sel, k);
    };
    const previous = wt?.current.get(ctx);
    try {
      let working: Batch[] = [];
      for (const b of nonRecursive(ctx)) {
        const f = fresh(b);
        if (f) { working.push(f); yield f; }
      }
      while (working.length > 0) {
        // one row per iteration can recurse millions of times without a scan in between
        checkDeadline(ctx);
        wt?.current.set(ctx, working);
        setWorkTable?.(working);
        const next: Batch[] = [];
        for (const b of recursive(ctx)) {
          const f = fresh(b);
          if (f) { next.push(f); yield f; }
        }
        working = next;
      }
    } finally {
      if (wt) {
        if (previous) wt.current.set(ctx, previous);
        else wt.current.delete(ctx);
      }
    }
  };
}
