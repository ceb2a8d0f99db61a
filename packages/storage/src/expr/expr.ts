/**
 * Bound, typed expressions as plain data. The planner produces them; the
 * expression compiler (expr/compile.ts) turns them into vectorized JS closures.
 * Because they are plain data (function references are ids, not closures), a
 * Fragment holding them can later be sent to a worker thread or another machine.
 */
import type { SqlType } from '../types/sql-type.js';
import type { Value, FormatContext } from '../types/values.js';
import type { Batch } from '../vector.js';

export type ExprNode =
  | ConstNode
  | ColumnNode
  | ParamNode
  | CorrelatedNode
  | CallNode
  | CastNode
  | BoolOpNode
  | NotNode
  | IsNullNode
  | IsBoolNode
  | CaseNode
  | CoalesceNode
  | InListNode
  | SubqueryNode;

export interface ConstNode {
  readonly k: 'const';
  readonly type: SqlType;
  readonly value: Value;
}

/** Column `index` of the input batch. */
export interface ColumnNode {
  readonly k: 'col';
  readonly type: SqlType;
  readonly index: number;
}

/** Statement parameter $n (index = n - 1), already of `type` (the binder inserts casts). */
export interface ParamNode {
  readonly k: 'param';
  readonly type: SqlType;
  readonly index: number;
}

/** A value from an enclosing query's current row (correlated subqueries): EvalContext.correlated[slot]. */
export interface CorrelatedNode {
  readonly k: 'corr';
  readonly type: SqlType;
  readonly slot: number;
}

/** A resolved function or operator call; `fn` is the id from the function catalog. */
export interface CallNode {
  readonly k: 'call';
  readonly type: SqlType;
  readonly fn: string;
  readonly args: readonly ExprNode[];
}

export interface CastNode {
  readonly k: 'cast';
  readonly type: SqlType;
  readonly arg: ExprNode;
  /** explicit (CAST / ::) vs assignment (INSERT into a typed column) semantics */
  readonly explicit: boolean;
}

/** SQL three-valued AND / OR over any number of boolean args. */
export interface BoolOpNode {
  readonly k: 'and' | 'or';
  readonly type: SqlType;
  readonly args: readonly ExprNode[];
}

export interface NotNode {
  readonly k: 'not';
  readonly type: SqlType;
  readonly arg: ExprNode;
}

/** arg IS NULL (negate: IS NOT NULL). Never returns NULL. */
export interface IsNullNode {
  readonly k: 'isnull';
  readonly type: SqlType;
  readonly arg: ExprNode;
  readonly negate: boolean;
}

/** arg IS [NOT] TRUE / FALSE / UNKNOWN. Never returns NULL. */
export interface IsBoolNode {
  readonly k: 'isbool';
  readonly type: SqlType;
  readonly arg: ExprNode;
  readonly test: 'true' | 'false' | 'unknown';
  readonly negate: boolean;
}

/** Searched CASE (the binder rewrites simple CASE to searched); lazy: a branch is evaluated only for rows that reach it. */
export interface CaseNode {
  readonly k: 'case';
  readonly type: SqlType;
  readonly whens: readonly { readonly cond: ExprNode; readonly then: ExprNode }[];
  readonly else: ExprNode | null;
}

/** COALESCE, lazy like CASE. */
export interface CoalesceNode {
  readonly k: 'coalesce';
  readonly type: SqlType;
  readonly args: readonly ExprNode[];
}

/**
 * arg [NOT] IN (list) with SQL NULL semantics; the list items are already of
 * the comparison type. `eqFn` is the equality operator's function id.
 */
export interface InListNode {
  readonly k: 'inlist';
  readonly type: SqlType;
  readonly arg: ExprNode;
  readonly list: readonly ExprNode[];
  readonly eqFn: string;
  readonly negate: boolean;
}

/**
 * A subquery evaluated by the planner's executor through EvalContext.subquery.
 * `correlated` are evaluated in the outer row and become the subquery's
 * CorrelatedNode slots 0..n-1. For 'in'/'any'/'all', `test` is the left operand
 * and `cmpFn` the comparison function id.
 */
export interface SubqueryNode {
  readonly k: 'subquery';
  readonly type: SqlType;
  readonly mode: 'scalar' | 'exists' | 'in' | 'any' | 'all' | 'array';
  /** planner-side id of the subquery plan */
  readonly id: number;
  readonly correlated: readonly ExprNode[];
  readonly test?: ExprNode;
  readonly cmpFn?: string;
  readonly negate?: boolean;
}

/** What an expression needs from the statement that runs it. */
export interface EvalContext {
  readonly params: readonly Value[];
  readonly settings: FormatContext;
  /** Statement start time in µs since the Unix epoch (now() / current_timestamp). */
  readonly statementTime: number;
  /** Transaction start time in µs (PostgreSQL's now() is the transaction start). */
  readonly transactionTime: number;
  /** Values of the enclosing row for correlated subqueries. */
  readonly correlated: readonly Value[];
  /**
   * Runs subquery `id` with the given correlated values and returns its rows
   * (each row an array of values). Provided by the planner's executor.
   */
  readonly subquery?: (id: number, correlated: readonly Value[]) => Value[][];
  /** statement_timeout: wall-clock deadline (ms since the epoch); scans stop with 57014 once it passes */
  readonly deadline?: number;
  /**
   * CancelRequest: a one-cell view of the session's slot in the shared backend
   * table; the postmaster thread sets it (Atomics) while the statement runs
   */
  readonly cancelFlag?: Int32Array;
  /** Per-statement scratch for volatile functions (random's seed, sequences…). */
  readonly session?: SessionHooks;
  /**
   * Per-statement scratch shared by every expression of the statement (the
   * results of uncorrelated subqueries, keyed by subquery id). Contexts derived
   * with `{ ...ctx, correlated }` share it. Absent → one is kept per ctx object.
   */
  readonly cache?: Map<unknown, unknown>;
}

/** Hooks into session state that some functions need (nextval, setseed, current_setting). */
export interface SessionHooks {
  random(): number;
  setSeed?(seed: number): void;
  getSetting?(name: string): string | null;
  setSetting?(name: string, value: string, isLocal: boolean): void;
  nextval?(sequence: string): number;
  currentUser?: string;
  currentDatabase?: string;
  /**
   * Catalog look-ups for the system information functions (pg_get_expr,
   * pg_get_indexdef, regclass output, pg_relation_size, …): the storage layer
   * cannot see the planner's catalog, so the server answers by function name.
   * Returns undefined when it does not know the name.
   */
  catalog?(fn: string, args: readonly Value[]): Value | undefined;
}

/** A compiled expression: evaluate over a batch and return a vector of batch.length rows. */
export type CompiledExpr = (batch: Batch, ctx: EvalContext) => import('../vector.js').Vector;

export function exprType(e: ExprNode): SqlType {
  return e.type;
}
