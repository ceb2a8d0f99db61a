/**
 * Date/time arithmetic with PostgreSQL's semantics, as pure functions over the
 * run-time representation (values.ts): timestamp/timestamptz ± interval,
 * differences, age, AT TIME ZONE, make_* and to_timestamp.
 *
 * Field extraction and truncation live in datetime-fields.ts, time_bucket and
 * date_bin in time-bucket.ts; parsing/formatting in datetime-parse.ts and
 * datetime-format.ts. Everything is re-exported here.
 */
import { SqlError, SQLSTATE } from '../errors.js';
import { civilFromDays, daysFromCivil, daysInMonth, isLeapYear, type Ymd } from './calendar.js';
import { sessionZone } from './datetime-parse.js';
import { justifyHours } from './interval.js';
import { getTimeZone, localToUtc, utcToLocal, type TimeZone } from './timezone.js';
import { MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND, type FormatContext, type Interval } from './values.js';

export * from './datetime-parse.js';
export * from './datetime-format.js';
export * from './datetime-fields.js';
export * from './time-bucket.js';
export { getTimeZone, localToUtc, utcToLocal, type TimeZone } from './timezone.js';

/** A zone argument: a resolved zone, a session context (its TimeZone), or a zone name (AT TIME ZONE rules). */
export type ZoneArg = TimeZone | FormatContext | string;

export function resolveZone(z: ZoneArg): TimeZone {
  if (typeof z === 'string') return getTimeZone(z, true);
  if ('offsetAtUtc' in z) return z;
  return sessionZone(z);
}

export function timestampOutOfRange(): SqlError {
  return new SqlError(SQLSTATE.datetimeFieldOverflow, 'timestamp out of range');
}

/** PostgreSQL's valid range: 4714-11-24 BC .. 294276 AD (µs since 1970). */
const MIN_TIMESTAMP = -210866803200000000;
const MAX_TIMESTAMP = 9224318016000000000;
function checkTs(ts: number): number {
  if (!(ts >= MIN_TIMESTAMP && ts < MAX_TIMESTAMP)) throw timestampOutOfRange();
  return ts;
}

const scratch: Ymd = { y: 0, m: 0, d: 0 };

/** Add months and days to a wall-clock timestamp (timestamp_pl_interval without the time part). */
function addMonthsDaysLocal(local: number, months: number, days: number): number {
  if (months !== 0) {
    const dayNo = Math.floor(local / MICROS_PER_DAY);
    const tod = local - dayNo * MICROS_PER_DAY;
    const { y, m, d } = civilFromDays(dayNo, scratch);
    const total = y * 12 + (m - 1) + months;
    const ny = Math.floor(total / 12);
    const nm = total - ny * 12 + 1;
    const nd = Math.min(d, daysInMonth(ny, nm));
    local = daysFromCivil(ny, nm, nd) * MICROS_PER_DAY + tod;
  }
  if (days !== 0) local += days * MICROS_PER_DAY;
  return local;
}

/** timestamp + interval. */
export function timestampPlusInterval(ts: number, iv: Interval): number {
  if (!Number.isFinite(ts)) return ts;
  return checkTs(addMonthsDaysLocal(ts, iv.months, iv.days) + iv.micros);
}
export function timestampMinusInterval(ts: number, iv: Interval): number {
  return timestampPlusInterval(ts, { months: -iv.months, days: -iv.days, micros: -iv.micros });
}

/**
 * timestamptz + interval: months and days are applied to the local time in
 * `zone` (so '1 day' keeps the wall-clock time across DST), the time part to
 * the absolute instant.
 */
export function timestamptzPlusInterval(ts: number, iv: Interval, zone: ZoneArg): number {
  if (!Number.isFinite(ts)) return ts;
  if (iv.months !== 0 || iv.days !== 0) {
    const tz = resolveZone(zone);
    const local = utcToLocal(ts, tz);
    ts = localToUtc(addMonthsDaysLocal(local, iv.months, iv.days), tz);
  }
  return checkTs(ts + iv.micros);
}
export function timestamptzMinusInterval(ts: number, iv: Interval, zone: ZoneArg): number {
  return timestamptzPlusInterval(ts, { months: -iv.months, days: -iv.days, micros: -iv.micros }, zone);
}

/** timestamp - timestamp (also timestamptz - timestamptz): justify_hours of the µs difference. */
export function timestampDiff(a: number, b: number): Interval {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new SqlError(SQLSTATE.datetimeFieldOverflow, 'cannot subtract infinite timestamps');
  return justifyHours({ months: 0, days: 0, micros: a - b });
}

/** date + integer. */
export function datePlusDays(d: number, n: number): number {
  if (!Number.isFinite(d)) return d;
  const r = d + n;
  if (r < -2451545 - 2440588 || r > 2147483647) throw new SqlError(SQLSTATE.datetimeFieldOverflow, 'date out of range');
  return r;
}
export function dateMinusDays(d: number, n: number): number {
  return datePlusDays(d, -n);
}
/** date - date → integer days. */
export function dateDiff(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new SqlError(SQLSTATE.datetimeFieldOverflow, 'cannot subtract infinite dates');
  return a - b;
}
/** date + time → timestamp. */
export function datePlusTime(d: number, t: number): number {
  if (!Number.isFinite(d)) return d;
  return d * MICROS_PER_DAY + t;
}
/** date → timestamp (midnight). */
export function dateToTimestamp(d: number): number {
  return Number.isFinite(d) ? d * MICROS_PER_DAY : d;
}
/** date → timestamptz (local midnight in the zone). */
export function dateToTimestamptz(d: number, zone: ZoneArg): number {
  return Number.isFinite(d) ? localToUtc(d * MICROS_PER_DAY, resolveZone(zone)) : d;
}
/** timestamp → date. */
export function timestampToDate(ts: number): number {
  return Number.isFinite(ts) ? Math.floor(ts / MICROS_PER_DAY) : ts;
}
/** timestamptz → date in the zone. */
export function timestamptzToDate(ts: number, zone: ZoneArg): number {
  return Number.isFinite(ts) ? Math.floor(utcToLocal(ts, resolveZone(zone)) / MICROS_PER_DAY) : ts;
}
/** timestamp → time. */
export function timestampToTime(ts: number): number {
  if (!Number.isFinite(ts)) throw new SqlError(SQLSTATE.datetimeFieldOverflow, 'timestamp out of range');
  const d = Math.floor(ts / MICROS_PER_DAY);
  return ts - d * MICROS_PER_DAY;
}
/** timestamptz → timestamp (wall clock in the zone). */
export function timestamptzToTimestamp(ts: number, zone: ZoneArg): number {
  return Number.isFinite(ts) ? utcToLocal(ts, resolveZone(zone)) : ts;
}
/** timestamp → timestamptz (the wall clock read in the zone). */
export function timestampToTimestamptz(ts: number, zone: ZoneArg): number {
  return Number.isFinite(ts) ? localToUtc(ts, resolveZone(zone)) : ts;
}
/** date + interval → timestamp. */
export function datePlusInterval(d: number, iv: Interval): number {
  return timestampPlusInterval(dateToTimestamp(d), iv);
}
export function dateMinusInterval(d: number, iv: Interval): number {
  return timestampMinusInterval(dateToTimestamp(d), iv);
}
/** time ± interval (wraps around midnight). */
export function timePlusInterval(t: number, iv: Interval): number {
  const r = (t + iv.micros) % MICROS_PER_DAY;
  return r < 0 ? r + MICROS_PER_DAY : r;
}
/** time - time → interval. */
export function timeDiff(a: number, b: number): Interval {
  return { months: 0, days: 0, micros: a - b };
}

interface Tm {
  year: number;
  mon: number;
  mday: number;
  hour: number;
  min: number;
  sec: number;
  fsec: number;
}
function toTm(local: number): Tm {
  const days = Math.floor(local / MICROS_PER_DAY);
  let tod = local - days * MICROS_PER_DAY;
  const { y, m, d } = civilFromDays(days);
  const hour = Math.floor(tod / MICROS_PER_HOUR);
  tod -= hour * MICROS_PER_HOUR;
  const min = Math.floor(tod / MICROS_PER_MINUTE);
  tod -= min * MICROS_PER_MINUTE;
  const sec = Math.floor(tod / MICROS_PER_SECOND);
  return { year: y, mon: m, mday: d, hour, min, sec, fsec: tod - sec * MICROS_PER_SECOND };
}

/** age() on two wall-clock timestamps: PostgreSQL's symbolic year/month/day difference. */
export function ageLocal(dt1: number, dt2: number): Interval {
  if (!Number.isFinite(dt1) || !Number.isFinite(dt2)) throw timestampOutOfRange();
  const tm1 = toTm(dt1);
  const tm2 = toTm(dt2);
  let fsec = tm1.fsec - tm2.fsec;
  let sec = tm1.sec - tm2.sec;
  let min = tm1.min - tm2.min;
  let hour = tm1.hour - tm2.hour;
  let mday = tm1.mday - tm2.mday;
  let mon = tm1.mon - tm2.mon;
  let year = tm1.year - tm2.year;
  const flip = dt1 < dt2;
  if (flip) {
    fsec = -fsec; sec = -sec; min = -min; hour = -hour; mday = -mday; mon = -mon; year = -year;
  }
  while (fsec < 0) {
    fsec += MICROS_PER_SECOND;
    sec--;
  }
  while (sec < 0) {
    sec += 60;
    min--;
  }
  while (min < 0) {
    min += 60;
    hour--;
  }
  while (hour < 0) {
    hour += 24;
    mday--;
  }
  while (mday < 0) {
    const ref = flip ? tm1 : tm2;
    mday += daysInMonth(ref.year, ref.mon);
    mon--;
  }
  while (mon < 0) {
    mon += 12;
    year--;
  }
  if (flip) {
    fsec = -fsec; sec = -sec; min = -min; hour = -hour; mday = -mday; mon = -mon; year = -year;
  }
  return {
    months: year * 12 + mon + 0,
    days: mday + 0,
    micros: ((hour * 60 + min) * 60 + sec) * MICROS_PER_SECOND + fsec + 0,
  };
}

/** age(timestamp, timestamp). */
export function ageTimestamp(a: number, b: number): Interval {
  return ageLocal(a, b);
}
/** age(timestamptz, timestamptz): fields taken in the session zone. */
export function ageTimestamptz(a: number, b: number, zone: ZoneArg): Interval {
  const tz = resolveZone(zone);
  return ageLocal(utcToLocal(a, tz), utcToLocal(b, tz));
}
/** age(timestamp) = age(current_date, ts); `nowMicros` is the transaction timestamp (UTC µs). */
export function ageFromToday(ts: number, nowMicros: number, zone: ZoneArg, tz: boolean): Interval {
  const z = resolveZone(zone);
  const today = Math.floor(utcToLocal(nowMicros, z) / MICROS_PER_DAY) * MICROS_PER_DAY;
  return tz ? ageLocal(today, utcToLocal(ts, z)) : ageLocal(today, ts);
}

/** timestamptz AT TIME ZONE zone → timestamp. A zone given as interval uses its (ISO-signed) offset. */
export function timestamptzAtZone(ts: number, zone: string | Interval | TimeZone): number {
  if (!Number.isFinite(ts)) return ts;
  if (typeof zone === 'object' && 'months' in zone) {
    checkZoneInterval(zone);
    return ts + zone.micros;
  }
  return utcToLocal(ts, typeof zone === 'string' ? getTimeZone(zone, true) : zone);
}
/** timestamp AT TIME ZONE zone → timestamptz. */
export function timestampAtZone(ts: number, zone: string | Interval | TimeZone): number {
  if (!Number.isFinite(ts)) return ts;
  if (typeof zone === 'object' && 'months' in zone) {
    checkZoneInterval(zone);
    return ts - zone.micros;
  }
  return localToUtc(ts, typeof zone === 'string' ? getTimeZone(zone, true) : zone);
}
function checkZoneInterval(iv: Interval): void {
  if (iv.months !== 0 || iv.days !== 0)
    throw new SqlError(SQLSTATE.invalidParameterValue, `interval time zone "${iv.months ? iv.months + ' mons' : iv.days + ' days'}" must not include months or days`);
}

/** to_timestamp(double precision): seconds since the Unix epoch → timestamptz. */
export function toTimestamp(epochSeconds: number): number {
  if (Number.isNaN(epochSeconds)) throw new SqlError(SQLSTATE.datetimeFieldOverflow, 'timestamp cannot be NaN');
  if (!Number.isFinite(epochSeconds)) return epochSeconds;
  const us = epochSeconds * 1e6;
  const r = Math.round(us);
  const v = r - us === 0.5 && r % 2 !== 0 ? r - 1 : r;
  if (v < MIN_TIMESTAMP || v >= MAX_TIMESTAMP)
    throw new SqlError(SQLSTATE.datetimeFieldOverflow, `timestamp out of range: "${epochSeconds}"`);
  return v + 0;
}

function fieldOverflow(msg: string): SqlError {
  return new SqlError(SQLSTATE.datetimeFieldOverflow, msg);
}

/** make_date(year, month, day); negative years are BC. */
export function makeDate(year: number, month: number, day: number): number {
  if (year === 0) throw fieldOverflow(`date field value out of range: ${year}-${pad2(month)}-${pad2(day)}`);
  const y = year < 0 ? year + 1 : year;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(y, month))
    throw fieldOverflow(`date field value out of range: ${year}-${pad2(month)}-${pad2(day)}`);
  return daysFromCivil(y, month, day);
}
function pad2(n: number): string {
  return n >= 0 && n < 10 ? '0' + n : String(n);
}

/** make_time(hour, min, sec). */
export function makeTime(hour: number, min: number, sec: number): number {
  if (hour < 0 || min < 0 || min > 59 || sec < 0 || sec > 60 || hour > 24 || (hour === 24 && (min > 0 || sec > 0)))
    throw fieldOverflow(`time field value out of range: ${hour}:${pad2(min)}:${pad2(sec)}`);
  return hour * MICROS_PER_HOUR + min * MICROS_PER_MINUTE + Math.round(sec * 1e6);
}

/** make_timestamp(year, month, mday, hour, min, sec). */
export function makeTimestamp(year: number, month: number, day: number, hour: number, min: number, sec: number): number {
  if (year === 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year < 0 ? year + 1 : year, month))
    throw fieldOverflow(`date field value out of range: ${year}-${pad2(month)}-${pad2(day)}`);
  if (hour < 0 || min < 0 || min > 59 || sec < 0 || sec > 60 || hour > 24 || (hour === 24 && (min > 0 || sec > 0)))
    throw fieldOverflow(`time field value out of range: ${hour}:${pad2(min)}:${pad2(sec)}`);
  return makeDate(year, month, day) * MICROS_PER_DAY + makeTime(hour, min, sec);
}

/** make_timestamptz(…, [zone]): the wall clock read in `zone` (default: session zone). */
export function makeTimestamptz(year: number, month: number, day: number, hour: number, min: number, sec: number, zone: ZoneArg): number {
  return localToUtc(makeTimestamp(year, month, day, hour, min, sec), resolveZone(zone));
}

/** isfinite(). */
export function isFiniteDateTime(v: number): boolean {
  return Number.isFinite(v);
}

export { isLeapYear };
