/**
 * Issue 2's target: an aggregate over 10 million rows of a 12-column table
 * (time, hostname, 10 float8), inserted through the embedding API, runs in
 * well under a second. Reports load rate and query latencies (median of runs).
 */
import { Bench } from 'tinybench';
import { Strata } from '@strata/server';
import { CPU_FIELDS, generateCpu } from './tsbs-data.js';

export interface AggregateBenchOptions {
  rows: number;
  hosts: number;
  iterations: number;
  log: (s: string) => void;
}

export async function runAggregateBench(opts: AggregateBenchOptions): Promise<Record<string, number>> {
  const { rows, hosts, log } = opts;
  const db = await Strata.create();
  await db.query(`CREATE TABLE cpu (time timestamptz NOT NULL, hostname text, ${CPU_FIELDS.map((f) => `${f} double precision`).join(', ')})`);
  log(`generating ${rows.toLocaleString()} rows (${hosts} hosts)…`);
  const data = generateCpu({ hosts, rows });
  const chunk = 65_536;
  const t0 = performance.now();
  for (let start = 0; start < rows; start += chunk) {
    const end = Math.min(rows, start + chunk);
    const batch: unknown[][] = new Array(end - start);
    for (let r = start; r < end; r++) {
      const row: unknown[] = new Array(12);
      row[0] = new Date(data.timeMs[r]!);
      row[1] = data.hostnames[data.hostIndex[r]!];
      for (let f = 0; f < 10; f++) row[2 + f] = data.fields[f]![r];
      batch[r - start] = row;
    }
    await db.insert('cpu', batch);
  }
  const loadMs = performance.now() - t0;
  log(`loaded in ${(loadMs / 1000).toFixed(2)} s (${Math.round(rows / (loadMs / 1000)).toLocaleString()} rows/s through db.insert with row arrays)`);
  const rss = process.memoryUsage().rss;
  const queries: Record<string, string> = {
    'max(usage_user)': 'SELECT max(usage_user) FROM cpu',
    'count/avg/min/max': 'SELECT count(*), avg(usage_user), min(usage_system), max(usage_idle) FROM cpu',
    'avg by hostname': 'SELECT hostname, avg(usage_user) FROM cpu GROUP BY hostname',
    'max by hour': "SELECT time_bucket('1 hour', time) AS hour, max(usage_user) FROM cpu GROUP BY hour ORDER BY hour",
    'filter usage_user > 90': 'SELECT count(*) FROM cpu WHERE usage_user > 90',
  };
  const bench = new Bench({ iterations: opts.iterations, warmupIterations: 1, time: 0 });
  for (const [name, sql] of Object.entries(queries)) bench.add(name, async () => void (await db.query(sql)));
  await bench.run();
  const out: Record<string, number> = { rows, loadRowsPerSec: rows / (loadMs / 1000), rssBytes: rss };
  for (const t of bench.tasks) {
    const r = t.result as { latency?: { p50?: number; mean?: number } } | undefined;
    const ms = r?.latency?.p50 ?? r?.latency?.mean ?? NaN;
    out[t.name] = ms;
    log(`${t.name.padEnd(24)} median ${ms.toFixed(1)} ms`);
  }
  await db.close();
  return out;
}
