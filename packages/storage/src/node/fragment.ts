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
import { hashJoinOp } from '../ops/join/hash-join.js';
import type { SqlType } from '../types/sql-type.js';

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
}

export interface FragmentChunk {
  /** the chunk's data as this statement sees it */
  version: TableVersion;
  /** batch-level exclusion from per-batch statistics (min/max) */
  skip?: (stats: BatchStats) => boolean;
}

/** Run a fragment over this node's chunks. */
export function fragmentSource(spec: FragmentSpec, chunks: readonly FragmentChunk[]): BatchSource {
  let source: BatchSource = function* scan(): Iterable<Batch> {
    for (const c of chunks) {
      for (const sb of c.version.scan(spec.columnIds, c.skip ? { skip: c.skip } : undefined)) {
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
