/**
 * Shared pieces of the aggregate accumulators: the public contracts, state
 * growth, value comparison / hashing per SQL type, and the interval arithmetic
 * the aggregates need (kept private here until types/interval.ts lands).
 */
import { SqlError, SQLSTATE } from '../errors.js';
import { Decimal, isDecimal } from '../types/numeric.js';
import type { SqlType } from '../types/sql-type.js';
import type { Interval, Value } from '../types/values.js';
import type { Vector } from '../vector.js';

export type AggKind =
  | 'count_star' | 'count' | 'sum' | 'avg' | 'min' | 'max'
  | 'var_samp' | 'var_pop' | 'stddev_samp' | 'stddev_pop'
  | 'bool_and' | 'bool_or' | 'bit_and' | 'bit_or' | 'bit_xor'
  | 'string_agg' | 'array_agg'
  | 'percentile_cont' | 'percentile_cont_multi' | 'percentile_disc' | 'percentile_disc_multi' | 'mode'
  | 'first' | 'last' | 'histogram'
  | 'corr' | 'covar_pop' | 'covar_samp' | 'regr_count' | 'regr_sxx' | 'regr_syy' | 'regr_sxy'
  | 'regr_avgx' | 'regr_avgy' | 'regr_r2' | 'regr_slope' | 'regr_intercept';

export interface ResolvedAggregate {
  /** Unique id of the implementation, e.g. 'sum(int4)', 'percentile_cont(float8) WITHIN GROUP (interval)'. */
  aggId: string;
  /**
   * Cast targets of the parenthesised arguments, in call order (for ordered-set
   * aggregates these are the direct arguments, e.g. the fraction).
   */
  argTypes: SqlType[];
  /** Cast targets of the WITHIN GROUP (ORDER BY …) arguments; ordered-set aggregates only. */
  withinGroupTypes?: SqlType[];
  returnType: SqlType;
  /** SQL name as resolved (`every` resolves to bool_and, `stddev` to stddev_samp, …). */
  name: string;
  kind: AggKind;
  /**
   * Types of the vectors the accumulator receives in `args` (before any ORDER BY
   * key vectors): argTypes minus the constant arguments, or withinGroupTypes.
   */
  inputTypes: SqlType[];
  /** Indexes into argTypes of arguments passed as `directArgs` constants instead of vectors. */
  directArgIndexes: number[];
  /** Strict aggregates skip rows where any input is NULL. */
  strict: boolean;
}

export interface AccumulatorOptions {
  distinct: boolean;
  orderByTypes?: readonly SqlType[];
  orderByDesc?: readonly boolean[];
  orderByNullsFirst?: readonly boolean[];
  directArgs?: readonly Value[];
}

export interface GroupedAccumulator {
  /**
   * Feed rows [0, length): row i goes to group groupIds[i], skipped when < 0.
   * `groupIds.length === 0` means every row is in group 0 (the ungrouped fast path);
   * a caller applying FILTER must then pass real ids with -1 for filtered rows.
   */
  update(groupIds: Int32Array, args: readonly Vector[], length: number): void;
  combine(other: GroupedAccumulator, groupMap: Int32Array): void;
  serialize(): unknown;
  finalize(groupCount: number): Vector;
  finalizeGroup(group: number): Value;
  resetGroup?(group: number): void;
  /** Rough size of the state in bytes (for the planner's split decision and memory accounting). */
  stateBytes?(): number;
}

export const TWO53 = 9007199254740992;

/** Next capacity ≥ need, doubling; growth is geometric so update stays amortised O(1). */
export function nextCap(cap: number, need: number): number {
  let c = cap < 16 ? 16 : cap;
  while (c < need) c *= 2;
  return c;
}
export function growF64(a: Float64Array, cap: number, fill = 0): Float64Array<ArrayBuffer> {
  const b = new Float64Array(cap);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}
export function growU8(a: Uint8Array, cap: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(cap);
  b.set(a);
  return b;
}
export function growI32(a: Int32Array, cap: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}

/** Highest group id + 1 among rows [0, length) (1 for the all-in-group-0 marker). */
export function groupsNeeded(groupIds: Int32Array, length: number): number {
  if (groupIds.length === 0) return length > 0 ? 1 : 0;
  let m = -1;
  for (let i = 0; i < length; i++) {
    const g = groupIds[i]!;
    if (g > m) m = g;
  }
  return m + 1;
}

export function mapNeeded(groupMap: Int32Array, n: number): number {
  let m = -1;
  for (let g = 0; g < n; g++) if (groupMap[g]! > m) m = groupMap[g]!;
  return m + 1;
}

/** Group of row i honouring the all-zero marker; callers on hot paths inline this. */
export function gid(groupIds: Int32Array, i: number): number {
  return groupIds.length === 0 ? 0 : groupIds[i]!;
}

export function nullMask(v: Vector): Uint8Array | null {
  return v.tag === 'object' ? null : v.nulls;
}

/** Plain-data form of a Value (Decimal → {n: text}, Interval as-is, arrays recursively). */
export function valueToPlain(v: Value): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(valueToPlain);
  if (isDecimal(v)) return { $n: v.toString() };
  const iv = v as Interval;
  return { months: iv.months, days: iv.days, micros: iv.micros };
}
export function plainToValue(p: unknown): Value {
  if (p === null || typeof p !== 'object') return p as Value;
  if (Array.isArray(p)) return p.map(plainToValue);
  const o = p as Record<string, unknown>;
  if (typeof o.$n === 'string') return Decimal.parse(o.$n);
  return { months: o.months as number, days: o.days as number, micros: o.micros as number };
}

// ---------------------------------------------------------------- comparison

/** Text order of the C collation: by code point (UTF-16 code units order surrogates too low). */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca !== cb) {
      if (ca >= 0xd800 && cb >= 0xd800) {
        ca = ca >= 0xe000 ? ca - 0x800 : ca + 0x2000;
        cb = cb >= 0xe000 ? cb - 0x800 : cb + 0x2000;
      }
      return ca < cb ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** float8 btree order: NaN sorts above everything and equals itself. */
export function compareFloat(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  const na = a !== a;
  const nb = b !== b;
  return na === nb ? 0 : na ? 1 : -1;
}

export function intervalCmp(a: Interval, b: Interval): number {
  const da = a.months * 30 + a.days;
  const db = b.months * 30 + b.days;
  const sa = da * 86_400_000_000 + a.micros;
  const sb = db * 86_400_000_000 + b.micros;
  if (Math.abs(sa) < TWO53 && Math.abs(sb) < TWO53) return sa < sb ? -1 : sa > sb ? 1 : 0;
  const ba = BigInt(da) * 86_400_000_000n + BigInt(a.micros);
  const bb = BigInt(db) * 86_400_000_000n + BigInt(b.micros);
  return ba < bb ? -1 : ba > bb ? 1 : 0;
}

export type Comparator = (a: Value, b: Value) => number;

/** Non-null comparator of a SQL type, PostgreSQL's default btree order. */
export function comparatorFor(t: SqlType): Comparator {
  switch (t.id) {
    case 'float4':
    case 'float8':
      return (a, b) => compareFloat(a as number, b as number);
    case 'int2': case 'int4': case 'int8': case 'date': case 'time': case 'timestamp':
    case 'timestamptz': case 'oid': case 'regclass':
      // date ±infinity are ±Infinity, ordered correctly by plain comparison
      return (a, b) => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0);
    case 'bool':
      return (a, b) => (a === b ? 0 : a ? 1 : -1);
    case 'numeric':
      return (a, b) => (a as Decimal).cmp(b as Decimal);
    case 'interval':
      return (a, b) => intervalCmp(a as Interval, b as Interval);
    case 'array':
    case 'record': {
      const elem = t.elem ? comparatorFor(t.elem) : compareAny;
      return (a, b) => compareArrays(a as Value[], b as Value[], elem);
    }
    default:
      return (a, b) => compareText(a as string, b as string);
  }
}

/** Element-wise, NULL elements above non-NULL, shorter prefix first (array_cmp). */
function compareArrays(a: Value[], b: Value[], elem: Comparator): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === null || y === null) {
      if (x === y) continue;
      return x === null ? 1 : -1;
    }
    const c = elem(x, y);
    if (c !== 0) return c;
  }
  return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
}

/** Comparator by run-time shape, for values whose SQL type is not at hand. */
export function compareAny(a: Value, b: Value): number {
  if (typeof a === 'number') return compareFloat(a, b as number);
  if (typeof a === 'string') return compareText(a, b as string);
  if (typeof a === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (Array.isArray(a)) return compareArrays(a, b as Value[], compareAny);
  if (isDecimal(a)) return a.cmp(b as Decimal);
  return intervalCmp(a as Interval, b as Interval);
}

/**
 * A key equal for values PostgreSQL's equality operator calls equal (1.0 = 1.00,
 * '1 mon' = '30 days', 0 = -0, NaN = NaN), used by DISTINCT.
 */
export function valueKey(v: Value): string | number | boolean | null {
  if (v === null || typeof v !== 'object') return typeof v === 'number' && v === 0 ? 0 : v;
  if (Array.isArray(v)) return '[' + v.map((x) => JSON.stringify(valueKey(x))).join(',');
  if (isDecimal(v)) return 'n' + v.hashKey();
  const iv = v as Interval;
  const d = BigInt(iv.months * 30 + iv.days) * 86_400_000_000n + BigInt(iv.micros);
  return 'i' + d.toString();
}

// ---------------------------------------------------------------- interval arithmetic

const INT32_MAX = 2147483647;
function intervalOverflow(): SqlError {
  return new SqlError(SQLSTATE.datetimeFieldOverflow, 'interval out of range');
}
function checkI32(x: number): number {
  if (x > INT32_MAX || x < -INT32_MAX - 1 || x !== x) throw intervalOverflow();
  return x;
}

export function intervalAdd(a: Interval, b: Interval): Interval {
  const micros = a.micros + b.micros;
  if (!Number.isSafeInteger(micros)) throw intervalOverflow();
  return { months: checkI32(a.months + b.months), days: checkI32(a.days + b.days), micros };
}
export function intervalSub(a: Interval, b: Interval): Interval {
  return intervalAdd(a, { months: -b.months, days: -b.days, micros: -b.micros });
}

function tsround(x: number): number {
  return roundEven(x * 1e6) / 1e6;
}
function roundEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** interval_mul of PostgreSQL 15, fractional months/days cascading down. */
export function intervalMul(span: Interval, factor: number): Interval {
  const m = span.months * factor;
  const d = span.days * factor;
  if (m !== m || d !== d || Math.abs(m) > INT32_MAX || Math.abs(d) > INT32_MAX) throw intervalOverflow();
  return cascade(span, Math.trunc(m), Math.trunc(d), span.months * factor, span.days * factor, span.micros * factor);
}

/** interval_div of PostgreSQL 15. */
export function intervalDiv(span: Interval, factor: number): Interval {
  if (factor === 0) throw new SqlError(SQLSTATE.divisionByZero, 'division by zero');
  return cascade(span, Math.trunc(span.months / factor), Math.trunc(span.days / factor), span.months / factor, span.days / factor, span.micros / factor);
}

function cascade(_span: Interval, month: number, day: number, exactMonths: number, exactDays: number, micros: number): Interval {
  let monthRemainderDays = (exactMonths - month) * 30;
  monthRemainderDays = tsround(monthRemainderDays);
  let secRemainder = (exactDays - day + monthRemainderDays - Math.trunc(monthRemainderDays)) * 86400;
  secRemainder = tsround(secRemainder);
  if (Math.abs(secRemainder) >= 86400) {
    const whole = Math.trunc(secRemainder / 86400);
    day += whole;
    secRemainder -= whole * 86400;
  }
  day += Math.trunc(monthRemainderDays);
  const t = roundEven(micros + secRemainder * 1e6);
  return { months: month, days: day, micros: t === 0 ? 0 : t };
}
