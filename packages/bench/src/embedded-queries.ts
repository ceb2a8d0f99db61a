/**
 * TSBS queries on the embedded engine (no wire, no client parsing): a 3-node distributed hypertable
 * loaded with TSBS cpu rows (1,000 hosts), then each query of the chosen types run `--reps` times;
 * the median over queries of the best repetition, per type. With `--reps 1` every figure is a first
 * execution on a random hour, as `pnpm bench` times them. `--record F` / `--compare F` check that
 * another tree returns the same rows (hashes per query).
 *
 *   npx tsx packages/bench/src/embedded-queries.ts [--rows 10000000] [--types a,b] [--n 40] [--reps 1]
 *       [--repo DIR] [--record F | --compare F]
 */
import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { CPU_FIELDS, TSBS_START_MS, generateCpu } from './tsbs-data.js';
import { tsbsQueries } from './tsbs-queries.js';

interface EngineResult {
  rows: Record<string, unknown>[];
}
interface Engine {
  exec(sql: string): Promise<unknown>;
  query(sql: string): Promise<EngineResult>;
  insert(table: string, rows: unknown[][]): Promise<unknown>;
  close(): Promise<void>;
}

const { values: a } = parseArgs({
  options: {
    rows: { type: 'string' }, n: { type: 'string' }, types: { type: 'string' }, reps: { type: 'string' },
    record: { type: 'string' }, compare: { type: 'string' }, seed: { type: 'string' }, repo: { type: 'string' },
  },
});
const repo = resolve(a.repo ?? resolve(import.meta.dirname, '../../..'));
const { Strata } = (await import(`${repo}/packages/server/src/index.ts`)) as { Strata: { create(): Promise<Engine> } };
const rows = Number(a.rows ?? 2_000_000);
const hosts = 1000;
const types = (a.types ?? 'single-groupby-1-1-1,single-groupby-5-1-1,single-groupby-5-1-12,single-groupby-1-1-12,cpu-max-all-1,high-cpu-1,high-cpu-all').split(',');
const schema = `(time timestamptz NOT NULL, tags_id integer, hostname text, ${CPU_FIELDS.map((f) => `${f} double precision`).join(', ')})`;

const db = await Strata.create();
await db.exec(`SELECT add_data_node('dn1'); SELECT add_data_node('dn2'); SELECT add_data_node('dn3'); CREATE TABLE cpu ${schema};
  SELECT create_distributed_hypertable('cpu', 'time', 'hostname', chunk_time_interval => INTERVAL '12 hours');`);
const data = generateCpu({ hosts, rows });
const t0 = performance.now();
for (let start = 0; start < data.rows; start += 65536) {
  const end = Math.min(data.rows, start + 65536);
  const batch: unknown[][] = new Array(end - start);
  for (let r = start; r < end; r++) {
    const h = data.hostIndex[r]!;
    const row: unknown[] = [new Date(data.timeMs[r]!), h + 1, data.hostnames[h]];
    for (let f = 0; f < CPU_FIELDS.length; f++) row.push(data.fields[f]![r]);
    batch[r - start] = row;
  }
  await db.insert('cpu', batch);
}
console.log(`loaded ${rows.toLocaleString()} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s (${repo})`);

const endMs = TSBS_START_MS + Math.ceil(rows / hosts) * 10_000;
const queries = tsbsQueries({ hosts, startMs: TSBS_START_MS, endMs, perType: Number(a.n ?? 15), seed: Number(a.seed ?? 7) }).filter((q) => types.includes(q.type));
const canonical = (r: EngineResult): string[] =>
  r.rows.map((row) => Object.values(row).map((v) => (v instanceof Date ? v.toISOString() : typeof v === 'number' ? v.toPrecision(12) : String(v))).join('|')).sort();
// one warm-up per type (JIT), as the wire bench does
for (const t of types) {
  const q = queries.find((x) => x.type === t);
  if (q) await db.query(q.sql);
}
const hashes: Record<string, [number, string]> = {};
const times = new Map<string, number[]>();
for (const q of queries) {
  let best = Infinity;
  let result: EngineResult | undefined;
  for (let i = 0; i < Number(a.reps ?? 3); i++) {
    const s = performance.now();
    result = await db.query(q.sql);
    best = Math.min(best, performance.now() - s);
  }
  let list = times.get(q.type);
  if (!list) times.set(q.type, (list = []));
  list.push(best);
  const c = canonical(result!);
  hashes[q.sql] = [c.length, createHash('sha1').update(c.join('\n')).digest('hex')];
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
for (const t of types) if (times.has(t)) console.log(`${t.padEnd(24)} ${median(times.get(t)!).toFixed(2)} ms`);
if (a.record) writeFileSync(a.record, JSON.stringify(hashes));
if (a.compare) {
  const ref = JSON.parse(readFileSync(a.compare, 'utf8')) as Record<string, [number, string]>;
  let mismatches = 0;
  for (const [sql, h] of Object.entries(hashes)) {
    if (JSON.stringify(ref[sql]) !== JSON.stringify(h)) {
      mismatches++;
      console.log(`MISMATCH ${sql.slice(0, 120)}: ${h[0]} rows, reference ${ref[sql]?.[0]}`);
    }
  }
  console.log(`compared ${Object.keys(hashes).length} queries, mismatches ${mismatches}`);
}
await db.close();
