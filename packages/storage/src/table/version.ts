/**
 * Immutable snapshots of a table. A version is a schema plus, per chunk, how
 * many sealed batches and buffered rows it sees and copy-on-write deletion
 * bitmaps; a txn's view adds its private rows. Row ids are doubles:
 *   committed row: chunkId * 2^32 + batch * sealRows + offset (stable across sealing)
 *   txn-private row: -(position + 1)
 */
import type { Value } from '../types/values.js';
import type { Batch, Vector } from '../vector.js';
import { constantVector, getValue, takeVector, vectorFromValues } from '../vector.js';
import type { AppendBuffer } from './append-buffer.js';
import type { Chunk } from './chunk.js';
import type { StringDict } from './dict.js';
import type { ColumnLayout, Piece } from './layout.js';
import { vectorFromColData } from './layout.js';
import type { ColumnSpec, Schema } from './schema.js';
import type { BatchStats, ColumnStats } from './stats.js';
import { BatchStatsImpl, computeColStats, mergeBatchStats } from './stats.js';
import type { Key, UniqueIndex } from './unique-index.js';
import { keyOfValues } from './unique-index.js';
import { postingsEnabled } from './postings.js';

export const ROWID_CHUNK = 2 ** 32;

export interface ScanOptions {
  /** Also return the row id of every row. */
  readonly withRowIds?: boolean;
  /** Upper bound on rows per ScanBatch (default: one sealed batch). */
  readonly batchRows?: number;
  /** Batch exclusion: return true to skip a batch (stats cover deleted rows too). */
  readonly skip?: (stats: BatchStats) => boolean;
  /** Chunk exclusion, before any of its batches is looked at. */
  readonly skipChunk?: (chunk: ChunkView) => boolean;
  /**
   * Only rows whose dictionary (text) column `columnId` equals one of `values` are wanted:
   * sealed batches answer from their posting lists instead of returning every row. Rows
   * of segments that cannot be restricted this way are all returned, so callers still
   * apply their filter.
   */
  readonly equalsAny?: EqualsAny;
}

export interface EqualsAny {
  readonly columnId: number;
  readonly values: readonly string[];
}

export interface ScanBatch {
  /** Live rows only; one vector per requested column id, in request order. */
  readonly batch: Batch;
  readonly rowIds?: Float64Array;
  /** Chunk the rows come from (-1: the txn's own uncommitted rows); dictionaries are per chunk. */
  readonly chunkId: number;
}

export interface ChunkView {
  readonly id: number;
  /** Live rows. */
  readonly rowCount: number;
  /** Stored rows, deleted ones included. */
  readonly storedRows: number;
  /** Merged over all its batches. */
  readonly stats: BatchStats;
  /** Per-batch stats (sealed batches, then the visible buffer prefix when non-empty). */
  batchStats(): BatchStats[];
  bytes(): number;
  scan(columnIds: readonly number[], opts?: ScanOptions): Iterable<ScanBatch>;
}

export interface TableVersion {
  readonly columns: readonly ColumnSpec[];
  readonly rowCount: number;
  readonly chunks: readonly ChunkView[];
  scan(columnIds: readonly number[], opts?: ScanOptions): Iterable<ScanBatch>;
  /** Row id of the live row holding `key` under unique constraint `keyName`, or null. */
  lookupUnique(keyName: string, key: readonly Value[]): number | null;
  /** Whether a row id names a live row of this version. */
  isLive(rowId: number): boolean;
  /** Values of live rows by id (point lookups; not for bulk reads). Dead ids are skipped. */
  fetch(rowIds: ArrayLike<number>, columnIds: readonly number[]): Batch;
  bytes(): number;
}

/** One chunk as a version sees it. Mutable only while a txn owns a private clone. */
export class ChunkSnap {
  constructor(
    readonly chunk: Chunk,
    readonly nBatches: number,
    readonly buffer: AppendBuffer,
    readonly bufferLen: number,
    readonly bufferStats: ReadonlyMap<number, ColumnStats>,
    /** Deletion byte maps by batch index (nBatches = the buffer); shorter than the batch = rest live. */
    public deletes: (Uint8Array | null)[],
    public deletedCount: number,
  ) {}

  /** The chunk's current state, keeping the deletions of `prev` (an earlier snap of the same chunk). */
  static capture(chunk: Chunk, prev: ChunkSnap | null): ChunkSnap {
    const n = chunk.batches.length;
    const deletes = prev ? prev.deletes.slice() : [];
    while (deletes.length < n + 1) deletes.push(null);
    return new ChunkSnap(chunk, n, chunk.buffer, chunk.buffer.length, chunk.buffer.stats, deletes, prev ? prev.deletedCount : 0);
  }

  clone(): ChunkSnap {
    return new ChunkSnap(this.chunk, this.nBatches, this.buffer, this.bufferLen, this.bufferStats, this.deletes.slice(), this.deletedCount);
  }

  get storedRows(): number {
    return this.nBatches * this.chunk.sealRows + this.bufferLen;
  }

  get liveRows(): number {
    return this.storedRows - this.deletedCount;
  }

  /** Whether chunk position `pos` is visible and not deleted. */
  isLive(pos: number): boolean {
    if (pos < 0 || pos >= this.storedRows || pos !== Math.floor(pos)) return false;
    const sr = this.chunk.sealRows;
    const b = Math.floor(pos / sr);
    const off = pos - b * sr;
    const d = this.deletes[b];
    return !(d && off < d.length && d[off] === 1);
  }

  segLen(b: number): number {
    return b < this.nBatches ? this.chunk.sealRows : this.bufferLen;
  }

  read(b: number, l: ColumnLayout, from: number, to: number, fill: Value): Vector {
    const dict = l.kind === 'dict' ? this.chunk.dictOf(l.id) : null;
    const v = b < this.nBatches ? this.chunk.batches[b]!.read(l.id, from, to, dict) : this.buffer.read(l.id, from, to);
    return v ?? fillVector(l, fill, to - from, dict);
  }

  /** Rows `rows` of a sealed batch's integer-stored numeric column, decoded one by one; undefined when that does not apply. */
  readSelectedNumbers(b: number, l: ColumnLayout, rows: Int32Array): Vector | undefined {
    return b < this.nBatches ? this.chunk.batches[b]!.readSelectedNumbers(l.id, rows) : undefined;
  }
}

/** A txn's uncommitted rows, frozen at the moment a view was taken. */
export class PrivateSegment {
  constructor(
    readonly pieces: readonly Piece[],
    readonly starts: readonly number[],
    readonly length: number,
    readonly deleted: Uint8Array | null,
    readonly deletedCount: number,
  ) {}

  isLive(pos: number): boolean {
    return pos >= 0 && pos < this.length && pos === Math.floor(pos) && !(this.deleted !== null && this.deleted[pos] === 1);
  }

  /** [piece index, offset] of a position. */
  locate(pos: number): [number, number] {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return [lo, pos - this.starts[lo]!];
  }
}

/**
 * Rows that predate a column. Text fills are interned into the chunk dictionary
 * (when there is one) so they group with real values of that chunk.
 */
export function fillVector(l: ColumnLayout, fill: Value, n: number, dict: StringDict | null): Vector {
  if (l.kind === 'dict') {
    if (fill === null) return { tag: 'dict', type: l.type, length: n, codes: new Int32Array(n), dict: dict?.snapshot() ?? [], nulls: new Uint8Array(n).fill(1) };
    const s = String(fill);
    if (dict === null) return { tag: 'dict', type: l.type, length: n, codes: new Int32Array(n), dict: [s], nulls: null };
    return { tag: 'dict', type: l.type, length: n, codes: new Int32Array(n).fill(dict.intern(s)), dict: dict.snapshot(), nulls: null };
  }
  return constantVector(l.type, fill, n);
}

function liveSelection(del: Uint8Array | null, from: number, to: number): Int32Array | null | 'none' {
  if (del === null || from >= del.length) return null;
  const n = to - from;
  const sel = new Int32Array(n);
  let cnt = 0;
  for (let i = 0; i < n; i++) {
    const p = from + i;
    if (p >= del.length || del[p] === 0) sel[cnt++] = i;
  }
  if (cnt === n) return null;
  if (cnt === 0) return 'none';
  return sel.subarray(0, cnt);
}

class ChunkViewImpl implements ChunkView {
  private statsCache: BatchStats | null = null;

  constructor(readonly snap: ChunkSnap, readonly schema: Schema) {}

  get id(): number {
    return this.snap.chunk.id;
  }
  get rowCount(): number {
    return this.snap.liveRows;
  }
  get storedRows(): number {
    return this.snap.storedRows;
  }
  get stats(): BatchStats {
    if (this.statsCache === null) {
      const ids = this.schema.columns.map((c) => c.id);
      this.statsCache = mergeBatchStats(this.batchStats(), ids);
    }
    return this.statsCache;
  }

  batchStats(): BatchStats[] {
    const out: BatchStats[] = [];
    for (let b = 0; b < this.snap.nBatches; b++) out.push(this.segStats(b));
    if (this.snap.bufferLen > 0) out.push(this.segStats(this.snap.nBatches));
    return out;
  }

  private segStats(b: number): BatchStatsImpl {
    const s = this.snap;
    if (b < s.nBatches) return s.chunk.batches[b]!.stats.withMissing(this.schema.missingStats);
    return new BatchStatsImpl(s.bufferLen, s.buffer.bytes(s.bufferLen), s.bufferStats, this.schema.missingStats);
  }

  bytes(): number {
    const s = this.snap;
    let b = s.buffer.bytes(s.bufferLen) + s.chunk.dictBytes();
    for (let i = 0; i < s.nBatches; i++) b += s.chunk.batches[i]!.bytes;
    for (const d of s.deletes) if (d) b += d.byteLength;
    return b;
  }

  *scan(columnIds: readonly number[], opts: ScanOptions = {}): Iterable<ScanBatch> {
    const s = this.snap;
    const layouts = columnIds.map((id) => this.schema.layout(id));
    const fills = columnIds.map((id) => this.schema.fill(id));
    const step = Math.max(1, opts.batchRows ?? s.chunk.sealRows);
    const chunkBase = s.chunk.id * ROWID_CHUNK;
    const wanted = opts.equalsAny && postingsEnabled() ? this.wantedCodes(opts.equalsAny) : undefined;
    for (let b = 0; b <= s.nBatches; b++) {
      const len = s.segLen(b);
      if (len === 0) continue;
      if (opts.skip && opts.skip(this.segStats(b))) continue;
      const del = s.deletes[b] ?? null;
      const rows = wanted === undefined ? undefined : this.rowsWithCodes(b, wanted.columnId, wanted.codes, len);
      if (rows !== undefined) {
        const live = liveRows(rows, del);
        for (let k = 0; k < live.length; k += step) {
          const part = live.length <= step ? live : live.subarray(k, Math.min(live.length, k + step));
          const cols = layouts.map((l, i) => gather(s, b, l, fills[i]!, part));
          let rowIds: Float64Array | undefined;
          if (opts.withRowIds) {
            rowIds = new Float64Array(part.length);
            const base = chunkBase + b * s.chunk.sealRows;
            for (let i = 0; i < part.length; i++) rowIds[i] = base + part[i]!;
          }
          yield { batch: { length: part.length, columns: cols }, rowIds, chunkId: s.chunk.id };
        }
        continue;
      }
      for (let from = 0; from < len; from += step) {
        const to = Math.min(len, from + step);
        const sel = liveSelection(del, from, to);
        if (sel === 'none') continue;
        let cols = layouts.map((l, i) => s.read(b, l, from, to, fills[i]!));
        const n = sel ? sel.length : to - from;
        if (sel) cols = cols.map((v) => takeVector(v, sel, n));
        let rowIds: Float64Array | undefined;
        if (opts.withRowIds) {
          rowIds = new Float64Array(n);
          const base = chunkBase + b * s.chunk.sealRows + from;
          if (sel) for (let i = 0; i < n; i++) rowIds[i] = base + sel[i]!;
          else for (let i = 0; i < n; i++) rowIds[i] = base + i;
        }
        yield { batch: { length: n, columns: cols }, rowIds, chunkId: s.chunk.id };
      }
    }
  }

  /** The chunk-dictionary codes of an equalsAny restriction (values the chunk never saw have none). */
  private wantedCodes(eq: EqualsAny): { columnId: number; codes: number[] } | undefined {
    if (this.schema.layout(eq.columnId).kind !== 'dict') return undefined;
    const dict = this.snap.chunk.existingDict(eq.columnId);
    const codes: number[] = [];
    if (dict !== undefined) {
      for (const v of eq.values) {
        const c = dict.lookup(v);
        if (c !== undefined) codes.push(c);
      }
    }
    return { columnId: eq.columnId, codes };
  }

  /** Positions in segment b holding one of `codes`, or undefined when the segment cannot tell (column missing). */
  private rowsWithCodes(b: number, columnId: number, codes: readonly number[], len: number): Int32Array | undefined {
    const s = this.snap;
    if (b < s.nBatches) {
      const batch = s.chunk.batches[b]!;
      if (!batch.has(columnId)) return undefined;
      return codes.length === 0 ? new Int32Array(0) : batch.rowsWithCodes(columnId, codes);
    }
    // the append buffer changes as rows arrive: a pass over its codes, no cached lists
    const v = s.buffer.read(columnId, 0, len);
    if (v === undefined || v.tag !== 'dict') return undefined;
    const out = new Int32Array(len);
    if (codes.length === 0) return out.subarray(0, 0);
    const member = new Uint8Array(Math.max(...codes) + 1);
    for (const c of codes) member[c] = 1;
    const vc = v.codes;
    const vn = v.nulls;
    const top = member.length;
    let k = 0;
    for (let i = 0; i < len; i++) {
      const c = vc[i]!;
      if (c < top && member[c] === 1 && (vn === null || vn[i] === 0)) out[k++] = i;
    }
    return out.subarray(0, k);
  }
}

/** `rows` without the deleted ones. */
function liveRows(rows: Int32Array, del: Uint8Array | null): Int32Array {
  if (del === null) return rows;
  const out = new Int32Array(rows.length);
  let k = 0;
  for (let i = 0; i < rows.length; i++) {
    const p = rows[i]!;
    if (p >= del.length || del[p] === 0) out[k++] = p;
  }
  return out.subarray(0, k);
}

/** Values of one column at increasing positions `rows` of segment b (read over their span, then taken). */
function gather(s: ChunkSnap, b: number, l: ColumnLayout, fill: Value, rows: Int32Array): Vector {
  const n = rows.length;
  if (n === 0) return s.read(b, l, 0, 0, fill);
  const from = rows[0]!;
  const to = rows[n - 1]! + 1;
  // a few rows spread over the batch: decoding the whole span would cost more than the rows
  if (n * 16 < to - from) {
    const picked = s.readSelectedNumbers(b, l, rows);
    if (picked !== undefined) return picked;
  }
  const span = s.read(b, l, from, to, fill);
  if (to - from === n) return span;
  let sel = rows;
  if (from > 0) {
    sel = new Int32Array(n);
    for (let i = 0; i < n; i++) sel[i] = rows[i]! - from;
  }
  return takeVector(span, sel, n);
}

/** Stats of a txn-private piece, computed only for the columns `skip` asks about. */
class LazyPieceStats implements BatchStats {
  private readonly cache = new Map<number, ColumnStats | undefined>();
  constructor(private readonly piece: Piece, private readonly schema: Schema) {}
  get rowCount(): number {
    return this.piece.length;
  }
  get bytes(): number {
    return 0;
  }
  column(id: number): ColumnStats | undefined {
    if (!this.cache.has(id)) {
      const c = this.piece.cols.get(id);
      this.cache.set(id, c ? computeColStats(c, 0, this.piece.length) : this.schema.missingStats(id, this.piece.length));
    }
    return this.cache.get(id);
  }
}

export class VersionImpl implements TableVersion {
  private chunkViews: ChunkViewImpl[] | null = null;
  private byId: Map<number, ChunkSnap> | null = null;

  constructor(
    readonly schema: Schema,
    readonly snaps: readonly ChunkSnap[],
    readonly indexes: ReadonlyMap<string, UniqueIndex>,
    /** Publication counter of the store when this version (or the view's base) was made. */
    readonly seq: number,
    readonly priv: PrivateSegment | null = null,
    readonly privIndexes: ReadonlyMap<string, ReadonlyMap<Key, number>> | null = null,
  ) {}

  get columns(): readonly ColumnSpec[] {
    return this.schema.columns;
  }

  get rowCount(): number {
    let n = 0;
    for (const s of this.snaps) n += s.liveRows;
    if (this.priv) n += this.priv.length - this.priv.deletedCount;
    return n;
  }

  get chunks(): readonly ChunkView[] {
    this.chunkViews ??= this.snaps.map((s) => new ChunkViewImpl(s, this.schema));
    return this.chunkViews;
  }

  snapById(id: number): ChunkSnap | undefined {
    if (this.byId === null) {
      this.byId = new Map();
      for (const s of this.snaps) this.byId.set(s.chunk.id, s);
    }
    return this.byId.get(id);
  }

  isLive(rowId: number): boolean {
    if (rowId < 0) return this.priv !== null && this.priv.isLive(-rowId - 1);
    const cid = Math.floor(rowId / ROWID_CHUNK);
    const s = this.snapById(cid);
    return s !== undefined && s.isLive(rowId - cid * ROWID_CHUNK);
  }

  *scan(columnIds: readonly number[], opts: ScanOptions = {}): Iterable<ScanBatch> {
    for (const c of this.chunks) {
      if (opts.skipChunk && opts.skipChunk(c)) continue;
      yield* c.scan(columnIds, opts);
    }
    if (this.priv !== null) yield* this.scanPrivate(columnIds, opts);
  }

  private *scanPrivate(columnIds: readonly number[], opts: ScanOptions): Iterable<ScanBatch> {
    const p = this.priv!;
    const layouts = columnIds.map((id) => this.schema.layout(id));
    const step = Math.max(1, opts.batchRows ?? 65536);
    for (let k = 0; k < p.pieces.length; k++) {
      const piece = p.pieces[k]!;
      const start = p.starts[k]!;
      if (opts.skip && opts.skip(new LazyPieceStats(piece, this.schema))) continue;
      for (let from = 0; from < piece.length; from += step) {
        const to = Math.min(piece.length, from + step);
        const sel = liveSelection(p.deleted, start + from, start + to);
        if (sel === 'none') continue;
        let cols = layouts.map((l) => {
          const c = piece.cols.get(l.id);
          return c ? vectorFromColData(l, c, from, to) : fillVector(l, this.schema.fill(l.id), to - from, null);
        });
        const n = sel ? sel.length : to - from;
        if (sel) cols = cols.map((v) => takeVector(v, sel, n));
        let rowIds: Float64Array | undefined;
        if (opts.withRowIds) {
          rowIds = new Float64Array(n);
          const base = start + from;
          for (let i = 0; i < n; i++) rowIds[i] = -(base + (sel ? sel[i]! : i)) - 1;
        }
        yield { batch: { length: n, columns: cols }, rowIds, chunkId: -1 };
      }
    }
  }

  lookupUnique(keyName: string, key: readonly Value[]): number | null {
    const idx = this.indexes.get(keyName);
    if (idx === undefined) throw new Error(`no unique key "${keyName}" on table "${this.schema.table}"`);
    const k = keyOfValues(key);
    if (k === null) return null;
    const pos = this.privIndexes?.get(keyName)?.get(k);
    if (pos !== undefined && this.priv !== null && this.priv.isLive(pos)) return -pos - 1;
    const cands = idx.candidates(k);
    for (let i = cands.length - 1; i >= 0; i--) if (this.isLive(cands[i]!)) return cands[i]!;
    return null;
  }

  /** Values of one live row, or null when it is not live here. */
  rowValues(rowId: number, columnIds: readonly number[]): Value[] | null {
    if (!this.isLive(rowId)) return null;
    const out: Value[] = [];
    if (rowId < 0) {
      const p = this.priv!;
      const [k, off] = p.locate(-rowId - 1);
      const piece = p.pieces[k]!;
      for (const id of columnIds) {
        const l = this.schema.layout(id);
        const c = piece.cols.get(id);
        out.push(c ? getValue(vectorFromColData(l, c, off, off + 1), 0) : this.schema.fill(id));
      }
      return out;
    }
    const cid = Math.floor(rowId / ROWID_CHUNK);
    const s = this.snapById(cid)!;
    const pos = rowId - cid * ROWID_CHUNK;
    const b = Math.floor(pos / s.chunk.sealRows);
    const off = pos - b * s.chunk.sealRows;
    for (const id of columnIds) out.push(getValue(s.read(b, this.schema.layout(id), off, off + 1, this.schema.fill(id)), 0));
    return out;
  }

  fetch(rowIds: ArrayLike<number>, columnIds: readonly number[]): Batch {
    const rows: Value[][] = [];
    for (let i = 0; i < rowIds.length; i++) {
      const r = this.rowValues(rowIds[i]!, columnIds);
      if (r) rows.push(r);
    }
    return {
      length: rows.length,
      columns: columnIds.map((id, j) => vectorFromValues(this.schema.layout(id).type, rows.map((r) => r[j]!))),
    };
  }

  bytes(): number {
    let b = 0;
    for (const c of this.chunks) b += c.bytes();
    for (const idx of this.indexes.values()) b += idx.bytes();
    return b;
  }
}
