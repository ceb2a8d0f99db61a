/**
 * Text output of date, time, timestamp and timestamptz in PostgreSQL's
 * DateStyles: ISO (default), SQL, Postgres, German; MDY/DMY orders.
 */
import { civilFromDays, dayOfWeek, type Ymd } from './calendar.js';
import { sessionZone } from './datetime-parse.js';
import { formatIsoOffset, type TimeZone } from './timezone.js';
import { MICROS_PER_DAY, type FormatContext } from './values.js';

const P2: string[] = [];
for (let i = 0; i < 100; i++) P2.push(i < 10 ? '0' + i : String(i));
const MON_ABBR = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_ABBR = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

type Style = 'ISO' | 'SQL' | 'Postgres' | 'German';
interface ParsedStyle {
  style: Style;
  dmy: boolean;
}
const styleCache = new Map<string, ParsedStyle>();
export function parseDateStyle(ds: string): ParsedStyle {
  let p = styleCache.get(ds);
  if (!p) {
    const u = ds.toUpperCase();
    const style: Style = u.includes('SQL') ? 'SQL' : u.includes('POSTGRES') ? 'Postgres' : u.includes('GERMAN') ? 'German' : 'ISO';
    const dmy = u.includes('DMY') || (u.includes('EURO') && !u.includes('NONEURO'));
    p = { style, dmy };
    styleCache.set(ds, p);
  }
  return p;
}

const scratch: Ymd = { y: 0, m: 0, d: 0 };

function year4(y: number): string {
  // astronomical year → displayed year (BC handled by caller)
  if (y >= 1000) return String(y);
  if (y >= 100) return '0' + y;
  if (y >= 10) return '00' + y;
  return '000' + y;
}

/** HH:MM:SS[.ffffff] with trailing zeros of the fraction trimmed. */
export function formatTimeOfDay(tod: number): string {
  const totalSec = Math.floor(tod / 1_000_000);
  const frac = tod - totalSec * 1_000_000;
  const h = Math.floor(totalSec / 3600);
  const m = Math.floor((totalSec % 3600) / 60);
  const s = totalSec % 60;
  let r = (h < 100 ? P2[h] : String(h)) + ':' + P2[m] + ':' + P2[s];
  if (frac > 0) r += fraction(frac);
  return r;
}

function fraction(frac: number): string {
  let f = String(Math.round(frac));
  if (f.length < 6) f = '000000'.slice(f.length) + f;
  let end = 6;
  while (end > 0 && f.charCodeAt(end - 1) === 48) end--;
  return '.' + f.slice(0, end);
}

function datePart(days: number, st: ParsedStyle, withDow: boolean): { text: string; bc: boolean } {
  const { y, m, d } = civilFromDays(days, scratch);
  const bc = y <= 0;
  const yy = year4(bc ? 1 - y : y);
  switch (st.style) {
    case 'ISO':
      return { text: yy + '-' + P2[m] + '-' + P2[d], bc };
    case 'SQL':
      return { text: st.dmy ? P2[d] + '/' + P2[m] + '/' + yy : P2[m] + '/' + P2[d] + '/' + yy, bc };
    case 'German':
      return { text: P2[d] + '.' + P2[m] + '.' + yy, bc };
    case 'Postgres':
      if (!withDow) return { text: st.dmy ? P2[d] + '-' + P2[m] + '-' + yy : P2[m] + '-' + P2[d] + '-' + yy, bc };
      return {
        text: DAY_ABBR[dayOfWeek(days)] + ' ' + (st.dmy ? P2[d] + ' ' + MON_ABBR[m - 1] : MON_ABBR[m - 1] + ' ' + P2[d]),
        bc,
      };
  }
}

export function formatDate(days: number, ctx: FormatContext): string {
  if (!Number.isFinite(days)) return days > 0 ? 'infinity' : '-infinity';
  const st = parseDateStyle(ctx.dateStyle);
  const { text, bc } = datePart(days, st, false);
  return bc ? text + ' BC' : text;
}

export function formatTime(micros: number): string {
  return formatTimeOfDay(micros);
}

/** Shared by timestamp and timestamptz: `local` is wall-clock µs; `zoneText` appended (may be ''). */
function formatLocal(local: number, st: ParsedStyle, offsetText: string, abbrev: string | null): string {
  const days = Math.floor(local / MICROS_PER_DAY);
  let tod = local - days * MICROS_PER_DAY;
  if (local > 9007199254740992 || local < -9007199254740992) {
    // beyond 2^53 µs (~285 years from 1970) doubles lose µs: hide the noise below the precision
    const ulp = 2 ** (Math.floor(Math.log2(Math.abs(local))) - 52);
    const g = 10 ** Math.ceil(Math.log10(ulp));
    tod = Math.min(Math.round(tod / g) * g, MICROS_PER_DAY - g);
  }
  if (st.style === 'ISO') {
    const { y, m, d } = civilFromDays(days, scratch);
    if (y > 0) return year4(y) + '-' + P2[m] + '-' + P2[d] + ' ' + formatTimeOfDay(tod) + offsetText;
    return year4(1 - y) + '-' + P2[m] + '-' + P2[d] + ' ' + formatTimeOfDay(tod) + offsetText + ' BC';
  }
  const { text, bc } = datePart(days, st, true);
  if (st.style === 'Postgres') {
    const { y } = civilFromDays(days, scratch);
    const yy = year4(bc ? 1 - y : y);
    return text + ' ' + formatTimeOfDay(tod) + ' ' + yy + (abbrev !== null ? ' ' + abbrev : '') + (bc ? ' BC' : '');
  }
  return text + ' ' + formatTimeOfDay(tod) + (abbrev !== null ? ' ' + abbrev : '') + (bc ? ' BC' : '');
}

export function formatTimestamp(micros: number, ctx: FormatContext): string {
  if (!Number.isFinite(micros)) return micros > 0 ? 'infinity' : '-infinity';
  return formatLocal(micros, parseDateStyle(ctx.dateStyle), '', null);
}

/** Fast ISO path cache: last zone. */
let lastZoneName = '';
let lastZone: TimeZone | null = null;

export function formatTimestamptz(micros: number, ctx: FormatContext, zone?: TimeZone): string {
  if (!Number.isFinite(micros)) return micros > 0 ? 'infinity' : '-infinity';
  if (!zone) {
    if (ctx.timeZone === lastZoneName && lastZone) zone = lastZone;
    else {
      zone = sessionZone(ctx);
      lastZoneName = ctx.timeZone;
      lastZone = zone;
    }
  }
  const off = zone.fixedOffset ?? zone.offsetAtUtc(micros);
  const local = micros + off * 1_000_000;
  const st = parseDateStyle(ctx.dateStyle);
  if (st.style === 'ISO') return formatLocal(local, st, off === 0 ? '+00' : formatIsoOffset(off), null);
  return formatLocal(local, st, '', zone.abbrevAtUtc(micros));
}
