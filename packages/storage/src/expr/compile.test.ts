import { describe, expect, it, vi } from 'vitest';
import { T } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import { DEFAULT_FORMAT_CONTEXT } from '../types/values.js';
import type { Batch, Vector } from '../vector.js';
import { getValue, vectorFromValues } from '../vector.js';
import type { EvalContext, ExprNode } from './expr.js';
import { compareValues } from '../kernels/compare.js';

vi.mock('./deps.js', async () => {
  const f = await import('./test-fakes.js');
  return { getFunctionImpl: f.getFunctionImpl, castValue: f.castValue };
});
const { compileExpr, compilePredicate } = await import('./compile.js');
const fakes = await import('./test-fakes.js');

// ------------------------------------------------------------- helpers

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ctx0: EvalContext = {
  params: [7, 'Hello'],
  settings: DEFAULT_FORMAT_CONTEXT,
  statementTime: 1e15,
  transactionTime: 1e15,
  correlated: [3],
};

const c = (type: SqlType, value: Value): ExprNode => ({ k: 'const', type, value });
const col = (index: number, type: SqlType): ExprNode => ({ k: 'col', type, index });
const call = (fn: string, type: SqlType, ...args: ExprNode[]): ExprNode => ({ k: 'call', fn, type, args });

/** Row-at-a-time reference interpreter with PostgreSQL's lazy evaluation order. */
function naive(e: ExprNode, row: readonly Value[], ctx: EvalContext): Value {
  switch (e.k) {
    case 'const':
      return e.value;
    case 'col':
      return row[e.index] ?? null;
    case 'param':
      return ctx.params[e.index] ?? null;
    case 'corr':
      return ctx.correlated[e.slot] ?? null;
    case 'call': {
      const impl = fakes.getFunctionImpl(e.fn);
      const a = e.args.map((x) => naive(x, row, ctx));
      if (impl.strict && a.includes(null)) return null;
      return impl.scalar(a, ctx);
    }
    case 'cast':
      return fakes.castValue(naive(e.arg, row, ctx), e.arg.type, e.type, ctx.settings, e.explicit);
    case 'and':
    case 'or': {
      const decisive = e.k === 'or';
      let sawNull = false;
      for (const a of e.args) {
        const v = naive(a, row, ctx);
        if (v === null) sawNull = true;
        else if (v === decisive) return decisive;
      }
      return sawNull ? null : !decisive;
    }
    case 'not': {
      const v = naive(e.arg, row, ctx);
      return v === null ? null : !v;
    }
    case 'isnull':
      return (naive(e.arg, row, ctx) === null) !== e.negate;
    case 'isbool': {
      const v = naive(e.arg, row, ctx);
      const hit = e.test === 'unknown' ? v === null : v === (e.test === 'true');
      return hit !== e.negate;
    }
    case 'case':
      for (const w of e.whens) if (naive(w.cond, row, ctx) === true) return naive(w.then, row, ctx);
      return e.else ? naive(e.else, row, ctx) : null;
    case 'coalesce':
      for (const a of e.args) {
        const v = naive(a, row, ctx);
        if (v !== null) return v;
      }
      return null;
    case 'inlist': {
      const x = naive(e.arg, row, ctx);
      const items = e.list.map((i) => naive(i, row, ctx));
      let r: Value = false;
      if (x === null) r = items.length ? null : false;
      else if (items.some((i) => i !== null && compareValues(x, i) === 0)) r = true;
      else if (items.includes(null)) r = null;
      return r === null ? null : r !== e.negate;
    }
    case 'subquery':
      throw new Error('not in the generator');
  }
}

type Kind = 'num' | 'bool' | 'text';
const TYPE: Record<Kind, SqlType> = { num: T.float8, bool: T.bool, text: T.text };
const NUM_COLS = [0, 1];
const TEXT_COLS = [2, 3];

function genExpr(r: () => number, kind: Kind, depth: number): ExprNode {
  const pick = <X>(xs: X[]) => xs[Math.floor(r() * xs.length)]!;
  const leaf = depth <= 0 || r() < 0.25;
  const sub = (k: Kind) => genExpr(r, k, depth - 1);
  if (kind === 'num') {
    if (leaf) return pick<() => ExprNode>([
      () => col(pick(NUM_COLS), T.float8),
      () => c(T.float8, pick([0, 1, 2.5, -3, null])),
      () => ({ k: 'param', type: T.float8, index: 0 }),
      () => ({ k: 'corr', type: T.float8, slot: 0 }),
    ])();
    return pick<() => ExprNode>([
      () => call('add', T.float8, sub('num'), sub('num')),
      () => call('div', T.float8, sub('num'), sub('num')),
      () => call('nz', T.float8, sub('num')),
      () => ({ k: 'case', type: T.float8, whens: [{ cond: sub('bool'), then: sub('num') }, { cond: sub('bool'), then: sub('num') }], else: r() < 0.5 ? sub('num') : null }),
      () => ({ k: 'coalesce', type: T.float8, args: [sub('num'), sub('num'), sub('num')] }),
      () => ({ k: 'cast', type: T.float8, arg: { k: 'cast', type: T.int4, arg: sub('num'), explicit: true }, explicit: true }),
    ])();
  }
  if (kind === 'bool') {
    if (leaf) return pick<() => ExprNode>([() => col(4, T.bool), () => c(T.bool, pick([true, false, null]))])();
    return pick<() => ExprNode>([
      () => call('eq', T.bool, sub('num'), sub('num')),
      () => call('gt', T.bool, sub('num'), sub('num')),
      () => call('lt', T.bool, sub('text'), sub('text')),
      () => ({ k: r() < 0.5 ? 'and' : 'or', type: T.bool, args: [sub('bool'), sub('bool'), sub('bool')] }) as ExprNode,
      () => ({ k: 'not', type: T.bool, arg: sub('bool') }),
      () => ({ k: 'isnull', type: T.bool, arg: sub(pick<Kind>(['num', 'text', 'bool'])), negate: r() < 0.5 }),
      () => ({ k: 'isbool', type: T.bool, arg: sub('bool'), test: pick(['true', 'false', 'unknown'] as const), negate: r() < 0.5 }),
      () => ({ k: 'inlist', type: T.bool, arg: sub('num'), list: [c(T.float8, 1), c(T.float8, pick([2, null])), c(T.float8, -3)], eqFn: 'eq', negate: r() < 0.5 }),
      () => ({ k: 'inlist', type: T.bool, arg: sub('text'), list: [c(T.text, 'a'), c(T.text, pick(['b', null]))], eqFn: 'eq', negate: r() < 0.5 }),
      () => ({ k: 'inlist', type: T.bool, arg: sub('num'), list: [sub('num'), c(T.float8, 1)], eqFn: 'eq', negate: r() < 0.5 }),
    ])();
  }
  if (leaf) return pick<() => ExprNode>([() => col(pick(TEXT_COLS), T.text), () => c(T.text, pick(['a', 'B', null])), () => ({ k: 'param', type: T.text, index: 1 })])();
  return pick<() => ExprNode>([
    () => call('lower', T.text, sub('text')),
    () => call('concat2', T.text, sub('text'), sub('text')),
    () => ({ k: 'case', type: T.text, whens: [{ cond: sub('bool'), then: sub('text') }], else: sub('text') }),
    () => ({ k: 'coalesce', type: T.text, args: [sub('text'), sub('text')] }),
    () => ({ k: 'cast', type: T.text, arg: sub('num'), explicit: true }),
  ])();
}

const DICT = ['a', 'B', 'b', 'Cc', 'a'];

function genBatch(r: () => number, n: number): { batch: Batch; rows: Value[][] } {
  const num = (nulls: boolean): Value[] => Array.from({ length: n }, () => (nulls && r() < 0.2 ? null : [0, 1, 2, -3, 0.5, 2.5, 100][Math.floor(r() * 7)]!));
  const c0 = num(true);
  const c1 = num(false);
  const codes = new Int32Array(n);
  const dn = new Uint8Array(n);
  const c2: Value[] = [];
  for (let i = 0; i < n; i++) {
    codes[i] = Math.floor(r() * DICT.length);
    dn[i] = r() < 0.2 ? 1 : 0;
    c2.push(dn[i] ? null : DICT[codes[i]!]!);
  }
  const c3: Value[] = Array.from({ length: n }, () => (r() < 0.2 ? null : ['a', 'x', 'B'][Math.floor(r() * 3)]!));
  const c4: Value[] = Array.from({ length: n }, () => (r() < 0.2 ? null : r() < 0.5));
  const dict: Vector = { tag: 'dict', type: T.text, length: n, codes, dict: DICT, nulls: dn };
  const batch: Batch = {
    length: n,
    columns: [vectorFromValues(T.float8, c0), vectorFromValues(T.float8, c1), dict, vectorFromValues(T.text, c3), vectorFromValues(T.bool, c4)],
  };
  return { batch, rows: Array.from({ length: n }, (_, i) => [c0[i]!, c1[i]!, c2[i]!, c3[i]!, c4[i]!]) };
}

function outcome(f: () => Value[]): { ok: Value[] } | { err: string } {
  try {
    return { ok: f() };
  } catch (e) {
    return { err: (e as { code?: string }).code ?? String(e) };
  }
}

describe('compileExpr property: vectorized = row-at-a-time', () => {
  it('random expressions over random batches', () => {
    const r = rng(12345);
    let compared = 0;
    for (let t = 0; t < 600; t++) {
      const kind = (['num', 'bool', 'text'] as Kind[])[t % 3]!;
      const e = genExpr(r, kind, 4);
      const n = 1 + Math.floor(r() * 40);
      const { batch, rows } = genBatch(r, n);
      const got = outcome(() => {
        const v = compileExpr(e)(batch, ctx0);
        expect(v.length).toBe(n);
        return Array.from({ length: n }, (_, i) => getValue(v, i));
      });
      const want = outcome(() => rows.map((row) => naive(e, row, ctx0)));
      if ('err' in want || 'err' in got) {
        expect(got, JSON.stringify(e)).toEqual(want);
        continue;
      }
      expect(got.ok, JSON.stringify(e)).toEqual(want.ok);
      compared++;
    }
    expect(compared).toBeGreaterThan(300);
  });

  it('compilePredicate selects exactly the TRUE rows', () => {
    const r = rng(99);
    for (let t = 0; t < 300; t++) {
      const e: ExprNode = r() < 0.5 ? genExpr(r, 'bool', 3) : { k: 'and', type: T.bool, args: [genExpr(r, 'bool', 2), genExpr(r, 'bool', 2)] };
      const { batch, rows } = genBatch(r, 1 + Math.floor(r() * 30));
      const want = outcome(() => rows.flatMap((row, i) => (naive(e, row, ctx0) === true ? [i] : [])));
      const got = outcome(() => Array.from(compilePredicate(e)(batch, ctx0)));
      if ('err' in got && !('err' in want)) throw new Error(`predicate raised where the row interpreter did not: ${JSON.stringify(e)}`);
      if (!('err' in got)) expect(got.ok, JSON.stringify(e)).toEqual((want as { ok: Value[] }).ok);
    }
  });
});

describe('lazy evaluation', () => {
  const x = col(0, T.float8);
  const { batch } = { batch: { length: 4, columns: [vectorFromValues(T.float8, [0, 5, null, 2])] } as Batch };
  const tenDivX = call('div', T.float8, c(T.float8, 10), x);
  it('x <> 0 AND 10 / x > 1 never divides by zero', () => {
    const e: ExprNode = {
      k: 'and',
      type: T.bool,
      args: [{ k: 'not', type: T.bool, arg: call('eq', T.bool, x, c(T.float8, 0)) }, call('gt', T.bool, tenDivX, c(T.float8, 1))],
    };
    const v = compileExpr(e)(batch, ctx0);
    expect([0, 1, 2, 3].map((i) => getValue(v, i))).toEqual([false, true, null, true]);
    expect(Array.from(compilePredicate(e)(batch, ctx0))).toEqual([1, 3]);
  });
  it('CASE WHEN x = 0 THEN NULL ELSE 10 / x END', () => {
    const e: ExprNode = { k: 'case', type: T.float8, whens: [{ cond: call('eq', T.bool, x, c(T.float8, 0)), then: c(T.float8, null) }], else: tenDivX };
    const v = compileExpr(e)(batch, ctx0);
    expect([0, 1, 2, 3].map((i) => getValue(v, i))).toEqual([null, 2, null, 5]);
  });
  it('COALESCE stops at the first non-NULL', () => {
    const e: ExprNode = { k: 'coalesce', type: T.float8, args: [call('nz', T.float8, x), tenDivX] };
    expect(() => compileExpr(e)(batch, ctx0)).toThrow(/division by zero/);
    const e2: ExprNode = { k: 'coalesce', type: T.float8, args: [x, c(T.float8, 1), tenDivX] };
    const v = compileExpr(e2)(batch, ctx0);
    expect([0, 1, 2, 3].map((i) => getValue(v, i))).toEqual([0, 5, 1, 2]);
  });
  it('an unreached constant branch is not evaluated', () => {
    const e: ExprNode = { k: 'case', type: T.float8, whens: [{ cond: c(T.bool, false), then: call('div', T.float8, c(T.float8, 1), c(T.float8, 0)) }], else: x };
    expect(getValue(compileExpr(e)(batch, ctx0), 1)).toBe(5);
  });
  it('volatile functions run per row, stable ones once', () => {
    const v = compileExpr(call('rand', T.float8))(batch, ctx0);
    const vals = [0, 1, 2, 3].map((i) => getValue(v, i));
    expect(new Set(vals).size).toBe(4);
    const now = compileExpr(call('now', T.float8))(batch, ctx0);
    expect(getValue(now, 3)).toBe(1e15);
  });
});

describe('dictionary fast paths', () => {
  it('calls a function once per dictionary entry and keeps the dictionary', () => {
    const n = 1000;
    const codes = new Int32Array(n).map((_, i) => i % 3);
    const v: Vector = { tag: 'dict', type: T.text, length: n, codes, dict: ['A', 'b', 'C'], nulls: null };
    fakes.calls.lower = 0;
    const out = compileExpr(call('lower', T.text, col(0, T.text)))({ length: n, columns: [v] }, ctx0);
    expect(fakes.calls.lower).toBe(3);
    expect(out.tag).toBe('dict');
    expect(getValue(out, 2)).toBe('c');
  });
  it('IN over a dictionary column', () => {
    const v: Vector = { tag: 'dict', type: T.text, length: 3, codes: new Int32Array([0, 1, 0]), dict: ['x', 'y'], nulls: new Uint8Array([0, 0, 1]) };
    const e: ExprNode = { k: 'inlist', type: T.bool, arg: col(0, T.text), list: [c(T.text, 'x')], eqFn: 'eq', negate: false };
    const out = compileExpr(e)({ length: 3, columns: [v] }, ctx0);
    expect([0, 1, 2].map((i) => getValue(out, i))).toEqual([true, false, null]);
  });
  it('IN / NOT IN with NULL in the list', () => {
    const b: Batch = { length: 2, columns: [vectorFromValues(T.float8, [1, 3])] };
    const mk = (negate: boolean): ExprNode => ({ k: 'inlist', type: T.bool, arg: col(0, T.float8), list: [c(T.float8, 1), c(T.float8, null)], eqFn: 'eq', negate });
    const a = compileExpr(mk(false))(b, ctx0);
    const n = compileExpr(mk(true))(b, ctx0);
    expect([getValue(a, 0), getValue(a, 1)]).toEqual([true, null]);
    expect([getValue(n, 0), getValue(n, 1)]).toEqual([false, null]);
  });
});

describe('casts', () => {
  it('float → int rounds half to even and range-checks through castValue', () => {
    const b: Batch = { length: 6, columns: [vectorFromValues(T.float8, [0.5, 1.5, 2.5, -2.5, -0.4, null])] };
    const v = compileExpr({ k: 'cast', type: T.int4, arg: col(0, T.float8), explicit: true })(b, ctx0);
    expect(Array.from({ length: 6 }, (_, i) => getValue(v, i))).toEqual([0, 2, 2, -2, 0, null]);
    expect(Object.is(getValue(v, 4), -0)).toBe(false);
    const big: Batch = { length: 1, columns: [vectorFromValues(T.float8, [3e9])] };
    expect(() => compileExpr({ k: 'cast', type: T.int4, arg: col(0, T.float8), explicit: true })(big, ctx0)).toThrow(/integer out of range/);
  });
  it('narrowing int casts and float8 → float4', () => {
    const b: Batch = { length: 2, columns: [vectorFromValues(T.int8, [40000, 1])] };
    expect(() => compileExpr({ k: 'cast', type: T.int2, arg: col(0, T.int8), explicit: true })(b, ctx0)).toThrow(/smallint/);
    const f: Batch = { length: 2, columns: [vectorFromValues(T.float8, [0.1, 1e300])] };
    expect(() => compileExpr({ k: 'cast', type: T.float4, arg: col(0, T.float8), explicit: true })(f, ctx0)).toThrow(/overflow/);
  });
  it('text → number via castValue per dictionary entry', () => {
    const v: Vector = { tag: 'dict', type: T.text, length: 3, codes: new Int32Array([0, 1, 0]), dict: ['1.5', '7'], nulls: null };
    const out = compileExpr({ k: 'cast', type: T.float8, arg: col(0, T.text), explicit: true })({ length: 3, columns: [v] }, ctx0);
    expect(out.tag).toBe('number');
    expect([0, 1, 2].map((i) => getValue(out, i))).toEqual([1.5, 7, 1.5]);
  });
});

describe('subqueries', () => {
  const b: Batch = { length: 4, columns: [vectorFromValues(T.float8, [1, 2, 1, null])] };
  function ctxWith(rowsFor: (id: number, corr: readonly Value[]) => Value[][]) {
    const seen: string[] = [];
    const ctx: EvalContext = { ...ctx0, cache: new Map(), subquery: (id, corr) => (seen.push(`${id}:${corr.join(',')}`), rowsFor(id, corr)) };
    return { ctx, seen };
  }
  const sq = (mode: 'scalar' | 'exists' | 'in' | 'any' | 'all' | 'array', extra: Partial<ExprNode & { k: 'subquery' }> = {}): ExprNode =>
    ({ k: 'subquery', type: mode === 'scalar' ? T.float8 : mode === 'array' ? ({ id: 'array', typmod: -1, elem: T.float8 } as SqlType) : T.bool, mode, id: 1, correlated: [], ...extra }) as ExprNode;
  const vals = (v: Vector) => Array.from({ length: v.length }, (_, i) => getValue(v, i));

  it('uncorrelated runs once per statement', () => {
    const { ctx, seen } = ctxWith(() => [[42]]);
    const e = compileExpr(sq('scalar'));
    expect(vals(e(b, ctx))).toEqual([42, 42, 42, 42]);
    e(b, ctx);
    expect(seen).toEqual(['1:']);
  });
  it('scalar: 0 rows → NULL, >1 row → 21000', () => {
    expect(vals(compileExpr(sq('scalar'))(b, ctxWith(() => []).ctx))).toEqual([null, null, null, null]);
    expect(() => compileExpr(sq('scalar'))(b, ctxWith(() => [[1], [2]]).ctx)).toThrow(expect.objectContaining({ code: '21000' }));
  });
  it('correlated: once per distinct tuple in a batch', () => {
    const { ctx, seen } = ctxWith((_id, corr) => (corr[0] === null ? [] : [[(corr[0] as number) * 10]]));
    const v = compileExpr(sq('scalar', { correlated: [col(0, T.float8)] }))(b, ctx);
    expect(vals(v)).toEqual([10, 20, 10, null]);
    expect(seen.length).toBe(3);
  });
  it('IN / NOT IN with NULLs, ANY / ALL, EXISTS, ARRAY', () => {
    const x = col(0, T.float8);
    const rows = ctxWith(() => [[1], [null]]).ctx;
    expect(vals(compileExpr(sq('in', { test: x, cmpFn: 'eq' }))(b, rows))).toEqual([true, null, true, null]);
    expect(vals(compileExpr(sq('in', { test: x, cmpFn: 'eq', negate: true }))(b, rows))).toEqual([false, null, false, null]);
    const empty = ctxWith(() => []).ctx;
    expect(vals(compileExpr(sq('in', { test: x, cmpFn: 'eq' }))(b, empty))).toEqual([false, false, false, false]);
    expect(vals(compileExpr(sq('all', { test: x, cmpFn: 'lt' }))(b, empty))).toEqual([true, true, true, true]);
    const two = ctxWith(() => [[2], [3]]).ctx;
    expect(vals(compileExpr(sq('all', { test: x, cmpFn: 'lt' }))(b, two))).toEqual([true, false, true, null]);
    expect(vals(compileExpr(sq('any', { test: x, cmpFn: 'gt' }))(b, two))).toEqual([false, false, false, null]);
    expect(vals(compileExpr(sq('exists'))(b, two))).toEqual([true, true, true, true]);
    expect(vals(compileExpr(sq('exists', { negate: true }))(b, empty))).toEqual([true, true, true, true]);
    expect(vals(compileExpr(sq('array'))(b, two))[0]).toEqual([2, 3]);
  });
});
