/**
 * Encoder of table deltas: what one committed table transaction changed, as the
 * WAL carries it (decoder and replay: table-delta.ts). Little-endian:
 *
 *   header (24 bytes)  u32 magic "STD1", u8 version, u8 flags (1 = truncate first), u16 0,
 *                      u32 columns, u32 rows, u32 delete groups, u32 0
 *   delete group       u32 chunk id, u32 count, u32 chunk positions[count] (ascending)
 *   column (8-aligned) u32 column id, u8 kind, u8 flags (1 = has NULLs), u8 code width, u8 0, then
 *     num   code width 0: f64[rows] (8-aligned)                     [+ NULL bitmap]
 *           code width 1, 2 or 4 (version 2 on): every value a whole number, written as
 *           int8/16/32 (aligned to its width); metrics often are (TSBS's cpu fields fit a byte)
 *           flag 2 (version 3): f64 base (8-aligned), then each value minus the base as an
 *           unsigned integer of the code width: timestamps and ids (whole numbers close together)
 *     bool  u8[rows]                                                [+ NULL bitmap]
 *     dict  u32 distinct, strings (varuint length + UTF-8), codes of `code width` bytes
 *           (aligned to it) into those strings                      [+ NULL bitmap]
 *     str/obj  u32 byte length, then one value-codec value per row
 *   NULL bitmap: (rows + 7) >> 3 bytes, bit i set = row i is NULL.
 *
 * Rows are the txn's live private rows in commit order, with the column ids of
 * the schema at commit time; a column a piece predates is written as its fill.
 *
 * The encoding comes as parts whose concatenation is the delta: a float column
 * without NULLs is a view of each piece's own values, handed to the log's
 * write without being copied (the bulk of a TSBS row is ten floats).
 */
import type { Value } from '../types/values.js';
import type { StringDict } from '../table/dict.js';
import type { Piece } from '../table/layout.js';
import type { Schema } from '../table/schema.js';
import { ByteWriter, type ByteArena } from './bytes.js';
import { writeValue } from './value-codec.js';
import { narrowToInt8, wholeRange, writeOffsets } from './narrow-kernel.js';

export const DELTA_MAGIC = 0x31445453; // "STD1"
/**
 * 2: float columns may be written as narrow integers; 3: or as a base and unsigned offsets from it.
 * Versions 1 (all f64) and 2 are still read.
 */
export const DELTA_VERSION = 3;
export const DELTA_HEADER_BYTES = 24;
export const FLAG_TRUNCATE = 1;
export const COL_HAS_NULLS = 1;
/** a num column written as a base and offsets (version 3) */
export const COL_OFFSETS = 2;

export const KIND_CODES = { num: 0, bool: 1, dict: 2, str: 3, obj: 4 } as const;
export const KIND_BY_CODE = ['num', 'bool', 'dict', 'str', 'obj'] as const;

/** Rows [from, to) of a txn-private piece that are still live at commit. */
export interface LiveRun {
  readonly piece: Piece;
  readonly from: number;
  readonly to: number;
}

export interface TableCommitContents {
  readonly schema: Schema;
  readonly sealRows: number;
  readonly truncated: boolean;
  /** chunk id → batch index → rows deleted (byte per row). */
  readonly deletes: ReadonlyMap<number, ReadonlyMap<number, Uint8Array>>;
  readonly runs: readonly LiveRun[];
  readonly rowCount: number;
}

export function encodeTableDelta(c: TableCommitContents, arena?: ByteArena): Uint8Array[] {
  const n = c.rowCount;
  const cols = c.schema.columns;
  const parts: Uint8Array[] = [];
  // a close first guess: a fresh buffer is zero-filled and faulted in, so 9 bytes/row for every
  // column (the old guess) cost more than the encoding; growth doubles where the guess is short
  let estimate = DELTA_HEADER_BYTES + 64;
  // float columns written as views of the rows' own arrays, found once (the NULL check reads every row)
  const direct = new Map<number, Float64Array[]>();
  for (const col of cols) {
    const kind = c.schema.layout(col.id).kind;
    const views = kind === 'num' ? directFloats(col.id, c.runs, n) : null;
    if (views !== null) direct.set(col.id, views);
    // float columns as views take nothing, narrowed ones 1 to 4 bytes a row and a base: the arena's
    // bytes cost nothing to take, and growing the writer copies what it has written
    if (kind === 'num') estimate += views === null ? 9 * n + 16 : 4 * n + 24;
    else if (kind === 'bool') estimate += 2 * n + 16;
    else if (kind === 'dict') estimate += 2 * n + 1024;
    else estimate += 16 * n + 16;
  }
  const w = new ByteWriter(estimate, arena);
  w.u32(DELTA_MAGIC);
  w.u8(DELTA_VERSION);
  w.u8(c.truncated ? FLAG_TRUNCATE : 0);
  w.u16(0);
  w.u32(cols.length);
  w.u32(n);
  const groupsAt = w.pos;
  w.u32(0);
  w.u32(0);
  if (!c.truncated) {
    let groups = 0;
    for (const [cid, batches] of c.deletes) {
      if (writeDeleteGroup(w, cid, batches, c.sealRows)) groups++;
    }
    w.dataView().setUint32(groupsAt, groups, true);
  }
  for (const col of cols) {
    const l = c.schema.layout(col.id);
    w.align(8);
    w.u32(col.id);
    w.u8(KIND_CODES[l.kind]);
    const flagsAt = w.pos;
    w.u8(0);
    const widthAt = w.pos;
    w.u8(0);
    w.u8(0);
    const fill = c.schema.fill(col.id);
    let hasNulls = false;
    switch (l.kind) {
      case 'num': {
        const views = direct.get(col.id);
        if (views === undefined) {
          hasNulls = writeNum(w, col.id, c.runs, n, fill);
          break;
        }
        const narrow = writeNarrow(w, views, n);
        if (narrow !== 0) {
          w.buf[widthAt] = narrow & 0xff;
          w.buf[flagsAt] = narrow & WRITTEN_AS_OFFSETS ? COL_OFFSETS : 0;
          continue;
        }
        // the views start 8-aligned and are multiples of 8 long, so alignment in the writer stays global
        w.align(8);
        parts.push(w.cutView());
        for (const values of views) parts.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
        continue;
      }
      case 'bool': hasNulls = writeBool(w, col.id, c.runs, n, fill); break;
      case 'dict': hasNulls = writeDict(w, col.id, c.runs, n, fill, widthAt); break;
      default: writeValues(w, col.id, c.runs, fill); break;
    }
    w.buf[flagsAt] = hasNulls ? COL_HAS_NULLS : 0;
  }
  // the delta goes into the log and is dropped: no copy to trim it
  parts.push(w.cutView());
  return parts;
}

/** The float values of column `id`, run by run, when every run has them without NULLs; else null. */
function directFloats(id: number, runs: readonly LiveRun[], n: number): Float64Array[] | null {
  if (n === 0) return null;
  const out: Float64Array[] = [];
  for (const { piece, from, to } of runs) {
    const c = piece.cols.get(id);
    if (c === undefined || c.kind !== 'num') return null;
    if (c.nulls !== null && c.nulls.subarray(from, to).indexOf(1) >= 0) return null;
    out.push(c.values.subarray(from, to));
  }
  return out;
}

/** writeNarrow's answer for a column written as a base and offsets (its low byte is the width) */
const WRITTEN_AS_OFFSETS = 0x100;

/**
 * Writes the column as int8 when every value is a whole number in -128..127 (not -0), else as a base
 * and 1, 2 or 4-byte unsigned offsets when every value is a whole number (not -0, NaN, ±Infinity or
 * a fraction) and they span less than 2^32; returns the width (with WRITTEN_AS_OFFSETS for the
 * latter), 0 when nothing was written (the column stays f64).
 * The common case (small whole numbers) costs one pass: bytes are written while they are checked.
 */
function writeNarrow(w: ByteWriter, views: readonly Float64Array[], n: number): number {
  const start = w.pos;
  const at = w.reserve(n, 1);
  if (narrowToInt8(views, new Int8Array(w.buf.buffer, w.buf.byteOffset + at, n))) return 1;
  w.pos = start;
  const range = wholeRange(views);
  if (range === null) return 0;
  const span = range.max - range.min;
  const width = span <= 0xff ? 1 : span <= 0xffff ? 2 : span <= 0xffffffff ? 4 : 0;
  if (width === 0) return 0;
  w.align(8);
  w.f64(range.min);
  // (reserve may move the writer to a larger buffer: its offset is read after)
  const offsetsPos = w.reserve(n * width, width);
  const offsetsAt = w.buf.byteOffset + offsetsPos;
  const out = width === 1 ? new Uint8Array(w.buf.buffer, offsetsAt, n) : width === 2 ? new Uint16Array(w.buf.buffer, offsetsAt, n) : new Uint32Array(w.buf.buffer, offsetsAt, n);
  writeOffsets(views, range.min, out);
  return width | WRITTEN_AS_OFFSETS;
}

function writeDeleteGroup(w: ByteWriter, cid: number, batches: ReadonlyMap<number, Uint8Array>, sr: number): boolean {
  const at = w.pos;
  w.u32(cid);
  w.u32(0);
  let count = 0;
  for (const b of [...batches.keys()].sort((x, y) => x - y)) {
    const mask = batches.get(b)!;
    const base = b * sr;
    for (let i = 0; i < mask.length; i++) {
      if (mask[i] !== 1) continue;
      w.u32(base + i);
      count++;
    }
  }
  if (count === 0) {
    w.pos = at;
    return false;
  }
  w.dataView().setUint32(at + 4, count, true);
  return true;
}

/** Writes the NULL bitmap of rows flagged in `nulls` (byte per row); nothing when there are none. */
function writeNullBitmap(w: ByteWriter, nulls: Uint8Array | null, n: number): boolean {
  if (nulls === null) return false;
  const at = w.reserve((n + 7) >> 3, 1);
  const bm = w.buf;
  bm.fill(0, at, at + ((n + 7) >> 3));
  for (let i = 0; i < n; i++) if (nulls[i] === 1) bm[at + (i >> 3)]! |= 1 << (i & 7);
  return true;
}

function writeNum(w: ByteWriter, id: number, runs: readonly LiveRun[], n: number, fill: Value): boolean {
  const at = w.reserve(n * 8, 8);
  const out = new Float64Array(w.buf.buffer, w.buf.byteOffset + at, n);
  let nulls: Uint8Array | null = null;
  let k = 0;
  for (const { piece, from, to } of runs) {
    const c = piece.cols.get(id);
    if (c === undefined || c.kind !== 'num') {
      if (fill === null) (nulls ??= new Uint8Array(n)).fill(1, k, k + to - from);
      else out.fill(fill as number, k, k + to - from);
    } else {
      out.set(c.values.subarray(from, to), k);
      if (c.nulls !== null) copyNulls(c.nulls, from, to, k, () => (nulls ??= new Uint8Array(n)));
    }
    k += to - from;
  }
  // slots under NULLs are unspecified: zero them so equal commits give equal deltas
  if (nulls !== null) for (let i = 0; i < n; i++) if (nulls[i] === 1) out[i] = 0;
  return writeNullBitmap(w, nulls, n);
}

function copyNulls(src: Uint8Array, from: number, to: number, at: number, target: () => Uint8Array): void {
  const i = src.subarray(from, to).indexOf(1);
  if (i < 0) return;
  target().set(src.subarray(from, to), at);
}

function writeBool(w: ByteWriter, id: number, runs: readonly LiveRun[], n: number, fill: Value): boolean {
  const at = w.reserve(n, 1);
  const out = w.buf.subarray(at, at + n);
  let nulls: Uint8Array | null = null;
  let k = 0;
  for (const { piece, from, to } of runs) {
    const c = piece.cols.get(id);
    if (c === undefined || c.kind !== 'bool') {
      if (fill === null) (nulls ??= new Uint8Array(n)).fill(1, k, k + to - from);
      else out.fill(fill ? 1 : 0, k, k + to - from);
    } else {
      out.set(c.values.subarray(from, to), k);
      if (c.nulls !== null) copyNulls(c.nulls, from, to, k, () => (nulls ??= new Uint8Array(n)));
    }
    k += to - from;
  }
  return writeNullBitmap(w, nulls, n);
}

/** Codes of one source dictionary translated into the delta's distinct strings. */
class DistinctStrings {
  readonly strings: string[] = [];
  private readonly index = new Map<string, number>();
  private readonly remaps = new Map<StringDict, Int32Array | Map<number, number>>();

  code(s: string): number {
    let c = this.index.get(s);
    if (c === undefined) {
      c = this.strings.length;
      this.strings.push(s);
      this.index.set(s, c);
    }
    return c;
  }

  /** A code table for `dict`: dense when the dictionary is not much larger than the rows taken from it. */
  remap(dict: StringDict, rows: number): Int32Array | Map<number, number> {
    let m = this.remaps.get(dict);
    if (m === undefined || (m instanceof Int32Array && m.length < dict.size)) {
      m = dict.size <= 4 * rows + 1024 ? new Int32Array(dict.size).fill(-1) : new Map<number, number>();
      this.remaps.set(dict, m);
    }
    return m;
  }
}

/** larger deltas (a whole COPY's, when it could not log ahead) get their own arrays, not kept */
const CODE_SCRATCH_MAX = 1 << 20;

/**
 * An Int32Array reused across columns and deltas: a fresh array per text column and commit is
 * garbage V8 collects by full GCs (external memory), a tenth of the in-memory insert's time at
 * bulk-load rates. New arrays are filled with `initial`; a caller that needs it everywhere
 * between uses restores what it changed.
 */
class IntScratch {
  private arr = new Int32Array(0);

  constructor(private readonly initial: number) {}

  /** At least `n` entries (entries past what earlier callers used hold `initial`). */
  take(n: number): Int32Array {
    if (n > CODE_SCRATCH_MAX) return new Int32Array(n).fill(this.initial);
    if (this.arr.length < n) this.arr = new Int32Array(Math.min(CODE_SCRATCH_MAX, Math.max(n, this.arr.length * 2))).fill(this.initial);
    return this.arr;
  }
}

/** Codes of the column being encoded, before their width is known. */
const codeScratch = new IntScratch(0);

/** The one dictionary every run of column `id` codes into, or null (several, or rows without the column). */
function singleDict(id: number, runs: readonly LiveRun[]): StringDict | null {
  let dict: StringDict | null = null;
  for (const { piece } of runs) {
    const c = piece.cols.get(id);
    if (c === undefined || c.kind !== 'dict' || (dict !== null && c.dict !== dict)) return null;
    dict = c.dict;
  }
  return dict;
}

/** Source codes in order of first use, and source code → delta code (-1: not used yet), for writeDictSingle. */
const orderScratch = new IntScratch(0);
const localScratch = new IntScratch(-1);

function writeDict(w: ByteWriter, id: number, runs: readonly LiveRun[], n: number, fill: Value, widthAt: number): boolean {
  const single = singleDict(id, runs);
  // the usual case (rows of one chunk's dictionary): codes renumbered through a dense table, no string lookups
  if (single !== null && single.size <= 4 * n + 1024) {
    if (single.size <= n >> 3 && single.size <= 0x10000 && !anyNulls(id, runs)) return writeDictWhole(w, id, runs, n, single, widthAt);
    return writeDictSingle(w, id, runs, n, single, widthAt);
  }
  const distinct = new DistinctStrings();
  const codes = codeScratch.take(n);
  let nulls: Uint8Array | null = null;
  let k = 0;
  for (const { piece, from, to } of runs) {
    const c = piece.cols.get(id);
    if (c === undefined || c.kind !== 'dict') {
      if (fill === null) {
        (nulls ??= new Uint8Array(n)).fill(1, k, k + to - from);
        codes.fill(0, k, k + to - from);
      } else codes.fill(distinct.code(String(fill)), k, k + to - from);
      k += to - from;
      continue;
    }
    const src = c.codes;
    const sn = c.nulls;
    const values = c.dict.values;
    const m = distinct.remap(c.dict, to - from);
    if (m instanceof Int32Array) {
      for (let i = from; i < to; i++, k++) {
        if (sn !== null && sn[i] === 1) {
          (nulls ??= new Uint8Array(n))[k] = 1;
          codes[k] = 0;
          continue;
        }
        const sc = src[i]!;
        let dc = m[sc]!;
        if (dc < 0) dc = m[sc] = distinct.code(values[sc]!);
        codes[k] = dc;
      }
    } else {
      for (let i = from; i < to; i++, k++) {
        if (sn !== null && sn[i] === 1) {
          (nulls ??= new Uint8Array(n))[k] = 1;
          codes[k] = 0;
          continue;
        }
        const sc = src[i]!;
        let dc = m.get(sc);
        if (dc === undefined) m.set(sc, (dc = distinct.code(values[sc]!)));
        codes[k] = dc;
      }
    }
  }
  const strings = distinct.strings;
  w.u32(strings.length);
  for (const s of strings) w.string(s);
  return writeCodes(w, codes, n, strings.length, widthAt, nulls);
}

function writeDictSingle(w: ByteWriter, id: number, runs: readonly LiveRun[], n: number, dict: StringDict, widthAt: number): boolean {
  const codes = codeScratch.take(n);
  const size = dict.size;
  const order = orderScratch.take(size);
  // -1 everywhere between calls: the entries used are reset below
  const local = localScratch.take(size);
  let distinct = 0;
  let nulls: Uint8Array | null = null;
  let k = 0;
  for (const { piece, from, to } of runs) {
    const c = piece.cols.get(id)!;
    if (c.kind !== 'dict') throw new Error('writeDictSingle: not a dictionary column');
    const src = c.codes;
    const sn = c.nulls;
    for (let i = from; i < to; i++, k++) {
      if (sn !== null && sn[i] === 1) {
        (nulls ??= new Uint8Array(n))[k] = 1;
        // the scratch holds an earlier column's codes: a NULL's code is written as 0, as before
        codes[k] = 0;
        continue;
      }
      const sc = src[i]!;
      let dc = local[sc]!;
      if (dc < 0) {
        dc = local[sc] = distinct;
        order[distinct++] = sc;
      }
      codes[k] = dc;
    }
  }
  // rows using most of the dictionary (a 1,000-row INSERT of TSBS rows uses nearly all of a chunk's
  // host names): the whole dictionary, copied from its encoding, costs less than writing each string
  if (nulls === null && 2 * distinct >= size && size <= 0x10000) {
    for (let d = 0; d < distinct; d++) local[order[d]!] = -1;
    return writeDictWhole(w, id, runs, n, dict, widthAt);
  }
  const values = dict.values;
  w.u32(distinct);
  for (let d = 0; d < distinct; d++) {
    const sc = order[d]!;
    local[sc] = -1;
    w.string(values[sc]!);
  }
  return writeCodes(w, codes, n, distinct, widthAt, nulls);
}

/** Whether a row of `runs` is NULL in dictionary column `id`. */
function anyNulls(id: number, runs: readonly LiveRun[]): boolean {
  for (const { piece, from, to } of runs) {
    const c = piece.cols.get(id);
    if (c !== undefined && c.kind === 'dict' && c.nulls !== null && c.nulls.subarray(from, to).includes(1)) return true;
  }
  return false;
}

/** A dictionary's strings as writeDictWhole writes them, encoded once: dictionaries only grow. */
const encodedDicts = new WeakMap<StringDict, { count: number; writer: ByteWriter }>();

function encodedStrings(dict: StringDict): Uint8Array {
  let e = encodedDicts.get(dict);
  if (e === undefined) encodedDicts.set(dict, (e = { count: 0, writer: new ByteWriter(1024) }));
  const values = dict.values;
  for (; e.count < values.length; e.count++) e.writer.string(values[e.count]!);
  return e.writer.buf.subarray(0, e.writer.pos);
}

/**
 * A column whose rows all code into one dictionary much smaller than the delta: the whole dictionary
 * and the codes as they are, converted to their width natively. Renumbering the codes to the ones
 * used (writeDictSingle) was a JavaScript loop per row, 5 ns a TSBS row in a durable bulk load; a
 * few hundred strings more per delta cost less, and replay interns only the strings rows use.
 */
function writeDictWhole(w: ByteWriter, id: number, runs: readonly LiveRun[], n: number, dict: StringDict, widthAt: number): boolean {
  const size = dict.size;
  w.u32(size);
  w.bytes(encodedStrings(dict));
  const width = size <= 0x100 ? 1 : size <= 0x10000 ? 2 : 4;
  w.buf[widthAt] = width;
  const at = w.reserve(n * width, width);
  const out = width === 1 ? w.buf.subarray(at, at + n) : width === 2 ? new Uint16Array(w.buf.buffer, w.buf.byteOffset + at, n) : new Int32Array(w.buf.buffer, w.buf.byteOffset + at, n);
  let k = 0;
  for (const { piece, from, to } of runs) {
    const c = piece.cols.get(id)!;
    if (c.kind !== 'dict') throw new Error('writeDictWhole: not a dictionary column');
    // (Uint8Array and Uint16Array.set keep each code's low bytes: every code is below the dictionary's size)
    out.set(c.codes.subarray(from, to), k);
    k += to - from;
  }
  return writeNullBitmap(w, null, n);
}

/** The codes (narrowest width that holds `distinct`), then the NULL bitmap. */
function writeCodes(w: ByteWriter, codes: Int32Array, n: number, distinct: number, widthAt: number, nulls: Uint8Array | null): boolean {
  const width = distinct <= 0x100 ? 1 : distinct <= 0x10000 ? 2 : 4;
  w.buf[widthAt] = width;
  const at = w.reserve(n * width, width);
  const used = codes.subarray(0, n);
  if (width === 1) w.buf.set(used, at); // (Uint8Array.set truncates each code to its low byte)
  else if (width === 2) new Uint16Array(w.buf.buffer, w.buf.byteOffset + at, n).set(used);
  else new Int32Array(w.buf.buffer, w.buf.byteOffset + at, n).set(used);
  return writeNullBitmap(w, nulls, n);
}

function writeValues(w: ByteWriter, id: number, runs: readonly LiveRun[], fill: Value): void {
  const lenAt = w.pos;
  w.u32(0);
  const start = w.pos;
  for (const { piece, from, to } of runs) {
    const c = piece.cols.get(id);
    if (c === undefined || (c.kind !== 'str' && c.kind !== 'obj')) {
      for (let i = from; i < to; i++) writeValue(w, fill);
      continue;
    }
    const v = c.values;
    for (let i = from; i < to; i++) writeValue(w, v[i] ?? null);
  }
  w.dataView().setUint32(lenAt, w.pos - start, true);
}
