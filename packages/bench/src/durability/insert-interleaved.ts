/**
 * Multi-row INSERT over the wire (TSBS rows, 1,000 per statement, one client per server) into an
 * in-memory and a durable 3-node Strata server of each given checkout, interleaved statement by
 * statement so that machine noise hits every server alike; prints rows/s per server and the
 * durable / in-memory ratio per checkout. Checkouts default to this one.
 *
 *   npx tsx packages/bench/src/durability/insert-interleaved.ts [rows=300000] [--repo DIR]…
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { createSchema } from '../schema.js';
import { TsbsCpuGenerator } from '../tsbs-data.js';
import { toInsertSql } from '../tsbs-format.js';
import type { Target } from '../targets.js';

const argv = process.argv.slice(2);
const repos: string[] = [];
let rows = 300_000;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--repo') repos.push(resolve(argv[++i]!));
  else rows = Number(argv[i]);
}
if (repos.length === 0) repos.push(resolve(fileURLToPath(new URL('../../../..', import.meta.url))));

interface Server {
  name: string;
  target: Target;
  client: pg.Client;
  ms: number;
}

const servers: Server[] = [];
for (const repo of repos) {
  const { startStrataServer } = (await import(`${repo}/packages/bench/src/targets.ts`)) as {
    startStrataServer: (dataNodes: number, opts: { durable?: boolean }) => Promise<Target>;
  };
  for (const durable of [false, true]) {
    const target = await startStrataServer(3, { durable });
    const client = await target.connect();
    await createSchema(client, target, new TsbsCpuGenerator({ hosts: 1000, seed: 1 }).hosts, { indexes: true });
    servers.push({ name: `${repo} ${durable ? 'durable' : 'in-memory'}`, target, client, ms: 0 });
  }
}
const statements: string[] = [];
for (const chunk of new TsbsCpuGenerator({ hosts: 1000, seed: 1 }).chunks(rows, 1000)) statements.push(toInsertSql(chunk));
for (let k = 0; k < statements.length; k++) {
  // a different server goes first each time
  for (let j = 0; j < servers.length; j++) {
    const s = servers[(j + k) % servers.length]!;
    const t0 = performance.now();
    await s.client.query(statements[k]!);
    s.ms += performance.now() - t0;
  }
}
for (const s of servers) {
  console.log(`${s.name}: ${Math.round(rows / (s.ms / 1000)).toLocaleString()} rows/s`);
  await s.client.end();
  await s.target.stop();
}
for (let i = 0; i < servers.length; i += 2) {
  console.log(`${repos[i / 2]}: durable / in-memory ${((servers[i]!.ms / servers[i + 1]!.ms) * 100).toFixed(0)} %`);
}
process.exit(0);
