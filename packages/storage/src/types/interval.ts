/**
 * `interval`: { months, days, micros } with PostgreSQL's input forms, the four
 * IntervalStyles, comparison (30-day months, 24-hour days), arithmetic and
 * the justify_* functions.
 */
import { SqlError, SQLSTATE } from '../errors.js';
import type { Interval } from './values.js';
import { MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND } from './values.js';

export const ZERO_INTERVAL: Interval = Object.freeze({ months: 0, days: 0, micros: 0 });

export function makeIntervalValue(months: number, days: number, micros: number): Interval {
  return { months, days, micros };
}

function badInterval(text: string): SqlError {
  return new SqlError(SQLSTATE.invalidDatetimeFormat, `invalid input syntax for type interval: "${text}"`);
}
function intervalOutOfRange(): SqlError {
  return new SqlError(SQLSTATE.datetimeFieldOverflow, 'interval out of range');
}

function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
/** TSROUND: round to 1e-6. */
function tsround(x: number): number {
  return rint(x * 1e6) / 1e6;
}

type Unit = 'us' | 'ms' | 's' | 'min' | 'h' | 'd' | 'w' | 'mon' | 'y' | 'dec' | 'c' | 'mil';
const UNITS: Record<string, Unit> = {
  us: 'us', usec: 'us', usecs: 'us', microsecond: 'us', microseconds: 'us', microsecon: 'us',
  ms: 'ms', msec: 'ms', msecs: 'ms', millisecond: 'ms', milliseconds: 'ms', millisecon: 'ms',
  s: 's', sec: 's', secs: 's', second: 's', seconds: 's',
  m: 'min', min: 'min', mins: 'min', minute: 'min', minutes: 'min',
  h: 'h', hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  d: 'd', day: 'd', days: 'd',
  w: 'w', week: 'w', weeks: 'w',
  mon: 'mon', mons: 'mon', month: 'mon', months: 'mon',
  y: 'y', yr: 'y', yrs: 'y', year: 'y', years: 'y',
  dec: 'dec', decs: 'dec', decade: 'dec', decades: 'dec',
  c: 'c', cent: 'c', century: 'c', centuries: 'c',
  mil: 'mil', mils: 'mil', millennium: 'mil', millennia: 'mil', millenniums: 'mil',
};

/** Accumulator with PostgreSQL's fraction cascading. */
class Acc {
  months = 0;
  days = 0;
  micros = 0; // exact integer part
  fmicros = 0; // fractional µs, rounded at the end

  add(unit: Unit, val: number): void {
    const ip = Math.trunc(val);
    const fp = val - ip;
    switch (unit) {
      case 'us':
        this.micros += ip;
        this.fmicros += fp;
        break;
      case 'ms':
        this.fmicros += val * 1000;
        break;
      case 's':
        this.micros += ip * MICROS_PER_SECOND;
        this.fmicros += fp * MICROS_PER_SECOND;
        break;
      case 'min':
        this.micros += ip * MICROS_PER_MINUTE;
        this.fmicros += fp * MICROS_PER_MINUTE;
        break;
      case 'h':
        this.micros += ip * MICROS_PER_HOUR;
        this.fmicros += fp * MICROS_PER_HOUR;
        break;
      case 'd':
        this.days += ip;
        this.fractDays(fp, 1);
        break;
      case 'w':
        this.days += ip * 7;
        this.fractDays(fp, 7);
        break;
      case 'mon':
        this.months += ip;
        this.fractDays(fp, 30);
        break;
      case 'y':
        this.months += ip * 12 + rint(fp * 12);
        break;
      case 'dec':
        this.months += ip * 120 + rint(fp * 120);
        break;
      case 'c':
        this.months += ip * 1200 + rint(fp * 1200);
        break;
      case 'mil':
        this.months += ip * 12000 + rint(fp * 12000);
        break;
    }
  }

  private fractDays(frac: number, scale: number): void {
    if (frac === 0) return;
    const extra = frac * scale;
    const whole = Math.trunc(extra);
    this.days += whole;
    this.fmicros += (extra - whole) * MICROS_PER_DAY;
  }

  result(neg: boolean): Interval {
    let micros = this.micros + rint(this.fmicros);
    let { months, days } = this;
    if (neg) {
      months = -months;
      days = -days;
      micros = -micros;
    }
    if (!Number.isFinite(micros) || Math.abs(months) > 2147483647 || Math.abs(days) > 2147483647) throw intervalOutOfRange();
    return { months: months + 0, days: days + 0, micros: micros + 0 };
  }
}

/** Parses `h:m[:s[.f]]` (optionally signed) into µs, or NaN. */
function parseTimeField(t: string): number {
  let neg = false;
  let s = t;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  const parts = s.split(':');
  if (parts.length < 2 || parts.length > 3) return NaN;
  if (!/^\d+$/.test(parts[0]!) || !/^\d+$/.test(parts[1]!)) return NaN;
  const h = Number(parts[0]);
  const m = Number(parts[1]);
  let us = 0;
  if (parts.length === 3) {
    if (!/^\d+(\.\d*)?$/.test(parts[2]!) && !/^\.\d+$/.test(parts[2]!)) return NaN;
    const sec = Number(parts[2]);
    if (sec >= 60 && !/^60(\.0*)?$/.test(parts[2]!)) return NaN;
    us = rint(sec * 1e6);
  }
  if (m > 59) return NaN;
  const v = h * MICROS_PER_HOUR + m * MICROS_PER_MINUTE + us;
  return neg ? -v : v;
}

const NUM_RE = /^[+-]?(\d+\.?\d*|\.\d+)$/;
const TOKEN_RE = /[+-]?(?:\d+(?::\d+(?::\d+(?:\.\d*)?)?|-\d+|\.?\d*)|\.\d+(?::\d+)*)|[a-zA-Zµ]+|@|\S/g;

/**
 * interval_in. With IntervalStyle sql_standard a leading '-' applies to every
 * following field that has no sign of its own, as in PostgreSQL.
 */
export function parseInterval(text: string, intervalStyle = 'postgres'): Interval {
  const s = text.trim();
  if (s.length === 0) throw badInterval(text);
  const c0 = s.charCodeAt(0);
  if (c0 === 80 || c0 === 112) return parseIso8601(s, text);
  const tokens = s.match(TOKEN_RE) ?? [];
  const acc = new Acc();
  let neg = false;
  let sawSomething = false;
  const sqlStd = intervalStyle === 'sql_standard';
  let leadNeg = false;
  for (let i = 0; i < tokens.length; i++) {
    let t = tokens[i]!;
    if (sqlStd) {
      const c = t.charCodeAt(0);
      if (!sawSomething && c === 45) leadNeg = true;
      else if (leadNeg && c >= 48 && c <= 57) t = '-' + t;
    }
    if (t === '@') continue;
    const lower = t.toLowerCase();
    if (lower === 'ago') {
      if (i !== tokens.length - 1) throw badInterval(text);
      neg = true;
      continue;
    }
    if (t.includes(':')) {
      const us = parseTimeField(t);
      if (Number.isNaN(us)) throw badInterval(text);
      acc.micros += us;
      sawSomething = true;
      continue;
    }
    if (/^[+-]?\d+-\d+$/.test(t)) {
      // SQL-standard year-month
      const neg2 = t.startsWith('-');
      const [y, m] = t.replace(/^[+-]/, '').split('-').map(Number);
      if (m! > 11) throw new SqlError(SQLSTATE.datetimeFieldOverflow, `interval field value out of range: "${text}"`);
      acc.months += (neg2 ? -1 : 1) * (y! * 12 + m!);
      sawSomething = true;
      continue;
    }
    if (NUM_RE.test(t)) {
      const val = Number(t);
      const next = tokens[i + 1];
      const unit = next !== undefined ? UNITS[next.toLowerCase()] : undefined;
      if (unit) {
        acc.add(unit, val);
        i++;
      } else if (next !== undefined && next.includes(':') && !t.includes('.')) {
        acc.days += val; // SQL standard "D H:M:S"
      } else if (next === undefined || next.toLowerCase() === 'ago') {
        acc.add('s', val);
      } else throw badInterval(text);
      sawSomething = true;
      continue;
    }
    throw badInterval(text);
  }
  if (!sawSomething) throw badInterval(text);
  return acc.result(neg);
}

function parseIso8601(s: string, text: string): Interval {
  const alt = /^P(\d+)-(\d+)-(\d+)(?:T(\d+):(\d+):(\d+(?:\.\d+)?))?$/i.exec(s);
  if (alt) {
    const acc = new Acc();
    acc.add('y', Number(alt[1]));
    acc.add('mon', Number(alt[2]));
    acc.add('d', Number(alt[3]));
    if (alt[4] !== undefined) {
      acc.add('h', Number(alt[4]));
      acc.add('min', Number(alt[5]));
      acc.add('s', Number(alt[6]));
    }
    return acc.result(false);
  }
  const acc = new Acc();
  let i = 1;
  let timePart = false;
  let any = false;
  const re = /([+-]?(?:\d+(?:\.\d*)?|\.\d+))([YMWDHS])/iy;
  while (i < s.length) {
    if (s[i] === 'T' || s[i] === 't') {
      if (timePart) throw badInterval(text);
      timePart = true;
      i++;
      continue;
    }
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) throw badInterval(text);
    const v = Number(m[1]);
    const u = m[2]!.toUpperCase();
    if (!timePart) {
      if (u === 'Y') acc.add('y', v);
      else if (u === 'M') acc.add('mon', v);
      else if (u === 'W') acc.add('w', v);
      else if (u === 'D') acc.add('d', v);
      else throw badInterval(text);
    } else {
      if (u === 'H') acc.add('h', v);
      else if (u === 'M') acc.add('min', v);
      else if (u === 'S') acc.add('s', v);
      else throw badInterval(text);
    }
    any = true;
    i = re.lastIndex;
  }
  if (!any) throw badInterval(text);
  return acc.result(false);
}

// ---------------------------------------------------------------------------
// Output

interface Tm {
  year: number;
  mon: number;
  mday: number;
  hour: number;
  min: number;
  sec: number;
  fsec: number;
}
function toTm(iv: Interval): Tm {
  const year = Math.trunc(iv.months / 12);
  const mon = iv.months - year * 12;
  let t = iv.micros;
  const hour = Math.trunc(t / MICROS_PER_HOUR);
  t -= hour * MICROS_PER_HOUR;
  const min = Math.trunc(t / MICROS_PER_MINUTE);
  t -= min * MICROS_PER_MINUTE;
  const sec = Math.trunc(t / MICROS_PER_SECOND);
  const fsec = t - sec * MICROS_PER_SECOND;
  return { year: year + 0, mon: mon + 0, mday: iv.days + 0, hour: hour + 0, min: min + 0, sec: sec + 0, fsec: fsec + 0 };
}

function p2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}
/** AppendSeconds: |sec| with fraction trimmed; fillzeros → two digits. */
function secs(sec: number, fsec: number, fill: boolean): string {
  const s = Math.abs(sec);
  let r = fill ? p2(s) : String(s);
  const f = Math.abs(fsec);
  if (f) {
    const fs = String(f).padStart(6, '0').replace(/0+$/, '');
    r += '.' + fs;
  }
  return r;
}

export function formatInterval(iv: Interval, style = 'postgres'): string {
  const tm = toTm(iv);
  const { year, mon, mday, hour, min, sec, fsec } = tm;
  switch (style) {
    case 'iso_8601': {
      if (!year && !mon && !mday && !hour && !min && !sec && !fsec) return 'PT0S';
      let r = 'P';
      if (year) r += year + 'Y';
      if (mon) r += mon + 'M';
      if (mday) r += mday + 'D';
      if (hour || min || sec || fsec) r += 'T';
      if (hour) r += hour + 'H';
      if (min) r += min + 'M';
      if (sec || fsec) r += (sec < 0 || fsec < 0 ? '-' : '') + secs(sec, fsec, false) + 'S';
      return r;
    }
    case 'sql_standard': {
      const hasNeg = year < 0 || mon < 0 || mday < 0 || hour < 0 || min < 0 || sec < 0 || fsec < 0;
      const hasPos = year > 0 || mon > 0 || mday > 0 || hour > 0 || min > 0 || sec > 0 || fsec > 0;
      const hasYM = year !== 0 || mon !== 0;
      const hasDT = mday !== 0 || hour !== 0 || min !== 0 || sec !== 0 || fsec !== 0;
      const std = !(hasNeg && hasPos) && !(hasYM && hasDT);
      let pre = '';
      let f = { ...tm };
      if (hasNeg && std) {
        pre = '-';
        f = { year: -year, mon: -mon, mday: -mday, hour: -hour, min: -min, sec: -sec, fsec: -fsec };
      }
      if (!hasNeg && !hasPos) return '0';
      if (!std) {
        const ys = f.year < 0 || f.mon < 0 ? '-' : '+';
        const ds = f.mday < 0 ? '-' : '+';
        const ss = f.hour < 0 || f.min < 0 || f.sec < 0 || f.fsec < 0 ? '-' : '+';
        return `${pre}${ys}${Math.abs(f.year)}-${Math.abs(f.mon)} ${ds}${Math.abs(f.mday)} ${ss}${Math.abs(f.hour)}:${p2(Math.abs(f.min))}:${secs(f.sec, f.fsec, true)}`;
      }
      if (hasYM) return `${pre}${f.year}-${f.mon}`;
      if (f.mday) return `${pre}${f.mday} ${f.hour}:${p2(f.min)}:${secs(f.sec, f.fsec, true)}`;
      return `${pre}${f.hour}:${p2(f.min)}:${secs(f.sec, f.fsec, true)}`;
    }
    case 'postgres_verbose': {
      let r = '@';
      let isZero = true;
      let isBefore = false;
      const part = (value: number, units: string) => {
        if (value === 0) return;
        if (isZero) {
          isBefore = value < 0;
          value = Math.abs(value);
        } else if (isBefore) value = -value;
        r += ` ${value} ${units}${value === 1 ? '' : 's'}`;
        isZero = false;
      };
      part(year, 'year');
      part(mon, 'mon');
      part(mday, 'day');
      part(hour, 'hour');
      part(min, 'min');
      if (sec || fsec) {
        r += ' ';
        if (sec < 0 || (sec === 0 && fsec < 0)) {
          if (isZero) isBefore = true;
          else if (!isBefore) r += '-';
        } else if (isBefore) r += '-';
        r += secs(sec, fsec, false) + ` sec${Math.abs(sec) !== 1 || fsec !== 0 ? 's' : ''}`;
        isZero = false;
      }
      if (isZero) r += ' 0';
      if (isBefore) r += ' ago';
      return r;
    }
    default: {
      let r = '';
      let isZero = true;
      let isBefore = false;
      const part = (value: number, units: string) => {
        if (value === 0) return;
        r += `${!isZero ? ' ' : ''}${isBefore && value > 0 ? '+' : ''}${value} ${units}${value !== 1 ? 's' : ''}`;
        isBefore = value < 0;
        isZero = false;
      };
      part(year, 'year');
      part(mon, 'mon');
      part(mday, 'day');
      if (isZero || hour || min || sec || fsec) {
        const minus = hour < 0 || min < 0 || sec < 0 || fsec < 0;
        const h = Math.abs(hour);
        r += `${isZero ? '' : ' '}${minus ? '-' : isBefore ? '+' : ''}${h < 10 ? '0' + h : h}:${p2(Math.abs(min))}:${secs(sec, fsec, true)}`;
      }
      return r;
    }
  }
}

// ---------------------------------------------------------------------------
// Comparison, arithmetic

const MONTH_US = 30 * MICROS_PER_DAY;

/** PostgreSQL's interval_cmp_value as a number when exact, else BigInt. */
function span(iv: Interval): number | bigint {
  const v = iv.months * MONTH_US + iv.days * MICROS_PER_DAY + iv.micros;
  if (Number.isSafeInteger(v)) return v;
  return BigInt(iv.months) * BigInt(MONTH_US) + BigInt(iv.days) * BigInt(MICROS_PER_DAY) + BigInt(iv.micros);
}

export function compareIntervals(a: Interval, b: Interval): -1 | 0 | 1 {
  const x = span(a);
  const y = span(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function intervalsEqual(a: Interval, b: Interval): boolean {
  return compareIntervals(a, b) === 0;
}

/** Equal (by compareIntervals) intervals give equal keys: '1 mon' ≡ '30 days'. */
export function intervalHashKey(iv: Interval): string {
  return String(span(iv));
}

function checkRange(iv: Interval): Interval {
  if (!Number.isFinite(iv.micros) || Math.abs(iv.months) > 2147483647 || Math.abs(iv.days) > 2147483647 || Math.abs(iv.micros) > 9.223372036854776e18)
    throw intervalOutOfRange();
  return iv;
}

export function addIntervals(a: Interval, b: Interval): Interval {
  return checkRange({ months: a.months + b.months, days: a.days + b.days, micros: a.micros + b.micros });
}
export function subIntervals(a: Interval, b: Interval): Interval {
  return checkRange({ months: a.months - b.months, days: a.days - b.days, micros: a.micros - b.micros });
}
export function negInterval(a: Interval): Interval {
  return { months: -a.months + 0, days: -a.days + 0, micros: -a.micros + 0 };
}

/** interval * float8 (interval_mul). */
export function mulInterval(iv: Interval, factor: number): Interval {
  if (Number.isNaN(factor)) throw intervalOutOfRange();
  const mres = iv.months * factor;
  const dres = iv.days * factor;
  if (!Number.isFinite(mres) || Math.abs(mres) > 2147483647 || !Number.isFinite(dres) || Math.abs(dres) > 2147483647) throw intervalOutOfRange();
  const months = Math.trunc(mres);
  let days = Math.trunc(dres);
  const monthRemDays = tsround((iv.months * factor - months) * 30);
  let secRem = tsround((iv.days * factor - days + monthRemDays - Math.trunc(monthRemDays)) * 86400);
  if (Math.abs(secRem) >= 86400) {
    days += Math.trunc(secRem / 86400);
    secRem -= Math.trunc(secRem / 86400) * 86400;
  }
  days += Math.trunc(monthRemDays);
  const micros = rint(iv.micros * factor + secRem * 1e6);
  return checkRange({ months: months + 0, days: days + 0, micros: micros + 0 });
}

/** interval / float8 (interval_div). */
export function divInterval(iv: Interval, factor: number): Interval {
  if (factor === 0) throw new SqlError(SQLSTATE.divisionByZero, 'division by zero');
  if (Number.isNaN(factor)) throw intervalOutOfRange();
  const months = Math.trunc(iv.months / factor);
  let days = Math.trunc(iv.days / factor);
  const monthRemDays = tsround((iv.months / factor - months) * 30);
  let secRem = tsround((iv.days / factor - days + monthRemDays - Math.trunc(monthRemDays)) * 86400);
  if (Math.abs(secRem) >= 86400) {
    days += Math.trunc(secRem / 86400);
    secRem -= Math.trunc(secRem / 86400) * 86400;
  }
  days += Math.trunc(monthRemDays);
  const micros = rint(iv.micros / factor + secRem * 1e6);
  return checkRange({ months: months + 0, days: days + 0, micros: micros + 0 });
}

export function justifyHours(iv: Interval): Interval {
  let days = iv.days;
  let micros = iv.micros;
  const whole = Math.trunc(micros / MICROS_PER_DAY);
  micros -= whole * MICROS_PER_DAY;
  days += whole;
  if (days > 0 && micros < 0) {
    micros += MICROS_PER_DAY;
    days--;
  } else if (days < 0 && micros > 0) {
    micros -= MICROS_PER_DAY;
    days++;
  }
  return { months: iv.months, days: days + 0, micros: micros + 0 };
}

export function justifyDays(iv: Interval): Interval {
  let months = iv.months;
  let days = iv.days;
  const whole = Math.trunc(days / 30);
  days -= whole * 30;
  months += whole;
  if (months > 0 && days < 0) {
    days += 30;
    months--;
  } else if (months < 0 && days > 0) {
    days -= 30;
    months++;
  }
  return { months: months + 0, days: days + 0, micros: iv.micros };
}

export function justifyInterval(iv: Interval): Interval {
  let { months, days, micros } = iv;
  if ((days > 0 && micros > 0) || (days < 0 && micros < 0)) {
    const wm = Math.trunc(days / 30);
    days -= wm * 30;
    months += wm;
  }
  const wd = Math.trunc(micros / MICROS_PER_DAY);
  micros -= wd * MICROS_PER_DAY;
  days += wd;
  const wm = Math.trunc(days / 30);
  days -= wm * 30;
  months += wm;
  if (months > 0 && (days < 0 || (days === 0 && micros < 0))) {
    days += 30;
    months--;
  } else if (months < 0 && (days > 0 || (days === 0 && micros > 0))) {
    days -= 30;
    months++;
  }
  if (days > 0 && micros < 0) {
    micros += MICROS_PER_DAY;
    days--;
  } else if (days < 0 && micros > 0) {
    micros -= MICROS_PER_DAY;
    days++;
  }
  return { months: months + 0, days: days + 0, micros: micros + 0 };
}

/** date_part('epoch', interval) in seconds: 365.25-day years, 30-day months. */
export function intervalEpochSeconds(iv: Interval): number {
  const years = Math.trunc(iv.months / 12);
  const mons = iv.months - years * 12;
  return iv.micros / 1e6 + 365.25 * 86400 * years + 30 * 86400 * mons + 86400 * iv.days;
}

/** Total µs with 365.25-day years and 30-day months (as the epoch of an interval). */
export function intervalToMicros(iv: Interval): number {
  const years = Math.trunc(iv.months / 12);
  const mons = iv.months - years * 12;
  return iv.micros + (365.25 * years * 86400 + 30 * mons * 86400 + iv.days * 86400) * 1e6;
}

/** make_interval(years, months, weeks, days, hours, mins, secs). */
export function makeInterval(years = 0, months = 0, weeks = 0, days = 0, hours = 0, mins = 0, secs = 0): Interval {
  if (!Number.isFinite(secs)) throw intervalOutOfRange();
  return checkRange({
    months: years * 12 + months,
    days: weeks * 7 + days,
    micros: rint((hours * 3600 + mins * 60) * 1e6 + secs * 1e6),
  });
}

/** interval(p) typmod: round the µs to p fractional digits. */
export function applyIntervalPrecision(iv: Interval, precision: number): Interval {
  if (precision < 0 || precision >= 6) return iv;
  const unit = 10 ** (6 - precision);
  const q = iv.micros / unit;
  const r = q < 0 ? -Math.round(-q) : Math.round(q);
  return { months: iv.months, days: iv.days, micros: r * unit + 0 };
}
