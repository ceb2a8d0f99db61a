import { describe, expect, it, vi } from 'vitest';
vi.mock('./deps.js', async () => {
  const t = await import('./testing.js');
  return { compileExpr: t.fakeCompileExpr, createAccumulator: t.fakeCreateAccumulator };
});
import { arrayOf, T, type SqlType } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import { Decimal } from '../../../storage/src/types/numeric.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import { setOp } from './setop.js';
import { singleRowOp, valuesOp } from './values.js';
import { functionScanOp } from './function-scan.js';
import { materializeOp } from './materialize.js';
import { createWorkTable, recursiveUnionOp, workTableScanOp } from './recursive.js';
import { lateralJoinOp } from './join-lateral.js';
import { collectRows, rowsToBatch } from './rows.js';
import { call, col, corr, lit, testCtx } from './testing.js';
import type { BatchSource } from './types.js';

const ctx = testCtx();
function src(rows: Value[][], types: SqlType[], size = 2): BatchSource {
  return function* () {
    for (let s = 0; s < rows.length; s += size) yield rowsToBatch(rows.slice(s, s + size), types);
  };
}
const sorted = (rows: Value[][]) => rows.map((r) => JSON.stringify(r)).sort();

describe('setOp', () => {
  // checked on PostgreSQL 15 with VALUES (1,'a'),(1,'a'),(1,'a'),(2,NULL),(2,NULL),(3,'c') vs (1,'a'),(2,NULL),(2,NULL),(4,'d')
  const TT = [T.int4, T.text];
  const L: Value[][] = [[1, 'a'], [1, 'a'], [1, 'a'], [2, null], [2, null], [3, 'c']];
  const R: Value[][] = [[1, 'a'], [2, null], [2, null], [4, 'd']];
  const run = (op: 'union' | 'intersect' | 'except', all: boolean) => sorted(collectRows(setOp(src(L, TT), src(R, TT), { op, all, types: TT }), ctx));
  it('UNION / UNION ALL', () => {
    expect(run('union', false)).toEqual(sorted([[1, 'a'], [2, null], [3, 'c'], [4, 'd']]));
    expect(run('union', true)).toEqual(sorted([...L, ...R]));
  });
  it('INTERSECT [ALL]: NULLs equal, ALL takes min counts', () => {
    expect(run('intersect', false)).toEqual(sorted([[1, 'a'], [2, null]]));
    expect(run('intersect', true)).toEqual(sorted([[1, 'a'], [2, null], [2, null]]));
  });
  it('EXCEPT [ALL]: ALL subtracts counts', () => {
    expect(run('except', false)).toEqual(sorted([[3, 'c']]));
    expect(run('except', true)).toEqual(sorted([[1, 'a'], [1, 'a'], [3, 'c']]));
  });
  it('numeric values compare by value (1.0 = 1.00)', () => {
    const NT = [T.numeric];
    const out = collectRows(setOp(src([[Decimal.parse('1.0')]], NT), src([[Decimal.parse('1.00')]], NT), { op: 'intersect', all: false, types: NT }), ctx);
    expect(out.length).toBe(1);
  });
});

describe('valuesOp / singleRowOp', () => {
  it('evaluates params and constants per execution', () => {
    const op = valuesOp([[lit(1), { k: 'param', index: 0, type: T.int4 }], [lit(2), lit(null)]], [T.int4, T.int4]);
    expect(collectRows(op, testCtx({ params: [7] }))).toEqual([[1, 7], [2, null]]);
    expect(collectRows(op, testCtx({ params: [8] }))).toEqual([[1, 8], [2, null]]);
  });
  it('single row, no columns', () => {
    const b = [...singleRowOp()(ctx)];
    expect(b.length).toBe(1);
    expect(b[0]!.length).toBe(1);
    expect(b[0]!.columns.length).toBe(0);
  });
});

describe('functionScanOp', () => {
  const gs = (args: ExprNode[], type: SqlType, withOrdinality = false) =>
    collectRows(functionScanOp({ name: 'generate_series', args, types: withOrdinality ? [type, T.int8] : [type], withOrdinality }), ctx);
  it('integers, steps, empty ranges, NULLs', () => {
    expect(gs([lit(1), lit(5)], T.int4)).toEqual([[1], [2], [3], [4], [5]]);
    expect(gs([lit(1), lit(10), lit(4)], T.int4)).toEqual([[1], [5], [9]]);
    expect(gs([lit(5), lit(1), lit(-2)], T.int4)).toEqual([[5], [3], [1]]);
    expect(gs([lit(5), lit(1)], T.int4)).toEqual([]);
    expect(gs([lit(1), lit(null)], T.int4)).toEqual([]);
    expect(gs([lit(3), lit(4)], T.int8, true)).toEqual([[3, 1], [4, 2]]);
  });
  it('step 0 is an error (22023)', () => {
    expect(() => gs([lit(1), lit(5), lit(0)], T.int4)).toThrow(expect.objectContaining({ code: '22023', message: 'step size cannot equal zero' }));
  });
  it('large series streams in batches', () => {
    const batches = [...functionScanOp({ name: 'generate_series', args: [lit(1), lit(100000)], types: [T.int8] })(ctx)];
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.reduce((s, b) => s + b.length, 0)).toBe(100000);
  });
  it('numeric', () => {
    const N = (s: string): ExprNode => ({ k: 'const', type: T.numeric, value: Decimal.parse(s) });
    // PostgreSQL: generate_series(1.0, 2, 0.5) → 1.0, 1.5, 2.0
    expect(gs([N('1.0'), N('2'), N('0.5')], T.numeric).map((r) => String(r[0]))).toEqual(['1.0', '1.5', '2.0']);
    expect(() => gs([N('NaN'), N('2')], T.numeric)).toThrow('start value cannot be NaN');
  });
  it('timestamps with month steps add cumulatively (PostgreSQL 15)', () => {
    const ts = (s: string): ExprNode => ({ k: 'const', type: T.timestamp, value: Date.parse(s + 'Z') * 1000 });
    const iv = (months: number, days = 0, micros = 0): ExprNode => ({ k: 'const', type: T.interval, value: { months, days, micros } });
    const out = gs([ts('2024-01-31T00:00:00'), ts('2024-06-01T00:00:00'), iv(1)], T.timestamp);
    // select generate_series('2024-01-31'::timestamp, '2024-06-01', '1 month') → 01-31, 02-29, 03-29, 04-29, 05-29
    expect(out.map((r) => new Date((r[0] as number) / 1000).toISOString().slice(0, 10))).toEqual(['2024-01-31', '2024-02-29', '2024-03-29', '2024-04-29', '2024-05-29']);
    expect(gs([ts('2024-01-01T00:00:00'), ts('2024-01-01T01:00:00'), iv(0, 0, 1_800_000_000)], T.timestamp).length).toBe(3);
    expect(() => gs([ts('2024-01-01T00:00:00'), ts('2024-01-02T00:00:00'), iv(0)], T.timestamp)).toThrow('step size cannot equal zero');
  });
  it('timestamptz day steps keep wall-clock time across DST', () => {
    const tz = testCtx({ settings: { ...ctx.settings, timeZone: 'Europe/Berlin' } });
    const start = Date.parse('2024-03-30T11:00:00Z') * 1000; // 12:00 CET
    const out = collectRows(functionScanOp({ name: 'generate_series', args: [{ k: 'const', type: T.timestamptz, value: start }, { k: 'const', type: T.timestamptz, value: start + 2 * 86_400_000_000 }, { k: 'const', type: T.interval, value: { months: 0, days: 1, micros: 0 } }], types: [T.timestamptz] }), tz);
    // 12:00 local each day: 11:00Z, then 10:00Z after the switch to CEST
    expect(out.map((r) => new Date((r[0] as number) / 1000).toISOString())).toEqual(['2024-03-30T11:00:00.000Z', '2024-03-31T10:00:00.000Z', '2024-04-01T10:00:00.000Z']);
  });
  it('unnest [WITH ORDINALITY], multi-array zip, NULL array', () => {
    const arr = (v: Value): ExprNode => ({ k: 'const', type: arrayOf(T.int4), value: v });
    expect(collectRows(functionScanOp({ name: 'unnest', args: [arr([1, null, 3])], types: [T.int4, T.int8], withOrdinality: true }), ctx)).toEqual([[1, 1], [null, 2], [3, 3]]);
    expect(collectRows(functionScanOp({ name: 'unnest', args: [arr([1, 2]), arr([9])], types: [T.int4, T.int4] }), ctx)).toEqual([[1, 9], [2, null]]);
    expect(collectRows(functionScanOp({ name: 'unnest', args: [arr(null)], types: [T.int4] }), ctx)).toEqual([]);
  });
});

describe('materializeOp', () => {
  it('evaluates once per context, lazily, replays to every consumer', () => {
    let runs = 0, pulled = 0;
    const input: BatchSource = function* () {
      runs++;
      for (let i = 0; i < 5; i++) { pulled++; yield rowsToBatch([[i]], [T.int4]); }
    };
    const m = materializeOp(input);
    const it1 = m(ctx)[Symbol.iterator]();
    it1.next();
    expect(pulled).toBe(1); // lazy
    expect(collectRows(m, ctx)).toEqual([[0], [1], [2], [3], [4]]);
    expect(m.rows(ctx).length).toBe(5);
    expect(runs).toBe(1);
    collectRows(m, testCtx());
    expect(runs).toBe(2); // another statement
  });
});

describe('recursiveUnionOp', () => {
  it('WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM t WHERE n < 5)', () => {
    const wt = createWorkTable();
    const step: BatchSource = function* (c) {
      for (const b of workTableScanOp(wt)(c)) {
        const rows = collectRows(() => [b], c).filter((r) => (r[0] as number) < 5).map((r) => [(r[0] as number) + 1]);
        if (rows.length) yield rowsToBatch(rows, [T.int4]);
      }
    };
    const op = recursiveUnionOp(valuesOp([[lit(1)]], [T.int4]), step, { workTable: wt, all: true, types: [T.int4] });
    expect(collectRows(op, ctx)).toEqual([[1], [2], [3], [4], [5]]);
  });
  it('UNION removes duplicates so a cycle terminates; setWorkTable hook', () => {
    let current: Value[][] = [];
    const step: BatchSource = function* () {
      const rows = current.map((r) => [((r[0] as number) + 1) % 3]);
      if (rows.length) yield rowsToBatch(rows, [T.int4]);
    };
    const op = recursiveUnionOp(valuesOp([[lit(0)]], [T.int4]), step, { all: false, types: [T.int4], setWorkTable: (bs) => { current = bs.flatMap((b) => collectRows(() => [b], ctx)); } });
    expect(collectRows(op, ctx)).toEqual([[0], [1], [2]]);
  });
  it('UNION ALL without end stops when the consumer stops', () => {
    const wt = createWorkTable();
    const step: BatchSource = function* (c) {
      for (const b of workTableScanOp(wt)(c)) yield rowsToBatch(collectRows(() => [b], c).map((r) => [(r[0] as number) + 1]), [T.int4]);
    };
    const it = recursiveUnionOp(valuesOp([[lit(1)]], [T.int4]), step, { workTable: wt, all: true, types: [T.int4] })(ctx)[Symbol.iterator]();
    const got = [];
    for (let i = 0; i < 100; i++) got.push(it.next().value!.length);
    expect(got.length).toBe(100);
    it.return?.(undefined);
  });
});

describe('lateralJoinOp', () => {
  const LT = [T.int4, T.int4];
  // SELECT * FROM l, LATERAL generate_series(1, l.n) g — right side reads slot 0 = l.n
  const series = functionScanOp({ name: 'generate_series', args: [lit(1), corr(0)], types: [T.int4] });
  it('inner: rows per left row; memoizes equal consecutive slots', () => {
    const out = collectRows(lateralJoinOp(src([[1, 2], [2, 0], [3, 2], [4, 2]], LT), series, { type: 'inner', leftTypes: LT, rightTypes: [T.int4], correlatedColumns: [1] }), ctx);
    expect(out).toEqual([[1, 2, 1], [1, 2, 2], [3, 2, 1], [3, 2, 2], [4, 2, 1], [4, 2, 2]]);
  });
  it('left: unmatched and ON-filtered rows get NULLs', () => {
    const out = collectRows(lateralJoinOp(src([[1, 2], [2, 0], [3, 3]], LT), series, { type: 'left', leftTypes: LT, rightTypes: [T.int4], correlatedColumns: [1], condition: call('gt', [col(2), lit(2)]) }), ctx);
    expect(sorted(out)).toEqual(sorted([[1, 2, null], [2, 0, null], [3, 3, 3]]));
  });
  it('correlated expressions instead of columns', () => {
    const out = collectRows(lateralJoinOp(src([[1, 1]], LT), series, { type: 'inner', leftTypes: LT, rightTypes: [T.int4], correlated: [call('add', [col(0), col(1)], T.int4)] }), ctx);
    expect(out).toEqual([[1, 1, 1], [1, 1, 2]]);
  });
});
