/**
 * Nested-loop join for conditions a hash join cannot use (inequalities, OR,
 * cross joins). The right side is materialised once per execution; each left
 * batch is paired with a block of right rows sized so that the pair batch
 * stays ≤ BATCH_ROWS, and the condition is evaluated vectorized on it.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { Batch } from '../../../storage/src/vector.js';
import { takeVector } from '../../../storage/src/vector.js';
import type { EvalContext, ExprNode } from '../../../storage/src/expr/expr.js';
import { checkDeadline } from '../../../storage/src/expr/deadline.js';
import { compileExpr } from './deps.js';
import { BATCH_ROWS, type BatchSource, type JoinType } from './types.js';
import { chunks, drain, nullColumns, pairBatch, referencedColumns, selectTrue, takeBatch } from './batch.js';

export interface NestedLoopJoinSpec {
  type: JoinType;
  leftTypes: SqlType[];
  rightTypes: SqlType[];
  /** Over the concatenated row; absent = cross join (every pair matches). */
  condition?: ExprNode;
}

export function nestedLoopJoinOp(left: BatchSource, right: BatchSource, spec: NestedLoopJoinSpec): BatchSource {
  const cond = spec.condition ? compileExpr(spec.condition) : null;
  const needed = spec.condition ? referencedColumns(spec.condition) : null;
  const { type, leftTypes, rightTypes } = spec;

  return function* nestedLoop(ctx: EvalContext): Generator<Batch> {
    const rb = drain(rightTypes, right(ctx));
    const R = rb.length;
    const rightMatched = type === 'right' || type === 'full' ? new Uint8Array(R) : null;
    const emitPairs = type !== 'semi' && type !== 'anti';

    for (const lbIn of left(ctx)) {
      if (lbIn.length === 0) continue;
      // Bound the left slice too, so one pair batch never exceeds BATCH_ROWS.
      for (const lb of chunks(lbIn, BATCH_ROWS)) {
        const n = lb.length;
        const leftMatched = type === 'inner' || type === 'right' ? null : new Uint8Array(n);
        if (R > 0) {
          const block = Math.max(1, Math.floor(BATCH_ROWS / n));
          const lIdx = new Int32Array(n * Math.min(block, R));
          const rIdx = new Int32Array(lIdx.length);
          for (let r0 = 0; r0 < R; r0 += block) {
            // n × R pairs can take long without reaching a scan: check per pair block
            checkDeadline(ctx);
            const r1 = Math.min(R, r0 + block);
            let m = 0;
            for (let i = 0; i < n; i++) {
              if (!emitPairs && leftMatched![i] === 1) continue; // semi/anti: already decided
              for (let r = r0; r < r1; r++) { lIdx[m] = i; rIdx[m] = r; m++; }
            }
            if (m === 0) continue;
            let lSel: Int32Array = lIdx, rSel: Int32Array = rIdx;
            if (cond) {
              const pb = pairBatch(lb, rb, lIdx, rIdx, m, leftTypes, rightTypes, needed);
              const keep = selectTrue(cond, pb, ctx);
              const k = keep.length;
              lSel = new Int32Array(k);
              rSel = new Int32Array(k);
              for (let j = 0; j < k; j++) { lSel[j] = lIdx[keep[j]!]!; rSel[j] = rIdx[keep[j]!]!; }
              m = k;
            }
            if (leftMatched) for (let j = 0; j < m; j++) leftMatched[lSel[j]!] = 1;
            if (rightMatched) for (let j = 0; j < m; j++) rightMatched[rSel[j]!] = 1;
            if (emitPairs && m > 0) {
              yield {
                length: m,
                columns: [...lb.columns.map((c) => takeVector(c, lSel, m)), ...rb.columns.map((c) => takeVector(c, rSel, m))],
              };
            }
          }
        }
        if (leftMatched) {
          const want = type === 'semi';
          const sel = new Int32Array(n);
          let k = 0;
          for (let i = 0; i < n; i++) if ((leftMatched[i] === 1) === want) sel[k++] = i;
          if (k === 0) continue;
          const rows = k === n ? lb : takeBatch(lb, sel, k);
          if (type === 'left' || type === 'full') yield { length: k, columns: [...rows.columns, ...nullColumns(rightTypes, k)] };
          else yield rows;
        }
      }
    }

    if (rightMatched) {
      const sel = new Int32Array(R);
      let k = 0;
      for (let r = 0; r < R; r++) if (rightMatched[r] === 0) sel[k++] = r;
      if (k > 0) {
        const rows = takeBatch(rb, sel, k);
        yield* chunks({ length: k, columns: [...nullColumns(leftTypes, k), ...rows.columns] });
      }
    }
  };
}
