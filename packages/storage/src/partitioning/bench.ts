/**
 * Routing throughput on TSBS cpu-only data: 100 hosts, one row per host every
 * 10 s, 7-day chunks, 4 space partitions on hostname.
 * Run: npx tsx packages/storage/src/partitioning/bench.ts [rows]
 */
import { T } from '../types/sql-type.js';
import type { Vector } from '../vector.js';
import { routeBatch } from './router.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const HOSTS = Array.from({ length: 100 }, (_, i) => `host_${i}`);
const START = Date.UTC(2016, 0, 1) * 1000;

const time = new Float64Array(ROWS);
const codes = new Int32Array(ROWS);
for (let i = 0; i < ROWS; i++) {
  time[i] = START + Math.floor(i / HOSTS.length) * 10_000_000;
  codes[i] = i % HOSTS.length;
}
const timeVec: Vector = { tag: 'number', type: T.timestamptz, length: ROWS, values: time, nulls: null };
const layouts: [string, Vector | null][] = [
  ['hostname text, dictionary', { tag: 'dict', type: T.text, length: ROWS, codes, dict: HOSTS, nulls: null }],
  ['hostname text, plain strings', { tag: 'object', type: T.text, length: ROWS, values: Array.from(codes, (c) => HOSTS[c]!) }],
  ['host id int4', { tag: 'number', type: T.int4, length: ROWS, values: Float64Array.from(codes), nulls: null }],
  ['host id int8', { tag: 'number', type: T.int8, length: ROWS, values: Float64Array.from(codes, (c) => c * 5_000_000_000), nulls: null }],
  ['no space dimension', null],
];

for (const [name, space] of layouts) {
  const times: number[] = [];
  let chunks = 0;
  for (let run = 0; run < 12; run++) {
    const t0 = performance.now();
    const r = routeBatch(timeVec, space, { timeColumn: 'time', numPartitions: 4 });
    times.push(performance.now() - t0);
    chunks = r.chunkKeys.length;
  }
  const best = times.slice(2).sort((a, b) => a - b);
  const median = best[Math.floor(best.length / 2)]!;
  console.log(`${name.padEnd(30)} ${ROWS} rows → ${chunks} chunks: median ${median.toFixed(1)} ms = ${((ROWS / median) * 1e3 / 1e6).toFixed(1)} M rows/s (best ${((ROWS / best[0]!) * 1e3 / 1e6).toFixed(1)})`);
}
