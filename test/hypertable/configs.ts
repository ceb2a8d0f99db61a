/**
 * Table configurations for the hypertable differential tests: a plain table, local
 * hypertables (with and without a space dimension) and distributed hypertables, each loaded
 * into a fresh embedded Strata with the same rows.
 */
import { Strata } from '../../packages/server/src/index.js';
import { CPU_FIELDS, tagRows, type Dataset, type Row } from './data.js';

export type TimeType = 'timestamptz' | 'int8';

export type TableConfig =
  | { kind: 'plain'; time: TimeType }
  | { kind: 'local'; time: TimeType; chunk: ChunkInterval; partitions?: number }
  | { kind: 'distributed'; time: TimeType; chunk: ChunkInterval; nodes: number; partitions: number; rf: number; change?: MidLoadChange };

/**
 * A change applied after half of the insert batches (the batches are shuffled in time, so the
 * second half also writes into time ranges that already have chunks): the space partitioning
 * or the chunk interval differs between old and new chunks, so the rows of one hostname no
 * longer live on one data node, and chunks of different sizes overlap the same query range.
 */
export interface MidLoadChange {
  label: string;
  sql: string[];
}

export type ChunkInterval = '1 hour' | '6 hours' | '1 day';

export const CHUNK_SECONDS: Record<ChunkInterval, number> = { '1 hour': 3600, '6 hours': 21600, '1 day': 86400 };

export function configName(c: TableConfig): string {
  const t = c.time === 'int8' ? ' int8-time' : '';
  switch (c.kind) {
    case 'plain':
      return `plain table${t}`;
    case 'local':
      return `local hypertable chunk=${c.chunk}${c.partitions ? ` space=hostname/${c.partitions}` : ' (no space dim)'}${t}`;
    case 'distributed':
      return `distributed nodes=${c.nodes} partitions=${c.partitions} rf=${c.rf} chunk=${c.chunk}${t}${c.change ? `, then ${c.change.label} mid-load` : ''}`;
  }
}

/** The SQL that turns `cpu` into the configured hypertable (after CREATE TABLE), or [] for plain. */
export function hypertableDdl(c: TableConfig, table = 'cpu'): string[] {
  const interval = c.time === 'int8' ? String(CHUNK_SECONDS[c.kind === 'plain' ? '1 hour' : c.chunk]) : `INTERVAL '${c.kind === 'plain' ? '' : c.chunk}'`;
  switch (c.kind) {
    case 'plain':
      return [];
    case 'local':
      return c.partitions
        ? [`SELECT create_hypertable('${table}', 'time', 'hostname', number_partitions => ${c.partitions}, chunk_time_interval => ${interval})`]
        : [`SELECT create_hypertable('${table}', 'time', chunk_time_interval => ${interval})`];
    case 'distributed':
      return [
        `SELECT create_distributed_hypertable('${table}', 'time', 'hostname', number_partitions => ${c.partitions}, chunk_time_interval => ${interval}, replication_factor => ${c.rf})`,
      ];
  }
}

export function cpuCreateSql(time: TimeType, table = 'cpu'): string {
  return (
    `CREATE TABLE ${table} (time ${time === 'int8' ? 'int8' : 'timestamptz'} NOT NULL, tags_id int, hostname text, ` +
    CPU_FIELDS.map((f) => `${f} float8`).join(', ') +
    ')'
  );
}

export const TAGS_CREATE_SQL = 'CREATE TABLE tags (id int PRIMARY KEY, hostname text, region text)';

export type Db = Awaited<ReturnType<typeof Strata.create>>;

function toInsertRow(r: Row, time: TimeType): unknown[] {
  const out: unknown[] = [...r];
  out[0] = time === 'int8' ? Math.floor(r[0] / 1000) : new Date(r[0]);
  return out;
}

/** A fresh Strata with `cpu` (configured) and `tags`, loaded batch by batch (out of order). */
export async function createLoadedStrata(c: TableConfig, data: Dataset): Promise<Db> {
  const db = await Strata.create();
  if (c.kind === 'distributed') {
    for (let i = 1; i <= c.nodes; i++) await db.query(`SELECT add_data_node('dn${i}')`);
  }
  await db.query(cpuCreateSql(c.time));
  for (const sql of hypertableDdl(c)) await db.query(sql);
  await db.query(TAGS_CREATE_SQL);
  await db.insert('tags', tagRows(data.hostnames.length - 1));
  const changeAt = Math.floor(data.batches.length / 2);
  for (const [i, b] of data.batches.entries()) {
    if (i === changeAt && c.kind === 'distributed' && c.change) for (const sql of c.change.sql) await db.query(sql);
    await db.insert('cpu', b.map((r) => toInsertRow(r, c.time)));
  }
  return db;
}

/** Rows as PostgreSQL text COPY lines for the same data. */
export function copyText(data: Dataset, time: TimeType): string {
  const lines: string[] = [];
  for (const r of data.rows) {
    const cells = r.map((v, i) => {
      if (v === null) return '\\N';
      if (i === 0) return time === 'int8' ? String(Math.floor((v as number) / 1000)) : new Date(v as number).toISOString();
      return typeof v === 'number' ? String(v) : v;
    });
    lines.push(cells.join('\t'));
  }
  return lines.join('\n') + '\n';
}

const CHUNKS: ChunkInterval[] = ['1 hour', '6 hours', '1 day'];

/**
 * Distributed configurations: nodes ∈ {1, 2, 3, 5} × number_partitions ∈ {nodes, 1, 2·nodes}
 * × replication_factor ∈ {1, 2 where nodes ≥ 2}. With `full`, each of those × every
 * chunk_time_interval (60 configurations); otherwise the chunk interval rotates through the
 * list (20 configurations; every node count still meets every chunk interval except nodes=1,
 * which gets 1 hour and 6 hours). STRATA_HT_FULL=1 selects the full product.
 */
export function distributedConfigs(time: TimeType = 'timestamptz', full = !!process.env.STRATA_HT_FULL): TableConfig[] {
  const out: TableConfig[] = [];
  let i = 0;
  for (const nodes of [1, 2, 3, 5]) {
    for (const partitions of [...new Set([nodes, 1, 2 * nodes])]) {
      for (const rf of nodes >= 2 ? [1, 2] : [1]) {
        const chunks = full ? CHUNKS : [CHUNKS[i++ % CHUNKS.length]!];
        for (const chunk of chunks) out.push({ kind: 'distributed', time, nodes, partitions, rf, chunk });
      }
    }
  }
  return out;
}

/** Local hypertables: every chunk interval, without and with a hostname space dimension. */
export function localConfigs(time: TimeType = 'timestamptz'): TableConfig[] {
  const out: TableConfig[] = [];
  for (const chunk of CHUNKS) {
    out.push({ kind: 'local', time, chunk });
    out.push({ kind: 'local', time, chunk, partitions: 4 });
  }
  return out;
}

/** Distributed hypertables whose partitioning changes half-way through the load. */
export function repartitionedConfigs(time: TimeType = 'timestamptz'): TableConfig[] {
  return [
    {
      kind: 'distributed', time, nodes: 2, partitions: 2, rf: 1, chunk: '1 hour',
      change: { label: 'set_number_partitions 5', sql: [`SELECT set_number_partitions('cpu', 5)`] },
    },
    {
      kind: 'distributed', time, nodes: 3, partitions: 6, rf: 2, chunk: '6 hours',
      change: { label: 'set_number_partitions 1', sql: [`SELECT set_number_partitions('cpu', 1)`] },
    },
    {
      kind: 'distributed', time, nodes: 2, partitions: 2, rf: 1, chunk: '6 hours',
      change: {
        label: 'attach a third data node (repartition)',
        sql: [`SELECT add_data_node('dn3')`, `SELECT attach_data_node('dn3', 'cpu', repartition => true)`],
      },
    },
    {
      kind: 'distributed', time, nodes: 3, partitions: 3, rf: 1, chunk: '1 day',
      change: {
        label: "set_chunk_time_interval 1 hour",
        sql: [time === 'int8' ? `SELECT set_chunk_time_interval('cpu', 3600)` : `SELECT set_chunk_time_interval('cpu', INTERVAL '1 hour')`],
      },
    },
  ];
}
