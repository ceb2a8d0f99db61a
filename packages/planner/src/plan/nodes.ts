/**
 * Logical/physical plan nodes produced by the binder and optimizer, built into
 * batch sources by plan/build.ts and printed by plan/explain.ts. Every node
 * knows its output column types; names live in the binder's scopes.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import type { ResolvedAggregate } from '../../../storage/src/aggregates/index.js';
import type { TableInfo } from '../catalog/catalog.js';
import type { WindowCallSpec, JoinType } from '../exec/index.js';

export interface SortKey {
  expr: ExprNode;
  desc: boolean;
  nullsFirst: boolean;
}

export interface AggCall {
  agg: ResolvedAggregate;
  name: string;
  args: ExprNode[];
  distinct: boolean;
  filter?: ExprNode;
  orderBy?: SortKey[];
  directArgs?: Value[];
}

export type PlanNode =
  | ScanPlan
  | ValuesPlan
  | SinglePlan
  | FunctionScanPlan
  | FilterPlan
  | ProjectPlan
  | AggregatePlan
  | WindowPlan
  | SortPlan
  | LimitPlan
  | DistinctPlan
  | JoinPlan
  | SetOpPlan
  | CteRefPlan
  | RecursiveCtePlan
  | WorkTablePlan
  | RowsPlan
  | DistributedScanPlan
  | FirstPerGroupPlan
  | GapfillPlan;

/** DISTINCT ON without a sort: the first row per `on` group in `order` order. */
export interface FirstPerGroupPlan extends Base {
  op: 'firstpergroup';
  input: PlanNode;
  on: number[];
  order: SortKey[];
}

interface Base {
  readonly types: SqlType[];
}

export interface ScanPlan extends Base {
  op: 'scan';
  table: TableInfo;
  /** storage column ids to read, in output order */
  columnIds: number[];
  /** append the storage row id as a last float8 column (UPDATE / DELETE) */
  withRowId: boolean;
  /** conjunctive predicate over the scanned columns, pushed down by the optimizer */
  filter?: ExprNode;
  alias: string;
}

export interface ValuesPlan extends Base {
  op: 'values';
  rows: ExprNode[][];
}

/** One row with no columns: SELECT without FROM. */
export interface SinglePlan extends Base {
  op: 'single';
}

export interface FunctionScanPlan extends Base {
  op: 'function';
  name: string;
  args: ExprNode[];
  withOrdinality: boolean;
  /** ROWS FROM: functions run in lockstep with this one; `types` lists this one's columns, then theirs */
  zipped?: ZippedFunction[];
}

export interface ZippedFunction {
  name: string;
  args: ExprNode[];
  types: SqlType[];
}

/** The functions a function scan runs, each with its own columns (one, or several for ROWS FROM). */
export function functionScanParts(p: FunctionScanPlan): ZippedFunction[] {
  if (!p.zipped) return [{ name: p.name, args: p.args, types: p.types }];
  const zippedColumns = p.zipped.reduce((n, z) => n + z.types.length, 0);
  return [{ name: p.name, args: p.args, types: p.types.slice(0, p.types.length - zippedColumns) }, ...p.zipped];
}

export interface FilterPlan extends Base {
  op: 'filter';
  input: PlanNode;
  predicate: ExprNode;
}

export interface ProjectPlan extends Base {
  op: 'project';
  input: PlanNode;
  exprs: ExprNode[];
}

export interface AggregatePlan extends Base {
  op: 'aggregate';
  input: PlanNode;
  groupBy: ExprNode[];
  aggs: AggCall[];
}

export interface WindowPlan extends Base {
  op: 'window';
  input: PlanNode;
  partitionBy: ExprNode[];
  orderBy: SortKey[];
  calls: WindowCallSpec[];
}

export interface SortPlan extends Base {
  op: 'sort';
  input: PlanNode;
  keys: SortKey[];
  /** top-N: rows needed (limit + offset) when known */
  limit?: number;
}

export interface LimitPlan extends Base {
  op: 'limit';
  input: PlanNode;
  limit: ExprNode | null;
  offset: ExprNode | null;
}

export interface DistinctPlan extends Base {
  op: 'distinct';
  input: PlanNode;
  /** DISTINCT ON: column indexes; absent = all columns */
  on?: number[];
}

export interface JoinPlan extends Base {
  op: 'join';
  joinType: JoinType | 'cross';
  left: PlanNode;
  right: PlanNode;
  /** over the concatenated row */
  condition?: ExprNode;
  /** equi-join keys extracted by the builder/optimizer */
  leftKeys?: ExprNode[];
  rightKeys?: ExprNode[];
  residual?: ExprNode;
  /** why the distributed planner left this join on the access node (EXPLAIN) */
  cost?: JoinCost;
  /** LATERAL: the right side reads these left columns as correlated slots 0..n-1 */
  lateralColumns?: number[];
}

export interface SetOpPlan extends Base {
  op: 'setop';
  kind: 'union' | 'intersect' | 'except';
  all: boolean;
  left: PlanNode;
  right: PlanNode;
}

/** A reference to a WITH query, materialised once per statement. */
export interface CteRefPlan extends Base {
  op: 'cte';
  name: string;
  cte: CteDef;
}

export interface CteDef {
  name: string;
  plan: PlanNode;
  id: number;
}

export interface RecursiveCtePlan extends Base {
  op: 'recursive';
  name: string;
  nonRecursive: PlanNode;
  recursive: PlanNode;
  all: boolean;
  workTableId: number;
}

export interface WorkTablePlan extends Base {
  op: 'worktable';
  workTableId: number;
}

/** Rows computed before execution (e.g. catalog views, RETURNING output). */
export interface RowsPlan extends Base {
  op: 'rows';
  label: string;
  /** evaluated at execution time (procedures read their arguments from ctx) */
  rows: (ctx: import('../../../storage/src/expr/expr.js').EvalContext) => Value[][];
}

/** Estimated costs of the two ways to join a hypertable with a small table. */
export interface JoinCost {
  chosen: 'broadcast' | 'access node';
  broadcast: number;
  accessNode: number;
  hypertableRows: number;
  smallRows: number;
  nodes: number;
}

export interface SubqueryDef {
  id: number;
  plan: PlanNode;
}

/**
 * A hypertable scan cut at the data-node boundary: each node holding
 * surviving chunks runs the fragment (filter → project → aggregate → sort →
 * limit), the access node combines the streams (append, finalize partial
 * aggregates, or merge top-N).
 */
export interface DistributedScanPlan extends Base {
  op: 'dscan';
  table: TableInfo;
  alias: string;
  /** storage column ids scanned */
  columnIds: number[];
  withRowId: boolean;
  filter?: ExprNode;
  project?: ExprNode[];
  aggregate?: { groupBy: ExprNode[]; aggs: AggCall[]; mode: 'full' | 'partial' };
  sort?: SortKey[];
  limit?: number;
  /** a small table shipped to the nodes and hash-joined there (after project) */
  join?: {
    right: PlanNode;
    type: 'inner' | 'left';
    leftKeys: ExprNode[];
    rightKeys: ExprNode[];
    residual?: ExprNode;
    cost: JoinCost;
  };
  /** DISTINCT ON pre-reduction on each node (after project) */
  firstPerGroup?: { on: number[]; order: SortKey[] };
  /** how the access node combines node outputs */
  combine: 'append' | 'finalize' | 'merge';
  /** chunk exclusion predicates over the scanned columns (evaluated per execution) */
  exclusion: import('./chunk-exclusion.js').ExclusionSpec;
}

/** A start/finish candidate of time_bucket_gapfill; `plusOne`: `time > x` / `time <= x` (one internal unit more). */
export interface GapfillBound {
  expr: ExprNode;
  plusOne: boolean;
}

/** locf()/interpolate() computed by the GapFill node. */
export interface GapfillMarker {
  kind: 'locf' | 'interpolate';
  type: SqlType;
  /** input column holding the marker's argument */
  argIndex: number;
  /** locf: value before the range (evaluated over the gap row) */
  prev?: ExprNode;
  treatNullAsMissing: boolean;
  /** interpolate: (time, value) before / after the range */
  before?: { time: ExprNode; value: ExprNode };
  after?: { time: ExprNode; value: ExprNode };
}

/**
 * TimescaleDB's GapFill custom scan: input sorted by the other group keys then the time bucket;
 * emits every bucket in [start, finish) per group (missing ones with NULLs in the non-group
 * columns) and appends one column per marker.
 */
export interface GapfillPlan extends Base {
  op: 'gapfill';
  input: PlanNode;
  timeIndex: number;
  groupIndexes: number[];
  /** the time_bucket call of the GROUP BY (width, ts[, timezone]) */
  bucket: Extract<ExprNode, { k: 'call' }>;
  /** candidates: start = max, finish = min; start is aligned with time_bucket */
  start: GapfillBound[];
  finish: GapfillBound[];
  /** `+`(advanceType, interval) for interval widths */
  advanceFn?: string;
  advanceType: SqlType;
  markers: GapfillMarker[];
}
