/**
 * The scalar function and operator catalog: overload resolution for the binder
 * and implementations for the expression compiler. Lives in storage because a
 * data node evaluates expressions of the fragments it receives.
 */
import type { SqlType } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import type { Vector } from '../vector.js';
import type { EvalContext } from '../expr/expr.js';

export type Volatility = 'immutable' | 'stable' | 'volatile';

export interface ScalarFunctionImpl {
  /** Unique id, e.g. 'int4pl', 'lower(text)', 'time_bucket(interval,timestamptz)'. */
  readonly id: string;
  /** SQL name (lower case) and, for operators, the operator symbol. */
  readonly name: string;
  /** If true, NULL in any argument gives NULL without calling the implementation. */
  readonly strict: boolean;
  readonly volatility: Volatility;
  /** Row-at-a-time implementation (always present). Arguments are never null when strict. */
  readonly scalar: (args: Value[], ctx: EvalContext) => Value;
  /**
   * Optional vectorized implementation over whole columns (must honour `strict`
   * itself: NULL rows in → NULL rows out). Used on hot paths: comparisons,
   * arithmetic, time_bucket, date_trunc, lower/upper on dictionaries, LIKE.
   */
  readonly vector?: (args: Vector[], length: number, ctx: EvalContext, resultType: SqlType) => Vector;
}

/** The outcome of overload resolution: cast each argument to argTypes[i], call fnId, get returnType. */
export interface ResolvedFunction {
  readonly fnId: string;
  readonly argTypes: readonly SqlType[];
  readonly returnType: SqlType;
  readonly volatility: Volatility;
}
