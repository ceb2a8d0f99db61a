/**
 * Multi-row INSERT (or, with --prepared, the prepared INSERT) over the wire: TSBS rows, 1,000 per
 * statement, one client per server, into an in-memory and a durable 3-node Strata server of each
 * given checkout, interleaved statement by statement so that machine noise hits every server alike
 * (scenarios/interleaved-ingest.ts); prints rows/s per server and the durable / in-memory ratio per
 * checkout. Checkouts default to this one.
 *
 *   npx tsx packages/bench/src/durability/insert-interleaved.ts [rows=300000] [--prepared] [--repo DIR]…
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Target } from '../targets.js';
import { runInterleavedIngest, type InterleavedServer } from '../scenarios/interleaved-ingest.js';

const argv = process.argv.slice(2);
const repos: string[] = [];
let rows = 300_000;
let method: 'insert' | 'prepared' = 'insert';
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--repo') repos.push(resolve(argv[++i]!));
  else if (argv[i] === '--prepared') method = 'prepared';
  else rows = Number(argv[i]);
}
if (repos.length === 0) repos.push(resolve(fileURLToPath(new URL('../../../..', import.meta.url))));

const servers: InterleavedServer[] = [];
for (const repo of repos) {
  const { startStrataServer } = (await import(`${repo}/packages/bench/src/targets.ts`)) as {
    startStrataServer: (dataNodes: number, opts: { durable?: boolean }) => Promise<Target>;
  };
  for (const durable of [false, true]) {
    servers.push({ start: async () => ({ ...(await startStrataServer(3, { durable })), name: `${repo} ${durable ? 'durable' : 'in-memory'}` }) });
  }
}
const results = await runInterleavedIngest(servers, { rows, method });
for (const r of results) console.log(`${r.target}: ${Math.round(r.rowsPerSec).toLocaleString()} rows/s`);
for (let i = 0; i < results.length; i += 2) {
  console.log(`${repos[i / 2]}: durable / in-memory ${((results[i + 1]!.rowsPerSec / results[i]!.rowsPerSec) * 100).toFixed(0)} %`);
}
process.exit(0);
