/**
 * A plan fragment: what one data node runs for a query, as plain data —
 * scan of its chunks → filter → project → aggregate (full or partial) →
 * sort → limit. Expressions are ExprNodes over the scanned columns (filter,
 * project), then over the previous stage's output.
 */
import type { ExprNode, EvalContext } from '../expr/expr.js';
import type { Batch } from '../vector.js';
import type { TableVersion } from '../table/index.js';
import type { BatchStats } from '../table/index.js';
import { filterOp, projectOp, hashAggregateOp, sortOp, limitOp, firstPerGroupOp } from '../ops/index.js';
import type { AggCallSpec, BatchSource, SortKeySpec } from '../ops/index.js';
import { batchesOf } from '../ops/index.js';
import { getValue } from '../vector.js';
import { checkDeadline } from '../expr/deadline.js';
import { hashJoinOp } from '../ops/join/hash-join.js';
import type { SqlType } from '../types/sql-type.js';
import { scanRestriction } from './scan-restriction.js';

export interface FragmentSpec {
  /** storage column ids scanned from every chunk */
  columnIds: number[];
  filter?: ExprNode;
  project?: ExprNode[];
  /**
   * Hash join with a small table shipped to every node (the rows come with
   * the fragment); its output is the stage's columns then the shipped table's.
   */
  join?: {
    type: 'inner' | 'left';
    rows: Batch[];
    leftTypes: SqlType[];
    rightTypes: SqlType[];
    leftKeys: ExprNode[];
    rightKeys: ExprNode[];
    residual?: ExprNode;
  };
  aggregate?: { groupBy: ExprNode[]; aggregates: AggCallSpec[]; mode: 'full' | 'partial' };
  /** DISTINCT ON pre-reduction: first row per group of `on` columns in `order` order */
  firstPerGroup?: { on: number[]; order: SortKeySpec[] };
  sort?: SortKeySpec[];
  /** rows to keep after sort (top-N), or to stop after without sort */
  limit?: number;
  /**
   * The sort's first key is the time column (stage output index `column`):
   * chunks arrive in that order and the node stops once the next chunk's time
   * range cannot improve its top-N.
   */
  timeOrder?: { column: number; desc: boolean };
}

export interface FragmentChunk {
  /** the chunk's data as this statement sees it */
  version: TableVersion;
  /** batch-level exclusion from per-batch statistics (min/max) */
  skip?: (stats: BatchStats) => boolean;
  /** the chunk's time range [timeStart, timeEnd) in the time column's units (for timeOrder) */
  timeStart?: number;
  timeEnd?: number;
}

/** Run a fragment over this node's chunks. */
export function fragmentSource(spec: FragmentSpec, chunks: readonly FragmentChunk[]): BatchSource {
  if (spec.timeOrder && spec.sort && spec.limit !== undefined && !spec.aggregate && !spec.join && !spec.firstPerGroup) {
    return timeOrderedTopN(spec, chunks);
  }
  const restriction = scanRestriction(spec.filter, spec.columnIds);
  let source: BatchSource = function* scan(ctx): Iterable<Batch> {
    const equalsAny = restriction?.values(ctx);
    for (const c of chunks) {
      for (const sb of c.version.scan(spec.columnIds, { skip: c.skip, equalsAny })) {
        checkDeadline(ctx);
        if (sb.batch.length > 0) yield sb.batch;
      }
    }
  };
  if (spec.filter) source = filterOp(source, spec.filter);
  if (spec.project) source = projectOp(source, spec.project);
  if (spec.join) {
    const j = spec.join;
    source = hashJoinOp(source, batchesOf(j.rows), { type: j.type, leftTypes: j.leftTypes, rightTypes: j.rightTypes, leftKeys: j.leftKeys, rightKeys: j.rightKeys, residual: j.residual });
  }
  if (spec.firstPerGroup) source = firstPerGroupOp(source, spec.firstPerGroup.on, spec.firstPerGroup.order);
  if (spec.aggregate) source = hashAggregateOp(source, { groupBy: spec.aggregate.groupBy, aggregates: spec.aggregate.aggregates, mode: spec.aggregate.mode });
  if (spec.sort) source = sortOp(source, spec.sort, spec.limit);
  if (spec.limit !== undefined) source = limitOp(source, spec.limit, 0);
  return source;
}

/** Statistics a node reports back with its rows (EXPLAIN ANALYZE). */
export interface FragmentRun {
  node: string;
  rows: number;
  millis: number;
}

export function runFragment(spec: FragmentSpec, chunks: readonly FragmentChunk[], ctx: EvalContext): Batch[] {
  return [...fragmentSource(spec, chunks)(ctx)];
}

/**
 * ORDER BY time [DESC] LIMIT n over chunks given in time order: keep a running
 * top-n and stop at the first chunk whose range lies entirely after (before,
 * for DESC) the n-th row's time — no row there can enter the top-n.
 */
function timeOrderedTopN(spec: FragmentSpec, chunks: readonly FragmentChunk[]): BatchSource {
  const limit = spec.limit!;
  const { column, desc } = spec.timeOrder!;
  const perChunk = (c: FragmentChunk): FragmentSpec => ({ ...spec, timeOrder: undefined });
  return function* (ctx) {
    let best: Batch[] = [];
    let count = 0;
    for (const c of chunks) {
      if (count >= limit && c.timeStart !== undefined && c.timeEnd !== undefined) {
        const last = best[best.length - 1]!;
        const nth = getValue(last.columns[column]!, last.length - 1);
        if (typeof nth === 'number' && (desc ? c.timeEnd <= nth : c.timeStart > nth)) break;
      }
      const rows = [...fragmentSource(perChunk(c), [c])(ctx)];
      if (rows.length === 0) continue;
      best = [...sortOp(batchesOf([...best, ...rows]), spec.sort!, limit)(ctx)].filter((b) => b.length > 0);
      best = [...limitOp(batchesOf(best), limit, 0)(ctx)];
      count = best.reduce((n, b) => n + b.length, 0);
    }
    yield* best;
  };
}
