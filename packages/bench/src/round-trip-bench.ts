/**
 * Round-trip latency of a trivial query over the wire (node-postgres, one connection per server),
 * against Strata servers of one or more checkouts and PostgreSQL 15, queries alternated between
 * the servers so that machine noise hits all alike: the fixed per-statement cost of the server and
 * its network path, which every small query and every multi-row INSERT statement pays.
 *
 *   npx tsx packages/bench/src/round-trip-bench.ts [queries=4000] [--repo DIR]… [--no-pg] [--sql "SELECT 1"]
 */
import { resolve } from 'node:path';
import type pg from 'pg';
import { startPostgresTarget, type Target } from './targets.js';

const argv = process.argv.slice(2);
const repos: string[] = [];
let queries = 4000;
let sql = 'SELECT 1';
let withPostgres = true;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--repo') repos.push(resolve(argv[++i]!));
  else if (argv[i] === '--sql') sql = argv[++i]!;
  else if (argv[i] === '--no-pg') withPostgres = false;
  else queries = Number(argv[i]);
}
if (repos.length === 0) repos.push(resolve(import.meta.dirname, '../../..'));

interface Server {
  name: string;
  target: Target;
  client: pg.Client;
  times: number[];
}

const servers: Server[] = [];
for (const repo of repos) {
  const { startStrataServer } = (await import(`${repo}/packages/bench/src/targets.ts`)) as {
    startStrataServer: (dataNodes: number) => Promise<Target>;
  };
  const target = await startStrataServer(1);
  servers.push({ name: repos.length > 1 ? `strata ${repo}` : 'strata', target, client: await target.connect(), times: [] });
}
if (withPostgres) {
  const target = await startPostgresTarget();
  if (typeof target === 'string') console.log(`PostgreSQL skipped: ${target}`);
  else servers.push({ name: 'postgres-15', target, client: await target.connect(), times: [] });
}
for (const s of servers) for (let i = 0; i < 200; i++) await s.client.query(sql);
for (let i = 0; i < queries; i++) {
  for (const s of servers) {
    const t0 = performance.now();
    await s.client.query(sql);
    s.times.push(performance.now() - t0);
  }
}
const quantile = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
console.log(`${queries} × ${JSON.stringify(sql)} per server, alternated`);
for (const s of servers) {
  const xs = [...s.times].sort((a, b) => a - b);
  console.log(`${s.name.padEnd(40)} p50 ${quantile(xs, 0.5).toFixed(3)} ms  p90 ${quantile(xs, 0.9).toFixed(3)} ms  p99 ${quantile(xs, 0.99).toFixed(3)} ms`);
}
for (const s of servers) {
  await s.client.end();
  await s.target.stop();
}
