/**
 * Operator throughput on TSBS-shaped data: `npx tsx packages/storage/src/ops/bench.ts [rows]`.
 * 10M rows by default: time (µs, 10 s apart), hostname (dict, 100 hosts),
 * f1..f10 float8 in 64K-row batches. Uses the real function and aggregate catalogs.
 */
import { T } from '../types/sql-type.js';
import { DEFAULT_FORMAT_CONTEXT } from '../types/values.js';
import type { Batch, Vector } from '../vector.js';
import type { EvalContext, ExprNode } from '../expr/expr.js';
import { resolveFunction, resolveOperator } from '../functions/index.js';
import { resolveAggregate } from '../aggregates/index.js';
import { parseInterval } from '../types/interval.js';
import type { BatchSource } from './source.js';
import { batchesOf } from './source.js';
import { filterOp } from './filter.js';
import { hashAggregateOp } from './aggregate.js';
import type { AggCallSpec } from './aggregate.js';
import { sortOp } from './sort.js';

const ROWS = Number(process.argv[2] ?? 10_000_000);
const BATCH = 65536;
const HOSTS = Array.from({ length: 100 }, (_, i) => `host_${i}`);

function makeData(): Batch[] {
  const out: Batch[] = [];
  let seed = 42;
  const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const t0 = Date.UTC(2024, 0, 1) * 1000;
  for (let start = 0; start < ROWS; start += BATCH) {
    const n = Math.min(BATCH, ROWS - start);
    const time = new Float64Array(n);
    const codes = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const r = start + i;
      time[i] = t0 + Math.floor(r / 100) * 10_000_000; // every host reports each 10 s
      codes[i] = r % 100;
    }
    const cols: Vector[] = [
      { tag: 'number', type: T.timestamptz, length: n, values: time, nulls: null },
      { tag: 'dict', type: T.text, length: n, codes, dict: HOSTS, nulls: null },
    ];
    for (let f = 0; f < 10; f++) {
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = rnd() * 100;
      cols.push({ tag: 'number', type: T.float8, length: n, values: v, nulls: null });
    }
    out.push({ length: n, columns: cols });
  }
  return out;
}

const ctx: EvalContext = { params: [], settings: DEFAULT_FORMAT_CONTEXT, statementTime: 0, transactionTime: 0, correlated: [] };
const col = (index: number): ExprNode => ({ k: 'col', type: index === 0 ? T.timestamptz : index === 1 ? T.text : T.float8, index });
const f1 = col(2);

function aggCall(name: string, args: ExprNode[]): AggCallSpec {
  return { agg: resolveAggregate(name, args.map((a) => a.type), { star: args.length === 0, distinct: false }), args, distinct: false };
}

function run(label: string, src: BatchSource): void {
  for (let warm = 0; warm < 1; warm++) for (const _ of src(ctx));
  const times: number[] = [];
  let rows = 0;
  for (let rep = 0; rep < 3; rep++) {
    const t = performance.now();
    rows = 0;
    for (const b of src(ctx)) rows += b.length;
    times.push(performance.now() - t);
  }
  const best = Math.min(...times);
  console.log(`${label.padEnd(58)} ${best.toFixed(0).padStart(6)} ms  ${((ROWS / best) * 1000 / 1e6).toFixed(1).padStart(6)} M rows/s  (${rows} out)`);
}

const data = makeData();
const input = batchesOf(data);
const gtFn = resolveOperator('>', T.float8, T.float8);
const tb = resolveFunction('time_bucket', [T.interval, T.timestamptz]);
const hourBucket: ExprNode = { k: 'call', type: tb.returnType, fn: tb.fnId, args: [{ k: 'const', type: T.interval, value: parseInterval('1 hour') }, col(0)] };
const floorBucket: ExprNode = {
  k: 'call',
  type: T.float8,
  fn: resolveOperator('*', T.float8, T.float8).fnId,
  args: [{ k: 'call', type: T.float8, fn: resolveFunction('floor', [T.float8]).fnId, args: [{ k: 'call', type: T.float8, fn: resolveOperator('/', T.float8, T.float8).fnId, args: [{ k: 'col', type: T.float8, index: 0 }, { k: 'const', type: T.float8, value: 3.6e9 }] }] }, { k: 'const', type: T.float8, value: 3.6e9 }],
};
const where: ExprNode = { k: 'call', type: T.bool, fn: gtFn.fnId, args: [f1, { k: 'const', type: T.float8, value: 90 }] };

console.log(`${ROWS} rows in ${data.length} batches`);
run('SELECT max(f1)', hashAggregateOp(input, { groupBy: [], aggregates: [aggCall('max', [f1])], mode: 'full' }));
run('SELECT count(*), sum(f1), avg(f2)', hashAggregateOp(input, { groupBy: [], aggregates: [aggCall('count', []), aggCall('sum', [f1]), aggCall('avg', [col(3)])], mode: 'full' }));
run("GROUP BY time_bucket('1 hour', time): max(f1)", hashAggregateOp(input, { groupBy: [hourBucket], aggregates: [aggCall('max', [f1])], mode: 'full' }));
run('GROUP BY floor(time / 1h) * 1h (arith): max(f1)', hashAggregateOp(input, { groupBy: [floorBucket], aggregates: [aggCall('max', [f1])], mode: 'full' }));
run('GROUP BY hostname: max(f1), avg(f2)', hashAggregateOp(input, { groupBy: [col(1)], aggregates: [aggCall('max', [f1]), aggCall('avg', [col(3)])], mode: 'full' }));
run("GROUP BY hostname, time_bucket('1 hour'): max(f1)", hashAggregateOp(input, { groupBy: [col(1), hourBucket], aggregates: [aggCall('max', [f1])], mode: 'full' }));
run('WHERE f1 > 90 (filter, materialise 12 columns)', filterOp(input, where));
run('WHERE f1 > 90: max(f2)', hashAggregateOp(filterOp(input, where), { groupBy: [], aggregates: [aggCall('max', [col(3)])], mode: 'full' }));
run('ORDER BY f1 DESC LIMIT 10', sortOp(input, [{ expr: f1, desc: true, nullsFirst: true }], 10));
run('ORDER BY time DESC (full sort, 12 columns)', sortOp(input, [{ expr: col(0), desc: true, nullsFirst: true }]));
