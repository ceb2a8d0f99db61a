/**
 * Splittable aggregates: accumulators over dense group ids whose states can be
 * serialised on data nodes and combined + finalised on the access node.
 *
 * Conventions for callers:
 *  - `groupIds.length === 0` in update() means "all rows are in group 0".
 *  - ORDER BY inside the call: sort-key vectors follow the regular argument vectors.
 *  - Ordered-set aggregates get the WITHIN GROUP argument as args[0] and their
 *    direct arguments (fractions) in opts.directArgs; histogram gets the value
 *    as args[0] and [min, max, nbuckets] in opts.directArgs
 *    (ResolvedAggregate.directArgIndexes says which parenthesised arguments those are).
 */
import { SqlError, SQLSTATE } from '../errors.js';
import { physicalKind } from '../types/sql-type.js';
import { CountAcc, FloatSumAcc, IntSumAcc, MinMaxNumAcc } from './basic.js';
import { BookendAcc, HistogramAcc } from './bookend.js';
import { CollectAcc, DistinctAcc } from './collect.js';
import type { AccumulatorOptions, GroupedAccumulator, ResolvedAggregate } from './common.js';
import { BitAcc, BoolAcc, IntervalSumAcc, MinMaxAnyAcc, NumericSumAcc } from './generic.js';
import { FloatVarAcc, IntVarAcc, NumericVarAcc, RegrAcc } from './variance.js';

export type { AccumulatorOptions, AggKind, GroupedAccumulator, ResolvedAggregate } from './common.js';
export { isAggregateName, resolveAggregate } from './catalog.js';

const COLLECTING = new Set(['array_agg', 'string_agg', 'percentile_cont', 'percentile_cont_multi', 'percentile_disc', 'percentile_disc_multi', 'mode']);

type Loadable = GroupedAccumulator & { load(d: unknown): GroupedAccumulator };

function createPlain(agg: ResolvedAggregate, opts: AccumulatorOptions): Loadable {
  const t = agg.inputTypes[0];
  const id = t?.id;
  const isFloat = id === 'float4' || id === 'float8';
  const isInt = id === 'int2' || id === 'int4' || id === 'int8';
  switch (agg.kind) {
    case 'count_star':
      return new CountAcc(true) as Loadable;
    case 'count':
      return new CountAcc(false) as Loadable;
    case 'sum':
    case 'avg': {
      const avg = agg.kind === 'avg';
      if (isFloat) return new FloatSumAcc(avg, !avg && id === 'float4') as Loadable;
      if (isInt) return new IntSumAcc(avg, avg || id === 'int8') as Loadable;
      if (id === 'numeric') return new NumericSumAcc(avg) as Loadable;
      if (id === 'interval') return new IntervalSumAcc(avg) as Loadable;
      break;
    }
    case 'min':
    case 'max':
      if (physicalKind(t!) === 'number') return new MinMaxNumAcc(agg.kind === 'max', agg.returnType) as Loadable;
      return new MinMaxAnyAcc(agg.kind === 'max', agg.returnType) as Loadable;
    case 'var_samp':
    case 'var_pop':
    case 'stddev_samp':
    case 'stddev_pop':
      if (isFloat) return new FloatVarAcc(agg.kind) as Loadable;
      if (isInt) return new IntVarAcc(agg.kind) as Loadable;
      return new NumericVarAcc(agg.kind) as Loadable;
    case 'bool_and':
    case 'bool_or':
      return new BoolAcc(agg.kind === 'bool_or') as Loadable;
    case 'bit_and':
    case 'bit_or':
    case 'bit_xor':
      return new BitAcc(agg.kind.slice(4) as 'and' | 'or' | 'xor', agg.returnType) as Loadable;
    case 'first':
    case 'last':
      return new BookendAcc(agg.kind === 'last', agg.inputTypes[0]!, agg.inputTypes[1]!) as Loadable;
    case 'histogram':
      return new HistogramAcc(opts.directArgs ?? []) as Loadable;
    case 'corr': case 'covar_pop': case 'covar_samp': case 'regr_count': case 'regr_sxx': case 'regr_syy':
    case 'regr_sxy': case 'regr_avgx': case 'regr_avgy': case 'regr_r2': case 'regr_slope': case 'regr_intercept':
      return new RegrAcc(agg.kind) as Loadable;
    default:
      if (COLLECTING.has(agg.kind)) return new CollectAcc(agg, opts) as Loadable;
  }
  throw new SqlError(SQLSTATE.internalError, `no accumulator for aggregate ${agg.aggId}`);
}

export function createAccumulator(agg: ResolvedAggregate, opts: AccumulatorOptions): GroupedAccumulator {
  return create(agg, opts);
}

function create(agg: ResolvedAggregate, opts: AccumulatorOptions): Loadable {
  if (opts.distinct && !COLLECTING.has(agg.kind) && agg.kind !== 'count_star') {
    const plainOpts = { ...opts, distinct: false };
    return new DistinctAcc(agg, () => createPlain(agg, plainOpts), agg.strict) as Loadable;
  }
  return createPlain(agg, opts);
}

/** Rebuild an accumulator from its serialize() output (possibly after a structured clone). */
export function deserializeAccumulator(agg: ResolvedAggregate, opts: AccumulatorOptions, data: unknown): GroupedAccumulator {
  if (data === null || typeof data !== 'object') throw new SqlError(SQLSTATE.internalError, `invalid partial state for ${agg.aggId}`);
  return create(agg, opts).load(data);
}

/**
 * Every aggregate here has a combine step, so all can run split. Fixed-size
 * states (count, sum, min, …) always pay off; row-collecting ones (DISTINCT,
 * array_agg, string_agg, percentiles, mode) ship their rows — correct, but the
 * planner should weigh stateBytes() before preferring the split plan.
 */
export function isSplittable(_agg: ResolvedAggregate, _opts: AccumulatorOptions): boolean {
  return true;
}

/** True when the partial state size does not grow with the number of input rows per group. */
export function hasBoundedState(agg: ResolvedAggregate, opts: AccumulatorOptions): boolean {
  if (opts.distinct && agg.kind !== 'count_star') return false;
  return !COLLECTING.has(agg.kind);
}
