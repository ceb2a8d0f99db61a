/**
 * Row hashing and equality keys with PostgreSQL's grouping equality:
 * -0 = 0, NaN = NaN (float8eq treats NaNs as equal), numeric 1.10 = 1.1,
 * interval '1 month' = '30 days', bpchar ignores trailing spaces.
 */
import type { SqlType } from '../types/sql-type.js';
import type { Interval, Value } from '../types/values.js';
import { isInterval } from '../types/values.js';
import { isDecimal } from '../types/numeric.js';
import type { Vector } from '../vector.js';

const f64 = new Float64Array(1);
const i32 = new Int32Array(f64.buffer);

export const NULL_HASH = 0x5bd1e995 | 0;

export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

export function hashNumber(x: number): number {
  // -0 + 0 is +0; every NaN is replaced by the canonical one so all NaNs collide
  f64[0] = x !== x ? NaN : x + 0;
  return fmix32(i32[0]! ^ Math.imul(i32[1]!, 0x9e3779b1));
}

export function hashString(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h ^ s.length);
}

/** interval_cmp_value: months count as 30 days, days as 24 hours. */
export function intervalSpan(iv: Interval): number | bigint {
  const span = (iv.months * 30 + iv.days) * 86_400_000_000 + iv.micros;
  if (Number.isSafeInteger(span)) return span;
  return (BigInt(iv.months) * 30n + BigInt(iv.days)) * 86_400_000_000n + BigInt(iv.micros);
}

function rtrimSpaces(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 32) e--;
  return e === s.length ? s : s.slice(0, e);
}

/**
 * A primitive usable as a Map/Set key such that two values of one column type
 * get the same key exactly when they are equal for GROUP BY / DISTINCT / IN.
 * Numbers stay numbers (Map's SameValueZero already equates NaNs and ±0).
 */
export function valueKey(v: Value, type?: SqlType): unknown {
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string') return type !== undefined && type.id === 'bpchar' ? rtrimSpaces(v) : v;
  if (isDecimal(v)) return 'n' + v.hashKey();
  if (isInterval(v)) {
    const s = intervalSpan(v);
    return typeof s === 'number' ? s : 'i' + s.toString();
  }
  if (Array.isArray(v)) return 'a' + arrayKeyText(v, type?.elem);
  return String(v);
}

function arrayKeyText(a: readonly Value[], elem: SqlType | undefined): string {
  let s = '[';
  for (let i = 0; i < a.length; i++) {
    if (i > 0) s += ',';
    const x = a[i] ?? null;
    if (x === null) s += 'N';
    else if (typeof x === 'string') s += JSON.stringify(elem?.id === 'bpchar' ? rtrimSpaces(x) : x);
    else if (typeof x === 'number') s += x !== x ? 'NaN' : String(x + 0);
    else if (Array.isArray(x)) s += arrayKeyText(x, elem?.elem ?? elem);
    else s += String(valueKey(x, elem));
  }
  return s + ']';
}

export function hashValue(v: Value, type?: SqlType): number {
  if (v === null) return NULL_HASH;
  if (typeof v === 'number') return hashNumber(v);
  if (typeof v === 'boolean') return v ? 0x3c6ef372 : 0x1b873593;
  const k = valueKey(v, type);
  return typeof k === 'number' ? hashNumber(k) : hashString(String(k));
}

const dictHashCache = new WeakMap<readonly string[], Int32Array>();

/** One hash per dictionary entry, computed once per dictionary. */
export function dictHashes(dict: readonly string[], type?: SqlType): Int32Array {
  let h = dictHashCache.get(dict);
  if (h === undefined) {
    h = new Int32Array(dict.length);
    const bp = type?.id === 'bpchar';
    for (let i = 0; i < dict.length; i++) h[i] = hashString(bp ? rtrimSpaces(dict[i]!) : dict[i]!);
    dictHashCache.set(dict, h);
  }
  return h;
}

/** Hash of a single column's rows. */
export function hashVector(v: Vector, length: number, out: Int32Array = new Int32Array(length)): Int32Array {
  switch (v.tag) {
    case 'number': {
      const vals = v.values;
      const nulls = v.nulls;
      for (let i = 0; i < length; i++) out[i] = nulls !== null && nulls[i] === 1 ? NULL_HASH : hashNumber(vals[i]!);
      break;
    }
    case 'bool': {
      const vals = v.values;
      const nulls = v.nulls;
      for (let i = 0; i < length; i++)
        out[i] = nulls !== null && nulls[i] === 1 ? NULL_HASH : vals[i] === 1 ? 0x3c6ef372 : 0x1b873593;
      break;
    }
    case 'dict': {
      const dh = dictHashes(v.dict, v.type);
      const codes = v.codes;
      const nulls = v.nulls;
      for (let i = 0; i < length; i++) out[i] = nulls !== null && nulls[i] === 1 ? NULL_HASH : dh[codes[i]!]!;
      break;
    }
    case 'object': {
      const vals = v.values;
      for (let i = 0; i < length; i++) out[i] = hashValue(vals[i] ?? null, v.type);
      break;
    }
  }
  return out;
}

/** Combined hash of rows over several key vectors (for hash joins and partitioning). */
export function hashRows(keys: readonly Vector[], length: number): Int32Array {
  const out = new Int32Array(length);
  if (keys.length === 0) return out;
  hashVector(keys[0]!, length, out);
  if (keys.length === 1) return out;
  const tmp = new Int32Array(length);
  for (let k = 1; k < keys.length; k++) {
    hashVector(keys[k]!, length, tmp);
    for (let i = 0; i < length; i++) out[i] = fmix32(Math.imul(out[i]!, 0x1f) + tmp[i]! + 0x9e3779b9);
  }
  return out;
}

export { GroupIdMapper } from './group-ids.js';
