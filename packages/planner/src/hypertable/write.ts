/**
 * Writing rows into a table: plain tables append to their store; hypertables
 * route each batch to chunks (created on demand, TimescaleDB's slice
 * arithmetic) and append to every replica's store in the statement's
 * transaction.
 */
import type { Batch } from '../../../storage/src/vector.js';
import { routeBatch } from '../../../storage/src/partitioning/router.js';
import { dataNodesForHash, closedSliceRange } from '../../../storage/src/partitioning/dimension.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import type { TableInfo } from '../catalog/catalog.js';
import type { ChunkInfo, HypertableInfo } from '../catalog/hypertable.js';
import { chunkKey, closedDimension, openDimension } from '../catalog/hypertable.js';
import type { StatementSession } from '../statement/session.js';
import { toStoreBatch } from '../statement/dml-common.js';

/** Append rows (catalog column order) to a table or hypertable within the session's transaction. */
export function writeRows(session: StatementSession, table: TableInfo, batch: Batch): void {
  if (batch.length === 0) return;
  const stored = toStoreBatch(table, batch);
  if (!table.hypertable) {
    session.write(table.store!).insertSelected(stored, null);
    return;
  }
  const ht = table.hypertable;
  const storeCols = table.store!.columns;
  const open = openDimension(ht);
  const closed = closedDimension(ht);
  const ti = storeCols.findIndex((c) => c.id === open.columnId);
  const si = closed ? storeCols.findIndex((c) => c.id === closed.columnId) : -1;
  const timeCol = storeCols[ti]!;
  const routed = routeBatch(stored.columns[ti]!, si >= 0 ? stored.columns[si]! : null, {
    timeColumn: timeCol.name,
    chunkInterval: open.interval,
    numPartitions: closed?.numPartitions,
  });
  routed.chunkKeys.forEach((key, k) => {
    const chunk = findOrCreateChunk(session, table, ht, key.timeStart, key.timeEnd, closed ? key.spaceIndex : -1);
    const rows = routed.rowsByChunk[k]!;
    // each replica gathers its chunk's rows straight into the blocks its commit seals (no part copy)
    const selected = rows.length !== stored.length ? rows : null;
    for (const node of chunk.nodes) session.write(chunk.stores.get(node)!).insertSelected(stored, selected);
  });
}

export function findOrCreateChunk(session: StatementSession, table: TableInfo, ht: HypertableInfo, timeStart: number, timeEnd: number, spaceIndex: number): ChunkInfo {
  const closed = closedDimension(ht);
  const numPartitions = closed ? closed.numPartitions : 0;
  const key = chunkKey(timeStart, spaceIndex, numPartitions);
  const existing = ht.chunkIndex.get(key);
  if (existing) return existing;
  const dropping = session.catalog.chunkBeingDropped(ht, key, session.undo);
  if (dropping !== null) {
    // PostgreSQL would wait for the dropping transaction's lock; a new chunk here would collide with
    // the dropped one if that transaction rolls back (and its rows are not there if it commits)
    throw new SqlError(SQLSTATE.lockNotAvailable, `could not obtain lock on relation "${dropping.schema}.${dropping.name}"`, {
      detail: `Another transaction is dropping the chunk for this range of "${table.name}".`,
      hint: 'Retry the write once that transaction has committed or rolled back.',
    });
  }
  const nodes = placement(ht, timeStart, spaceIndex, numPartitions, session);
  return session.catalog.createChunk(table, { timeStart, timeEnd, spaceIndex, numPartitions, nodes }, session.undo);
}

/** Data nodes for a new chunk: slice i → nodes (i + k) mod n (TimescaleDB's dimension_partition). */
function placement(ht: HypertableInfo, timeStart: number, spaceIndex: number, numPartitions: number, session: StatementSession): string[] {
  if (!ht.distributed) return [''];
  const nodes = ht.dataNodes.filter((n) => session.catalog.findDataNode(n)?.node.available !== false);
  if (nodes.length === 0) {
    throw new SqlError('TS365', `insufficient number of available data nodes`, { hint: 'Increase the number of available data nodes on the distributed hypertable.' });
  }
  const rf = Math.min(ht.replicationFactor, nodes.length);
  if (ht.replicationFactor > nodes.length) {
    throw new SqlError('TS365', `insufficient number of available data nodes`, { detail: `There are ${nodes.length} available data nodes for replication factor ${ht.replicationFactor}.` });
  }
  if (numPartitions > 0) {
    const { start } = closedSliceRange(spaceIndex, numPartitions);
    return dataNodesForHash(Math.max(0, start), numPartitions, ht.dataNodes, rf);
  }
  // without a space dimension TimescaleDB assigns time slices round-robin
  const open = openDimension(ht);
  const slice = Number.isFinite(timeStart) ? Math.floor(timeStart / open.interval) : 0;
  const first = ((slice % ht.dataNodes.length) + ht.dataNodes.length) % ht.dataNodes.length;
  return Array.from({ length: rf }, (_, k) => ht.dataNodes[(first + k) % ht.dataNodes.length]!);
}
