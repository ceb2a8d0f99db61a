/**
 * How each SQL type is held inside a chunk, and the in-memory column layout
 * shared by append buffers and txn-private pieces (the layouts of vector.ts, so
 * that scanning them is zero-copy).
 */
import type { SqlType } from '../types/sql-type.js';
import { physicalKind } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import type { Vector } from '../vector.js';
import { getValue } from '../vector.js';
import { StringDict } from './dict.js';

/** Arrow representation of a number column in a sealed batch. */
export type NumArrow = 'f64' | 'i16' | 'i32' | 'u32' | 'i64' | 'date' | 'time' | 'ts';

export type StorageKind = 'num' | 'bool' | 'dict' | 'str' | 'obj';

export interface ColumnLayout {
  readonly id: number;
  readonly type: SqlType;
  readonly kind: StorageKind;
  readonly arrow: NumArrow | null;
}

export function layoutOf(id: number, type: SqlType): ColumnLayout {
  const pk = physicalKind(type);
  if (pk === 'number') return { id, type, kind: 'num', arrow: numArrow(type) };
  if (pk === 'bool') return { id, type, kind: 'bool', arrow: null };
  if (pk === 'string') {
    // json/jsonb values are large and rarely repeat: interning them would only cost memory.
    if (type.id === 'json' || type.id === 'jsonb') return { id, type, kind: 'str', arrow: null };
    return { id, type, kind: 'dict', arrow: null };
  }
  return { id, type, kind: 'obj', arrow: null };
}

function numArrow(t: SqlType): NumArrow {
  switch (t.id) {
    case 'int2': return 'i16';
    case 'int4': return 'i32';
    case 'int8': return 'i64';
    case 'oid':
    case 'regclass': return 'u32';
    case 'date': return 'date';
    case 'time': return 'time';
    case 'timestamp':
    case 'timestamptz': return 'ts';
    // float4 stays Float64: the run-time value is a double and narrowing here would
    // change what the executor computed; casts own float4 rounding.
    default: return 'f64';
  }
}

/** Column data of a txn-private piece or an append buffer; `nulls` byte per row, 1 = NULL. */
export type ColData =
  | { kind: 'num'; values: Float64Array; nulls: Uint8Array | null }
  | { kind: 'bool'; values: Uint8Array; nulls: Uint8Array | null }
  | { kind: 'dict'; codes: Int32Array; nulls: Uint8Array | null; dict: StringDict }
  | { kind: 'str' | 'obj'; values: Value[] };

/** A contiguous run of rows with one ColData per column id. */
export interface Piece {
  readonly length: number;
  readonly cols: ReadonlyMap<number, ColData>;
}

function copyNulls(src: Uint8Array | null, n: number, owned = false): Uint8Array | null {
  if (src === null) return null;
  for (let i = 0; i < n; i++) if (src[i] !== 0) return owned && src.length === n ? src : src.slice(0, n);
  return null;
}

/**
 * Copy an incoming vector into storage layout. Inputs in the expected layout take
 * the fast path; anything else goes through getValue (correct, slower).
 * Text is interned into `dict`; a DictVector is interned once per distinct code.
 * `owned`: the vector's buffers are handed over (nobody writes them again), so
 * full-length typed arrays are kept rather than copied.
 */
export function colDataFromVector(layout: ColumnLayout, v: Vector, dict: StringDict | null, owned = false): ColData {
  const n = v.length;
  switch (layout.kind) {
    case 'num': {
      if (v.tag === 'number') return { kind: 'num', values: owned && v.values.length === n ? v.values : v.values.slice(0, n), nulls: copyNulls(v.nulls, n, owned) };
      const values = new Float64Array(n);
      let nulls: Uint8Array | null = null;
      for (let i = 0; i < n; i++) {
        const x = getValue(v, i);
        if (x === null) (nulls ??= new Uint8Array(n))[i] = 1;
        else values[i] = x as number;
      }
      return { kind: 'num', values, nulls };
    }
    case 'bool': {
      if (v.tag === 'bool') return { kind: 'bool', values: owned && v.values.length === n ? v.values : v.values.slice(0, n), nulls: copyNulls(v.nulls, n, owned) };
      const values = new Uint8Array(n);
      let nulls: Uint8Array | null = null;
      for (let i = 0; i < n; i++) {
        const x = getValue(v, i);
        if (x === null) (nulls ??= new Uint8Array(n))[i] = 1;
        else values[i] = x ? 1 : 0;
      }
      return { kind: 'bool', values, nulls };
    }
    case 'dict': {
      const d = dict!;
      // an owned DictVector is remapped in place (each code is read before it is overwritten)
      const codes = owned && v.tag === 'dict' && v.codes.length === n ? v.codes : new Int32Array(n);
      let nulls: Uint8Array | null = null;
      if (v.tag === 'dict') {
        const map = d.remapFrom(v.dict);
        const src = v.codes;
        const sn = v.nulls;
        for (let i = 0; i < n; i++) {
          if (sn !== null && sn[i] === 1) {
            (nulls ??= new Uint8Array(n))[i] = 1;
            continue;
          }
          const c = src[i]!;
          let m = map[c]!;
          if (m < 0) m = map[c] = d.intern(v.dict[c]!);
          codes[i] = m;
        }
      } else {
        let last: unknown = undefined;
        let lastCode = 0;
        for (let i = 0; i < n; i++) {
          const x = getValue(v, i);
          if (x === null) {
            (nulls ??= new Uint8Array(n))[i] = 1;
            continue;
          }
          // Time-series inserts repeat the same tag value in runs; skip the Map for those.
          if (x !== last) {
            last = x;
            lastCode = d.intern(typeof x === 'string' ? x : String(x));
          }
          codes[i] = lastCode;
        }
      }
      return { kind: 'dict', codes, nulls, dict: d };
    }
    case 'str': {
      const values = new Array<Value>(n);
      for (let i = 0; i < n; i++) values[i] = getValue(v, i);
      return { kind: 'str', values };
    }
    case 'obj': {
      if (v.tag === 'object') return { kind: 'obj', values: v.values.slice(0, n) };
      const values = new Array<Value>(n);
      for (let i = 0; i < n; i++) values[i] = getValue(v, i);
      return { kind: 'obj', values };
    }
  }
}

/** Rows [from, to) of column data as a vector; shares buffers (typed arrays) where possible. */
export function vectorFromColData(layout: ColumnLayout, c: ColData, from: number, to: number): Vector {
  const type = layout.type;
  const length = to - from;
  switch (c.kind) {
    case 'num':
      return { tag: 'number', type, length, values: c.values.subarray(from, to), nulls: c.nulls ? c.nulls.subarray(from, to) : null };
    case 'bool':
      return { tag: 'bool', type, length, values: c.values.subarray(from, to), nulls: c.nulls ? c.nulls.subarray(from, to) : null };
    case 'dict':
      return { tag: 'dict', type, length, codes: c.codes.subarray(from, to), dict: c.dict.snapshot(), nulls: c.nulls ? c.nulls.subarray(from, to) : null };
    default:
      return { tag: 'object', type, length, values: c.values.slice(from, to) };
  }
}

/** Read one value (for constraint messages and unique keys: not for bulk paths). */
export function colDataValue(c: ColData, i: number): Value {
  switch (c.kind) {
    case 'num':
      return c.nulls !== null && c.nulls[i] === 1 ? null : c.values[i]!;
    case 'bool':
      return c.nulls !== null && c.nulls[i] === 1 ? null : c.values[i] === 1;
    case 'dict':
      return c.nulls !== null && c.nulls[i] === 1 ? null : c.dict.values[c.codes[i]!]!;
    default:
      return c.values[i] ?? null;
  }
}

/** Index of the first NULL in [0, n), or -1. */
export function firstNull(c: ColData, n: number): number {
  if (c.kind !== 'num' && c.kind !== 'bool' && c.kind !== 'dict') {
    for (let i = 0; i < n; i++) if (c.values[i] === null || c.values[i] === undefined) return i;
    return -1;
  }
  if (c.nulls === null) return -1;
  const k = c.nulls.indexOf(1);
  return k >= 0 && k < n ? k : -1;
}

export function colDataBytes(c: ColData, n: number): number {
  switch (c.kind) {
    case 'num': return n * 8 + (c.nulls ? n : 0);
    case 'bool': return n + (c.nulls ? n : 0);
    case 'dict': return n * 4 + (c.nulls ? n : 0);
    default: {
      let b = n * 8;
      for (let i = 0; i < n; i++) {
        const v = c.values[i];
        if (typeof v === 'string') b += 16 + v.length;
        else if (v !== null && typeof v === 'object') b += 48;
      }
      return b;
    }
  }
}
