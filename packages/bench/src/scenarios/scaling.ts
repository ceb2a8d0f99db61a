/**
 * `--scaling`: COPY CSV ingest rate and one time-range query at growing table
 * sizes, on a fresh target per size. The query: per-minute max(usage_user)
 * over all hosts in one hour in the middle of the data (chunk exclusion keeps
 * its work constant as the table grows). CSV is encoded while sending (timed).
 */
import { progress } from '../progress.js';
import { medianP95, type BenchResult } from '../results.js';
import type { Target } from '../targets.js';
import { TSBS_START_MS } from '../tsbs-data.js';
import { copyCsv } from './copy-csv.js';
import { runWireIngest } from './wire-ingest.js';
import { toDateBin } from './wire-queries.js';

export async function runScaling(makeTarget: () => Promise<Target>, sizes: number[], hosts: number, runs = 5): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const rows of sizes) {
    const target = await makeTarget();
    try {
      const { result, schema } = await runWireIngest(target, copyCsv, { rows, hosts, preEncode: false });
      out.push({ ...result, scenario: `scaling-copy-csv-${rows / 1e6}M` });
      const epochs = Math.floor(rows / hosts);
      const mid = TSBS_START_MS + Math.floor(epochs / 2) * 10_000;
      const iso = (ms: number) => new Date(ms).toISOString();
      let sql = `SELECT time_bucket('60 seconds', time) AS minute, max(usage_user) FROM cpu WHERE time >= '${iso(mid)}' AND time < '${iso(mid + 3_600_000)}' GROUP BY minute ORDER BY minute`;
      if (schema.bucket === 'date_bin') sql = toDateBin(sql);
      const c = await target.connect();
      const times: number[] = [];
      const p = progress(`${target.name} 1-hour range query`, runs + 1, 'runs');
      for (let i = 0; i <= runs; i++) {
        const t0 = performance.now();
        await c.query(sql);
        if (i > 0) times.push(performance.now() - t0);
        p.update(i + 1);
      }
      p.end();
      await c.end();
      const { median, p95 } = medianP95(times);
      out.push({ kind: 'query', scenario: 'scaling-range-1h', target: target.name, type: `range-1h @ ${rows / 1e6}M rows`, runs, medianMs: median, p95Ms: p95, tableRows: rows });
    } finally {
      await target.stop();
    }
  }
  return out;
}
