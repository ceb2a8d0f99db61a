/**
 * Equi-join by hashing: build a KeyTable over the right side's key tuples
 * (chained so duplicates keep their input order), then probe with each left
 * batch. Pairs are produced into fixed-size index buffers and turned into
 * output batches with takeVector, so a key with many duplicates never builds
 * an oversized batch.
 */
import type { SqlType } from '../../types/sql-type.js';
import type { Batch } from '../../vector.js';
import type { EvalContext, ExprNode } from '../../expr/expr.js';
import { takeVector } from '../../vector.js';
import { compileExpr } from '../../expr/compile.js';
import { checkDeadline } from '../../expr/deadline.js';
import { BATCH_ROWS, type BatchSource, type JoinType } from './types.js';
import { chunks, drain, nullColumns, nullKeyMask, pairBatch, referencedColumns, selectTrue, takeBatch } from './batch.js';
import { hashRows, KeyTable } from './keys.js';

export interface HashJoinSpec {
  type: JoinType;
  leftTypes: SqlType[];
  rightTypes: SqlType[];
  /** Over the left row; already cast to the common comparison type. */
  leftKeys: ExprNode[];
  /** Over the right row; same types as leftKeys. */
  rightKeys: ExprNode[];
  /** Over the concatenated row (left columns 0..L-1, right L..L+R-1). */
  residual?: ExprNode;
  /** Per key: IS NOT DISTINCT FROM (NULL matches NULL). */
  nullSafe?: boolean[];
}

interface BuildSide {
  batch: Batch;
  table: KeyTable;
  head: Int32Array;
  next: Int32Array;
}

export function hashJoinOp(left: BatchSource, right: BatchSource, spec: HashJoinSpec): BatchSource {
  if (spec.leftKeys.length !== spec.rightKeys.length) throw new Error('hashJoinOp: key count mismatch');
  const lk = spec.leftKeys.map(compileExpr);
  const rk = spec.rightKeys.map(compileExpr);
  const residual = spec.residual ? compileExpr(spec.residual) : null;
  const needed = spec.residual ? referencedColumns(spec.residual) : null;
  const { type, leftTypes, rightTypes } = spec;

  function build(ctx: EvalContext): BuildSide {
    const batch = drain(rightTypes, right(ctx));
    const n = batch.length;
    const table = new KeyTable();
    const keys = rk.map((f) => f(batch, ctx));
    const ids = n > 0 ? table.insert(keys, n) : new Int32Array(0);
    const skip = nullKeyMask(keys, spec.nullSafe, n);
    const head = new Int32Array(table.size).fill(-1);
    const next = new Int32Array(n).fill(-1);
    for (let r = n - 1; r >= 0; r--) {
      if (skip !== null && skip[r] === 1) continue;
      const g = ids[r]!;
      next[r] = head[g]!;
      head[g] = r;
    }
    return { batch, table, head, next };
  }

  return function* hashJoin(ctx: EvalContext): Generator<Batch> {
    const bs = build(ctx);
    const R = bs.batch.length;
    const rightMatched = type === 'right' || type === 'full' ? new Uint8Array(R) : null;
    const lBuf = new Int32Array(BATCH_ROWS);
    const rBuf = new Int32Array(BATCH_ROWS);

    for (const lb of left(ctx)) {
      const n = lb.length;
      if (n === 0) continue;
      if (R === 0) {
        if (type === 'left' || type === 'full') yield* chunks({ length: n, columns: [...lb.columns, ...nullColumns(rightTypes, n)] });
        else if (type === 'anti') yield* chunks(lb);
        continue;
      }
      const keys = lk.map((f) => f(lb, ctx));
      const gid = bs.table.lookup(keys, n, hashRows(keys, n, null), nullKeyMask(keys, spec.nullSafe, n));

      if (!residual && (type === 'semi' || type === 'anti')) {
        const want = type === 'semi';
        const sel = new Int32Array(n);
        let k = 0;
        for (let i = 0; i < n; i++) if ((gid[i]! >= 0) === want) sel[k++] = i;
        if (k === n) yield* chunks(lb);
        else if (k > 0) yield* chunks(takeBatch(lb, sel, k));
        continue;
      }

      const leftMatched = type === 'inner' || type === 'right' ? null : new Uint8Array(n);
      const emitPairs = type !== 'semi' && type !== 'anti';
      let count = 0;
      const flush = (): Batch | null => {
        // a key with many matches yields millions of pairs per left batch: check per pair batch
        checkDeadline(ctx);
        let lSel = lBuf, rSel = rBuf, m = count;
        count = 0;
        if (residual) {
          const pb = pairBatch(lb, bs.batch, lBuf, rBuf, m, leftTypes, rightTypes, needed);
          const keep = selectTrue(residual, pb, ctx);
          m = keep.length;
          lSel = new Int32Array(m);
          rSel = new Int32Array(m);
          for (let k = 0; k < m; k++) { lSel[k] = lBuf[keep[k]!]!; rSel[k] = rBuf[keep[k]!]!; }
        }
        if (leftMatched) for (let k = 0; k < m; k++) leftMatched[lSel[k]!] = 1;
        if (rightMatched) for (let k = 0; k < m; k++) rightMatched[rSel[k]!] = 1;
        if (!emitPairs || m === 0) return null;
        return {
          length: m,
          columns: [...lb.columns.map((c) => takeVector(c, lSel, m)), ...bs.batch.columns.map((c) => takeVector(c, rSel, m))],
        };
      };

      const { head, next } = bs;
      for (let i = 0; i < n; i++) {
        const g = gid[i]!;
        if (g < 0) continue;
        for (let r = head[g]!; r >= 0; r = next[r]!) {
          lBuf[count] = i;
          rBuf[count] = r;
          if (++count === BATCH_ROWS) {
            const out = flush();
            if (out) yield out;
          }
        }
      }
      if (count > 0) {
        const out = flush();
        if (out) yield out;
      }

      if (leftMatched) {
        const wantMatched = type === 'semi';
        const sel = new Int32Array(n);
        let k = 0;
        for (let i = 0; i < n; i++) if ((leftMatched[i] === 1) === wantMatched) sel[k++] = i;
        if (k === 0) continue;
        const rows = k === n ? lb : takeBatch(lb, sel, k);
        if (type === 'left' || type === 'full') yield* chunks({ length: k, columns: [...rows.columns, ...nullColumns(rightTypes, k)] });
        else yield* chunks(rows);
      }
    }

    if (rightMatched) {
      const sel = new Int32Array(R);
      let k = 0;
      for (let r = 0; r < R; r++) if (rightMatched[r] === 0) sel[k++] = r;
      if (k > 0) {
        const rows = takeBatch(bs.batch, sel, k);
        yield* chunks({ length: k, columns: [...nullColumns(leftTypes, k), ...rows.columns] });
      }
    }
  };
}
