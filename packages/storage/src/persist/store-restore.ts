/**
 * Rebuilding a table store from its checkpoint files (store-image.ts: a meta file, and
 * per chunk a head plus a file per sealed batch), with the chunk ids, row positions, deletions, next chunk id and open tail of the imaged
 * store, so the WAL deltas after the checkpoint replay to the same row ids. And
 * bringing a live store's schema to a catalog's (WAL replay after ALTER TABLE).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tableFromIPC, type Data, type Table } from 'apache-arrow';
import { SqlError } from '../errors.js';
import { Chunk } from '../table/chunk.js';
import { StringDict } from '../table/dict.js';
import type { ColData, ColumnLayout, Piece } from '../table/layout.js';
import { Schema, type ColumnSpec, type UniqueKeySpec } from '../table/schema.js';
import { SealedBatch } from '../table/sealed-batch.js';
import { BatchStatsImpl, computeColStats, type ColumnStats } from '../table/stats.js';
import { TableStore, type RestoredStoreState, type TableStoreOptions } from '../table/table-store.js';
import { sameType } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import { checksumFields, fileChecksumMismatch, type FileChecksum } from '../wal/checksum.js';
import { DATA_CORRUPTED } from './bytes.js';
import { canonicalType, FIELD_COLUMN_ID, FIELD_DELETED, IMAGE_FORMAT, loadBound, META_KEY, type ImageMeta, type StoredColumnStats } from './image-format.js';
import { imagedChunk, type ImagedBatch, type ImagedChunk, type WrittenStoreImage } from './store-image.js';
import { decodeValue } from './value-codec.js';

export interface StoreFileRef extends FileChecksum {
  readonly path: string;
  /** Expected size, when the manifest records it. */
  readonly bytes?: number;
}

export interface RestoreOptions {
  formatValue?: TableStoreOptions['formatValue'];
}

const utf8 = new TextDecoder();

function fileError(path: string, reason: string): SqlError {
  return new SqlError(DATA_CORRUPTED, `could not read data file "${path}": ${reason}`);
}

/** A checkpoint file as the manifest knows it: read at restart (meta, heads) or on first use (batches). */
interface StoreFile {
  readonly path: string;
  readonly bytes: number;
  readonly checksum: FileChecksum;
}

interface LoadedFile extends StoreFile {
  readonly table: Table;
  readonly meta: ImageMeta;
}

/**
 * Restored stores and the files they were restored from, so that the first checkpoint after
 * a restart links the chunks that did not change since instead of rewriting every one. Weak:
 * a store dropped meanwhile takes its entry along.
 */
const restoredImages = new WeakMap<TableStore, WrittenStoreImage>();

/**
 * Where each batch not read yet reads its file from. A checkpoint that links such a file into its own
 * directory moves the batch there (adoptImageFiles) before the old directory is removed.
 */
const lazyFiles = new WeakMap<SealedBatch, { file: StoreFile }>();

/**
 * After `image` was written (and its directory made final): its batches still unread read their files
 * from it from now on, so that older checkpoint directories can be removed.
 */
export function adoptImageFiles(image: WrittenStoreImage): void {
  for (const chunk of image.chunks.values()) {
    for (const bf of chunk.batchFiles) {
      if (bf === undefined || bf.batch.loaded) continue;
      const source = lazyFiles.get(bf.batch);
      if (source !== undefined) source.file = { path: path.join(image.dir, bf.file.name), bytes: bf.file.bytes, checksum: checksumFields(bf.file) };
    }
  }
}

/** The image a store was rebuilt from by restoreTableStore (undefined for any other store). */
export function restoredStoreImage(store: TableStore): WrittenStoreImage | undefined {
  return restoredImages.get(store);
}

function loadFile(ref: StoreFileRef): LoadedFile {
  let buf: Uint8Array;
  try {
    buf = fs.readFileSync(ref.path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw fileError(ref.path, err.code === 'ENOENT' ? 'No such file or directory' : err.message);
  }
  if (ref.bytes !== undefined && buf.length !== ref.bytes) throw fileError(ref.path, `size is ${buf.length} bytes, expected ${ref.bytes}`);
  const mismatch = fileChecksumMismatch(buf, ref);
  if (mismatch !== null) throw fileError(ref.path, mismatch);
  // typed arrays viewed straight out of the file need 8-byte alignment
  if (buf.byteOffset % 8 !== 0) buf = new Uint8Array(buf);
  let table: Table;
  let meta: ImageMeta;
  try {
    table = tableFromIPC(buf);
    const json = table.schema.metadata.get(META_KEY);
    if (json === undefined) throw new Error('no store metadata');
    meta = JSON.parse(json) as ImageMeta;
  } catch (e) {
    throw fileError(ref.path, `not a readable Arrow file of a table store (${(e as Error).message})`);
  }
  if (meta.format !== IMAGE_FORMAT) {
    const why = meta.format === 1 ? 'it was written in image format 1 (one file per chunk), which this version no longer reads' : `unknown image format ${String(meta.format)}`;
    throw fileError(ref.path, `${why}; expected format ${IMAGE_FORMAT}`);
  }
  return { path: ref.path, bytes: buf.length, checksum: checksumFields(ref), table, meta };
}

/** A chunk's files: its head and its sealed batches' files by index. */
interface ChunkFiles {
  head?: LoadedFile;
  readonly batches: Map<number, StoreFile>;
}

/** What a file's name says it is (image-format.ts names them): a batch file is classified without reading it. */
function batchOfName(file: string): { chunkId: number; batch: number } | null {
  const m = /\.c(\d+)\.b(\d+)\.arrow$/.exec(path.basename(file));
  return m === null ? null : { chunkId: Number(m[1]), batch: Number(m[2]) };
}

/** A batch file left for later: it must exist with the manifest's size now, its checksum is checked when read. */
function statFile(ref: StoreFileRef): StoreFile {
  let size: number;
  try {
    size = fs.statSync(ref.path).size;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw fileError(ref.path, err.code === 'ENOENT' ? 'No such file or directory' : err.message);
  }
  if (ref.bytes !== undefined && size !== ref.bytes) throw fileError(ref.path, `size is ${size} bytes, expected ${ref.bytes}`);
  return { path: ref.path, bytes: size, checksum: checksumFields(ref) };
}

/** Rebuilds a store from the files writeStoreImage wrote (XX001 for any missing, damaged or inconsistent file). */
export function restoreTableStore(files: readonly StoreFileRef[], opts: RestoreOptions = {}): TableStore {
  // batch files are only stat'ed here: a chunk whose head describes its batches reads them on first use
  const batchRefs: StoreFileRef[] = [];
  const others: StoreFileRef[] = [];
  for (const f of files) (batchOfName(f.path) !== null ? batchRefs : others).push(f);
  const loaded = others.map(loadFile);
  const metas = loaded.filter((f) => f.meta.kind === 'meta');
  if (metas.length !== 1) {
    throw new SqlError(DATA_CORRUPTED, `could not restore a table store from ${files.length} files: ${metas.length} meta files among them, expected 1`);
  }
  const meta = metas[0]!.meta;
  const byChunk = new Map<number, ChunkFiles>();
  for (const f of loaded) {
    if (f.meta.kind === 'meta') continue;
    const info = f.meta.chunk;
    if (f.meta.store !== meta.store || info === undefined) throw fileError(f.path, `belongs to "${f.meta.store}", not "${meta.store}"`);
    if (!meta.chunkIds.includes(info.id)) throw fileError(f.path, `chunk ${info.id} is not part of the image`);
    let cf = byChunk.get(info.id);
    if (cf === undefined) byChunk.set(info.id, (cf = { batches: new Map() }));
    if (f.meta.kind !== 'chunk') throw fileError(f.path, `unknown kind of file "${String(f.meta.kind)}"`);
    if (cf.head !== undefined) throw fileError(f.path, `chunk ${info.id} appears twice`);
    cf.head = f;
  }
  for (const ref of batchRefs) {
    const { chunkId, batch } = batchOfName(ref.path)!;
    if (!meta.chunkIds.includes(chunkId)) throw fileError(ref.path, `chunk ${chunkId} is not part of the image`);
    let cf = byChunk.get(chunkId);
    if (cf === undefined) byChunk.set(chunkId, (cf = { batches: new Map() }));
    if (cf.batches.has(batch)) throw fileError(ref.path, `batch ${batch} of chunk ${chunkId} appears twice`);
    cf.batches.set(batch, statFile(ref));
  }
  const metaPath = metas[0]!.path;
  let columns: ColumnSpec[];
  let fills: Map<number, Value>;
  try {
    columns = meta.columns.map((c) => ({ id: c.id, name: c.name, type: canonicalType(c.type), notNull: c.notNull }));
    fills = new Map(meta.fills.map(([id, b64]) => [id, decodeValue(Buffer.from(b64, 'base64'), 'fill value')]));
  } catch (e) {
    throw fileError(metaPath, (e as Error).message);
  }
  const uniqueKeys: UniqueKeySpec[] = meta.uniqueKeys.map((k) => ({ name: k.name, columnIds: [...k.columnIds], primary: k.primary }));
  const schema = new Schema(meta.store, columns, fills, uniqueKeys);
  const chunks = meta.chunkIds.map((id) => {
    const cf = byChunk.get(id);
    const head = cf?.head;
    if (cf === undefined || head === undefined) throw new SqlError(DATA_CORRUPTED, `could not read data file of chunk ${id} of "${meta.store}": it is not among the checkpoint's files`);
    return restoreChunk(head, cf.batches, schema, meta);
  });
  const state: RestoredStoreState = {
    chunks,
    tailChunkId: meta.tailChunkId,
    nextChunkId: meta.nextChunkId,
    usedColumnIds: meta.usedColumnIds,
  };
  const store = TableStore.restore(
    { name: meta.store, columns, uniqueKeys, sealRows: meta.sealRows, chunkRows: meta.chunkRows, fills, formatValue: opts.formatValue },
    state,
  );
  restoredImages.set(store, imageOf(store, metas[0]!, byChunk));
  return store;
}

/** The restored store's chunks as its files hold them (a file in another directory is left out: it is rewritten). */
function imageOf(store: TableStore, metaFile: LoadedFile, byChunk: ReadonlyMap<number, ChunkFiles>): WrittenStoreImage {
  const dir = path.dirname(metaFile.path);
  const state = store.imageState();
  const fileOf = (f: StoreFile) => ({ name: path.basename(f.path), bytes: f.bytes, ...f.checksum });
  const chunks = new Map<number, ImagedChunk>();
  const files = [fileOf(metaFile)];
  for (const snap of state.version.snaps) {
    const cf = byChunk.get(snap.chunk.id)!;
    const batchFiles: (ImagedBatch | undefined)[] = [];
    for (let b = 0; b < snap.nBatches; b++) {
      const f = cf.batches.get(b)!;
      files.push(fileOf(f));
      batchFiles.push(path.dirname(f.path) === dir ? { batch: snap.chunk.batches[b]!, file: fileOf(f) } : undefined);
    }
    const head = cf.head!;
    files.push(fileOf(head));
    // a head elsewhere is rewritten; the batch files here can still be linked
    chunks.set(snap.chunk.id, imagedChunk(snap, path.dirname(head.path) === dir ? fileOf(head) : null, batchFiles));
  }
  return { dir, name: store.name, sealRows: store.sealRows, chunkRows: store.chunkRows, schema: state.schema, files, chunks };
}

/** Field position of every column id, and of the deletion flags (-1: none). */
function fieldPositions(table: Table): { fieldOf: Map<number, number>; deletedField: number } {
  const fieldOf = new Map<number, number>();
  let deletedField = -1;
  table.schema.fields.forEach((fd, i) => {
    if (fd.metadata.get(FIELD_DELETED) === 'true') deletedField = i;
    const id = fd.metadata.get(FIELD_COLUMN_ID);
    if (id !== undefined) fieldOf.set(Number(id), i);
  });
  return { fieldOf, deletedField };
}

function restoreChunk(head: LoadedFile, batchFiles: ReadonlyMap<number, StoreFile>, schema: Schema, meta: ImageMeta): RestoredStoreState['chunks'][number] {
  const info = head.meta.chunk!;
  const sr = meta.sealRows;
  const layouts = schema.columns.map((c) => schema.layout(c.id));
  const dicts = new Map<number, StringDict>();
  const sealed: SealedBatch[] = [];
  const deletes: (Uint8Array | null)[] = [];
  let deletedCount = 0;
  let bufferRows: Piece | null = null;
  const withFile = <R>(f: LoadedFile, fn: () => R): R => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof SqlError) throw e;
      throw fileError(f.path, (e as Error).message);
    }
  };
  withFile(head, () => {
    const { fieldOf, deletedField } = fieldPositions(head.table);
    if (deletedField < 0) throw new Error('no deletion column');
    for (const l of layouts) if (!fieldOf.has(l.id)) throw new Error(`no data for column id ${l.id}`);
    const batches = head.table.batches;
    if (batches.length !== 1) throw new Error(`${batches.length} record batches, expected 1`);
    const rb = batches[0]!;
    const n = rb.numRows;
    if (n !== info.bufferRows) throw new Error(`the buffer has ${n} rows, expected ${info.bufferRows}`);
    for (const l of layouts) {
      if (l.kind !== 'dict') continue;
      const d = new StringDict();
      const first = rb.data.children[fieldOf.get(l.id)!]?.dictionary;
      if (first) for (const part of first.data) internAll(d, part as Data);
      dicts.set(l.id, d);
    }
    const cols = new Map<number, ColData>();
    for (const l of layouts) cols.set(l.id, colData(l, rb.data.children[fieldOf.get(l.id)!]!, n, dicts));
    if (n > 0) bufferRows = { length: n, cols };
    const sealedDel = new Map<number, Uint8Array>();
    for (const [b, b64] of head.meta.deletedBatches ?? []) {
      const packed = Buffer.from(b64, 'base64');
      if (b < 0 || b >= info.batches || packed.length !== (sr + 7) >> 3 || sealedDel.has(b)) throw new Error(`deletion bitmap of batch ${b} is malformed`);
      sealedDel.set(b, unpackBits(packed, sr));
    }
    for (let b = 0; b < info.batches; b++) {
      const del = sealedDel.get(b) ?? null;
      const cnt = del === null ? 0 : count(del);
      deletes.push(cnt > 0 ? del : null);
      deletedCount += cnt;
    }
    const del = flags(rb.data.children[deletedField]!, n);
    const cnt = del === null ? 0 : count(del);
    deletes.push(cnt > 0 ? padTo(del!, sr) : null);
    deletedCount += cnt;
  });
  const dictOf = (id: number): StringDict => dicts.get(id)!;
  const described = head.meta.sealedBatches;
  if (described !== undefined && described.length !== info.batches) throw fileError(head.path, `it describes ${described.length} sealed batches, expected ${info.batches}`);
  for (let b = 0; b < info.batches; b++) {
    const f = batchFiles.get(b);
    if (f === undefined) throw new SqlError(DATA_CORRUPTED, `could not read data file of batch ${b} of chunk ${info.id} of "${meta.store}": it is not among the checkpoint's files`);
    const source = { file: f };
    const load = () => {
      const at = source.file;
      const file = loadFile({ path: at.path, bytes: at.bytes, ...at.checksum });
      return withFile(file, () => {
        const fi = file.meta.chunk;
        if (file.meta.kind !== 'batch' || file.meta.store !== meta.store || fi?.id !== info.id || fi.batch !== b) {
          throw new Error(`it is not batch ${b} of chunk ${info.id} of "${meta.store}"`);
        }
        return restoreBatch(file, layouts, sr, dicts, dictOf);
      });
    };
    const stored = described?.[b];
    const stats = stored === undefined ? null : withFile(head, () => loadedStats(stored[1], layouts));
    // without every column's statistics (a head of an older version, a column added after the batch
    // was sealed) the batch is read now, as the statistics come from its data
    if (stored === undefined || stats === null) {
      sealed.push(load());
      continue;
    }
    const [bytes] = stored;
    const batch = SealedBatch.lazy(sr, layouts, new BatchStatsImpl(sr, bytes, stats), bytes, load);
    lazyFiles.set(batch, source);
    sealed.push(batch);
  }
  for (const [b, f] of batchFiles) if (b >= info.batches) throw fileError(f.path, `batch ${b} of chunk ${info.id} is not part of the image`);
  const chunk = Chunk.restore(info.id, layouts, sr, meta.chunkRows, dicts, sealed, bufferRows, schema.fillOf);
  return { chunk, deletes, deletedCount };
}

/** One sealed batch; its text codes are translated from the file's own dictionary into the chunk's. */
function restoreBatch(
  f: LoadedFile, layouts: readonly ColumnLayout[], sr: number, dicts: ReadonlyMap<number, StringDict>, dictOf: (id: number) => StringDict,
): SealedBatch {
  const { fieldOf } = fieldPositions(f.table);
  for (const l of layouts) if (!fieldOf.has(l.id)) throw new Error(`no data for column id ${l.id}`);
  const batches = f.table.batches;
  if (batches.length !== 1) throw new Error(`${batches.length} record batches, expected 1`);
  const rb = batches[0]!;
  if (rb.numRows !== sr) throw new Error(`the batch has ${rb.numRows} rows, expected ${sr}`);
  const cols = new Map<number, ColData>();
  for (const l of layouts) {
    const d = rb.data.children[fieldOf.get(l.id)!]!;
    if (l.kind === 'dict') cols.set(l.id, chunkCodes(l, d, sr, dicts.get(l.id)!));
    else cols.set(l.id, colData(l, d, sr, dicts));
  }
  // the engine's own statistics when the file has them (a restart need not scan every value for min/max)
  const stats = new Map<number, ColumnStats>();
  for (const [id, min, max, nullCount, hasNaN, ordered] of f.meta.stats ?? []) {
    if (cols.has(id)) stats.set(id, { min: loadBound(min), max: loadBound(max), nullCount, hasNaN, ordered });
  }
  for (const l of layouts) if (!stats.has(l.id)) stats.set(l.id, computeColStats(cols.get(l.id)!, 0, sr));
  return SealedBatch.build(layouts, cols, sr, dictOf, stats, true);
}

/** Column statistics a head stores for a batch not read yet; null unless every column has them. */
function loadedStats(stored: readonly StoredColumnStats[], layouts: readonly ColumnLayout[]): Map<number, ColumnStats> | null {
  const stats = new Map<number, ColumnStats>();
  for (const [id, min, max, nullCount, hasNaN, ordered] of stored) stats.set(id, { min: loadBound(min), max: loadBound(max), nullCount, hasNaN, ordered });
  for (const l of layouts) if (!stats.has(l.id)) return null;
  return stats;
}

function chunkCodes(l: ColumnLayout, d: Data, n: number, dict: StringDict): ColData {
  const codes = d.values as unknown;
  if (!(codes instanceof Int32Array)) throw new Error(`column id ${l.id} is not dictionary-encoded`);
  const local: string[] = [];
  if (d.dictionary) {
    for (const part of d.dictionary.data) {
      const p = part as Data;
      const offs = p.valueOffsets as Int32Array;
      const bytes = p.values as Uint8Array;
      for (let i = 0; i < p.length; i++) local.push(utf8.decode(bytes.subarray(offs[p.offset + i]!, offs[p.offset + i + 1]!)));
    }
  }
  const toChunk = new Int32Array(local.length);
  for (let k = 0; k < local.length; k++) {
    const c = dict.lookup(local[k]!);
    if (c === undefined) throw new Error(`column id ${l.id}: a string missing from the chunk's dictionary`);
    toChunk[k] = c;
  }
  const nulls = nullsOf(d, n);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const k = codes[d.offset + i]!;
    if (k < 0 || k >= toChunk.length) throw new Error(`column id ${l.id}: code out of range`);
    out[i] = toChunk[k]!;
  }
  return { kind: 'dict', codes: out, nulls, dict };
}

function count(a: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) n += a[i]!;
  return n;
}

/** Byte per row (1 = set) from an Arrow bit-packed bitmap. */
function unpackBits(packed: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (packed[i >> 3]! >> (i & 7)) & 1;
  return out;
}

function padTo(a: Uint8Array, n: number): Uint8Array {
  if (a.length === n) return a;
  const out = new Uint8Array(n);
  out.set(a.subarray(0, n));
  return out;
}

function internAll(d: StringDict, part: Data): void {
  const offs = part.valueOffsets as Int32Array;
  const bytes = part.values as Uint8Array;
  for (let i = 0; i < part.length; i++) {
    const j = part.offset + i;
    const code = d.intern(utf8.decode(bytes.subarray(offs[j]!, offs[j + 1]!)));
    if (code !== d.size - 1) throw new Error('duplicate string in a dictionary');
  }
}

/** Byte per row from a Bool column (1 = true); null when none is set. */
function flags(d: Data, n: number): Uint8Array | null {
  const bm = d.values as Uint8Array;
  const off = d.offset;
  let out: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const k = off + i;
    if ((bm[k >> 3]! >> (k & 7)) & 1) (out ??= new Uint8Array(n))[i] = 1;
  }
  return out;
}

/** Byte per row, 1 = NULL, from an Arrow validity bitmap; null when there are no NULLs. */
function nullsOf(d: Data, n: number): Uint8Array | null {
  if (d.nullCount === 0 || !d.nullBitmap || d.nullBitmap.length === 0) return null;
  const bm = d.nullBitmap;
  const off = d.offset;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = off + i;
    out[i] = ((bm[k >> 3]! >> (k & 7)) & 1) ^ 1;
  }
  return out;
}

function colData(l: ColumnLayout, d: Data, n: number, dicts: ReadonlyMap<number, StringDict>): ColData {
  const nulls = nullsOf(d, n);
  switch (l.kind) {
    case 'num': {
      const v = d.values as unknown;
      if (!(v instanceof Float64Array)) throw new Error(`column id ${l.id} is not Float64`);
      return { kind: 'num', values: v.subarray(d.offset, d.offset + n), nulls };
    }
    case 'bool': {
      const values = flags(d, n) ?? new Uint8Array(n);
      return { kind: 'bool', values, nulls };
    }
    case 'dict': {
      const codes = d.values as unknown;
      if (!(codes instanceof Int32Array)) throw new Error(`column id ${l.id} is not dictionary-encoded`);
      const dict = dicts.get(l.id)!;
      const c = codes.subarray(d.offset, d.offset + n);
      for (let i = 0; i < n; i++) {
        if (c[i]! >= dict.size && !(nulls !== null && nulls[i] === 1)) throw new Error(`column id ${l.id}: code out of range`);
      }
      return { kind: 'dict', codes: c, nulls, dict };
    }
    default: {
      const offs = d.valueOffsets as Int32Array;
      const bytes = d.values as Uint8Array;
      if (!(offs instanceof Int32Array)) throw new Error(`column id ${l.id} is not Utf8`);
      const values = new Array<Value>(n);
      for (let i = 0; i < n; i++) {
        if (nulls !== null && nulls[i] === 1) {
          values[i] = null;
          continue;
        }
        const k = d.offset + i;
        const s = utf8.decode(bytes.subarray(offs[k]!, offs[k + 1]!));
        values[i] = l.kind === 'str' ? s : decodeValue(Buffer.from(s, 'base64'), `value of column id ${l.id}`);
      }
      return { kind: l.kind, values };
    }
  }
}

export interface StoreSchemaTarget {
  readonly columns: readonly ColumnSpec[];
  readonly uniqueKeys?: readonly UniqueKeySpec[];
  /** Fill values of columns added with a non-NULL default (columns the store lacks are added with them). */
  readonly fills?: ReadonlyMap<number, Value>;
}

function sameKey(a: UniqueKeySpec, b: UniqueKeySpec): boolean {
  return a.name === b.name && a.primary === b.primary && a.columnIds.length === b.columnIds.length && a.columnIds.every((id, i) => b.columnIds[i] === id);
}

/**
 * Brings a live store's schema to `target` by column id: drops what the target lacks,
 * adds what the store lacks (with its fill), renames, sets NOT NULL, and adds or drops
 * unique keys. A column id whose type differs is XX001 (ids are never reused).
 */
export function reconcileStoreSchema(store: TableStore, target: StoreSchemaTarget): void {
  const want = new Map(target.columns.map((c) => [c.id, c] as const));
  const keys = target.uniqueKeys ?? [];
  for (const k of store.uniqueKeys) if (!keys.some((t) => sameKey(t, k))) store.dropUniqueKey(k.name);
  for (const c of store.columns) if (!want.has(c.id)) store.dropColumn(c.id);
  for (const c of target.columns) {
    const have = store.schema.byId.get(c.id);
    if (have === undefined) {
      store.addColumn({ ...c, notNull: false }, target.fills?.get(c.id) ?? null);
    } else if (!sameType(have.type, c.type)) {
      throw new SqlError(DATA_CORRUPTED, `column id ${c.id} of "${store.name}" changed type`, { table: store.name });
    } else if (have.name !== c.name) store.renameColumn(c.id, c.name);
  }
  for (const c of target.columns) if (store.schema.byId.get(c.id)!.notNull !== c.notNull) store.setNotNull(c.id, c.notNull);
  for (const k of keys) if (!store.uniqueKeys.some((h) => sameKey(h, k))) store.addUniqueKey(k);
}
