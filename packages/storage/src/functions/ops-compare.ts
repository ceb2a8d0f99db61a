/**
 * Comparison operators of non-numeric types, date/time and interval arithmetic
 * operators, and concatenation (||).
 */
import { SqlError, SQLSTATE } from '../errors.js';
import type { SqlType } from '../types/sql-type.js';
import type { Interval, Value } from '../types/values.js';
import { MICROS_PER_DAY } from '../types/values.js';
import type { EvalContext } from '../expr/expr.js';
import { op, type ScalarFn } from './catalog.js';
import { compareArrays } from './compare.js';
import { formatValue } from './deps.js';
import { datePlusTime, timeDiff, timePlusInterval, timestampDiff } from '../types/datetime.js';
import { addToTimestamp, addToTimestamptz, intervalAdd, intervalCmp, intervalDiv, intervalMul, localToUtc } from './dt.js';
import { compareText, rtrimSpaces } from './util.js';
import type { CmpOp } from './vector-kernels.js';
import { cmpResult, numberArith, numberCompare, rowwise, stringPredicate } from './vector-kernels.js';

const CMPS: CmpOp[] = ['=', '<>', '<', '>', '<=', '>='];
const FLIP: Record<CmpOp, CmpOp> = { '=': '=', '<>': '<>', '<': '>', '>': '<', '<=': '>=', '>=': '<=' };

/** Text comparison with the dictionary fast path on whichever side is constant. */
function textCompareVector(c: CmpOp, scalar: ScalarFn, norm?: (s: string) => string) {
  const f = norm ?? ((s: string) => s);
  const right = stringPredicate((s, k) => cmpResult(c, compareText(f(s), f(k as string))), scalar, 1);
  const left = stringPredicate((s, k) => cmpResult(FLIP[c], compareText(f(s), f(k as string))), scalar, 0);
  const fallback = rowwise(scalar);
  return (args: Parameters<typeof fallback>[0], length: number, ctx: EvalContext, rt: SqlType) => {
    const a = args[0]!;
    const b = args[1]!;
    const isConst = (v: typeof a) => v.tag === 'object' && v.length > 0 && v.values[0] !== null && v.values.every((x) => x === v.values[0]);
    if (isConst(b) || (b.tag === 'dict' && b.dict.length === 1 && !b.nulls)) return right(args, length, ctx, rt);
    if (isConst(a) || (a.tag === 'dict' && a.dict.length === 1 && !a.nulls)) return left(args, length, ctx, rt);
    return fallback(args, length, ctx, rt);
  };
}

for (const c of CMPS) {
  const text: ScalarFn = (a) => cmpResult(c, compareText(a[0] as string, a[1] as string));
  op(`${c}(text, text) -> bool`, text, { vector: textCompareVector(c, text) });
  const name: ScalarFn = text;
  op(`${c}(name, name) -> bool`, name, { vector: textCompareVector(c, name) });
  const bp: ScalarFn = (a) => cmpResult(c, compareText(rtrimSpaces(a[0] as string), rtrimSpaces(a[1] as string)));
  op(`${c}(bpchar, bpchar) -> bool`, bp, { vector: textCompareVector(c, bp, rtrimSpaces) });
  op(`${c}(bool, bool) -> bool`, (a) => cmpResult(c, (a[0] ? 1 : 0) - (a[1] ? 1 : 0)));
  for (const t of ['date', 'time', 'timestamp', 'timestamptz', 'oid'] as const) {
    const s: ScalarFn = (a) => cmpResult(c, (a[0] as number) < (a[1] as number) ? -1 : a[0] === a[1] ? 0 : 1);
    op(`${c}(${t}, ${t}) -> bool`, s, { vector: numberCompare(c, false, s) });
  }
  op(`${c}(interval, interval) -> bool`, (a) => cmpResult(c, intervalCmp(a[0] as Interval, a[1] as Interval)));
  op(`${c}(anyarray, anyarray) -> bool`, () => null, {
    specialize: (types) => ({ scalar: (a) => cmpResult(c, compareArrays(a[0] as Value[], a[1] as Value[], types[0]!.elem)) }),
  });
}

// cross-type date/time comparisons convert to the wider type in the session zone
const num = (x: number, y: number): number => (x < y ? -1 : x > y ? 1 : 0);
const dateToTs = (d: number): number => (Number.isFinite(d) ? d * MICROS_PER_DAY : d);
const dateToTstz = (d: number, ctx: EvalContext): number => localToUtc(dateToTs(d), ctx.settings);
const tsToTstz = (t: number, ctx: EvalContext): number => localToUtc(t, ctx.settings);
for (const c of CMPS) {
  const pair = (l: string, r: string, f: (x: number, y: number, ctx: EvalContext) => number) => {
    const s: ScalarFn = (a, ctx) => cmpResult(c, f(a[0] as number, a[1] as number, ctx));
    op(`${c}(${l}, ${r}) -> bool`, s, { volatility: l === 'timestamp' && r === 'date' ? 'immutable' : 'stable' });
  };
  pair('date', 'timestamp', (x, y) => num(dateToTs(x), y));
  pair('timestamp', 'date', (x, y) => num(x, dateToTs(y)));
  pair('date', 'timestamptz', (x, y, ctx) => num(dateToTstz(x, ctx), y));
  pair('timestamptz', 'date', (x, y, ctx) => num(x, dateToTstz(y, ctx)));
  pair('timestamp', 'timestamptz', (x, y, ctx) => num(tsToTstz(x, ctx), y));
  pair('timestamptz', 'timestamp', (x, y, ctx) => num(x, tsToTstz(y, ctx)));
}

// ---- date/time arithmetic ---------------------------------------------------------

const MAX_DATE = 2147483494 - 2440588 - 1; // PostgreSQL's last date (5874897-12-31) in Unix days
const MIN_DATE = -2451545 + 10957; // 4714-11-24 BC
function checkDate(d: number): number {
  if (Number.isFinite(d) && (d < MIN_DATE || d > MAX_DATE)) throw new SqlError(SQLSTATE.datetimeFieldOverflow, 'date out of range');
  return d;
}
const iv = (v: Value): Interval => v as Interval;
const n = (v: Value): number => v as number;
const dateChk = { min: MIN_DATE, max: MAX_DATE, overflow: () => new SqlError(SQLSTATE.datetimeFieldOverflow, 'date out of range'), integer: true, divByZero: () => new Error('unreachable'), infiniteLeft: true };

const datePlus: ScalarFn = (a) => (Number.isFinite(n(a[0]!)) ? checkDate(n(a[0]!) + n(a[1]!)) : a[0]!);
op('+(date, int4) -> date', datePlus, { vector: numberArith('+', dateChk, datePlus) });
const intPlusDate: ScalarFn = (a) => (Number.isFinite(n(a[1]!)) ? checkDate(n(a[0]!) + n(a[1]!)) : a[1]!);
op('+(int4, date) -> date', intPlusDate);
const dateMinus: ScalarFn = (a) => (Number.isFinite(n(a[0]!)) ? checkDate(n(a[0]!) - n(a[1]!)) : a[0]!);
op('-(date, int4) -> date', dateMinus, { vector: numberArith('-', dateChk, dateMinus) });
op('-(date, date) -> int4', (a) => {
  if (!Number.isFinite(n(a[0]!)) || !Number.isFinite(n(a[1]!))) throw new SqlError(SQLSTATE.datetimeFieldOverflow, 'cannot subtract infinite dates');
  return n(a[0]!) - n(a[1]!);
});
op('+(date, interval) -> timestamp', (a) => addToTimestamp(dateToTs(n(a[0]!)), iv(a[1]!)));
op('+(interval, date) -> timestamp', (a) => addToTimestamp(dateToTs(n(a[1]!)), iv(a[0]!)));
op('-(date, interval) -> timestamp', (a) => addToTimestamp(dateToTs(n(a[0]!)), iv(a[1]!), -1));
op('+(date, time) -> timestamp', (a) => datePlusTime(n(a[0]!), n(a[1]!)));
op('+(time, date) -> timestamp', (a) => datePlusTime(n(a[1]!), n(a[0]!)));

op('+(timestamp, interval) -> timestamp', (a) => addToTimestamp(n(a[0]!), iv(a[1]!)));
op('+(interval, timestamp) -> timestamp', (a) => addToTimestamp(n(a[1]!), iv(a[0]!)));
op('-(timestamp, interval) -> timestamp', (a) => addToTimestamp(n(a[0]!), iv(a[1]!), -1));
op('+(timestamptz, interval) -> timestamptz', (a, ctx) => addToTimestamptz(n(a[0]!), iv(a[1]!), ctx.settings), { volatility: 'stable' });
op('+(interval, timestamptz) -> timestamptz', (a, ctx) => addToTimestamptz(n(a[1]!), iv(a[0]!), ctx.settings), { volatility: 'stable' });
op('-(timestamptz, interval) -> timestamptz', (a, ctx) => addToTimestamptz(n(a[0]!), iv(a[1]!), ctx.settings, -1), { volatility: 'stable' });

// timestamp_mi justifies hours into days: '2020-01-03 12:00' - '2020-01-01' = '2 days 12:00:00'
op('-(timestamp, timestamp) -> interval', (a) => timestampDiff(n(a[0]!), n(a[1]!)));
op('-(timestamptz, timestamptz) -> interval', (a) => timestampDiff(n(a[0]!), n(a[1]!)));

op('-(time, time) -> interval', (a) => timeDiff(n(a[0]!), n(a[1]!)));
op('+(time, interval) -> time', (a) => timePlusInterval(n(a[0]!), iv(a[1]!)));
op('+(interval, time) -> time', (a) => timePlusInterval(n(a[1]!), iv(a[0]!)));
op('-(time, interval) -> time', (a) => timePlusInterval(n(a[0]!), { months: 0, days: 0, micros: -iv(a[1]!).micros }));

op('+(interval, interval) -> interval', (a) => intervalAdd(iv(a[0]!), iv(a[1]!)));
op('-(interval, interval) -> interval', (a) => intervalAdd(iv(a[0]!), iv(a[1]!), -1));
op('-(interval) -> interval', (a) => intervalAdd({ months: 0, days: 0, micros: 0 }, iv(a[0]!), -1));
op('+(interval) -> interval', (a) => a[0]!);
op('*(interval, float8) -> interval', (a) => intervalMul(iv(a[0]!), n(a[1]!)));
op('*(float8, interval) -> interval', (a) => intervalMul(iv(a[1]!), n(a[0]!)));
op('/(interval, float8) -> interval', (a) => intervalDiv(iv(a[0]!), n(a[1]!)));

// ---- || ------------------------------------------------------------------------------

const textCat: ScalarFn = (a) => (a[0] as string) + (a[1] as string);
op('||(text, text) -> text', textCat);

/** `anynonarray || text` casts the non-text side to text: bool prints as true/false there, unlike its output function. */
function toTextForCat(v: Value, t: SqlType, ctx: EvalContext): string {
  if (t.id === 'bool') return v ? 'true' : 'false';
  return formatValue(v, t, ctx);
}
op('||(anynonarray, text) -> text', () => null, {
  volatility: 'stable',
  specialize: (types) => ({ scalar: (a, ctx) => toTextForCat(a[0]!, types[0]!, ctx) + (a[1] as string) }),
});
op('||(text, anynonarray) -> text', () => null, {
  volatility: 'stable',
  specialize: (types) => ({ scalar: (a, ctx) => (a[0] as string) + toTextForCat(a[1]!, types[1]!, ctx) }),
});
op('||(anycompatiblearray, anycompatiblearray) -> anycompatiblearray', (a) => {
  if (a[0] === null) return a[1]!;
  if (a[1] === null) return a[0];
  return [...(a[0] as Value[]), ...(a[1] as Value[])];
}, { strict: false });
op('||(anycompatiblearray, anycompatible) -> anycompatiblearray', (a) => [...((a[0] as Value[] | null) ?? []), a[1]!], { strict: false });
op('||(anycompatible, anycompatiblearray) -> anycompatiblearray', (a) => [a[0]!, ...((a[1] as Value[] | null) ?? [])], { strict: false });


