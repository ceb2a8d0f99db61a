/**
 * Decoding and replay of table deltas (format: delta-encode.ts). Replaying the
 * deltas of a store's commits, in commit order, onto the same physical state
 * (an empty store, or a checkpoint image of it) reproduces its row ids, which
 * is what lets later deltas name deleted rows by row id.
 */
import { SqlError } from '../errors.js';
import type { TableStore } from '../table/table-store.js';
import type { StorageKind } from '../table/layout.js';
import { ROWID_CHUNK } from '../table/version.js';
import type { Value } from '../types/values.js';
import type { Batch, Vector } from '../vector.js';
import { constantVector } from '../vector.js';
import { ByteReader, DATA_CORRUPTED } from './bytes.js';
import {
  COL_HAS_NULLS, COL_OFFSETS, DELTA_HEADER_BYTES, DELTA_MAGIC, DELTA_VERSION, FLAG_TRUNCATE, KIND_BY_CODE,
} from './delta-encode.js';
import { readValue } from './value-codec.js';

export { encodeTableDelta, type TableCommitContents, type LiveRun } from './delta-encode.js';

export type DeltaColumn =
  | { readonly id: number; readonly kind: 'num'; readonly values: Float64Array; readonly nulls: Uint8Array | null }
  | { readonly id: number; readonly kind: 'bool'; readonly values: Uint8Array; readonly nulls: Uint8Array | null }
  | { readonly id: number; readonly kind: 'dict'; readonly codes: Int32Array; readonly dict: readonly string[]; readonly nulls: Uint8Array | null }
  | { readonly id: number; readonly kind: 'str' | 'obj'; readonly values: Value[] };

export interface DecodedTableDelta {
  readonly truncated: boolean;
  /** Committed rows the txn deleted. */
  readonly deletedRowIds: Float64Array;
  readonly rowCount: number;
  readonly columns: readonly DeltaColumn[];
}

export function decodeTableDelta(delta: Uint8Array, what = 'table delta'): DecodedTableDelta {
  const r = new ByteReader(delta, what);
  r.need(DELTA_HEADER_BYTES);
  if (r.u32() !== DELTA_MAGIC) throw r.corrupt('bad magic');
  const version = r.u8();
  if (version < 1 || version > DELTA_VERSION) throw r.corrupt(`unknown version ${version}`);
  const flags = r.u8();
  r.u16();
  const nCols = r.u32();
  const n = r.u32();
  const groups = r.u32();
  r.u32();
  const ids: number[] = [];
  for (let g = 0; g < groups; g++) {
    const cid = r.u32();
    const count = r.u32();
    r.need(count * 4);
    const base = cid * ROWID_CHUNK;
    for (let i = 0; i < count; i++) ids.push(base + r.u32());
  }
  const columns: DeltaColumn[] = [];
  for (let j = 0; j < nCols; j++) {
    r.align(8);
    const id = r.u32();
    const kind = KIND_BY_CODE[r.u8()];
    if (kind === undefined) throw r.corrupt(`unknown storage kind of column ${id}`);
    const colFlags = r.u8();
    const hasNulls = (colFlags & COL_HAS_NULLS) !== 0;
    const width = r.u8();
    r.u8();
    if (kind === 'num' && width !== 0 && version === 1) throw r.corrupt(`column ${id}: code width ${width} in a version 1 delta`);
    const offsets = (colFlags & COL_OFFSETS) !== 0;
    if (offsets && (kind !== 'num' || width === 0 || version < 3)) throw r.corrupt(`column ${id}: offsets from a base where there are none`);
    columns.push(offsets ? readOffsets(r, id, n, hasNulls, width) : readColumn(r, id, kind, n, hasNulls, width));
  }
  if (r.pos !== delta.length) throw r.corrupt('trailing bytes');
  return { truncated: (flags & FLAG_TRUNCATE) !== 0, deletedRowIds: Float64Array.from(ids), rowCount: n, columns };
}

function readNulls(r: ByteReader, n: number, hasNulls: boolean): Uint8Array | null {
  if (!hasNulls) return null;
  const bm = r.bytes((n + 7) >> 3);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (bm[i >> 3]! >> (i & 7)) & 1;
  return out;
}

/** A num column written as a base and unsigned offsets from it (version 3). */
function readOffsets(r: ByteReader, id: number, n: number, hasNulls: boolean, width: number): DeltaColumn {
  if (width !== 1 && width !== 2 && width !== 4) throw r.corrupt(`column ${id}: offset width ${width}`);
  r.align(8);
  const base = r.f64();
  const raw = r.copyAligned(n * width, width);
  const offsets = width === 1 ? new Uint8Array(raw) : width === 2 ? new Uint16Array(raw) : new Uint32Array(raw);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = base + offsets[i]!;
  return { id, kind: 'num', values, nulls: readNulls(r, n, hasNulls) };
}

function readColumn(r: ByteReader, id: number, kind: StorageKind, n: number, hasNulls: boolean, width: number): DeltaColumn {
  switch (kind) {
    case 'num': {
      if (width === 0) return { id, kind, values: new Float64Array(r.copyAligned(n * 8, 8)), nulls: readNulls(r, n, hasNulls) };
      if (width !== 1 && width !== 2 && width !== 4) throw r.corrupt(`column ${id}: integer width ${width}`);
      // a copy at an aligned offset (the record's bytes may not be), widened to f64
      const ints = r.copyAligned(n * width, width);
      const values = new Float64Array(n);
      values.set(width === 1 ? new Int8Array(ints) : width === 2 ? new Int16Array(ints) : new Int32Array(ints));
      return { id, kind, values, nulls: readNulls(r, n, hasNulls) };
    }
    case 'bool': {
      const values = r.bytes(n).slice();
      return { id, kind, values, nulls: readNulls(r, n, hasNulls) };
    }
    case 'dict': {
      const count = r.u32();
      if (count > r.buf.length - r.pos) throw r.corrupt(`column ${id}: dictionary longer than the record`);
      const dict = new Array<string>(count);
      for (let i = 0; i < count; i++) dict[i] = r.string();
      if (width !== 1 && width !== 2 && width !== 4) throw r.corrupt(`column ${id}: code width ${width}`);
      const codes = new Int32Array(n);
      const raw = r.copyAligned(n * width, width);
      codes.set(width === 1 ? new Uint8Array(raw) : width === 2 ? new Uint16Array(raw) : new Int32Array(raw));
      const nulls = readNulls(r, n, hasNulls);
      for (let i = 0; i < n; i++) {
        if (codes[i]! >= count && !(nulls !== null && nulls[i] === 1)) throw r.corrupt(`column ${id}: code out of range`);
      }
      return { id, kind, codes, dict, nulls };
    }
    default: {
      const len = r.u32();
      const end = r.pos + len;
      r.need(len);
      const values = new Array<Value>(n);
      for (let i = 0; i < n; i++) values[i] = readValue(r);
      if (r.pos !== end) throw r.corrupt(`column ${id}: value bytes do not match their length`);
      return { id, kind, values };
    }
  }
}

/**
 * Replays a delta onto `store` as one transaction: truncate when flagged, the deletes,
 * then the rows (in the store's current column order; a store column the delta lacks
 * gets the column's fill). XX001 when the delta does not fit the store.
 */
export function applyTableDelta(store: TableStore, delta: Uint8Array): void {
  const d = decodeTableDelta(delta, `table delta for "${store.name}"`);
  const batch = d.rowCount > 0 ? batchFor(store, d) : null;
  const txn = store.begin();
  try {
    if (d.truncated) txn.truncate();
    if (d.deletedRowIds.length > 0) {
      const deleted = txn.delete(d.deletedRowIds);
      if (deleted !== d.deletedRowIds.length) {
        throw new SqlError(
          DATA_CORRUPTED,
          `table delta for "${store.name}" deletes ${d.deletedRowIds.length - deleted} rows that are not live in it`,
          { table: store.name },
        );
      }
    }
    if (batch !== null) txn.insert(batch, { owned: true });
    txn.commit();
  } finally {
    if (txn.active) txn.rollback();
  }
}

function batchFor(store: TableStore, d: DecodedTableDelta): Batch {
  const schema = store.schema;
  const byId = new Map<number, DeltaColumn>();
  for (const c of d.columns) {
    const l = schema.layouts.get(c.id);
    if (l === undefined) {
      throw new SqlError(DATA_CORRUPTED, `table delta names column id ${c.id}, which table "${store.name}" does not have`, { table: store.name });
    }
    if (l.kind !== c.kind) {
      throw new SqlError(DATA_CORRUPTED, `table delta stores column id ${c.id} of table "${store.name}" as ${c.kind}, the table as ${l.kind}`, {
        table: store.name,
      });
    }
    byId.set(c.id, c);
  }
  const n = d.rowCount;
  const columns: Vector[] = schema.columns.map((col) => {
    const type = col.type;
    const c = byId.get(col.id);
    if (c === undefined) {
      const fill = schema.fill(col.id);
      if (schema.layout(col.id).kind !== 'dict') return constantVector(type, fill, n);
      return fill === null
        ? { tag: 'dict', type, length: n, codes: new Int32Array(n), dict: [], nulls: new Uint8Array(n).fill(1) }
        : { tag: 'dict', type, length: n, codes: new Int32Array(n), dict: [String(fill)], nulls: null };
    }
    switch (c.kind) {
      case 'num': return { tag: 'number', type, length: n, values: c.values, nulls: c.nulls };
      case 'bool': return { tag: 'bool', type, length: n, values: c.values, nulls: c.nulls };
      case 'dict': return { tag: 'dict', type, length: n, codes: c.codes, dict: c.dict, nulls: c.nulls };
      default: return { tag: 'object', type, length: n, values: c.values };
    }
  });
  return { length: n, columns };
}
