/**
 * Text input of date, time, timestamp and timestamptz, modelled on
 * PostgreSQL's ParseDateTime/DecodeDateTime: an allocation-free fast path for
 * ISO 8601 layouts, and a field-based decoder for everything else
 * ('Jan 1 2016', '1/8/1999' per DateStyle, zone names, 'epoch', 'today', …).
 */
import { SqlError, SQLSTATE } from '../errors.js';
import { daysFromCivil, daysInMonth, civilFromDays } from './calendar.js';
import { getTimeZone, localToUtc, parseOffsetDigits, utcToLocal, ZONE_ABBREVIATIONS, type TimeZone } from './timezone.js';
import { MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND, type FormatContext } from './values.js';

export type DateTimeKind = 'date' | 'time' | 'timestamp' | 'timestamptz';

const TYPE_NAMES: Record<DateTimeKind, string> = {
  date: 'date',
  time: 'time',
  timestamp: 'timestamp',
  timestamptz: 'timestamp with time zone',
};

export function badDateTimeSyntax(kind: DateTimeKind, text: string): SqlError {
  return new SqlError(SQLSTATE.invalidDatetimeFormat, `invalid input syntax for type ${TYPE_NAMES[kind]}: "${text}"`);
}
export function dateTimeOutOfRange(text: string, hint = false): SqlError {
  return new SqlError(SQLSTATE.datetimeFieldOverflow, `date/time field value out of range: "${text}"`, hint ? { hint: 'Perhaps you need a different "datestyle" setting.' } : {});
}

/** Session zone of a context (cached lookup). */
export function sessionZone(ctx: FormatContext): TimeZone {
  return getTimeZone(ctx.timeZone, false);
}

/** Result of decoding: wall-clock fields plus an optional explicit zone. */
interface Decoded {
  special: 'epoch' | 'infinity' | '-infinity' | 'now' | 'today' | 'tomorrow' | 'yesterday' | null;
  hasDate: boolean;
  days: number;
  hasTime: boolean;
  tod: number;
  /** explicit offset in seconds east, or NaN */
  offset: number;
  zone: TimeZone | null;
}

function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const enum Ch {
  Space = 32,
  Plus = 43,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  D0 = 48,
  D9 = 57,
  Colon = 58,
}

function isDigit(c: number): boolean {
  return c >= Ch.D0 && c <= Ch.D9;
}
function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Reads `n` digits at i, or -1. */
function digitsAt(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k);
    if (!(c >= 48 && c <= 57)) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/**
 * Fast path: `YYYY-MM-DD[( |T)HH:MM[:SS[.f…]]][ ][Z|±HH[[:]MM[:SS]]]`.
 * Returns false when the text has another layout.
 */
function fastIso(s: string, out: Decoded, kind: DateTimeKind): boolean {
  const n = s.length;
  if (n < 10 || s.charCodeAt(4) !== Ch.Minus || s.charCodeAt(7) !== Ch.Minus) return false;
  const y = digitsAt(s, 0, 4);
  const mo = digitsAt(s, 5, 2);
  const d = digitsAt(s, 8, 2);
  if (y < 0 || mo < 0 || d < 0) return false;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) throw dateTimeOutOfRange(s, mo > 12);
  out.hasDate = true;
  out.days = daysFromCivil(y, mo, d);
  let i = 10;
  if (i === n) return true;
  const sep = s.charCodeAt(i);
  if (sep !== Ch.Space && sep !== 84 && sep !== 116) return false;
  i++;
  const h = digitsAt(s, i, 2);
  if (h < 0 || s.charCodeAt(i + 2) !== Ch.Colon) return false;
  const mi = digitsAt(s, i + 3, 2);
  if (mi < 0) return false;
  i += 5;
  let sec = 0;
  let frac = 0;
  if (s.charCodeAt(i) === Ch.Colon) {
    sec = digitsAt(s, i + 1, 2);
    if (sec < 0) return false;
    i += 3;
    if (s.charCodeAt(i) === Ch.Dot) {
      i++;
      let scale = 100000;
      let k = 0;
      let extra = -1;
      while (i < n && isDigit(s.charCodeAt(i))) {
        const dv = s.charCodeAt(i) - 48;
        if (k < 6) frac += dv * scale;
        else if (k === 6) extra = dv;
        scale /= 10;
        k++;
        i++;
      }
      if (k === 0) return false;
      if (extra >= 0) {
        if (k > 7) return false; // let the general path do exact rounding
        if (extra > 5 || (extra === 5 && frac % 2 === 1)) frac++;
      }
    }
  }
  if (h > 24 || mi > 59 || sec > 60 || (h === 24 && (mi > 0 || sec > 0 || frac > 0))) throw dateTimeOutOfRange(s);
  out.hasTime = true;
  out.tod = h * MICROS_PER_HOUR + mi * MICROS_PER_MINUTE + sec * MICROS_PER_SECOND + frac;
  if (i < n && s.charCodeAt(i) === Ch.Space) i++;
  if (i === n) return true;
  const c = s.charCodeAt(i);
  if ((c === 90 || c === 122) && i + 1 === n) {
    out.offset = 0;
    return true;
  }
  if (c === Ch.Plus || c === Ch.Minus) {
    if (kind === 'timestamptz' || kind === 'timestamp' || kind === 'date') {
      const rem = n - i - 1;
      const hh = digitsAt(s, i + 1, 2);
      if (hh >= 0 && (rem === 2 || rem === 4 || (rem === 5 && s.charCodeAt(i + 3) === Ch.Colon))) {
        const mm = rem === 2 ? 0 : digitsAt(s, n - 2, 2);
        if (mm >= 0 && mm < 60) {
          const off = hh * 3600 + mm * 60;
          out.offset = c === Ch.Minus ? -off : off;
          return true;
        }
      }
      const off = parseOffsetDigits(s, i + 1);
      if (Number.isNaN(off)) return false;
      out.offset = c === Ch.Minus ? -off : off;
      return true;
    }
  }
  return false;
}

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10,
  nov: 11, november: 11, dec: 12, december: 12,
};
const WEEKDAYS = new Set([
  'sun', 'mon', 'tue', 'tues', 'wed', 'wednesday', 'thu', 'thur', 'thurs', 'fri', 'sat',
  'sunday', 'monday', 'tuesday', 'thursday', 'friday', 'saturday',
]);
const SPECIALS = new Set(['epoch', 'infinity', 'now', 'today', 'tomorrow', 'yesterday', 'allballs']);
const CORE_WORDS = new Set(['am', 'pm', 'bc', 'ad', 't', 'on', 'at', 'z']);

type FieldType = 'num' | 'date' | 'time' | 'str' | 'tz';
interface Field {
  t: FieldType;
  v: string;
}

function tokenize(s: string, kind: DateTimeKind, text: string): Field[] {
  const fields: Field[] = [];
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (isSpace(c) || c === 44 /* , */) {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c)) {
      while (i < n && isDigit(s.charCodeAt(i))) i++;
      const d = s.charCodeAt(i);
      if (d === Ch.Colon) {
        while (i < n && (isDigit(s.charCodeAt(i)) || s.charCodeAt(i) === Ch.Colon || s.charCodeAt(i) === Ch.Dot)) i++;
        fields.push({ t: 'time', v: s.slice(start, i) });
      } else if (d === Ch.Minus || d === Ch.Slash || d === Ch.Dot) {
        i++;
        let t: FieldType = 'date';
        if (isDigit(s.charCodeAt(i))) {
          if (d === Ch.Dot) t = 'num';
          while (i < n && isDigit(s.charCodeAt(i))) i++;
          if (s.charCodeAt(i) === d) {
            t = 'date';
            i++;
            while (i < n && (isDigit(s.charCodeAt(i)) || s.charCodeAt(i) === d)) i++;
          }
        } else {
          while (i < n && (isDigit(s.charCodeAt(i)) || isAlpha(s.charCodeAt(i)) || s.charCodeAt(i) === d)) i++;
        }
        fields.push({ t, v: s.slice(start, i).toLowerCase() });
      } else {
        fields.push({ t: 'num', v: s.slice(start, i) });
      }
    } else if (c === Ch.Dot) {
      i++;
      while (i < n && isDigit(s.charCodeAt(i))) i++;
      fields.push({ t: 'num', v: s.slice(start, i) });
    } else if (isAlpha(c)) {
      while (i < n && isAlpha(s.charCodeAt(i))) i++;
      let word = s.slice(start, i).toLowerCase();
      const d = s.charCodeAt(i);
      let isDate = d === Ch.Minus || d === Ch.Slash || d === Ch.Dot;
      if (!isDate && (d === Ch.Plus || isDigit(d)))
        isDate = !(MONTHS[word] || WEEKDAYS.has(word) || SPECIALS.has(word) || CORE_WORDS.has(word));
      if (isDate) {
        do i++;
        while (i < n && (isDigit(s.charCodeAt(i)) || isAlpha(s.charCodeAt(i)) || '+-/_.:'.includes(s[i]!)));
        word = s.slice(start, i).toLowerCase();
        fields.push({ t: 'date', v: word });
      } else fields.push({ t: 'str', v: word });
    } else if (c === Ch.Plus || c === Ch.Minus) {
      i++;
      if (isAlpha(s.charCodeAt(i))) {
        while (i < n && isAlpha(s.charCodeAt(i))) i++;
        fields.push({ t: 'str', v: s.slice(start, i).toLowerCase() });
      } else {
        while (i < n && (isDigit(s.charCodeAt(i)) || s.charCodeAt(i) === Ch.Colon || s.charCodeAt(i) === Ch.Dot)) i++;
        if (i === start + 1) throw badDateTimeSyntax(kind, text);
        fields.push({ t: 'tz', v: s.slice(start, i) });
      }
    } else throw badDateTimeSyntax(kind, text);
  }
  return fields;
}

function decodeGeneral(text: string, kind: DateTimeKind, ctx: FormatContext, out: Decoded): void {
  const fields = tokenize(text, kind, text);
  if (fields.length === 0) throw badDateTimeSyntax(kind, text);
  const order = dateOrder(ctx.dateStyle);
  let year = NaN, month = NaN, day = NaN;
  let yearDigits = 0;
  let ampm = 0; // 1 am, 2 pm
  let bc = false;
  let hour = NaN, minute = 0, second = 0, fsec = 0;
  let numericDate = false;
  const setTime = (v: string) => {
    if (!Number.isNaN(hour)) throw badDateTimeSyntax(kind, text);
    const parts = v.split(':');
    if (parts.length > 3 || parts.some((p) => p === '')) throw badDateTimeSyntax(kind, text);
    hour = Number(parts[0]);
    minute = Number(parts[1]);
    let sec = parts[2] ?? '0';
    const dot = sec.indexOf('.');
    if (dot >= 0) {
      fsec = rint(Number('0' + sec.slice(dot)) * 1e6);
      sec = sec.slice(0, dot);
    }
    second = Number(sec);
    if (!Number.isInteger(hour) || !Number.isInteger(minute) || !Number.isInteger(second)) throw badDateTimeSyntax(kind, text);
  };
  const setYear = (v: string) => {
    if (!Number.isNaN(year)) throw badDateTimeSyntax(kind, text);
    year = Number(v);
    yearDigits = v.length;
  };
  for (let fi = 0; fi < fields.length; fi++) {
    const f = fields[fi]!;
    switch (f.t) {
      case 'time':
        setTime(f.v);
        break;
      case 'tz': {
        const off = parseOffsetDigits(f.v, 1);
        if (Number.isNaN(off)) throw badDateTimeSyntax(kind, text);
        out.offset = f.v.charCodeAt(0) === Ch.Minus ? -off : off;
        break;
      }
      case 'num': {
        const v = f.v;
        if (v.includes('.')) {
          if (!Number.isNaN(hour) && v.startsWith('.')) {
            fsec = rint(Number('0' + v) * 1e6);
            break;
          }
          throw badDateTimeSyntax(kind, text);
        }
        if (Number.isNaN(month) && Number.isNaN(year) && (v.length === 8 || v.length === 6) && Number.isNaN(day)) {
          // YYYYMMDD / YYMMDD
          const yl = v.length - 4;
          setYear(v.slice(0, yl));
          month = Number(v.slice(yl, yl + 2));
          day = Number(v.slice(yl + 2));
          numericDate = true;
        } else if (!Number.isNaN(day) && !Number.isNaN(month) && !Number.isNaN(year) && Number.isNaN(hour) && (v.length === 6 || v.length === 4)) {
          hour = Number(v.slice(0, 2));
          minute = Number(v.slice(2, 4));
          second = v.length === 6 ? Number(v.slice(4)) : 0;
        } else if (v.length >= 3 && Number.isNaN(year)) setYear(v);
        else if (!Number.isNaN(month) && Number.isNaN(day)) day = Number(v);
        else if (Number.isNaN(year)) setYear(v);
        else if (Number.isNaN(day)) day = Number(v);
        else throw badDateTimeSyntax(kind, text);
        break;
      }
      case 'date': {
        const v = f.v;
        const c0 = v.charCodeAt(0);
        if (isAlpha(c0) && (v.includes('/') || /[+\d]/.test(v))) {
          if ((c0 === 106 || c0 === 74) && /^[jJ]\d+$/.test(v)) {
            const jd = Number(v.slice(1));
            const ymd = civilFromDays(jd - 2440588);
            year = ymd.y; month = ymd.m; day = ymd.d; yearDigits = 4;
            break;
          }
          out.zone = getTimeZone(v, true);
          break;
        }
        const delim = v.includes('-') ? '-' : v.includes('/') ? '/' : '.';
        const parts = v.split(delim);
        if (parts.length !== 3 || parts.some((p) => p === '')) throw badDateTimeSyntax(kind, text);
        const mi = parts.findIndex((p) => isAlpha(p.charCodeAt(0)));
        if (mi >= 0) {
          const m = MONTHS[parts[mi]!];
          if (!m) throw badDateTimeSyntax(kind, text);
          month = m;
          const rest = parts.filter((_, k) => k !== mi);
          if (rest.some((p) => !/^\d+$/.test(p))) throw badDateTimeSyntax(kind, text);
          if (rest[0]!.length >= 3 || (mi === 1 && order === 'YMD')) {
            setYear(rest[0]!);
            day = Number(rest[1]);
          } else {
            day = Number(rest[0]);
            setYear(rest[1]!);
          }
        } else {
          if (parts.some((p) => !/^\d+$/.test(p))) throw badDateTimeSyntax(kind, text);
          numericDate = true;
          if (parts[0]!.length >= 3 || order === 'YMD') {
            setYear(parts[0]!);
            month = Number(parts[1]);
            day = Number(parts[2]);
          } else if (order === 'DMY') {
            day = Number(parts[0]);
            month = Number(parts[1]);
            setYear(parts[2]!);
          } else {
            month = Number(parts[0]);
            day = Number(parts[1]);
            setYear(parts[2]!);
          }
        }
        break;
      }
      case 'str': {
        const w = f.v;
        const m = MONTHS[w];
        if (m) {
          if (!Number.isNaN(month)) throw badDateTimeSyntax(kind, text);
          // "Jan 1 2016": if a lone number preceded the month it was a day
          if (!Number.isNaN(year) && Number.isNaN(day) && yearDigits <= 2) {
            day = year;
            year = NaN;
            yearDigits = 0;
          }
          month = m;
        } else if (WEEKDAYS.has(w) || w === 't' || w === 'on' || w === 'at') {
          /* ignored */
        } else if (w === 'am' || w === 'pm') ampm = w === 'am' ? 1 : 2;
        else if (w === 'bc') bc = true;
        else if (w === 'ad') bc = false;
        else if (w === 'allballs') {
          hour = 0; minute = 0; second = 0; fsec = 0;
        } else if (w === 'epoch' || w === 'infinity' || w === '-infinity' || w === '+infinity' || w === 'now' || w === 'today' || w === 'tomorrow' || w === 'yesterday') {
          if (out.special) throw badDateTimeSyntax(kind, text);
          out.special = w === '+infinity' ? 'infinity' : (w as Decoded['special']);
        } else {
          const abbr = ZONE_ABBREVIATIONS.get(w);
          if (abbr !== undefined) out.offset = abbr;
          else {
            let z: TimeZone;
            try {
              z = getTimeZone(w, false);
            } catch {
              throw badDateTimeSyntax(kind, text);
            }
            out.zone = z;
          }
        }
        break;
      }
    }
  }
  if (out.special) {
    const s = out.special;
    const other = !Number.isNaN(year) || !Number.isNaN(month) || !Number.isNaN(day);
    if ((s === 'epoch' || s === 'infinity' || s === '-infinity' || s === 'now') && (other || !Number.isNaN(hour))) throw badDateTimeSyntax(kind, text);
    if (s === 'today' || s === 'tomorrow' || s === 'yesterday') {
      if (other) throw badDateTimeSyntax(kind, text);
    } else return;
  }
  if (!Number.isNaN(hour)) {
    if (ampm) {
      if (hour > 12 || hour < 1) throw dateTimeOutOfRange(text);
      if (ampm === 1 && hour === 12) hour = 0;
      else if (ampm === 2 && hour !== 12) hour += 12;
    }
    if (hour > 24 || minute > 59 || second > 60 || fsec > 1e6 || (hour === 24 && (minute > 0 || second > 0 || fsec > 0)))
      throw dateTimeOutOfRange(text);
    out.hasTime = true;
    out.tod = hour * MICROS_PER_HOUR + minute * MICROS_PER_MINUTE + second * MICROS_PER_SECOND + fsec;
  }
  const anyDate = !Number.isNaN(year) || !Number.isNaN(month) || !Number.isNaN(day);
  if (anyDate) {
    if (Number.isNaN(year) || Number.isNaN(month) || Number.isNaN(day)) throw badDateTimeSyntax(kind, text);
    if (yearDigits <= 2 && !bc) year += year < 70 ? 2000 : 1900;
    if (bc) {
      if (year < 1) throw dateTimeOutOfRange(text);
      year = 1 - year;
    } else if (year === 0 && yearDigits > 2) throw dateTimeOutOfRange(text);
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) throw dateTimeOutOfRange(text, numericDate && (month > 12 || day > 31));
    out.hasDate = true;
    out.days = daysFromCivil(year, month, day);
  }
}

function dateOrder(style: string): 'MDY' | 'DMY' | 'YMD' {
  const s = style.toUpperCase();
  if (s.includes('DMY') || (s.includes('GERMAN') && !s.includes('MDY') && !s.includes('YMD'))) return 'DMY';
  if (s.includes('YMD')) return 'YMD';
  if (s.includes('EURO') || s.includes('NONEURO')) return s.includes('NONEURO') ? 'MDY' : 'DMY';
  return 'MDY';
}

function decode(text: string, kind: DateTimeKind, ctx: FormatContext): Decoded {
  const out: Decoded = { special: null, hasDate: false, days: 0, hasTime: false, tod: 0, offset: NaN, zone: null };
  let s = text;
  const n = s.length;
  if (n > 0 && (isSpace(s.charCodeAt(0)) || isSpace(s.charCodeAt(n - 1)))) s = s.trim();
  if (!fastIso(s, out, kind)) {
    out.hasDate = false;
    out.hasTime = false;
    out.tod = 0;
    out.offset = NaN;
    decodeGeneral(s, kind, ctx, out);
  }
  return out;
}

/** PostgreSQL's limits: 4714-11-24 BC .. 294276-12-31 (timestamps), .. 5874897-12-31 (dates). */
const MIN_DAY = daysFromCivil(-4713, 11, 24);
const END_TS_DAY = daysFromCivil(294277, 1, 1);
const END_DATE_DAY = daysFromCivil(5874898, 1, 1);
function checkTimestampRange(us: number, text: string): number {
  if (us < MIN_DAY * MICROS_PER_DAY || us >= END_TS_DAY * MICROS_PER_DAY)
    throw new SqlError(SQLSTATE.datetimeFieldOverflow, `timestamp out of range: "${text}"`);
  return us;
}

function nowMicrosDefault(): number {
  return Date.now() * 1000;
}

/** Local midnight (µs of the wall clock) of today/tomorrow/yesterday in the session zone. */
function relativeDayLocal(special: string, zone: TimeZone, now: number): number {
  const local = utcToLocal(now, zone);
  const d = Math.floor(local / MICROS_PER_DAY) + (special === 'tomorrow' ? 1 : special === 'yesterday' ? -1 : 0);
  return d * MICROS_PER_DAY;
}

/** timestamptz input → µs UTC. */
export function parseTimestamptz(text: string, ctx: FormatContext, nowMicros?: number): number {
  const d = decode(text, 'timestamptz', ctx);
  if (d.special) {
    switch (d.special) {
      case 'infinity':
        return Infinity;
      case '-infinity':
        return -Infinity;
      case 'epoch':
        return 0;
      case 'now':
        return nowMicros ?? nowMicrosDefault();
      default: {
        const zone = d.zone ?? sessionZone(ctx);
        return localToUtc(relativeDayLocal(d.special, zone, nowMicros ?? nowMicrosDefault()) + d.tod, zone);
      }
    }
  }
  if (!d.hasDate) throw badDateTimeSyntax('timestamptz', text);
  const local = d.days * MICROS_PER_DAY + d.tod;
  if (!Number.isNaN(d.offset)) return checkTimestampRange(local - d.offset * MICROS_PER_SECOND, text);
  return checkTimestampRange(localToUtc(local, d.zone ?? sessionZone(ctx)), text);
}

/** timestamp input → µs of the wall clock (a zone in the text is ignored, as in PostgreSQL). */
export function parseTimestamp(text: string, ctx: FormatContext, nowMicros?: number): number {
  const d = decode(text, 'timestamp', ctx);
  if (d.special) {
    switch (d.special) {
      case 'infinity':
        return Infinity;
      case '-infinity':
        return -Infinity;
      case 'epoch':
        return 0;
      case 'now':
        return utcToLocal(nowMicros ?? nowMicrosDefault(), sessionZone(ctx));
      default:
        return relativeDayLocal(d.special, sessionZone(ctx), nowMicros ?? nowMicrosDefault()) + d.tod;
    }
  }
  if (!d.hasDate) throw badDateTimeSyntax('timestamp', text);
  return checkTimestampRange(d.days * MICROS_PER_DAY + d.tod, text);
}

/** date input → days since 1970-01-01. */
export function parseDate(text: string, ctx: FormatContext, nowMicros?: number): number {
  const d = decode(text, 'date', ctx);
  if (d.special) {
    switch (d.special) {
      case 'infinity':
        return Infinity;
      case '-infinity':
        return -Infinity;
      case 'epoch':
        return 0;
      case 'now':
        return Math.floor(utcToLocal(nowMicros ?? nowMicrosDefault(), sessionZone(ctx)) / MICROS_PER_DAY);
      default:
        return Math.floor(relativeDayLocal(d.special, sessionZone(ctx), nowMicros ?? nowMicrosDefault()) / MICROS_PER_DAY);
    }
  }
  if (!d.hasDate) throw badDateTimeSyntax('date', text);
  if (d.days < MIN_DAY || d.days >= END_DATE_DAY) throw new SqlError(SQLSTATE.datetimeFieldOverflow, `date out of range: "${text}"`);
  return d.days;
}

/** time input → µs since midnight (date and zone parts are ignored). */
export function parseTime(text: string, ctx: FormatContext, nowMicros?: number): number {
  const d = decode(text, 'time', ctx);
  if (d.special) {
    if (d.special === 'now') {
      const local = utcToLocal(nowMicros ?? nowMicrosDefault(), sessionZone(ctx));
      return local - Math.floor(local / MICROS_PER_DAY) * MICROS_PER_DAY;
    }
    throw badDateTimeSyntax('time', text);
  }
  if (!d.hasTime) throw badDateTimeSyntax('time', text);
  return d.tod;
}
