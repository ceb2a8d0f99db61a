/**
 * LATERAL joins (subqueries and table functions in FROM that read columns of
 * items to their left).
 *
 * Contract: the right side's plan reads the current left row through
 * CorrelatedNode slots 0..k-1, exactly like a SubqueryNode's plan — slot j is
 * left column `correlatedColumns[j]` (or the value of `correlated[j]`, an
 * expression over the left row, when the planner needs more than plain
 * columns, e.g. to forward an enclosing query's correlated value). The right
 * source is re-run per left row with ctx' = { ...ctx, correlated: slots }.
 * Consecutive left rows with equal slot values reuse the previous right
 * result (memoize: false turns that off for volatile right sides).
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import type { Batch, Vector } from '../../../storage/src/vector.js';
import { getValue, takeVector } from '../../../storage/src/vector.js';
import type { EvalContext, ExprNode } from '../../../storage/src/expr/expr.js';
import { compileExpr } from './deps.js';
import { BATCH_ROWS, type BatchSource } from './types.js';
import { concatBatches, IntBuffer, nullColumns, selectTrue, takeBatch } from './batch.js';
import { valuesEqual } from './keys.js';

export interface LateralJoinSpec {
  type: 'inner' | 'left';
  leftTypes: SqlType[];
  rightTypes: SqlType[];
  /** Left columns passed as correlated slots 0..k-1. */
  correlatedColumns?: number[];
  /** Alternative to correlatedColumns: expressions over the left row. */
  correlated?: ExprNode[];
  /** ON condition over the concatenated row (LEFT JOIN LATERAL … ON …). */
  condition?: ExprNode;
  memoize?: boolean;
}

export function lateralJoinOp(left: BatchSource, right: BatchSource, spec: LateralJoinSpec): BatchSource {
  const slotExprs = spec.correlated?.map(compileExpr) ?? null;
  const slotCols = spec.correlatedColumns ?? [];
  const cond = spec.condition ? compileExpr(spec.condition) : null;
  const memoize = spec.memoize !== false;
  const { rightTypes } = spec;

  return function* lateral(ctx: EvalContext): Generator<Batch> {
    let prevSlots: Value[] | null = null;
    let prevRight: Batch[] = [];
    for (const lb of left(ctx)) {
      const n = lb.length;
      if (n === 0) continue;
      const slotVecs: Vector[] = slotExprs ? slotExprs.map((f) => f(lb, ctx)) : slotCols.map((c) => lb.columns[c]!);
      const matched = spec.type === 'left' ? new Uint8Array(n) : null;
      const lIdx = new IntBuffer();
      let parts: Batch[] = [];
      let pending = 0;

      const flush = (): Batch | null => {
        if (pending === 0) return null;
        const m = pending;
        const rb = concatBatches(rightTypes, parts);
        const sel = lIdx.view();
        let out: Batch = { length: m, columns: [...lb.columns.map((c) => takeVector(c, sel, m)), ...rb.columns] };
        if (cond) {
          const keep = selectTrue(cond, out, ctx);
          if (matched) for (let k = 0; k < keep.length; k++) matched[sel[keep[k]!]!] = 1;
          out = keep.length === m ? out : takeBatch(out, keep);
        } else if (matched) for (let k = 0; k < m; k++) matched[sel[k]!] = 1;
        lIdx.clear();
        parts = [];
        pending = 0;
        return out.length > 0 ? out : null;
      };

      for (let i = 0; i < n; i++) {
        const slots = slotVecs.map((v) => getValue(v, i));
        let results: Batch[];
        if (memoize && prevSlots !== null && sameSlots(prevSlots, slots)) results = prevRight;
        else {
          results = [];
          for (const b of right({ ...ctx, correlated: slots })) if (b.length > 0) results.push(b);
          prevSlots = slots;
          prevRight = results;
        }
        for (const rb of results) {
          for (let k = 0; k < rb.length; k++) lIdx.push(i);
          parts.push(rb);
          pending += rb.length;
        }
        if (pending >= BATCH_ROWS) {
          const out = flush();
          if (out) yield out;
        }
      }
      const out = flush();
      if (out) yield out;

      if (matched) {
        const sel = new Int32Array(n);
        let k = 0;
        for (let i = 0; i < n; i++) if (!matched[i]) sel[k++] = i;
        if (k > 0) {
          const rows = k === n ? lb : takeBatch(lb, sel, k);
          yield { length: k, columns: [...rows.columns, ...nullColumns(rightTypes, k)] };
        }
      }
    }
  };
}

function sameSlots(a: Value[], b: Value[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    if (x === null || y === null) { if (x !== y) return false; }
    else if (!valuesEqual(x, y)) return false;
  }
  return true;
}
