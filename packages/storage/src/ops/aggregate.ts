/**
 * Hash aggregation: GroupIdMapper assigns dense group ids per batch, the
 * accumulators update typed per-group state. Without GROUP BY every row is in
 * group 0 and the accumulators get their "single group" marker (empty groupIds).
 *
 * Partial / final split (two-phase aggregation across data nodes):
 *  - partial emits the group keys, then per aggregate one ObjectVector of
 *    PartialState cells. The accumulator serialises as a whole, once; every
 *    cell of that aggregate references the same serialised object and names
 *    its group inside it. A transport must keep that sharing (encode each
 *    distinct `state` once), which also keeps the cost O(state), not O(groups²).
 *  - final re-groups the keys of all incoming rows, builds per distinct state
 *    object a map (its group → final group), then deserialises each state once
 *    and combines it with that map. Every group of a partial state is expected
 *    to arrive (final consumes whole partial outputs).
 */
import type { Value } from '../types/values.js';
import { T } from '../types/sql-type.js';
import type { Vector } from '../vector.js';
import type { ExprNode } from '../expr/expr.js';
import { compileExprs, compilePredicate } from '../expr/compile.js';
import { GroupIdMapper } from '../kernels/group-ids.js';
import type { AccumulatorOptions, GroupedAccumulator, ResolvedAggregate } from './agg-deps.js';
import { createAccumulator, deserializeAccumulator } from './agg-deps.js';
import type { BatchSource } from './source.js';
import { chunked } from './source.js';

export interface AggCallSpec {
  agg: ResolvedAggregate;
  args: ExprNode[];
  distinct: boolean;
  filter?: ExprNode;
  orderBy?: { expr: ExprNode; desc: boolean; nullsFirst: boolean }[];
  directArgs?: Value[];
}

export interface HashAggregateSpec {
  groupBy: readonly ExprNode[];
  aggregates: readonly AggCallSpec[];
  mode: 'full' | 'partial' | 'final';
}

/** One cell of a partial-aggregate state column. */
export interface PartialState {
  /** the accumulator's serialize() output, shared by all cells of one partial run */
  readonly state: unknown;
  readonly group: number;
  readonly groupCount: number;
}

export const PARTIAL_STATE_TYPE = T.record;

export function isPartialState(v: unknown): v is PartialState {
  return typeof v === 'object' && v !== null && 'state' in v && 'group' in v && 'groupCount' in v;
}

export function accumulatorOptions(a: AggCallSpec): AccumulatorOptions {
  const ob = a.orderBy ?? [];
  return {
    distinct: a.distinct,
    ...(ob.length > 0
      ? { orderByTypes: ob.map((o) => o.expr.type), orderByDesc: ob.map((o) => o.desc), orderByNullsFirst: ob.map((o) => o.nullsFirst) }
      : {}),
    ...(a.directArgs !== undefined ? { directArgs: a.directArgs } : {}),
  };
}

const ALL_IN_GROUP_0 = new Int32Array(0);

export function hashAggregateOp(input: BatchSource, spec: HashAggregateSpec): BatchSource {
  const { groupBy, aggregates, mode } = spec;
  const nk = groupBy.length;
  const evalKeys = compileExprs(groupBy);
  const calls = aggregates.map((a) => ({
    spec: a,
    opts: accumulatorOptions(a),
    // the accumulator takes its inputs followed by the ORDER BY keys
    args: compileExprs([...a.args, ...(a.orderBy ?? []).map((o) => o.expr)]),
    filter: a.filter !== undefined ? compilePredicate(a.filter) : null,
  }));
  return function* (ctx) {
    const mapper = nk > 0 ? new GroupIdMapper() : null;
    const accs: GroupedAccumulator[] = calls.map((c) => createAccumulator(c.spec.agg, c.opts));
    if (mode === 'final') {
      const maps = calls.map(() => new Map<unknown, Int32Array>());
      for (const b of input(ctx)) {
        const n = b.length;
        if (n === 0) continue;
        const gids = mapper !== null ? mapper.map(b.columns.slice(0, nk), n) : null;
        for (let a = 0; a < calls.length; a++) {
          const col = b.columns[nk + a]!;
          if (col.tag !== 'object') throw new Error('hashAggregateOp(final): state column is not an object vector');
          const m = maps[a]!;
          for (let i = 0; i < n; i++) {
            const cell = col.values[i] as unknown;
            if (!isPartialState(cell)) continue;
            let gm = m.get(cell.state);
            if (gm === undefined) {
              gm = new Int32Array(cell.groupCount).fill(-1);
              m.set(cell.state, gm);
            }
            gm[cell.group] = gids === null ? 0 : gids[i]!;
          }
        }
      }
      for (let a = 0; a < calls.length; a++)
        for (const [state, gm] of maps[a]!) accs[a]!.combine(deserializeAccumulator(calls[a]!.spec.agg, calls[a]!.opts, state), gm);
    } else {
      for (const b of input(ctx)) {
        const n = b.length;
        if (n === 0) continue;
        const gids = mapper !== null ? mapper.map(evalKeys(b, ctx), n) : ALL_IN_GROUP_0;
        for (let a = 0; a < calls.length; a++) {
          const c = calls[a]!;
          const args = c.args(b, ctx);
          let g = gids;
          if (c.filter !== null) {
            const sel = c.filter(b, ctx);
            if (sel.length < n) {
              g = new Int32Array(n).fill(-1);
              if (gids.length === 0) for (let j = 0; j < sel.length; j++) g[sel[j]!] = 0;
              else for (let j = 0; j < sel.length; j++) g[sel[j]!] = gids[sel[j]!]!;
            }
          }
          accs[a]!.update(g, args, n);
        }
      }
    }
    const groupCount = mapper !== null ? mapper.groupCount : 1;
    if (groupCount === 0) return;
    const keyCols = mapper !== null ? mapper.keys() : [];
    const aggCols: Vector[] = accs.map((acc) => (mode === 'partial' ? stateColumn(acc.serialize(), groupCount) : acc.finalize(groupCount)));
    yield* chunked([...keyCols, ...aggCols], groupCount);
  };
}

function stateColumn(state: unknown, groupCount: number): Vector {
  const values = new Array<Value>(groupCount);
  for (let g = 0; g < groupCount; g++) values[g] = { state, group: g, groupCount } as unknown as Value;
  return { tag: 'object', type: PARTIAL_STATE_TYPE, length: groupCount, values };
}
