/**
 * State shared while binding one statement (parameters, subqueries, CTEs) and
 * the per-query-level context (scope, correlation, aggregate collection).
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import type { FormatContext } from '../../../storage/src/types/values.js';
import type { Catalog } from '../catalog/catalog.js';
import type { Expr } from '../parse/ast.js';
import type { AggCall, CteDef, PlanNode, SubqueryDef, SortKey } from '../plan/nodes.js';
import type { WindowCallSpec } from '../exec/index.js';
import type { Scope } from './scope.js';

export interface StatementBinding {
  catalog: Catalog;
  searchPath: readonly string[];
  settings: FormatContext;
  /** $n types: given by the client, or inferred from use (index n-1) */
  paramTypes: (SqlType | undefined)[];
  subqueries: SubqueryDef[];
  nextId: number;
  /** the session the statement runs in (procedures such as create_hypertable act on it) */
  session?: import('../statement/session.js').StatementSession;
  /** resolve a relation the catalog does not hold as a table (system views, pg_catalog) */
  systemRelation?: (schema: string | undefined, name: string) => { plan: PlanNode; names: string[] } | undefined;
}

export interface CteScope {
  parent?: CteScope;
  ctes: Map<string, { def: CteDef; names: string[] } | { recursiveWorkTable: number; types: SqlType[]; names: string[] }>;
}

/** Aggregation context: expressions above a GROUP BY are rewritten to read its output. */
export interface AggregationState {
  preScope: Scope;
  groupExprs: ExprNode[];
  aggs: AggCall[];
  /** the GROUP BY asts are matched structurally too (for expressions over ungrouped columns) */
  groupAsts: Expr[];
}

export interface WindowCollect {
  calls: { spec: WindowCallSpec; partitionBy: ExprNode[]; orderBy: SortKey[]; key: string }[];
  /** input width before the window columns */
  baseWidth: number;
}

export interface QueryContext {
  stmt: StatementBinding;
  scope: Scope;
  outer?: QueryContext;
  /** expressions in the outer context's terms feeding CorrelatedNode slots */
  correlated: ExprNode[];
  correlatedKeys: Map<string, number>;
  ctes?: CteScope;
  agg?: AggregationState;
  windows?: WindowCollect;
  /** where aggregates are forbidden, the clause name for the error (e.g. 'WHERE') */
  noAggregatesIn?: string;
  noWindowsIn?: string;
  /** binding a branch of a set operation: untyped literals in the select list stay 'unknown' until the set operation resolves them */
  setOpBranch?: boolean;
  /** named WINDOW clause entries */
  windowDefs?: Map<string, import('../parse/ast.js').WindowSpec>;
}

export function childContext(parent: QueryContext, scope: Scope): QueryContext {
  return {
    stmt: parent.stmt,
    scope,
    outer: parent,
    correlated: [],
    correlatedKeys: new Map(),
    ctes: parent.ctes,
  };
}
