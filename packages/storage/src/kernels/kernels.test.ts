import { describe, expect, it } from 'vitest';
import { T } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import { Decimal } from '../types/numeric.js';
import type { Batch, Vector } from '../vector.js';
import { getValue, vectorFromValues } from '../vector.js';
import { GroupIdMapper, hashRows, valueKey } from './hash.js';
import { compareStrings, compareValues } from './compare.js';
import { mergeSorted, sortIndices, topNIndices } from './sort.js';
import { selectTrue, takeBatch } from './filter.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const DICT_A = ['x', 'y', 'zz', 'x '];
const DICT_B = ['zz', 'w', 'x'];

/** Random column of the given flavour, plus its plain values. */
function randomColumn(r: () => number, kind: 'num' | 'dict' | 'obj' | 'bool' | 'numeric', n: number, dict = DICT_A): { v: Vector; vals: Value[] } {
  const vals: Value[] = [];
  if (kind === 'dict') {
    const codes = new Int32Array(n);
    const nulls = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      codes[i] = Math.floor(r() * dict.length);
      nulls[i] = r() < 0.1 ? 1 : 0;
      vals.push(nulls[i] ? null : dict[codes[i]!]!);
    }
    return { v: { tag: 'dict', type: T.text, length: n, codes, dict, nulls }, vals };
  }
  for (let i = 0; i < n; i++) {
    if (r() < 0.1) vals.push(null);
    else if (kind === 'num') vals.push([0, -0, 1, 2.5, NaN, -1, Infinity, -Infinity, 1e300][Math.floor(r() * 9)]!);
    else if (kind === 'bool') vals.push(r() < 0.5);
    else if (kind === 'numeric') vals.push(Decimal.parse(['1.10', '1.1', '2', '-3.5', 'NaN'][Math.floor(r() * 5)]!));
    else vals.push(['a', 'b', '\u{1F600}', '\uE000', ''][Math.floor(r() * 5)]!);
  }
  const type: SqlType = kind === 'num' ? T.float8 : kind === 'bool' ? T.bool : kind === 'numeric' ? T.numeric : T.text;
  return { v: vectorFromValues(type, vals), vals };
}

describe('GroupIdMapper', () => {
  for (const kinds of [['num'], ['dict'], ['obj'], ['bool'], ['numeric'], ['num', 'dict'], ['dict', 'num', 'bool'], ['obj', 'numeric']] as const) {
    it(`matches a naive Map over ${kinds.join('+')}`, () => {
      const r = rng(kinds.length * 7 + kinds[0].length);
      const m = new GroupIdMapper();
      const naive = new Map<string, number>();
      const firstKeys: Value[][] = [];
      for (let b = 0; b < 5; b++) {
        const n = Math.floor(r() * 300);
        const cols = kinds.map((k) => randomColumn(r, k, n, b % 2 ? DICT_B : DICT_A));
        const ids = m.map(cols.map((c) => c.v), n);
        for (let i = 0; i < n; i++) {
          const tuple = cols.map((c) => c.vals[i]!);
          const key = JSON.stringify(tuple.map((x, k) => String(valueKey(x, cols[k]!.v.type))));
          let want = naive.get(key);
          if (want === undefined) {
            want = naive.size;
            naive.set(key, want);
            firstKeys.push(tuple);
          }
          expect(ids[i]).toBe(want);
        }
      }
      expect(m.groupCount).toBe(naive.size);
      const keys = m.keys();
      for (let g = 0; g < m.groupCount; g++)
        keys.forEach((kv, k) => {
          const got = getValue(kv, g);
          const want = firstKeys[g]![k]!;
          expect(got === null ? null : String(valueKey(got, kv.type))).toBe(want === null ? null : String(valueKey(want, kv.type)));
        });
    });
  }
  it('NaN = NaN, -0 = 0, NULLs group together', () => {
    const m = new GroupIdMapper();
    const ids = m.map([vectorFromValues(T.float8, [NaN, 0, -0, null, -NaN, null, 1])], 7);
    expect(Array.from(ids)).toEqual([0, 1, 1, 2, 0, 2, 3]);
  });
  it('many distinct number keys (table growth)', () => {
    const m = new GroupIdMapper();
    const n = 100_000;
    const vals = new Float64Array(n).map((_, i) => (i * 7919) % 50_000);
    const ids = m.map([{ tag: 'number', type: T.float8, length: n, values: vals, nulls: null }], n);
    expect(m.groupCount).toBe(50_000);
    expect(ids[50_000]).toBe(ids[0]);
  });
});

describe('hashRows', () => {
  it('equal rows hash equal across layouts and dictionaries', () => {
    const a: Vector = { tag: 'dict', type: T.text, length: 2, codes: new Int32Array([0, 2]), dict: DICT_A, nulls: null };
    const b = vectorFromValues(T.text, ['x', 'zz']);
    const n1 = vectorFromValues(T.float8, [0, NaN]);
    const n2 = vectorFromValues(T.float8, [-0, -NaN]);
    expect(Array.from(hashRows([a, n1], 2))).toEqual(Array.from(hashRows([b, n2], 2)));
  });
});

describe('compare', () => {
  it('code point order for strings', () => {
    expect(compareStrings('\uE000', '\u{1F600}')).toBeLessThan(0);
    expect(compareStrings('a', 'ab')).toBeLessThan(0);
    expect(compareValues(NaN, Infinity)).toBe(1);
    expect(compareValues(Decimal.parse('1.10'), Decimal.parse('1.1'))).toBe(0);
    expect(compareValues({ months: 1, days: 0, micros: 0 }, { months: 0, days: 30, micros: 0 })).toBe(0);
  });
});

function naiveSort(cols: Value[][], desc: boolean[], nf: boolean[], n: number, types: SqlType[]): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  return idx.sort((a, b) => {
    for (let k = 0; k < cols.length; k++) {
      const x = cols[k]![a]!;
      const y = cols[k]![b]!;
      let c: number;
      if (x === null || y === null) c = x === y ? 0 : (x === null ? 1 : -1) * (nf[k] ? -1 : 1);
      else c = (desc[k] ? -1 : 1) * compareValues(x, y, types[k]);
      if (c !== 0) return c;
    }
    return a - b;
  });
}

describe('sortIndices / topNIndices', () => {
  for (const kinds of [['num'], ['dict'], ['bool'], ['obj'], ['numeric'], ['num', 'dict'], ['dict', 'obj']] as const) {
    for (const n of [5, 300, 3000]) {
      it(`${kinds.join('+')} × ${n} rows, all directions`, () => {
        const r = rng(n + kinds.length);
        const cols = kinds.map((k) => randomColumn(r, k, n));
        for (const desc of [false, true])
          for (const nf of [false, true]) {
            const d = kinds.map(() => desc);
            const f = kinds.map(() => nf);
            const want = naiveSort(cols.map((c) => c.vals), d, f, n, cols.map((c) => c.v.type));
            expect(Array.from(sortIndices(cols.map((c) => c.v), d, f, n))).toEqual(want);
            expect(Array.from(topNIndices(cols.map((c) => c.v), d, f, n, 7))).toEqual(want.slice(0, 7));
          }
      });
    }
  }
  it('radix sort of timestamps with nulls', () => {
    const n = 10_000;
    const vals: Value[] = Array.from({ length: n }, (_, i) => (i % 17 === 0 ? null : 1.7e15 + ((i * 7919) % 5000) * 1e7));
    const v = vectorFromValues(T.timestamptz, vals);
    const want = naiveSort([vals], [false], [false], n, [T.timestamptz]);
    expect(Array.from(sortIndices([v], [false], [false], n))).toEqual(want);
  });
});

describe('mergeSorted', () => {
  it('merges sorted streams stably', () => {
    const r = rng(5);
    const all: Value[] = [];
    const streams: Batch[][] = [];
    for (let s = 0; s < 4; s++) {
      const vals = Array.from({ length: 50 + s * 10 }, () => (r() < 0.1 ? null : Math.floor(r() * 20)));
      vals.sort((a, b) => (a === null ? 1 : b === null ? -1 : a - b));
      all.push(...vals);
      streams.push([
        { length: 20, columns: [vectorFromValues(T.int4, vals.slice(0, 20)), vectorFromValues(T.int4, vals.slice(0, 20).map(() => s))] },
        { length: vals.length - 20, columns: [vectorFromValues(T.int4, vals.slice(20)), vectorFromValues(T.int4, vals.slice(20).map(() => s))] },
      ]);
    }
    const out: Value[] = [];
    const src: Value[] = [];
    for (const b of mergeSorted(streams, [0], [false], [false], 64))
      for (let i = 0; i < b.length; i++) {
        out.push(getValue(b.columns[0]!, i));
        src.push(getValue(b.columns[1]!, i));
      }
    expect(out).toEqual([...all].sort((a, b) => (a === null ? (b === null ? 0 : 1) : b === null ? -1 : (a as number) - (b as number))));
    for (let i = 1; i < out.length; i++) if (out[i] === out[i - 1]) expect(src[i]! >= src[i - 1]!).toBe(true);
  });
});

describe('filter', () => {
  it('selectTrue drops FALSE and NULL; takeBatch gathers', () => {
    const v = vectorFromValues(T.bool, [true, null, false, true]);
    const sel = selectTrue(v);
    expect(Array.from(sel)).toEqual([0, 3]);
    const b = takeBatch({ length: 4, columns: [vectorFromValues(T.int4, [1, 2, 3, 4])] }, sel);
    expect(b.length).toBe(2);
    expect(getValue(b.columns[0]!, 1)).toBe(4);
    expect(selectTrue(vectorFromValues(T.bool, [])).length).toBe(0);
  });
});
