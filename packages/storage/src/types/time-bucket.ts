/**
 * TimescaleDB's time_bucket (as in 2.13, src/time_bucket.c and its SQL
 * wrappers) and PostgreSQL 14+'s date_bin.
 *
 *  - default origin: Monday 2000-01-03 for day/time widths; month widths are
 *    aligned to 2000-01-01 (only the year/month of an origin matter);
 *  - floor semantics before the origin;
 *  - `offset` variants: time_bucket(w, ts - offset) + offset;
 *  - `timezone` variant: bucket the wall clock in that zone, convert back.
 */
import { SqlError, SQLSTATE } from '../errors.js';
import { civilFromDays, daysFromCivil } from './calendar.js';
import { timestampMinusInterval, timestampPlusInterval } from './datetime.js';
import { getTimeZone, localToUtc, utcToLocal } from './timezone.js';
import { MICROS_PER_DAY, PG_EPOCH_MICROS, type Interval } from './values.js';

const DEFAULT_ORIGIN = PG_EPOCH_MICROS + 2 * MICROS_PER_DAY; // 2000-01-03 00:00 (µs since 1970)
const PG_EPOCH_DAYS_UNIX = PG_EPOCH_MICROS / MICROS_PER_DAY;

function periodNotPositive(): SqlError {
  return new SqlError(SQLSTATE.invalidParameterValue, 'period must be greater than 0');
}
function outOfRange(): SqlError {
  return new SqlError(SQLSTATE.numericValueOutOfRange, 'timestamp out of range');
}

/** floor((ts - origin) / period) * period + origin, computed without losing µs. */
function bucketFloor(period: number, ts: number, origin: number): number {
  if (period <= 0) throw periodNotPositive();
  const shift = origin % period; // C semantics: sign of origin
  const t = ts - shift;
  const q = Math.trunc(t / period);
  let r = t - q * period;
  let res = q * period;
  if (r < 0) {
    res -= period;
    r += period;
  }
  return res + shift;
}

function monthPeriodCheck(iv: Interval): void {
  if (iv.days !== 0 || iv.micros !== 0)
    throw new SqlError(SQLSTATE.featureNotSupported, 'month intervals cannot have day or time component');
}

/** bucket_month: nth month since the origin's month; origin as a day number (days since 1970). */
function bucketMonth(period: number, dateDays: number, originDays: number): number {
  if (period <= 0) throw periodNotPositive();
  const a = civilFromDays(dateDays);
  const ts = a.y * 12 + a.m - 1;
  const o = civilFromDays(originDays);
  let offset = o.y * 12 + o.m - 1;
  offset = offset % period;
  const t = ts - offset;
  let res = Math.trunc(t / period) * period;
  if (t < 0 && t % period) res -= period;
  res += offset;
  const year = Math.trunc(res / 12);
  const month = res % 12;
  return daysFromCivil(year, month + 1, 1);
}

function periodOf(iv: Interval): number {
  return iv.micros + iv.days * MICROS_PER_DAY;
}

/**
 * time_bucket(width, timestamp [, origin]) — `origin` as a timestamp in µs.
 * Also used for timestamptz (same arithmetic on UTC µs, months aligned by UTC date).
 */
export function timeBucketTimestamp(width: Interval, ts: number, origin?: number): number {
  if (!Number.isFinite(ts)) return ts;
  if (origin !== undefined && !Number.isFinite(origin))
    throw new SqlError(SQLSTATE.invalidParameterValue, 'invalid origin value: infinity');
  if (width.months) {
    monthPeriodCheck(width);
    const date = Math.floor(ts / MICROS_PER_DAY);
    const originDays = origin !== undefined && origin !== DEFAULT_ORIGIN ? Math.floor(origin / MICROS_PER_DAY) : PG_EPOCH_DAYS_UNIX;
    return bucketMonth(width.months, date, originDays) * MICROS_PER_DAY;
  }
  return bucketFloor(periodOf(width), ts, origin ?? DEFAULT_ORIGIN);
}

/** time_bucket(width, timestamptz [, origin]) without a zone: UTC arithmetic. */
export function timeBucketTimestamptz(width: Interval, ts: number, origin?: number): number {
  return timeBucketTimestamp(width, ts, origin);
}

/** time_bucket(width, date [, origin date]). */
export function timeBucketDate(width: Interval, date: number, origin?: number): number {
  if (!Number.isFinite(date)) return date;
  if (width.months) {
    monthPeriodCheck(width);
    return bucketMonth(width.months, date, origin ?? PG_EPOCH_DAYS_UNIX);
  }
  const period = periodOf(width);
  if (period < MICROS_PER_DAY) throw new SqlError(SQLSTATE.featureNotSupported, 'interval must not have sub-day precision');
  if (period % MICROS_PER_DAY !== 0) throw new SqlError(SQLSTATE.featureNotSupported, 'interval must be a multiple of a day');
  const originTs = origin !== undefined ? origin * MICROS_PER_DAY : DEFAULT_ORIGIN;
  return Math.floor(bucketFloor(period, date * MICROS_PER_DAY, originTs) / MICROS_PER_DAY);
}

/** time_bucket(width, timestamp, "offset" interval) = time_bucket(width, ts - offset) + offset. */
export function timeBucketTimestampOffset(width: Interval, ts: number, offset: Interval): number {
  if (!Number.isFinite(ts)) return ts;
  return timestampPlusInterval(timeBucketTimestamp(width, timestampMinusInterval(ts, offset)), offset);
}

/**
 * time_bucket(width, timestamptz, "offset" interval): the SQL wrapper computes
 * ts - offset and + offset as timestamptz arithmetic in the session zone.
 */
export function timeBucketTimestamptzOffset(
  width: Interval,
  ts: number,
  offset: Interval,
  sessionZone: string,
): number {
  if (!Number.isFinite(ts)) return ts;
  const z = getTimeZone(sessionZone, false);
  const shifted = localToUtc(timestampMinusInterval(utcToLocal(ts, z), { months: offset.months, days: offset.days, micros: 0 }), z) - offset.micros;
  const b = timeBucketTimestamp(width, shifted);
  const back = localToUtc(timestampPlusInterval(utcToLocal(b, z), { months: offset.months, days: offset.days, micros: 0 }), z);
  return back + offset.micros;
}

/** time_bucket(width, date, "offset" interval) → date. */
export function timeBucketDateOffset(width: Interval, date: number, offset: Interval): number {
  if (!Number.isFinite(date)) return date;
  const r = timeBucketTimestampOffset(width, date * MICROS_PER_DAY, offset);
  return Math.floor(r / MICROS_PER_DAY);
}

/**
 * time_bucket(width, ts timestamptz, timezone text [, origin timestamptz] [, "offset" interval]):
 * buckets the wall clock in `timezone` (TimescaleDB's ts_timestamptz_timezone_bucket).
 */
export function timeBucketTimestamptzZone(
  width: Interval,
  ts: number,
  timezone: string | null,
  origin?: number | null,
  offset?: Interval | null,
): number {
  if (origin != null && offset != null)
    throw new SqlError(SQLSTATE.invalidParameterValue, 'using origin and offset at the same time is not supported');
  if (!Number.isFinite(ts)) return ts;
  const z = timezone != null ? getTimeZone(timezone, true) : null;
  let t = z ? utcToLocal(ts, z) : ts;
  const o = origin != null ? (z ? utcToLocal(origin, z) : origin) : undefined;
  if (offset) t = timestampMinusInterval(t, offset);
  t = timeBucketTimestamp(width, t, o);
  if (offset) t = timestampPlusInterval(t, offset);
  return z ? localToUtc(t, z) : t;
}

function intOutOfRange(): SqlError {
  return new SqlError(SQLSTATE.numericValueOutOfRange, 'timestamp out of range');
}

const INT_LIMITS = {
  int2: [-32768, 32767],
  int4: [-2147483648, 2147483647],
  int8: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
} as const;

/** time_bucket(width, value [, offset]) for int2/int4/int8 (TIME_BUCKET macro). */
export function timeBucketInt(width: number, value: number, offset = 0, type: 'int2' | 'int4' | 'int8' = 'int8'): number {
  const [min, max] = INT_LIMITS[type];
  if (width <= 0) throw periodNotPositive();
  let ts = value;
  let off = offset;
  if (off !== 0) {
    off = off % width;
    if ((off > 0 && ts < min + off) || (off < 0 && ts > max + off)) throw intOutOfRange();
    ts -= off;
  }
  let result = Math.trunc(ts / width) * width;
  if (ts < 0 && ts % width) {
    if (result < min + width) throw intOutOfRange();
    result -= width;
  }
  return result + off + 0;
}

/** date_bin(stride, source, origin) for timestamp/timestamptz (floor toward -infinity). */
export function dateBin(stride: Interval, source: number, origin: number): number {
  if (!Number.isFinite(source)) return source;
  if (!Number.isFinite(origin)) throw new SqlError(SQLSTATE.datetimeFieldOverflow, 'origin out of range');
  if (stride.months !== 0)
    throw new SqlError(SQLSTATE.featureNotSupported, 'timestamps cannot be binned into intervals containing months or years');
  const s = periodOf(stride);
  if (s <= 0) throw new SqlError(SQLSTATE.invalidParameterValue, 'stride must be greater than zero');
  const diff = source - origin;
  const mod = diff % s;
  let result = origin + (diff - mod);
  if (mod < 0) result -= s;
  if (!Number.isFinite(result)) throw outOfRange();
  return result;
}
