/**
 * What checkpoint files of a table store say about themselves: the JSON kept in
 * the Arrow schema metadata of every file (key `strata.store`) and the field
 * metadata naming columns by id. Shared by store-image.ts and store-restore.ts.
 */
import { arrayOf, T, withTypmod, type SqlType, type TypeId } from '../types/sql-type.js';
import type { ColumnSpec, UniqueKeySpec } from '../table/schema.js';

/**
 * 2: a file per sealed batch plus a chunk head (store-image.ts). 1 (one file per chunk) is
 * refused: it was written before version 2 existed, by development builds only.
 */
export const IMAGE_FORMAT = 2;
export const META_KEY = 'strata.store';
export const FIELD_COLUMN_ID = 'strata.column_id';
export const FIELD_SQL_TYPE = 'strata.sql_type';
export const FIELD_DELETED = 'strata.deleted';
export const DELETED_FIELD_NAME = '__deleted';

/**
 * In a chunk head or batch file, the store-wide fields (next chunk id, tail, chunk list) are those
 * of the image that first wrote the file: unchanged files are hard-linked into later images as is.
 * Restore reads them from the meta file only; such a file's columns are still the store's, as a
 * schema change makes the next image rewrite every file.
 */
export interface ImageMeta {
  readonly format: number;
  /** 'meta': the store's description only (always written); 'chunk': a storage chunk's head; 'batch': one of its sealed batches. */
  readonly kind: 'meta' | 'chunk' | 'batch';
  readonly store: string;
  readonly sealRows: number;
  readonly chunkRows: number;
  readonly nextChunkId: number;
  readonly tailChunkId: number | null;
  readonly usedColumnIds: readonly number[];
  readonly columns: readonly ColumnSpec[];
  readonly uniqueKeys: readonly UniqueKeySpec[];
  /** [column id, value codec bytes as base64] for columns added with a non-NULL default. */
  readonly fills: readonly [number, string][];
  /** Chunks of the image in version order (meta file). */
  readonly chunkIds: readonly number[];
  /**
   * For a chunk head or batch file: the chunk's id, sealed batches and buffered rows when the file
   * was written, and for a batch file its index (a head's one record batch is the buffer).
   */
  readonly chunk?: { readonly id: number; readonly batches: number; readonly bufferRows: number; readonly batch?: number };
  /** Chunk head: [sealed batch index, deletion bitmap (Arrow bit order) as base64] for batches with deleted rows. */
  readonly deletedBatches?: readonly [number, string][];
  /**
   * Batch file: the batch's column statistics as the engine kept them, so a restart need not
   * recompute them (files written before this field have none: they are computed then).
   */
  readonly stats?: readonly StoredColumnStats[];
  /**
   * Chunk head: per sealed batch (by index), its size in memory and column statistics, so a restart
   * can leave the batch files unread until a query needs them (heads written before this field
   * have none: their batches are loaded at restart).
   */
  readonly sealedBatches?: readonly StoredBatchInfo[];
}

/** [bytes in memory, column statistics] of a sealed batch, in its chunk's head. */
export type StoredBatchInfo = [number, readonly StoredColumnStats[]];

/** A bound in JSON: a finite number, a non-finite one as its name, a string, a boolean, or none. */
export type StoredBound = ['n', number] | ['x', 'Infinity' | '-Infinity'] | ['s', string] | ['b', boolean] | null;

/** [column id, min, max, NULL count, has NaN, ordered]: ColumnStats in a batch file's metadata. */
export type StoredColumnStats = [number, StoredBound, StoredBound, number, boolean, boolean];

export function storeBound(v: number | string | boolean | null): StoredBound {
  if (v === null) return null;
  if (typeof v === 'string') return ['s', v];
  if (typeof v === 'boolean') return ['b', v];
  if (Number.isFinite(v)) return ['n', v];
  if (v === Infinity) return ['x', 'Infinity'];
  if (v === -Infinity) return ['x', '-Infinity'];
  throw new Error(`bound ${v} cannot be stored`);
}

export function loadBound(b: StoredBound): number | string | boolean | null {
  if (b === null) return null;
  switch (b[0]) {
    case 'n':
    case 's':
    case 'b':
      return b[1];
    case 'x':
      return b[1] === 'Infinity' ? Infinity : -Infinity;
    default:
      throw new Error('unknown bound tag');
  }
}

export function metaFileName(base: string): string {
  return `${base}.meta.arrow`;
}

/** The chunk head. */
export function chunkFileName(base: string, chunkId: number): string {
  return `${base}.c${chunkId}.arrow`;
}

export function batchFileName(base: string, chunkId: number, batch: number): string {
  return `${base}.c${chunkId}.b${batch}.arrow`;
}

/** A type read back from JSON, as the shared instances types.ts hands out. */
export function canonicalType(t: { id: TypeId; typmod: number; elem?: unknown }): SqlType {
  if (t.id === 'array') {
    if (t.elem === undefined || t.elem === null) throw new Error('array type without element type');
    const a = arrayOf(canonicalType(t.elem as { id: TypeId; typmod: number }));
    return t.typmod === -1 ? a : withTypmod(a, t.typmod);
  }
  const base = (T as Record<string, SqlType>)[t.id];
  if (base === undefined) throw new Error(`unknown type "${String(t.id)}"`);
  return withTypmod(base, t.typmod);
}
