/**
 * What checkpoint files of a table store say about themselves: the JSON kept in
 * the Arrow schema metadata of every file (key `strata.store`) and the field
 * metadata naming columns by id. Shared by store-image.ts and store-restore.ts.
 */
import { arrayOf, T, withTypmod, type SqlType, type TypeId } from '../types/sql-type.js';
import type { ColumnSpec, UniqueKeySpec } from '../table/schema.js';

export const IMAGE_FORMAT = 1;
export const META_KEY = 'strata.store';
export const FIELD_COLUMN_ID = 'strata.column_id';
export const FIELD_SQL_TYPE = 'strata.sql_type';
export const FIELD_DELETED = 'strata.deleted';
export const DELETED_FIELD_NAME = '__deleted';

/**
 * In a chunk file, the store-wide fields (next chunk id, tail, chunk list) are those of the image
 * that first wrote the file: an unchanged chunk's file is hard-linked into later images as is.
 * Restore reads them from the meta file only; a chunk file's columns are still the store's, as a
 * schema change makes the next image rewrite every chunk.
 */
export interface ImageMeta {
  readonly format: number;
  /** 'meta': the store's description only (always written); 'chunk': one storage chunk. */
  readonly kind: 'meta' | 'chunk';
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
  /** For a chunk file: its id, sealed batches and buffered rows (its record batches are those, in order). */
  readonly chunk?: { readonly id: number; readonly batches: number; readonly bufferRows: number };
}

export function metaFileName(base: string): string {
  return `${base}.meta.arrow`;
}

export function chunkFileName(base: string, chunkId: number): string {
  return `${base}.c${chunkId}.arrow`;
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
