/** Helpers shared by the aggregate tests (not imported by production code). */
import type { SqlType } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import { vectorFromValues, vectorToValues } from '../vector.js';
import type { Vector } from '../vector.js';
import { createAccumulator, resolveAggregate } from './index.js';
import type { AccumulatorOptions, ResolvedAggregate } from './index.js';

export interface Call {
  name: string;
  /** Types of the parenthesised arguments (direct ones for ordered-set aggregates). */
  types: SqlType[];
  withinGroup?: SqlType[];
  star?: boolean;
  opts?: Partial<AccumulatorOptions>;
}

export function resolve(c: Call): ResolvedAggregate {
  return resolveAggregate(c.name, c.types, { star: c.star ?? false, distinct: c.opts?.distinct ?? false, withinGroupTypes: c.withinGroup });
}

export function accOpts(c: Call): AccumulatorOptions {
  return { distinct: false, ...c.opts };
}

/** Vectors for the accumulator: input columns then ORDER BY key columns. */
export function vectors(agg: ResolvedAggregate, c: Call, cols: Value[][]): Vector[] {
  const types = [...agg.inputTypes, ...(c.opts?.orderByTypes ?? [])];
  return cols.map((col, i) => vectorFromValues(types[i]!, col));
}

/** Aggregate all rows into one group (the groupIds.length === 0 path). */
export function agg1(c: Call, cols: Value[][]): Value {
  const agg = resolve(c);
  const acc = createAccumulator(agg, accOpts(c));
  const len = cols[0]?.length ?? 0;
  acc.update(new Int32Array(0), vectors(agg, c, cols), len);
  const v = acc.finalize(1);
  const g = acc.finalizeGroup(0);
  const fromVec = vectorToValues(v)[0]!;
  if (canon(fromVec) !== canon(g)) throw new Error(`finalize/finalizeGroup disagree: ${canon(fromVec)} vs ${canon(g)}`);
  return g;
}

/** A comparable text form; `digits` rounds floats for order-sensitive sums. */
export function canon(v: Value, digits = 0): string {
  if (v === null) return 'NULL';
  if (typeof v === 'number') {
    if (digits > 0 && Number.isFinite(v) && v !== 0) return v.toPrecision(digits);
    return Object.is(v, -0) ? '0' : String(v);
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return '{' + v.map((x) => canon(x, digits)).join(',') + '}';
  if ('months' in (v as object)) return JSON.stringify(v);
  return (v as { toString(): string }).toString();
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
