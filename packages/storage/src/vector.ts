/**
 * Column vectors: the unit every kernel and operator works on.
 *
 * Physical layouts (chosen by physicalKind(type)):
 *  - NumberVector: Float64Array of values (ints, floats, dates, times, timestamps);
 *    int2/int4/int8 are integral doubles, timestamps µs, dates days.
 *  - BoolVector: Uint8Array of 0/1.
 *  - DictVector: string columns as Int32Array codes into a string dictionary
 *    (equality and grouping work on the codes).
 *  - ObjectVector: anything else, and strings that are not dictionary-encoded:
 *    an array of Values where null marks NULL.
 *
 * `nulls` (Number/Bool/Dict) is a byte per row, 1 = NULL, or null when the vector has no NULLs.
 * A value slot under a NULL is unspecified (usually 0) and must not be read.
 */
import type { SqlType } from './types/sql-type.js';
import { physicalKind } from './types/sql-type.js';
import type { Value } from './types/values.js';

export interface NumberVector {
  readonly tag: 'number';
  readonly type: SqlType;
  readonly length: number;
  readonly values: Float64Array;
  readonly nulls: Uint8Array | null;
}

export interface BoolVector {
  readonly tag: 'bool';
  readonly type: SqlType;
  readonly length: number;
  readonly values: Uint8Array;
  readonly nulls: Uint8Array | null;
}

export interface DictVector {
  readonly tag: 'dict';
  readonly type: SqlType;
  readonly length: number;
  readonly codes: Int32Array;
  readonly dict: readonly string[];
  readonly nulls: Uint8Array | null;
}

export interface ObjectVector {
  readonly tag: 'object';
  readonly type: SqlType;
  readonly length: number;
  readonly values: readonly Value[];
}

export type Vector = NumberVector | BoolVector | DictVector | ObjectVector;

/** A set of equally long column vectors. */
export interface Batch {
  readonly length: number;
  readonly columns: readonly Vector[];
}

export function isNull(v: Vector, i: number): boolean {
  if (v.tag === 'object') return v.values[i] === null;
  return v.nulls !== null && v.nulls[i] === 1;
}

/** Read one value; for kernels that cannot specialise on the layout. Not for hot loops. */
export function getValue(v: Vector, i: number): Value {
  switch (v.tag) {
    case 'number':
      return v.nulls !== null && v.nulls[i] === 1 ? null : v.values[i]!;
    case 'bool':
      return v.nulls !== null && v.nulls[i] === 1 ? null : v.values[i] === 1;
    case 'dict':
      return v.nulls !== null && v.nulls[i] === 1 ? null : v.dict[v.codes[i]!]!;
    case 'object':
      return v.values[i] ?? null;
  }
}

/** Build a vector of the layout the type calls for from plain values. */
export function vectorFromValues(type: SqlType, values: readonly Value[]): Vector {
  const n = values.length;
  const kind = physicalKind(type);
  if (kind === 'number') {
    const out = new Float64Array(n);
    let nulls: Uint8Array | null = null;
    for (let i = 0; i < n; i++) {
      const x = values[i];
      if (x === null || x === undefined) {
        nulls ??= new Uint8Array(n);
        nulls[i] = 1;
      } else out[i] = x as number;
    }
    return { tag: 'number', type, length: n, values: out, nulls };
  }
  if (kind === 'bool') {
    const out = new Uint8Array(n);
    let nulls: Uint8Array | null = null;
    for (let i = 0; i < n; i++) {
      const x = values[i];
      if (x === null || x === undefined) {
        nulls ??= new Uint8Array(n);
        nulls[i] = 1;
      } else out[i] = x ? 1 : 0;
    }
    return { tag: 'bool', type, length: n, values: out, nulls };
  }
  return { tag: 'object', type, length: n, values: values.map((x) => (x === undefined ? null : x)) };
}

export function vectorToValues(v: Vector): Value[] {
  const out = new Array<Value>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = getValue(v, i);
  return out;
}

/** A vector of `length` copies of one value. */
export function constantVector(type: SqlType, value: Value, length: number): Vector {
  const kind = physicalKind(type);
  if (kind === 'number') {
    const values = new Float64Array(length);
    if (value === null) return { tag: 'number', type, length, values, nulls: new Uint8Array(length).fill(1) };
    values.fill(value as number);
    return { tag: 'number', type, length, values, nulls: null };
  }
  if (kind === 'bool') {
    const values = new Uint8Array(length);
    if (value === null) return { tag: 'bool', type, length, values, nulls: new Uint8Array(length).fill(1) };
    values.fill(value ? 1 : 0);
    return { tag: 'bool', type, length, values, nulls: null };
  }
  return { tag: 'object', type, length, values: new Array<Value>(length).fill(value) };
}

/** Gather rows `sel[0..count)` of a vector into a new vector (filter, sort, join output). */
export function takeVector(v: Vector, sel: Int32Array | Uint32Array | readonly number[], count: number = sel.length): Vector {
  switch (v.tag) {
    case 'number': {
      const values = new Float64Array(count);
      const src = v.values;
      let nulls: Uint8Array | null = null;
      if (v.nulls === null) {
        for (let i = 0; i < count; i++) values[i] = src[sel[i]!]!;
      } else {
        nulls = new Uint8Array(count);
        const sn = v.nulls;
        for (let i = 0; i < count; i++) {
          const j = sel[i]!;
          values[i] = src[j]!;
          nulls[i] = sn[j]!;
        }
      }
      return { tag: 'number', type: v.type, length: count, values, nulls };
    }
    case 'bool': {
      const values = new Uint8Array(count);
      let nulls: Uint8Array | null = null;
      if (v.nulls !== null) nulls = new Uint8Array(count);
      for (let i = 0; i < count; i++) {
        const j = sel[i]!;
        values[i] = v.values[j]!;
        if (nulls) nulls[i] = v.nulls![j]!;
      }
      return { tag: 'bool', type: v.type, length: count, values, nulls };
    }
    case 'dict': {
      const codes = new Int32Array(count);
      let nulls: Uint8Array | null = null;
      if (v.nulls !== null) nulls = new Uint8Array(count);
      for (let i = 0; i < count; i++) {
        const j = sel[i]!;
        codes[i] = v.codes[j]!;
        if (nulls) nulls[i] = v.nulls![j]!;
      }
      return { tag: 'dict', type: v.type, length: count, codes, dict: v.dict, nulls };
    }
    case 'object': {
      const values = new Array<Value>(count);
      for (let i = 0; i < count; i++) values[i] = v.values[sel[i]!] ?? null;
      return { tag: 'object', type: v.type, length: count, values };
    }
  }
}

/** Rows [start, end) of a vector, sharing the underlying buffers where the layout allows. */
export function sliceVector(v: Vector, start: number, end: number): Vector {
  const length = end - start;
  switch (v.tag) {
    case 'number':
      return { tag: 'number', type: v.type, length, values: v.values.subarray(start, end), nulls: v.nulls ? v.nulls.subarray(start, end) : null };
    case 'bool':
      return { tag: 'bool', type: v.type, length, values: v.values.subarray(start, end), nulls: v.nulls ? v.nulls.subarray(start, end) : null };
    case 'dict':
      return { tag: 'dict', type: v.type, length, codes: v.codes.subarray(start, end), dict: v.dict, nulls: v.nulls ? v.nulls.subarray(start, end) : null };
    case 'object':
      return { tag: 'object', type: v.type, length, values: v.values.slice(start, end) };
  }
}

/** Concatenate vectors of one type. Dictionary vectors with different dictionaries are decoded to strings. */
export function concatVectors(type: SqlType, parts: readonly Vector[]): Vector {
  if (parts.length === 1) return parts[0]!;
  let total = 0;
  for (const p of parts) total += p.length;
  const kind = physicalKind(type);
  if (kind === 'number' || kind === 'bool') {
    const values = kind === 'number' ? new Float64Array(total) : new Uint8Array(total);
    let nulls: Uint8Array | null = null;
    let off = 0;
    for (const p of parts) {
      if (p.tag !== 'number' && p.tag !== 'bool') throw new Error(`concatVectors: layout ${p.tag} for ${type.id}`);
      values.set(p.values as never, off);
      if (p.nulls) {
        nulls ??= new Uint8Array(total);
        nulls.set(p.nulls, off);
      }
      off += p.length;
    }
    return kind === 'number'
      ? { tag: 'number', type, length: total, values: values as Float64Array, nulls }
      : { tag: 'bool', type, length: total, values: values as Uint8Array, nulls };
  }
  const first = parts[0];
  if (first && first.tag === 'dict' && parts.every((p) => p.tag === 'dict' && p.dict === first.dict)) {
    const codes = new Int32Array(total);
    let nulls: Uint8Array | null = null;
    let off = 0;
    for (const p of parts as DictVector[]) {
      codes.set(p.codes, off);
      if (p.nulls) {
        nulls ??= new Uint8Array(total);
        nulls.set(p.nulls, off);
      }
      off += p.length;
    }
    return { tag: 'dict', type, length: total, codes, dict: first.dict, nulls };
  }
  const values = new Array<Value>(total);
  let off = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) values[off + i] = getValue(p, i);
    off += p.length;
  }
  return { tag: 'object', type, length: total, values };
}

export function emptyVector(type: SqlType): Vector {
  return vectorFromValues(type, []);
}

export function emptyBatch(types: readonly SqlType[]): Batch {
  return { length: 0, columns: types.map(emptyVector) };
}
