/**
 * Results versus PostgreSQL 15.18 (expected values were produced by psql on the
 * same inputs; see the SQL in each comment).
 */
import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors.js';
import { Decimal } from '../types/numeric.js';
import { arrayOf, T } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import type { DictVector } from '../vector.js';
import { createAccumulator, isAggregateName, resolveAggregate } from './index.js';
import { agg1, canon } from './test-util.js';

const H = 3_600_000_000;
const D = (s: string) => Decimal.parse(s);
const iv = (months: number, days: number, micros: number) => ({ months, days, micros });

// create temp table f(x float8, i int4, b bigint, s smallint, n numeric, t text, iv interval, ok bool) with 5 rows:
const x = [1.5, 2.25, null, -3, 0.1];
const i4 = [1, 2, null, 7, 4];
const b8 = [9007199254740000, 9007199254740000, null, 5, -3];
const n = [D('1.10'), D('2.255'), null, D('-0.5'), D('100')];
const t = ['b', 'a', null, 'c', 'ab'];
const ivs = [iv(0, 1, 0), iv(1, 0, 0), null, iv(0, 0, 2 * H), iv(0, -1, 3 * H)];
const ok = [true, true, null, false, true];

const s = (v: Value) => canon(v);

describe('resolution', () => {
  it('knows the names and PostgreSQL result types', () => {
    expect(isAggregateName('SUM')).toBe(true);
    expect(isAggregateName('lower')).toBe(false);
    const r = (name: string, ...types: (typeof T)[keyof typeof T][]) => resolveAggregate(name, types, { star: false, distinct: false }).returnType.id;
    expect(r('sum', T.int2)).toBe('int8');
    expect(r('sum', T.int4)).toBe('int8');
    expect(r('sum', T.int8)).toBe('numeric');
    expect(r('sum', T.float4)).toBe('float4');
    expect(r('sum', T.interval)).toBe('interval');
    expect(r('avg', T.int4)).toBe('numeric');
    expect(r('avg', T.float4)).toBe('float8');
    expect(r('stddev', T.int8)).toBe('numeric');
    expect(r('max', T.varchar)).toBe('text');
    expect(r('max', T.timestamptz)).toBe('timestamptz');
    expect(r('first', T.float8, T.timestamptz)).toBe('float8');
    expect(r('count', T.text)).toBe('int8');
    expect(resolveAggregate('count', [], { star: true, distinct: false }).aggId).toBe('count(*)');
    const h = resolveAggregate('histogram', [T.float8, T.int4, T.numeric, T.int4], { star: false, distinct: false });
    expect(h.argTypes.map((a) => a.id)).toEqual(['float8', 'float8', 'float8', 'int4']);
    expect(h.directArgIndexes).toEqual([1, 2, 3]);
    expect(h.returnType).toEqual(arrayOf(T.int4));
    const p = resolveAggregate('percentile_cont', [T.numeric], { star: false, distinct: false, withinGroupTypes: [T.int4] });
    expect(p.withinGroupTypes!.map((a) => a.id)).toEqual(['float8']);
    expect(p.argTypes.map((a) => a.id)).toEqual(['float8']);
    expect(p.returnType.id).toBe('float8');
    const pd = resolveAggregate('percentile_disc', [T.float8], { star: false, distinct: false, withinGroupTypes: [T.text] });
    expect(pd.returnType.id).toBe('text');
    const sm = resolveAggregate('sum', [T.int2], { star: false, distinct: false });
    expect(sm.argTypes[0]!.id).toBe('int2');
  });
  it('reports missing functions like PostgreSQL', () => {
    try {
      resolveAggregate('sum', [T.text], { star: false, distinct: false });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SqlError);
      expect((e as SqlError).code).toBe('42883');
      expect((e as SqlError).message).toBe('function sum(text) does not exist');
      expect((e as SqlError).hint).toBe('No function matches the given name and argument types. You might need to add explicit type casts.');
    }
    expect(() => resolveAggregate('avg', [T.bool], { star: false, distinct: false })).toThrow('function avg(boolean) does not exist');
    expect(() => resolveAggregate('sum', [], { star: true, distinct: false })).toThrow('function sum(*) does not exist');
    expect(() => resolveAggregate('percentile_cont', [T.float8], { star: false, distinct: false })).toThrow(/WITHIN GROUP is required/);
  });
});

describe('count / sum / avg / min / max (vs PostgreSQL)', () => {
  // select count(*), count(x), sum(x), avg(x), min(x), max(x), sum(i), avg(i), sum(b), avg(b) from f
  it('float8', () => {
    expect(agg1({ name: 'count', types: [], star: true }, [])).toBe(0);
    expect(agg1({ name: 'count', types: [T.float8] }, [x])).toBe(4);
    expect(agg1({ name: 'sum', types: [T.float8] }, [x])).toBe(0.85);
    expect(agg1({ name: 'avg', types: [T.float8] }, [x])).toBe(0.2125);
    expect(agg1({ name: 'min', types: [T.float8] }, [x])).toBe(-3);
    expect(agg1({ name: 'max', types: [T.float8] }, [x])).toBe(2.25);
  });
  it('count(*) counts NULL rows', () => {
    const agg = resolveAggregate('count', [], { star: true, distinct: false });
    const acc = createAccumulator(agg, { distinct: false });
    acc.update(new Int32Array(0), [], 5);
    acc.update(Int32Array.from([0, -1, 1, 1]), [], 4);
    expect([acc.finalizeGroup(0), acc.finalizeGroup(1), acc.finalizeGroup(2)]).toEqual([6, 2, 0]);
  });
  it('integers are exact, with PostgreSQL avg scales', () => {
    expect(agg1({ name: 'sum', types: [T.int4] }, [i4])).toBe(14);
    expect(s(agg1({ name: 'avg', types: [T.int4] }, [i4]))).toBe('3.5000000000000000');
    expect(s(agg1({ name: 'avg', types: [T.int2] }, [i4]))).toBe('3.5000000000000000');
    // 2·9007199254740000 + 2 passes 2^53
    expect(s(agg1({ name: 'sum', types: [T.int8] }, [b8]))).toBe('18014398509480002');
    expect(s(agg1({ name: 'avg', types: [T.int8] }, [b8]))).toBe('4503599627370000.5000');
    expect(s(agg1({ name: 'avg', types: [T.int4] }, [[1, 2]]))).toBe('1.5000000000000000');
    expect(s(agg1({ name: 'avg', types: [T.int8] }, [[1, 2, 2]]))).toBe('1.6666666666666667');
    expect(() => agg1({ name: 'sum', types: [T.int4] }, [[2147483647, 2147483647, ...new Array(4_300_000).fill(2147483647)]])).toThrow('bigint out of range');
    expect(agg1({ name: 'sum', types: [T.int4] }, [[...new Array(4_300_000).fill(2147483647), ...new Array(4_300_000).fill(-2147483647), 5]])).toBe(5);
  });
  it('empty and all-NULL groups', () => {
    for (const name of ['sum', 'avg', 'min', 'max']) {
      expect(agg1({ name, types: [T.float8] }, [[]])).toBe(null);
      expect(agg1({ name, types: [T.int4] }, [[null, null]])).toBe(null);
    }
    expect(agg1({ name: 'count', types: [T.float8] }, [[null]])).toBe(0);
  });
  it('numeric', () => {
    expect(s(agg1({ name: 'sum', types: [T.numeric] }, [n]))).toBe('102.855');
    expect(s(agg1({ name: 'avg', types: [T.numeric] }, [n]))).toBe('25.7137500000000000');
    expect(s(agg1({ name: 'min', types: [T.numeric] }, [n]))).toBe('-0.5');
    expect(s(agg1({ name: 'max', types: [T.numeric] }, [n]))).toBe('100');
    expect(s(agg1({ name: 'sum', types: [T.numeric] }, [[D('1.50'), D('2.5')]]))).toBe('4.00');
    // select min(v), max(v), sum(v), avg(v) from (values ('NaN'::numeric),(1))
    const nan = [D('NaN'), D('1')];
    expect([agg1({ name: 'min', types: [T.numeric] }, [nan]), agg1({ name: 'max', types: [T.numeric] }, [nan])].map(s)).toEqual(['1', 'NaN']);
    expect(s(agg1({ name: 'avg', types: [T.numeric] }, [nan]))).toBe('NaN');
    expect(s(agg1({ name: 'avg', types: [T.numeric] }, [[D('Infinity'), D('1')]]))).toBe('Infinity');
  });
  it('float NaN orders above everything', () => {
    // select max(v), min(v) from (values ('NaN'::float8),(1),(null))
    expect(agg1({ name: 'max', types: [T.float8] }, [[NaN, 1, null]])).toBeNaN();
    expect(agg1({ name: 'min', types: [T.float8] }, [[NaN, 1, null]])).toBe(1);
    expect(agg1({ name: 'min', types: [T.float8] }, [[NaN]])).toBeNaN();
  });
  it('float4 sums round like float4pl', () => {
    const x4 = x.map((v) => (v === null ? null : Math.fround(v)));
    expect(agg1({ name: 'sum', types: [T.float4] }, [x4])).toBe(Math.fround(0.85));
    expect(agg1({ name: 'avg', types: [T.float4] }, [x4])).toBe(0.21250000037252903);
  });
  it('text, interval, timestamps', () => {
    expect(agg1({ name: 'min', types: [T.text] }, [t])).toBe('a');
    expect(agg1({ name: 'max', types: [T.text] }, [t])).toBe('c');
    // code-point order: U+FFFD sorts below U+1F600 although its UTF-16 unit is higher
    expect(agg1({ name: 'max', types: [T.text] }, [['\uFFFD', '😀']])).toBe('😀');
    const dict: DictVector = { tag: 'dict', type: T.text, length: 4, codes: Int32Array.from([0, 1, 0, 2]), dict: ['x', 'y', 'z'], nulls: Uint8Array.from([0, 0, 1, 1]) };
    const acc = createAccumulator(resolveAggregate('min', [T.text], { star: false, distinct: false }), { distinct: false });
    acc.update(Int32Array.from([0, 0, 1, 1]), [dict], 4);
    expect([acc.finalizeGroup(0), acc.finalizeGroup(1)]).toEqual(['x', null]);
    // sum(iv) = '1 mon 05:00:00', avg(iv) = '7 days 13:15:00', min '-1 days +03:00:00', max '1 mon'
    expect(agg1({ name: 'sum', types: [T.interval] }, [ivs])).toEqual(iv(1, 0, 5 * H));
    expect(agg1({ name: 'avg', types: [T.interval] }, [ivs])).toEqual(iv(0, 7, 13.25 * H));
    expect(agg1({ name: 'min', types: [T.interval] }, [ivs])).toEqual(iv(0, -1, 3 * H));
    expect(agg1({ name: 'max', types: [T.interval] }, [ivs])).toEqual(iv(1, 0, 0));
    // avg of 1 mon, 1 day, 1 sec = '10 days 08:00:00.333333'
    expect(agg1({ name: 'avg', types: [T.interval] }, [[iv(1, 0, 0), iv(0, 1, 0), iv(0, 0, 1e6)]])).toEqual(iv(0, 10, 8 * H + 333333));
    expect(agg1({ name: 'max', types: [T.timestamptz] }, [[1e15, null, 2e15, -5]])).toBe(2e15);
    expect(agg1({ name: 'min', types: [T.date] }, [[-Infinity, 3]])).toBe(-Infinity);
  });
});

describe('variance family (vs PostgreSQL)', () => {
  it('float8 bit-for-bit', () => {
    expect(agg1({ name: 'variance', types: [T.float8] }, [x])).toBe(5.380624999999999);
    expect(agg1({ name: 'stddev', types: [T.float8] }, [x])).toBe(2.3196174253527237);
    expect(agg1({ name: 'var_pop', types: [T.float8] }, [x])).toBe(4.03546875);
    expect(agg1({ name: 'stddev_pop', types: [T.float8] }, [x])).toBe(2.008847617416513);
    expect(agg1({ name: 'stddev', types: [T.float8] }, [[1, Infinity]])).toBeNaN();
    expect(agg1({ name: 'variance', types: [T.float8] }, [[1]])).toBe(null);
    expect(agg1({ name: 'var_pop', types: [T.float8] }, [[1]])).toBe(0);
  });
  it('integers → numeric with numeric_stddev_internal scales', () => {
    expect(s(agg1({ name: 'variance', types: [T.int4] }, [i4]))).toBe('7.0000000000000000');
    expect(s(agg1({ name: 'stddev', types: [T.int4] }, [i4]))).toBe('2.6457513110645906');
    expect(s(agg1({ name: 'var_pop', types: [T.int4] }, [i4]))).toBe('5.2500000000000000');
    expect(s(agg1({ name: 'stddev_pop', types: [T.int4] }, [i4]))).toBe('2.2912878474779200');
    expect(s(agg1({ name: 'variance', types: [T.int8] }, [b8]))).toBe('27043212804862931132689696840011');
    expect(s(agg1({ name: 'stddev', types: [T.int8] }, [b8]))).toBe('5200308914368735');
    expect(s(agg1({ name: 'variance', types: [T.int4] }, [[1, 2]]))).toBe('0.50000000000000000000');
    expect(s(agg1({ name: 'stddev', types: [T.int4] }, [[1, 2]]))).toBe('0.70710678118654752440');
    expect(s(agg1({ name: 'variance', types: [T.int4] }, [[1, 1]]))).toBe('0');
    expect(agg1({ name: 'stddev', types: [T.int4] }, [[1]])).toBe(null);
    expect(s(agg1({ name: 'stddev_pop', types: [T.int4] }, [[1]]))).toBe('0');
  });
  it('numeric', () => {
    expect(s(agg1({ name: 'variance', types: [T.numeric] }, [n]))).toBe('2453.9190895833333333');
    expect(s(agg1({ name: 'stddev', types: [T.numeric] }, [n]))).toBe('49.5370476470220552');
    expect(s(agg1({ name: 'var_pop', types: [T.numeric] }, [n]))).toBe('1840.4393171875000000');
    expect(s(agg1({ name: 'stddev_pop', types: [T.numeric] }, [n]))).toBe('42.9003416908012517');
    const m = [D('123456789.123'), D('0.000001'), D('42')];
    expect(s(agg1({ name: 'stddev_samp', types: [T.numeric] }, [m]))).toBe('71277798.309098063981');
    expect(s(agg1({ name: 'stddev_pop', types: [T.numeric] }, [m]))).toBe('58198078.615434621172');
    expect(s(agg1({ name: 'var_samp', types: [T.numeric] }, [m]))).toBe('5080524531792462.828765959000');
    expect(s(agg1({ name: 'stddev', types: [T.numeric] }, [[D('Infinity'), D('1')]]))).toBe('NaN');
  });
  it('regression aggregates', () => {
    // corr(x, i) etc. from f
    const c = (name: string) => agg1({ name, types: [T.float8, T.float8] }, [x, i4]);
    expect(c('corr')).toBe(-0.9545720112483732);
    expect(c('covar_pop')).toBe(-4.39375);
    expect(c('covar_samp')).toBe(-5.858333333333333);
    expect(c('regr_slope')).toBe(-0.836904761904762);
    expect(c('regr_intercept')).toBe(3.141666666666667);
    expect(c('regr_r2')).toBe(0.9112077246587644);
    expect(c('regr_count')).toBe(4);
    expect(c('regr_avgx')).toBe(3.5);
    expect(c('regr_sxx')).toBe(20.999999999999996);
  });
});

describe('bool, bit, string_agg, array_agg', () => {
  it('matches PostgreSQL', () => {
    expect(agg1({ name: 'bool_and', types: [T.bool] }, [ok])).toBe(false);
    expect(agg1({ name: 'bool_or', types: [T.bool] }, [ok])).toBe(true);
    expect(agg1({ name: 'every', types: [T.bool] }, [[null]])).toBe(null);
    expect(agg1({ name: 'bit_and', types: [T.int4] }, [i4])).toBe(0);
    expect(agg1({ name: 'bit_or', types: [T.int4] }, [i4])).toBe(7);
    expect(agg1({ name: 'bit_xor', types: [T.int4] }, [i4])).toBe(0);
    // string_agg(t, ',' order by t) = 'a,ab,b,c'; string_agg(t, '-') = 'b-a-c-ab'
    const comma = t.map(() => ',');
    expect(agg1({ name: 'string_agg', types: [T.text, T.text], opts: { orderByTypes: [T.text], orderByDesc: [false] } }, [t, comma, t])).toBe('a,ab,b,c');
    expect(agg1({ name: 'string_agg', types: [T.text, T.text] }, [t, t.map(() => '-')])).toBe('b-a-c-ab');
    expect(agg1({ name: 'string_agg', types: [T.text, T.text] }, [['a', 'b', 'c'], ['X', null, '+']])).toBe('ab+c');
    // array_agg(x order by x desc) = {NULL,2.25,1.5,0.1,-3}
    expect(s(agg1({ name: 'array_agg', types: [T.float8], opts: { orderByTypes: [T.float8], orderByDesc: [true] } }, [x, x]))).toBe('{NULL,2.25,1.5,0.1,-3}');
    expect(s(agg1({ name: 'array_agg', types: [T.int4], opts: { orderByTypes: [T.int4], orderByDesc: [false], orderByNullsFirst: [true] } }, [i4, i4]))).toBe('{NULL,1,2,4,7}');
    // array_agg(distinct t) = {a,ab,b,c,NULL}
    expect(s(agg1({ name: 'array_agg', types: [T.text], opts: { distinct: true } }, [[...t, ...t]]))).toBe('{"a","ab","b","c",NULL}');
    expect(agg1({ name: 'array_agg', types: [T.text] }, [[]])).toBe(null);
  });
  it('DISTINCT of other aggregates (input doubled)', () => {
    const dbl = <V>(a: V[]) => [...a, ...a];
    expect(agg1({ name: 'count', types: [T.int4], opts: { distinct: true } }, [dbl(i4)])).toBe(4);
    expect(agg1({ name: 'sum', types: [T.int2], opts: { distinct: true } }, [dbl(i4)])).toBe(14);
    // avg(distinct x) sums in sorted order: 0.21250000000000002
    expect(agg1({ name: 'avg', types: [T.float8], opts: { distinct: true } }, [dbl(x)])).toBe(0.21250000000000002);
    expect(s(agg1({ name: 'sum', types: [T.numeric], opts: { distinct: true } }, [[D('1.0'), D('1.00'), D('2')]]))).toBe('3.0');
  });
});

describe('ordered-set aggregates', () => {
  const wg = (name: string, types: typeof T.float8[], within: typeof T.float8[], direct: Value[], col: Value[]) =>
    agg1({ name, types, withinGroup: within, opts: { directArgs: direct } }, [col]);
  it('matches PostgreSQL', () => {
    expect(wg('percentile_cont', [T.float8], [T.float8], [0.5], x)).toBe(0.7999999999999999);
    expect(wg('percentile_cont', [T.float8], [T.interval], [0.3], ivs)).toEqual(iv(0, -1, 23.7 * H));
    expect(wg('percentile_disc', [T.float8], [T.text], [0.5], t)).toBe('ab');
    expect(s(wg('percentile_cont', [arrayOf(T.float8)], [T.float8], [[0, 0.25, null, 1]], x))).toBe('{-3,-0.6749999999999998,NULL,2.25}');
    expect(s(wg('percentile_disc', [arrayOf(T.float8)], [T.text], [[0.1, 0.9]], ['x', 'y', 'z']))).toBe('{"x","z"}');
    expect(wg('mode', [], [T.int4], [], i4)).toBe(1);
    expect(wg('mode', [], [T.int4], [], [3, 1, 3, 1, 2])).toBe(1);
    expect(wg('percentile_cont', [T.float8], [T.float8], [0.5], [])).toBe(null);
    expect(wg('percentile_cont', [T.float8], [T.float8], [null], [1])).toBe(null);
    expect(() => wg('percentile_cont', [T.float8], [T.float8], [1.5], [1])).toThrow('percentile value 1.5 is not between 0 and 1');
  });
});

describe('TimescaleDB first / last / histogram', () => {
  it('first/last by time, NULL times ignored, ties keep the earliest row', () => {
    const vals = [10, 20, null, 40, 50, 60];
    const times = [5, 3, 1, null, 9, 3];
    expect(agg1({ name: 'first', types: [T.float8, T.timestamptz] }, [vals, times])).toBe(null); // time 1 has NULL value
    expect(agg1({ name: 'last', types: [T.float8, T.timestamptz] }, [vals, times])).toBe(50);
    expect(agg1({ name: 'first', types: [T.float8, T.timestamptz] }, [[1, 2], [7, 7]])).toBe(1);
    expect(agg1({ name: 'last', types: [T.float8, T.timestamptz] }, [[1, 2], [7, 7]])).toBe(1);
    expect(agg1({ name: 'first', types: [T.text, T.text] }, [['a', 'b', 'c'], ['m', 'k', null]])).toBe('b');
    expect(agg1({ name: 'last', types: [T.numeric, T.int4] }, [[D('1.5'), D('2.5')], [1, 2]])?.toString()).toBe('2.5');
    expect(agg1({ name: 'first', types: [T.float8, T.timestamptz] }, [[1], [null]])).toBe(null);
  });
  it('histogram(value, min, max, nbuckets) → nbuckets + 2 int4 counts', () => {
    const h = (vals: Value[], lo: number, hi: number, nb: number) =>
      agg1({ name: 'histogram', types: [T.float8, T.float8, T.float8, T.int4], opts: { directArgs: [lo, hi, nb] } }, [vals]);
    expect(h([-1, 0, 0.5, 2.5, 9.99, 10, 11, null], 0, 10, 4)).toEqual([1, 2, 1, 0, 1, 2]);
    expect(h([], 0, 10, 4)).toBe(null);
    expect(() => h([1], 10, 0, 4)).toThrow('lower bound cannot exceed upper bound');
    expect(() => h([1], 0, 10, 0)).toThrow('count must be greater than zero');
  });
});

describe('grouped updates and window-style reuse', () => {
  it('finalize is repeatable and resetGroup restarts a group', () => {
    const agg = resolveAggregate('max', [T.float8], { star: false, distinct: false });
    const acc = createAccumulator(agg, { distinct: false });
    const v = { tag: 'number' as const, type: T.float8, length: 4, values: Float64Array.from([1, 9, 3, 4]), nulls: Uint8Array.from([0, 1, 0, 0]) };
    acc.update(Int32Array.from([0, 0, 2, -1]), [v], 4);
    expect(canon(acc.finalizeGroup(0))).toBe('1');
    const f1 = acc.finalize(4);
    const f2 = acc.finalize(4);
    expect(f1).toEqual(f2);
    expect([0, 1, 2, 3].map((g) => acc.finalizeGroup(g))).toEqual([1, null, 3, null]);
    acc.resetGroup!(2);
    expect(acc.finalizeGroup(2)).toBe(null);
  });
});
