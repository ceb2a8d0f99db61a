/**
 * The embedding API's bulk load: rows as arrays or objects, or an Apache Arrow
 * Table, converted column by column into vectors and appended in one
 * transaction (one storage append per batch, no SQL parsing).
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { physicalKind } from '../../../storage/src/types/sql-type.js';
import type { FormatContext, Value } from '../../../storage/src/types/values.js';
import type { Batch, Vector } from '../../../storage/src/vector.js';
import { constantVector, vectorFromValues } from '../../../storage/src/vector.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import type { TableInfo } from '../../../planner/src/catalog/catalog.js';
import { paramToValue } from './params.js';

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

export type BulkRows = readonly (readonly unknown[])[] | readonly Record<string, unknown>[] | ArrowTableLike;

export function isArrowTable(x: unknown): x is ArrowTableLike {
  return typeof x === 'object' && x !== null && 'numRows' in x && 'schema' in x && typeof (x as { getChild?: unknown }).getChild === 'function';
}

function columnVector(type: SqlType, n: number, get: (i: number) => unknown, ctx: FormatContext, colName: string): Vector {
  if (physicalKind(type) === 'number' && (type.id === 'float8' || type.id === 'float4' || type.id === 'int4' || type.id === 'int2' || type.id === 'int8')) {
    const values = new Float64Array(n);
    let nulls: Uint8Array | null = null;
    let slow = false;
    for (let i = 0; i < n; i++) {
      const v = get(i);
      if (typeof v === 'number' && (type.id === 'float8' || type.id === 'float4' || Number.isInteger(v))) values[i] = v;
      else if (v === null || v === undefined) {
        nulls ??= new Uint8Array(n);
        nulls[i] = 1;
      } else {
        slow = true;
        break;
      }
    }
    if (!slow && type.id !== 'int4' && type.id !== 'int2') return { tag: 'number', type, length: n, values, nulls };
    if (!slow) {
      const [lo, hi] = type.id === 'int4' ? [-2147483648, 2147483647] : [-32768, 32767];
      for (let i = 0; i < n; i++) {
        if ((nulls === null || nulls[i] === 0) && (values[i]! < lo || values[i]! > hi)) {
          throw new SqlError(SQLSTATE.numericValueOutOfRange, `value "${values[i]}" is out of range for type ${type.id === 'int4' ? 'integer' : 'smallint'}`, { column: colName });
        }
      }
      return { tag: 'number', type, length: n, values, nulls };
    }
  }
  if (type.id === 'timestamptz') {
    const values = new Float64Array(n);
    let nulls: Uint8Array | null = null;
    let slow = false;
    for (let i = 0; i < n; i++) {
      const v = get(i);
      if (v instanceof Date) values[i] = v.getTime() * 1000;
      else if (v === null || v === undefined) {
        nulls ??= new Uint8Array(n);
        nulls[i] = 1;
      } else {
        slow = true;
        break;
      }
    }
    if (!slow) return { tag: 'number', type, length: n, values, nulls };
  }
  const out: Value[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = paramToValue(get(i), type, ctx);
  return vectorFromValues(type, out);
}

/**
 * Which table columns the rows provide at all (an object key present in any
 * row, an array long enough, an Arrow column); the others get their DEFAULT.
 */
export function providedColumns(table: TableInfo, rows: BulkRows): boolean[] {
  const cols = table.columns;
  if (isArrowTable(rows)) return cols.map((c) => rows.getChild(c.name) !== null);
  const list = rows as readonly unknown[];
  const out = cols.map(() => false);
  let maxLen = 0;
  const names = new Map(cols.map((c, i) => [c.name, i]));
  for (let r = 0; r < list.length; r++) {
    const row = list[r];
    if (Array.isArray(row)) {
      if (row.length > maxLen) maxLen = row.length;
    } else if (row && typeof row === 'object') {
      for (const k in row as object) {
        const i = names.get(k);
        if (i !== undefined) out[i] = true;
      }
    }
  }
  for (let i = 0; i < Math.min(maxLen, cols.length); i++) out[i] = true;
  return out;
}

// ---------------------------------------------------------------------------
// Row arrays / objects: one row-major pass per batch, typed per column.

const K_FLOAT = 0; // float8, float4: any JS number
const K_INT = 1; // int2, int4, int8: integral numbers within range
const K_TSTZ = 2; // timestamptz: Date
const K_TEXT = 3; // text: strings, interned per batch into a DictVector
const K_OTHER = 4; // everything else: paramToValue per value

function kindOf(type: SqlType): number {
  switch (type.id) {
    case 'float8': case 'float4': return K_FLOAT;
    case 'int2': case 'int4': case 'int8': return K_INT;
    case 'timestamptz': return K_TSTZ;
    case 'text': return K_TEXT;
    default: return K_OTHER;
  }
}

function intRange(type: SqlType): [number, number] {
  return type.id === 'int4' ? [-2147483648, 2147483647] : type.id === 'int2' ? [-32768, 32767] : [-Infinity, Infinity];
}

function outOfRange(type: SqlType, v: number, colName: string): SqlError {
  return new SqlError(SQLSTATE.numericValueOutOfRange, `value "${v}" is out of range for type ${type.id === 'int4' ? 'integer' : type.id === 'int2' ? 'smallint' : 'bigint'}`, { column: colName });
}

/**
 * Column buffers reused from one row batch to the next (the consumer copies
 * every batch into storage layout before asking for the next one), so a large
 * load does not allocate fresh typed arrays per batch: that external-memory
 * churn is what drove full GCs over the caller's row objects.
 */
export interface RowScratch {
  nums: (Float64Array | undefined)[];
  codes: (Int32Array | undefined)[];
  /** NULL maps, all zero between batches (cleared after use when a batch had NULLs). */
  nulls: (Uint8Array | undefined)[];
  dirty: Uint8Array[];
}

const FILL_OK = 0;
const FILL_NULLS = 1;
const FILL_SLOW = 2;
const FILL_RANGE = 3;
let fillAt = 0;

function rowValue(row: unknown, key: string | number): unknown {
  return (row as Record<string | number, unknown>)[key];
}

// Each fills out[from..to) from rows list[start + i]; NULL rows set nl[i] = 1.
function fillFloat(list: readonly unknown[], start: number, from: number, to: number, key: string | number, out: Float64Array, nl: Uint8Array): number {
  let res = FILL_OK;
  for (let i = from; i < to; i++) {
    const v = (list[start + i] as Record<string | number, unknown>)[key];
    if (typeof v === 'number') out[i] = v;
    else if (v === null || v === undefined) {
      nl[i] = 1;
      res = FILL_NULLS;
    } else return FILL_SLOW;
  }
  return res;
}

function fillInt(list: readonly unknown[], start: number, from: number, to: number, key: string | number, out: Float64Array, nl: Uint8Array, lo: number, hi: number): number {
  let res = FILL_OK;
  for (let i = from; i < to; i++) {
    const v = (list[start + i] as Record<string | number, unknown>)[key];
    if (typeof v === 'number' && Number.isInteger(v)) {
      if (v < lo || v > hi) {
        fillAt = i;
        return FILL_RANGE;
      }
      out[i] = v;
    } else if (v === null || v === undefined) {
      nl[i] = 1;
      res = FILL_NULLS;
    } else return FILL_SLOW;
  }
  return res;
}

function fillTstz(list: readonly unknown[], start: number, from: number, to: number, key: string | number, out: Float64Array, nl: Uint8Array): number {
  let res = FILL_OK;
  for (let i = from; i < to; i++) {
    const v = (list[start + i] as Record<string | number, unknown>)[key];
    if (v instanceof Date) {
      const ms = v.getTime();
      if (ms !== ms) return FILL_SLOW; // invalid Date: the generic path raises the error
      out[i] = ms * 1000;
    } else if (v === null || v === undefined) {
      nl[i] = 1;
      res = FILL_NULLS;
    } else return FILL_SLOW;
  }
  return res;
}

function fillText(list: readonly unknown[], start: number, from: number, to: number, key: string | number, out: Int32Array, nl: Uint8Array, dict: string[], m: Map<string, number>): number {
  let res = FILL_OK;
  let last: string | null = null;
  let lastCode = 0;
  for (let i = from; i < to; i++) {
    const v = (list[start + i] as Record<string | number, unknown>)[key];
    if (typeof v === 'string') {
      if (v !== last) {
        let code = m.get(v);
        if (code === undefined) {
          code = dict.length;
          dict.push(v);
          m.set(v, code);
        }
        last = v;
        lastCode = code;
      }
      out[i] = lastCode;
    } else if (v === null || v === undefined) {
      nl[i] = 1;
      res = FILL_NULLS;
    } else return FILL_SLOW;
  }
  return res;
}

/** Rows per block: each column is filled block by block so a block's row arrays stay in cache across columns. */
const FILL_BLOCK = 1024;

function rowBatch(table: TableInfo, list: readonly unknown[], start: number, end: number, byName: boolean, ctx: FormatContext, scratch: RowScratch | null = null): Batch {
  const cols = table.columns;
  const nc = cols.length;
  const n = end - start;
  const kinds = new Int32Array(nc);
  const nums: (Float64Array | null)[] = new Array(nc).fill(null);
  const codes: (Int32Array | null)[] = new Array(nc).fill(null);
  const nulls: (Uint8Array | null)[] = new Array(nc).fill(null);
  const lo = new Float64Array(nc);
  const hi = new Float64Array(nc);
  const slow = new Uint8Array(nc);
  const dicts: string[][] = [];
  const names = cols.map((c) => c.name);
  for (let c = 0; c < nc; c++) {
    const k = kindOf(cols[c]!.type);
    kinds[c] = k;
    if (k === K_TEXT) {
      const b = scratch?.codes[c];
      codes[c] = b !== undefined && b.length >= n ? b.subarray(0, n) : new Int32Array(n);
      if (scratch) scratch.codes[c] = codes[c]!;
    } else if (k !== K_OTHER) {
      const b = scratch?.nums[c];
      // reused buffers hold the previous batch: NULL slots are unspecified, every other slot is written below
      nums[c] = b !== undefined && b.length >= n ? b.subarray(0, n) : new Float64Array(n);
      if (scratch) scratch.nums[c] = nums[c]!;
    }
    [lo[c], hi[c]] = intRange(cols[c]!.type);
    dicts.push([]);
  }
  const maps = dicts.map(() => new Map<string, number>());
  const keys: (string | number)[] = cols.map((_, c) => (byName ? names[c]! : c));
  const nls: (Uint8Array | null)[] = new Array(nc).fill(null);
  if (scratch) {
    for (const d of scratch.dirty) d.fill(0);
    scratch.dirty.length = 0;
    for (let c = 0; c < nc; c++) {
      const b = scratch.nulls[c];
      nls[c] = b !== undefined && b.length >= n ? b.subarray(0, n) : (scratch.nulls[c] = new Uint8Array(n));
    }
  }
  for (let b0 = 0; b0 < n; b0 += FILL_BLOCK) {
    const b1 = Math.min(n, b0 + FILL_BLOCK);
    for (let c = 0; c < nc; c++) {
      const k = kinds[c]!;
      if (k === K_OTHER || slow[c] === 1) continue;
      // each kind through its own small monomorphic loop
      const nl = (nls[c] ??= new Uint8Array(n));
      let ok: number;
      if (k === K_FLOAT) ok = fillFloat(list, start, b0, b1, keys[c]!, nums[c]!, nl);
      else if (k === K_INT) ok = fillInt(list, start, b0, b1, keys[c]!, nums[c]!, nl, lo[c]!, hi[c]!);
      else if (k === K_TSTZ) ok = fillTstz(list, start, b0, b1, keys[c]!, nums[c]!, nl);
      else ok = fillText(list, start, b0, b1, keys[c]!, codes[c]!, nl, dicts[c]!, maps[c]!);
      if (ok === FILL_RANGE) throw outOfRange(cols[c]!.type, rowValue(list[start + fillAt], keys[c]!) as number, names[c]!);
      if (ok === FILL_SLOW) {
        slow[c] = 1;
        scratch?.dirty.push(nl); // may hold NULL marks from rows before the slow value
      } else if (ok === FILL_NULLS && nulls[c] === null) {
        nulls[c] = nl;
        scratch?.dirty.push(nl);
      }
    }
  }
  const vectors: Vector[] = cols.map((col, c) => {
    const k = kinds[c]!;
    if (k === K_OTHER || slow[c] === 1) {
      return columnVector(col.type, n, byName ? (i) => (list[start + i] as Record<string, unknown>)[col.name] : (i) => (list[start + i] as unknown[])[c], ctx, col.name);
    }
    if (k === K_TEXT) return { tag: 'dict', type: col.type, length: n, codes: codes[c]!, dict: dicts[c]!, nulls: nulls[c]! };
    return { tag: 'number', type: col.type, length: n, values: nums[c]!, nulls: nulls[c]! };
  });
  return { length: n, columns: vectors };
}

// ---------------------------------------------------------------------------
// Apache Arrow: read each Data piece's typed arrays directly.

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
export function int64ToDoubles(values: BigInt64Array | BigUint64Array, n: number, signed: boolean, mul = 1, div = 1): Float64Array {
  const w = new Int32Array(values.buffer, values.byteOffset, n * 2);
  const out = new Float64Array(n);
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

function numericToDoubles(d: ArrowDataLike, n: number): Float64Array | null {
  const t = d.type;
  const vals = d.values as unknown;
  if (t.typeId === A_FLOAT) {
    if (vals instanceof Float64Array) return vals.length === n ? vals : vals.subarray(0, n);
    if (vals instanceof Float32Array) return Float64Array.from(vals.subarray(0, n));
    return null; // half floats: generic path
  }
  if (t.typeId === A_INT) {
    if (vals instanceof BigInt64Array || vals instanceof BigUint64Array) return int64ToDoubles(vals, n, vals instanceof BigInt64Array);
    if (vals instanceof Int32Array || vals instanceof Int16Array || vals instanceof Int8Array || vals instanceof Uint32Array || vals instanceof Uint16Array || vals instanceof Uint8Array) {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = vals[i]!;
      return out;
    }
  }
  return null;
}

/** Epoch microseconds of a Timestamp or Date piece, or null for other types. */
function arrowMicros(d: ArrowDataLike, n: number): Float64Array | null {
  const t = d.type;
  const vals = d.values as unknown;
  if (t.typeId === A_TIMESTAMP && (vals instanceof BigInt64Array || vals instanceof BigUint64Array)) {
    switch (t.unit) {
      case 0: return int64ToDoubles(vals, n, true, 1_000_000);
      case 1: return int64ToDoubles(vals, n, true, 1000);
      case 2: return int64ToDoubles(vals, n, true, 1);
      case 3: return int64ToDoubles(vals, n, true, 1, 1000);
      default: return null;
    }
  }
  if (t.typeId === A_DATE) {
    if (t.unit === 0 && vals instanceof Int32Array) {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = vals[i]! * 86_400_000_000;
      return out;
    }
    if (t.unit === 1 && (vals instanceof BigInt64Array || vals instanceof BigUint64Array)) return int64ToDoubles(vals, n, true, 1000);
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

/** One Arrow piece as a vector of the column's type without per-value get(); null when no fast path applies. */
export function arrowPieceVector(type: SqlType, d: ArrowDataLike, colName: string): Vector | null {
  const n = d.length;
  const t = d.type;
  switch (type.id) {
    case 'float8': case 'float4': case 'int2': case 'int4': case 'int8': {
      const values = numericToDoubles(d, n);
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
      const values = arrowMicros(d, n);
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

function arrowBatches(table: TableInfo, rows: ArrowTableLike, ctx: FormatContext, batchRows: number): Batch[] {
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
  const batches: Batch[] = [];
  for (let p = 0; p + 1 < bounds.length; p++) {
    const from = bounds[p]!;
    const len = bounds[p + 1]! - from;
    if (len === 0) continue;
    const vectors = cols.map((c, ci) => {
      const child = children[ci];
      if (!child) return constantVector(c.type, null, len);
      const d = bounds.length > 2 || child.data?.length === 1 ? child.data![p]! : null;
      return (d ? arrowPieceVector(c.type, d, c.name) : null) ?? arrowGenericVector(c.type, child, from, len, ctx, c.name);
    });
    for (let s = 0; s < len; s += batchRows) {
      const e = Math.min(len, s + batchRows);
      batches.push(s === 0 && e === len ? { length: len, columns: vectors } : { length: e - s, columns: vectors.map((v) => sliceVector(v, s, e)) });
    }
  }
  return batches;
}

export function rowsToBatches(table: TableInfo, rows: BulkRows, ctx: FormatContext, batchRows = BULK_BATCH_ROWS): Batch[] {
  const out: Batch[] = [];
  forEachBatch(table, rows, ctx, (b) => out.push(b), batchRows, false);
  return out;
}

/**
 * Convert and hand over batch by batch. With `reuse`, row-array batches share
 * column buffers: `fn` must copy what it keeps before returning (storage does).
 */
/**
 * Rows per batch: large enough that a hypertable's per-chunk parts of one batch
 * usually reach a sealed batch (65,536 rows) and are sealed straight from the
 * gathered arrays instead of being copied through an append buffer.
 */
export const BULK_BATCH_ROWS = 262_144;

export function forEachBatch(table: TableInfo, rows: BulkRows, ctx: FormatContext, fn: (b: Batch) => void, batchRows = BULK_BATCH_ROWS, reuse = true): void {
  const cols = table.columns;
  if (isArrowTable(rows)) {
    for (const b of arrowBatches(table, rows, ctx, batchRows * 4)) fn(b); // views of the Arrow buffers: no per-batch cost
    return;
  }
  const list = rows as readonly unknown[];
  const scratch: RowScratch | null = reuse ? { nums: [], codes: [], nulls: [], dirty: [] } : null;
  const known = new Set(cols.map((c) => c.name));
  for (let start = 0; start < list.length; start += batchRows) {
    const end = Math.min(list.length, start + batchRows);
    const first = list[start];
    const byName = first !== null && typeof first === 'object' && !Array.isArray(first);
    if (byName) {
      for (let i = start; i < end; i++) {
        const r = list[i];
        if (r === null || typeof r !== 'object' || Array.isArray(r)) throw new SqlError(SQLSTATE.datatypeMismatch, 'bulk insert rows must all be arrays or all be objects');
        for (const k in r) {
          if (!known.has(k)) throw new SqlError(SQLSTATE.undefinedColumn, `column "${k}" of relation "${table.name}" does not exist`);
        }
      }
    } else {
      for (let i = start; i < end; i++) {
        const r = list[i] as unknown[];
        if (!Array.isArray(r)) throw new SqlError(SQLSTATE.datatypeMismatch, 'bulk insert rows must all be arrays or all be objects');
        if (r.length > cols.length) throw new SqlError(SQLSTATE.syntaxError, 'INSERT has more expressions than target columns');
      }
    }
    fn(rowBatch(table, list, start, end, byName, ctx, scratch));
  }
}
