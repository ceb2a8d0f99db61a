/**
 * Hashing and equality of key tuples for joins and set operations.
 *
 * Keys compare by value with PostgreSQL's equality rules for the types the
 * planner hands us (both sides already cast to one type): float NaN equals NaN
 * and -0 equals 0 (float8eq), intervals compare by their 30-day-month span
 * (interval_eq), numerics by value (1.0 = 1.00), strings by code units
 * (deterministic collations). Dictionary vectors hash each dictionary entry
 * once, so string keys cost one Int32 load per row.
 */
import type { Value } from '../../types/values.js';
import { isInterval, MICROS_PER_DAY } from '../../types/values.js';
import type { Vector } from '../../vector.js';
import { getValue } from '../../vector.js';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x5bd1e995);
  return (h ^ (h >>> 15)) | 0;
}

export function hashNumber(x: number): number {
  if (x === 0) x = 0; // -0
  if (x !== x) return 0x7ff80000;
  if ((x | 0) === x) return mix(0x2545f491, x);
  f64[0] = x;
  return mix(mix(0x2545f491, u32[0]!), u32[1]!);
}

export function hashString(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return mix(h, s.length);
}

/** Canonical text of a Decimal-like value: value-equal decimals give equal strings. */
function decimalKey(v: object): string {
  const hk = (v as { hashKey?: () => unknown }).hashKey;
  if (typeof hk === 'function') return String(hk.call(v));
  let s = String(v);
  if (s === 'NaN' || s.includes('Infinity') || s.includes('e') || s.includes('E')) return s;
  let neg = false;
  if (s.startsWith('-')) { neg = true; s = s.slice(1); }
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  s = s.replace(/^0+(?=\d)/, '');
  if (/^0*(\.0*)?$/.test(s) || s === '') return '0';
  return neg ? '-' + s : s;
}

function intervalSpan(v: { months: number; days: number; micros: number }): number {
  // interval_cmp_value: months count as 30 days
  return (v.months * 30 + v.days) * MICROS_PER_DAY + v.micros;
}

export function hashValue(v: Value): number {
  if (v === null) return 0x1234567;
  switch (typeof v) {
    case 'number': return hashNumber(v);
    case 'string': return hashString(v);
    case 'boolean': return v ? 0x3c6ef372 : 0x1b873593;
  }
  if (Array.isArray(v)) {
    let h = 0x61c88647;
    for (const e of v) h = mix(h, hashValue(e));
    return mix(h, v.length);
  }
  if (isInterval(v)) return hashNumber(intervalSpan(v));
  return hashString(decimalKey(v));
}

export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (typeof a === 'number' && typeof b === 'number') return a !== a && b !== b; // both NaN
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!, y = b[i]!;
      // array equality treats NULL elements as equal (array_eq semantics for grouping)
      if (x === null && y === null) continue;
      if (!valuesEqual(x, y)) return false;
    }
    return true;
  }
  if (isInterval(a) && isInterval(b)) return intervalSpan(a) === intervalSpan(b);
  const cmp = (a as { cmp?: (o: unknown) => number }).cmp;
  if (typeof cmp === 'function') return cmp.call(a, b) === 0;
  return decimalKey(a) === decimalKey(b);
}

const dictHashes = new WeakMap<readonly string[], Int32Array>();
function dictHashTable(dict: readonly string[]): Int32Array {
  let h = dictHashes.get(dict);
  if (!h) {
    h = new Int32Array(dict.length);
    for (let i = 0; i < dict.length; i++) h[i] = hashString(dict[i]!);
    dictHashes.set(dict, h);
  }
  return h;
}

/**
 * Combine the hash of column `v` into `out` (length rows). Rows that are NULL
 * set nullOut[i] = 1 when given.
 */
export function hashColumnInto(v: Vector, length: number, out: Int32Array, nullOut: Uint8Array | null): void {
  switch (v.tag) {
    case 'number': {
      const vals = v.values, nulls = v.nulls;
      for (let i = 0; i < length; i++) {
        if (nulls !== null && nulls[i] === 1) { out[i] = mix(out[i]!, 0x1234567); if (nullOut) nullOut[i] = 1; }
        else out[i] = mix(out[i]!, hashNumber(vals[i]!));
      }
      return;
    }
    case 'bool': {
      const vals = v.values, nulls = v.nulls;
      for (let i = 0; i < length; i++) {
        if (nulls !== null && nulls[i] === 1) { out[i] = mix(out[i]!, 0x1234567); if (nullOut) nullOut[i] = 1; }
        else out[i] = mix(out[i]!, vals[i] ? 0x3c6ef372 : 0x1b873593);
      }
      return;
    }
    case 'dict': {
      const codes = v.codes, nulls = v.nulls, dh = dictHashTable(v.dict);
      for (let i = 0; i < length; i++) {
        if (nulls !== null && nulls[i] === 1) { out[i] = mix(out[i]!, 0x1234567); if (nullOut) nullOut[i] = 1; }
        else out[i] = mix(out[i]!, dh[codes[i]!]!);
      }
      return;
    }
    case 'object': {
      const vals = v.values;
      for (let i = 0; i < length; i++) {
        const x = vals[i] ?? null;
        if (x === null && nullOut) nullOut[i] = 1;
        out[i] = mix(out[i]!, hashValue(x));
      }
    }
  }
}

/** Row i of a equals row j of b, NULL equal to NULL (callers exclude NULL keys beforehand where they must not match). */
export function rowsEqual(a: Vector, i: number, b: Vector, j: number): boolean {
  if (a.tag === 'number' && b.tag === 'number') {
    const an = a.nulls !== null && a.nulls[i] === 1, bn = b.nulls !== null && b.nulls[j] === 1;
    if (an || bn) return an && bn;
    const x = a.values[i]!, y = b.values[j]!;
    return x === y || (x !== x && y !== y);
  }
  if (a.tag === 'dict' && b.tag === 'dict') {
    const an = a.nulls !== null && a.nulls[i] === 1, bn = b.nulls !== null && b.nulls[j] === 1;
    if (an || bn) return an && bn;
    if (a.dict === b.dict) return a.codes[i] === b.codes[j];
    return a.dict[a.codes[i]!] === b.dict[b.codes[j]!];
  }
  const x = getValue(a, i), y = getValue(b, j);
  if (x === null || y === null) return x === null && y === null;
  return valuesEqual(x, y);
}

export function hashRows(keys: readonly Vector[], length: number, nullOut: Uint8Array | null): Int32Array {
  const h = new Int32Array(length);
  for (const k of keys) hashColumnInto(k, length, h, nullOut);
  return h;
}

/**
 * Dense ids for distinct key tuples (open addressing, linear probing). A
 * group's representative is kept as (stored batch, row), so inserting
 * batch after batch costs no per-row copying; only batches that introduce new
 * groups are retained.
 */
export class KeyTable {
  private slots: Int32Array = new Int32Array(1024).fill(-1);
  private mask = 1023;
  private groupHash = new Int32Array(256);
  private repBatch = new Int32Array(256);
  private repRow = new Int32Array(256);
  private stored: (readonly Vector[])[] = [];
  size = 0;

  /** Assign ids to every row (NULLs group together). */
  insert(keys: readonly Vector[], length: number, hashes: Int32Array = hashRows(keys, length, null)): Int32Array {
    const ids = new Int32Array(length);
    const batchNo = this.stored.length;
    let retained = false;
    for (let i = 0; i < length; i++) {
      const h = hashes[i]!;
      let s = h & this.mask;
      for (;;) {
        const g = this.slots[s]!;
        if (g < 0) {
          if (!retained) { this.stored.push(keys); retained = true; }
          const id = this.addGroup(h, batchNo, i);
          this.slots[s] = id;
          ids[i] = id;
          if (this.size * 2 > this.mask) this.grow();
          break;
        }
        if (this.groupHash[g] === h && this.matches(g, keys, i)) { ids[i] = g; break; }
        s = (s + 1) & this.mask;
      }
    }
    return ids;
  }

  /** Ids of existing groups, -1 where absent; rows with skip[i] = 1 get -1 without probing. */
  lookup(keys: readonly Vector[], length: number, hashes: Int32Array, skip: Uint8Array | null): Int32Array {
    const ids = new Int32Array(length);
    for (let i = 0; i < length; i++) {
      if (skip !== null && skip[i] === 1) { ids[i] = -1; continue; }
      const h = hashes[i]!;
      let s = h & this.mask;
      for (;;) {
        const g = this.slots[s]!;
        if (g < 0) { ids[i] = -1; break; }
        if (this.groupHash[g] === h && this.matches(g, keys, i)) { ids[i] = g; break; }
        s = (s + 1) & this.mask;
      }
    }
    return ids;
  }

  private matches(g: number, keys: readonly Vector[], i: number): boolean {
    const rep = this.stored[this.repBatch[g]!]!;
    const j = this.repRow[g]!;
    for (let c = 0; c < keys.length; c++) if (!rowsEqual(keys[c]!, i, rep[c]!, j)) return false;
    return true;
  }

  private addGroup(h: number, batchNo: number, row: number): number {
    const id = this.size++;
    if (id === this.groupHash.length) {
      const grow = (a: Int32Array) => { const n = new Int32Array(a.length * 2); n.set(a); return n; };
      this.groupHash = grow(this.groupHash);
      this.repBatch = grow(this.repBatch);
      this.repRow = grow(this.repRow);
    }
    this.groupHash[id] = h;
    this.repBatch[id] = batchNo;
    this.repRow[id] = row;
    return id;
  }

  private grow(): void {
    const cap = (this.mask + 1) * 2;
    const slots = new Int32Array(cap).fill(-1);
    const mask = cap - 1;
    for (let g = 0; g < this.size; g++) {
      let s = this.groupHash[g]! & mask;
      while (slots[s]! >= 0) s = (s + 1) & mask;
      slots[s] = g;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
