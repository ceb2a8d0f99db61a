/**
 * TSBS cpu-only queries in the SQL TSBS's TimescaleDB target emits
 * (shared/TSBS.md §3.3, use-tags=false: hostname in the data table), with
 * deterministic random hosts and windows.
 */
import { CPU_FIELDS, rng } from './tsbs-data.js';

export interface TsbsQuery {
  type: string;
  sql: string;
}

const HOUR = 3_600_000;

function ts(ms: number): string {
  // TSBS formats with Go's `2006-01-02 15:04:05.999999 -0700`
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)} +0000`;
}

export function tsbsQueries(opts: { hosts: number; startMs: number; endMs: number; perType: number; seed?: number }): TsbsQuery[] {
  const next = rng(opts.seed ?? 7);
  const hostsFilter = (n: number) => {
    const picked = new Set<number>();
    while (picked.size < Math.min(n, opts.hosts)) picked.add(Math.floor(next() * opts.hosts));
    return `hostname IN (${[...picked].map((h) => `'host_${h}'`).join(',')})`;
  };
  const window = (ms: number) => {
    const start = opts.startMs + Math.floor(next() * (opts.endMs - opts.startMs - ms));
    return [ts(start), ts(start + ms)] as const;
  };
  const metrics = (n: number, f: string) => CPU_FIELDS.slice(0, n).map((m) => `${f}(${m}) as ${f}_${m}`).join(', ');
  const out: TsbsQuery[] = [];
  for (let i = 0; i < opts.perType; i++) {
    for (const [type, nm, nh, hours] of [
      ['single-groupby-1-1-1', 1, 1, 1], ['single-groupby-1-1-12', 1, 1, 12], ['single-groupby-1-8-1', 1, 8, 1],
      ['single-groupby-5-1-1', 5, 1, 1], ['single-groupby-5-1-12', 5, 1, 12], ['single-groupby-5-8-1', 5, 8, 1],
    ] as const) {
      const [s, e] = window(hours * HOUR);
      out.push({ type, sql: `SELECT time_bucket('60 seconds', time) AS minute, ${metrics(nm, 'max')} FROM cpu WHERE ${hostsFilter(nh)} AND time >= '${s}' AND time < '${e}' GROUP BY minute ORDER BY minute ASC` });
    }
    for (const [type, nh] of [['cpu-max-all-1', 1], ['cpu-max-all-8', 8]] as const) {
      const [s, e] = window(8 * HOUR);
      out.push({ type, sql: `SELECT time_bucket('3600 seconds', time) AS hour, ${metrics(10, 'max')} FROM cpu WHERE ${hostsFilter(nh)} AND time >= '${s}' AND time < '${e}' GROUP BY hour ORDER BY hour` });
    }
    for (const [type, nm] of [['double-groupby-1', 1], ['double-groupby-5', 5], ['double-groupby-all', 10]] as const) {
      const [s, e] = window(12 * HOUR);
      const cols = CPU_FIELDS.slice(0, nm);
      out.push({ type, sql: `WITH cpu_avg AS ( SELECT time_bucket('3600 seconds', time) as hour, hostname, ${cols.map((m) => `avg(${m}) as mean_${m}`).join(', ')} FROM cpu WHERE time >= '${s}' AND time < '${e}' GROUP BY 1, 2 ) SELECT hour, hostname, ${cols.map((m) => `mean_${m}`).join(', ')} FROM cpu_avg ORDER BY hour, hostname` });
    }
    {
      const [s, e] = window(12 * HOUR);
      out.push({ type: 'high-cpu-1', sql: `SELECT * FROM cpu WHERE usage_user > 90.0 and time >= '${s}' AND time < '${e}' AND ${hostsFilter(1)}` });
      const [s2, e2] = window(12 * HOUR);
      out.push({ type: 'high-cpu-all', sql: `SELECT * FROM cpu WHERE usage_user > 90.0 and time >= '${s2}' AND time < '${e2}' ` });
    }
    out.push({ type: 'lastpoint', sql: 'SELECT DISTINCT ON (hostname) * FROM cpu ORDER BY hostname, time DESC' });
    {
      const [, e] = window(HOUR);
      out.push({ type: 'groupby-orderby-limit', sql: `SELECT time_bucket('60 seconds', time) AS minute, max(usage_user) FROM cpu WHERE time < '${e}' GROUP BY minute ORDER BY minute DESC LIMIT 5` });
    }
  }
  return out;
}
