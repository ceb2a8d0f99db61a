/**
 * Throughput check for the insert and scan paths (TSBS cpu schema: timestamptz,
 * text hostname, 10 float8). Run: npx tsx packages/storage/src/table/bench.ts
 */
import { T } from '../types/sql-type.js';
import type { Batch, Vector } from '../vector.js';
import { TableStore } from './table-store.js';
import type { ColumnSpec } from './schema.js';

const METRICS = ['usage_user', 'usage_system', 'usage_idle', 'usage_nice', 'usage_iowait', 'usage_irq', 'usage_softirq', 'usage_steal', 'usage_guest', 'usage_guest_nice'];
const columns: ColumnSpec[] = [
  { id: 1, name: 'time', type: T.timestamptz, notNull: true },
  { id: 2, name: 'hostname', type: T.text, notNull: false },
  ...METRICS.map((name, i) => ({ id: 3 + i, name, type: T.float8, notNull: false })),
];
const HOSTS = Array.from({ length: 4000 }, (_, i) => `host_${i}`);

function makeBatch(start: number, n: number, dictHost: boolean): Batch {
  const time = new Float64Array(n);
  const codes = new Int32Array(n);
  const hostVals: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = start + i;
    time[i] = 1_600_000_000_000_000 + Math.floor(r / HOSTS.length) * 10_000_000;
    codes[i] = r % HOSTS.length;
    hostVals[i] = HOSTS[codes[i]!]!;
  }
  const cols: Vector[] = [
    { tag: 'number', type: T.timestamptz, length: n, values: time, nulls: null },
    dictHost
      ? { tag: 'dict', type: T.text, length: n, codes, dict: HOSTS, nulls: null }
      : { tag: 'object', type: T.text, length: n, values: hostVals },
  ];
  for (let m = 0; m < METRICS.length; m++) {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = Math.random() * 100;
    cols.push({ tag: 'number', type: T.float8, length: n, values: v, nulls: null });
  }
  return { length: n, columns: cols };
}

export function runInsertBench(rows: number, batchRows: number, mode: 'txn' | 'autocommit', dictHost: boolean): { rowsPerSec: number; store: TableStore } {
  const batches: Batch[] = [];
  for (let s = 0; s < rows; s += batchRows) batches.push(makeBatch(s, Math.min(batchRows, rows - s), dictHost));
  const store = new TableStore({ name: 'cpu', columns });
  const t0 = performance.now();
  if (mode === 'txn') {
    const t = store.begin();
    for (const b of batches) t.insert(b);
    t.commit();
  } else {
    for (const b of batches) store.insert(b);
  }
  const ms = performance.now() - t0;
  return { rowsPerSec: (rows / ms) * 1000, store };
}

function sumF64(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return s;
}

function sumI32(v: Int32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return s;
}

function main(): void {
  for (const [mode, dict] of [['txn', true], ['autocommit', true], ['autocommit', false]] as const) {
    runInsertBench(200_000, 65536, mode, dict); // warm-up
    const rates: number[] = [];
    let bytes = 0;
    for (let rep = 0; rep < 5; rep++) {
      const { rowsPerSec, store } = runInsertBench(1_000_000, 65536, mode, dict);
      rates.push(rowsPerSec / 1e6);
      bytes = store.bytes();
    }
    rates.sort((a, b) => a - b);
    console.log(`insert 1M rows (${mode}, hostname as ${dict ? 'DictVector' : 'ObjectVector'}): best ${rates[4]!.toFixed(2)}, median ${rates[2]!.toFixed(2)} M rows/s; ` +
      `${(bytes / 1e6).toFixed(1)} MB = ${(bytes / 1e6).toFixed(1)} bytes/row`);
  }
  const big = runInsertBench(10_000_000, 65536, 'autocommit', true).store;
  console.log(`10M rows: ${(big.bytes() / 10_000_000).toFixed(1)} bytes/row, chunks=${big.latest().chunks.length}`);
  for (const [label, ids] of [['float8 usage_user', [3]], ['timestamptz time', [1]], ['text hostname', [2]]] as const) {
    for (let rep = 0; rep < 2; rep++) {
      const t0 = performance.now();
      let n = 0;
      for (const sb of big.latest().scan(ids)) n += sb.batch.length;
      const t1 = performance.now();
      let sum = 0;
      for (const sb of big.latest().scan(ids)) {
        const v = sb.batch.columns[0]!;
        sum += v.tag === 'number' ? sumF64(v.values) : v.tag === 'dict' ? sumI32(v.codes) : 0;
      }
      const t2 = performance.now();
      console.log(`${rep === 0 ? 'first' : 'again'}: scan ${n / 1e6}M rows of ${label}: ${(t1 - t0).toFixed(1)} ms; scan+sum ${(t2 - t1).toFixed(1)} ms (${sum > 0 ? 'ok' : ''})`);
    }
  }
}

if (process.argv[1] && process.argv[1].endsWith('bench.ts')) main();
