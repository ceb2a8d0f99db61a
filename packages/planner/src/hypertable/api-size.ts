/**
 * Size and row-count functions (TimescaleDB 2.13): hypertable_size,
 * hypertable_detailed_size, chunks_detailed_size, hypertable_index_size,
 * approximate_row_count.
 *
 * Bytes are the committed state of the Arrow stores (`TableStore.bytes()`),
 * counted once per replica: a chunk replicated to two data nodes occupies
 * space on both. Strata has no separate index or TOAST storage: unique keys
 * are in-memory hash indexes that `bytes()` does not account for, and plain
 * CREATE INDEX builds nothing, so index_bytes and toast_bytes are 0.
 *
 * As in TimescaleDB, a distributed hypertable reports one row per data node
 * plus the access node (node_name NULL: the root table, which holds no rows);
 * chunks_detailed_size reports one row per chunk replica. On a relation that
 * is not a hypertable the detailed functions return no rows and
 * hypertable_size returns NULL.
 */
import { T } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import type { TableStore } from '../../../storage/src/table/index.js';
import type { Catalog, TableInfo } from '../catalog/catalog.js';
import type { ChunkInfo } from '../catalog/hypertable.js';
import type { StatementSession } from '../statement/session.js';
import { defineProcedure } from './procedure.js';
import { relationArg } from './api-util.js';

const SIZE_COLUMNS = [
  { name: 'table_bytes', type: T.int8 },
  { name: 'index_bytes', type: T.int8 },
  { name: 'toast_bytes', type: T.int8 },
  { name: 'total_bytes', type: T.int8 },
];

function sizeRow(bytes: number): Value[] {
  return [bytes, 0, 0, bytes];
}

/** Bytes per node name ('' = the access node) over all chunk replicas; the root table counts on the access node. */
export function bytesByNode(table: TableInfo): Map<string, number> {
  const ht = table.hypertable!;
  const out = new Map<string, number>([['', table.store?.bytes() ?? 0]]);
  for (const n of ht.dataNodes) out.set(n, 0);
  for (const c of ht.chunks) for (const [node, store] of c.stores) out.set(node, (out.get(node) ?? 0) + store.bytes());
  return out;
}

/** The replica statistics are read from: the first available node holding the chunk (any replica when none is). */
export function statsReplica(catalog: Catalog, chunk: ChunkInfo): TableStore {
  for (const n of chunk.nodes) if (n === '' || catalog.findDataNode(n)?.node.available !== false) return chunk.stores.get(n)!;
  return chunk.stores.get(chunk.nodes[0]!)!;
}

function tableArg(session: StatementSession, v: Value): TableInfo {
  return relationArg(session, v, 'relation');
}

defineProcedure({
  name: 'hypertable_detailed_size',
  params: [{ name: 'hypertable', type: T.unknown }],
  returns: [...SIZE_COLUMNS, { name: 'node_name', type: T.name }],
  setReturning: true,
  run(args, { session }) {
    const t = tableArg(session, args[0]!);
    if (!t.hypertable) return [];
    const bytes = bytesByNode(t);
    if (!t.hypertable.distributed) return [[...sizeRow([...bytes.values()].reduce((a, b) => a + b, 0)), null]];
    return [...bytes].filter(([n]) => n !== '').map(([n, b]) => [...sizeRow(b), n]).concat([[...sizeRow(bytes.get('')!), null]]);
  },
});

defineProcedure({
  name: 'hypertable_size',
  params: [{ name: 'hypertable', type: T.unknown }],
  returns: [{ name: 'hypertable_size', type: T.int8 }],
  run(args, { session }) {
    const t = tableArg(session, args[0]!);
    if (!t.hypertable) return [[null]];
    let total = 0;
    for (const b of bytesByNode(t).values()) total += b;
    return [[total]];
  },
});

defineProcedure({
  name: 'chunks_detailed_size',
  params: [{ name: 'hypertable', type: T.unknown }],
  returns: [{ name: 'chunk_schema', type: T.name }, { name: 'chunk_name', type: T.name }, ...SIZE_COLUMNS, { name: 'node_name', type: T.name }],
  setReturning: true,
  run(args, { session }) {
    const t = tableArg(session, args[0]!);
    if (!t.hypertable) return [];
    const rows: Value[][] = [];
    for (const c of [...t.hypertable.chunks].sort((a, b) => a.id - b.id)) {
      for (const n of c.nodes) rows.push([c.schema, c.name, ...sizeRow(c.stores.get(n)!.bytes()), n === '' ? null : n]);
    }
    return rows;
  },
});

defineProcedure({
  name: 'hypertable_index_size',
  params: [{ name: 'index_name', type: T.unknown }],
  returns: [{ name: 'hypertable_index_size', type: T.int8 }],
  run(args, { session }) {
    const v = args[0];
    if (v === null || v === undefined) return [[null]];
    const text = String(v).trim();
    const m = /^(?:([^.]+)\.)?([^.]+)$/.exec(text);
    const name = m ? m[2]!.replace(/^"|"$/g, '') : text;
    const schema = m?.[1]?.replace(/^"|"$/g, '');
    const ix = schema !== undefined ? session.catalog.findIndex(schema, name) : session.searchPath.map((s) => session.catalog.findIndex(s, name)).find((x) => x);
    if (!ix) throw new SqlError(SQLSTATE.undefinedTable, `relation "${text}" does not exist`);
    // NULL for an index of a plain table, as TimescaleDB; indexes occupy no separately counted bytes in Strata
    return [[ix.table.hypertable ? 0 : null]];
  },
});

defineProcedure({
  name: 'approximate_row_count',
  params: [{ name: 'relation', type: T.unknown }],
  returns: [{ name: 'approximate_row_count', type: T.int8 }],
  run(args, { session }) {
    const t = tableArg(session, args[0]!);
    if (t.kind !== 'table' || !t.store) throw new SqlError(SQLSTATE.wrongObjectType, `"${t.name}" is not a table`);
    if (!t.hypertable) return [[t.store.latest().rowCount]];
    let n = t.store.latest().rowCount;
    for (const c of t.hypertable.chunks) n += statsReplica(session.catalog, c).latest().rowCount;
    return [[n]];
  },
});
