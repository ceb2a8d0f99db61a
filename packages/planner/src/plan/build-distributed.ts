/**
 * Executing a DataNodeScan: exclude chunks for this execution's parameters,
 * group the surviving chunks by the replica node each is read from, run the
 * fragment on every node, and combine on the access node.
 */
import type { EvalContext } from '../../../storage/src/expr/expr.js';
import type { Batch } from '../../../storage/src/vector.js';
import type { BatchStats } from '../../../storage/src/table/index.js';
import { fragmentSource, type FragmentChunk, type FragmentSpec } from '../../../storage/src/node/fragment.js';
import { appendOp, filterOp, hashAggregateOp, type BatchSource } from '../../../storage/src/ops/index.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import type { DistributedScanPlan } from './nodes.js';
import type { ExecEnv } from './build.js';
import { survivingChunks, timeWindow } from './chunk-exclusion.js';
import { readReplica, scanHypertable } from './hypertable-scan.js';
import type { ChunkInfo } from '../catalog/hypertable.js';
import { openDimension } from '../catalog/hypertable.js';
import { buildPlan } from './build.js';

function stageTypes(plan: DistributedScanPlan) {
  return plan.project ? plan.project.map((e) => e.type) : plan.columnIds.map((id) => plan.table.store!.columns.find((c) => c.id === id)!.type);
}

function joinSpec(plan: DistributedScanPlan): Omit<NonNullable<FragmentSpec['join']>, 'rows'> {
  const j = plan.join!;
  return { type: j.type, leftTypes: stageTypes(plan), rightTypes: j.right.types, leftKeys: j.leftKeys, rightKeys: j.rightKeys, residual: j.residual };
}

/** ORDER BY <time column> [DESC] … LIMIT: the stage-output index of the time column, when values are in chunk-range units. */
export function timeOrderOf(plan: DistributedScanPlan): { column: number; desc: boolean } | undefined {
  const first = plan.sort?.[0];
  if (!first || plan.limit === undefined || plan.aggregate || plan.join || plan.firstPerGroup || first.expr.k !== 'col') return undefined;
  const open = openDimension(plan.table.hypertable!);
  const timeType = plan.table.columns.find((c) => c.id === open.columnId)?.type.id;
  if (timeType === 'date') return undefined;
  const scanIdx = plan.columnIds.indexOf(open.columnId);
  const out = first.expr.index;
  const isTime = plan.project ? plan.project[out]?.k === 'col' && (plan.project[out] as { index: number }).index === scanIdx : out === scanIdx;
  return isTime ? { column: out, desc: first.desc } : undefined;
}

export function fragmentOf(plan: DistributedScanPlan): FragmentSpec {
  return {
    timeOrder: timeOrderOf(plan),
    columnIds: plan.columnIds,
    filter: plan.filter,
    project: plan.project,
    aggregate: plan.aggregate
      ? {
          groupBy: plan.aggregate.groupBy,
          aggregates: plan.aggregate.aggs.map((a) => ({ agg: a.agg, args: a.args, distinct: a.distinct, filter: a.filter, orderBy: a.orderBy, directArgs: a.directArgs })),
          mode: plan.aggregate.mode,
        }
      : undefined,
    firstPerGroup: plan.firstPerGroup,
    sort: plan.sort,
    limit: plan.limit,
  };
}

/** Chunks per reading node, in node order of first appearance. */
export function chunksByNode(plan: DistributedScanPlan, env: { catalog: ExecEnv['catalog'] }, ctx: EvalContext | null, window = timeWindow(plan.exclusion, ctx)): Map<string, ChunkInfo[]> {
  const byNode = new Map<string, ChunkInfo[]>();
  for (const c of survivingChunks(plan.table, plan.exclusion, ctx, window)) {
    const { node } = readReplica(env.catalog, c);
    let l = byNode.get(node);
    if (!l) byNode.set(node, (l = []));
    l.push(c);
  }
  return byNode;
}

/** Skip sealed batches whose time min/max lies outside this execution's time window. */
function batchSkipper(plan: DistributedScanPlan, window: ReturnType<typeof timeWindow>): ((s: BatchStats) => boolean) | undefined {
  if (window === null || window === 'empty' || plan.exclusion.time.length === 0) return undefined;
  const timeId = openDimension(plan.table.hypertable!).columnId;
  const { lo, hi } = window;
  return (s) => {
    const c = s.column(timeId);
    if (!c || typeof c.min !== 'number' || typeof c.max !== 'number') return false;
    return c.max < lo || c.min > hi;
  };
}

export function buildDistributedScan(plan: DistributedScanPlan, env: ExecEnv): BatchSource {
  if (plan.withRowId) {
    // UPDATE / DELETE read through the access node with chunk-qualified row ids
    const scan: BatchSource = (ctx) => scanHypertable(env.catalog, plan.table, survivingChunks(plan.table, plan.exclusion, ctx), (s) => env.tables.read(s), plan.columnIds, true, ctx);
    return plan.filter ? filterOp(scan, plan.filter) : scan;
  }
  const baseSpec = fragmentOf(plan);
  const shipped = plan.join ? buildPlan(plan.join.right, env) : null;
  const nodeSources = (ctx: EvalContext): BatchSource[] => {
    const window = timeWindow(plan.exclusion, ctx);
    const skip = batchSkipper(plan, window);
    // the small side of a broadcast join is computed once per execution and shipped to every node
    const spec = shipped && plan.join ? { ...baseSpec, join: { ...joinSpec(plan), rows: [...shipped(ctx)] } } : baseSpec;
    const out: BatchSource[] = [];
    const order = spec.timeOrder;
    for (const [node, unordered] of chunksByNode(plan, env, ctx, window)) {
      // chunks may overlap after set_chunk_time_interval: DESC orders by range end, ASC by range start,
      // so that the stop rule (next range cannot beat the n-th row) also holds for every later chunk
      const chunks = order ? [...unordered].sort((a, b) => (order.desc ? b.timeEnd - a.timeEnd : a.timeStart - b.timeStart)) : unordered;
      const fchunks: FragmentChunk[] = chunks.map((c) => ({ version: env.tables.read(c.stores.get(node)!), skip, timeStart: c.timeStart, timeEnd: c.timeEnd }));
      const src = fragmentSource(spec, fchunks);
      const observe = env.onFragmentRows;
      out.push(observe ? function* counted(c: EvalContext) {
        let n = 0;
        let ms = 0;
        const it = src(c)[Symbol.iterator]();
        for (;;) {
          const t0 = performance.now();
          const r = it.next();
          ms += performance.now() - t0;
          if (r.done) break;
          n += r.value.length;
          yield r.value;
        }
        observe(node, n, ms);
      } : src);
    }
    return out;
  };
  if (plan.combine === 'finalize') {
    // the partial output is the group keys then one state column per aggregate
    const keyCols: ExprNode[] = plan.aggregate!.groupBy.map((g, i) => ({ k: 'col', type: g.type, index: i }));
    return (ctx) => {
      const partials = appendOp(nodeSources(ctx));
      return hashAggregateOp(partials, { groupBy: keyCols, aggregates: baseSpec.aggregate!.aggregates, mode: 'final' })(ctx);
    };
  }
  return (ctx) => appendOp(nodeSources(ctx))(ctx) as Iterable<Batch>;
}
