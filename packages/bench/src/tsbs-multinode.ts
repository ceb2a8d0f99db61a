/**
 * Issue 3's benchmark: the TSBS cpu-only query set over the same rows in a
 * plain table and in a distributed hypertable on 3 in-process data nodes,
 * median and p95 per query type, to show chunk exclusion and aggregate
 * push-down paying off.
 */
import { Strata } from '@strata/server';
import { CPU_FIELDS, generateCpu } from './tsbs-data.js';
import { tsbsQueries } from './tsbs-queries.js';

export interface MultiNodeBenchOptions {
  rows: number;
  hosts: number;
  perType: number;
  log: (s: string) => void;
}

const SCHEMA = `(time timestamptz NOT NULL, tags_id integer, hostname text, ${CPU_FIELDS.map((f) => `${f} double precision`).join(', ')})`;

async function load(db: Strata, table: string, data: ReturnType<typeof generateCpu>): Promise<number> {
  const t0 = performance.now();
  const chunk = 65_536;
  for (let start = 0; start < data.rows; start += chunk) {
    const end = Math.min(data.rows, start + chunk);
    const batch: unknown[][] = new Array(end - start);
    for (let r = start; r < end; r++) {
      const h = data.hostIndex[r]!;
      const row: unknown[] = [new Date(data.timeMs[r]!), h + 1, data.hostnames[h]];
      for (let f = 0; f < 10; f++) row.push(data.fields[f]![r]);
      batch[r - start] = row;
    }
    await db.insert(table, batch);
  }
  return performance.now() - t0;
}

function stats(xs: number[]): { median: number; p95: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor((s.length - 1) / 2)]!, p95: s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)]! };
}

export async function runMultiNodeBench(opts: MultiNodeBenchOptions): Promise<Record<string, { plain: number; distributed: number; plainP95: number; distributedP95: number }>> {
  const { log } = opts;
  const db = await Strata.create();
  await db.exec(`SELECT add_data_node('dn1'); SELECT add_data_node('dn2'); SELECT add_data_node('dn3');
    CREATE TABLE cpu ${SCHEMA};
    SELECT create_distributed_hypertable('cpu', 'time', 'hostname', chunk_time_interval => INTERVAL '12 hours');
    CREATE TABLE cpu_plain ${SCHEMA};`);
  log(`generating ${opts.rows.toLocaleString()} rows (${opts.hosts} hosts, 10 s interval)…`);
  const data = generateCpu({ hosts: opts.hosts, rows: opts.rows });
  const distMs = await load(db, 'cpu', data);
  log(`distributed hypertable (3 data nodes): loaded in ${(distMs / 1000).toFixed(1)} s (${Math.round(opts.rows / (distMs / 1000)).toLocaleString()} rows/s)`);
  const plainMs = await load(db, 'cpu_plain', data);
  log(`plain table: loaded in ${(plainMs / 1000).toFixed(1)} s (${Math.round(opts.rows / (plainMs / 1000)).toLocaleString()} rows/s)`);
  const chunks = (await db.query<{ n: string }>("SELECT count(*) AS n FROM show_chunks('cpu')")).rows[0]!.n;
  log(`chunks: ${chunks}`);
  const startMs = data.timeMs[0]!;
  const endMs = data.timeMs[opts.rows - 1]! + 10_000;
  const queries = tsbsQueries({ hosts: opts.hosts, startMs, endMs, perType: opts.perType });
  const times = new Map<string, { plain: number[]; distributed: number[] }>();
  for (const q of queries) {
    let t = times.get(q.type);
    if (!t) times.set(q.type, (t = { plain: [], distributed: [] }));
    for (const [target, table] of [['distributed', 'cpu'], ['plain', 'cpu_plain']] as const) {
      const sql = q.sql.replace(/\bFROM cpu\b/g, `FROM ${table}`);
      const s = performance.now();
      await db.query(sql);
      t[target].push(performance.now() - s);
    }
  }
  const out: Record<string, { plain: number; distributed: number; plainP95: number; distributedP95: number }> = {};
  log(`\n| query | plain median (ms) | 3-node median (ms) | speed-up | plain p95 | 3-node p95 |\n|---|---:|---:|---:|---:|---:|`);
  for (const [type, t] of times) {
    const p = stats(t.plain);
    const d = stats(t.distributed);
    out[type] = { plain: p.median, distributed: d.median, plainP95: p.p95, distributedP95: d.p95 };
    log(`| ${type} | ${p.median.toFixed(1)} | ${d.median.toFixed(1)} | ${(p.median / d.median).toFixed(1)}× | ${p.p95.toFixed(1)} | ${d.p95.toFixed(1)} |`);
  }
  await db.close();
  return out;
}
