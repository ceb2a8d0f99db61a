/**
 * Checkpoint images of a table store: captured synchronously (references to the
 * latest, immutable version), then written asynchronously as Arrow IPC files, one
 * per storage chunk, holding every stored row (deleted ones too, flagged in
 * `__deleted`, so positions and row ids survive) plus a meta file describing the
 * store. Restore: store-restore.ts.
 *
 * Incremental images: given the store's previous written image, a chunk whose
 * snapshot did not change since (same Chunk, batch and buffer counts, the same
 * copy-on-write deletion bitmaps) under the same schema is hard-linked from the
 * previous directory instead of rewritten: the bytes, and so the size and CRC,
 * are those of the file the previous image wrote for it.
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
import type { StoreImageState, TableStore } from '../table/table-store.js';
import type { ChunkSnap } from '../table/version.js';
import { formatType } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import type { Vector } from '../vector.js';
import { crc32c } from '../wal/crc32c.js';
import {
  chunkFileName, DELETED_FIELD_NAME, FIELD_COLUMN_ID, FIELD_DELETED, FIELD_SQL_TYPE, IMAGE_FORMAT, META_KEY, metaFileName, type ImageMeta,
} from './image-format.js';
import { encodeValue } from './value-codec.js';

export interface StoreImage {
  readonly name: string;
  readonly sealRows: number;
  readonly chunkRows: number;
  readonly state: StoreImageState;
}

export interface StoreImageFile {
  /** File name inside the directory written to. */
  readonly name: string;
  readonly bytes: number;
  readonly crc32c: number;
  /** A chunk file hard-linked from the previous image rather than written. */
  readonly linked?: boolean;
}

/** The snapshot state of one chunk that a chunk file holds. */
export interface ImagedChunk {
  readonly chunk: Chunk;
  readonly nBatches: number;
  readonly bufferLen: number;
  readonly deletedCount: number;
  /** The snapshot's deletion bitmaps by reference (they are copy-on-write: a change is a new array). */
  readonly deletes: readonly (Uint8Array | null)[];
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
  /** Meta file first, then one file per chunk in version order. */
  readonly files: readonly StoreImageFile[];
  /** By chunk id. */
  readonly chunks: ReadonlyMap<number, ImagedChunk>;
}

/** The same image after its directory was renamed to `dir`. */
export function relocateStoreImage(image: WrittenStoreImage, dir: string): WrittenStoreImage {
  return { ...image, dir };
}

/** What a snapshot's chunk file looks like: it can be taken over as is when nothing here changed. */
export function imagedChunk(snap: ChunkSnap, file: StoreImageFile): ImagedChunk {
  return { chunk: snap.chunk, nBatches: snap.nBatches, bufferLen: snap.bufferLen, deletedCount: snap.deletedCount, deletes: snap.deletes.slice(), file };
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
 * Writes the image as `${baseName}.meta.arrow` plus `${baseName}.c${chunkId}.arrow` per
 * chunk, each fsync'ed; yields to the event loop between record batches. A chunk unchanged
 * since `previous` (the store's last written image, whose files must still exist) is
 * hard-linked from there; when linking fails (a file system without hard links, a file
 * gone) the chunk is written. The caller fsyncs `dir` so the links are durable.
 */
export async function writeStoreImage(image: StoreImage, dir: string, baseName: string, previous?: WrittenStoreImage): Promise<WrittenStoreImage> {
  const meta = baseMeta(image);
  const schema = image.state.schema;
  const reusable = reusableChunks(image, previous);
  const files: StoreImageFile[] = [];
  const chunks = new Map<number, ImagedChunk>();
  const metaSchema = new ArrowSchema(columnFields(schema, new Map()), new Map([[META_KEY, JSON.stringify({ ...meta, kind: 'meta' })]]));
  files.push(await writeFileSynced(dir, metaFileName(baseName), ipcFile(metaSchema, [])));
  for (const snap of image.state.version.snaps) {
    const name = chunkFileName(baseName, snap.chunk.id);
    const was = reusable.get(snap.chunk.id);
    let file: StoreImageFile | null = null;
    if (was !== undefined && unchanged(snap, was)) file = await linkFile(path.join(previous!.dir, was.file.name), dir, name, was.file);
    if (file === null) {
      const chunkMeta: ImageMeta = { ...meta, kind: 'chunk', chunk: { id: snap.chunk.id, batches: snap.nBatches, bufferRows: snap.bufferLen } };
      file = await writeFileSynced(dir, name, await chunkIpc(snap, schema, chunkMeta));
    }
    files.push(file);
    chunks.set(snap.chunk.id, imagedChunk(snap, file));
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
  return { name, bytes: was.bytes, crc32c: was.crc32c, linked: true };
}

async function writeFileSynced(dir: string, name: string, bytes: Uint8Array): Promise<StoreImageFile> {
  const fh = await fsp.open(path.join(dir, name), 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return { name, bytes: bytes.length, crc32c: crc32c(bytes) };
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

function columnFields(schema: Schema, extra: ReadonlyMap<string, string>): Field[] {
  const fields = schema.columns.map((c) => {
    const md = new Map([
      [FIELD_COLUMN_ID, String(c.id)],
      [FIELD_SQL_TYPE, formatType(c.type)],
      ...extra,
    ]);
    return new Field(c.name, arrowTypeOf(schema.layout(c.id)), true, md);
  });
  fields.push(new Field(DELETED_FIELD_NAME, new Bool(), false, new Map([[FIELD_DELETED, 'true']])));
  return fields;
}

async function chunkIpc(snap: ChunkSnap, schema: Schema, meta: ImageMeta): Promise<Uint8Array> {
  const chunk = snap.chunk;
  const layouts = schema.columns.map((c) => schema.layout(c.id));
  const fields = columnFields(schema, new Map());
  const arrowSchema = new ArrowSchema(fields, new Map([[META_KEY, JSON.stringify(meta)]]));
  // Rows predating a text column read as its fill, interned into the chunk dictionary; intern it
  // first so the dictionary taken below covers every code written.
  const dicts = new Map<number, ArrowVector<Utf8>>();
  for (const l of layouts) {
    if (l.kind !== 'dict') continue;
    const fill = schema.fill(l.id);
    const d = chunk.dictOf(l.id);
    if (fill !== null) d.intern(String(fill));
    dicts.set(l.id, makeVector(utf8Data(d.values, 0, d.size)));
  }
  const batches: RecordBatch[] = [];
  const sr = chunk.sealRows;
  for (let b = 0; b <= snap.nBatches; b++) {
    const len = snap.segLen(b);
    if (len === 0) continue;
    const children: Data[] = layouts.map((l, j) => columnData(l, fields[j]!.type, snap.read(b, l, 0, len, schema.fill(l.id)), dicts));
    children.push(deletedData(snap.deletes[b] ?? null, len));
    batches.push(new RecordBatch(arrowSchema, makeData({ type: new Struct(fields), length: len, nullCount: 0, children })));
    if (len === sr) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return ipcFile(arrowSchema, batches);
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
