/**
 * Byte-level field conversions on the COPY FROM hot path: float8, integers and
 * ISO timestamps parsed straight from the CopyData bytes (no per-field JS
 * string), and an interning cache for text fields so repeated values (host
 * names, tags) are decoded once. Each fast path answers only for input it
 * converts exactly; anything else returns NaN-flagged failure (`FAIL`) and the
 * caller falls back to the type's input function on the decoded string.
 */

/** Exact powers of ten as doubles (up to 1e22, Clinger's fast path). */
export const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** Fast-path failure marker (a value no fast path produces: parsers return finite numbers or -0). */
export const FAIL = Number.POSITIVE_INFINITY;

/** Where the last floatAt / intAt stopped reading (a second return value without an allocation). */
export const fieldScan = { end: 0 };

/**
 * float8 in plain decimal notation (`-12.345`, `1e-3`) with at most 15
 * significant digits (Clinger's fast path, exact); FAIL otherwise
 * (`NaN`, `Infinity`, spaces, `+1`, long mantissas → the input function).
 */
export function floatBytes(b: Uint8Array, s: number, e: number): number {
  const v = floatAt(b, s, e);
  return fieldScan.end === e ? v : FAIL;
}

/**
 * The plain decimal float8 that starts at `s` (read no further than `lim`),
 * its end in fieldScan.end: the single-pass row scanner reads a field's
 * digits and finds its end in one loop. FAIL as floatBytes.
 */
export function floatAt(b: Uint8Array, s: number, lim: number): number {
  let i = s;
  let neg = false;
  if (i < lim && b[i] === 45) {
    neg = true;
    i++;
  }
  let m = 0;
  let c = 0;
  const start = i;
  while (i < lim && (c = b[i]! - 48) >= 0 && c <= 9) {
    m = m * 10 + c;
    i++;
  }
  let digits = i - start;
  let scale = 0;
  if (i < lim && b[i] === 46) {
    const fs = ++i;
    while (i < lim && (c = b[i]! - 48) >= 0 && c <= 9) {
      m = m * 10 + c;
      i++;
    }
    scale = i - fs;
    digits += scale;
  }
  // m grew monotonically, so it is exact iff it ends within 2^53
  if (digits === 0 || m > 9007199254740992) return FAIL;
  let exp = 0;
  if (i < lim && (b[i]! | 32) === 101) {
    i++;
    let eneg = false;
    c = b[i]!;
    if (i < lim && (c === 45 || c === 43)) {
      eneg = c === 45;
      i++;
    }
    const es = i;
    while (i < lim && (c = b[i]! - 48) >= 0 && c <= 9) {
      exp = exp * 10 + c;
      if (exp > 400) return FAIL;
      i++;
    }
    if (i === es) return FAIL;
    if (eneg) exp = -exp;
  }
  fieldScan.end = i;
  const x = exp - scale;
  let v: number;
  if (x === 0) v = m;
  else if (x < 0 && x >= -22) v = m / POW10[-x]!;
  else if (x > 0 && x <= 22) v = m * POW10[x]!;
  else return FAIL;
  return neg ? -v : v;
}

/** An optionally signed run of at most 15 digits within [min, max]; FAIL otherwise (the input function reports the error). */
export function intBytes(b: Uint8Array, s: number, e: number, min: number, max: number): number {
  const v = intAt(b, s, e, min, max);
  return fieldScan.end === e ? v : FAIL;
}

/** The integer that starts at `s` (read no further than `lim`), its end in fieldScan.end; FAIL as intBytes. */
export function intAt(b: Uint8Array, s: number, lim: number, min: number, max: number): number {
  let i = s;
  let neg = false;
  const c0 = i < lim ? b[i] : -1;
  if (c0 === 45 || c0 === 43) {
    neg = c0 === 45;
    i++;
  }
  const start = i;
  let v = 0;
  let c = 0;
  while (i < lim && (c = b[i]! - 48) >= 0 && c <= 9) {
    v = v * 10 + c;
    i++;
  }
  if (i === start || i - start > 15) return FAIL;
  fieldScan.end = i;
  if (neg) v = -v;
  if (v < min || v > max) return FAIL;
  return v + 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function dig(b: Uint8Array, at: number, count: number): number {
  let v = 0;
  for (let k = 0; k < count; k++) {
    const c = b[at + k]! - 48;
    if (!(c >= 0 && c <= 9)) return -1;
    v = v * 10 + c;
  }
  return v;
}

let lastY = -1;
let lastM = -1;
let lastD = -1;
let lastDays = 0;

/** Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * `YYYY-MM-DD[ T]HH:MM:SS[.ffffff][Z|±HH[:MM]|±HHMM]` → µs since 1970 (UTC
 * for timestamptz, wall clock for timestamp); FAIL for anything else, or a
 * timestamptz without an offset when the session time zone is not UTC.
 * Same acceptance as `fastTimestamp` in copy-convert.ts.
 */
export function timestampBytes(b: Uint8Array, s: number, e: number, tz: boolean, utcSession: boolean): number {
  const n = e - s;
  if (n < 19 || b[s + 4] !== 45 || b[s + 7] !== 45 || b[s + 13] !== 58 || b[s + 16] !== 58) return FAIL;
  const sep = b[s + 10];
  if (sep !== 32 && sep !== 84) return FAIL;
  const y = dig(b, s, 4);
  const mo = dig(b, s + 5, 2);
  const d = dig(b, s + 8, 2);
  const h = dig(b, s + 11, 2);
  const mi = dig(b, s + 14, 2);
  const se = dig(b, s + 17, 2);
  if (y < 1000 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59) return FAIL;
  const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > DAYS_IN_MONTH[mo - 1]! + (leap ? 1 : 0)) return FAIL;
  let i = s + 19;
  let frac = 0;
  if (i < e && b[i] === 46) {
    i++;
    let scale = 100000;
    const start = i;
    while (i < e) {
      const c = b[i]! - 48;
      if (c < 0 || c > 9) break;
      if (i - start >= 6) return FAIL;
      frac += c * scale;
      scale /= 10;
      i++;
    }
    if (i === start) return FAIL;
  }
  let offset = 0;
  if (i === e) {
    if (tz && !utcSession) return FAIL;
  } else {
    const c = b[i];
    if (c === 90 && i + 1 === e) offset = 0;
    else if (c === 43 || c === 45) {
      const rest = e - i - 1;
      let oh: number;
      let om = 0;
      if (rest === 2) oh = dig(b, i + 1, 2);
      else if (rest === 5 && b[i + 3] === 58) (oh = dig(b, i + 1, 2)), (om = dig(b, i + 4, 2));
      else if (rest === 4) (oh = dig(b, i + 1, 2)), (om = dig(b, i + 3, 2));
      else return FAIL;
      if (oh < 0 || om < 0 || oh > 15 || om > 59) return FAIL;
      offset = (c === 45 ? -1 : 1) * (oh * 3600 + om * 60);
    } else return FAIL;
  }
  let days: number;
  if (y === lastY && mo === lastM && d === lastD) days = lastDays;
  else {
    days = lastDays = daysFromCivil(y, mo, d);
    lastY = y;
    lastM = mo;
    lastD = d;
  }
  const secs = days * 86400 + h * 3600 + mi * 60 + se - (tz ? offset : 0);
  return secs * 1_000_000 + frac;
}

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/** Decode UTF-8 bytes; throws TypeError on an invalid sequence. */
export function decodeUtf8(b: Uint8Array, s: number, e: number): string {
  return utf8Fatal.decode(b.subarray(s, e));
}

/** UTF-8 bytes as a string, ASCII without TextDecoder; throws TypeError on an invalid sequence. */
export function decodeText(b: Uint8Array, s: number, e: number): string {
  for (let i = s; i < e; i++) if (b[i]! >= 0x80) return decodeUtf8(b, s, e);
  return e - s <= 16 ? asciiShort(b, s, e) : Buffer.prototype.latin1Slice.call(b, s, e);
}

function asciiShort(b: Uint8Array, s: number, e: number): string {
  let str = '';
  for (let i = s; i < e; i++) str += String.fromCharCode(b[i]!);
  return str;
}

/** Text-format de-escaping on bytes into `out` from `at`: \b \f \n \r \t \v, \NNN octal, \xHH hex, \c → c. Returns the end. */
export function deEscapeBytes(b: Uint8Array, s: number, e: number, out: Uint8Array, at: number): number {
  let o = at;
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c !== 92) {
      out[o++] = c;
      continue;
    }
    if (i + 1 >= e) break; // a trailing lone backslash is dropped
    const d = b[++i]!;
    switch (d) {
      case 98: out[o++] = 8; break; // b
      case 102: out[o++] = 12; break; // f
      case 110: out[o++] = 10; break; // n
      case 114: out[o++] = 13; break; // r
      case 116: out[o++] = 9; break; // t
      case 118: out[o++] = 11; break; // v
      case 120: { // x
        let v = 0;
        let k = 0;
        while (k < 2 && i + 1 < e) {
          const h = hexVal(b[i + 1]!);
          if (h < 0) break;
          v = v * 16 + h;
          i++;
          k++;
        }
        out[o++] = k ? v : 120;
        break;
      }
      default:
        if (d >= 48 && d <= 55) {
          let v = d - 48;
          let k = 1;
          while (k < 3 && i + 1 < e && b[i + 1]! >= 48 && b[i + 1]! <= 55) {
            v = v * 8 + (b[++i]! - 48);
            k++;
          }
          out[o++] = v & 0xff;
        } else out[o++] = d;
    }
  }
  return o;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}
