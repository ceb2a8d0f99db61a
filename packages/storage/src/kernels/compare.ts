/**
 * PostgreSQL ordering of values: text in code-point order (C collation),
 * floats with NaN above every number and -0 = 0, numeric via Decimal.cmp,
 * intervals by their normalised span, arrays element-wise (NULL elements sort last),
 * bpchar ignoring trailing spaces.
 */
import type { SqlType } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import { isInterval } from '../types/values.js';
import { isDecimal } from '../types/numeric.js';
import type { Vector } from '../vector.js';
import { getValue } from '../vector.js';
import { intervalSpan } from './hash.js';

export function compareNumbers(x: number, y: number): number {
  if (x < y) return -1;
  if (x > y) return 1;
  if (x === y) return 0;
  // at least one NaN
  return x !== x ? (y !== y ? 0 : 1) : -1;
}

/** Code-point order; JS `<` compares UTF-16 units, which puts U+E000..U+FFFF above astral characters. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

function rtrim(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 32) e--;
  return e === s.length ? s : s.slice(0, e);
}

/** Compare two non-NULL values of one type. */
export function compareValues(a: Value, b: Value, type?: SqlType): number {
  if (typeof a === 'number' && typeof b === 'number') return compareNumbers(a, b);
  if (typeof a === 'string' && typeof b === 'string')
    return type?.id === 'bpchar' ? compareStrings(rtrim(a), rtrim(b)) : compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (isDecimal(a) && isDecimal(b)) return a.cmp(b);
  if (isInterval(a) && isInterval(b)) {
    const x = intervalSpan(a);
    const y = intervalSpan(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = a[i] ?? null;
      const y = b[i] ?? null;
      if (x === null || y === null) {
        if (x === y) continue;
        return x === null ? 1 : -1;
      }
      const c = compareValues(x, y, type?.elem);
      if (c !== 0) return c;
    }
    return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
  }
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return compareStrings(String(a), String(b));
}

const rankCache = new WeakMap<readonly string[], Float64Array>();

/** Position of each dictionary entry in sorted order (equal strings get equal ranks). */
export function dictRanks(dict: readonly string[], type?: SqlType): Float64Array {
  let r = rankCache.get(dict);
  if (r !== undefined) return r;
  const order = Array.from(dict.keys());
  const bp = type?.id === 'bpchar';
  const cmp = bp ? (x: number, y: number) => compareStrings(rtrim(dict[x]!), rtrim(dict[y]!)) : (x: number, y: number) => compareStrings(dict[x]!, dict[y]!);
  order.sort(cmp);
  r = new Float64Array(dict.length);
  let rank = 0;
  for (let i = 0; i < order.length; i++) {
    if (i > 0 && cmp(order[i - 1]!, order[i]!) !== 0) rank = i;
    r[order[i]!] = rank;
  }
  rankCache.set(dict, r);
  return r;
}

export type RowComparator = (a: number, b: number) => number;

/**
 * Comparator of rows a, b within the same key vectors. Ties are left at 0
 * (callers add their own tie-break, e.g. the row index for stability).
 */
export function makeRowComparator(keys: readonly Vector[], desc: readonly boolean[], nullsFirst: readonly boolean[]): RowComparator {
  const parts = keys.map((k, i) => keyComparator(k, desc[i] ?? false, nullsFirst[i] ?? false));
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 2) {
    const [p0, p1] = parts as [RowComparator, RowComparator];
    return (a, b) => p0(a, b) || p1(a, b);
  }
  return (a, b) => {
    for (let k = 0; k < parts.length; k++) {
      const c = parts[k]!(a, b);
      if (c !== 0) return c;
    }
    return 0;
  };
}

function keyComparator(v: Vector, desc: boolean, nullsFirst: boolean): RowComparator {
  const sign = desc ? -1 : 1;
  const nullSign = nullsFirst ? -1 : 1;
  let base: RowComparator;
  let nulls: Uint8Array | null = null;
  switch (v.tag) {
    case 'number': {
      const vals = v.values;
      nulls = v.nulls;
      base = (a, b) => compareNumbers(vals[a]!, vals[b]!);
      break;
    }
    case 'bool': {
      const vals = v.values;
      nulls = v.nulls;
      base = (a, b) => vals[a]! - vals[b]!;
      break;
    }
    case 'dict': {
      const ranks = dictRanks(v.dict, v.type);
      const codes = v.codes;
      nulls = v.nulls;
      base = (a, b) => ranks[codes[a]!]! - ranks[codes[b]!]!;
      break;
    }
    case 'object': {
      const vals = v.values;
      const type = v.type;
      return (a, b) => {
        const x = vals[a] ?? null;
        const y = vals[b] ?? null;
        if (x === null || y === null) return x === y ? 0 : x === null ? nullSign : -nullSign;
        return sign * compareValues(x, y, type);
      };
    }
  }
  if (nulls === null) return desc ? (a, b) => -base(a, b) : base;
  const n = nulls;
  return (a, b) => {
    const na = n[a]!;
    const nb = n[b]!;
    if (na | nb) return na === nb ? 0 : na ? nullSign : -nullSign;
    return sign * base(a, b);
  };
}

/** Compare row ia of vectors ka with row ib of vectors kb (different batches, maybe different dictionaries). */
export function compareRowsAcross(
  ka: readonly Vector[],
  ia: number,
  kb: readonly Vector[],
  ib: number,
  desc: readonly boolean[],
  nullsFirst: readonly boolean[],
): number {
  for (let k = 0; k < ka.length; k++) {
    const va = ka[k]!;
    const vb = kb[k]!;
    let c: number;
    if (va.tag === 'number' && vb.tag === 'number') {
      const na = va.nulls !== null && va.nulls[ia] === 1;
      const nb = vb.nulls !== null && vb.nulls[ib] === 1;
      if (na || nb) c = na === nb ? 0 : (na ? 1 : -1) * (nullsFirst[k] ? -1 : 1);
      else c = (desc[k] ? -1 : 1) * compareNumbers(va.values[ia]!, vb.values[ib]!);
    } else {
      const x = getValue(va, ia);
      const y = getValue(vb, ib);
      if (x === null || y === null) c = x === y ? 0 : (x === null ? 1 : -1) * (nullsFirst[k] ? -1 : 1);
      else c = (desc[k] ? -1 : 1) * compareValues(x, y, va.type);
    }
    if (c !== 0) return c;
  }
  return 0;
}
