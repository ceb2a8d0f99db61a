/**
 * Apache Arrow input for the embedding API's bulk insert: each Data piece read
 * through its typed arrays (no get(i), no BigInt), Float64 values and
 * dictionary indices adopted as they are, one batch per Arrow record batch.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { FormatContext } from '../../../storage/src/types/values.js';
import type { Batch, Vector } from '../../../storage/src/vector.js';
import { constantVector } from '../../../storage/src/vector.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import type { TableInfo } from '../../../planner/src/catalog/catalog.js';
import { columnVector, intRange, outOfRange } from './column-values.js';
import type { BulkScratch } from './bulk-scratch.js';

/** One contiguous piece of an Arrow column (apache-arrow's `Data`), as far as the fast paths read it. */
export interface ArrowDataLike {
  readonly type: { readonly typeId: number; readonly unit?: number; readonly bitWidth?: number; readonly isSigned?: boolean; readonly precision?: number; readonly dictionary?: unknown };
  readonly length: number;
  readonly offset: number;
  readonly nullCount: number;
  readonly values: ArrayLike<unknown> & { readonly buffer?: ArrayBufferLike; readonly byteOffset?: number };
  readonly valueOffsets?: Int32Array | null;
  readonly nullBitmap?: Uint8Array | null;
  readonly dictionary?: { toArray(): ArrayLike<unknown>; readonly length: number; get(i: number): unknown } | null;
}

export interface ArrowColumnLike {
  toArray(): ArrayLike<unknown>;
  readonly nullCount: number;
  get(i: number): unknown;
  isValid?(i: number): boolean;
  readonly data?: readonly ArrowDataLike[];
}

export interface ArrowTableLike {
  readonly numRows: number;
  readonly schema: { readonly fields: readonly { readonly name: string }[] };
  getChild(name: string): ArrowColumnLike | null;
}


export function isArrowTable(x: unknown): x is ArrowTableLike {
  return typeof x === 'object' && x !== null && 'numRows' in x && 'schema' in x && typeof (x as { getChild?: unknown }).getChild === 'function';
}

// apache-arrow's Type enum (numeric ids are part of the format, so any arrow copy matches)
const A_INT = 2;
const A_FLOAT = 3;
const A_UTF8 = 5;
const A_BOOL = 6;
const A_DATE = 8;
const A_TIMESTAMP = 10;
const A_DICTIONARY = -1;

function bitSet(bm: Uint8Array, j: number): boolean {
  return (bm[j >> 3]! & (1 << (j & 7))) !== 0;
}

/** The validity bitmap as a NULL byte per row (1 = NULL), or null without NULLs. */
export function arrowNulls(d: ArrowDataLike): Uint8Array | null {
  const bm = d.nullBitmap;
  if (d.nullCount === 0 || !bm || bm.length === 0) return null;
  const n = d.length;
  const off = d.offset;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (!bitSet(bm, off + i)) out[i] = 1;
  return out;
}

/**
 * 64-bit integers as doubles without BigInt: the low and high words through an
 * Int32 view. `div` > 1 divides exactly-rounded (ns → µs); otherwise multiplies by `mul`.
 */
export function int64ToDoubles(values: BigInt64Array | BigUint64Array, n: number, signed: boolean, mul = 1, div = 1, out: Float64Array = new Float64Array(n)): Float64Array {
  const w = new Int32Array(values.buffer, values.byteOffset, n * 2);
  if (div === 1000) {
    for (let i = 0; i < n; i++) {
      const lo = w[2 * i]! >>> 0;
      const hi = signed ? w[2 * i + 1]! : w[2 * i + 1]! >>> 0;
      // hi·2^32 + lo = hi·4294967·1000 + (hi·296 + lo), the second term exact in a double
      out[i] = hi * 4294967 + Math.round((hi * 296 + lo) / 1000);
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    const lo = w[2 * i]! >>> 0;
    const hi = signed ? w[2 * i + 1]! : w[2 * i + 1]! >>> 0;
    out[i] = (hi * 4294967296 + lo) * mul;
  }
  return out;
}

/** Doubles for a column: a reused scratch buffer, or fresh. */
type DoublesOut = (n: number) => Float64Array;
const freshDoubles: DoublesOut = (n) => new Float64Array(n);

function numericToDoubles(d: ArrowDataLike, n: number, alloc: DoublesOut): Float64Array | null {
  const t = d.type;
  const vals = d.values as unknown;
  if (t.typeId === A_FLOAT) {
    if (vals instanceof Float64Array) return vals.length === n ? vals : vals.subarray(0, n);
    if (vals instanceof Float32Array) {
      const out = alloc(n);
      for (let i = 0; i < n; i++) out[i] = vals[i]!;
      return out;
    }
    return null; // half floats: generic path
  }
  if (t.typeId === A_INT) {
    if (vals instanceof BigInt64Array || vals instanceof BigUint64Array) return int64ToDoubles(vals, n, vals instanceof BigInt64Array, 1, 1, alloc(n));
    if (vals instanceof Int32Array || vals instanceof Int16Array || vals instanceof Int8Array || vals instanceof Uint32Array || vals instanceof Uint16Array || vals instanceof Uint8Array) {
      const out = alloc(n);
      for (let i = 0; i < n; i++) out[i] = vals[i]!;
      return out;
    }
  }
  return null;
}

/** Epoch microseconds of a Timestamp or Date piece, or null for other types. */
function arrowMicros(d: ArrowDataLike, n: number, alloc: DoublesOut): Float64Array | null {
  const t = d.type;
  const vals = d.values as unknown;
  if (t.typeId === A_TIMESTAMP && (vals instanceof BigInt64Array || vals instanceof BigUint64Array)) {
    switch (t.unit) {
      case 0: return int64ToDoubles(vals, n, true, 1_000_000, 1, alloc(n));
      case 1: return int64ToDoubles(vals, n, true, 1000, 1, alloc(n));
      case 2: return int64ToDoubles(vals, n, true, 1, 1, alloc(n));
      case 3: return int64ToDoubles(vals, n, true, 1, 1000, alloc(n));
      default: return null;
    }
  }
  if (t.typeId === A_DATE) {
    if (t.unit === 0 && vals instanceof Int32Array) {
      const out = alloc(n);
      for (let i = 0; i < n; i++) out[i] = vals[i]! * 86_400_000_000;
      return out;
    }
    if (t.unit === 1 && (vals instanceof BigInt64Array || vals instanceof BigUint64Array)) return int64ToDoubles(vals, n, true, 1000, 1, alloc(n));
  }
  return null;
}

const dictCache = new WeakMap<object, string[] | null>();

/** An Arrow Utf8 dictionary as a string array (once per dictionary object); null when it has NULL entries or is not text. */
function dictionaryStrings(dict: NonNullable<ArrowDataLike['dictionary']>): string[] | null {
  let out = dictCache.get(dict);
  if (out !== undefined) return out;
  const arr = dict.toArray();
  out = [];
  for (let i = 0; i < dict.length; i++) {
    const s = arr[i];
    if (typeof s !== 'string') {
      out = null;
      break;
    }
    out.push(s);
  }
  dictCache.set(dict, out);
  return out;
}

const utf8 = new TextDecoder();

/** Plain Utf8 → codes into a dictionary of the distinct strings, each decoded once (rows hashed by their bytes). */
export function utf8ToDict(offsets: Int32Array, bytes: Uint8Array, n: number): { codes: Int32Array; dict: string[] } {
  const codes = new Int32Array(n);
  const dict: string[] = [];
  const firstStart: number[] = [];
  const firstEnd: number[] = [];
  const byHash = new Map<number, number[]>();
  let lastS = -1;
  let lastE = -1;
  let lastCode = -1;
  for (let i = 0; i < n; i++) {
    const s = offsets[i]!;
    const e = offsets[i + 1]!;
    if (lastCode >= 0 && e - s === lastE - lastS && sameBytes(bytes, s, lastS, e - s)) {
      codes[i] = lastCode;
      continue;
    }
    let h = 0x811c9dc5 ^ (e - s);
    for (let j = s; j < e; j++) h = Math.imul(h ^ bytes[j]!, 0x01000193);
    let cands = byHash.get(h);
    let code = -1;
    if (cands !== undefined) {
      for (const c of cands) {
        if (firstEnd[c]! - firstStart[c]! === e - s && sameBytes(bytes, s, firstStart[c]!, e - s)) {
          code = c;
          break;
        }
      }
    } else byHash.set(h, (cands = []));
    if (code < 0) {
      code = dict.length;
      dict.push(utf8.decode(bytes.subarray(s, e)));
      firstStart.push(s);
      firstEnd.push(e);
      cands.push(code);
    }
    codes[i] = code;
    lastS = s;
    lastE = e;
    lastCode = code;
  }
  return { codes, dict };
}

function sameBytes(b: Uint8Array, x: number, y: number, len: number): boolean {
  if (x === y) return true;
  for (let k = 0; k < len; k++) if (b[x + k] !== b[y + k]) return false;
  return true;
}

/**
 * One Arrow piece as a vector of the column's type without per-value get(); null when no fast path applies.
 * `alloc` gives the doubles of a converted number column (a scratch buffer the caller reuses).
 */
export function arrowPieceVector(type: SqlType, d: ArrowDataLike, colName: string, alloc: DoublesOut = freshDoubles): Vector | null {
  const n = d.length;
  const t = d.type;
  switch (type.id) {
    case 'float8': case 'float4': case 'int2': case 'int4': case 'int8': {
      const values = numericToDoubles(d, n, alloc);
      if (values === null) return null;
      const nulls = arrowNulls(d);
      if (type.id === 'int2' || type.id === 'int4' || type.id === 'int8') {
        const [lo, hi] = intRange(type);
        const isFloat = t.typeId === A_FLOAT;
        for (let i = 0; i < n; i++) {
          if (nulls !== null && nulls[i] === 1) continue;
          const v = values[i]!;
          if (isFloat && !Number.isInteger(v)) return null; // the generic path rounds or rejects as SQL would
          if (v < lo || v > hi) throw outOfRange(type, v, colName);
        }
      }
      return { tag: 'number', type, length: n, values, nulls };
    }
    case 'timestamptz': {
      const values = arrowMicros(d, n, alloc);
      if (values === null) return null;
      return { tag: 'number', type, length: n, values, nulls: arrowNulls(d) };
    }
    case 'date': {
      if (t.typeId !== A_DATE) return null;
      const vals = d.values as unknown;
      const out = new Float64Array(n);
      if (t.unit === 0 && vals instanceof Int32Array) for (let i = 0; i < n; i++) out[i] = vals[i]!;
      else if (t.unit === 1 && vals instanceof BigInt64Array) {
        const ms = int64ToDoubles(vals, n, true);
        for (let i = 0; i < n; i++) out[i] = Math.floor(ms[i]! / 86_400_000);
      } else return null;
      return { tag: 'number', type, length: n, values: out, nulls: arrowNulls(d) };
    }
    case 'text': {
      if (t.typeId === A_DICTIONARY && d.dictionary) {
        const dict = dictionaryStrings(d.dictionary);
        const idx = d.values as unknown;
        if (dict === null) return null;
        let codes: Int32Array;
        if (idx instanceof Int32Array) codes = idx.length === n ? idx : idx.subarray(0, n);
        else if (idx instanceof Int8Array || idx instanceof Int16Array || idx instanceof Uint8Array || idx instanceof Uint16Array || idx instanceof Uint32Array) codes = Int32Array.from(idx.subarray(0, n));
        else return null;
        return { tag: 'dict', type, length: n, codes, dict, nulls: arrowNulls(d) };
      }
      if (t.typeId === A_UTF8 && d.valueOffsets && d.values instanceof Uint8Array) {
        const { codes, dict } = utf8ToDict(d.valueOffsets, d.values, n);
        return { tag: 'dict', type, length: n, codes, dict, nulls: arrowNulls(d) };
      }
      return null;
    }
    case 'bool': {
      if (t.typeId !== A_BOOL || !(d.values instanceof Uint8Array)) return null;
      const out = new Uint8Array(n);
      const bits = d.values;
      for (let i = 0; i < n; i++) out[i] = bitSet(bits, d.offset + i) ? 1 : 0;
      return { tag: 'bool', type, length: n, values: out, nulls: arrowNulls(d) };
    }
    default:
      return null;
  }
}

/** Rows [from, from + n) of an Arrow column through get(): the slow path for types without a typed fast path. */
function arrowGenericVector(type: SqlType, child: ArrowColumnLike, from: number, n: number, ctx: FormatContext, colName: string): Vector {
  const get = (i: number) => {
    const v = child.get(from + i);
    return typeof v === 'bigint' ? Number(v) : v;
  };
  const isTs = type.id === 'timestamptz' || type.id === 'timestamp';
  // Arrow timestamps arrive as epoch milliseconds (numbers) from get()
  const getTs = isTs ? (i: number) => {
    const v = get(i);
    return typeof v === 'number' ? new Date(v) : v;
  } : get;
  return columnVector(type, n, getTs, ctx, colName);
}

function sliceVector(v: Vector, from: number, to: number): Vector {
  const length = to - from;
  switch (v.tag) {
    case 'number': return { tag: 'number', type: v.type, length, values: v.values.subarray(from, to), nulls: v.nulls ? v.nulls.subarray(from, to) : null };
    case 'bool': return { tag: 'bool', type: v.type, length, values: v.values.subarray(from, to), nulls: v.nulls ? v.nulls.subarray(from, to) : null };
    case 'dict': return { tag: 'dict', type: v.type, length, codes: v.codes.subarray(from, to), dict: v.dict, nulls: v.nulls ? v.nulls.subarray(from, to) : null };
    case 'object': return { tag: 'object', type: v.type, length, values: v.values.slice(from, to) };
  }
}

/**
 * The table's batches, piece by piece: each piece's columns converted (into the
 * scratch when given, so a piece's batches must be consumed before the next
 * piece is converted) and handed to `fn` in slices of at most batchRows.
 */
export function forEachArrowBatch(table: TableInfo, rows: ArrowTableLike, ctx: FormatContext, batchRows: number, scratch: BulkScratch | null, fn: (b: Batch) => void): void {
  const cols = table.columns;
  const n = rows.numRows;
  const children = cols.map((c) => rows.getChild(c.name));
  const unknown = rows.schema.fields.map((f) => f.name).filter((f) => !cols.some((c) => c.name === f));
  if (unknown.length) throw new SqlError(SQLSTATE.undefinedColumn, `column "${unknown[0]}" of relation "${table.name}" does not exist`);
  // piece boundaries: shared by every provided column (one Arrow record batch each), else one piece
  let bounds: number[] = [0, n];
  const first = children.find((c) => c?.data);
  if (first?.data) {
    const b = [0];
    for (const d of first.data) b.push(b[b.length - 1]! + d.length);
    const aligned = b[b.length - 1] === n && children.every((c) => c === null || (c.data !== undefined && c.data.length === b.length - 1 && c.data.every((d, k) => d.length === b[k + 1]! - b[k]!)));
    if (aligned) bounds = b;
  }
  for (let p = 0; p + 1 < bounds.length; p++) {
    const from = bounds[p]!;
    const len = bounds[p + 1]! - from;
    if (len === 0) continue;
    const vectors = cols.map((c, ci) => {
      const child = children[ci];
      if (!child) return constantVector(c.type, null, len);
      const d = bounds.length > 2 || child.data?.length === 1 ? child.data![p]! : null;
      const alloc: DoublesOut = scratch ? (k) => scratch.float64(ci, k) : freshDoubles;
      return (d ? arrowPieceVector(c.type, d, c.name, alloc) : null) ?? arrowGenericVector(c.type, child, from, len, ctx, c.name);
    });
    for (let s = 0; s < len; s += batchRows) {
      const e = Math.min(len, s + batchRows);
      fn(s === 0 && e === len ? { length: len, columns: vectors } : { length: e - s, columns: vectors.map((v) => sliceVector(v, s, e)) });
    }
  }
}
