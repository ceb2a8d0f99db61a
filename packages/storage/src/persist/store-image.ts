/**
 * Checkpoint images of a table store: captured synchronously (references to the
 * latest, immutable version), then written asynchronously as Arrow IPC files: a meta
 * file describing the store and, per storage chunk,
 *  - `<base>.c<chunk>.b<batch>.arrow` per sealed batch: its rows (deleted ones too, so
 *    positions and row ids survive), one record batch, text columns dictionary-encoded
 *    against a dictionary of the strings that batch uses (so a batch file does not carry
 *    the whole, still growing chunk dictionary);
 *  - `<base>.c<chunk>.arrow`, the chunk head: one record batch with the append buffer's
 *    rows (possibly none) and their `__deleted` flags, the chunk's whole dictionaries, and
 *    in its metadata the deletion bitmaps of the sealed batches.
 * Restore: store-restore.ts.
 *
 * Incremental images: sealed batches never change, so given the store's previous written
 * image under the same schema, a batch file written for the same SealedBatch object is
 * hard-linked from the previous directory instead of rewritten: every sealed batch is
 * written once. The head is linked too when the chunk's snapshot did not change (same
 * batch and buffer counts, the same copy-on-write deletion bitmaps). A linked file's
 * bytes, and so its size and CRC, are those the previous image wrote.
 *
 * Column encodings: num → Float64 (the run-time value, exact for every type stored
 * as num), bool → Bool, dict → Dictionary<Int32, Utf8> holding the chunk's whole
 * dictionary (codes unchanged), str → Utf8, obj → Utf8 with the value codec as base64.
 */
import { validityOf } from '../table/sealed-batch.js';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import {
  Bool, Dictionary, Field, Float64, Int32, makeData, makeVector, RecordBatch, RecordBatchFileWriter, Schema as ArrowSchema, Struct, Utf8,
  type Data, type DataType, type Vector as ArrowVector,
} from 'apache-arrow';
import { utf8Data } from '../table/dict.js';
import type { Chunk } from '../table/chunk.js';
import type { ColumnLayout } from '../table/layout.js';
import type { Schema } from '../table/schema.js';
import type { SealedBatch } from '../table/sealed-batch.js';
import type { StoreImageState, TableStore } from '../table/table-store.js';
import type { ChunkSnap } from '../table/version.js';
import { formatType } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import type { Vector } from '../vector.js';
import { checksumFields, fileChecksum, type FileChecksum } from '../wal/checksum.js';
import {
  batchFileName, chunkFileName, DELETED_FIELD_NAME, FIELD_COLUMN_ID, FIELD_DELETED, FIELD_SQL_TYPE, IMAGE_FORMAT, META_KEY, metaFileName, storeBound, type ImageMeta,
  type StoredColumnStats,
} from './image-format.js';
import { encodeValue } from './value-codec.js';

export interface StoreImage {
  readonly name: string;
  readonly sealRows: number;
  readonly chunkRows: number;
  readonly state: StoreImageState;
}

export interface StoreImageFile extends FileChecksum {
  /** File name inside the directory written to. */
  readonly name: string;
  readonly bytes: number;
  /** A file hard-linked from the previous image rather than written. */
  readonly linked?: boolean;
}

/** The snapshot state of one chunk that its files hold. */
export interface ImagedChunk {
  readonly chunk: Chunk;
  readonly nBatches: number;
  readonly bufferLen: number;
  readonly deletedCount: number;
  /** The snapshot's deletion bitmaps by reference (they are copy-on-write: a change is a new array). */
  readonly deletes: readonly (Uint8Array | null)[];
  /** The chunk head file (buffer rows, dictionaries, deletion bitmaps); null when it is not in the image's directory. */
  readonly file: StoreImageFile | null;
  /** By batch index: the sealed batch and its file (only batches whose file is in the image's directory). */
  readonly batchFiles: readonly (ImagedBatch | undefined)[];
}

export interface ImagedBatch {
  readonly batch: SealedBatch;
  readonly file: StoreImageFile;
}

/** Files of an image as written: the next image of the same store links its unchanged chunks from them. */
export interface WrittenStoreImage {
  /** Directory holding the files (moves with the checkpoint directory: see relocateStoreImage). */
  readonly dir: string;
  readonly name: string;
  readonly sealRows: number;
  readonly chunkRows: number;
  /** Schema object the chunk files were written under (a new object after every schema change). */
  readonly schema: Schema;
  /** Meta file first, then per chunk in version order its batch files and its head. */
  readonly files: readonly StoreImageFile[];
  /** By chunk id. */
  readonly chunks: ReadonlyMap<number, ImagedChunk>;
}

/** The same image after its directory was renamed to `dir`. */
export function relocateStoreImage(image: WrittenStoreImage, dir: string): WrittenStoreImage {
  return { ...image, dir };
}

/** What a snapshot's files look like: each can be taken over as is when what it holds did not change. */
export function imagedChunk(snap: ChunkSnap, file: StoreImageFile | null, batchFiles: readonly (ImagedBatch | undefined)[]): ImagedChunk {
  return { chunk: snap.chunk, nBatches: snap.nBatches, bufferLen: snap.bufferLen, deletedCount: snap.deletedCount, deletes: snap.deletes.slice(), file, batchFiles };
}

function unchanged(snap: ChunkSnap, was: ImagedChunk): boolean {
  if (snap.chunk !== was.chunk || snap.nBatches !== was.nBatches || snap.bufferLen !== was.bufferLen || snap.deletedCount !== was.deletedCount) return false;
  // bitmap lists are padded with nulls to different lengths
  const n = Math.max(snap.deletes.length, was.deletes.length);
  for (let b = 0; b < n; b++) if ((snap.deletes[b] ?? null) !== (was.deletes[b] ?? null)) return false;
  return true;
}

/** The previous image's chunks, when its files can stand for chunks of `image` at all. */
function reusableChunks(image: StoreImage, previous: WrittenStoreImage | undefined): ReadonlyMap<number, ImagedChunk> {
  if (previous === undefined) return new Map();
  const same = previous.name === image.name && previous.schema === image.state.schema && previous.sealRows === image.sealRows && previous.chunkRows === image.chunkRows;
  return same ? previous.chunks : new Map();
}

/** Synchronous and cheap: the image only references immutable state. */
export function captureStoreImage(store: TableStore): StoreImage {
  return { name: store.name, sealRows: store.sealRows, chunkRows: store.chunkRows, state: store.imageState() };
}

/** The identity of a store's schema: a new object after every schema change. */
export function storeSchemaIdentity(store: TableStore): object {
  return store.schema;
}

function baseMeta(image: StoreImage): Omit<ImageMeta, 'kind' | 'chunk'> {
  const s = image.state;
  const schema = s.schema;
  return {
    format: IMAGE_FORMAT,
    store: image.name,
    sealRows: image.sealRows,
    chunkRows: image.chunkRows,
    nextChunkId: s.nextChunkId,
    tailChunkId: s.tailChunkId,
    usedColumnIds: s.usedColumnIds,
    columns: schema.columns,
    uniqueKeys: schema.uniqueKeys,
    fills: [...schema.fills].map(([id, v]) => [id, Buffer.from(encodeValue(v)).toString('base64')] as [number, string]),
    chunkIds: s.version.snaps.map((snap) => snap.chunk.id),
  };
}

/**
 * Writes the image as `${baseName}.meta.arrow` plus, per chunk, a file per sealed batch and
 * the chunk head (see the file comment), each fsync'ed; yields to the event loop between
 * sealed batches. A batch file or head unchanged since `previous` (the store's last written
 * image, whose files must still exist) is hard-linked from there; when linking fails (a file
 * system without hard links, a file gone) it is written. The caller fsyncs `dir` so the
 * links are durable.
 */
export async function writeStoreImage(image: StoreImage, dir: string, baseName: string, previous?: WrittenStoreImage): Promise<WrittenStoreImage> {
  const meta = baseMeta(image);
  const schema = image.state.schema;
  const reusable = reusableChunks(image, previous);
  const files: StoreImageFile[] = [];
  const chunks = new Map<number, ImagedChunk>();
  const metaSchema = new ArrowSchema(columnFields(schema, true), new Map([[META_KEY, JSON.stringify({ ...meta, kind: 'meta' })]]));
  files.push(await writeFileSynced(dir, metaFileName(baseName), ipcFile(metaSchema, [])));
  for (const snap of image.state.version.snaps) {
    const id = snap.chunk.id;
    const was = reusable.get(id);
    const prevChunk = was !== undefined && was.chunk === snap.chunk ? was : undefined;
    internFills(snap.chunk, schema);
    const batchFiles: ImagedBatch[] = [];
    for (let b = 0; b < snap.nBatches; b++) {
      const batch = snap.chunk.batches[b]!;
      const name = batchFileName(baseName, id, b);
      const old = prevChunk?.batchFiles[b];
      let file: StoreImageFile | null = null;
      if (old !== undefined && old.batch === batch) file = await linkFile(path.join(previous!.dir, old.file.name), dir, name, old.file);
      if (file === null) {
        const batchMeta: ImageMeta = {
          ...meta, kind: 'batch', chunk: { id, batches: snap.nBatches, bufferRows: snap.bufferLen, batch: b }, stats: storedStats(batch, schema),
        };
        file = await writeFileSynced(dir, name, batchIpc(snap, b, schema, batchMeta));
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      files.push(file);
      batchFiles.push({ batch, file });
    }
    const name = chunkFileName(baseName, id);
    let file: StoreImageFile | null = null;
    const prevHead = prevChunk?.file ?? null;
    if (prevHead !== null && unchanged(snap, prevChunk!)) file = await linkFile(path.join(previous!.dir, prevHead.name), dir, name, prevHead);
    if (file === null) {
      const headMeta: ImageMeta = {
        ...meta, kind: 'chunk', chunk: { id, batches: snap.nBatches, bufferRows: snap.bufferLen }, deletedBatches: sealedDeletes(snap),
        sealedBatches: snap.chunk.batches.slice(0, snap.nBatches).map((batch) => [batch.bytes, storedStats(batch, schema)] as const),
      };
      file = await writeFileSynced(dir, name, headIpc(snap, schema, headMeta));
    }
    files.push(file);
    chunks.set(id, imagedChunk(snap, file, batchFiles));
  }
  return { dir, name: image.name, sealRows: image.sealRows, chunkRows: image.chunkRows, schema, files, chunks };
}

/** Hard-links `from` as `dir/name`; null when the file system will not (the caller writes the file instead). */
async function linkFile(from: string, dir: string, name: string, was: StoreImageFile): Promise<StoreImageFile | null> {
  const to = path.join(dir, name);
  try {
    await fsp.link(from, to);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // out of space or I/O trouble fails the checkpoint like a write would; anything else: write it
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EIO') throw e;
    await fsp.rm(to, { force: true });
    return null;
  }
  return { name, bytes: was.bytes, ...checksumFields(was), linked: true };
}

async function writeFileSynced(dir: string, name: string, bytes: Uint8Array): Promise<StoreImageFile> {
  const fh = await fsp.open(path.join(dir, name), 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return { name, bytes: bytes.length, ...fileChecksum(bytes) };
}

function ipcFile(schema: ArrowSchema, batches: readonly RecordBatch[]): Uint8Array {
  const w = new RecordBatchFileWriter();
  w.reset(undefined, schema);
  for (const b of batches) w.write(b);
  w.finish();
  return w.toUint8Array(true);
}

function arrowTypeOf(l: ColumnLayout): DataType {
  switch (l.kind) {
    case 'num': return new Float64();
    case 'bool': return new Bool();
    // dictionary ids must be unique within a schema: the column id is
    case 'dict': return new Dictionary(new Utf8(), new Int32(), l.id, false);
    default: return new Utf8();
  }
}

function columnFields(schema: Schema, withDeleted: boolean): Field[] {
  const fields = schema.columns.map((c) => {
    const md = new Map([
      [FIELD_COLUMN_ID, String(c.id)],
      [FIELD_SQL_TYPE, formatType(c.type)],
    ]);
    return new Field(c.name, arrowTypeOf(schema.layout(c.id)), true, md);
  });
  if (withDeleted) fields.push(new Field(DELETED_FIELD_NAME, new Bool(), false, new Map([[FIELD_DELETED, 'true']])));
  return fields;
}

/**
 * Rows predating a text column read as its fill, interned into the chunk dictionary; intern it
 * before anything is written so the head's dictionary covers every string a batch file holds.
 */
function internFills(chunk: Chunk, schema: Schema): void {
  for (const c of schema.columns) {
    const l = schema.layout(c.id);
    const fill = schema.fill(l.id);
    if (l.kind === 'dict' && fill !== null) chunk.dictOf(l.id).intern(String(fill));
  }
}

/** Deletion bitmaps of the sealed batches that have deleted rows: [batch index, Arrow bit-packed bitmap as base64]. */
function sealedDeletes(snap: ChunkSnap): [number, string][] {
  const out: [number, string][] = [];
  const sr = snap.chunk.sealRows;
  for (let b = 0; b < snap.nBatches; b++) {
    const del = snap.deletes[b] ?? null;
    if (del !== null && del.includes(1)) out.push([b, Buffer.from(bits(del, sr)).toString('base64')]);
  }
  return out;
}

/** The batch's statistics of the schema's columns it keeps them for (NaN bounds never occur: min/max skip NaN). */
function storedStats(batch: SealedBatch, schema: Schema): StoredColumnStats[] {
  const out: StoredColumnStats[] = [];
  for (const c of schema.columns) {
    const s = batch.stats.cols.get(c.id);
    if (s === undefined) continue;
    out.push([c.id, storeBound(s.min), storeBound(s.max), s.nullCount, s.hasNaN, s.ordered]);
  }
  return out;
}

/** A sealed batch's rows; a text column's dictionary is the strings this batch uses, in order of first use. */
function batchIpc(snap: ChunkSnap, b: number, schema: Schema, meta: ImageMeta): Uint8Array {
  const fields = columnFields(schema, false);
  const arrowSchema = new ArrowSchema(fields, new Map([[META_KEY, JSON.stringify(meta)]]));
  const len = snap.segLen(b);
  const children: Data[] = schema.columns.map((c, j) => {
    const l = schema.layout(c.id);
    const v = snap.read(b, l, 0, len, schema.fill(l.id));
    if (v.tag !== 'dict') return columnData(l, fields[j]!.type, v, new Map());
    const { codes, strings } = localDictionary(v.codes, v.nulls, v.dict, len);
    return makeData({
      type: fields[j]!.type as Dictionary<Utf8, Int32>, length: len, ...validityOf(v.nulls, len), data: codes, dictionary: makeVector(utf8Data(strings, 0, strings.length)),
    });
  });
  return ipcFile(arrowSchema, [new RecordBatch(arrowSchema, makeData({ type: new Struct(fields), length: len, nullCount: 0, children }))]);
}

/** Codes renumbered into a dictionary of only the strings they use (NULL rows get code 0). */
function localDictionary(codes: Int32Array, nulls: Uint8Array | null, dict: readonly string[], n: number): { codes: Int32Array; strings: string[] } {
  const local = new Int32Array(n);
  const strings: string[] = [];
  const remap = new Int32Array(dict.length).fill(-1);
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const c = codes[i]!;
    let k = remap[c]!;
    if (k < 0) {
      k = remap[c] = strings.length;
      strings.push(dict[c]!);
    }
    local[i] = k;
  }
  return { codes: local, strings };
}

/** The chunk head: the append buffer's rows (one record batch, possibly empty) over the chunk's whole dictionaries. */
function headIpc(snap: ChunkSnap, schema: Schema, meta: ImageMeta): Uint8Array {
  const chunk = snap.chunk;
  const layouts = schema.columns.map((c) => schema.layout(c.id));
  const fields = columnFields(schema, true);
  const arrowSchema = new ArrowSchema(fields, new Map([[META_KEY, JSON.stringify(meta)]]));
  const dicts = new Map<number, ArrowVector<Utf8>>();
  for (const l of layouts) {
    if (l.kind !== 'dict') continue;
    const d = chunk.dictOf(l.id);
    dicts.set(l.id, makeVector(utf8Data(d.values, 0, d.size)));
  }
  const b = snap.nBatches;
  const len = snap.bufferLen;
  const children: Data[] = layouts.map((l, j) => columnData(l, fields[j]!.type, snap.read(b, l, 0, len, schema.fill(l.id)), dicts));
  children.push(deletedData(snap.deletes[b] ?? null, len));
  return ipcFile(arrowSchema, [new RecordBatch(arrowSchema, makeData({ type: new Struct(fields), length: len, nullCount: 0, children }))]);
}

function bits(bytes: Uint8Array | null, n: number): Uint8Array {
  const out = new Uint8Array((n + 7) >> 3);
  if (bytes !== null) {
    const m = Math.min(n, bytes.length);
    for (let i = 0; i < m; i++) if (bytes[i] === 1) out[i >> 3]! |= 1 << (i & 7);
  }
  return out;
}

function deletedData(del: Uint8Array | null, n: number): Data {
  return makeData({ type: new Bool(), length: n, nullCount: 0, data: bits(del, n) });
}

function columnData(l: ColumnLayout, type: DataType, v: Vector, dicts: ReadonlyMap<number, ArrowVector<Utf8>>): Data {
  const n = v.length;
  switch (v.tag) {
    case 'number':
      return makeData({ type: type as Float64, length: n, ...validityOf(v.nulls, n), data: v.values });
    case 'bool':
      return makeData({ type: type as Bool, length: n, ...validityOf(v.nulls, n), data: bits(v.values, n) });
    case 'dict':
      return makeData({ type: type as Dictionary<Utf8, Int32>, length: n, ...validityOf(v.nulls, n), data: v.codes, dictionary: dicts.get(l.id)! });
    case 'object': {
      const strs = new Array<string>(n);
      const nulls = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const x: Value = v.values[i] ?? null;
        if (x === null) {
          nulls[i] = 1;
          strs[i] = '';
        } else strs[i] = l.kind === 'str' ? (x as string) : Buffer.from(encodeValue(x)).toString('base64');
      }
      const u = utf8Data(strs, 0, n);
      return makeData({ type: type as Utf8, length: n, ...validityOf(nulls, n), valueOffsets: u.valueOffsets, data: u.values });
    }
  }
}
