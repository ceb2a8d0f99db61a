/**
 * Plan nodes → re-runnable batch sources. Scans read through the statement's
 * table access (a transaction's own view or the latest committed version);
 * CTEs and uncorrelated subqueries are materialised once per statement.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { T } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import type { ExprNode, EvalContext } from '../../../storage/src/expr/expr.js';
import type { Batch, Vector } from '../../../storage/src/vector.js';
import { getValue } from '../../../storage/src/vector.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { compileExpr } from '../../../storage/src/expr/compile.js';
import type { TableStore, TableVersion } from '../../../storage/src/table/index.js';
import * as ops from '../../../storage/src/ops/index.js';
import type { BatchSource } from '../../../storage/src/ops/index.js';
import * as exec from '../exec/index.js';
import type { TableInfo } from '../catalog/catalog.js';
import type { PlanNode, SubqueryDef } from './nodes.js';
import { functionScanParts } from './nodes.js';
import { extractEquiKeys } from './equi-keys.js';
import { checkDeadline } from '../../../storage/src/expr/deadline.js';
import { scanHypertable } from './hypertable-scan.js';
import { buildDistributedScan } from './build-distributed.js';
import { gapfillOp } from '../exec/gapfill.js';

export interface TableAccess {
  /** the version a statement reads: own writes inside a transaction, else the latest commit */
  read(store: TableStore): TableVersion;
}

export interface ExecEnv {
  tables: TableAccess;
  catalog: import('../catalog/catalog.js').Catalog;
  subqueries: readonly SubqueryDef[];
  /** per-statement materialisations (CTEs, work tables) */
  cteCache: Map<number, Batch[]>;
  workTables: Map<number, Batch[]>;
  paramTypes: readonly (SqlType | undefined)[];
  /** observer of fragment output (EXPLAIN ANALYZE): rows each data node returned */
  onFragmentRows?: (node: string, rows: number, millis: number) => void;
}

function evalConst(e: ExprNode, ctx: EvalContext): Value {
  const v = compileExpr(e)({ length: 1, columns: [] }, ctx);
  return getValue(v, 0);
}

export function buildPlan(plan: PlanNode, env: ExecEnv): BatchSource {
  switch (plan.op) {
    case 'scan':
      return scanSource(plan, env);
    case 'single':
      return exec.singleRowOp();
    case 'values':
      return exec.valuesOp(plan.rows, plan.types);
    case 'function': {
      if (!plan.zipped) return exec.functionScanOp({ name: plan.name, args: plan.args, types: plan.types, withOrdinality: plan.withOrdinality });
      const parts = functionScanParts(plan);
      return exec.zipFunctionsOp(parts.map((f) => exec.functionScanOp({ name: f.name, args: f.args, types: f.types })), parts.map((f) => f.types));
    }
    case 'filter':
      return ops.filterOp(buildPlan(plan.input, env), plan.predicate);
    case 'project':
      return ops.projectOp(buildPlan(plan.input, env), plan.exprs);
    case 'aggregate':
      return ops.hashAggregateOp(buildPlan(plan.input, env), {
        groupBy: plan.groupBy,
        aggregates: plan.aggs.map((a) => ({ agg: a.agg, args: a.args, distinct: a.distinct, filter: a.filter, orderBy: a.orderBy, directArgs: a.directArgs })),
        mode: 'full',
      });
    case 'window':
      return exec.windowOp(buildPlan(plan.input, env), { partitionBy: plan.partitionBy, orderBy: plan.orderBy, calls: plan.calls, inputTypes: plan.input.types });
    case 'sort':
      return ops.sortOp(buildPlan(plan.input, env), plan.keys, plan.limit);
    case 'limit': {
      const input = buildPlan(plan.input, env);
      return (ctx) => {
        const limit = plan.limit ? evalConst(plan.limit, ctx) : null;
        const offset = plan.offset ? evalConst(plan.offset, ctx) : null;
        if (typeof limit === 'number' && limit < 0) throw new SqlError('2201W', 'LIMIT must not be negative');
        if (typeof offset === 'number' && offset < 0) throw new SqlError('2201X', 'OFFSET must not be negative');
        return ops.limitOp(input, limit as number | null, (offset as number | null) ?? 0)(ctx);
      };
    }
    case 'distinct':
      return ops.distinctOp(buildPlan(plan.input, env), plan.on);
    case 'join':
      return joinSource(plan, env);
    case 'setop':
      return exec.setOp(buildPlan(plan.left, env), buildPlan(plan.right, env), { op: plan.kind, all: plan.all, types: plan.types });
    case 'cte': {
      const input = buildPlan(plan.cte.plan, env);
      const id = plan.cte.id;
      return (ctx) => {
        let rows = env.cteCache.get(id);
        if (!rows) {
          rows = [...input(ctx)];
          env.cteCache.set(id, rows);
        }
        return rows;
      };
    }
    case 'recursive':
      return recursiveSource(plan, env);
    case 'worktable':
      return () => env.workTables.get(plan.workTableId) ?? [];
    case 'dscan':
      return buildDistributedScan(plan, env);
    case 'gapfill':
      return gapfillOp(buildPlan(plan.input, env), { ...plan, inputTypes: plan.input.types });
    case 'firstpergroup':
      return ops.firstPerGroupOp(buildPlan(plan.input, env), plan.on, plan.order);
    case 'rows': {
      const types = plan.types;
      return (ctx) => {
        const rows = plan.rows(ctx);
        return rows.length === 0 ? [] : [exec.rowsToBatch(rows, types)];
      };
    }
  }
}

function scanSource(plan: Extract<PlanNode, { op: 'scan' }>, env: ExecEnv): BatchSource {
  const ht = plan.table.hypertable;
  const source: BatchSource = ht
    ? (ctx) => scanHypertable(env.catalog, plan.table, ht.chunks.slice(), (s) => env.tables.read(s), plan.columnIds, plan.withRowId, ctx)
    : (ctx) => scanBatches(env.tables.read(plan.table.store!), plan.columnIds, plan.withRowId, ctx);
  return plan.filter ? ops.filterOp(source, plan.filter) : source;
}

function* scanBatches(version: TableVersion, columnIds: readonly number[], withRowId: boolean, ctx: EvalContext): Iterable<Batch> {
  for (const sb of version.scan(columnIds, { withRowIds: withRowId })) {
    checkDeadline(ctx);
    if (sb.batch.length === 0) continue;
    if (!withRowId) {
      yield sb.batch;
      continue;
    }
    const ids: Vector = { tag: 'number', type: T.float8, length: sb.batch.length, values: sb.rowIds!, nulls: null };
    yield { length: sb.batch.length, columns: [...sb.batch.columns, ids] };
  }
}

function joinSource(plan: Extract<PlanNode, { op: 'join' }>, env: ExecEnv): BatchSource {
  const left = buildPlan(plan.left, env);
  const leftTypes = plan.left.types;
  const rightTypes = plan.right.types;
  if (plan.lateralColumns) {
    const right = buildPlan(plan.right, env);
    return exec.lateralJoinOp(left, right, { type: plan.joinType === 'left' ? 'left' : 'inner', leftTypes, rightTypes, correlatedColumns: plan.lateralColumns, condition: plan.condition });
  }
  const right = buildPlan(plan.right, env);
  if (plan.joinType === 'cross' || !plan.condition) {
    return exec.nestedLoopJoinOp(left, right, { type: plan.joinType === 'cross' ? 'inner' : plan.joinType, leftTypes, rightTypes });
  }
  const keys = extractEquiKeys(plan.condition, leftTypes.length);
  if (keys.leftKeys.length > 0) {
    return exec.hashJoinOp(left, right, { type: plan.joinType, leftTypes, rightTypes, leftKeys: keys.leftKeys, rightKeys: keys.rightKeys, residual: keys.residual });
  }
  return exec.nestedLoopJoinOp(left, right, { type: plan.joinType, leftTypes, rightTypes, condition: plan.condition });
}

function recursiveSource(plan: Extract<PlanNode, { op: 'recursive' }>, env: ExecEnv): BatchSource {
  const base = buildPlan(plan.nonRecursive, env);
  const step = buildPlan(plan.recursive, env);
  return exec.recursiveUnionOp(base, step, {
    all: plan.all,
    types: plan.types,
    setWorkTable: (batches: Batch[]) => env.workTables.set(plan.workTableId, batches),
  });
}

/** Run a plan to completion and return its rows as value arrays. */
export function collectRows(plan: PlanNode, env: ExecEnv, ctx: EvalContext): Value[][] {
  return exec.collectRows(buildPlan(plan, env), ctx);
}

