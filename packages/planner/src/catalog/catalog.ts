/**
 * The access node's catalog: schemas, tables, views and sequences. DDL mutates
 * it in place and records an undo action in the running transaction, so a
 * rolled-back CREATE/ALTER/DROP leaves no trace.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import type { TableStore } from '../../../storage/src/table/index.js';
import type { SelectStmt } from '../parse/ast.js';
import { clipUtf8, MAX_IDENTIFIER_BYTES } from '../parse/tokenizer.js';
import { DataNode } from '../../../storage/src/node/data-node.js';
import type { ChunkInfo, DataNodeInfo, HypertableInfo } from './hypertable.js';
import { chunkKey } from './hypertable.js';

export interface ColumnInfo {
  /** stable storage column id (TableStore) */
  readonly id: number;
  name: string;
  type: SqlType;
  notNull: boolean;
  /** bound DEFAULT expression (no column refs), or a serial sequence name */
  default?: ExprNode;
  defaultText?: string;
  /** the sequence a serial column owns (OWNED BY: dropped with the column) */
  serialSequence?: string;
  /**
   * True once SET DEFAULT or DROP DEFAULT replaced a serial column's nextval() default (the column
   * keeps owning its sequence, as in PostgreSQL); absent: the default is nextval(serialSequence).
   */
  serialDefaultReplaced?: boolean;
  /** pg_attrdef.oid while the column has a default (a serial's too): a new one each time a default is set */
  defaultOid?: number;
  /** pg_attribute.attnum: position among all columns ever added, 1-based */
  readonly attnum: number;
}

export interface ConstraintInfo {
  /** pg_constraint.oid, assigned at creation and kept in catalog images */
  readonly oid: number;
  name: string;
  kind: 'primary_key' | 'unique' | 'check';
  columnIds: number[];
  /** CHECK constraints: bound over the table's live columns in order */
  check?: ExprNode;
  /**
   * A unique key that CREATE UNIQUE INDEX made: enforced like a UNIQUE constraint (and usable by
   * ON CONFLICT), but not a constraint in pg_constraint or information_schema, as in PostgreSQL.
   */
  indexOnly?: boolean;
  checkText?: string;
}

export interface IndexInfo {
  name: string;
  oid: number;
  table: TableInfo;
  columns: string[];
  unique: boolean;
  definition: string;
}

export interface TableInfo {
  readonly oid: number;
  kind: 'table' | 'view';
  schema: string;
  name: string;
  columns: ColumnInfo[];
  constraints: ConstraintInfo[];
  nextAttnum: number;
  nextColumnId: number;
  store?: TableStore;
  view?: { query: SelectStmt; text: string; columnNames?: string[] };
  /** set when the table becomes a hypertable */
  hypertable?: HypertableInfo;
}

export interface SequenceInfo {
  /** pg_class.oid, assigned at creation and kept in catalog images */
  readonly oid: number;
  name: string;
  value: number;
  called: boolean;
}

export interface SchemaInfo {
  readonly oid: number;
  readonly name: string;
}

export type UndoAction = () => void;

/** The id counters: a catalog image carries them so that WAL replay after a restart allocates the same ids. */
export interface CatalogCounters {
  nextOid: number;
  nextHypertableId: number;
  nextChunkId: number;
  nextDimensionId: number;
}

/** A setting default stored by ALTER SYSTEM (database null) or ALTER DATABASE … SET: the value as given, validated. */
export interface StoredSetting {
  database: string | null;
  /** canonical (lower-case) setting name */
  name: string;
  value: string;
}

/** Everything a Catalog holds (the objects themselves, maps in insertion order), for catalog images (persist.ts). */
export interface CatalogParts {
  schemas: SchemaInfo[];
  tables: TableInfo[];
  /** each index with the schema it is registered under */
  indexes: { schema: string; index: IndexInfo }[];
  sequences: SequenceInfo[];
  dataNodes: DataNodeInfo[];
  counters: CatalogCounters;
  version: number;
  /** absent in images written before stored settings existed */
  storedSettings?: StoredSetting[];
}

export type ChunkChange = { kind: 'create'; table: TableInfo; chunk: ChunkInfo } | { kind: 'drop'; table: TableInfo; chunks: readonly ChunkInfo[] };

export class Catalog {
  private readonly schemas = new Map<string, SchemaInfo>();
  private readonly tables = new Map<string, TableInfo>();
  private readonly indexes = new Map<string, IndexInfo>();
  readonly sequences = new Map<string, SequenceInfo>();
  private nextOid = 16_384;
  /** bumped on every DDL so cached plans can tell they are stale */
  version = 0;
  private readonly dataNodes = new Map<string, DataNodeInfo>();
  /** ALTER SYSTEM / ALTER DATABASE … SET defaults, keyed by storedSettingKey, in the order they were first set */
  private readonly storedSettings = new Map<string, StoredSetting>();
  /** where the chunks of non-distributed hypertables live: the access node itself */
  readonly localNode = new DataNode('');
  private nextHypertableId = 1;
  private nextChunkId = 1;
  /** Ranges whose chunks an open transaction dropped (see dropChunks), by hypertable and chunk key. */
  private readonly droppingChunks = new WeakMap<HypertableInfo, Map<string, { chunk: ChunkInfo; owner: readonly UndoAction[] }>>();
  private nextDimensionId = 1;
  /**
   * Told of every chunk created or dropped, with the undo log of the transaction doing it (right after its undo
   * action was pushed): the durability layer logs chunk changes per transaction instead of whole catalog images.
   */
  chunkObserver: ((undo: readonly UndoAction[], change: ChunkChange) => void) | null = null;

  constructor() {
    this.schemas.set('pg_catalog', { oid: 11, name: 'pg_catalog' });
    this.schemas.set('public', { oid: 2200, name: 'public' });
    this.schemas.set('information_schema', { oid: 13_000, name: 'information_schema' });
    this.schemas.set('timescaledb_information', { oid: 13_100, name: 'timescaledb_information' });
  }

  allocOid(): number {
    return this.nextOid++;
  }

  /** The catalog's contents for a catalog image; the objects are shared, not copied. */
  parts(): CatalogParts {
    return {
      schemas: [...this.schemas.values()],
      tables: [...this.tables.values()],
      indexes: [...this.indexes].map(([k, index]) => ({ schema: k.slice(0, k.indexOf('\u0000')), index })),
      sequences: [...this.sequences.values()],
      dataNodes: [...this.dataNodes.values()],
      counters: { nextOid: this.nextOid, nextHypertableId: this.nextHypertableId, nextChunkId: this.nextChunkId, nextDimensionId: this.nextDimensionId },
      version: this.version,
      storedSettings: [...this.storedSettings.values()].map((x) => ({ ...x })),
    };
  }

  /**
   * A catalog holding exactly `parts` (adopted, not copied), in their order. The caller has
   * validated them (unique names, known schemas) and registers chunk stores on the nodes.
   */
  static fromParts(parts: CatalogParts): Catalog {
    const c = new Catalog();
    c.schemas.clear();
    for (const s of parts.schemas) c.schemas.set(s.name, s);
    for (const t of parts.tables) c.tables.set(c.key(t.schema, t.name), t);
    for (const { schema, index } of parts.indexes) c.indexes.set(c.key(schema, index.name), index);
    for (const s of parts.sequences) c.sequences.set(s.name, s);
    for (const n of parts.dataNodes) c.dataNodes.set(n.name, n);
    c.nextOid = parts.counters.nextOid;
    c.nextHypertableId = parts.counters.nextHypertableId;
    c.nextChunkId = parts.counters.nextChunkId;
    c.nextDimensionId = parts.counters.nextDimensionId;
    c.version = parts.version;
    for (const x of parts.storedSettings ?? []) c.storedSettings.set(storedSettingKey(x.database, x.name), { ...x });
    return c;
  }

  // ---- stored setting defaults (ALTER SYSTEM, ALTER DATABASE … SET) ----------

  /** The stored defaults of one scope (null = ALTER SYSTEM), in the order they were first set. */
  listStoredSettings(database: string | null): StoredSetting[] {
    return [...this.storedSettings.values()].filter((x) => x.database === database).map((x) => ({ ...x }));
  }

  /**
   * Store (value) or remove (undefined) one default; undone by ROLLBACK. Always leaves an undo
   * action, which is also what makes the durability layer log a catalog image for the commit.
   */
  setStoredSetting(database: string | null, name: string, value: string | undefined, undo: UndoAction[]): void {
    const k = storedSettingKey(database, name);
    const before = this.storedSettings.get(k);
    // entries are replaced, never mutated: parts() and the undo action may still hold the old one
    if (value === undefined) this.storedSettings.delete(k);
    else this.storedSettings.set(k, { database, name, value });
    undo.push(() => {
      if (before) this.storedSettings.set(k, before);
      else this.storedSettings.delete(k);
    });
  }

  getSchema(name: string): SchemaInfo | undefined {
    return this.schemas.get(name);
  }

  listSchemas(): SchemaInfo[] {
    return [...this.schemas.values()];
  }

  createSchema(name: string, ifNotExists: boolean, undo: UndoAction[]): boolean {
    if (this.schemas.has(name)) {
      if (ifNotExists) return false;
      throw new SqlError(SQLSTATE.duplicateSchema, `schema "${name}" already exists`);
    }
    this.schemas.set(name, { oid: this.allocOid(), name });
    this.version++;
    undo.push(() => {
      this.schemas.delete(name);
      this.version++;
    });
    return true;
  }

  dropSchema(name: string, ifExists: boolean, cascade: boolean, undo: UndoAction[]): boolean {
    const s = this.schemas.get(name);
    if (!s) {
      if (ifExists) return false;
      throw new SqlError(SQLSTATE.undefinedSchema, `schema "${name}" does not exist`);
    }
    const members = [...this.tables.values()].filter((t) => t.schema === name);
    if (members.length > 0 && !cascade) {
      throw new SqlError(SQLSTATE.dependentObjectsStillExist, `cannot drop schema ${name} because other objects depend on it`, {
        hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
      });
    }
    for (const t of members) this.dropTable(t, undo);
    this.schemas.delete(name);
    this.version++;
    undo.push(() => {
      this.schemas.set(name, s);
      this.version++;
    });
    return true;
  }

  private key(schema: string, name: string): string {
    return `${schema}\u0000${name}`;
  }

  /** Resolve a possibly unqualified relation name along the search path. */
  findTable(schema: string | undefined, name: string, searchPath: readonly string[] = ['public']): TableInfo | undefined {
    if (schema !== undefined) return this.tables.get(this.key(schema, name));
    for (const s of searchPath) {
      const t = this.tables.get(this.key(s, name));
      if (t) return t;
    }
    return undefined;
  }

  getTable(schema: string | undefined, name: string, searchPath?: readonly string[]): TableInfo {
    if (schema !== undefined && !this.schemas.has(schema)) {
      throw new SqlError(SQLSTATE.undefinedSchema, `schema "${schema}" does not exist`);
    }
    const t = this.findTable(schema, name, searchPath);
    if (!t) {
      const shown = schema !== undefined ? `${schema}.${name}` : name;
      throw new SqlError(SQLSTATE.undefinedTable, `relation "${shown}" does not exist`);
    }
    return t;
  }

  listTables(): TableInfo[] {
    return [...this.tables.values()];
  }

  addTable(t: TableInfo, undo: UndoAction[]): void {
    if (!this.schemas.has(t.schema)) throw new SqlError(SQLSTATE.undefinedSchema, `schema "${t.schema}" does not exist`);
    const k = this.key(t.schema, t.name);
    if (this.tables.has(k) || this.indexes.has(k)) throw new SqlError(SQLSTATE.duplicateTable, `relation "${t.name}" already exists`);
    this.tables.set(k, t);
    this.version++;
    undo.push(() => {
      this.tables.delete(k);
      this.version++;
    });
  }

  dropTable(t: TableInfo, undo: UndoAction[]): void {
    const k = this.key(t.schema, t.name);
    this.tables.delete(k);
    const droppedIndexes = [...this.indexes.entries()].filter(([, ix]) => ix.table === t);
    for (const [ik] of droppedIndexes) this.indexes.delete(ik);
    const seqs = t.columns.filter((c) => c.serialSequence).map((c) => [c.serialSequence!, this.sequences.get(c.serialSequence!)] as const);
    for (const [s] of seqs) this.sequences.delete(s);
    this.version++;
    undo.push(() => {
      this.tables.set(k, t);
      for (const [ik, ix] of droppedIndexes) this.indexes.set(ik, ix);
      for (const [s, info] of seqs) if (info) this.sequences.set(s, info);
      this.version++;
    });
  }

  renameTable(t: TableInfo, newName: string, undo: UndoAction[]): void {
    const oldKey = this.key(t.schema, t.name);
    const newKey = this.key(t.schema, newName);
    if (this.tables.has(newKey)) throw new SqlError(SQLSTATE.duplicateTable, `relation "${newName}" already exists`);
    const oldName = t.name;
    this.tables.delete(oldKey);
    t.name = newName;
    this.tables.set(newKey, t);
    this.version++;
    undo.push(() => {
      this.tables.delete(newKey);
      t.name = oldName;
      this.tables.set(oldKey, t);
      this.version++;
    });
  }

  findIndex(schema: string, name: string): IndexInfo | undefined {
    return this.indexes.get(this.key(schema, name));
  }

  listIndexes(): IndexInfo[] {
    return [...this.indexes.values()];
  }

  addIndex(ix: IndexInfo, schema: string, undo: UndoAction[]): void {
    const k = this.key(schema, ix.name);
    if (this.indexes.has(k) || this.tables.has(k)) throw new SqlError(SQLSTATE.duplicateTable, `relation "${ix.name}" already exists`);
    this.indexes.set(k, ix);
    this.version++;
    undo.push(() => {
      this.indexes.delete(k);
      this.version++;
    });
  }

  dropIndex(schema: string, name: string, undo: UndoAction[]): void {
    const k = this.key(schema, name);
    const ix = this.indexes.get(k);
    if (!ix) return;
    this.indexes.delete(k);
    this.version++;
    undo.push(() => {
      this.indexes.set(k, ix);
      this.version++;
    });
  }

  /**
   * A relation name not yet used in the schema, as PostgreSQL chooses one (ChooseRelationName):
   * `t_col_idx`, then `t_col_idx1`, …, with name1 and name2 shortened to fit 63 bytes.
   */
  uniqueRelationName(schema: string, name1: string, name2: string | undefined, label: string): string {
    let name = makeObjectName(name1, name2, label);
    for (let i = 1; this.tables.has(this.key(schema, name)) || this.indexes.has(this.key(schema, name)); i++) {
      name = makeObjectName(name1, name2, `${label}${i}`);
    }
    return name;
  }

  // ---- data nodes and hypertables ----------------------------------------

  listDataNodes(): DataNodeInfo[] {
    return [...this.dataNodes.values()];
  }

  findDataNode(name: string): DataNodeInfo | undefined {
    return this.dataNodes.get(name);
  }

  getDataNode(name: string): DataNodeInfo {
    const n = this.dataNodes.get(name);
    if (!n) throw new SqlError(SQLSTATE.undefinedObject, `server "${name}" does not exist`);
    return n;
  }

  addDataNode(info: DataNodeInfo, undo: UndoAction[]): void {
    this.dataNodes.set(info.name, info);
    this.version++;
    undo.push(() => {
      this.dataNodes.delete(info.name);
      this.version++;
    });
  }

  removeDataNode(name: string, undo: UndoAction[]): void {
    const n = this.dataNodes.get(name);
    if (!n) return;
    this.dataNodes.delete(name);
    this.version++;
    undo.push(() => {
      this.dataNodes.set(name, n);
      this.version++;
    });
  }

  allocHypertableId(): number {
    return this.nextHypertableId++;
  }

  allocDimensionId(): number {
    return this.nextDimensionId++;
  }

  /** The store of a chunk replica on a node ('' = the access node's local store). */
  nodeFor(name: string): DataNode {
    if (name === '') return this.localNode;
    return this.getDataNode(name).node;
  }

  /** Create a chunk and its replica stores; undone by ROLLBACK. */
  createChunk(
    table: TableInfo,
    spec: { timeStart: number; timeEnd: number; spaceIndex: number; numPartitions: number; nodes: string[] },
    undo: UndoAction[],
    /** WAL replay recreates a chunk under the id it was logged with */
    replayId?: number,
  ): ChunkInfo {
    const ht = table.hypertable!;
    const id = replayId ?? this.nextChunkId++;
    if (id >= this.nextChunkId) this.nextChunkId = id + 1;
    const name = `${ht.distributed ? '_dist_hyper' : '_hyper'}_${ht.id}_${id}_chunk`;
    const stores = new Map<string, TableStore>();
    const columns = table.store!.columns.map((c) => ({ ...c }));
    const uniqueKeys = table.store!.uniqueKeys.map((k) => ({ ...k, name: `${id}_${k.name}` }));
    for (const n of spec.nodes) stores.set(n, this.nodeFor(n).createChunk(id, { name, columns, uniqueKeys }));
    const chunk: ChunkInfo = { id, name, schema: '_timescaledb_internal', ...spec, nodes: [...spec.nodes], stores };
    ht.chunks.push(chunk);
    ht.chunkIndex.set(chunkKey(spec.timeStart, spec.spaceIndex, spec.numPartitions), chunk);
    this.version++;
    const key = chunkKey(spec.timeStart, spec.spaceIndex, spec.numPartitions);
    const holdsRows = () => [...stores.values()].some((s) => s.latest().chunks.length > 0);
    const pendingRows = () => [...stores.values()].some((s) => s.hasPendingWrites());
    const drop = () => {
      if (ht.chunkIndex.get(key) !== chunk) return;
      ht.chunks = ht.chunks.filter((c) => c !== chunk);
      ht.chunkIndex.delete(key);
      for (const n of spec.nodes) this.nodeFor(n).dropChunk(id);
      this.version++;
    };
    // once the last of them ended: kept for their committed rows, or dropped as the creator's rollback would have
    const dropWhenUnused = () => {
      if (holdsRows() || pendingRows()) return;
      drop();
    };
    undo.push(() => {
      // The catalog is shared: other transactions find the chunk by its range and write into it. Rows
      // they committed keep it, as an autonomous creation. Rows still pending keep it until those
      // transactions end, so that their commit does not publish into a chunk gone from the catalog.
      if (holdsRows()) return;
      if (pendingRows()) {
        for (const s of stores.values()) s.whenNoPendingWrites(dropWhenUnused);
        return;
      }
      drop();
    });
    this.chunkObserver?.(undo, { kind: 'create', table, chunk });
    return chunk;
  }

  /**
   * Drop chunks (drop_chunks, DROP TABLE, TRUNCATE); undone by ROLLBACK. With `onCommit` (a session's
   * transaction, not WAL replay) the ranges stay reserved until the transaction ends: another
   * transaction writing into one gets 55P03 rather than a new chunk that the rollback would collide with.
   */
  dropChunks(table: TableInfo, chunks: readonly ChunkInfo[], undo: UndoAction[], onCommit?: (action: () => void) => void): void {
    const ht = table.hypertable!;
    const gone = new Set(chunks);
    const before = ht.chunks;
    ht.chunks = ht.chunks.filter((c) => !gone.has(c));
    const reserved = onCommit === undefined ? undefined : this.reservedRanges(ht);
    const release = () => {
      if (reserved === undefined) return;
      for (const c of chunks) {
        const key = chunkKey(c.timeStart, c.spaceIndex, c.numPartitions);
        if (reserved.get(key)?.chunk === c) reserved.delete(key);
      }
    };
    for (const c of chunks) {
      const key = chunkKey(c.timeStart, c.spaceIndex, c.numPartitions);
      ht.chunkIndex.delete(key);
      reserved?.set(key, { chunk: c, owner: undo });
      for (const n of c.nodes) this.nodeFor(n).dropChunk(c.id);
    }
    onCommit?.(release);
    this.version++;
    undo.push(() => {
      release();
      // chunks other transactions created or dropped meanwhile stay as they are: only these come back
      const now = new Set(ht.chunks);
      const known = new Set(before);
      ht.chunks = [...before.filter((c) => gone.has(c) || now.has(c)), ...ht.chunks.filter((c) => !known.has(c))];
      for (const c of chunks) {
        ht.chunkIndex.set(chunkKey(c.timeStart, c.spaceIndex, c.numPartitions), c);
        for (const n of c.nodes) this.nodeFor(n).restoreChunk(c.id, c.stores.get(n)!);
      }
      this.version++;
    });
    this.chunkObserver?.(undo, { kind: 'drop', table, chunks });
  }

  private reservedRanges(ht: HypertableInfo): Map<string, { chunk: ChunkInfo; owner: readonly UndoAction[] }> {
    let reserved = this.droppingChunks.get(ht);
    if (reserved === undefined) this.droppingChunks.set(ht, (reserved = new Map()));
    return reserved;
  }

  /**
   * The chunk another open transaction is dropping for this range (dropChunks with onCommit), if any;
   * `undo` is the asking transaction's own undo list (its own drops do not count).
   */
  chunkBeingDropped(ht: HypertableInfo, key: string, undo: readonly UndoAction[]): ChunkInfo | null {
    const entry = this.droppingChunks.get(ht)?.get(key);
    return entry === undefined || entry.owner === undo ? null : entry.chunk;
  }

  listHypertables(): TableInfo[] {
    return [...this.tables.values()].filter((t) => t.hypertable !== undefined).sort((a, b) => a.hypertable!.id - b.hypertable!.id);
  }

  createSequence(name: string, undo: UndoAction[]): SequenceInfo {
    const seq: SequenceInfo = { oid: this.allocOid(), name, value: 0, called: false };
    this.sequences.set(name, seq);
    undo.push(() => this.sequences.delete(name));
    return seq;
  }

  /** nextval: not transactional, like PostgreSQL's sequences. */
  nextval(name: string): number {
    const s = this.sequences.get(name);
    if (!s) throw new SqlError(SQLSTATE.undefinedTable, `relation "${name}" does not exist`);
    s.value = s.called ? s.value + 1 : Math.max(s.value, 1);
    s.called = true;
    return s.value;
  }
}

function storedSettingKey(database: string | null, name: string): string {
  return database === null ? `system\u0000${name}` : `database\u0000${database}\u0000${name}`;
}

/**
 * PostgreSQL's makeObjectName: `name1_name2_label` within NAMEDATALEN - 1 bytes, taking bytes off
 * the longer of name1 and name2 (never the label) and never splitting a character.
 */
export function makeObjectName(name1: string, name2: string | undefined, label: string): string {
  const encoder = new TextEncoder();
  const bytes = (x: string) => encoder.encode(x).length;
  const overhead = (name2 === undefined ? 0 : 1) + (label === '' ? 0 : bytes(label) + 1);
  const avail = MAX_IDENTIFIER_BYTES - overhead;
  let n1 = bytes(name1);
  let n2 = name2 === undefined ? 0 : bytes(name2);
  while (n1 + n2 > avail) {
    if (n1 > n2) n1--;
    else n2--;
  }
  return clipUtf8(name1, n1) + (name2 === undefined ? '' : `_${clipUtf8(name2, n2)}`) + (label === '' ? '' : `_${label}`);
}
