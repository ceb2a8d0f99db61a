/**
 * The catalog after a crash: the hypertable, its dimensions and data nodes
 * exactly as created, every chunk seen before still there with the same
 * range, chunk names unique, and every row present covered by a chunk of its
 * hour (rows cannot live outside the chunk map).
 */
import type pg from 'pg';
import type { ClientRows } from './reference-model.js';
import type { ServerProcess } from './server-process.js';

const HOUR_MS = 3_600_000;
const DATA_NODES = ['dn1', 'dn2', 'dn3'];

interface ChunkInfo {
  startMs: number;
  endMs: number;
  dataNodes: string[];
}

export interface CatalogSnapshot {
  hypertable: string;
  dimensions: string;
  dataNodes: string;
  /** chunks seen so far by name: they must all survive every later crash */
  chunks: Map<string, ChunkInfo>;
}

function pgArray(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') return value.replace(/^\{|\}$/g, '').split(',').filter((s) => s.length > 0);
  return [];
}

async function hypertableRow(db: pg.Client): Promise<string> {
  const res = await db.query(
    "SELECT hypertable_schema, hypertable_name, num_dimensions, is_distributed, replication_factor, data_nodes FROM timescaledb_information.hypertables WHERE hypertable_name = 'conditions'",
  );
  return JSON.stringify(res.rows.map((r: Record<string, unknown>) => ({ ...r, data_nodes: pgArray(r.data_nodes).sort() })));
}

async function dimensionRows(db: pg.Client): Promise<string> {
  const res = await db.query(
    "SELECT dimension_number, column_name, column_type, dimension_type, time_interval, num_partitions FROM timescaledb_information.dimensions WHERE hypertable_name = 'conditions' ORDER BY dimension_number",
  );
  return JSON.stringify(res.rows);
}

async function dataNodeRows(db: pg.Client): Promise<string> {
  const res = await db.query<{ node_name: string }>('SELECT node_name FROM timescaledb_information.data_nodes ORDER BY node_name');
  return JSON.stringify(res.rows.map((r) => r.node_name));
}

async function chunkRows(db: pg.Client): Promise<{ name: string; info: ChunkInfo }[]> {
  const res = await db.query<{ chunk_schema: string; chunk_name: string; range_start: Date; range_end: Date; data_nodes: unknown }>(
    "SELECT chunk_schema, chunk_name, range_start, range_end, data_nodes FROM timescaledb_information.chunks WHERE hypertable_name = 'conditions'",
  );
  return res.rows.map((r) => ({
    name: `${r.chunk_schema}.${r.chunk_name}`,
    info: { startMs: r.range_start.getTime(), endMs: r.range_end.getTime(), dataNodes: pgArray(r.data_nodes) },
  }));
}

/** The catalog right after the schema was created: what every restart must reproduce. */
export async function snapshotCatalog(server: ServerProcess): Promise<CatalogSnapshot> {
  const db = await server.connect();
  try {
    const snapshot: CatalogSnapshot = { hypertable: await hypertableRow(db), dimensions: await dimensionRows(db), dataNodes: await dataNodeRows(db), chunks: new Map() };
    const ht = JSON.parse(snapshot.hypertable) as { is_distributed: boolean; num_dimensions: number; data_nodes: string[] }[];
    if (ht.length !== 1 || !ht[0]!.is_distributed || ht[0]!.num_dimensions !== 2 || ht[0]!.data_nodes.join() !== DATA_NODES.join()) {
      throw new Error(`unexpected hypertable after setup: ${snapshot.hypertable}`);
    }
    if (snapshot.dataNodes !== JSON.stringify(DATA_NODES)) throw new Error(`unexpected data nodes after setup: ${snapshot.dataNodes}`);
    return snapshot;
  } finally {
    await db.end();
  }
}

export async function verifyCatalog(db: pg.Client, snapshot: CatalogSnapshot, rowsByClient: Map<number, ClientRows>): Promise<{ problems: string[]; chunks: number }> {
  const problems: string[] = [];
  const hypertable = await hypertableRow(db);
  if (hypertable !== snapshot.hypertable) problems.push(`hypertable changed: ${hypertable}, was ${snapshot.hypertable}`);
  const dimensions = await dimensionRows(db);
  if (dimensions !== snapshot.dimensions) problems.push(`dimensions changed: ${dimensions}, was ${snapshot.dimensions}`);
  const dataNodes = await dataNodeRows(db);
  if (dataNodes !== snapshot.dataNodes) problems.push(`data nodes changed: ${dataNodes}, was ${snapshot.dataNodes}`);

  const chunks = await chunkRows(db);
  const byName = new Map<string, ChunkInfo>();
  const hoursCovered = new Set<number>();
  for (const { name, info } of chunks) {
    if (byName.has(name)) problems.push(`chunk ${name} listed twice`);
    byName.set(name, info);
    hoursCovered.add(info.startMs);
    if (info.endMs - info.startMs !== HOUR_MS || info.startMs % HOUR_MS !== 0) problems.push(`chunk ${name} has range ${new Date(info.startMs).toISOString()} … ${new Date(info.endMs).toISOString()}, not one aligned hour`);
    if (info.dataNodes.length === 0 || info.dataNodes.some((n) => !DATA_NODES.includes(n))) problems.push(`chunk ${name} is on data nodes ${JSON.stringify(info.dataNodes)}`);
  }
  for (const [name, before] of snapshot.chunks) {
    const now = byName.get(name);
    if (!now) problems.push(`chunk ${name} (${new Date(before.startMs).toISOString()}) existed before the crash and is gone`);
    else if (now.startMs !== before.startMs || now.endMs !== before.endMs || now.dataNodes.join() !== before.dataNodes.join()) {
      problems.push(`chunk ${name} changed: ${JSON.stringify(now)}, was ${JSON.stringify(before)}`);
    }
  }
  let uncovered = 0;
  for (const rows of rowsByClient.values()) {
    for (const [key, row] of rows) {
      if (!key.startsWith('conditions:') || row.timeMs === undefined) continue;
      const hour = row.timeMs - (row.timeMs % HOUR_MS);
      if (!hoursCovered.has(hour) && uncovered++ < 5) problems.push(`row ${key} at ${new Date(row.timeMs).toISOString()} lies in no chunk`);
    }
  }
  if (problems.length === 0) snapshot.chunks = byName;
  return { problems, chunks: byName.size };
}
