import { describe, expect, it, vi } from 'vitest';
import { T } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import { DEFAULT_FORMAT_CONTEXT } from '../types/values.js';
import type { Batch, Vector } from '../vector.js';
import { getValue, vectorFromValues } from '../vector.js';
import type { EvalContext, ExprNode } from '../expr/expr.js';
import { compareValues } from '../kernels/compare.js';
import { valueKey } from '../kernels/hash.js';

vi.mock('../expr/deps.js', async () => {
  const f = await import('../expr/test-fakes.js');
  return { getFunctionImpl: f.getFunctionImpl, castValue: f.castValue };
});
const ops = await import('./index.js');
const { resolveAggregate } = await import('../aggregates/index.js');
type AggCallSpec = import('./aggregate.js').AggCallSpec;

const ctx: EvalContext = { params: [], settings: DEFAULT_FORMAT_CONTEXT, statementTime: 0, transactionTime: 0, correlated: [] };

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const col = (index: number, type: SqlType): ExprNode => ({ k: 'col', type, index });
const cnst = (type: SqlType, value: Value): ExprNode => ({ k: 'const', type, value });
const HOSTS = ['h0', 'h1', 'h2', 'h3', 'h4'];

/** Batches of (host dict, t number, v float8 with NULLs). */
function data(seed: number, batches: number, rows: number): { batches: Batch[]; rows: Value[][] } {
  const r = rng(seed);
  const out: Batch[] = [];
  const all: Value[][] = [];
  for (let b = 0; b < batches; b++) {
    const n = Math.floor(r() * rows);
    const codes = new Int32Array(n);
    const hn = new Uint8Array(n);
    const t: Value[] = [];
    const v: Value[] = [];
    for (let i = 0; i < n; i++) {
      codes[i] = Math.floor(r() * HOSTS.length);
      hn[i] = r() < 0.05 ? 1 : 0;
      t.push(Math.floor(r() * 10) * 100);
      v.push(r() < 0.1 ? null : Math.floor(r() * 1000) / 10);
      all.push([hn[i] ? null : HOSTS[codes[i]!]!, t[i]!, v[i]!]);
    }
    out.push({ length: n, columns: [{ tag: 'dict', type: T.text, length: n, codes, dict: HOSTS, nulls: hn }, vectorFromValues(T.int8, t), vectorFromValues(T.float8, v)] });
  }
  return { batches: out, rows: all };
}

function rowsOf(src: import('./source.js').BatchSource): Value[][] {
  const out: Value[][] = [];
  for (const b of src(ctx)) for (let i = 0; i < b.length; i++) out.push(b.columns.map((c) => getValue(c, i)));
  return out;
}

const gt = (a: ExprNode, b: ExprNode): ExprNode => ({ k: 'call', fn: 'gt', type: T.bool, args: [a, b] });

describe('filter / project / limit / append / rebatch', () => {
  const { batches, rows } = data(1, 6, 200);
  it('filterOp keeps TRUE rows only', () => {
    const got = rowsOf(ops.filterOp(ops.batchesOf(batches), gt(col(2, T.float8), cnst(T.float8, 50))));
    expect(got).toEqual(rows.filter((r) => r[2] !== null && (r[2] as number) > 50));
  });
  it('projectOp', () => {
    const got = rowsOf(ops.projectOp(ops.batchesOf(batches), [col(2, T.float8), { k: 'isnull', type: T.bool, arg: col(0, T.text), negate: false }]));
    expect(got).toEqual(rows.map((r) => [r[2], r[0] === null]));
  });
  it('limitOp with offset across batches stops pulling input', () => {
    let pulled = 0;
    const src: import('./source.js').BatchSource = function* () {
      for (const b of batches) {
        pulled++;
        yield b;
      }
    };
    const got = rowsOf(ops.limitOp(src, 10, batches[0]!.length + 3));
    expect(got).toEqual(rows.slice(batches[0]!.length + 3, batches[0]!.length + 13));
    expect(pulled).toBeLessThan(batches.length);
    expect(rowsOf(ops.limitOp(ops.batchesOf(batches), null, 5))).toEqual(rows.slice(5));
    expect(rowsOf(ops.limitOp(ops.batchesOf(batches), 0, 0))).toEqual([]);
  });
  it('appendOp and rebatch', () => {
    const both = ops.appendOp([ops.batchesOf(batches), ops.batchesOf(batches)]);
    expect(rowsOf(both)).toEqual([...rows, ...rows]);
    const sizes = [...ops.rebatch(both, 97)(ctx)].map((b) => b.length);
    expect(sizes.slice(0, -1).every((s) => s === 97)).toBe(true);
    expect(rowsOf(ops.rebatch(both, 97))).toEqual([...rows, ...rows]);
  });
  it('empty input', () => {
    expect(rowsOf(ops.filterOp(ops.batchesOf([]), gt(col(2, T.float8), cnst(T.float8, 1))))).toEqual([]);
    expect(rowsOf(ops.sortOp(ops.batchesOf([]), [{ expr: col(0, T.int4), desc: false, nullsFirst: false }]))).toEqual([]);
  });
});

function cmpRows(desc: boolean[], nf: boolean[], keys: number[]) {
  return (a: Value[], b: Value[]) => {
    for (let k = 0; k < keys.length; k++) {
      const x = a[keys[k]!]!;
      const y = b[keys[k]!]!;
      const c = x === null || y === null ? (x === y ? 0 : (x === null ? 1 : -1) * (nf[k] ? -1 : 1)) : (desc[k] ? -1 : 1) * compareValues(x, y);
      if (c !== 0) return c;
    }
    return 0;
  };
}

describe('sortOp', () => {
  const { batches, rows } = data(2, 5, 300);
  for (const limit of [undefined, 0, 7, 100000])
    it(`multi-key, limit ${limit}`, () => {
      const keys = [
        { expr: col(0, T.text), desc: true, nullsFirst: false },
        { expr: col(2, T.float8), desc: false, nullsFirst: true },
      ];
      const want = [...rows].sort(cmpRows([true, false], [false, true], [0, 2])); // Array sort is stable
      const got = rowsOf(ops.sortOp(ops.batchesOf(batches), keys, limit));
      expect(got).toEqual(limit === undefined ? want : want.slice(0, limit));
    });
  it('top-N over many batches with compaction', () => {
    const big = data(3, 40, 5000);
    const keys = [{ expr: col(2, T.float8), desc: true, nullsFirst: true }];
    const want = [...big.rows].sort(cmpRows([true], [true], [2])).slice(0, 20);
    expect(rowsOf(ops.sortOp(ops.batchesOf(big.batches), keys, 20))).toEqual(want);
  });
});

describe('distinctOp', () => {
  const { batches, rows } = data(4, 5, 200);
  it('all columns', () => {
    const seen = new Set<string>();
    const want = rows.filter((r) => {
      const k = JSON.stringify(r.map((x) => String(valueKey(x))));
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    expect(rowsOf(ops.distinctOp(ops.batchesOf(batches)))).toEqual(want);
  });
  it('DISTINCT ON keeps the first row per key', () => {
    const seen = new Set<Value>();
    const want = rows.filter((r) => (seen.has(r[0]!) ? false : (seen.add(r[0]!), true)));
    expect(rowsOf(ops.distinctOp(ops.batchesOf(batches), [0]))).toEqual(want);
  });
});

// ------------------------------------------------------------------- aggregates

const agg = (name: string, args: ExprNode[], extra: Partial<AggCallSpec> = {}): AggCallSpec => ({
  agg: resolveAggregate(name, args.map((a) => a.type), { star: args.length === 0, distinct: extra.distinct ?? false }),
  args,
  distinct: false,
  ...extra,
});

function aggSpecs(): AggCallSpec[] {
  const v = col(2, T.float8);
  return [
    agg('count', []),
    agg('sum', [v]),
    agg('max', [v]),
    agg('min', [v]),
    agg('avg', [v]),
    agg('count', [v], { distinct: true }),
    agg('count', [], { filter: gt(v, cnst(T.float8, 50)) }),
  ];
}

function naiveAgg(rows: Value[][], keyOf: (r: Value[]) => Value[]): Map<string, Value[]> {
  const groups = new Map<string, { key: Value[]; rows: Value[][] }>();
  for (const r of rows) {
    const key = keyOf(r);
    const k = JSON.stringify(key);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { key, rows: [] }));
    g.rows.push(r);
  }
  const out = new Map<string, Value[]>();
  for (const [k, g] of groups) {
    const vs = g.rows.map((r) => r[2]!).filter((x) => x !== null) as number[];
    out.set(k, [
      ...g.key,
      g.rows.length,
      vs.length ? vs.reduce((a, b) => a + b, 0) : null,
      vs.length ? Math.max(...vs) : null,
      vs.length ? Math.min(...vs) : null,
      vs.length ? vs.reduce((a, b) => a + b, 0) / vs.length : null,
      new Set(vs).size,
      vs.filter((x) => x > 50).length,
    ]);
  }
  return out;
}

function normalise(rows: Value[][], nk: number): Map<string, Value[]> {
  const m = new Map<string, Value[]>();
  for (const r of rows) {
    const out = r.map((x, i) => (typeof x === 'number' && i >= nk ? Math.round(x * 1e6) / 1e6 : typeof x === 'object' && x !== null ? Number(String(x)) : x));
    m.set(JSON.stringify(r.slice(0, nk)), out);
  }
  return m;
}

describe('hashAggregateOp', () => {
  const { batches, rows } = data(5, 8, 400);
  const bucket: ExprNode = { k: 'call', fn: 'bucket', type: T.int8, args: [cnst(T.int8, 300), col(1, T.int8)] };
  const cases: [string, ExprNode[], (r: Value[]) => Value[]][] = [
    ['no GROUP BY', [], () => []],
    ['GROUP BY host', [col(0, T.text)], (r) => [r[0]!]],
    ['GROUP BY bucket(t)', [bucket], (r) => [Math.floor((r[1] as number) / 300) * 300]],
    ['GROUP BY host, bucket(t)', [col(0, T.text), bucket], (r) => [r[0]!, Math.floor((r[1] as number) / 300) * 300]],
  ];
  for (const [name, groupBy, keyOf] of cases) {
    it(`full: ${name}`, () => {
      const got = rowsOf(ops.hashAggregateOp(ops.batchesOf(batches), { groupBy, aggregates: aggSpecs(), mode: 'full' }));
      const avgRound = (m: Map<string, Value[]>) => normalise([...m.values()], groupBy.length);
      expect(normalise(got, groupBy.length)).toEqual(avgRound(naiveAgg(rows, keyOf)));
    });
    it(`partial → final equals full: ${name}`, () => {
      const r = rng(groupBy.length + 11);
      const full = rowsOf(ops.hashAggregateOp(ops.batchesOf(batches), { groupBy, aggregates: aggSpecs(), mode: 'full' }));
      for (let trial = 0; trial < 5; trial++) {
        const parts: Batch[][] = [[], [], []];
        for (const b of batches) parts[Math.floor(r() * 3)]!.push(b);
        const partials = parts.map((p) => ops.hashAggregateOp(ops.batchesOf(p), { groupBy, aggregates: aggSpecs(), mode: 'partial' }));
        // re-cut the partial streams so states of one partial arrive in several batches
        const fin = ops.hashAggregateOp(ops.rebatch(ops.appendOp(partials), 3), { groupBy: groupBy.map((g, i) => col(i, g.type)), aggregates: aggSpecs(), mode: 'final' });
        expect(normalise(rowsOf(fin), groupBy.length)).toEqual(normalise(full, groupBy.length));
      }
    });
  }
  it('empty input: one row without GROUP BY, none with', () => {
    expect(rowsOf(ops.hashAggregateOp(ops.batchesOf([]), { groupBy: [], aggregates: aggSpecs(), mode: 'full' }))).toEqual([[0, null, null, null, null, 0, 0]]);
    expect(rowsOf(ops.hashAggregateOp(ops.batchesOf([]), { groupBy: [col(0, T.text)], aggregates: aggSpecs(), mode: 'full' }))).toEqual([]);
    const partial = ops.hashAggregateOp(ops.batchesOf([]), { groupBy: [], aggregates: aggSpecs(), mode: 'partial' });
    expect(rowsOf(ops.hashAggregateOp(partial, { groupBy: [], aggregates: aggSpecs(), mode: 'final' }))).toEqual([[0, null, null, null, null, 0, 0]]);
  });
  it('NULL keys form one group', () => {
    const v: Vector = vectorFromValues(T.int4, [null, 1, null, 1, 2]);
    const got = rowsOf(ops.hashAggregateOp(ops.batchesOf([{ length: 5, columns: [v] }]), { groupBy: [col(0, T.int4)], aggregates: [agg('count', [])], mode: 'full' }));
    expect(got).toEqual([[null, 2], [1, 2], [2, 1]]);
  });
});
