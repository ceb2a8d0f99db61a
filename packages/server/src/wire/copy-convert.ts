/**
 * Value conversions on the COPY FROM hot path: text-format de-escaping, float8
 * and ISO timestamp fast paths (exact, with a fallback to the type's input
 * function for everything they do not recognise), and binary-format values.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { FormatContext, Value } from '../../../storage/src/types/values.js';
import { PG_EPOCH_DAYS, PG_EPOCH_MICROS } from '../../../storage/src/types/values.js';
import { parseInteger, parseText } from '../../../storage/src/types/text-io.js';
import { SqlError } from '../../../storage/src/errors.js';
import { decodeBinary } from './binary.js';

/** Text-format escapes: \b \f \n \r \t \v, \NNN octal, \xHH hex, \c → c. */
export function deEscape(raw: string): string {
  let out = '';
  let seg = 0;
  const n = raw.length;
  for (let i = 0; i < n; i++) {
    if (raw.charCodeAt(i) !== 92) continue;
    out += raw.slice(seg, i);
    const c = raw[i + 1];
    if (c === undefined) {
      seg = i + 1;
      break;
    }
    let consumed = 2;
    switch (c) {
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case 'x': {
        const m = /^[0-9a-fA-F]{1,2}/.exec(raw.slice(i + 2, i + 4));
        if (m) {
          out += String.fromCharCode(parseInt(m[0], 16));
          consumed = 2 + m[0].length;
        } else out += 'x';
        break;
      }
      default:
        if (c >= '0' && c <= '7') {
          const m = /^[0-7]{1,3}/.exec(raw.slice(i + 1, i + 4))!;
          out += String.fromCharCode(parseInt(m[0], 8) & 0xff);
          consumed = 1 + m[0].length;
        } else out += c;
    }
    i += consumed - 1;
    seg = i + 1;
  }
  return out + raw.slice(seg);
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * float8 in plain decimal notation (`-12.345`, `1e-3`) with at most 15
 * significant digits: an exact integer mantissa scaled by an exact power of
 * ten, so the one division/multiplication rounds correctly (Clinger's fast
 * path). Anything else → undefined (use the full input function).
 */
export function fastFloat(s: string): number | undefined {
  const n = s.length;
  if (n === 0 || n > 40) return undefined;
  let i = 0;
  let neg = false;
  let c = s.charCodeAt(0);
  if (c === 45) {
    neg = true;
    i = 1;
  }
  let m = 0;
  let digits = 0;
  let scale = 0;
  let seenDot = false;
  let any = false;
  for (; i < n; i++) {
    c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      any = true;
      if (m === 0 && c === 48) {
        if (seenDot) scale++;
        continue; // leading zeros are not significant
      }
      if (++digits > 15) return undefined;
      m = m * 10 + (c - 48);
      if (seenDot) scale++;
    } else if (c === 46 && !seenDot) seenDot = true;
    else break;
  }
  if (!any) return undefined;
  let exp = 0;
  if (i < n) {
    if ((c | 32) !== 101) return undefined;
    i++;
    let eneg = false;
    c = s.charCodeAt(i);
    if (c === 45 || c === 43) {
      eneg = c === 45;
      i++;
    }
    if (i >= n) return undefined;
    for (; i < n; i++) {
      c = s.charCodeAt(i);
      if (c < 48 || c > 57) return undefined;
      exp = exp * 10 + (c - 48);
      if (exp > 400) return undefined;
    }
    if (eneg) exp = -exp;
  }
  const e = exp - scale;
  let v: number;
  if (e === 0) v = m;
  else if (e > 0 && e <= 22) v = m * POW10[e]!;
  else if (e < 0 && e >= -22) v = m / POW10[-e]!;
  else return undefined;
  return neg ? -v : v;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(s: string, at: number, count: number): number {
  let v = 0;
  for (let k = 0; k < count; k++) {
    const c = s.charCodeAt(at + k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * `YYYY-MM-DD[ T]HH:MM:SS[.ffffff][Z|±HH[:MM]]` → µs since 1970 (UTC for
 * timestamptz, wall clock for timestamp); undefined for anything else, or a
 * timestamptz without an offset when the session time zone is not UTC.
 */
export function fastTimestamp(s: string, tz: boolean, utcSession: boolean): number | undefined {
  const n = s.length;
  if (n < 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const sep = s.charCodeAt(10);
  if (sep !== 32 && sep !== 84) return undefined;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const se = digits(s, 17, 2);
  if (y < 1000 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59) return undefined;
  const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > DAYS_IN_MONTH[mo - 1]! + (leap ? 1 : 0)) return undefined;
  let i = 19;
  let frac = 0;
  if (i < n && s.charCodeAt(i) === 46) {
    i++;
    let scale = 100000;
    const start = i;
    while (i < n) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      if (i - start >= 6) return undefined; // more than µs precision: let the input function round
      frac += c * scale;
      scale /= 10;
      i++;
    }
    if (i === start) return undefined;
  }
  let offset = 0;
  if (i === n) {
    if (tz && !utcSession) return undefined;
  } else {
    const c = s.charCodeAt(i);
    if (c === 90 && i + 1 === n) offset = 0;
    else if (c === 43 || c === 45) {
      const rest = n - i - 1;
      let oh: number;
      let om = 0;
      if (rest === 2) oh = digits(s, i + 1, 2);
      else if (rest === 5 && s.charCodeAt(i + 3) === 58) (oh = digits(s, i + 1, 2)), (om = digits(s, i + 4, 2));
      else if (rest === 4) (oh = digits(s, i + 1, 2)), (om = digits(s, i + 3, 2));
      else return undefined;
      if (oh < 0 || om < 0 || oh > 15 || om > 59) return undefined;
      offset = (c === 45 ? -1 : 1) * (oh * 3600 + om * 60);
    } else return undefined;
  }
  const ms = Date.UTC(y, mo - 1, d, h, mi, se);
  return ms * 1000 + frac - (tz ? offset * 1_000_000 : 0);
}

export function decodeBinaryValue(type: SqlType, b: Buffer, ctx: FormatContext): Value {
  switch (type.id) {
    case 'int2':
      if (b.length === 2) return b.readInt16BE(0);
      break;
    case 'int4':
      if (b.length === 4) return b.readInt32BE(0);
      break;
    case 'int8':
      if (b.length === 8) return parseInteger(b.readBigInt64BE(0).toString(), 'int8');
      break;
    case 'float4':
      if (b.length === 4) return b.readFloatBE(0);
      break;
    case 'float8':
      if (b.length === 8) return b.readDoubleBE(0);
      break;
    case 'bool':
      if (b.length === 1) return b[0] !== 0;
      break;
    case 'text':
      return b.toString('utf8');
    case 'timestamptz':
    case 'timestamp':
      if (b.length === 8) {
        const x = b.readBigInt64BE(0);
        if (x === 0x7fffffffffffffffn) return Infinity;
        if (x === -0x8000000000000000n) return -Infinity;
        return Number(x) + PG_EPOCH_MICROS;
      }
      break;
    case 'date':
      if (b.length === 4) {
        const x = b.readInt32BE(0);
        return x === 0x7fffffff ? Infinity : x === -0x80000000 ? -Infinity : x + PG_EPOCH_DAYS;
      }
      break;
    default: {
      const t = decodeBinary(type, b);
      if (typeof t === 'string') return parseText(type, t, ctx);
      const elem = type.elem!;
      return t.map((x) => (x === null ? null : parseText(elem, x, ctx)));
    }
  }
  throw new SqlError('22P03', `incorrect binary data format`);
}
