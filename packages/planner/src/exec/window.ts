/**
 * Window functions. The input is materialised, sorted once by
 * (partition keys, order keys), and every call is computed over the sorted
 * rows with PostgreSQL semantics. Output = input columns then one column per
 * call, in the sorted order; the planner adds a final ORDER BY if the query
 * asks for one. Calls needing a different window go into a separate windowOp
 * stacked on this one.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { Batch, Vector } from '../../../storage/src/vector.js';
import { takeVector } from '../../../storage/src/vector.js';
import type { EvalContext, ExprNode } from '../../../storage/src/expr/expr.js';
import { checkDeadline } from '../../../storage/src/expr/deadline.js';
import { compileExpr } from './deps.js';
import type { BatchSource } from './types.js';
import { chunks, drain } from './batch.js';
import { sortIndices } from '../../../storage/src/kernels/sort.js';
import { makeRowComparator } from '../../../storage/src/kernels/compare.js';
import { validateFrame, type PartitionLayout, type RangeKey } from './window-frame.js';
import { evaluateWindowCall, type WindowCallSpec } from './window-functions.js';

export type { WindowCallSpec } from './window-functions.js';
export type { FrameSpec, FrameBound, BoundKind } from './window-frame.js';
export { DEFAULT_FRAME } from './window-frame.js';

export interface WindowSpec {
  partitionBy: ExprNode[];
  orderBy: { expr: ExprNode; desc: boolean; nullsFirst: boolean }[];
  calls: WindowCallSpec[];
  inputTypes: SqlType[];
}

export function windowOp(input: BatchSource, spec: WindowSpec): BatchSource {
  for (const c of spec.calls) validateFrame(c.frame);
  const partKeys = spec.partitionBy.map(compileExpr);
  const orderKeys = spec.orderBy.map((o) => compileExpr(o.expr));
  const calls = spec.calls.map((c) => ({ spec: c, args: c.args.map(compileExpr), filter: c.filter ? compileExpr(c.filter) : null }));
  const desc = [...spec.partitionBy.map(() => false), ...spec.orderBy.map((o) => o.desc)];
  const nullsFirst = [...spec.partitionBy.map(() => false), ...spec.orderBy.map((o) => o.nullsFirst)];

  return function* window(ctx: EvalContext): Generator<Batch> {
    const all = drain(spec.inputTypes, input(ctx));
    const n = all.length;
    if (n === 0) return;
    const keys = [...partKeys.map((f) => f(all, ctx)), ...orderKeys.map((f) => f(all, ctx))];
    const perm = sortIndices(keys, desc, nullsFirst, n, () => checkDeadline(ctx));
    const sorted: Batch = { length: n, columns: all.columns.map((c) => takeVector(c, perm, n)) };
    const sortedKeys = keys.map((k) => takeVector(k, perm, n));
    const layout = partitionLayout(sortedKeys, partKeys.length, desc, nullsFirst, n);
    const rangeKey: RangeKey | null = spec.orderBy.length === 1
      ? { vector: sortedKeys[partKeys.length]!, desc: spec.orderBy[0]!.desc, nullsFirst: spec.orderBy[0]!.nullsFirst, timeZone: ctx.settings.timeZone }
      : null;
    const winput = { batch: sorted, layout, rangeKey, hasOrderBy: spec.orderBy.length > 0, ctx };
    const results: Vector[] = calls.map((c) => {
      checkDeadline(ctx);
      return evaluateWindowCall(c.spec, c.args, c.filter, winput);
    });
    yield* chunks({ length: n, columns: [...sorted.columns, ...results] });
  };
}

/** Partition and peer-group boundaries from adjacent-row comparisons of the sorted keys. */
function partitionLayout(sortedKeys: Vector[], nPart: number, desc: boolean[], nullsFirst: boolean[], n: number): PartitionLayout {
  // separate comparators: a partition-key change starts a partition, any change starts a peer group
  const partCmp = nPart > 0 ? makeRowComparator(sortedKeys.slice(0, nPart), desc.slice(0, nPart), nullsFirst.slice(0, nPart)) : null;
  const orderCmp = sortedKeys.length > nPart ? makeRowComparator(sortedKeys.slice(nPart), desc.slice(nPart), nullsFirst.slice(nPart)) : null;
  const partOf = new Int32Array(n);
  const peerOf = new Int32Array(n);
  const partStarts: number[] = [0];
  const peerStarts: number[] = [0];
  for (let i = 1; i < n; i++) {
    const newPart = partCmp !== null && partCmp(i - 1, i) !== 0;
    const newPeer = newPart || (orderCmp !== null && orderCmp(i - 1, i) !== 0);
    if (newPart) partStarts.push(i);
    if (newPeer) peerStarts.push(i);
    partOf[i] = partStarts.length - 1;
    peerOf[i] = peerStarts.length - 1;
  }
  partStarts.push(n);
  peerStarts.push(n);
  return { n, partOf, partStarts: Int32Array.from(partStarts), peerOf, peerStarts: Int32Array.from(peerStarts) };
}
