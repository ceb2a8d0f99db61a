/**
 * Hash indexes for PRIMARY KEY / UNIQUE constraints. One index is shared by all
 * versions of a table: it maps a key to every committed row that has held it
 * (a key deleted and re-inserted has two), and readers keep the candidates
 * their snapshot sees live. Candidates dead in the newest version are pruned
 * when the key is inserted again, so a snapshot older than such a re-insert
 * can miss the old row in lookupUnique (scans are unaffected).
 */
import type { Value } from '../types/values.js';
import type { Vector } from '../vector.js';
import type { ColumnSpec, UniqueKeySpec } from './schema.js';

export type Key = number | string;

const SEP = '\u0000';

function part(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Object.is(v, -0) ? '0' : String(v);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (Array.isArray(v)) return JSON.stringify(v.map((e) => (e === null ? null : part(e))));
  const o = v as unknown as { hashKey?: () => string; months?: number; days?: number; micros?: number };
  if (typeof o.hashKey === 'function') return o.hashKey();
  // Intervals compare equal after PostgreSQL's 30-day months / 24-hour days normalisation.
  if (typeof o.months === 'number') return String((o.months * 30 + o.days!) * 86_400_000_000 + o.micros!);
  return String(v);
}

/** Canonical key of values, or null when one is NULL (NULLs never conflict). */
export function keyOfValues(values: readonly Value[]): Key | null {
  if (values.length === 1) {
    const v = values[0]!;
    if (v === null || v === undefined) return null;
    if (typeof v === 'number') return v;
    return part(v);
  }
  let s = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) return null;
    s += (i ? SEP : '') + part(v);
  }
  return s;
}

/** Key of row i of key-column vectors (fast paths for the common single-column cases). */
export function keyOfVectors(vs: readonly Vector[], i: number): Key | null {
  if (vs.length === 1) {
    const v = vs[0]!;
    if (v.tag === 'number') return v.nulls !== null && v.nulls[i] === 1 ? null : v.values[i]!;
    if (v.tag === 'dict') return v.nulls !== null && v.nulls[i] === 1 ? null : v.dict[v.codes[i]!]!;
  }
  const vals: Value[] = [];
  for (const v of vs) {
    switch (v.tag) {
      case 'number': vals.push(v.nulls !== null && v.nulls[i] === 1 ? null : v.values[i]!); break;
      case 'bool': vals.push(v.nulls !== null && v.nulls[i] === 1 ? null : v.values[i] === 1); break;
      case 'dict': vals.push(v.nulls !== null && v.nulls[i] === 1 ? null : v.dict[v.codes[i]!]!); break;
      case 'object': vals.push(v.values[i] ?? null); break;
    }
  }
  return keyOfValues(vals);
}

export class UniqueIndex {
  private readonly map = new Map<Key, number | number[]>();

  constructor(readonly spec: UniqueKeySpec) {}

  get size(): number {
    return this.map.size;
  }

  /** Rows that have held `key`, newest last. */
  candidates(key: Key): readonly number[] {
    const e = this.map.get(key);
    if (e === undefined) return EMPTY;
    return typeof e === 'number' ? [e] : e;
  }

  /** Record that `rowId` now holds `key`; drops candidates `isLive` rejects. */
  add(key: Key, rowId: number, isLive: (r: number) => boolean): void {
    const e = this.map.get(key);
    if (e === undefined) {
      this.map.set(key, rowId);
      return;
    }
    const prev = typeof e === 'number' ? [e] : e;
    const keep = prev.filter(isLive);
    if (keep.length === 0) this.map.set(key, rowId);
    else this.map.set(key, [...keep, rowId]);
  }

  bytes(): number {
    return this.map.size * 80;
  }
}

const EMPTY: readonly number[] = [];

/** `Key (a, b)=(1, x)` as PostgreSQL's unique-violation detail spells it. */
export function describeKey(spec: UniqueKeySpec, columns: readonly ColumnSpec[], values: readonly Value[], fmt: (v: Value, c: ColumnSpec) => string): string {
  const cols = spec.columnIds.map((id) => columns.find((c) => c.id === id)!);
  return `Key (${cols.map((c) => c.name).join(', ')})=(${values.map((v, i) => fmt(v, cols[i]!)).join(', ')})`;
}
