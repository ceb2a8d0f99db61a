/**
 * The embedded bulk-insert scenario alone (what `pnpm bench` runs in its
 * "Embedded bulk insert" section), for the issue 5 target at 10M rows:
 *
 *   NODE_OPTIONS=--max-old-space-size=12288 npx tsx packages/bench/src/embedded-ingest-bench.ts \
 *     [--rows 10000000] [--hosts 1000] [--nodes 1,3] [--modes arrow,rows] [--reps 1] [--durable-side-by-side]
 *
 * Each configuration runs in a fresh engine; reps interleave the configurations.
 * `--durable-side-by-side`: instead, per node count and mode, an in-memory and a durable engine
 * loaded part by part in turn (scenarios/embedded-interleaved.ts), and the durable one's share.
 */
import { runEmbeddedIngest } from './scenarios/embedded-ingest.js';
import { runEmbeddedInterleaved } from './scenarios/embedded-interleaved.js';

const argv = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const rows = Number(arg('--rows', '10000000'));
const hosts = Number(arg('--hosts', '1000'));
const nodes = arg('--nodes', '1,3').split(',').map(Number);
const modes = arg('--modes', 'arrow,rows').split(',') as ('arrow' | 'rows')[];
const reps = Number(arg('--reps', '1'));

const sideBySide = argv.includes('--durable-side-by-side');

async function main(): Promise<void> {
  for (let r = 0; r < reps; r++) {
    for (const dataNodes of nodes) {
      for (const mode of modes) {
        if (sideBySide) {
          const [memory, durable] = await runEmbeddedInterleaved({ rows, hosts, dataNodes, mode });
          const rate = (x: number) => Math.round(x).toLocaleString().padStart(10);
          console.log(`${dataNodes} dn  db.insert(${mode.padEnd(5)})  in memory ${rate(memory!.rowsPerSec)} rows/s, durable ${rate(durable!.rowsPerSec)} rows/s: ${((100 * durable!.rowsPerSec) / memory!.rowsPerSec).toFixed(0)} %`);
          continue;
        }
        const res = await runEmbeddedIngest({ rows, hosts, dataNodes, mode });
        const rss = res.peakRssBytes === undefined ? 'n/a' : `${Math.round(res.peakRssBytes / 2 ** 20)} MiB`;
        console.log(`${dataNodes} dn  db.insert(${mode.padEnd(5)})  ${Math.round(res.rowsPerSec).toLocaleString().padStart(10)} rows/s  ${res.seconds.toFixed(2)} s  peak RSS ${rss}`);
      }
    }
  }
  console.log(`(${rows.toLocaleString()} rows, ${hosts} hosts; timed: the db.insert calls only)`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
