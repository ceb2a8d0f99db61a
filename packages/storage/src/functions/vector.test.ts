/**
 * Property tests: every vector implementation gives, on random columns with
 * NULLs (plain, dictionary-encoded and constant layouts), what the scalar
 * implementation gives row by row, including which errors are raised.
 */
import { describe, expect, test } from 'vitest';
import { SqlError } from '../errors.js';
import type { SqlType } from '../types/sql-type.js';
import { T } from '../types/sql-type.js';
import type { Interval, Value } from '../types/values.js';
import type { DictVector, Vector } from '../vector.js';
import { constantVector, getValue, vectorFromValues } from '../vector.js';
import { allDefs, isPseudo, type FnDef } from './catalog.js';
import { getFunctionImpl } from './index.js';
import { makeCtx, show } from './testing.js';

/** Small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const UNITS = ['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year', 'Hour'];
const PATTERNS = ['a%', '%b', '%ab%', 'a_c', 'abc', '%', '', 'A%', 'b\\%', '^a', 'b+$', '[ac]{2}', '(a|b)c'];
const WORDS = ['a', 'ab', 'abc', 'b', 'bca', 'cab', '', 'ABC', 'b%', 'é', 'zz', 'a\nb'];
const DAY = 86_400_000_000;
const INTERVALS: Interval[] = [
  { months: 0, days: 0, micros: 60_000_000 },
  { months: 0, days: 0, micros: 300_000_000 },
  { months: 0, days: 0, micros: 3_600_000_000 },
  { months: 0, days: 1, micros: 0 },
  { months: 0, days: 7, micros: 0 },
  { months: 1, days: 0, micros: 0 },
  { months: 0, days: 0, micros: 90_000_000 },
];

function randomValue(t: SqlType, r: () => number, fnName: string, pos: number): Value {
  const pick = <X>(xs: readonly X[]): X => xs[Math.floor(r() * xs.length)]!;
  switch (t.id) {
    case 'int2': return r() < 0.05 ? pick([32767, -32768, 0]) : Math.floor(r() * 200) - 100;
    case 'int4': return r() < 0.05 ? pick([2147483647, -2147483648, 0]) : Math.floor(r() * 2000) - 1000;
    case 'int8': return r() < 0.05 ? pick([Number.MAX_SAFE_INTEGER, 0, -1]) : Math.floor(r() * 2e6) - 1e6;
    case 'float4': return Math.fround(pick([0, 1.5, -2.25, NaN, Infinity, 3.4e38, (r() - 0.5) * 100]));
    case 'float8': return pick([0, 1.5, -2.25, NaN, Infinity, -Infinity, 1e308, 1e-308, (r() - 0.5) * 1000]);
    case 'date': return r() < 0.03 ? pick([Infinity, -Infinity]) : 10957 + Math.floor(r() * 20000) - 5000;
    case 'time': return Math.floor(r() * DAY);
    case 'timestamp':
    case 'timestamptz':
      return r() < 0.03 ? pick([Infinity, -Infinity]) : 946_684_800_000_000 + Math.floor((r() - 0.3) * 1e15);
    case 'interval': return pick(INTERVALS);
    case 'text':
      if (fnName.startsWith('date_trunc') && pos === 0) return pick(UNITS);
      if (/^[!~]/.test(fnName) && pos === 1) return pick(PATTERNS);
      return pick(WORDS);
    case 'bpchar': return pick(['a', 'a  ', 'b ', '']);
    case 'name': return pick(WORDS);
    case 'oid': return Math.floor(r() * 10);
    default: return null;
  }
}

function dictOf(type: SqlType, values: Value[]): DictVector {
  const dict: string[] = [];
  const index = new Map<string, number>();
  const codes = new Int32Array(values.length);
  let nulls: Uint8Array | null = null;
  values.forEach((v, i) => {
    if (v === null) {
      nulls ??= new Uint8Array(values.length);
      nulls[i] = 1;
      return;
    }
    let c = index.get(v as string);
    if (c === undefined) {
      c = dict.length;
      dict.push(v as string);
      index.set(v as string, c);
    }
    codes[i] = c;
  });
  return { tag: 'dict', type, length: values.length, codes, dict, nulls };
}

function runScalarRows(def: FnDef, id: string, cols: Value[][], n: number, rt: SqlType) {
  const impl = getFunctionImpl(id);
  const out: (string | null)[] = [];
  const errors = new Set<string>();
  for (let i = 0; i < n; i++) {
    const args: Value[] = cols.map((c) => c[i] ?? null);
    if (impl.strict && args.includes(null)) {
      out.push(null);
      continue;
    }
    try {
      out.push(show(impl.scalar(args, makeCtx()), rt));
    } catch (e) {
      if (!(e instanceof SqlError)) throw e;
      errors.add(e.code);
      out.push('<error>');
    }
  }
  void def;
  return { out, errors };
}

const defs = allDefs().filter((d) => d.vector && !d.params.some(isPseudo) && !d.variadic);

describe('vector implementations agree with scalar implementations', () => {
  test('there are vector implementations for the hot operators and functions', () => {
    const names = new Set(defs.map((d) => d.name));
    for (const n of ['=', '<>', '<', '>', '<=', '>=', '+', '-', '*', '/', '~~', '~~*', 'time_bucket', 'date_trunc', 'lower', 'upper']) expect(names).toContain(n);
  });
  for (const def of defs) {
    test(def.id, () => {
      const r = rng(def.id.length * 7919 + def.id.charCodeAt(0));
      for (let round = 0; round < 12; round++) {
        const n = 1 + Math.floor(r() * 64);
        const types = def.params as SqlType[];
        const rt = def.ret as SqlType;
        const cols: Value[][] = [];
        const vecs: Vector[] = [];
        types.forEach((t, pos) => {
          const constant = r() < 0.4 || t.id === 'interval' || (def.name === 'date_trunc' && pos === 0);
          if (constant) {
            const v = r() < 0.05 ? null : randomValue(t, r, def.name, pos);
            cols.push(new Array<Value>(n).fill(v));
            vecs.push(constantVector(t, v, n));
            return;
          }
          const vals = Array.from({ length: n }, () => (r() < 0.15 ? null : randomValue(t, r, def.name, pos)));
          cols.push(vals);
          vecs.push(t.id === 'text' && r() < 0.6 ? dictOf(t, vals) : vectorFromValues(t, vals));
        });
        const expected = runScalarRows(def, def.id, cols, n, rt);
        const impl = getFunctionImpl(def.id);
        let got: Vector | null = null;
        let err: unknown = null;
        try {
          got = impl.vector!(vecs, n, makeCtx(), rt);
        } catch (e) {
          err = e;
        }
        if (expected.errors.size > 0) {
          expect(err, `vector should fail like the scalar (${[...expected.errors]})`).toBeInstanceOf(SqlError);
          expect([...expected.errors]).toContain((err as SqlError).code);
          continue;
        }
        if (err) throw err;
        expect(got!.length).toBe(n);
        const actual = Array.from({ length: n }, (_x, i) => show(getValue(got!, i), rt));
        expect(actual).toEqual(expected.out);
      }
    });
  }
});

test('dictionary fast paths evaluate once per entry and keep NULLs', () => {
  const col = dictOf(T.text, ['abc', null, 'abd', 'abc', 'x']);
  const eq = getFunctionImpl('=(text,text)');
  const res = eq.vector!([col, constantVector(T.text, 'abc', 5)], 5, makeCtx(), T.bool);
  expect(Array.from({ length: 5 }, (_x, i) => getValue(res, i))).toEqual([true, null, false, true, false]);
  const like = getFunctionImpl('~~(text,text)');
  const lres = like.vector!([col, constantVector(T.text, 'ab%', 5)], 5, makeCtx(), T.bool);
  expect(Array.from({ length: 5 }, (_x, i) => getValue(lres, i))).toEqual([true, null, true, true, false]);
  const up = getFunctionImpl('upper(text)').vector!([col], 5, makeCtx(), T.text);
  expect(up.tag).toBe('dict');
  expect(Array.from({ length: 5 }, (_x, i) => getValue(up, i))).toEqual(['ABC', null, 'ABD', 'ABC', 'X']);
  // constant on the left of a comparison
  const lt = getFunctionImpl('<(text,text)').vector!([constantVector(T.text, 'abd', 5), col], 5, makeCtx(), T.bool);
  expect(Array.from({ length: 5 }, (_x, i) => getValue(lt, i))).toEqual([false, null, false, false, true]);
});
