/**
 * A chunk's growing tail. Rows are only ever appended, so a snapshot that
 * remembers the length it saw can keep reading the prefix while later commits
 * append (and even after the buffer is sealed and replaced). Growth reallocates
 * instead of writing past a prefix some snapshot may hold, and old arrays are
 * never written again.
 */
import type { Value } from '../types/values.js';
import type { Vector } from '../vector.js';
import type { StringDict } from './dict.js';
import type { ColData, ColumnLayout, Piece } from './layout.js';
import { vectorFromColData, colDataBytes } from './layout.js';
import type { ColumnStats } from './stats.js';
import { computeColStats, mergeColStats } from './stats.js';

export type FillOf = (id: number) => Value;

export class AppendBuffer {
  length = 0;
  private cap = 0;
  /** Every column ever written here, dropped ones included (older snapshots may read them). */
  readonly cols = new Map<number, ColData>();
  private readonly layoutById = new Map<number, ColumnLayout>();
  /** Columns new rows are written to. */
  active: ColumnLayout[];
  /** Stats of rows [0, length); replaced (never mutated) on append so snapshots can keep theirs. */
  stats: ReadonlyMap<number, ColumnStats> = new Map();

  constructor(layouts: readonly ColumnLayout[], private readonly dicts: (id: number) => StringDict, readonly maxRows: number) {
    this.active = layouts.slice();
    for (const l of layouts) {
      this.layoutById.set(l.id, l);
      this.cols.set(l.id, emptyCol(l, 0, dicts));
    }
  }

  private grow(need: number): void {
    if (need <= this.cap) return;
    if (need > this.maxRows) throw new Error(`append buffer overflow: ${need} > ${this.maxRows}`);
    // A bulk append (thousands of rows at once) is likely to fill the buffer: size it
    // for a full seal at once rather than re-copying through every doubling.
    const cap = need >= this.maxRows / 16 ? this.maxRows : Math.min(this.maxRows, Math.max(need, this.cap * 2, 1024));
    const n = this.length;
    for (const l of this.active) {
      const c = this.cols.get(l.id)!;
      switch (c.kind) {
        case 'num': {
          const v = new Float64Array(cap);
          v.set(c.values.subarray(0, n));
          c.values = v;
          if (c.nulls) c.nulls = copyGrow(c.nulls, n, cap);
          break;
        }
        case 'bool':
          c.values = copyGrow(c.values, n, cap);
          if (c.nulls) c.nulls = copyGrow(c.nulls, n, cap);
          break;
        case 'dict': {
          const v = new Int32Array(cap);
          v.set(c.codes.subarray(0, n));
          c.codes = v;
          if (c.nulls) c.nulls = copyGrow(c.nulls, n, cap);
          break;
        }
        default:
          break; // JS arrays grow by push; snapshots slice their prefix
      }
    }
    this.cap = cap;
  }

  /** Append rows [from, to) of `src`; columns `src` lacks read as their fill value. */
  append(src: Piece, from: number, to: number, fillOf: FillOf): void {
    const k = to - from;
    if (k <= 0) return;
    const at = this.length;
    this.grow(at + k);
    const stats = new Map(this.stats);
    for (const l of this.active) {
      const dst = this.cols.get(l.id)!;
      const s = src.cols.get(l.id);
      if (s === undefined) writeFill(dst, at, k, fillOf(l.id), this.cap);
      else copyInto(dst, s, from, to, at, this.cap);
      const cs = computeColStats(dst, at, at + k);
      const prev = stats.get(l.id);
      stats.set(l.id, prev === undefined || at === 0 ? cs : mergeColStats(prev, cs));
    }
    this.length = at + k;
    this.stats = stats;
  }

  addColumn(l: ColumnLayout, fill: Value): void {
    const c = emptyCol(l, this.cap, this.dicts);
    writeFill(c, 0, this.length, fill, this.cap);
    this.cols.set(l.id, c);
    this.layoutById.set(l.id, l);
    this.active = [...this.active, l];
    const stats = new Map(this.stats);
    if (this.length > 0) stats.set(l.id, computeColStats(c, 0, this.length));
    this.stats = stats;
  }

  dropColumn(id: number): void {
    this.active = this.active.filter((l) => l.id !== id);
  }

  layout(id: number): ColumnLayout | undefined {
    return this.layoutById.get(id);
  }

  read(id: number, from: number, to: number): Vector | undefined {
    const c = this.cols.get(id);
    if (c === undefined) return undefined;
    return vectorFromColData(this.layoutById.get(id)!, c, from, to);
  }

  bytes(rows: number = this.length): number {
    let b = 0;
    for (const l of this.active) b += colDataBytes(this.cols.get(l.id)!, rows);
    return b;
  }
}

function copyGrow(a: Uint8Array, n: number, cap: number): Uint8Array {
  const v = new Uint8Array(cap);
  v.set(a.subarray(0, n));
  return v;
}

function emptyCol(l: ColumnLayout, cap: number, dicts: (id: number) => StringDict): ColData {
  switch (l.kind) {
    case 'num': return { kind: 'num', values: new Float64Array(cap), nulls: null };
    case 'bool': return { kind: 'bool', values: new Uint8Array(cap), nulls: null };
    case 'dict': return { kind: 'dict', codes: new Int32Array(cap), nulls: null, dict: dicts(l.id) };
    default: return { kind: l.kind, values: [] };
  }
}

function writeFill(dst: ColData, at: number, k: number, fill: Value, cap: number): void {
  switch (dst.kind) {
    case 'num':
    case 'bool':
    case 'dict': {
      if (fill === null) {
        dst.nulls ??= new Uint8Array(cap);
        dst.nulls.fill(1, at, at + k);
      } else if (dst.kind === 'num') dst.values.fill(fill as number, at, at + k);
      else if (dst.kind === 'bool') dst.values.fill(fill ? 1 : 0, at, at + k);
      else dst.codes.fill(dst.dict.intern(String(fill)), at, at + k);
      return;
    }
    default:
      for (let i = 0; i < k; i++) dst.values.push(fill);
  }
}

function copyNullsInto(dst: { nulls: Uint8Array | null }, sn: Uint8Array | null, from: number, to: number, at: number, cap: number): void {
  if (sn === null) return;
  let any = false;
  for (let i = from; i < to; i++) {
    if (sn[i] === 1) {
      any = true;
      break;
    }
  }
  if (!any) return;
  dst.nulls ??= new Uint8Array(cap);
  dst.nulls.set(sn.subarray(from, to), at);
}

export function copyInto(dst: ColData, s: ColData, from: number, to: number, at: number, cap: number): void {
  switch (dst.kind) {
    case 'num':
      if (s.kind !== 'num') throw new Error('layout mismatch');
      dst.values.set(s.values.subarray(from, to), at);
      copyNullsInto(dst, s.nulls, from, to, at, cap);
      return;
    case 'bool':
      if (s.kind !== 'bool') throw new Error('layout mismatch');
      dst.values.set(s.values.subarray(from, to), at);
      copyNullsInto(dst, s.nulls, from, to, at, cap);
      return;
    case 'dict': {
      if (s.kind !== 'dict') throw new Error('layout mismatch');
      copyNullsInto(dst, s.nulls, from, to, at, cap);
      if (s.dict === dst.dict) {
        dst.codes.set(s.codes.subarray(from, to), at);
        return;
      }
      // The rows were interned into another chunk's dictionary (the txn began before a chunk roll-over).
      const map = dst.dict.remapFrom(s.dict.values);
      const sn = s.nulls;
      const out = dst.codes;
      for (let i = from; i < to; i++) {
        if (sn !== null && sn[i] === 1) continue;
        const c = s.codes[i]!;
        let m = map[c]!;
        if (m < 0) m = map[c] = dst.dict.intern(s.dict.values[c]!);
        out[at + i - from] = m;
      }
      return;
    }
    default: {
      if (s.kind !== 'str' && s.kind !== 'obj') throw new Error('layout mismatch');
      const v = dst.values;
      for (let i = from; i < to; i++) v.push(s.values[i] ?? null);
    }
  }
}
