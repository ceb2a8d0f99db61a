/**
 * Time zones: IANA names (through Intl, with cached offsets), POSIX-style
 * offsets ('UTC+3', '+05:30' — west-positive, as PostgreSQL reads them in
 * SET TIME ZONE and AT TIME ZONE), and the common abbreviations.
 *
 * Offsets are seconds EAST of Greenwich (PostgreSQL's output sign).
 */
import { SqlError, SQLSTATE } from '../errors.js';

export interface TimeZone {
  /** Name as given (lower-cased for lookups). */
  readonly name: string;
  /** Fixed offset in seconds, or null for zones with rules. */
  readonly fixedOffset: number | null;
  /** Offset (s, east-positive) in effect at the UTC instant `utcMicros`. */
  offsetAtUtc(utcMicros: number): number;
  /**
   * Offset (s) to use for the local wall-clock time `localMicros`. In a
   * spring-forward gap the pre-transition offset is used, in a fall-back
   * overlap the post-transition one (PostgreSQL's DetermineTimeZoneOffset).
   */
  offsetAtLocal(localMicros: number): number;
  /** Abbreviation for output styles SQL/Postgres/German (e.g. 'EST', 'CET', or '+0530'). */
  abbrevAtUtc(utcMicros: number): string;
}

const US_PER_S = 1_000_000;
const HOUR_S = 3600;

class FixedZone implements TimeZone {
  readonly fixedOffset: number;
  constructor(
    readonly name: string,
    offsetSeconds: number,
    private readonly abbrev: string,
  ) {
    this.fixedOffset = offsetSeconds;
  }
  offsetAtUtc(): number {
    return this.fixedOffset;
  }
  offsetAtLocal(): number {
    return this.fixedOffset;
  }
  abbrevAtUtc(): string {
    return this.abbrev;
  }
}

interface Mixed {
  readonly at: number; // first UTC second with `after`
  readonly before: number;
  readonly after: number;
}

class IanaZone implements TimeZone {
  readonly fixedOffset = null;
  private readonly dtf: Intl.DateTimeFormat;
  private abbrevFmt: Intl.DateTimeFormat | null = null;
  /** UTC hour index → offset seconds (uniform hour) or transition info. */
  private readonly hours = new Map<number, number | Mixed>();
  private lastHour = NaN;
  private lastOff = 0;

  constructor(
    readonly name: string,
    readonly ianaName: string,
  ) {
    this.dtf = new Intl.DateTimeFormat('en-US', {
      timeZone: ianaName,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Offset at a UTC second, straight from Intl. */
  private rawOffset(utcSec: number): number {
    const parts = this.dtf.formatToParts(new Date(utcSec * 1000));
    let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    let bc = false;
    for (const p of parts) {
      switch (p.type) {
        case 'year': y = +p.value; break;
        case 'month': mo = +p.value; break;
        case 'day': d = +p.value; break;
        case 'hour': h = +p.value; break;
        case 'minute': mi = +p.value; break;
        case 'second': s = +p.value; break;
        case 'era': bc = p.value === 'BC' || p.value === 'B'; break;
      }
    }
    if (bc) y = 1 - y;
    const dt = new Date(0);
    dt.setUTCFullYear(y, mo - 1, d);
    dt.setUTCHours(h, mi, s, 0);
    return Math.round(dt.getTime() / 1000 - utcSec);
  }

  private hourInfo(hour: number): number | Mixed {
    let v = this.hours.get(hour);
    if (v === undefined) {
      const start = hour * HOUR_S;
      const a = this.rawOffset(start);
      const b = this.rawOffset(start + HOUR_S - 1);
      if (a === b) v = a;
      else {
        let lo = start; // offset a
        let hi = start + HOUR_S - 1; // offset b
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (this.rawOffset(mid) === a) lo = mid;
          else hi = mid;
        }
        v = { at: hi, before: a, after: b };
      }
      if (this.hours.size > 200_000) this.hours.clear();
      this.hours.set(hour, v);
    }
    return v;
  }

  offsetAtUtc(utcMicros: number): number {
    const sec = Math.floor(utcMicros / US_PER_S);
    const hour = Math.floor(sec / HOUR_S);
    if (hour === this.lastHour) return this.lastOff;
    const v = this.hourInfo(hour);
    if (typeof v === 'number') {
      this.lastHour = hour;
      this.lastOff = v;
      return v;
    }
    return sec >= v.at ? v.after : v.before;
  }

  offsetAtLocal(localMicros: number): number {
    // Offsets are within ±18 h: the instants local - offset lie in [local - 18h, local + 18h].
    const c1 = this.offsetAtUtc(localMicros - 18 * HOUR_S * US_PER_S);
    const c2 = this.offsetAtUtc(localMicros + 18 * HOUR_S * US_PER_S);
    if (c1 === c2 && this.offsetAtUtc(localMicros - c1 * US_PER_S) === c1) return c1;
    const o0 = this.offsetAtUtc(localMicros - c1 * US_PER_S);
    const o1 = this.offsetAtUtc(localMicros - c2 * US_PER_S);
    const v1 = o0 === c1;
    const v2 = o1 === c2;
    if (v1 && !v2) return c1;
    if (v2 && !v1) return c2;
    if (v1 && v2) return Math.min(c1, c2);
    // gap (or several transitions nearby): try the offsets found
    for (const o of [o0, o1]) if (this.offsetAtUtc(localMicros - o * US_PER_S) === o) return o;
    return Math.min(c1, c2);
  }

  abbrevAtUtc(utcMicros: number): string {
    if (!Number.isFinite(utcMicros)) return '';
    if (!this.abbrevFmt)
      this.abbrevFmt = new Intl.DateTimeFormat('en-US', { timeZone: this.ianaName, timeZoneName: 'short' });
    const parts = this.abbrevFmt.formatToParts(new Date(Math.floor(utcMicros / 1000)));
    const tzp = parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
    if (/^[A-Z]{3,5}$/.test(tzp) && !tzp.startsWith('GMT')) return tzp;
    const off = this.offsetAtUtc(utcMicros);
    const known = EUROPEAN_ABBREV[`${this.ianaName}:${off}`] ?? ABBREV_BY_OFFSET.get(off * (this.ianaName.startsWith('Europe/') ? 1 : NaN));
    if (known) return known;
    return formatOffsetCompact(off);
  }
}

/** '+05:30' → '+0530', '+01' (PostgreSQL prints numeric abbreviations this way). */
function formatOffsetCompact(off: number): string {
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  return sign + String(h).padStart(2, '0') + (m ? String(m).padStart(2, '0') : '');
}

const EUROPEAN_ABBREV: Record<string, string> = {};
const ABBREV_BY_OFFSET = new Map<number, string>([
  [0, 'GMT'],
  [3600, 'CET'],
  [7200, 'CEST'],
]);
for (const z of ['Europe/London', 'Europe/Dublin', 'Europe/Lisbon']) {
  EUROPEAN_ABBREV[`${z}:0`] = z === 'Europe/Lisbon' ? 'WET' : 'GMT';
  EUROPEAN_ABBREV[`${z}:3600`] = z === 'Europe/London' ? 'BST' : z === 'Europe/Dublin' ? 'IST' : 'WEST';
}
for (const z of ['Europe/Helsinki', 'Europe/Athens', 'Europe/Kiev', 'Europe/Kyiv', 'Europe/Riga', 'Europe/Tallinn', 'Europe/Vilnius', 'Europe/Sofia', 'Europe/Bucharest']) {
  EUROPEAN_ABBREV[`${z}:7200`] = 'EET';
  EUROPEAN_ABBREV[`${z}:10800`] = 'EEST';
}
EUROPEAN_ABBREV['Europe/Moscow:10800'] = 'MSK';
EUROPEAN_ABBREV['Asia/Kolkata:19800'] = 'IST';
EUROPEAN_ABBREV['Asia/Calcutta:19800'] = 'IST';
EUROPEAN_ABBREV['Asia/Tokyo:32400'] = 'JST';
EUROPEAN_ABBREV['Asia/Shanghai:28800'] = 'CST';
EUROPEAN_ABBREV['Australia/Sydney:36000'] = 'AEST';
EUROPEAN_ABBREV['Australia/Sydney:39600'] = 'AEDT';

/**
 * Abbreviations PostgreSQL's default timezone_abbreviations set knows, as
 * offsets in seconds east (input only: '2016-01-01 00:00 PST').
 */
export const ZONE_ABBREVIATIONS: ReadonlyMap<string, number> = new Map([
  ['utc', 0], ['gmt', 0], ['z', 0], ['zulu', 0], ['ut', 0], ['uct', 0], ['wet', 0],
  ['est', -5 * 3600], ['edt', -4 * 3600], ['cst', -6 * 3600], ['cdt', -5 * 3600],
  ['mst', -7 * 3600], ['mdt', -6 * 3600], ['pst', -8 * 3600], ['pdt', -7 * 3600],
  ['akst', -9 * 3600], ['akdt', -8 * 3600], ['hst', -10 * 3600], ['ast', -4 * 3600], ['adt', -3 * 3600],
  ['nst', -(3 * 3600 + 1800)], ['ndt', -(2 * 3600 + 1800)],
  ['bst', 3600], ['west', 3600], ['cet', 3600], ['cest', 7200], ['met', 3600], ['mest', 7200],
  ['eet', 7200], ['eest', 10800], ['msk', 10800], ['ist', 7200], ['idt', 10800],
  ['jst', 9 * 3600], ['kst', 9 * 3600], ['hkt', 8 * 3600], ['sgt', 8 * 3600], ['awst', 8 * 3600],
  ['acst', 9 * 3600 + 1800], ['acdt', 10 * 3600 + 1800], ['aest', 10 * 3600], ['aedt', 11 * 3600],
  ['nzst', 12 * 3600], ['nzdt', 13 * 3600],
]);

/** Abbreviations that are also zone names in tzdata (valid for SET TIME ZONE). */
const TZDATA_ABBREV_ZONES = new Set(['est', 'mst', 'hst', 'utc', 'gmt', 'uct', 'zulu', 'wet', 'cet', 'met', 'eet']);

const cache = new Map<string, TimeZone>();
export const UTC_ZONE: TimeZone = new FixedZone('UTC', 0, 'UTC');
cache.set('a:UTC', UTC_ZONE);
cache.set('s:UTC', UTC_ZONE);

function zoneNotRecognized(name: string): SqlError {
  return new SqlError(SQLSTATE.invalidParameterValue, `time zone "${name}" not recognized`);
}

/**
 * Parse `[+-]h[h][:mm[:ss]]` (or hhmm) into seconds; NaN when malformed.
 */
export function parseOffsetDigits(s: string, start: number): number {
  let i = start;
  const fields: number[] = [];
  let cur = -1;
  let curLen = 0;
  for (; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 58;
    if (c >= 48 && c <= 57) {
      cur = (cur < 0 ? 0 : cur) * 10 + (c - 48);
      curLen++;
    } else if (c === 58) {
      if (cur < 0) return NaN;
      fields.push(cur);
      if (curLen > 2 && fields.length > 1) return NaN;
      if (curLen > 2 && i < s.length) return NaN;
      if (fields.length === 1 && curLen > 2) {
        // hhmm or hhmmss packed form
        fields.pop();
        if (curLen === 3 || curLen === 4) fields.push(Math.floor(cur / 100), cur % 100);
        else if (curLen === 5 || curLen === 6) fields.push(Math.floor(cur / 10000), Math.floor(cur / 100) % 100, cur % 100);
        else return NaN;
      }
      cur = -1;
      curLen = 0;
    } else return NaN;
  }
  if (fields.length === 0 || fields.length > 3) return NaN;
  const [h, m = 0, sec = 0] = fields;
  if (m! >= 60 || sec >= 60 || h! > 15 * 24) return NaN;
  return h! * 3600 + m! * 60 + sec;
}

/**
 * Resolve a zone as SET TIME ZONE / AT TIME ZONE / timezone() accept it.
 * `allowAbbrev`: also accept abbreviations like 'PST' (AT TIME ZONE does, SET does not).
 * Throws 22023 `time zone "x" not recognized`.
 */
export function getTimeZone(name: string, allowAbbrev = true): TimeZone {
  const key = (allowAbbrev ? 'a:' : 's:') + name;
  let z = cache.get(key);
  if (z) return z;
  z = resolveZone(name, name.toLowerCase(), allowAbbrev);
  if (cache.size > 10_000) cache.clear();
  cache.set(key, z);
  return z;
}

/** Like getTimeZone but returns null instead of throwing. */
export function tryGetTimeZone(name: string, allowAbbrev = true): TimeZone | null {
  try {
    return getTimeZone(name, allowAbbrev);
  } catch {
    return null;
  }
}

function resolveZone(name: string, key: string, allowAbbrev: boolean): TimeZone {
  const t = key.trim();
  if (t === '') throw zoneNotRecognized(name);
  if (t === 'utc' || t === 'gmt' || t === 'z' || t === 'zulu' || t === 'uct' || t === 'ut' || t === 'etc/utc' || t === 'etc/gmt' || t === 'universal' || t === 'greenwich')
    return new FixedZone(name, 0, t === 'gmt' || t === 'etc/gmt' ? 'GMT' : 'UTC');
  // POSIX numeric: '+05:30', '-3', '5' → west-positive
  const c0 = t.charCodeAt(0);
  if (c0 === 43 || c0 === 45 || (c0 >= 48 && c0 <= 57)) {
    const signed = c0 === 43 || c0 === 45;
    const off = parseOffsetDigits(t, signed ? 1 : 0);
    if (Number.isNaN(off)) throw zoneNotRecognized(name);
    const east = c0 === 45 ? off : -off;
    return new FixedZone(name, east, '');
  }
  // POSIX 'UTC+3', 'GMT-5', 'EST5', '<+03>-3' (std name followed by west-positive offset)
  const m = /^(<[^>]+>|[a-z]{3,})([+-]?\d[\d:]*)$/.exec(t);
  if (m && !m[1]!.includes('/')) {
    const sign = m[2]!.startsWith('-') ? -1 : 1;
    const digits = m[2]!.replace(/^[+-]/, '');
    const off = parseOffsetDigits(digits, 0);
    if (!Number.isNaN(off)) {
      const abbr = name.trim().slice(0, m[1]!.length).replace(/^<|>$/g, '').toUpperCase();
      return new FixedZone(name, -sign * off, abbr);
    }
  }
  if (allowAbbrev) {
    const a = ZONE_ABBREVIATIONS.get(t);
    if (a !== undefined) return new FixedZone(name, a, t.toUpperCase());
  }
  if (!allowAbbrev && ZONE_ABBREVIATIONS.has(t) && !TZDATA_ABBREV_ZONES.has(t)) throw zoneNotRecognized(name);
  let iana: string;
  try {
    iana = new Intl.DateTimeFormat('en-US', { timeZone: name.trim() }).resolvedOptions().timeZone;
  } catch {
    throw zoneNotRecognized(name);
  }
  if (iana === 'UTC' || iana === 'Etc/UTC' || iana === 'Etc/GMT') return new FixedZone(name, 0, 'UTC');
  const etc = /^Etc\/GMT([+-]\d+)$/.exec(iana);
  if (etc) {
    const off = -Number(etc[1]) * 3600;
    return new FixedZone(name, off, formatOffsetCompact(off));
  }
  return new IanaZone(name, iana);
}

/** Format an offset the way DateStyle ISO prints it: +00, +05:30, -04:56:02. */
export function formatIsoOffset(off: number): string {
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  const s = a % 60;
  let r = sign + (h < 10 ? '0' + h : String(h));
  if (m || s) r += ':' + (m < 10 ? '0' + m : String(m));
  if (s) r += ':' + (s < 10 ? '0' + s : String(s));
  return r;
}

/** UTC µs → local wall-clock µs in `zone`. */
export function utcToLocal(utcMicros: number, zone: TimeZone): number {
  if (zone.fixedOffset !== null) return utcMicros + zone.fixedOffset * US_PER_S;
  if (!Number.isFinite(utcMicros)) return utcMicros;
  return utcMicros + zone.offsetAtUtc(utcMicros) * US_PER_S;
}

/** Local wall-clock µs in `zone` → UTC µs (PostgreSQL's gap/overlap rules). */
export function localToUtc(localMicros: number, zone: TimeZone): number {
  if (zone.fixedOffset !== null) return localMicros - zone.fixedOffset * US_PER_S;
  if (!Number.isFinite(localMicros)) return localMicros;
  return localMicros - zone.offsetAtLocal(localMicros) * US_PER_S;
}
