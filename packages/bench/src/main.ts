/** `pnpm bench [--rows N] [--full]`: Strata's benchmarks; results printed and saved as JSON. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { runAggregateBench } from './aggregate-10m.js';
import { runMultiNodeBench } from './tsbs-multinode.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const full = process.argv.includes('--full');
  const rows = Number(arg('--rows') ?? (full ? 10_000_000 : 1_000_000));
  const log = (s: string) => process.stdout.write(`${s}\n`);
  log(`# Strata benchmarks (node ${process.version})`);
  log(`\n## Aggregate over ${rows.toLocaleString()} rows (embedded)`);
  const agg = await runAggregateBench({ rows, hosts: 100, iterations: 5, log });
  log(`\n## TSBS cpu-only queries: plain table vs distributed hypertable on 3 data nodes (${rows.toLocaleString()} rows)`);
  const tsbs = await runMultiNodeBench({ rows, hosts: 100, perType: full ? 10 : 5, log });
  mkdirSync('bench-results', { recursive: true });
  const file = `bench-results/bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify({ aggregate: agg, tsbs }, null, 2));
  log(`\nsaved ${file}`);
}

void main();
