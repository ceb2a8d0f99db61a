/** Error constructors and small value helpers shared by the function modules. */
import { SqlError, SQLSTATE } from '../errors.js';
import type { Value } from '../types/values.js';

export const INT2_MIN = -32768;
export const INT2_MAX = 32767;
export const INT4_MIN = -2147483648;
export const INT4_MAX = 2147483647;
/** int8 values are doubles: exact only within ±(2^53 - 1); beyond that is out of range (see values.ts). */
export const INT8_MIN = -Number.MAX_SAFE_INTEGER;
export const INT8_MAX = Number.MAX_SAFE_INTEGER;

export type IntKind = 'int2' | 'int4' | 'int8';

export const INT_RANGE: Record<IntKind, readonly [number, number, string]> = {
  int2: [INT2_MIN, INT2_MAX, 'smallint out of range'],
  int4: [INT4_MIN, INT4_MAX, 'integer out of range'],
  int8: [INT8_MIN, INT8_MAX, 'bigint out of range'],
};

export function outOfRange(msg: string): SqlError {
  return new SqlError(SQLSTATE.numericValueOutOfRange, msg);
}

export function divByZero(): SqlError {
  return new SqlError(SQLSTATE.divisionByZero, 'division by zero');
}

export function invalidParam(msg: string): SqlError {
  return new SqlError(SQLSTATE.invalidParameterValue, msg);
}

export function checkInt(kind: IntKind, r: number): number {
  const [lo, hi, msg] = INT_RANGE[kind];
  if (!(r >= lo && r <= hi)) throw outOfRange(msg);
  return r === 0 ? 0 : r;
}

export function floatOverflow(): SqlError {
  return outOfRange('value out of range: overflow');
}

export function floatUnderflow(): SqlError {
  return outOfRange('value out of range: underflow');
}

/** float8_pl/mi/mul/div's checks (float.c): overflow, underflow, and division by zero. */
export function checkFloat(op: string, x: number, y: number, r: number, overflow: () => Error = floatOverflow): number {
  if (op === '/') {
    if (y === 0 && !Number.isNaN(x)) throw divByZero();
    if (!Number.isFinite(r) && !Number.isNaN(r) && Number.isFinite(x)) throw overflow();
    if (r === 0 && x !== 0 && Number.isFinite(y)) throw floatUnderflow();
    return r;
  }
  if (!Number.isFinite(r) && !Number.isNaN(r) && Number.isFinite(x) && Number.isFinite(y)) throw overflow();
  if (op === '*' && r === 0 && x !== 0 && y !== 0) throw floatUnderflow();
  return r;
}

/** Checks a float4 result after rounding to single precision. */
export function checkFloat4(op: string, x: number, y: number, r: number): number {
  return checkFloat(op, x, y, Math.fround(r));
}

/**
 * Code-point order (the C collation over UTF-8). JS string comparison is by
 * UTF-16 unit, which disagrees only for surrogates vs U+E000..U+FFFF.
 */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        const fx = x <= 0xdfff ? x + 0x10000 : x;
        const fy = y <= 0xdfff ? y + 0x10000 : y;
        return fx < fy ? -1 : 1;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

/** bpchar semantics: trailing spaces are insignificant. */
export function rtrimSpaces(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 32) e--;
  return e === s.length ? s : s.slice(0, e);
}

/** Code points of a string (SQL string functions count characters, not UTF-16 units). */
export function chars(s: string): string[] {
  return Array.from(s);
}

/** Does the string contain characters outside the BMP (so that .length differs from the character count)? */
export function hasAstral(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) return true;
  }
  return false;
}

export function charLength(s: string): number {
  if (!hasAstral(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function isNullish(v: Value | undefined): v is null | undefined {
  return v === null || v === undefined;
}
