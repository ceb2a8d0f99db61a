/**
 * to_char / to_timestamp(text, text) / to_date / to_number for the commonly
 * used template patterns (formatting.c's subset clients and dashboards use):
 * dates YYYY MM DD HH24 HH12 MI SS MS US Mon Month Day DY DDD D ID IW WW Q CC J
 * AM/PM TZ OF, FM and TH modifiers, "quoted" text; numbers 9 0 . , D G S MI PL
 * SG FM TH. Unsupported patterns are copied as literal text.
 */
import { SqlError, SQLSTATE } from '../errors.js';
import { civilFromDays, daysFromCivil, isoWeek } from '../types/calendar.js';
import type { ZoneArg } from '../types/datetime.js';
import { resolveZone } from '../types/datetime.js';
import { Decimal } from '../types/numeric.js';
import { localToUtc, utcToLocal } from '../types/timezone.js';
import type { Interval, Value } from '../types/values.js';
import { MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND } from '../types/values.js';
import { fn } from './catalog.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// longest first, so HH24 wins over HH and MONTH over MON
const DATE_PATTERNS = [
  'HH24', 'HH12', 'HH', 'MI', 'SSSSS', 'SSSS', 'SS', 'MS', 'US', 'FF1', 'FF2', 'FF3', 'FF4', 'FF5', 'FF6', 'AM', 'PM', 'am', 'pm', 'A.M.', 'P.M.', 'a.m.', 'p.m.',
  'YYYY', 'YYY', 'YY', 'Y', 'IYYY', 'IYY', 'IY', 'I', 'MONTH', 'Month', 'month', 'MON', 'Mon', 'mon', 'MM', 'DAY', 'Day', 'day', 'DY', 'Dy', 'dy',
  'DDD', 'DD', 'D', 'ID', 'IDDD', 'IW', 'WW', 'W', 'Q', 'CC', 'J', 'TZ', 'tz', 'OF', 'RM', 'rm',
].sort((a, b) => b.length - a.length);

function ordinal(n: number, upper: boolean): string {
  const a = Math.abs(n) % 100;
  const s = a >= 11 && a <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][a % 10] ?? 'th';
  return upper ? s.toUpperCase() : s;
}

interface DateParts {
  y: number; m: number; d: number; days: number; tod: number; offset: number | null; abbrev: string | null;
}

function pad(n: number, w: number, fm: boolean): string {
  const s = String(Math.abs(n));
  const p = fm ? s : s.padStart(w, '0');
  return n < 0 ? '-' + p : p;
}

function dateField(pat: string, p: DateParts, fm: boolean): string {
  const { y, m, d, tod, days } = p;
  const h24 = Math.floor(tod / MICROS_PER_HOUR);
  const yr = y > 0 ? y : 1 - y;
  const cased = (s: string, pattern: string) => (pattern === pattern.toUpperCase() ? s.toUpperCase() : pattern[1] === pattern[1]!.toLowerCase() && pattern[0] === pattern[0]!.toLowerCase() ? s.toLowerCase() : s);
  switch (pat) {
    case 'HH24': return pad(h24, 2, fm);
    case 'HH': case 'HH12': return pad(h24 % 12 === 0 ? 12 : h24 % 12, 2, fm);
    case 'MI': return pad(Math.floor(tod / MICROS_PER_MINUTE) % 60, 2, fm);
    case 'SS': return pad(Math.floor(tod / MICROS_PER_SECOND) % 60, 2, fm);
    case 'SSSS': case 'SSSSS': return String(Math.floor(tod / MICROS_PER_SECOND));
    case 'MS': return pad(Math.floor((tod % MICROS_PER_SECOND) / 1000), 3, fm);
    case 'US': return pad(tod % MICROS_PER_SECOND, 6, fm);
    case 'FF1': case 'FF2': case 'FF3': case 'FF4': case 'FF5': case 'FF6': {
      const k = Number(pat[2]);
      return pad(Math.floor((tod % MICROS_PER_SECOND) / 10 ** (6 - k)), k, false);
    }
    case 'AM': case 'PM': return h24 < 12 ? 'AM' : 'PM';
    case 'am': case 'pm': return h24 < 12 ? 'am' : 'pm';
    case 'A.M.': case 'P.M.': return h24 < 12 ? 'A.M.' : 'P.M.';
    case 'a.m.': case 'p.m.': return h24 < 12 ? 'a.m.' : 'p.m.';
    case 'YYYY': return pad(yr, 4, fm);
    case 'YYY': return pad(yr % 1000, 3, fm);
    case 'YY': return pad(yr % 100, 2, fm);
    case 'Y': return String(yr % 10);
    case 'IYYY': case 'IYY': case 'IY': case 'I': {
      const iy = isoWeek(days).isoYear;
      return pad(iy % 10 ** (pat.length === 4 ? 4 : pat.length), pat.length, fm);
    }
    case 'MONTH': case 'Month': case 'month': {
      const s = cased(MONTHS[m - 1]!, pat);
      return fm ? s : s.padEnd(9, ' ');
    }
    case 'MON': case 'Mon': case 'mon': return cased(MONTHS[m - 1]!.slice(0, 3), pat);
    case 'MM': return pad(m, 2, fm);
    case 'DAY': case 'Day': case 'day': {
      const s = cased(DAYS[mod(days + 4, 7)]!, pat);
      return fm ? s : s.padEnd(9, ' ');
    }
    case 'DY': case 'Dy': case 'dy': return cased(DAYS[mod(days + 4, 7)]!.slice(0, 3), pat);
    case 'DDD': return pad(days - daysFromCivil(y, 1, 1) + 1, 3, fm);
    case 'DD': return pad(d, 2, fm);
    case 'D': return String(mod(days + 4, 7) + 1);
    case 'ID': return String(mod(days + 3, 7) + 1);
    case 'IW': return pad(isoWeek(days).week, 2, fm);
    case 'WW': return pad(Math.floor((days - daysFromCivil(y, 1, 1)) / 7) + 1, 2, fm);
    case 'W': return String(Math.floor((d - 1) / 7) + 1);
    case 'Q': return String(Math.floor((m - 1) / 3) + 1);
    case 'CC': return pad(y > 0 ? Math.floor((y - 1) / 100) + 1 : -(Math.floor((-y) / 100) + 1), 2, fm);
    case 'J': return String(days + 2440588);
    case 'TZ': return (p.abbrev ?? '').toUpperCase();
    case 'tz': return (p.abbrev ?? '').toLowerCase();
    case 'OF': {
      if (p.offset === null) return '';
      const o = Math.abs(p.offset);
      const hh = String(Math.floor(o / 3600)).padStart(2, '0');
      const mm = Math.floor((o % 3600) / 60);
      return (p.offset < 0 ? '-' : '+') + hh + (mm ? ':' + String(mm).padStart(2, '0') : '');
    }
    case 'RM': case 'rm': {
      const r = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'][m - 1]!;
      const s = pat === 'rm' ? r.toLowerCase() : r;
      return fm ? s : s.padEnd(4, ' ');
    }
    default: return pat;
  }
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** Walk a template: quoted text, backslash escapes, FM prefixes and TH suffixes around patterns. */
function walk(fmt: string, patterns: readonly string[], emit: (pat: string | null, text: string, fm: boolean, th: '' | 'TH' | 'th') => void): void {
  let i = 0;
  while (i < fmt.length) {
    if (fmt[i] === '"') {
      let j = i + 1;
      let lit = '';
      while (j < fmt.length && fmt[j] !== '"') {
        if (fmt[j] === '\\' && j + 1 < fmt.length) j++;
        lit += fmt[j++];
      }
      emit(null, lit, false, '');
      i = j + 1;
      continue;
    }
    if (fmt[i] === '\\' && i + 1 < fmt.length) {
      emit(null, fmt[i + 1]!, false, '');
      i += 2;
      continue;
    }
    let fm = false;
    let k = i;
    if (fmt.startsWith('FM', k) || fmt.startsWith('fm', k)) {
      fm = true;
      k += 2;
    }
    const pat = patterns.find((p) => fmt.startsWith(p, k));
    if (pat) {
      k += pat.length;
      let th: '' | 'TH' | 'th' = '';
      if (fmt.startsWith('TH', k)) th = 'TH';
      else if (fmt.startsWith('th', k)) th = 'th';
      if (th) k += 2;
      emit(pat, '', fm, th);
      i = k;
      continue;
    }
    emit(null, fmt[i]!, false, '');
    i++;
  }
}

export function formatDateTime(us: number, fmt: string, zone: ZoneArg | null): string | null {
  if (!Number.isFinite(us)) return null;
  let local = us;
  let offset: number | null = null;
  let abbrev: string | null = null;
  if (zone !== null) {
    const z = resolveZone(zone);
    local = utcToLocal(us, z);
    offset = Math.round((local - us) / MICROS_PER_SECOND);
    abbrev = z.abbrevAtUtc(us);
  }
  const days = Math.floor(local / MICROS_PER_DAY);
  const c = civilFromDays(days);
  const parts: DateParts = { y: c.y, m: c.m, d: c.d, days, tod: local - days * MICROS_PER_DAY, offset, abbrev };
  let out = '';
  walk(fmt, DATE_PATTERNS, (pat, text, fm, th) => {
    if (pat === null) {
      out += text;
      return;
    }
    const v = dateField(pat, parts, fm);
    out += v;
    if (th && /^\d+$/.test(v.trim())) out += ordinal(Number(v), th === 'TH');
  });
  return out;
}

function formatIntervalChar(iv: Interval, fmt: string): string {
  // to_char(interval): hours are not reduced modulo 24, days and months are the interval's own
  const tod = iv.micros;
  let out = '';
  walk(fmt, DATE_PATTERNS, (pat, text, fm) => {
    if (pat === null) out += text;
    else if (pat === 'HH24' || pat === 'HH') out += pad(Math.trunc(tod / MICROS_PER_HOUR), 2, fm);
    else if (pat === 'DD' || pat === 'D') out += pad(iv.days, 2, fm);
    else if (pat === 'MM') out += pad(iv.months % 12, 2, fm);
    else if (pat === 'YYYY' || pat === 'YY' || pat === 'Y') out += pad(Math.trunc(iv.months / 12), pat.length, fm);
    else out += dateField(pat, { y: 1, m: 1, d: 1, days: 0, tod: mod(tod, MICROS_PER_DAY), offset: null, abbrev: null }, fm);
  });
  return out;
}

// ---- numbers -----------------------------------------------------------------------------

const NUM_PATTERNS = ['9', '0', '.', 'D', ',', 'G', 'S', 'MI', 'PL', 'SG', 'EEEE', 'V', 'L'].sort((a, b) => b.length - a.length);

export function formatNumber(value: Decimal | number, fmt: string): string {
  const tokens: { pat: string | null; text: string; th: '' | 'TH' | 'th' }[] = [];
  let fmAll = false;
  walk(fmt, NUM_PATTERNS, (pat, text, fm, th) => {
    if (fm) fmAll = true;
    tokens.push({ pat, text, th });
  });
  if (tokens.some((t) => t.pat === 'EEEE' || t.pat === 'V')) throw new SqlError(SQLSTATE.featureNotSupported, 'to_char: EEEE and V patterns are not supported');
  const pointAt = tokens.findIndex((t) => t.pat === '.' || t.pat === 'D');
  const isDigit = (t: { pat: string | null }) => t.pat === '9' || t.pat === '0';
  const intSlots = tokens.filter((t, i) => isDigit(t) && (pointAt < 0 || i < pointAt)).length;
  const fracSlots = pointAt < 0 ? 0 : tokens.filter((t, i) => isDigit(t) && i > pointAt).length;
  // float8 rounds its binary value, as sprintf("%.*f") does in float8_to_char
  const neg = typeof value === 'number' ? value < 0 : value.sign() < 0;
  const r = typeof value === 'number'
    ? Math.abs(value) < 1e21 ? Decimal.parse(Math.abs(value).toFixed(Math.min(fracSlots, 100))) : Decimal.fromNumber(Math.abs(value)).round(fracSlots)
    : value.abs().round(fracSlots);
  const [ip, fp = ''] = r.toString().split('.') as [string, string?];
  let intDigits = ip === '0' ? '' : ip;
  if (intDigits === '' && pointAt < 0) intDigits = '0';
  const overflow = intDigits.length > intSlots;
  const explicitSign = tokens.some((t) => t.pat === 'S' || t.pat === 'MI' || t.pat === 'PL' || t.pat === 'SG');
  const padded = intDigits.padStart(intSlots, ' ');
  let out = '';
  let slot = 0;
  let started = false;
  let fracIdx = 0;
  let signDone = false;
  const signChar = neg ? '-' : fmAll ? '' : ' ';
  const fracDigits = fp.padEnd(fracSlots, '0');
  const fracOut: { ch: string; nine: boolean }[] = [];
  tokens.forEach((t, i) => {
    if (t.pat === null) {
      out += t.text;
      return;
    }
    const inFrac = pointAt >= 0 && i > pointAt;
    switch (t.pat) {
      case '9': case '0': {
        if (inFrac) {
          const ch = overflow ? '#' : fracDigits[fracIdx++]!;
          fracOut.push({ ch, nine: t.pat === '9' });
          out += '\u0001';
          return;
        }
        const ch = overflow ? '#' : padded[slot++]!;
        if (ch === ' ' && t.pat === '9' && !started) {
          if (!fmAll) out += ' ';
          return;
        }
        if (!started && !explicitSign && !signDone) {
          out += signChar;
          signDone = true;
        }
        started = true;
        out += ch === ' ' ? '0' : ch;
        return;
      }
      case '.': case 'D':
        if (!started && !explicitSign && !signDone) {
          out += signChar;
          signDone = true;
        }
        out += '.';
        return;
      case ',': case 'G':
        out += started ? ',' : fmAll ? '' : ' ';
        return;
      case 'S': out += neg ? '-' : '+'; return;
      case 'MI': out += neg ? '-' : fmAll ? '' : ' '; return;
      case 'PL': out += neg ? '' : '+'; return;
      case 'SG': out += neg ? '-' : '+'; return;
      default: out += t.pat;
    }
    void t.th;
  });
  if (!signDone && !explicitSign) out = signChar + out;
  // fraction digits: FM drops trailing zeros of 9 positions
  let keep = fracOut.length;
  if (fmAll) while (keep > 0 && fracOut[keep - 1]!.nine && fracOut[keep - 1]!.ch === '0') keep--;
  let k = 0;
  out = out.replace(/\u0001/g, () => (k < keep ? fracOut[k++]!.ch : (k++, '')));
  if (fmAll && keep === 0) out = out.replace(/\.(?=[^0-9#]*$)/, '');
  const th = tokens.find((t) => t.th);
  if (th && !overflow) out += ordinal(Number(ip), th.th === 'TH');
  // S placed before the digits binds to the number, after the leading blanks
  if (!fmAll) out = out.replace(/^([+-])( +)/, '$2$1');
  return out;
}

// ---- parsing: to_timestamp / to_date / to_number ------------------------------------------------

function parseDateTime(text: string, fmt: string): { local: number; offset: number | null } {
  let y = 1, m = 1, d = 1, h = 0, mi = 0, s = 0, us = 0;
  let pm: boolean | null = null;
  let doy: number | null = null;
  let offset: number | null = null;
  let pos = 0;
  const bad = () => new SqlError(SQLSTATE.invalidDatetimeFormat, `invalid value "${text.slice(pos, pos + 10)}" for "${fmt}"`);
  const num = (max: number): number => {
    while (text[pos] === ' ') pos++;
    const mm = new RegExp(`^[+-]?\\d{1,${max}}`).exec(text.slice(pos));
    if (!mm) throw bad();
    pos += mm[0].length;
    return Number(mm[0]);
  };
  const word = (list: string[], len: number | null): number => {
    while (text[pos] === ' ') pos++;
    const rest = text.slice(pos).toLowerCase();
    for (let i = 0; i < list.length; i++) {
      const w = (len ? list[i]!.slice(0, len) : list[i]!).toLowerCase();
      if (rest.startsWith(w)) {
        pos += w.length;
        return i;
      }
    }
    throw bad();
  };
  walk(fmt, DATE_PATTERNS, (pat, lit) => {
    if (pat === null) {
      // separators in the template match any one separator (or nothing) in the input
      if (/[\s\-/:.,]/.test(lit) || lit === 'T') {
        if (pos < text.length && /[\s\-/:.,T]/.test(text[pos]!)) pos++;
      } else if (text[pos] === lit) pos++;
      return;
    }
    switch (pat) {
      case 'YYYY': case 'IYYY': y = num(4); break;
      case 'YYY': case 'YY': case 'Y': { const v = num(pat.length); y = pat.length === 2 ? (v < 70 ? 2000 + v : 1900 + v) : v; break; }
      case 'MM': m = num(2); break;
      case 'MON': case 'Mon': case 'mon': m = word(MONTHS, 3) + 1; break;
      case 'MONTH': case 'Month': case 'month': m = word(MONTHS, null) + 1; break;
      case 'DD': d = num(2); break;
      case 'DDD': doy = num(3); break;
      case 'DY': case 'Dy': case 'dy': word(DAYS, 3); break;
      case 'DAY': case 'Day': case 'day': word(DAYS, null); break;
      case 'HH24': h = num(2); break;
      case 'HH': case 'HH12': h = num(2); if (pm === null) pm = false; break;
      case 'MI': mi = num(2); break;
      case 'SS': s = num(2); break;
      case 'MS': us = num(3) * 1000; break;
      case 'US': us = num(6); break;
      case 'AM': case 'PM': case 'am': case 'pm': case 'A.M.': case 'P.M.': case 'a.m.': case 'p.m.': {
        while (text[pos] === ' ') pos++;
        const t = text.slice(pos, pos + pat.length).toUpperCase().replace(/\./g, '');
        pm = t === 'PM';
        pos += pat.length;
        break;
      }
      case 'J': { const days = num(8) - 2440588; const c = civilFromDays(days); y = c.y; m = c.m; d = c.d; break; }
      case 'TZH': case 'OF': { const v = num(2); offset = v * 3600; break; }
      default: break;
    }
  });
  if (pm !== null) {
    if (h < 1 || h > 12) throw new SqlError(SQLSTATE.invalidDatetimeFormat, `hour "${h}" is invalid for the 12-hour clock`, { hint: 'Use the 24-hour clock, or give an hour between 1 and 12.' });
    h = (h % 12) + (pm ? 12 : 0);
  }
  if (m < 1 || m > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60)
    throw new SqlError(SQLSTATE.datetimeFieldOverflow, `date/time field value out of range: "${text}"`);
  const dayNo = doy !== null ? daysFromCivil(y, 1, 1) + doy - 1 : daysFromCivil(y, m, d);
  const check = civilFromDays(dayNo);
  if (doy === null && check.d !== d) throw new SqlError(SQLSTATE.datetimeFieldOverflow, `date/time field value out of range: "${text}"`);
  return { local: dayNo * MICROS_PER_DAY + h * MICROS_PER_HOUR + mi * MICROS_PER_MINUTE + s * MICROS_PER_SECOND + us, offset };
}

export function toNumber(text: string, fmt: string): Decimal {
  const neg = /-|\(/.test(text) && (/MI|S|PR|SG/.test(fmt) || /^\s*-/.test(text));
  const digits = text.replace(/[^0-9.]/g, '');
  if (digits === '' || digits === '.') throw new SqlError(SQLSTATE.invalidTextRepresentation, 'invalid input syntax for type numeric: " "');
  const d = Decimal.parse(digits);
  return neg ? d.neg() : d;
}

// ---- registrations ------------------------------------------------------------------------------

const stable = { volatility: 'stable' as const };
fn('to_char(timestamp, text) -> text', (a) => formatDateTime(a[0] as number, a[1] as string, null), stable);
fn('to_char(timestamptz, text) -> text', (a, ctx) => formatDateTime(a[0] as number, a[1] as string, ctx.settings), stable);
fn('to_char(interval, text) -> text', (a) => formatIntervalChar(a[0] as Interval, a[1] as string), stable);
const numArg = (v: Value): Decimal => (typeof v === 'number' ? Decimal.fromNumber(v) : (v as Decimal));
for (const t of ['int4', 'int8', 'float4', 'float8', 'numeric']) {
  fn(`to_char(${t}, text) -> text`, (a) => {
    if (typeof a[0] === 'number' && !Number.isFinite(a[0])) return null;
    return formatNumber(t === 'float4' ? Decimal.fromFloat4(a[0] as number) : t === 'float8' ? (a[0] as number) : numArg(a[0]!), a[1] as string);
  }, stable);
}
fn('to_timestamp(text, text) -> timestamptz', (a, ctx) => {
  const r = parseDateTime(a[0] as string, a[1] as string);
  return r.offset !== null ? r.local - r.offset * MICROS_PER_SECOND : localToUtc(r.local, resolveZone(ctx.settings));
}, stable);
fn('to_date(text, text) -> date', (a) => Math.floor(parseDateTime(a[0] as string, a[1] as string).local / MICROS_PER_DAY), stable);
fn('to_number(text, text) -> numeric', (a) => toNumber(a[0] as string, a[1] as string), stable);
