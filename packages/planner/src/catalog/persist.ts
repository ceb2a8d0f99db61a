/**
 * Catalog images: the whole access-node catalog as one JSON document, and the
 * way back to an equivalent Catalog. The engine writes an image into every
 * checkpoint and into the WAL when a transaction commits DDL, and rebuilds the
 * catalog from the latest image at restart. Table data is not in the image:
 * each store is named by a StoreKey and supplied by the caller on restore
 * (restored from checkpoint files, a live store, or a new empty one).
 *
 * The image holds every id counter and the catalog version, so WAL replay on
 * the restored catalog allocates the same OIDs and chunk ids as the original.
 * It holds every OID too (relations, constraints, sequences, column defaults):
 * pg_class, pg_constraint and pg_attrdef show the same OIDs after a restart.
 * Maps are written in their insertion order, which listings follow.
 */
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import { DataNode } from '../../../storage/src/node/data-node.js';
import type { ColumnSpec, TableStore, TableStoreOptions, UniqueKeySpec } from '../../../storage/src/table/index.js';
import { TYPE_OIDS, type SqlType, type TypeId } from '../../../storage/src/types/sql-type.js';
import type { SelectStmt } from '../parse/ast.js';
import type { Value } from '../../../storage/src/types/values.js';
import {
  Catalog, type CatalogCounters, type ColumnInfo, type ConstraintInfo, type IndexInfo, type SchemaInfo, type SequenceInfo, type StoredSetting, type TableInfo,
} from './catalog.js';
import { chunkKey, type ChunkInfo, type DataNodeInfo, type Dimension, type HypertableInfo } from './hypertable.js';
import {
  bool, corrupted, encodeTagged, int, ints, list, num, oneOf, optStr, parseTagged, record, str, strings, type Fields,
} from './persist-json.js';

export const CATALOG_IMAGE_FORMAT = 'strata-catalog-image';
/**
 * 2 added storedSettings (ALTER SYSTEM / ALTER DATABASE … SET); 3 the OIDs of constraints, sequences and
 * column defaults. Older images still load: without stored settings, and with those OIDs assigned at restore.
 */
export const CATALOG_IMAGE_VERSION = 3;
const FIRST_VERSION_WITH_OBJECT_OIDS = 3;
const OLDEST_READABLE_IMAGE_VERSION = 1;

/** Stable identity of a store across restarts: `t:<oid>` for a table, `c:<node>:<chunkId>` for a chunk replica. */
export type StoreKey = string;

export function storeKeyOfTable(t: TableInfo): StoreKey {
  return `t:${t.oid}`;
}

/** node '' is the access node's local node (chunks of non-distributed hypertables). */
export function storeKeyOfChunk(node: string, chunkId: number): StoreKey {
  return `c:${node}:${chunkId}`;
}

export interface CatalogImageOptions {
  /** false leaves a chunk out (e.g. one created by a transaction that has not committed) */
  includeChunk?: (c: ChunkInfo) => boolean;
}

/** Supplies the store for a key on restore; `spec` is the store's shape as imaged. */
export type StoreProvider = (key: StoreKey, spec: TableStoreOptions) => TableStore;

/** Every store in the catalog: tables' own stores and every chunk replica. */
export function storesOf(catalog: Catalog, opts: CatalogImageOptions = {}): Map<StoreKey, TableStore> {
  const out = new Map<StoreKey, TableStore>();
  for (const t of catalog.listTables()) {
    if (t.store) out.set(storeKeyOfTable(t), t.store);
    for (const c of includedChunks(t.hypertable, opts)) {
      for (const n of c.nodes) out.set(storeKeyOfChunk(n, c.id), replicaStore(c, n));
    }
  }
  return out;
}

/** The options that rebuild an empty store of the same shape. */
export function storeSpecOf(store: TableStore): TableStoreOptions {
  return {
    name: store.name,
    columns: store.columns.map((c) => ({ id: c.id, name: c.name, type: c.type, notNull: c.notNull })),
    uniqueKeys: store.uniqueKeys.map((k) => ({ name: k.name, columnIds: [...k.columnIds], primary: k.primary })),
    sealRows: store.sealRows,
    chunkRows: store.chunkRows,
    // what rows older than an ADD COLUMN … DEFAULT read for it: WAL replay must rebuild it exactly
    ...(store.schema.fills.size > 0 ? { fills: new Map(store.schema.fills) } : {}),
  };
}

type FillPairs = [number, Value][];

/** A store spec as imaged: fills as [column id, value] pairs (the tagged JSON has no maps). */
function specImage(spec: TableStoreOptions): Fields {
  const { fills, ...rest } = spec;
  return fills && fills.size > 0 ? { ...rest, fills: [...fills] as FillPairs } : { ...rest };
}

function readFills(v: unknown, path: string): ReadonlyMap<number, Value> | undefined {
  if (v === undefined) return undefined;
  return new Map(
    list(v, path).map((pair, i) => {
      const p = list(pair, `${path}[${i}]`);
      if (p.length !== 2 || typeof p[0] !== 'number') throw corrupted(`${path}[${i}]: expected [column id, value]`);
      return [p[0], p[1] as Value] as const;
    }),
  );
}

function includedChunks(ht: HypertableInfo | undefined, opts: CatalogImageOptions): ChunkInfo[] {
  if (!ht) return [];
  return opts.includeChunk ? ht.chunks.filter(opts.includeChunk) : ht.chunks;
}

function replicaStore(c: ChunkInfo, node: string): TableStore {
  const s = c.stores.get(node);
  if (!s) throw new SqlError(SQLSTATE.internalError, `chunk ${c.name} lists data node "${node}" but has no store there`);
  return s;
}

// ---- writing ---------------------------------------------------------------

/**
 * A chunk replica's store is written as the difference from what
 * Catalog.createChunk gives it (the chunk's name, the root store's columns,
 * the root's unique keys prefixed with the chunk id): usually just sealRows
 * and chunkRows, which keeps images of hypertables with many chunks small.
 */
interface StoreSpecDelta {
  name?: string;
  fills?: FillPairs;
  columns?: ColumnSpec[];
  uniqueKeys?: UniqueKeySpec[];
  sealRows: number;
  chunkRows: number;
}

function chunkBaseSpec(c: { id: number; name: string }, root: TableStoreOptions): Pick<TableStoreOptions, 'name' | 'columns' | 'uniqueKeys'> {
  return { name: c.name, columns: root.columns, uniqueKeys: (root.uniqueKeys ?? []).map((k) => ({ ...k, name: `${c.id}_${k.name}` })) };
}

function sameType(a: SqlType, b: SqlType): boolean {
  if (a.id !== b.id || a.typmod !== b.typmod) return false;
  return a.elem === undefined || b.elem === undefined ? a.elem === b.elem : sameType(a.elem, b.elem);
}

function sameColumns(a: readonly ColumnSpec[], b: readonly ColumnSpec[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.id !== y.id || x.name !== y.name || x.notNull !== y.notNull || !sameType(x.type, y.type)) return false;
  }
  return true;
}

function sameKeys(a: readonly UniqueKeySpec[] = [], b: readonly UniqueKeySpec[] = []): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.name !== y.name || x.primary !== y.primary || x.columnIds.length !== y.columnIds.length || x.columnIds.some((id, j) => id !== y.columnIds[j])) return false;
  }
  return true;
}

function sameShape(store: TableStore, spec: TableStoreOptions): boolean {
  return store.name === spec.name && store.sealRows === spec.sealRows && store.chunkRows === spec.chunkRows
    && sameColumns(store.columns, spec.columns) && sameKeys(store.uniqueKeys, spec.uniqueKeys);
}

function specDelta(store: TableStore, base: Pick<TableStoreOptions, 'name' | 'columns' | 'uniqueKeys'>): StoreSpecDelta {
  const spec = storeSpecOf(store);
  const d: StoreSpecDelta = { sealRows: spec.sealRows!, chunkRows: spec.chunkRows! };
  if (spec.name !== base.name) d.name = spec.name;
  if (!sameColumns(spec.columns, base.columns)) d.columns = [...spec.columns];
  if (!sameKeys(spec.uniqueKeys, base.uniqueKeys)) d.uniqueKeys = [...(spec.uniqueKeys ?? [])];
  if (spec.fills && spec.fills.size > 0) d.fills = [...spec.fills];
  return d;
}

function sameDelta(a: StoreSpecDelta, b: StoreSpecDelta): boolean {
  return a.sealRows === b.sealRows && a.chunkRows === b.chunkRows && a.name === b.name
    && JSON.stringify(encodeTagged(a.fills ?? null)) === JSON.stringify(encodeTagged(b.fills ?? null))
    && (a.columns === undefined || b.columns === undefined ? a.columns === b.columns : sameColumns(a.columns, b.columns))
    && (a.uniqueKeys === undefined || b.uniqueKeys === undefined ? a.uniqueKeys === b.uniqueKeys : sameKeys(a.uniqueKeys, b.uniqueKeys));
}

function chunkImage(c: ChunkInfo, root: TableStoreOptions): Fields {
  const base = chunkBaseSpec(c, root);
  const deltas = c.nodes.map((n) => specDelta(replicaStore(c, n), base));
  const shared = deltas.every((d) => sameDelta(d, deltas[0]!));
  return {
    id: c.id, name: c.name, schema: c.schema, timeStart: c.timeStart, timeEnd: c.timeEnd,
    spaceIndex: c.spaceIndex, numPartitions: c.numPartitions, nodes: [...c.nodes],
    ...(shared ? { store: deltas[0] } : { stores: deltas }),
  };
}

function dimensionImage(d: Dimension): Fields {
  return d.kind === 'open'
    ? { kind: d.kind, id: d.id, columnId: d.columnId, interval: d.interval }
    : { kind: d.kind, id: d.id, columnId: d.columnId, numPartitions: d.numPartitions };
}

function hypertableImage(ht: HypertableInfo, root: TableStoreOptions, opts: CatalogImageOptions): Fields {
  return {
    id: ht.id, distributed: ht.distributed, replicationFactor: ht.replicationFactor,
    dimensions: ht.dimensions.map(dimensionImage), dataNodes: [...ht.dataNodes],
    chunks: includedChunks(ht, opts).map((c) => chunkImage(c, root)),
  };
}

function columnImage(c: ColumnInfo): Fields {
  return {
    id: c.id, name: c.name, type: c.type, notNull: c.notNull, default: c.default, defaultText: c.defaultText,
    serialSequence: c.serialSequence, serialDefaultReplaced: c.serialDefaultReplaced, defaultOid: c.defaultOid, attnum: c.attnum,
  };
}

function constraintImage(c: ConstraintInfo): Fields {
  return { oid: c.oid, name: c.name, kind: c.kind, columnIds: [...c.columnIds], check: c.check, checkText: c.checkText, indexOnly: c.indexOnly };
}

function tableImage(t: TableInfo, opts: CatalogImageOptions): Fields {
  const store = t.store ? storeSpecOf(t.store) : undefined;
  if (t.hypertable && !store) throw new SqlError(SQLSTATE.internalError, `hypertable "${t.name}" has no root store`);
  return {
    oid: t.oid, kind: t.kind, schema: t.schema, name: t.name,
    columns: t.columns.map(columnImage), constraints: t.constraints.map(constraintImage),
    nextAttnum: t.nextAttnum, nextColumnId: t.nextColumnId,
    store: store ? specImage(store) : undefined,
    // the bound AST, not the text: the text alone would re-parse with other positions and cannot tell a re-bind apart
    view: t.view ? { query: t.view.query, text: t.view.text, columnNames: t.view.columnNames } : undefined,
    hypertable: t.hypertable ? hypertableImage(t.hypertable, store!, opts) : undefined,
  };
}

function indexImage(schema: string, ix: IndexInfo, tables: ReadonlyMap<number, TableInfo>): Fields {
  if (tables.get(ix.table.oid) !== ix.table) {
    throw new SqlError(SQLSTATE.internalError, `index "${ix.name}" belongs to a relation that is not in the catalog`);
  }
  return { schema, name: ix.name, oid: ix.oid, table: ix.table.oid, columns: [...ix.columns], unique: ix.unique, definition: ix.definition };
}

/** The catalog as a JSON document (see persist-json.ts for how values are tagged). */
export function serializeCatalog(catalog: Catalog, opts: CatalogImageOptions = {}): string {
  const parts = catalog.parts();
  const tables = new Map(parts.tables.map((t) => [t.oid, t] as const));
  const image = {
    format: CATALOG_IMAGE_FORMAT,
    version: CATALOG_IMAGE_VERSION,
    counters: { ...parts.counters },
    catalogVersion: parts.version,
    localNode: { available: catalog.localNode.available },
    schemas: parts.schemas.map((s) => ({ oid: s.oid, name: s.name })),
    dataNodes: parts.dataNodes.map((n) => ({ name: n.name, host: n.host, port: n.port, database: n.database, available: n.node.available })),
    sequences: parts.sequences.map((s) => ({ oid: s.oid, name: s.name, value: s.value, called: s.called })),
    tables: parts.tables.map((t) => tableImage(t, opts)),
    indexes: parts.indexes.map(({ schema, index }) => indexImage(schema, index, tables)),
    storedSettings: (parts.storedSettings ?? []).map((x) => ({ database: x.database, name: x.name, value: x.value })),
  };
  return JSON.stringify(encodeTagged(image));
}

// ---- reading ---------------------------------------------------------------

const TYPE_IDS = new Set<string>([...Object.keys(TYPE_OIDS), 'array']);

function readType(v: unknown, path: string): SqlType {
  const o = record(v, path);
  const id = str(o, 'id', path);
  if (!TYPE_IDS.has(id)) throw corrupted(`${path}.id: unknown type ${JSON.stringify(id)}`);
  const typmod = int(o, 'typmod', path);
  if (id === 'array') return Object.freeze({ id, typmod, elem: readType(o.elem, `${path}.elem`) });
  if (o.elem !== undefined) throw corrupted(`${path}: only arrays have an element type`);
  return Object.freeze({ id: id as TypeId, typmod });
}

/** Expressions are checked at their root (a kind and a valid type); their insides are plain data the binder made. */
function readExpr(v: unknown, path: string): ExprNode {
  const o = record(v, path);
  str(o, 'k', path);
  readType(o.type, `${path}.type`);
  return o as unknown as ExprNode;
}

function readStoreSpec(o: Fields, path: string): TableStoreOptions {
  return {
    name: str(o, 'name', path),
    columns: list(o.columns, `${path}.columns`).map((c, i) => readColumnSpec(c, `${path}.columns[${i}]`)),
    uniqueKeys: list(o.uniqueKeys, `${path}.uniqueKeys`).map((k, i) => readUniqueKey(k, `${path}.uniqueKeys[${i}]`)),
    sealRows: int(o, 'sealRows', path),
    chunkRows: int(o, 'chunkRows', path),
    ...withFills(readFills(o.fills, `${path}.fills`)),
  };
}

function withFills(fills: ReadonlyMap<number, Value> | undefined): { fills?: ReadonlyMap<number, Value> } {
  return fills ? { fills } : {};
}

/** A chunk replica's spec: the imaged difference over its base (whose parts were read with the root store). */
function readChunkStoreSpec(d: Fields, base: Pick<TableStoreOptions, 'name' | 'columns' | 'uniqueKeys'>, path: string): TableStoreOptions {
  return {
    name: d.name === undefined ? base.name : str(d, 'name', path),
    columns: d.columns === undefined ? base.columns : list(d.columns, `${path}.columns`).map((c, i) => readColumnSpec(c, `${path}.columns[${i}]`)),
    uniqueKeys: d.uniqueKeys === undefined ? base.uniqueKeys : list(d.uniqueKeys, `${path}.uniqueKeys`).map((k, i) => readUniqueKey(k, `${path}.uniqueKeys[${i}]`)),
    sealRows: int(d, 'sealRows', path),
    chunkRows: int(d, 'chunkRows', path),
    ...withFills(readFills(d.fills, `${path}.fills`)),
  };
}

function readColumnSpec(v: unknown, path: string): ColumnSpec {
  const o = record(v, path);
  return { id: int(o, 'id', path), name: str(o, 'name', path), type: readType(o.type, `${path}.type`), notNull: bool(o, 'notNull', path) };
}

function readUniqueKey(v: unknown, path: string): UniqueKeySpec {
  const o = record(v, path);
  return { name: str(o, 'name', path), columnIds: ints(o, 'columnIds', path), primary: bool(o, 'primary', path) };
}

/** True when pg_attrdef has a row for the column (server/catalog/deparse.ts defaultText). */
function hasDefault(c: ColumnInfo): boolean {
  return (c.serialSequence !== undefined && c.serialDefaultReplaced !== true) || c.default !== undefined || c.defaultText !== undefined;
}

function readColumn(v: unknown, path: string, r: Reading): ColumnInfo {
  const o = record(v, path);
  const c: ColumnInfo = { id: int(o, 'id', path), name: str(o, 'name', path), type: readType(o.type, `${path}.type`), notNull: bool(o, 'notNull', path), attnum: int(o, 'attnum', path) };
  if (o.default !== undefined) c.default = readExpr(o.default, `${path}.default`);
  const defaultText = optStr(o, 'defaultText', path);
  if (defaultText !== undefined) c.defaultText = defaultText;
  const serialSequence = optStr(o, 'serialSequence', path);
  if (serialSequence !== undefined) c.serialSequence = serialSequence;
  if (o.serialDefaultReplaced !== undefined) c.serialDefaultReplaced = bool(o, 'serialDefaultReplaced', path);
  if (o.defaultOid !== undefined) {
    if (!hasDefault(c)) throw corrupted(`${path}.defaultOid: the column has no default`);
    c.defaultOid = readOid(o, 'defaultOid', path, r);
  } else if (hasDefault(c)) {
    // only images older than version 3 lack it; a newer one would rather get an OID than fail the restart
    r.oidless.push((oid) => (c.defaultOid = oid));
  }
  return c;
}

/** An object's OID: counted for the nextOid check. */
function readOid(o: Fields, key: string, path: string, r: Reading): number {
  const oid = int(o, key, path);
  if (oid <= 0) throw corrupted(`${path}.${key}: not an OID: ${oid}`);
  r.maxOid = Math.max(r.maxOid, oid);
  return oid;
}

/** An object imaged without its OID (an image older than version 3): a placeholder until restore assigns one. */
function legacyOid(r: Reading, assign: (oid: number) => void): number {
  r.oidless.push(assign);
  return 0;
}

function readConstraint(v: unknown, path: string, r: Reading): ConstraintInfo {
  const o = record(v, path);
  const c: { -readonly [K in keyof ConstraintInfo]: ConstraintInfo[K] } = {
    oid: r.objectOids ? readOid(o, 'oid', path, r) : legacyOid(r, (oid) => (c.oid = oid)),
    name: str(o, 'name', path), kind: oneOf(o, 'kind', path, ['primary_key', 'unique', 'check'] as const), columnIds: ints(o, 'columnIds', path),
  };
  if (o.check !== undefined) c.check = readExpr(o.check, `${path}.check`);
  const checkText = optStr(o, 'checkText', path);
  if (checkText !== undefined) c.checkText = checkText;
  if (o.indexOnly !== undefined) c.indexOnly = bool(o, 'indexOnly', path);
  return c;
}

function readDimension(v: unknown, path: string): Dimension {
  const o = record(v, path);
  const kind = oneOf(o, 'kind', path, ['open', 'closed'] as const);
  const id = int(o, 'id', path);
  const columnId = int(o, 'columnId', path);
  return kind === 'open' ? { kind, id, columnId, interval: num(o, 'interval', path) } : { kind, id, columnId, numPartitions: int(o, 'numPartitions', path) };
}

/** What restoring found, before it becomes a Catalog. */
interface Reading {
  readonly storeFor: StoreProvider;
  readonly schemas: Set<string>;
  readonly dataNodes: Set<string>;
  readonly chunkIds: Set<number>;
  /** chunk replica stores to register on their node once the Catalog exists */
  readonly placements: { node: string; chunkId: number; store: TableStore }[];
  /** whether the image has the OIDs of constraints, sequences and defaults (version 3 on) */
  readonly objectOids: boolean;
  /** older images: the objects that get an OID at restore, in image order */
  readonly oidless: ((oid: number) => void)[];
  maxOid: number;
  maxHypertableId: number;
  maxDimensionId: number;
}

function supplyStore(r: Reading, key: StoreKey, spec: TableStoreOptions, path: string): TableStore {
  const store = r.storeFor(key, spec);
  if (!sameShape(store, spec)) {
    throw corrupted(`${path}: the store supplied for ${key} ("${store.name}", ${store.columns.length} columns) does not have the imaged shape ("${spec.name}", ${spec.columns.length} columns)`);
  }
  return store;
}

function readChunk(v: unknown, path: string, ht: { distributed: boolean; dataNodes: string[] }, root: TableStoreOptions, r: Reading): ChunkInfo {
  const o = record(v, path);
  const id = int(o, 'id', path);
  const name = str(o, 'name', path);
  const nodes = strings(o, 'nodes', path);
  if (r.chunkIds.has(id)) throw corrupted(`${path}: chunk id ${id} appears twice`);
  r.chunkIds.add(id);
  if (nodes.length === 0 || new Set(nodes).size !== nodes.length) throw corrupted(`${path}.nodes: expected distinct data node names`);
  for (const n of nodes) {
    if (ht.distributed ? !r.dataNodes.has(n) : n !== '') throw corrupted(`${path}.nodes: chunk placed on unknown data node "${n}"`);
  }
  const deltas = o.stores !== undefined ? list(o.stores, `${path}.stores`) : nodes.map(() => o.store);
  if (deltas.length !== nodes.length) throw corrupted(`${path}.stores: one store per node expected`);
  const base = chunkBaseSpec({ id, name }, root);
  const stores = new Map<string, TableStore>();
  nodes.forEach((n, i) => {
    const dpath = o.stores !== undefined ? `${path}.stores[${i}]` : `${path}.store`;
    const spec = readChunkStoreSpec(record(deltas[i], dpath), base, dpath);
    const store = supplyStore(r, storeKeyOfChunk(n, id), spec, dpath);
    stores.set(n, store);
    r.placements.push({ node: n, chunkId: id, store });
  });
  return {
    id, name, schema: str(o, 'schema', path), timeStart: num(o, 'timeStart', path), timeEnd: num(o, 'timeEnd', path),
    spaceIndex: int(o, 'spaceIndex', path), numPartitions: int(o, 'numPartitions', path), nodes, stores,
  };
}

function readHypertable(v: unknown, path: string, root: TableStoreOptions, r: Reading): HypertableInfo {
  const o = record(v, path);
  const id = int(o, 'id', path);
  const distributed = bool(o, 'distributed', path);
  const dataNodes = strings(o, 'dataNodes', path);
  for (const n of dataNodes) if (!r.dataNodes.has(n)) throw corrupted(`${path}.dataNodes: unknown data node "${n}"`);
  const dimensions = list(o.dimensions, `${path}.dimensions`).map((d, i) => readDimension(d, `${path}.dimensions[${i}]`));
  if (dimensions.filter((d) => d.kind === 'open').length !== 1) throw corrupted(`${path}.dimensions: expected exactly one open dimension`);
  const chunks = list(o.chunks, `${path}.chunks`).map((c, i) => readChunk(c, `${path}.chunks[${i}]`, { distributed, dataNodes }, root, r));
  const chunkIndex = new Map<string, ChunkInfo>();
  for (const c of chunks) {
    const k = chunkKey(c.timeStart, c.spaceIndex, c.numPartitions);
    if (chunkIndex.has(k)) throw corrupted(`${path}.chunks: chunks ${chunkIndex.get(k)!.id} and ${c.id} cover the same slice`);
    chunkIndex.set(k, c);
  }
  r.maxHypertableId = Math.max(r.maxHypertableId, id);
  for (const d of dimensions) r.maxDimensionId = Math.max(r.maxDimensionId, d.id);
  return { id, distributed, replicationFactor: int(o, 'replicationFactor', path), dimensions, dataNodes, chunks, chunkIndex };
}

function readTable(v: unknown, path: string, r: Reading): TableInfo {
  const o = record(v, path);
  const oid = int(o, 'oid', path);
  const kind = oneOf(o, 'kind', path, ['table', 'view'] as const);
  const schema = str(o, 'schema', path);
  if (!r.schemas.has(schema)) throw corrupted(`${path}.schema: unknown schema "${schema}"`);
  const t: TableInfo = {
    oid, kind, schema, name: str(o, 'name', path),
    columns: list(o.columns, `${path}.columns`).map((c, i) => readColumn(c, `${path}.columns[${i}]`, r)),
    constraints: list(o.constraints, `${path}.constraints`).map((c, i) => readConstraint(c, `${path}.constraints[${i}]`, r)),
    nextAttnum: int(o, 'nextAttnum', path),
    nextColumnId: int(o, 'nextColumnId', path),
  };
  r.maxOid = Math.max(r.maxOid, oid);
  if (kind === 'view') {
    if (o.store !== undefined || o.hypertable !== undefined) throw corrupted(`${path}: a view has no store`);
    const view = record(o.view, `${path}.view`);
    const query = record(view.query, `${path}.view.query`);
    if (query.kind !== 'select') throw corrupted(`${path}.view.query: expected a SELECT statement`);
    t.view = { query: query as unknown as SelectStmt, text: str(view, 'text', `${path}.view`) };
    if (view.columnNames !== undefined) t.view.columnNames = strings(view, 'columnNames', `${path}.view`);
    return t;
  }
  if (o.view !== undefined) throw corrupted(`${path}: a table has no view query`);
  const spec = readStoreSpec(record(o.store, `${path}.store`), `${path}.store`);
  t.store = supplyStore(r, storeKeyOfTable(t), spec, `${path}.store`);
  if (o.hypertable !== undefined) t.hypertable = readHypertable(o.hypertable, `${path}.hypertable`, spec, r);
  return t;
}

function readIndex(v: unknown, path: string, tables: ReadonlyMap<number, TableInfo>, r: Reading): { schema: string; index: IndexInfo } {
  const o = record(v, path);
  const schema = str(o, 'schema', path);
  if (!r.schemas.has(schema)) throw corrupted(`${path}.schema: unknown schema "${schema}"`);
  const tableOid = int(o, 'table', path);
  const table = tables.get(tableOid);
  if (!table) throw corrupted(`${path}.table: no relation with oid ${tableOid}`);
  const oid = int(o, 'oid', path);
  r.maxOid = Math.max(r.maxOid, oid);
  return {
    schema,
    index: { name: str(o, 'name', path), oid, table, columns: strings(o, 'columns', path), unique: bool(o, 'unique', path), definition: str(o, 'definition', path) },
  };
}

function readCounters(v: unknown, r: Reading): CatalogCounters {
  const o = record(v, '$.counters');
  const c = {
    nextOid: int(o, 'nextOid', '$.counters'),
    nextHypertableId: int(o, 'nextHypertableId', '$.counters'),
    nextChunkId: int(o, 'nextChunkId', '$.counters'),
    nextDimensionId: int(o, 'nextDimensionId', '$.counters'),
  };
  // a counter at or below an id already in use would hand that id out twice after the restart
  const maxChunkId = Math.max(0, ...r.chunkIds);
  if (c.nextOid <= r.maxOid) throw corrupted(`$.counters.nextOid ${c.nextOid} is not above the highest OID in use (${r.maxOid})`);
  if (c.nextChunkId <= maxChunkId) throw corrupted(`$.counters.nextChunkId ${c.nextChunkId} is not above the highest chunk id in use (${maxChunkId})`);
  if (c.nextHypertableId <= r.maxHypertableId) throw corrupted(`$.counters.nextHypertableId ${c.nextHypertableId} is not above the highest hypertable id in use`);
  if (c.nextDimensionId <= r.maxDimensionId) throw corrupted(`$.counters.nextDimensionId ${c.nextDimensionId} is not above the highest dimension id in use`);
  return c;
}

function readStoredSettings(v: unknown): StoredSetting[] {
  const settings = list(v, '$.storedSettings').map((x, i) => {
    const path = `$.storedSettings[${i}]`;
    const o = record(x, path);
    const database = o.database === null ? null : str(o, 'database', path);
    const name = str(o, 'name', path);
    if (name === '' || name !== name.toLowerCase()) throw corrupted(`${path}.name: not a canonical setting name: ${JSON.stringify(name)}`);
    return { database, name, value: str(o, 'value', path) };
  });
  unique(settings, (x) => JSON.stringify([x.database, x.name]), 'stored setting');
  return settings;
}

function unique<T>(items: readonly T[], keyOf: (x: T) => string, what: string): void {
  const seen = new Set<string>();
  for (const x of items) {
    const k = keyOf(x);
    if (seen.has(k)) throw corrupted(`${what} ${JSON.stringify(k)} appears twice`);
    seen.add(k);
  }
}

/**
 * A new Catalog equivalent to the imaged one. Stores come from `storeFor` and
 * must have the imaged shape; chunk stores are registered on their nodes.
 * A document that is not a valid image fails with XX001 (data_corrupted).
 */
export function restoreCatalog(doc: string, storeFor: StoreProvider): Catalog {
  const root = record(parseTagged(doc), '$');
  if (root.format !== CATALOG_IMAGE_FORMAT) throw corrupted(`$.format: not a catalog image (${JSON.stringify(root.format)})`);
  const version = root.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < OLDEST_READABLE_IMAGE_VERSION || version > CATALOG_IMAGE_VERSION) {
    throw corrupted(`$.version: unsupported image version ${JSON.stringify(version)} (this build reads ${OLDEST_READABLE_IMAGE_VERSION} to ${CATALOG_IMAGE_VERSION})`);
  }
  const r: Reading = {
    storeFor, schemas: new Set(), dataNodes: new Set(), chunkIds: new Set(), placements: [],
    objectOids: version >= FIRST_VERSION_WITH_OBJECT_OIDS, oidless: [], maxOid: 0, maxHypertableId: 0, maxDimensionId: 0,
  };

  const schemas: SchemaInfo[] = list(root.schemas, '$.schemas').map((v, i) => {
    const o = record(v, `$.schemas[${i}]`);
    return { oid: int(o, 'oid', `$.schemas[${i}]`), name: str(o, 'name', `$.schemas[${i}]`) };
  });
  unique(schemas, (s) => s.name, 'schema');
  for (const s of schemas) r.schemas.add(s.name);
  r.maxOid = Math.max(0, ...schemas.map((s) => s.oid));

  const dataNodes: DataNodeInfo[] = list(root.dataNodes, '$.dataNodes').map((v, i) => {
    const path = `$.dataNodes[${i}]`;
    const o = record(v, path);
    const name = str(o, 'name', path);
    if (name === '') throw corrupted(`${path}.name: the empty name is the access node's own`);
    const node = new DataNode(name);
    node.available = bool(o, 'available', path);
    return { name, host: str(o, 'host', path), port: int(o, 'port', path), database: str(o, 'database', path), node };
  });
  unique(dataNodes, (n) => n.name, 'data node');
  for (const n of dataNodes) r.dataNodes.add(n.name);

  const sequences: SequenceInfo[] = list(root.sequences, '$.sequences').map((v, i) => {
    const path = `$.sequences[${i}]`;
    const o = record(v, path);
    const s: { -readonly [K in keyof SequenceInfo]: SequenceInfo[K] } = {
      oid: r.objectOids ? readOid(o, 'oid', path, r) : legacyOid(r, (oid) => (s.oid = oid)),
      name: str(o, 'name', path), value: int(o, 'value', path), called: bool(o, 'called', path),
    };
    return s;
  });
  unique(sequences, (s) => s.name, 'sequence');

  const tables = list(root.tables, '$.tables').map((v, i) => readTable(v, `$.tables[${i}]`, r));
  unique(tables, (t) => String(t.oid), 'relation oid');
  const byOid = new Map(tables.map((t) => [t.oid, t] as const));
  const indexes = list(root.indexes, '$.indexes').map((v, i) => readIndex(v, `$.indexes[${i}]`, byOid, r));
  // tables and indexes share one namespace per schema, as in pg_class
  unique([...tables.map((t) => [t.schema, t.name]), ...indexes.map((x) => [x.schema, x.index.name])], (k) => JSON.stringify(k), 'relation');
  unique(tables.flatMap((t) => (t.hypertable ? [t.hypertable.id] : [])), String, 'hypertable id');

  const counters = readCounters(root.counters, r);
  if (r.objectOids) {
    // pg_class (tables, views, indexes, sequences) and pg_constraint each need distinct OIDs
    unique([...tables.map((t) => t.oid), ...indexes.map((x) => x.index.oid), ...sequences.map((s) => s.oid)], String, 'relation oid');
    unique(tables.flatMap((t) => t.constraints.map((c) => c.oid)), String, 'constraint oid');
    unique(tables.flatMap((t) => t.columns.flatMap((c) => (c.defaultOid === undefined ? [] : [c.defaultOid]))), String, 'column default oid');
  }
  // deterministic for a given image; the counter moves past them so later objects never collide
  for (const assign of r.oidless) assign(counters.nextOid++);
  const storedSettings = version >= 2 ? readStoredSettings(root.storedSettings) : [];
  const catalog = Catalog.fromParts({ schemas, tables, indexes, sequences, dataNodes, counters, version: int(root, 'catalogVersion', '$'), storedSettings });
  catalog.localNode.available = bool(record(root.localNode, '$.localNode'), 'available', '$.localNode');
  for (const p of r.placements) catalog.nodeFor(p.node).restoreChunk(p.chunkId, p.store);
  return catalog;
}
