/**
 * Dense group ids for key tuples, assigned incrementally across batches in
 * first-seen order. NULL keys form one group of their own.
 *
 * Each key column gets a layout-specialised mapper (open addressing on the
 * double bits for numbers, a code → group remap table per dictionary for
 * dictionary strings); several columns are combined by mapping the pair
 * (ids so far, next column id) through another number table, so the hot loops
 * never build strings or tuples.
 */
import type { SqlType } from '../types/sql-type.js';
import { physicalKind, T } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import { SqlError, SQLSTATE } from '../errors.js';
import type { Vector } from '../vector.js';
import { getValue, takeVector, vectorFromValues } from '../vector.js';
import { valueKey } from './hash.js';

interface ColumnMapper {
  count: number;
  /** writes the group id of rows [0, length) into out */
  map(v: Vector, length: number, out: Int32Array): void;
  keys(): Vector;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function growF64(a: Float64Array<ArrayBuffer>, need: number): Float64Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const b = new Float64Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}
function growU8(a: Uint8Array<ArrayBuffer>, need: number): Uint8Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const b = new Uint8Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/** Open-addressing table from doubles to dense ids. */
export class NumberMapper implements ColumnMapper {
  count = 0;
  private table = new Int32Array(1024); // id + 1, 0 = empty
  private mask = 1023;
  private keyVals = new Float64Array(256);
  private keyNulls = new Uint8Array(256);
  private nullId = -1;
  constructor(private readonly type: SqlType = T.float8) {}

  private newId(x: number, isNull: boolean): number {
    const id = this.count++;
    this.keyVals = growF64(this.keyVals, this.count);
    this.keyNulls = growU8(this.keyNulls, this.count);
    this.keyVals[id] = x;
    this.keyNulls[id] = isNull ? 1 : 0;
    return id;
  }

  private rehash(): void {
    const cap = this.table.length * 2;
    const table = new Int32Array(cap);
    const mask = cap - 1;
    for (let id = 0; id < this.count; id++) {
      if (this.keyNulls[id] === 1) continue;
      let s = slotOf(this.keyVals[id]!) & mask;
      while (table[s] !== 0) s = (s + 1) & mask;
      table[s] = id + 1;
    }
    this.table = table;
    this.mask = mask;
  }

  lookup(x: number): number {
    let table = this.table;
    let mask = this.mask;
    const keys = this.keyVals;
    let s = slotOf(x) & mask;
    for (;;) {
      const e = table[s]!;
      if (e === 0) break;
      const k = keys[e - 1]!;
      if (k === x || (k !== k && x !== x)) return e - 1;
      s = (s + 1) & mask;
    }
    const id = this.newId(x, false);
    table[s] = id + 1;
    if (this.count * 2 > table.length) this.rehash();
    return id;
  }

  nullGroup(): number {
    if (this.nullId < 0) this.nullId = this.newId(0, true);
    return this.nullId;
  }

  map(v: Vector, length: number, out: Int32Array): void {
    if (v.tag !== 'number') return mapGeneric(this, v, length, out, (x) => this.lookup(x as number));
    const vals = v.values;
    const nulls = v.nulls;
    // sorted time columns and time buckets come in runs: remember the last key
    let lastX = NaN;
    let lastId = -1;
    for (let i = 0; i < length; i++) {
      if (nulls !== null && nulls[i] === 1) {
        out[i] = this.nullGroup();
        continue;
      }
      const x = vals[i]!;
      if (x === lastX) {
        out[i] = lastId;
        continue;
      }
      lastX = x;
      lastId = this.lookup(x);
      out[i] = lastId;
    }
  }

  keys(): Vector {
    const n = this.count;
    const nulls = this.nullId >= 0 ? this.keyNulls.slice(0, n) : null;
    return { tag: 'number', type: this.type, length: n, values: this.keyVals.slice(0, n), nulls };
  }
}

function slotOf(x: number): number {
  f64[0] = x !== x ? NaN : x + 0;
  let h = u32[0]! ^ Math.imul(u32[1]!, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h;
}

function mapGeneric(
  m: { nullGroup(): number },
  v: Vector,
  length: number,
  out: Int32Array,
  lookup: (x: Value) => number,
): void {
  for (let i = 0; i < length; i++) {
    const x = getValue(v, i);
    out[i] = x === null ? m.nullGroup() : lookup(x);
  }
}

/** Strings, dictionary-encoded or not. */
class StringMapper implements ColumnMapper {
  count = 0;
  private ids = new Map<string, number>();
  private keyStrs: (string | null)[] = [];
  private nullId = -1;
  private remaps = new WeakMap<readonly string[], Int32Array>();
  private lastDict: readonly string[] | null = null;
  private lastRemap: Int32Array | null = null;
  private readonly bpchar: boolean;
  constructor(private readonly type: SqlType) {
    this.bpchar = type.id === 'bpchar';
  }

  nullGroup(): number {
    if (this.nullId < 0) {
      this.nullId = this.count++;
      this.keyStrs.push(null);
    }
    return this.nullId;
  }

  lookup(s: string): number {
    const k = this.bpchar ? s.replace(/ +$/, '') : s;
    let id = this.ids.get(k);
    if (id === undefined) {
      id = this.count++;
      this.ids.set(k, id);
      this.keyStrs.push(s);
    }
    return id;
  }

  private remapFor(dict: readonly string[]): Int32Array {
    if (dict === this.lastDict) return this.lastRemap!;
    let r = this.remaps.get(dict);
    if (r === undefined) {
      r = new Int32Array(dict.length).fill(-1);
      this.remaps.set(dict, r);
    }
    this.lastDict = dict;
    this.lastRemap = r;
    return r;
  }

  map(v: Vector, length: number, out: Int32Array): void {
    if (v.tag === 'dict') {
      const remap = this.remapFor(v.dict);
      const codes = v.codes;
      const nulls = v.nulls;
      const dict = v.dict;
      for (let i = 0; i < length; i++) {
        if (nulls !== null && nulls[i] === 1) {
          out[i] = this.nullGroup();
          continue;
        }
        const c = codes[i]!;
        let g = remap[c]!;
        if (g < 0) g = remap[c] = this.lookup(dict[c]!);
        out[i] = g;
      }
      return;
    }
    mapGeneric(this, v, length, out, (x) => this.lookup(x as string));
  }

  keys(): Vector {
    const n = this.count;
    const dict = this.keyStrs.map((s) => s ?? '');
    const codes = new Int32Array(n);
    for (let i = 0; i < n; i++) codes[i] = i;
    let nulls: Uint8Array | null = null;
    if (this.nullId >= 0) {
      nulls = new Uint8Array(n);
      nulls[this.nullId] = 1;
    }
    return { tag: 'dict', type: this.type, length: n, codes, dict, nulls };
  }
}

class BoolMapper implements ColumnMapper {
  count = 0;
  private ids = [-1, -1, -1]; // false, true, null
  private keyVals: Value[] = [];
  constructor(private readonly type: SqlType) {}
  private idFor(slot: number): number {
    let id = this.ids[slot]!;
    if (id < 0) {
      id = this.ids[slot] = this.count++;
      this.keyVals.push(slot === 2 ? null : slot === 1);
    }
    return id;
  }
  nullGroup(): number {
    return this.idFor(2);
  }
  map(v: Vector, length: number, out: Int32Array): void {
    if (v.tag !== 'bool') return mapGeneric(this, v, length, out, (x) => this.idFor(x ? 1 : 0));
    const vals = v.values;
    const nulls = v.nulls;
    for (let i = 0; i < length; i++) out[i] = this.idFor(nulls !== null && nulls[i] === 1 ? 2 : vals[i]!);
  }
  keys(): Vector {
    return vectorFromValues(this.type, this.keyVals);
  }
}

/** numeric, interval, arrays, records: equality through valueKey. */
class ObjectMapper implements ColumnMapper {
  count = 0;
  private ids = new Map<unknown, number>();
  private keyVals: Value[] = [];
  private nullId = -1;
  constructor(private readonly type: SqlType) {}
  nullGroup(): number {
    if (this.nullId < 0) {
      this.nullId = this.count++;
      this.keyVals.push(null);
    }
    return this.nullId;
  }
  map(v: Vector, length: number, out: Int32Array): void {
    mapGeneric(this, v, length, out, (x) => {
      const k = valueKey(x, this.type);
      let id = this.ids.get(k);
      if (id === undefined) {
        id = this.count++;
        this.ids.set(k, id);
        this.keyVals.push(x);
      }
      return id;
    });
  }
  keys(): Vector {
    return { tag: 'object', type: this.type, length: this.count, values: this.keyVals.slice() };
  }
}

function mapperFor(type: SqlType): ColumnMapper {
  switch (physicalKind(type)) {
    case 'number':
      return new NumberMapper(type);
    case 'string':
      return new StringMapper(type);
    case 'bool':
      return new BoolMapper(type);
    default:
      return new ObjectMapper(type);
  }
}

const PAIR_SHIFT = 2 ** 26;

export class GroupIdMapper {
  private cols: ColumnMapper[] | null = null;
  private pairs: NumberMapper[] = [];
  /** per group, the id of its key in each column mapper */
  private groupColIds: Int32Array[] = [];
  private recorded = 0;
  private scratch: Int32Array[] = [];

  get groupCount(): number {
    if (this.cols === null) return 0;
    if (this.cols.length === 1) return this.cols[0]!.count;
    return this.pairs[this.pairs.length - 1]!.count;
  }

  map(keys: readonly Vector[], length: number): Int32Array {
    if (this.cols === null) {
      if (keys.length === 0) throw new Error('GroupIdMapper needs at least one key');
      this.cols = keys.map((k) => mapperFor(k.type));
      for (let i = 1; i < keys.length; i++) this.pairs.push(new NumberMapper());
      this.groupColIds = keys.map(() => new Int32Array(256));
    }
    const cols = this.cols;
    const out = new Int32Array(length);
    if (cols.length === 1) {
      cols[0]!.map(keys[0]!, length, out);
      return out;
    }
    for (let c = 0; c < cols.length; c++) {
      if ((this.scratch[c]?.length ?? -1) < length) this.scratch[c] = new Int32Array(length);
      cols[c]!.map(keys[c]!, length, this.scratch[c]!);
    }
    let acc = this.scratch[0]!;
    const pairKey = new Float64Array(length);
    for (let c = 1; c < cols.length; c++) {
      const b = this.scratch[c]!;
      if (cols[c]!.count >= PAIR_SHIFT || (c > 1 ? this.pairs[c - 2]!.count : cols[0]!.count) >= PAIR_SHIFT)
        throw new SqlError(SQLSTATE.programLimitExceeded, 'too many distinct grouping keys');
      for (let i = 0; i < length; i++) pairKey[i] = acc[i]! * PAIR_SHIFT + b[i]!;
      const dst = c === cols.length - 1 ? out : new Int32Array(length);
      this.pairs[c - 1]!.map({ tag: 'number', type: T.float8, length, values: pairKey, nulls: null }, length, dst);
      acc = dst;
    }
    // new groups appear in increasing id order: remember their per-column ids
    const total = this.groupCount;
    if (total > this.recorded) {
      for (let c = 0; c < cols.length; c++) {
        const a = this.groupColIds[c]!;
        if (a.length < total) {
          const b = new Int32Array(Math.max(total, a.length * 2));
          b.set(a);
          this.groupColIds[c] = b;
        }
      }
      for (let i = 0; i < length && this.recorded < total; i++) {
        const g = out[i]!;
        if (g === this.recorded) {
          for (let c = 0; c < cols.length; c++) this.groupColIds[c]![g] = this.scratch[c]![i]!;
          this.recorded++;
        }
      }
    }
    return out;
  }

  /** The distinct key tuples as one vector per key column, row g = group g. */
  keys(): Vector[] {
    if (this.cols === null) return [];
    if (this.cols.length === 1) return [this.cols[0]!.keys()];
    const n = this.groupCount;
    return this.cols.map((m, c) => takeVector(m.keys(), this.groupColIds[c]!, n));
  }
}
