/**
 * A table on a data node: a versioned set of chunks. Readers take immutable
 * versions; writers work in Txns and publish a new version on commit. Schema
 * changes publish a new version over the same chunks (no rewrite of sealed data).
 */
import { SqlError, SQLSTATE } from '../errors.js';
import type { Value } from '../types/values.js';
import { Chunk } from './chunk.js';
import { StringDict } from './dict.js';
import { layoutOf } from './layout.js';
import { Schema, type ColumnSpec, type UniqueKeySpec } from './schema.js';
import { Txn, type StoreInternals, type TableTxn } from './txn.js';
import { describeKey, keyOfVectors, UniqueIndex } from './unique-index.js';
import { ChunkSnap, VersionImpl, type TableVersion } from './version.js';

export interface TableStoreOptions {
  name: string;
  columns: readonly ColumnSpec[];
  uniqueKeys?: readonly UniqueKeySpec[];
  /** Rows per sealed batch (default 65536). */
  sealRows?: number;
  /** Rows per chunk, rounded up to a multiple of sealRows (default 32 sealed batches). */
  chunkRows?: number;
  /** Text form of a value in error details (default: a plain rendering; pass the session's output function). */
  formatValue?: (v: Value, column: ColumnSpec) => string;
  /** Values rows stored before a column existed read as (ADD COLUMN ... DEFAULT); default NULL. */
  fills?: ReadonlyMap<number, Value>;
}

/** What a checkpoint image reads from a store (persist/store-image.ts); all of it immutable. */
export interface StoreImageState {
  readonly version: VersionImpl;
  readonly schema: Schema;
  readonly nextChunkId: number;
  /** The chunk appends go to next, or null when the next append opens a new chunk. */
  readonly tailChunkId: number | null;
  /** Column ids ever used (dropped ones are never reused). */
  readonly usedColumnIds: readonly number[];
}

/** A store's physical state as rebuilt from a checkpoint. */
export interface RestoredStoreState {
  readonly chunks: readonly { chunk: Chunk; deletes: (Uint8Array | null)[]; deletedCount: number }[];
  readonly tailChunkId: number | null;
  readonly nextChunkId: number;
  readonly usedColumnIds: readonly number[];
}

export function defaultFormat(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (Array.isArray(v)) return `{${v.map((e) => defaultFormat(e)).join(',')}}`;
  if (typeof v === 'object' && 'months' in v && (v as object).toString === Object.prototype.toString) {
    return `${v.months} mons ${v.days} days ${v.micros} us`;
  }
  return String(v);
}

export class TableStore {
  readonly name: string;
  readonly sealRows: number;
  readonly chunkRows: number;
  private schemaNow: Schema;
  private cur: VersionImpl;
  private idx: ReadonlyMap<string, UniqueIndex>;
  private tail: Chunk | null = null;
  private nextChunkId = 1;
  /** Dictionaries inserts intern into while there is no open tail; the next chunk adopts them. */
  private pendingDicts = new Map<number, StringDict>();
  private readonly usedIds = new Set<number>();
  private readonly fmt: (v: Value, c: ColumnSpec) => string;
  private readonly internals: StoreInternals;
  /** Open transactions holding rows for this store that are not committed or rolled back yet. */
  private readonly pendingWriters = new Set<object>();
  private noPendingWaiters: (() => void)[] = [];

  constructor(opts: TableStoreOptions) {
    this.name = opts.name;
    this.sealRows = Math.max(1, Math.floor(opts.sealRows ?? 65536));
    const per = Math.max(1, Math.ceil((opts.chunkRows ?? this.sealRows * 32) / this.sealRows));
    this.chunkRows = per * this.sealRows;
    this.fmt = opts.formatValue ?? ((v) => defaultFormat(v));
    for (const c of opts.columns) {
      if (this.usedIds.has(c.id)) throw new Error(`duplicate column id ${c.id}`);
      this.usedIds.add(c.id);
    }
    const keys = opts.uniqueKeys ?? [];
    this.schemaNow = new Schema(this.name, opts.columns.slice(), new Map(opts.fills ?? []), keys.slice());
    this.idx = new Map(keys.map((k) => [k.name, new UniqueIndex(k)] as const));
    this.cur = new VersionImpl(this.schemaNow, [], this.idx, 0);
    const self = this;
    this.internals = {
      name: this.name,
      sealRows: this.sealRows,
      schema: () => self.schemaNow,
      current: () => self.cur,
      indexes: () => self.idx,
      internDict: (id: number): StringDict => self.dictForInserts(id),
      appendChunk: () => self.openTail(),
      resetChunks: () => {
        self.tail = null;
      },
      publish: (v: VersionImpl, indexes: ReadonlyMap<string, UniqueIndex>) => {
        self.cur = v;
        self.idx = indexes;
      },
      format: (v: Value, c: ColumnSpec) => self.fmt(v, c),
      writerStarted: (txn: object) => {
        self.pendingWriters.add(txn);
      },
      writerEnded: (txn: object) => {
        if (!self.pendingWriters.delete(txn) || self.pendingWriters.size > 0 || self.noPendingWaiters.length === 0) return;
        const waiters = self.noPendingWaiters;
        self.noPendingWaiters = [];
        for (const w of waiters) w();
      },
    };
  }

  get columns(): readonly ColumnSpec[] {
    return this.schemaNow.columns;
  }

  get uniqueKeys(): readonly UniqueKeySpec[] {
    return this.schemaNow.uniqueKeys;
  }

  /** The current schema; a new object after every schema change, so identity tells whether it changed. */
  get schema(): Schema {
    return this.schemaNow;
  }

  /** Read-only state for a checkpoint image; cheap (references, no copies of data). */
  imageState(): StoreImageState {
    const tail = this.tail;
    return {
      version: this.cur,
      schema: this.schemaNow,
      nextChunkId: this.nextChunkId,
      tailChunkId: tail === null || tail.full ? null : tail.id,
      usedColumnIds: [...this.usedIds],
    };
  }

  /** A store over chunks rebuilt from a checkpoint; unique indexes are rebuilt from the live rows. */
  static restore(opts: TableStoreOptions, state: RestoredStoreState): TableStore {
    const store = new TableStore(opts);
    for (const id of state.usedColumnIds) store.usedIds.add(id);
    store.nextChunkId = state.nextChunkId;
    const snaps = state.chunks.map(({ chunk, deletes, deletedCount }) => {
      const n = chunk.batches.length;
      const d = deletes.slice(0, n + 1);
      while (d.length < n + 1) d.push(null);
      return new ChunkSnap(chunk, n, chunk.buffer, chunk.buffer.length, chunk.buffer.stats, d, deletedCount);
    });
    if (state.tailChunkId !== null) {
      const tail = state.chunks.find((c) => c.chunk.id === state.tailChunkId);
      if (tail === undefined) throw new Error(`restore of "${store.name}": tail chunk ${state.tailChunkId} is missing`);
      store.tail = tail.chunk;
    }
    store.cur = new VersionImpl(store.schemaNow, snaps, store.idx, 0);
    for (const spec of store.schemaNow.uniqueKeys) store.indexRows(store.idx.get(spec.name)!, spec);
    return store;
  }

  /** Adds the live rows of the latest version to `index`; 23505 on a duplicate key. */
  private indexRows(index: UniqueIndex, spec: UniqueKeySpec): void {
    const s = this.schemaNow;
    const v = this.cur;
    const live = (r: number) => v.isLive(r);
    for (const sb of v.scan(spec.columnIds, { withRowIds: true })) {
      const ids = sb.rowIds!;
      for (let i = 0; i < sb.batch.length; i++) {
        const k = keyOfVectors(sb.batch.columns, i);
        if (k === null) continue;
        if (index.candidates(k).length > 0) {
          const vals = spec.columnIds.map((_, j) => {
            const vec = sb.batch.columns[j]!;
            return vec.tag === 'object' ? vec.values[i]! : vec.tag === 'dict' ? vec.dict[vec.codes[i]!]! : vec.tag === 'bool' ? vec.values[i] === 1 : vec.values[i]!;
          });
          throw new SqlError(SQLSTATE.uniqueViolation, `could not create unique index "${spec.name}"`, {
            detail: `${describeKey(spec, s.columns, vals, this.fmt)} is duplicated.`,
            table: this.name,
            constraint: spec.name,
          });
        }
        index.add(k, ids[i]!, live);
      }
    }
  }

  /** Whether an open transaction holds rows for this store that it has not committed or rolled back yet. */
  hasPendingWrites(): boolean {
    return this.pendingWriters.size > 0;
  }

  /**
   * Calls `fn` once no open transaction holds pending rows for this store (right away when none does):
   * after the last one committed (its rows published) or rolled back.
   */
  whenNoPendingWrites(fn: () => void): void {
    if (this.pendingWriters.size === 0) fn();
    else this.noPendingWaiters.push(fn);
  }

  /** The committed state. */
  latest(): TableVersion {
    return this.cur;
  }

  begin(): TableTxn {
    return new Txn(this.internals);
  }

  /** Insert and commit in one step (autocommit). */
  insert(batch: Parameters<TableTxn['insert']>[0]): void {
    const t = this.begin();
    try {
      t.insert(batch);
      t.commit();
    } finally {
      if (t.active) t.rollback();
    }
  }

  private openTail(): Chunk {
    if (this.tail === null || this.tail.full) {
      const layouts = this.schemaNow.columns.map((c) => this.schemaNow.layout(c.id));
      this.tail = new Chunk(this.nextChunkId++, layouts, this.sealRows, this.chunkRows, this.pendingDicts);
      this.pendingDicts = new Map();
    }
    return this.tail;
  }

  /**
   * Where a txn interns the text it inserts: the dictionary of the chunk appends go to.
   * Without an open tail that is a dictionary the next chunk adopts, rather than a new
   * chunk: chunk ids (so row ids) then follow from commits alone, which WAL replay relies on.
   */
  private dictForInserts(id: number): StringDict {
    const t = this.tail;
    if (t !== null && !t.full) return t.dictOf(id);
    let d = this.pendingDicts.get(id);
    if (d === undefined) {
      d = new StringDict();
      this.pendingDicts.set(id, d);
    }
    return d;
  }

  private republish(schema: Schema, indexes: ReadonlyMap<string, UniqueIndex> = this.idx): void {
    this.schemaNow = schema;
    this.idx = indexes;
    this.cur = new VersionImpl(schema, this.cur.snaps, indexes, this.cur.seq + 1);
  }

  /** ALTER TABLE ADD COLUMN: existing rows read as `fill` (NULL or a constant DEFAULT); O(1) for sealed data. */
  addColumn(spec: ColumnSpec, fill: Value = null): void {
    if (this.usedIds.has(spec.id)) throw new Error(`column id ${spec.id} is already used in "${this.name}"`);
    if (spec.notNull && fill === null && this.cur.rowCount > 0) {
      throw new SqlError(SQLSTATE.notNullViolation, `column "${spec.name}" of relation "${this.name}" contains null values`, {
        table: this.name,
        column: spec.name,
      });
    }
    this.usedIds.add(spec.id);
    const s = this.schemaNow;
    const fills = new Map(s.fills);
    if (fill !== null) fills.set(spec.id, fill);
    const next = new Schema(this.name, [...s.columns, spec], fills, s.uniqueKeys);
    this.tail?.addColumn(layoutOf(spec.id, spec.type), fill);
    this.republish(next);
  }

  /** ALTER TABLE DROP COLUMN: hidden from new versions (and constraints using it go too). */
  dropColumn(id: number): void {
    const s = this.schemaNow;
    if (!s.byId.has(id)) throw new Error(`table "${this.name}" has no column with id ${id}`);
    const keys = s.uniqueKeys.filter((k) => !k.columnIds.includes(id));
    const next = new Schema(this.name, s.columns.filter((c) => c.id !== id), s.fills, keys);
    this.tail?.dropColumn(id);
    const indexes = new Map([...this.idx].filter(([name]) => keys.some((k) => k.name === name)));
    this.republish(next, indexes);
  }

  /** ALTER TABLE ... RENAME COLUMN (names only appear in messages; data is keyed by id). */
  renameColumn(id: number, name: string): void {
    const s = this.schemaNow;
    if (!s.byId.has(id)) throw new Error(`table "${this.name}" has no column with id ${id}`);
    this.republish(new Schema(this.name, s.columns.map((c) => (c.id === id ? { ...c, name } : c)), s.fills, s.uniqueKeys));
  }

  /** ALTER TABLE ... SET / DROP NOT NULL. */
  setNotNull(id: number, notNull: boolean): void {
    const s = this.schemaNow;
    const col = s.byId.get(id);
    if (!col) throw new Error(`table "${this.name}" has no column with id ${id}`);
    if (notNull && !col.notNull) this.assertNoNulls([id]);
    const next = new Schema(this.name, s.columns.map((c) => (c.id === id ? { ...c, notNull } : c)), s.fills, s.uniqueKeys);
    this.republish(next);
  }

  private assertNoNulls(ids: readonly number[]): void {
    for (const sb of this.cur.scan(ids)) {
      sb.batch.columns.forEach((v, j) => {
        const hasNull = v.tag === 'object' ? v.values.some((x) => x === null) : v.nulls !== null && v.nulls.includes(1);
        if (hasNull) {
          const c = this.schemaNow.byId.get(ids[j]!)!;
          throw new SqlError(SQLSTATE.notNullViolation, `column "${c.name}" of relation "${this.name}" contains null values`, {
            table: this.name,
            column: c.name,
          });
        }
      });
    }
  }

  /** Adds a PRIMARY KEY / UNIQUE constraint after checking the committed rows (23505 / 23502). */
  addUniqueKey(spec: UniqueKeySpec): void {
    const s = this.schemaNow;
    if (this.idx.has(spec.name)) throw new SqlError(SQLSTATE.duplicateObject, `relation "${spec.name}" already exists`);
    for (const id of spec.columnIds) if (!s.byId.has(id)) throw new Error(`table "${this.name}" has no column with id ${id}`);
    if (spec.primary) this.assertNoNulls(spec.columnIds);
    const index = new UniqueIndex(spec);
    this.indexRows(index, spec);
    const columns = spec.primary ? s.columns.map((c) => (spec.columnIds.includes(c.id) ? { ...c, notNull: true } : c)) : s.columns;
    const next = new Schema(this.name, columns, s.fills, [...s.uniqueKeys, spec]);
    this.republish(next, new Map([...this.idx, [spec.name, index]]));
  }

  dropUniqueKey(name: string): void {
    const s = this.schemaNow;
    if (!this.idx.has(name)) throw new Error(`no unique key "${name}" on "${this.name}"`);
    const next = new Schema(this.name, s.columns, s.fills, s.uniqueKeys.filter((k) => k.name !== name));
    this.republish(next, new Map([...this.idx].filter(([n]) => n !== name)));
  }

  /** Approximate bytes of the latest version. */
  bytes(): number {
    return this.cur.bytes();
  }
}
