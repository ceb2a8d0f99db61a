/**
 * How far the JIT is from warm when queries are timed: embedded Strata, TSBS cpu rows on N
 * in-process data nodes, then `--warm` passes over `--n` distinct queries of one type before the
 * timed passes. Prints the median and p90 latency and, on Linux, the CPU per query of the main
 * thread and of the other threads (V8's compiler and GC helpers) from /proc/<pid>/task/<tid>/schedstat.
 *
 *   npx tsx packages/bench/src/query-warmup.ts [--type single-groupby-1-1-1] [--rows 2000000]
 *       [--data-nodes 3] [--n 400] [--warm 1] [--timed 3]
 */
import { parseArgs } from 'node:util';
import { Strata } from '@strata/server';
import { TSBS_START_MS, TsbsCpuGenerator } from './tsbs-data.js';
import { cpuTableDdl, tagsInsertSql, tagsTableDdl, toArrow } from './tsbs-format.js';
import { tsbsQueries } from './tsbs-queries.js';
import { threadDelta, threadTimes } from './thread-times.js';

const { values: a } = parseArgs({
  options: {
    type: { type: 'string' }, rows: { type: 'string' }, 'data-nodes': { type: 'string' },
    n: { type: 'string' }, warm: { type: 'string' }, timed: { type: 'string' },
  },
});
const type = a.type ?? 'single-groupby-1-1-1';
const rows = Number(a.rows ?? 2_000_000);
const dataNodes = Number(a['data-nodes'] ?? 3);
const hosts = 1000;

const gen = new TsbsCpuGenerator({ hosts, seed: 1 });
const db = await Strata.create();
for (let i = 1; i <= dataNodes; i++) await db.query(`SELECT add_data_node('dn${i}')`);
await db.query(tagsTableDdl(false));
await db.query(tagsInsertSql(gen.hosts));
await db.query(cpuTableDdl());
await db.query("SELECT create_distributed_hypertable('cpu', 'time', 'hostname', chunk_time_interval => INTERVAL '12 hours')");
for (const c of gen.chunks(rows)) await db.insert('cpu', toArrow(c));
const endMs = TSBS_START_MS + Math.ceil(rows / hosts) * 10_000;
const queries = tsbsQueries({ hosts, startMs: TSBS_START_MS, endMs, perType: Number(a.n ?? 400), seed: 7 }).filter((q) => q.type === type);
if (queries.length === 0) throw new Error(`no queries of type ${type}`);
for (let w = 0; w < Number(a.warm ?? 1); w++) for (const q of queries) await db.query(q.sql);

const before = threadTimes();
const times: number[] = [];
for (let r = 0; r < Number(a.timed ?? 3); r++) {
  for (const q of queries) {
    const t0 = performance.now();
    await db.query(q.sql);
    times.push(performance.now() - t0);
  }
}
const after = threadTimes();
times.sort((x, y) => x - y);
const at = (f: number) => times[Math.min(times.length - 1, Math.floor(times.length * f))]!.toFixed(3);
console.log(`${type}: ${times.length} timed executions after ${a.warm ?? 1} warm-up pass(es) of ${queries.length} queries; median ${at(0.5)} ms, p90 ${at(0.9)} ms`);
const d = threadDelta(before, after);
if (d !== undefined) console.log(`CPU per query: main thread ${(d.mainRun / times.length).toFixed(3)} ms, other threads ${(d.otherRun / times.length).toFixed(3)} ms`);
await db.close();
