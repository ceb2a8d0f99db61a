/**
 * date_trunc, date_part (float8) and EXTRACT (numeric) with PostgreSQL 15's
 * unit names, results and errors.
 */
import { SqlError, SQLSTATE } from '../errors.js';
import { civilFromDays, dayOfWeek, daysFromCivil, isoWeek, isoYearStart } from './calendar.js';
import { Decimal } from './numeric.js';
import { localToUtc, utcToLocal, type TimeZone } from './timezone.js';
import { MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND, type Interval } from './values.js';

export type DateField =
  | 'microseconds' | 'milliseconds' | 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter'
  | 'year' | 'decade' | 'century' | 'millennium' | 'epoch' | 'dow' | 'isodow' | 'doy' | 'isoyear' | 'julian'
  | 'timezone' | 'timezone_hour' | 'timezone_minute';

const FIELD_NAMES: Record<string, DateField> = {};
function names(f: DateField, ...ns: string[]): void {
  for (const n of ns) FIELD_NAMES[n] = f;
}
names('microseconds', 'microsecond', 'microseconds', 'us', 'usec', 'usecs', 'microsecon');
names('milliseconds', 'millisecond', 'milliseconds', 'ms', 'msec', 'msecs', 'millisecon');
names('second', 'second', 'seconds', 's', 'sec', 'secs');
names('minute', 'minute', 'minutes', 'm', 'min', 'mins');
names('hour', 'hour', 'hours', 'h', 'hr', 'hrs');
names('day', 'day', 'days', 'd');
names('week', 'week', 'weeks', 'w');
names('month', 'month', 'months', 'mon', 'mons');
names('quarter', 'quarter', 'qtr');
names('year', 'year', 'years', 'y', 'yr', 'yrs');
names('decade', 'decade', 'decades', 'dec', 'decs');
names('century', 'century', 'centuries', 'c', 'cent');
names('millennium', 'millennium', 'millennia', 'mil', 'mils', 'millenniums');
names('epoch', 'epoch');
names('dow', 'dow');
names('isodow', 'isodow');
names('doy', 'doy');
names('isoyear', 'isoyear');
names('julian', 'julian', 'j');
names('timezone', 'timezone');
names('timezone_hour', 'timezone_h', 'timezone_hour');
names('timezone_minute', 'timezone_m', 'timezone_minute');

export type DateTimeValueKind = 'date' | 'time' | 'timestamp' | 'timestamptz' | 'interval';
const KIND_NAMES: Record<DateTimeValueKind, string> = {
  date: 'date',
  time: 'time without time zone',
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  interval: 'interval',
};

function notRecognized(unit: string, kind: DateTimeValueKind): SqlError {
  return new SqlError(SQLSTATE.invalidParameterValue, `unit "${unit}" not recognized for type ${KIND_NAMES[kind]}`);
}
function notSupported(unit: string, kind: DateTimeValueKind, detail?: string): SqlError {
  return new SqlError(SQLSTATE.featureNotSupported, `unit "${unit}" not supported for type ${KIND_NAMES[kind]}`, detail ? { detail } : {});
}

/** Canonical field for a unit name (case-insensitive), or throws 22023. */
export function normalizeDateField(unit: string, kind: DateTimeValueKind = 'timestamp'): DateField {
  const f = FIELD_NAMES[unit.toLowerCase().trim()];
  if (!f) throw notRecognized(unit.toLowerCase(), kind);
  return f;
}

// ---------------------------------------------------------------------------
// date_trunc

function truncYear(year: number, f: DateField): number {
  // PostgreSQL's BC-aware rounding (astronomical years)
  switch (f) {
    case 'millennium':
      return year > 0 ? Math.trunc((year + 999) / 1000) * 1000 - 999 : -Math.trunc((999 - (year - 1)) / 1000) * 1000 + 1;
    case 'century':
      return year > 0 ? Math.trunc((year + 99) / 100) * 100 - 99 : -Math.trunc((99 - (year - 1)) / 100) * 100 + 1;
    case 'decade':
      return year > 0 ? Math.trunc(year / 10) * 10 : -Math.trunc((8 - (year - 1)) / 10) * 10;
    default:
      return year;
  }
}

/** date_trunc on a wall-clock µs value. */
function truncLocal(f: DateField, local: number, unit: string, kind: DateTimeValueKind): number {
  const days = Math.floor(local / MICROS_PER_DAY);
  const tod = local - days * MICROS_PER_DAY;
  switch (f) {
    case 'microseconds':
      return local;
    case 'milliseconds':
      return days * MICROS_PER_DAY + Math.floor(tod / 1000) * 1000;
    case 'second':
      return days * MICROS_PER_DAY + Math.floor(tod / MICROS_PER_SECOND) * MICROS_PER_SECOND;
    case 'minute':
      return days * MICROS_PER_DAY + Math.floor(tod / MICROS_PER_MINUTE) * MICROS_PER_MINUTE;
    case 'hour':
      return days * MICROS_PER_DAY + Math.floor(tod / MICROS_PER_HOUR) * MICROS_PER_HOUR;
    case 'day':
      return days * MICROS_PER_DAY;
    case 'week':
      return (days - ((dayOfWeek(days) + 6) % 7)) * MICROS_PER_DAY;
    case 'month':
    case 'quarter':
    case 'year':
    case 'decade':
    case 'century':
    case 'millennium': {
      const { y, m } = civilFromDays(days);
      let mon = m;
      if (f === 'quarter') mon = 3 * Math.floor((m - 1) / 3) + 1;
      else if (f !== 'month') mon = 1;
      return daysFromCivil(truncYear(y, f), mon, 1) * MICROS_PER_DAY;
    }
    default:
      throw notSupported(unit, kind);
  }
}

/** date_trunc(field, timestamp). */
export function dateTruncTimestamp(field: string, ts: number): number {
  const f = normalizeDateField(field, 'timestamp');
  if (!Number.isFinite(ts)) return ts;
  return truncLocal(f, ts, field.toLowerCase(), 'timestamp');
}

/**
 * date_trunc(field, timestamptz [, zone]): truncation happens on the wall
 * clock in `zone`; for day and larger units the offset is recomputed for the
 * truncated local time, for smaller units the original offset is kept.
 */
export function dateTruncTimestamptz(field: string, ts: number, zone: TimeZone): number {
  const f = normalizeDateField(field, 'timestamptz');
  if (!Number.isFinite(ts)) return ts;
  const off = zone.fixedOffset ?? zone.offsetAtUtc(ts);
  const local = ts + off * MICROS_PER_SECOND;
  const t = truncLocal(f, local, field.toLowerCase(), 'timestamptz');
  if (f === 'microseconds' || f === 'milliseconds' || f === 'second' || f === 'minute' || f === 'hour') return t - off * MICROS_PER_SECOND;
  return localToUtc(t, zone);
}

/** date_trunc(field, interval). */
export function dateTruncInterval(field: string, iv: Interval): Interval {
  const f = normalizeDateField(field, 'interval');
  let year = Math.trunc(iv.months / 12);
  let mon = iv.months - year * 12;
  let mday = iv.days;
  let t = iv.micros;
  let hour = Math.trunc(t / MICROS_PER_HOUR);
  t -= hour * MICROS_PER_HOUR;
  let min = Math.trunc(t / MICROS_PER_MINUTE);
  t -= min * MICROS_PER_MINUTE;
  let sec = Math.trunc(t / MICROS_PER_SECOND);
  let fsec = t - sec * MICROS_PER_SECOND;
  const order: DateField[] = ['millennium', 'century', 'decade', 'year', 'quarter', 'month', 'day', 'hour', 'minute', 'second'];
  const idx = order.indexOf(f);
  if (f === 'milliseconds') fsec = Math.trunc(fsec / 1000) * 1000;
  else if (f === 'microseconds') {
    /* nothing */
  } else if (idx < 0)
    throw notSupported(field.toLowerCase(), 'interval', f === 'week' ? 'Months usually have fractional weeks.' : undefined);
  else {
    if (idx <= 0) year = Math.trunc(year / 1000) * 1000;
    if (idx <= 1) year = Math.trunc(year / 100) * 100;
    if (idx <= 2) year = Math.trunc(year / 10) * 10;
    if (idx <= 3) mon = 0;
    if (idx <= 4) mon = 3 * Math.trunc(mon / 3);
    if (idx <= 5) mday = 0;
    if (idx <= 6) hour = 0;
    if (idx <= 7) min = 0;
    if (idx <= 8) sec = 0;
    fsec = 0;
  }
  return {
    months: year * 12 + mon + 0,
    days: mday + 0,
    micros: ((hour * 60 + min) * 60 + sec) * MICROS_PER_SECOND + fsec + 0,
  };
}

// ---------------------------------------------------------------------------
// date_part / extract

/** Either an exact integer, a scaled integer (value / 10^scale), or a float-only result. */
interface PartResult {
  /** integer result (exact), when `scaled` is undefined */
  int?: number;
  /** µs-like integer with a decimal scale: numeric = scaled / 10^scale */
  scaled?: number;
  scale?: number;
  /** float8 result per PostgreSQL's float formula */
  float: number;
  /** numeric override */
  numeric?: Decimal;
}

function intRes(n: number): PartResult {
  return { int: n, float: n };
}

function fieldsOfLocal(f: DateField, local: number, unit: string, kind: DateTimeValueKind): PartResult {
  const days = Math.floor(local / MICROS_PER_DAY);
  const tod = local - days * MICROS_PER_DAY;
  const secTotal = Math.floor(tod / MICROS_PER_SECOND);
  const fsec = tod - secTotal * MICROS_PER_SECOND;
  const sec = secTotal % 60;
  const { y, m, d } = civilFromDays(days);
  switch (f) {
    case 'microseconds':
      return intRes(sec * 1_000_000 + fsec);
    case 'milliseconds':
      return { scaled: sec * 1_000_000 + fsec, scale: 3, float: sec * 1000 + fsec / 1000 };
    case 'second':
      return { scaled: sec * 1_000_000 + fsec, scale: 6, float: sec + fsec / 1_000_000 };
    case 'minute':
      return intRes(Math.floor(secTotal / 60) % 60);
    case 'hour':
      return intRes(Math.floor(secTotal / 3600));
    case 'day':
      return intRes(d);
    case 'month':
      return intRes(m);
    case 'quarter':
      return intRes(Math.floor((m - 1) / 3) + 1);
    case 'week':
      return intRes(isoWeek(days).week);
    case 'year':
      return intRes(y > 0 ? y : y - 1);
    case 'decade':
      return intRes(y >= 0 ? Math.trunc(y / 10) : -Math.trunc((8 - (y - 1)) / 10));
    case 'century':
      return intRes(y > 0 ? Math.trunc((y + 99) / 100) : -Math.trunc((99 - (y - 1)) / 100));
    case 'millennium':
      return intRes(y > 0 ? Math.trunc((y + 999) / 1000) : -Math.trunc((999 - (y - 1)) / 1000));
    case 'dow':
      return intRes(dayOfWeek(days));
    case 'isodow': {
      const w = dayOfWeek(days);
      return intRes(w === 0 ? 7 : w);
    }
    case 'doy':
      return intRes(days - daysFromCivil(y, 1, 1) + 1);
    case 'isoyear': {
      const iy = isoWeek(days).isoYear;
      return intRes(iy <= 0 ? iy - 1 : iy);
    }
    case 'julian': {
      const j = days + 2440588;
      return {
        float: j + (secTotal + fsec / 1_000_000) / 86400,
        numeric: Decimal.fromInt(j).add(Decimal.fromInt(tod).div(Decimal.fromInt(MICROS_PER_DAY))),
      };
    }
    default:
      throw notSupported(unit, kind);
  }
}

const MONOTONIC = new Set<DateField>(['year', 'decade', 'century', 'millennium', 'julian', 'isoyear', 'epoch']);

function part(field: string, kind: DateTimeValueKind, value: number | Interval, zone: TimeZone | null): PartResult | null {
  const f = normalizeDateField(field, kind);
  const unit = field.toLowerCase();
  if (kind === 'interval') return intervalPart(f, value as Interval, unit);
  const v = value as number;
  if (kind === 'time') {
    switch (f) {
      case 'microseconds':
      case 'milliseconds':
      case 'second':
      case 'minute':
      case 'hour':
        return fieldsOfLocal(f, v, unit, kind);
      case 'epoch':
        return { scaled: v, scale: 6, float: v / 1_000_000 };
      default:
        throw notSupported(unit, kind);
    }
  }
  if (kind === 'date') {
    if (f === 'microseconds' || f === 'milliseconds' || f === 'second' || f === 'minute' || f === 'hour' || f === 'timezone' || f === 'timezone_hour' || f === 'timezone_minute')
      throw notSupported(unit, kind);
    if (!Number.isFinite(v)) return MONOTONIC.has(f) ? { float: v, numeric: v > 0 ? Decimal.Infinity : Decimal.NegativeInfinity } : null;
    if (f === 'epoch') return intRes(v * 86400);
    if (f === 'julian') return intRes(v + 2440588);
    return fieldsOfLocal(f, v * MICROS_PER_DAY, unit, kind);
  }
  // timestamp / timestamptz
  if (!Number.isFinite(v)) {
    if (kind === 'timestamp' && (f === 'timezone' || f === 'timezone_hour' || f === 'timezone_minute')) throw notSupported(unit, kind);
    return MONOTONIC.has(f) ? { float: v, numeric: v > 0 ? Decimal.Infinity : Decimal.NegativeInfinity } : null;
  }
  if (f === 'epoch') return { scaled: v, scale: 6, float: v / 1_000_000 };
  if (kind === 'timestamp') {
    if (f === 'timezone' || f === 'timezone_hour' || f === 'timezone_minute') throw notSupported(unit, kind);
    return fieldsOfLocal(f, v, unit, kind);
  }
  const off = zone ? (zone.fixedOffset ?? zone.offsetAtUtc(v)) : 0;
  if (f === 'timezone') return intRes(off);
  if (f === 'timezone_hour') return intRes(Math.trunc(off / 3600) + 0);
  if (f === 'timezone_minute') return intRes(Math.trunc(off / 60) % 60 + 0);
  return fieldsOfLocal(f, v + off * MICROS_PER_SECOND, unit, kind);
}

function intervalPart(f: DateField, iv: Interval, unit: string): PartResult {
  const year = Math.trunc(iv.months / 12);
  const mon = iv.months - year * 12;
  let t = iv.micros;
  const hour = Math.trunc(t / MICROS_PER_HOUR);
  t -= hour * MICROS_PER_HOUR;
  const min = Math.trunc(t / MICROS_PER_MINUTE);
  t -= min * MICROS_PER_MINUTE;
  const sec = Math.trunc(t / MICROS_PER_SECOND);
  const fsec = t - sec * MICROS_PER_SECOND;
  switch (f) {
    case 'microseconds':
      return intRes(sec * 1_000_000 + fsec + 0);
    case 'milliseconds':
      return { scaled: sec * 1_000_000 + fsec, scale: 3, float: sec * 1000 + fsec / 1000 };
    case 'second':
      return { scaled: sec * 1_000_000 + fsec, scale: 6, float: sec + fsec / 1_000_000 };
    case 'minute':
      return intRes(min + 0);
    case 'hour':
      return intRes(hour + 0);
    case 'day':
      return intRes(iv.days + 0);
    case 'month':
      return intRes(mon + 0);
    case 'quarter':
      return intRes(Math.trunc(mon / 3) + 1);
    case 'year':
      return intRes(year + 0);
    case 'decade':
      return intRes(Math.trunc(year / 10) + 0);
    case 'century':
      return intRes(Math.trunc(year / 100) + 0);
    case 'millennium':
      return intRes(Math.trunc(year / 1000) + 0);
    case 'epoch': {
      const secsFromDayMonth = (1461 * year + 120 * mon + 4 * iv.days) * (86400 / 4);
      const float = iv.micros / 1e6 + 365.25 * 86400 * year + 30 * 86400 * mon + 86400 * iv.days;
      const big = BigInt(iv.micros) + BigInt(secsFromDayMonth) * 1_000_000n;
      return { float, numeric: Decimal.of(big, 6) };
    }
    default:
      throw notSupported(unit, 'interval', f === 'week' ? undefined : undefined);
  }
}

/**
 * date_part(field, value) → float8 (null for non-monotonic fields of ±infinity).
 * `zone` is needed for timestamptz (the session zone).
 */
export function datePartFloat(field: string, kind: DateTimeValueKind, value: number | Interval, zone: TimeZone | null = null): number | null {
  if (kind === 'date' && typeof value === 'number') {
    // PostgreSQL 15 implements date_part(text, date) as date_part(text, date::timestamp)
    return datePartFloat(field, 'timestamp', Number.isFinite(value) ? value * MICROS_PER_DAY : value, zone);
  }
  const r = part(field, kind, value, zone);
  return r === null ? null : r.float;
}

/** EXTRACT(field FROM value) → numeric (PostgreSQL 14+). */
export function extractNumeric(field: string, kind: DateTimeValueKind, value: number | Interval, zone: TimeZone | null = null): Decimal | null {
  const r = part(field, kind, value, zone);
  if (r === null) return null;
  if (r.numeric) return r.numeric;
  if (r.scaled !== undefined) return Decimal.of(BigInt(r.scaled), r.scale ?? 0);
  return Decimal.fromInt(r.int!);
}

/** Monday of ISO week 1 of `isoYear`, in days since 1970 (helper for to_date-like code). */
export { isoYearStart };

/** Wall clock in a zone, exposed for callers that need local fields. */
export function localFields(utc: number, zone: TimeZone): number {
  return utcToLocal(utc, zone);
}
