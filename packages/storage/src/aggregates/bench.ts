/**
 * Micro-benchmark of the hot aggregate paths: max/avg/sum/count/min over
 * 10M float8 rows, 1 group (empty-groupIds marker) and 1,000 groups, fed in
 * 64Ki-row batches like the executor does. Run: npx tsx packages/storage/src/aggregates/bench.ts
 */
import { T } from '../types/sql-type.js';
import { sliceVector } from '../vector.js';
import type { NumberVector, Vector } from '../vector.js';
import { createAccumulator, resolveAggregate } from './index.js';

const N = 10_000_000;
const BATCH = 65_536;

function column(withNulls: boolean): NumberVector {
  const values = new Float64Array(N);
  let s = 12345;
  for (let i = 0; i < N; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    values[i] = (s / 4294967296) * 100;
  }
  let nulls: Uint8Array | null = null;
  if (withNulls) {
    nulls = new Uint8Array(N);
    for (let i = 0; i < N; i += 17) nulls[i] = 1;
  }
  return { tag: 'number', type: T.float8, length: N, values, nulls };
}

function groupIds(groups: number): Int32Array {
  const g = new Int32Array(N);
  // TSBS-like: hosts interleaved row by row
  for (let i = 0; i < N; i++) g[i] = i % groups;
  return g;
}

function run(name: string, col: Vector, gids: Int32Array | null, groups: number): number {
  const agg = resolveAggregate(name, name === 'count' && !col ? [] : [T.float8], { star: false, distinct: false });
  let best = Infinity;
  for (let rep = 0; rep < 5; rep++) {
    const acc = createAccumulator(agg, { distinct: false });
    const t0 = performance.now();
    for (let at = 0; at < N; at += BATCH) {
      const end = Math.min(N, at + BATCH);
      acc.update(gids ? gids.subarray(at, end) : new Int32Array(0), [sliceVector(col, at, end)], end - at);
    }
    acc.finalize(groups);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const plain = column(false);
const withNulls = column(true);
const g1 = groupIds(1);
const g1000 = groupIds(1000);
const rows: string[] = [];
for (const name of ['max', 'min', 'avg', 'sum', 'count']) {
  for (const [label, col] of [['no nulls', plain], ['6% nulls', withNulls]] as const) {
    const tMarker = run(name, col, null, 1);
    const tZeros = run(name, col, g1, 1);
    const t1000 = run(name, col, g1000, 1000);
    const mrows = (ms: number) => `${ms.toFixed(1).padStart(6)} ms (${(N / ms / 1000).toFixed(0).padStart(4)} Mrows/s)`;
    rows.push(`${name.padEnd(5)} ${label.padEnd(8)} | 1 group (marker) ${mrows(tMarker)} | 1 group (ids) ${mrows(tZeros)} | 1000 groups ${mrows(t1000)}`);
  }
}
console.log(`${N.toLocaleString()} float8 rows, batches of ${BATCH}, best of 5`);
for (const r of rows) console.log(r);
