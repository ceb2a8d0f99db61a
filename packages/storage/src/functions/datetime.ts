/** Date/time functions: current time, date_trunc, date_part/extract, constructors, age, time zones. */
import { SqlError, SQLSTATE } from '../errors.js';
import type { Interval, Value } from '../types/values.js';
import { MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND } from '../types/values.js';
import type { EvalContext } from '../expr/expr.js';
import type { NumberVector } from '../vector.js';
import {
  ageFromToday, ageTimestamp, ageTimestamptz, datePartFloat, dateTruncInterval, dateTruncTimestamp, dateTruncTimestamptz, extractNumeric,
  makeDate, makeTime, makeTimestamp, makeTimestamptz, normalizeDateField, resolveZone, timestampAtZone, timestamptzAtZone, toTimestamp,
  type DateTimeValueKind, type ZoneArg,
} from '../types/datetime.js';
import { getTimeZone } from '../types/timezone.js';
import { fn, type ScalarFn, type VectorFn } from './catalog.js';
import { floorDiv, justifyDays, justifyHours, justifyInterval, utcToLocal } from './dt.js';
import { constantValue, rowwise } from './vector-kernels.js';
import './time-bucket.js';

const n = (v: Value): number => v as number;
const s = (v: Value): string => v as string;
/** The session zone (SET TIME ZONE semantics). */
const zoneOf = (ctx: EvalContext): ZoneArg => ctx.settings;

// ---- current time ----------------------------------------------------------------------------------

/** Round µs to `p` fractional digits (timestamp(p)), half away from zero like PostgreSQL's rint on µs. */
function roundPrecision(us: number, p: number): number {
  if (p < 0) throw new SqlError(SQLSTATE.invalidParameterValue, `TIMESTAMP(${p}) precision must not be negative`);
  if (p >= 6 || !Number.isFinite(us)) return us;
  const unit = 10 ** (6 - p);
  return Math.round(us / unit) * unit;
}
const stable = { volatility: 'stable' as const };
const txTime: ScalarFn = (_a, ctx) => ctx.transactionTime;
fn('now() -> timestamptz', txTime, stable);
fn('current_timestamp() -> timestamptz', txTime, stable);
fn('current_timestamp(int4) -> timestamptz', (a, ctx) => roundPrecision(ctx.transactionTime, n(a[0]!)), stable);
fn('transaction_timestamp() -> timestamptz', txTime, stable);
fn('statement_timestamp() -> timestamptz', (_a, ctx) => ctx.statementTime, stable);
function clockMicros(): number {
  const ms = performance.timeOrigin + performance.now();
  return Math.round(ms * 1000);
}
fn('clock_timestamp() -> timestamptz', () => clockMicros(), { volatility: 'volatile' });
fn('timeofday() -> text', (_a, ctx) => {
  const local = utcToLocal(clockMicros(), zoneOf(ctx));
  const d = new Date(Math.floor(local / 1000));
  const dow = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const p2 = (x: number) => String(x).padStart(2, '0');
  const us = String(((local % 1e6) + 1e6) % 1e6).padStart(6, '0');
  return `${dow} ${mon} ${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${us} ${d.getUTCFullYear()} ${ctx.settings.timeZone}`;
}, { volatility: 'volatile' });
fn('current_date() -> date', (_a, ctx) => floorDiv(utcToLocal(ctx.transactionTime, zoneOf(ctx)), MICROS_PER_DAY), stable);
fn('localtimestamp() -> timestamp', (_a, ctx) => utcToLocal(ctx.transactionTime, zoneOf(ctx)), stable);
fn('localtimestamp(int4) -> timestamp', (a, ctx) => roundPrecision(utcToLocal(ctx.transactionTime, zoneOf(ctx)), n(a[0]!)), stable);
// PostgreSQL's current_time is timetz, which Strata lacks: it returns the local time of day
const localTime: ScalarFn = (_a, ctx) => {
  const l = utcToLocal(ctx.transactionTime, zoneOf(ctx));
  return l - floorDiv(l, MICROS_PER_DAY) * MICROS_PER_DAY;
};
fn('current_time() -> time', localTime, stable);
fn('localtime() -> time', localTime, stable);

// ---- date_trunc ----------------------------------------------------------------------------------------

const FIXED_UNITS: Record<string, number> = { microseconds: 1, milliseconds: 1000, second: MICROS_PER_SECOND, minute: MICROS_PER_MINUTE, hour: MICROS_PER_HOUR, day: MICROS_PER_DAY };

/**
 * Constant unit over a number column: fixed-size units are one floor per row
 * (in UTC, or any zone for units below a minute); the rest go row by row.
 */
function truncVector(scalar: ScalarFn, kind: 'timestamp' | 'timestamptz'): VectorFn {
  const fallback = rowwise(scalar);
  return (args, length, ctx, rt) => {
    const unit = constantValue(args[0]!);
    const col = args[1]!;
    if (typeof unit !== 'string' || col.tag !== 'number' || args.length !== 2) return fallback(args, length, ctx, rt);
    const size = FIXED_UNITS[normalizeDateField(unit, kind)];
    const utc = kind === 'timestamp' || getTimeZone(ctx.settings.timeZone, false).fixedOffset === 0;
    if (size === undefined || (!utc && size >= MICROS_PER_MINUTE)) return fallback(args, length, ctx, rt);
    const out = new Float64Array(length);
    const x = col.values;
    for (let i = 0; i < length; i++) {
      const v = x[i]!;
      out[i] = Number.isFinite(v) ? Math.floor(v / size) * size : v;
    }
    const res: NumberVector = { tag: 'number', type: rt, length, values: out, nulls: col.nulls };
    return res;
  };
}

const truncTs: ScalarFn = (a) => dateTruncTimestamp(s(a[0]!), n(a[1]!));
fn('date_trunc(text, timestamp) -> timestamp', truncTs, { vector: truncVector(truncTs, 'timestamp') });
const truncTz: ScalarFn = (a, ctx) => dateTruncTimestamptz(s(a[0]!), n(a[1]!), resolveZone(ctx.settings));
fn('date_trunc(text, timestamptz) -> timestamptz', truncTz, { volatility: 'stable', vector: truncVector(truncTz, 'timestamptz') });
fn('date_trunc(text, timestamptz, text) -> timestamptz', (a) => dateTruncTimestamptz(s(a[0]!), n(a[1]!), getTimeZone(s(a[2]!), true)), stable);
fn('date_trunc(text, interval) -> interval', (a) => dateTruncInterval(s(a[0]!), a[1] as Interval));

// ---- date_part / extract --------------------------------------------------------------------------------

for (const [kind, type] of [['timestamp', 'timestamp'], ['timestamptz', 'timestamptz'], ['date', 'date'], ['interval', 'interval'], ['time', 'time']] as const) {
  const k: DateTimeValueKind = kind;
  const zone = (ctx: EvalContext) => (k === 'timestamptz' ? resolveZone(ctx.settings) : null);
  const vol = k === 'timestamptz' ? stable : {};
  fn(`date_part(text, ${type}) -> float8`, (a, ctx) => datePartFloat(s(a[0]!), k, a[1] as number | Interval, zone(ctx)), vol);
  fn(`extract(text, ${type}) -> numeric`, (a, ctx) => extractNumeric(s(a[0]!), k, a[1] as number | Interval, zone(ctx)), vol);
}

// ---- constructors ------------------------------------------------------------------------------------

fn('to_timestamp(float8) -> timestamptz', (a) => toTimestamp(n(a[0]!)));
fn('make_date(int4, int4, int4) -> date', (a) => makeDate(n(a[0]!), n(a[1]!), n(a[2]!)), { argNames: ['year', 'month', 'day'] });
fn('make_time(int4, int4, float8) -> time', (a) => makeTime(n(a[0]!), n(a[1]!), n(a[2]!)), { argNames: ['hour', 'min', 'sec'] });
const tsArgs = (a: Value[]) => [n(a[0]!), n(a[1]!), n(a[2]!), n(a[3]!), n(a[4]!), n(a[5]!)] as const;
fn('make_timestamp(int4, int4, int4, int4, int4, float8) -> timestamp', (a) => makeTimestamp(...tsArgs(a)), { argNames: ['year', 'month', 'mday', 'hour', 'min', 'sec'] });
fn('make_timestamptz(int4, int4, int4, int4, int4, float8) -> timestamptz', (a, ctx) => makeTimestamptz(...tsArgs(a), ctx.settings), {
  volatility: 'stable',
  argNames: ['year', 'month', 'mday', 'hour', 'min', 'sec', 'timezone'],
});
fn('make_timestamptz(int4, int4, int4, int4, int4, float8, text) -> timestamptz', (a) => makeTimestamptz(...tsArgs(a), s(a[6]!)), stable);

const IV_NAMES = ['years', 'months', 'weeks', 'days', 'hours', 'mins', 'secs'];
const IV_TYPES = ['int4', 'int4', 'int4', 'int4', 'int4', 'int4', 'float8'];
// PostgreSQL declares one 7-argument function with defaults; one overload per arity gives the same calls
for (let k = 0; k <= 7; k++) {
  fn(`make_interval(${IV_TYPES.slice(0, k).join(', ')}) -> interval`, (a) => {
    const v = [0, 0, 0, 0, 0, 0, 0].map((z, i) => (i < a.length ? n(a[i]!) : z));
    const [y, mo, w, d, h, mi, sec] = v as [number, number, number, number, number, number, number];
    const micros = h * MICROS_PER_HOUR + mi * MICROS_PER_MINUTE + Math.round(sec * 1e6);
    if (!Number.isFinite(micros)) throw new SqlError(SQLSTATE.datetimeFieldOverflow, 'interval out of range');
    return { months: y * 12 + mo, days: w * 7 + d, micros };
  }, { argNames: IV_NAMES, defaults: [0, 0, 0, 0, 0, 0, 0] });
}

// ---- age, justify, isfinite, time zones ---------------------------------------------------------------------

fn('age(timestamp, timestamp) -> interval', (a) => ageTimestamp(n(a[0]!), n(a[1]!)));
fn('age(timestamptz, timestamptz) -> interval', (a, ctx) => ageTimestamptz(n(a[0]!), n(a[1]!), ctx.settings), stable);
fn('age(timestamp) -> interval', (a, ctx) => ageFromToday(n(a[0]!), ctx.transactionTime, ctx.settings, false), stable);
fn('age(timestamptz) -> interval', (a, ctx) => ageFromToday(n(a[0]!), ctx.transactionTime, ctx.settings, true), stable);

fn('justify_days(interval) -> interval', (a) => justifyDays(a[0] as Interval));
fn('justify_hours(interval) -> interval', (a) => justifyHours(a[0] as Interval));
fn('justify_interval(interval) -> interval', (a) => justifyInterval(a[0] as Interval));
for (const t of ['date', 'timestamp', 'timestamptz']) fn(`isfinite(${t}) -> bool`, (a) => Number.isFinite(n(a[0]!)));
fn('isfinite(interval) -> bool', () => true);

// AT TIME ZONE: timestamptz → wall clock of the zone, and back
fn('timezone(text, timestamptz) -> timestamp', (a) => timestamptzAtZone(n(a[1]!), s(a[0]!)));
fn('timezone(text, timestamp) -> timestamptz', (a) => timestampAtZone(n(a[1]!), s(a[0]!)));
fn('timezone(interval, timestamptz) -> timestamp', (a) => timestamptzAtZone(n(a[1]!), a[0] as Interval));
fn('timezone(interval, timestamp) -> timestamptz', (a) => timestampAtZone(n(a[1]!), a[0] as Interval));
