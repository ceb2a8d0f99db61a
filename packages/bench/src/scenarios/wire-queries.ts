/**
 * TSBS cpu-only queries over the wire (packages/bench/src/tsbs-queries.ts):
 * every query type with `perType` random parameter sets, each run once after
 * one warm-up run per type; median and p95 per type. time_bucket is replaced
 * by date_bin on targets without it (plain PostgreSQL).
 */
import { medianP95, type QueryTypeResult } from '../results.js';
import { progress } from '../progress.js';
import type { SchemaInfo } from '../schema.js';
import type { Target } from '../targets.js';
import { tsbsQueries } from '../tsbs-queries.js';

export function toDateBin(sql: string): string {
  return sql.replace(/time_bucket\('(\d+) seconds', time\)/g, "date_bin('$1 seconds', time, TIMESTAMPTZ '2000-01-03')");
}

export async function runWireQueries(target: Target, schema: SchemaInfo, opts: { hosts: number; startMs: number; endMs: number; perType: number; tableRows: number }): Promise<QueryTypeResult[]> {
  const queries = tsbsQueries({ hosts: opts.hosts, startMs: opts.startMs, endMs: opts.endMs, perType: opts.perType });
  const c = await target.connect();
  try {
    const warmed = new Set<string>();
    const times = new Map<string, number[]>();
    const p = progress(`${target.name} TSBS queries`, queries.length, 'queries');
    let i = 0;
    for (const q of queries) {
      const sql = schema.bucket === 'date_bin' ? toDateBin(q.sql) : q.sql;
      if (!warmed.has(q.type)) {
        warmed.add(q.type);
        await c.query(sql);
      }
      const t0 = performance.now();
      await c.query(sql);
      const ms = performance.now() - t0;
      let t = times.get(q.type);
      if (!t) times.set(q.type, (t = []));
      t.push(ms);
      p.update(++i);
    }
    p.end();
    return [...times].map(([type, t]) => {
      const { median, p95 } = medianP95(t);
      return { kind: 'query', scenario: 'wire-tsbs-queries', target: target.name, type, runs: t.length, medianMs: median, p95Ms: p95, tableRows: opts.tableRows };
    });
  } finally {
    await c.end();
  }
}
