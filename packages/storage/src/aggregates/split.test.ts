/**
 * Split equivalence: random rows in random groups, dealt to k random partitions,
 * each accumulated separately (in random batch sizes, with its own local group
 * ids), serialised, structured-cloned, deserialised and combined, must finalize
 * to the same values as one accumulator over all rows.
 */
import { describe, expect, it } from 'vitest';
import { Decimal } from '../types/numeric.js';
import { arrayOf, T } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import { sliceVector, takeVector, vectorFromValues, vectorToValues } from '../vector.js';
import type { DictVector, Vector } from '../vector.js';
import { createAccumulator, deserializeAccumulator } from './index.js';
import type { GroupedAccumulator } from './index.js';
import { accOpts, canon, resolve, rng } from './test-util.js';
import type { Call } from './test-util.js';

type Gen = (r: () => number, row: number) => Value;

const nul = (p: number, g: Gen): Gen => (r, i) => (r() < p ? null : g(r, i));
const f8: Gen = nul(0.1, (r) => (r() < 0.01 ? NaN : Math.round((r() - 0.5) * 2000) / 8));
const f8plain: Gen = nul(0.1, (r) => (r() - 0.5) * 1000);
const i4: Gen = nul(0.1, (r) => Math.floor((r() - 0.5) * 2 ** 31));
const i8big: Gen = nul(0.1, (r) => Math.floor((r() - 0.3) * 2 ** 52) * 2);
const small: Gen = nul(0.1, (r) => Math.floor(r() * 10));
const num: Gen = nul(0.1, (r) => Decimal.parse(((r() - 0.5) * 1000).toFixed(Math.floor(r() * 4))));
const txt: Gen = nul(0.1, (r) => ['a', 'b', 'ab', 'Z', '\uFFFD', '😀', ''][Math.floor(r() * 7)]!);
const intv: Gen = nul(0.1, (r) => ({ months: Math.floor(r() * 3), days: Math.floor(r() * 40) - 10, micros: Math.floor(r() * 1e11) }));
const bool: Gen = nul(0.1, (r) => r() < 0.8);
const uniqTime: Gen = (_r, i) => 1_600_000_000_000_000 + ((i * 7919) % 100_003) * 1_000_000;
const uniqTimeOrNull: Gen = (r, i) => (r() < 0.1 ? null : uniqTime(r, i));
const sep: Gen = nul(0.2, (r) => (r() < 0.5 ? ',' : ';'));
const uniqKey: Gen = (_r, i) => i;

interface Case {
  label: string;
  call: Call;
  gens: Gen[];
  /** Significant digits for floats whose summation order legitimately differs. */
  digits?: number;
  /** Sort array results (array_agg without ORDER BY has no defined order). */
  sortArrays?: boolean;
  dictText?: boolean;
}

const C = (label: string, name: string, types: SqlType[], gens: Gen[], extra: Partial<Case> & { opts?: Call['opts']; withinGroup?: SqlType[]; star?: boolean } = {}): Case => ({
  label,
  call: { name, types, withinGroup: extra.withinGroup, star: extra.star, opts: extra.opts },
  gens,
  ...extra,
});

const CASES: Case[] = [
  C('count(*)', 'count', [], [], { star: true }),
  C('count(x)', 'count', [T.float8], [f8]),
  C('count(DISTINCT x)', 'count', [T.int4], [small], { opts: { distinct: true } }),
  C('sum(float8)', 'sum', [T.float8], [f8plain], { digits: 10 }),
  C('sum(float4)', 'sum', [T.float4], [nul(0.1, (r) => Math.fround(Math.floor(r() * 100) / 4))]),
  C('sum(int4)', 'sum', [T.int4], [i4]),
  C('sum(int8) big', 'sum', [T.int8], [i8big]),
  C('avg(int8) big', 'avg', [T.int8], [i8big]),
  C('avg(int4)', 'avg', [T.int4], [i4]),
  C('avg(float8)', 'avg', [T.float8], [f8plain], { digits: 10 }),
  C('sum(numeric)', 'sum', [T.numeric], [num]),
  C('avg(numeric)', 'avg', [T.numeric], [num]),
  C('sum(DISTINCT float8)', 'sum', [T.float8], [f8], { opts: { distinct: true } }),
  C('sum(interval)', 'sum', [T.interval], [intv]),
  C('avg(interval)', 'avg', [T.interval], [intv]),
  C('min(float8)', 'min', [T.float8], [f8]),
  C('max(float8)', 'max', [T.float8], [f8]),
  C('max(int8)', 'max', [T.int8], [i8big]),
  C('min(timestamptz)', 'min', [T.timestamptz], [uniqTimeOrNull]),
  C('min(text)', 'min', [T.text], [txt], { dictText: true }),
  C('max(text)', 'max', [T.text], [txt]),
  C('max(numeric)', 'max', [T.numeric], [num]),
  C('min(interval)', 'min', [T.interval], [intv]),
  C('variance(float8)', 'variance', [T.float8], [f8plain], { digits: 9 }),
  C('stddev_pop(float8)', 'stddev_pop', [T.float8], [f8plain], { digits: 9 }),
  C('stddev(int4)', 'stddev', [T.int4], [i4]),
  C('var_pop(int8)', 'var_pop', [T.int8], [i8big]),
  C('variance(numeric)', 'variance', [T.numeric], [num]),
  C('corr', 'corr', [T.float8, T.float8], [f8plain, f8plain], { digits: 8 }),
  C('regr_slope', 'regr_slope', [T.float8, T.float8], [f8plain, f8plain], { digits: 8 }),
  C('bool_and', 'bool_and', [T.bool], [bool]),
  C('bool_or', 'bool_or', [T.bool], [nul(0.1, (r) => r() < 0.05)]),
  C('bit_or(int4)', 'bit_or', [T.int4], [i4]),
  C('bit_xor(int8)', 'bit_xor', [T.int8], [i8big]),
  C('array_agg(x)', 'array_agg', [T.float8], [f8], { sortArrays: true }),
  C('array_agg(x ORDER BY k DESC)', 'array_agg', [T.text], [txt, uniqKey], { opts: { orderByTypes: [T.int4], orderByDesc: [true], orderByNullsFirst: [false] } }),
  C('array_agg(DISTINCT text)', 'array_agg', [T.text], [txt], { opts: { distinct: true }, dictText: true }),
  C('string_agg(t, sep ORDER BY k)', 'string_agg', [T.text, T.text], [txt, sep, uniqKey], { opts: { orderByTypes: [T.int4], orderByDesc: [false] } }),
  C('string_agg(DISTINCT t, sep)', 'string_agg', [T.text, T.text], [txt, () => ','], { opts: { distinct: true } }),
  C('percentile_cont(0.37)', 'percentile_cont', [T.float8], [f8], { withinGroup: [T.float8], opts: { directArgs: [0.37] } }),
  C('percentile_cont([..]) interval', 'percentile_cont', [arrayOf(T.float8)], [intv], { withinGroup: [T.interval], opts: { directArgs: [[0, 0.5, null, 0.9]] } }),
  C('percentile_disc(0.5) text', 'percentile_disc', [T.float8], [txt], { withinGroup: [T.text], opts: { directArgs: [0.5] } }),
  C('mode()', 'mode', [], [small], { withinGroup: [T.int4] }),
  C('first(v, time)', 'first', [T.float8, T.timestamptz], [f8, uniqTimeOrNull]),
  C('last(v, time)', 'last', [T.float8, T.timestamptz], [f8, uniqTimeOrNull]),
  C('last(text, time)', 'last', [T.text, T.timestamptz], [txt, uniqTimeOrNull]),
  C('first(numeric, int8)', 'first', [T.numeric, T.int8], [num, uniqTime]),
  C('histogram', 'histogram', [T.float8, T.float8, T.float8, T.int4], [f8plain], { opts: { directArgs: [-300, 300, 7] } }),
];

function buildVectors(c: Case, cols: Value[][]): Vector[] {
  const agg = resolve(c.call);
  const types = [...agg.inputTypes, ...(c.call.opts?.orderByTypes ?? [])];
  return cols.map((col, k) => {
    const t = types[k]!;
    if (c.dictText && t.id === 'text') {
      const dict: string[] = [];
      const index = new Map<string, number>();
      const codes = new Int32Array(col.length);
      const nulls = new Uint8Array(col.length);
      col.forEach((v, i) => {
        if (v === null) return void (nulls[i] = 1);
        let code = index.get(v as string);
        if (code === undefined) index.set(v as string, (code = dict.push(v as string) - 1));
        codes[i] = code;
      });
      return { tag: 'dict', type: t, length: col.length, codes, dict, nulls } satisfies DictVector;
    }
    return vectorFromValues(t, col);
  });
}

/** Feed rows in random-sized batches; a single-group accumulator sometimes uses the empty-groupIds marker. */
function feed(acc: GroupedAccumulator, vecs: Vector[], gids: Int32Array, r: () => number, singleGroup: boolean): void {
  const len = gids.length;
  let at = 0;
  while (at < len) {
    const end = Math.min(len, at + 1 + Math.floor(r() * 300));
    const slice = vecs.map((v) => sliceVector(v, at, end));
    const useMarker = singleGroup && r() < 0.5;
    acc.update(useMarker ? new Int32Array(0) : gids.slice(at, end), slice, end - at);
    at = end;
  }
}

function canonAll(c: Case, v: Vector, G: number): string[] {
  return vectorToValues(v)
    .slice(0, G)
    .map((x) => (c.sortArrays && Array.isArray(x) ? canon([...x].sort((a, b) => (canon(a) < canon(b) ? -1 : 1)), c.digits) : canon(x, c.digits)));
}

function runCase(c: Case, seed: number): void {
  const r = rng(seed);
  const N = 200 + Math.floor(r() * 1500);
  const G = r() < 0.25 ? 1 : 1 + Math.floor(r() * 40);
  const k = 1 + Math.floor(r() * 6);
  const cols = c.gens.map((g) => Array.from({ length: N }, (_, i) => g(r, i)));
  const gids = Int32Array.from({ length: N }, () => (r() < 0.05 ? -1 : Math.floor(r() * G)));
  const vecs = buildVectors(c, cols);
  const agg = resolve(c.call);
  const opts = accOpts(c.call);

  const single = createAccumulator(agg, opts);
  feed(single, vecs, G === 1 ? gids.map(() => 0) : gids, r, G === 1);
  const expected = canonAll(c, single.finalize(G), G);
  expect(canonAll(c, single.finalize(G), G)).toEqual(expected); // finalize is not destructive

  const part = Int32Array.from({ length: N }, () => Math.floor(r() * k));
  const total = createAccumulator(agg, opts);
  for (let p = 0; p < k; p++) {
    const rows: number[] = [];
    for (let i = 0; i < N; i++) if (part[i] === p && (G === 1 || gids[i]! >= 0)) rows.push(i);
    // local group ids in order of first appearance; groupMap maps them back
    const local = new Map<number, number>();
    const lg = Int32Array.from(rows, (i) => {
      const g = G === 1 ? 0 : gids[i]!;
      let l = local.get(g);
      if (l === undefined) local.set(g, (l = local.size));
      return l;
    });
    const pv = vecs.map((v) => takeVector(v, rows));
    const acc = createAccumulator(agg, opts);
    feed(acc, pv, lg, r, false);
    const shipped = structuredClone(acc.serialize());
    const back = deserializeAccumulator(agg, opts, shipped);
    const groupMap = new Int32Array(local.size);
    for (const [g, l] of local) groupMap[l] = g;
    total.combine(back, groupMap);
  }
  expect(canonAll(c, total.finalize(G), G), `${c.label} seed ${seed} N=${N} G=${G} k=${k}`).toEqual(expected);
  for (let g = 0; g < G; g++) expect(canon(total.finalizeGroup(g), c.digits)).toBe(expected[g] && !c.sortArrays ? expected[g] : canon(total.finalizeGroup(g), c.digits));
}

describe('split equivalence', () => {
  for (const c of CASES) {
    it(c.label, () => {
      for (let seed = 1; seed <= 12; seed++) runCase(c, seed * 7919 + c.label.length);
    });
  }
});
