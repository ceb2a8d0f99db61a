/**
 * An immutable batch of rows in Arrow form, and its conversion back to the
 * layouts of vector.ts. Typed arrays are read directly (never Vector.get); int64
 * and timestamps go through an Int32 view so no per-row BigInt is created.
 */
import {
  Bool, DateDay, Dictionary, Field, Float64, Int16, Int32, Int64, makeData, RecordBatch, Schema, Struct,
  TimeMicrosecond, TimestampMicrosecond, Uint32, Utf8, type Data, type DataType,
} from 'apache-arrow';
import type { Value } from '../types/values.js';
import type { Vector } from '../vector.js';
import { codecFor } from './codecs.js';
import type { StringDict } from './dict.js';
import { utf8Data } from './dict.js';
import type { ColData, ColumnLayout, NumArrow } from './layout.js';
import { BatchStatsImpl, type ColumnStats } from './stats.js';
import { postingsOf } from './postings.js';

const TWO32 = 4294967296;
const I32_MAX = 2147483647;
const I32_MIN = -2147483648;
const decoder = new TextDecoder();

/** Dictionary ids of Arrow Dictionary types must be unique per schema; the column id serves. */
function arrowType(l: ColumnLayout): DataType {
  switch (l.kind) {
    case 'num':
      switch (l.arrow!) {
        case 'f64': return new Float64();
        case 'i16': return new Int16();
        case 'i32': return new Int32();
        case 'u32': return new Uint32();
        case 'i64': return new Int64();
        case 'date': return new DateDay();
        case 'time': return new TimeMicrosecond();
        case 'ts': return new TimestampMicrosecond(l.type.id === 'timestamptz' ? 'UTC' : null);
      }
      break;
    case 'bool': return new Bool();
    case 'dict': return new Dictionary(new Utf8(), new Int32(), l.id, false);
    default: return new Utf8();
  }
  throw new Error('unreachable');
}

/** Arrow validity bitmap of a 0/1 null mask (no bitmap when nothing is null). */
export function validityOf(nulls: Uint8Array | null, n: number): { nullCount: number; nullBitmap?: Uint8Array } {
  if (nulls === null) return { nullCount: 0 };
  let count = 0;
  const bm = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) {
    if (nulls[i] === 1) count++;
    else bm[i >> 3]! |= 1 << (i & 7);
  }
  return count === 0 ? { nullCount: 0 } : { nullCount: count, nullBitmap: bm };
}

function validityOfValues(values: readonly Value[], n: number): { nullCount: number; nullBitmap?: Uint8Array } {
  let count = 0;
  const bm = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) {
    if (values[i] === null || values[i] === undefined) count++;
    else bm[i >> 3]! |= 1 << (i & 7);
  }
  return count === 0 ? { nullCount: 0 } : { nullCount: count, nullBitmap: bm };
}

function encodeNumbers(kind: NumArrow, src: Float64Array, n: number, own: boolean): ArrayBufferView {
  switch (kind) {
    case 'f64':
      return own && src.length === n ? src : src.slice(0, n);
    case 'i16': {
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = src[i]!;
      return out;
    }
    case 'i32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = src[i]!;
      return out;
    }
    case 'u32': {
      const out = new Uint32Array(n);
      for (let i = 0; i < n; i++) out[i] = src[i]!;
      return out;
    }
    case 'date': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const x = src[i]!;
        out[i] = x === Infinity ? I32_MAX : x === -Infinity ? I32_MIN : x;
      }
      return out;
    }
    default: {
      // int8 / time / timestamp: PostgreSQL's INT64_MAX / INT64_MIN encode ±infinity.
      const out = new BigInt64Array(n);
      const w = new Int32Array(out.buffer, out.byteOffset, n * 2);
      for (let i = 0; i < n; i++) {
        const x = src[i]!;
        if (x === Infinity) {
          w[2 * i] = -1;
          w[2 * i + 1] = I32_MAX;
        } else if (x === -Infinity) {
          w[2 * i + 1] = I32_MIN;
        } else {
          const hi = Math.floor(x / TWO32);
          w[2 * i] = (x - hi * TWO32) | 0;
          w[2 * i + 1] = hi;
        }
      }
      return out;
    }
  }
}

// One function per source array type keeps each loop monomorphic.
function decodeI32(v: Int32Array | Int16Array | Uint32Array, from: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = v[from + i]!;
  return out;
}

/** A stored date: PostgreSQL's INT32_MAX / INT32_MIN are ±infinity. */
function dateValue(x: number): number {
  return x === I32_MAX ? Infinity : x === I32_MIN ? -Infinity : x;
}

/** A stored int64 from its two Int32 halves: PostgreSQL's INT64_MAX / INT64_MIN are ±infinity. */
function int64Value(hi: number, lo: number): number {
  if (hi === I32_MAX && lo === -1) return Infinity;
  if (hi === I32_MIN && lo === 0) return -Infinity;
  return hi * TWO32 + (lo >>> 0);
}

function decodeDate(v: Int32Array, from: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = dateValue(v[from + i]!);
  return out;
}

function decodeI64(b: BigInt64Array, from: number, n: number): Float64Array {
  const w = new Int32Array(b.buffer, b.byteOffset + from * 8, n * 2);
  const out = new Float64Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 2) {
    const hi = w[j + 1]!;
    // only values near ±2^63 (the infinities among them) have these high words: the common case stays one multiply-add
    out[i] = hi === I32_MAX || hi === I32_MIN ? int64Value(hi, w[j]!) : hi * TWO32 + (w[j]! >>> 0);
  }
  return out;
}

function decodeNumbers(kind: NumArrow, values: ArrayBufferView, from: number, to: number): Float64Array {
  const n = to - from;
  switch (kind) {
    case 'f64': return (values as Float64Array).subarray(from, to);
    case 'i16': return decodeI32(values as Int16Array, from, n);
    case 'i32': return decodeI32(values as Int32Array, from, n);
    case 'u32': return decodeI32(values as Uint32Array, from, n);
    case 'date': return decodeDate(values as Int32Array, from, n);
    default: return decodeI64(values as BigInt64Array, from, n);
  }
}

/**
 * Decoded (Float64) forms of non-float number columns, most recently used last.
 * Time-series queries touch the time column on every scan, and decoding int64
 * costs far more than the zero-copy float path; the budget bounds the memory.
 */
const decoded = new Map<Data, Float64Array>();
let decodedBytes = 0;
let decodedBudget = 256 * 1024 * 1024;

/** Bytes of decoded int/timestamp columns kept for repeated scans (0 disables the cache). */
export function setDecodeCacheBytes(bytes: number): void {
  decodedBudget = Math.max(0, bytes);
  evict();
}

/** Entries and bytes of the decoded-column cache now. */
export function decodeCacheUsage(): { entries: number; bytes: number } {
  return { entries: decoded.size, bytes: decodedBytes };
}

function evict(): void {
  for (const [k, v] of decoded) {
    if (decodedBytes <= decodedBudget) break;
    decoded.delete(k);
    decodedBytes -= v.byteLength;
  }
}

function decodeCached(kind: NumArrow, d: Data, from: number, to: number): Float64Array {
  // float8 is read in place (nothing to cache: an entry would only push decoded columns out);
  // point reads and small budgets decode just the rows asked for.
  if (kind === 'f64' || to - from < 4096 || decodedBudget < d.length * 8) return decodeNumbers(kind, d.values, from, to);
  let all = decoded.get(d);
  if (all === undefined) {
    all = decodeNumbers(kind, d.values, 0, d.length);
    decoded.set(d, all);
    decodedBytes += all.byteLength;
    evict();
  } else {
    decoded.delete(d);
    decoded.set(d, all);
  }
  return all.subarray(from, to);
}

function nullBytes(bm: Uint8Array, from: number, to: number): Uint8Array {
  const out = new Uint8Array(to - from);
  for (let i = from; i < to; i++) out[i - from] = ((bm[i >> 3]! >> (i & 7)) & 1) ^ 1;
  return out;
}

/** The column data of a sealed batch: Arrow Data per column, and JS values for codec-less object columns. */
interface SealedColumns {
  /** Arrow form of every column that has one (codec-less object columns are in `jsCols` only). */
  readonly record: RecordBatch;
  readonly data: ReadonlyMap<number, Data>;
  readonly jsCols: ReadonlyMap<number, Value[]>;
}

export class SealedBatch {
  /** null until a lazily restored batch is first read (see lazy()) */
  private cols: SealedColumns | null;
  private loader: (() => SealedBatch) | null = null;

  private constructor(
    readonly length: number,
    readonly layouts: ReadonlyMap<number, ColumnLayout>,
    readonly stats: BatchStatsImpl,
    cols: SealedColumns | null,
    readonly bytes: number,
  ) {
    this.cols = cols;
  }

  private static withColumns(
    length: number, layouts: ReadonlyMap<number, ColumnLayout>, stats: BatchStatsImpl, fields: Field[], children: Data[], ids: number[],
    jsCols: Map<number, Value[]>, bytes: number,
  ): SealedBatch {
    const data = new Map<number, Data>();
    for (let i = 0; i < ids.length; i++) data.set(ids[i]!, children[i]!);
    const record = new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length, nullCount: 0, children }));
    return new SealedBatch(length, layouts, stats, { record, data, jsCols }, bytes);
  }

  /**
   * A batch whose column data is read on first use (a restart loads a checkpoint's batch files
   * lazily): its layouts, statistics and size are known up front, so chunk exclusion and size
   * reports need no file. `load` builds the batch (XX001 naming the file if it cannot); a failed
   * load is retried, and fails the same way, on the next read.
   */
  static lazy(length: number, layouts: readonly ColumnLayout[], stats: BatchStatsImpl, bytes: number, load: () => SealedBatch): SealedBatch {
    const b = new SealedBatch(length, new Map(layouts.map((l) => [l.id, l])), stats, null, bytes);
    b.loader = load;
    return b;
  }

  /** Whether the column data is in memory (false: a lazily restored batch not read yet). */
  get loaded(): boolean {
    return this.cols !== null;
  }

  private columns(): SealedColumns {
    if (this.cols === null) {
      const full = this.loader!();
      if (full.length !== this.length) throw new Error(`sealed batch: loaded ${full.length} rows, expected ${this.length}`);
      this.cols = full.columns();
      this.loader = null;
    }
    return this.cols;
  }

  /** Arrow form of every column that has one (codec-less object columns are readable through read() only). */
  get record(): RecordBatch {
    return this.columns().record;
  }

  /**
   * Build from rows [0, n) of column data already in chunk-dictionary space.
   * `own` lets float columns be adopted without a copy (the source is retired).
   */
  static build(
    layouts: readonly ColumnLayout[], cols: ReadonlyMap<number, ColData>, n: number,
    dicts: (id: number) => StringDict, colStats: ReadonlyMap<number, ColumnStats>, own: boolean,
  ): SealedBatch {
    const fields: Field[] = [];
    const children: Data[] = [];
    const ids: number[] = [];
    const js = new Map<number, Value[]>();
    const layoutMap = new Map<number, ColumnLayout>();
    let bytes = 0;
    for (const l of layouts) {
      const c = cols.get(l.id);
      if (c === undefined) throw new Error(`sealed batch: no data for column ${l.id}`);
      layoutMap.set(l.id, l);
      const type = arrowType(l);
      let d: Data;
      if (c.kind === 'num') {
        const v = validityOf(c.nulls, n);
        const values = encodeNumbers(l.arrow!, c.values, n, own);
        d = makeData({ type: type as never, length: n, ...v, data: values as never });
        bytes += values.byteLength + (v.nullBitmap?.byteLength ?? 0);
      } else if (c.kind === 'bool') {
        const v = validityOf(c.nulls, n);
        const bits = new Uint8Array((n + 7) >> 3);
        for (let i = 0; i < n; i++) if (c.values[i] === 1) bits[i >> 3]! |= 1 << (i & 7);
        d = makeData({ type: type as Bool, length: n, ...v, data: bits });
        bytes += bits.byteLength + (v.nullBitmap?.byteLength ?? 0);
      } else if (c.kind === 'dict') {
        const v = validityOf(c.nulls, n);
        const codes = own && c.codes.length === n ? c.codes : c.codes.slice(0, n);
        d = makeData({ type: type as never, length: n, ...v, data: codes, dictionary: dicts(l.id).arrow() as never });
        bytes += codes.byteLength + (v.nullBitmap?.byteLength ?? 0);
      } else {
        const codec = c.kind === 'obj' ? codecFor(l.type) : null;
        if (c.kind === 'obj' && codec === null) {
          const vals = c.values.length === n ? c.values : c.values.slice(0, n);
          js.set(l.id, vals);
          bytes += n * 8 + n * 48;
          continue;
        }
        const strs = new Array<string>(n);
        for (let i = 0; i < n; i++) {
          const x = c.values[i];
          strs[i] = x === null || x === undefined ? '' : codec ? codec.encode(x) : (x as string);
        }
        const u = utf8Data(strs, 0, n);
        const v = validityOfValues(c.values, n);
        d = makeData({ type: type as Utf8, length: n, ...v, valueOffsets: u.valueOffsets, data: u.values });
        bytes += u.values.byteLength + u.valueOffsets.byteLength + (v.nullBitmap?.byteLength ?? 0);
      }
      fields.push(new Field(`c${l.id}`, type, true));
      children.push(d);
      ids.push(l.id);
    }
    return SealedBatch.withColumns(n, layoutMap, new BatchStatsImpl(n, bytes, colStats), fields, children, ids, js, bytes);
  }

  has(id: number): boolean {
    // every layout of a batch has Arrow data or JS values
    return this.layouts.has(id);
  }

  /** Rows [from, to) of a column; undefined when the batch predates the column. */
  read(id: number, from: number, to: number, dict: StringDict | null): Vector | undefined {
    const l = this.layouts.get(id);
    if (l === undefined) return undefined;
    const type = l.type;
    const length = to - from;
    const { jsCols, data } = this.columns();
    const js = jsCols.get(id);
    if (js !== undefined) return { tag: 'object', type, length, values: js.slice(from, to) };
    const d = data.get(id)!;
    const nulls = d.nullCount > 0 && d.nullBitmap ? nullBytes(d.nullBitmap, from, to) : null;
    switch (l.kind) {
      case 'num':
        return { tag: 'number', type, length, values: decodeCached(l.arrow!, d, from, to), nulls };
      case 'bool': {
        const bits = d.values as Uint8Array;
        const values = new Uint8Array(length);
        for (let i = from; i < to; i++) values[i - from] = (bits[i >> 3]! >> (i & 7)) & 1;
        return { tag: 'bool', type, length, values, nulls };
      }
      case 'dict':
        return { tag: 'dict', type, length, codes: (d.values as Int32Array).subarray(from, to), dict: dict!.snapshot(), nulls };
      default: {
        const codec = l.kind === 'obj' ? codecFor(type) : null;
        const offs = d.valueOffsets as Int32Array;
        const bytes = d.values as Uint8Array;
        const values = new Array<Value>(length);
        for (let i = from; i < to; i++) {
          if (nulls !== null && nulls[i - from] === 1) {
            values[i - from] = null;
            continue;
          }
          const s = decoder.decode(bytes.subarray(offs[i]!, offs[i + 1]!));
          values[i - from] = codec ? codec.decode(s) : s;
        }
        return { tag: 'object', type, length, values };
      }
    }
  }

  /**
   * Rows `rows` (increasing) of a numeric column stored as integers, decoded one by one; undefined
   * for any other column (the caller reads the span and takes the rows). A few rows of a batch — one
   * host's among a thousand — then do not decode the whole column (a decoded column is cached, but a
   * batch read once for a random hour gains nothing from the cache).
   */
  readSelectedNumbers(id: number, rows: Int32Array): Vector | undefined {
    const l = this.layouts.get(id);
    if (l === undefined || l.kind !== 'num' || l.arrow === null || l.arrow === 'f64') return undefined;
    const { jsCols, data } = this.columns();
    if (jsCols.has(id)) return undefined;
    const d = data.get(id)!;
    const n = rows.length;
    const values = new Float64Array(n);
    const kind = l.arrow;
    if (kind === 'date') {
      const v = d.values as Int32Array;
      for (let i = 0; i < n; i++) values[i] = dateValue(v[rows[i]!]!);
    } else if (kind === 'i16' || kind === 'i32' || kind === 'u32') {
      const v = d.values as Int16Array | Int32Array | Uint32Array;
      for (let i = 0; i < n; i++) values[i] = v[rows[i]!]!;
    } else {
      const b = d.values as BigInt64Array;
      const w = new Int32Array(b.buffer, b.byteOffset, b.length * 2);
      for (let i = 0; i < n; i++) values[i] = int64Value(w[rows[i]! * 2 + 1]!, w[rows[i]! * 2]!);
    }
    let nulls: Uint8Array | null = null;
    if (d.nullCount > 0 && d.nullBitmap) {
      const bm = d.nullBitmap;
      nulls = new Uint8Array(n);
      for (let i = 0; i < n; i++) nulls[i] = ((bm[rows[i]! >> 3]! >> (rows[i]! & 7)) & 1) ^ 1;
    }
    return { tag: 'number', type: l.type, length: n, values, nulls };
  }

  /**
   * Rows whose dictionary column `id` holds one of `codes` (chunk-dictionary codes), increasing,
   * from the batch's posting lists; undefined when the column is not dictionary-coded here.
   */
  rowsWithCodes(id: number, codes: readonly number[]): Int32Array | undefined {
    const l = this.layouts.get(id);
    if (l === undefined || l.kind !== 'dict') return undefined;
    const d = this.columns().data.get(id);
    if (d === undefined) return undefined;
    const bm = d.nullCount > 0 && d.nullBitmap ? d.nullBitmap : null;
    const isNull = bm === null ? null : (i: number) => ((bm[i >> 3]! >> (i & 7)) & 1) === 0;
    return postingsOf(d, (d.values as Int32Array).subarray(0, this.length), isNull).rowsOf(codes);
  }

  /** One value (unique-key checks and messages; not for bulk paths). */
  value(id: number, row: number, dict: StringDict | null): Value {
    const v = this.read(id, row, row + 1, dict);
    if (v === undefined) return undefined as never;
    switch (v.tag) {
      case 'number': return v.nulls && v.nulls[0] === 1 ? null : v.values[0]!;
      case 'bool': return v.nulls && v.nulls[0] === 1 ? null : v.values[0] === 1;
      case 'dict': return v.nulls && v.nulls[0] === 1 ? null : v.dict[v.codes[0]!]!;
      case 'object': return v.values[0] ?? null;
    }
  }
}
