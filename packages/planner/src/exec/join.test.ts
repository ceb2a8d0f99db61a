import { describe, expect, it, vi } from 'vitest';
// the hash join lives in storage and compiles expressions there: give it the same fake compiler
vi.mock('../../../storage/src/expr/compile.js', async (importOriginal) => {
  const t = await import('./testing.js');
  return { ...(await importOriginal<object>()), compileExpr: t.fakeCompileExpr };
});
vi.mock('./deps.js', async () => {
  const t = await import('./testing.js');
  return { compileExpr: t.fakeCompileExpr, createAccumulator: t.fakeCreateAccumulator };
});
import { T, type SqlType } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import type { Batch, DictVector } from '../../../storage/src/vector.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import { hashJoinOp } from './join-hash.js';
import { nestedLoopJoinOp } from './join-nested-loop.js';
import { collectRows, rowsToBatch } from './rows.js';
import { call, col, testCtx } from './testing.js';
import type { BatchSource, JoinType } from './types.js';

const ctx = testCtx();

/** A source emitting `rows` in batches of `size`; string columns alternate dictionary and plain layouts. */
function source(types: SqlType[], rows: Value[][], size = 3): BatchSource {
  return function* () {
    for (let s = 0, b = 0; s < rows.length; s += size, b++) {
      const part = rows.slice(s, s + size);
      const batch = rowsToBatch(part, types);
      if (b % 2 === 1) {
        yield {
          length: batch.length,
          columns: batch.columns.map((c, ci) => (types[ci] === T.text ? toDict(part.map((r) => r[ci] as string | null)) : c)),
        } as Batch;
      } else yield batch;
    }
  };
}
function toDict(vals: (string | null)[]): DictVector {
  const dict = [...new Set(vals.filter((v): v is string => v !== null))].reverse();
  const nulls = vals.some((v) => v === null) ? new Uint8Array(vals.map((v) => (v === null ? 1 : 0))) : null;
  return { tag: 'dict', type: T.text, length: vals.length, dict, codes: new Int32Array(vals.map((v) => (v === null ? 0 : dict.indexOf(v)))), nulls };
}

const key = (r: Value[], idx: number[]) => idx.map((i) => r[i]!);
function naiveJoin(type: JoinType, L: Value[][], R: Value[][], lk: number[], rk: number[], res: ((l: Value[], r: Value[]) => boolean | null) | null, nullSafe: boolean[] = [], lw = 0, rw = 0): Value[][] {
  const out: Value[][] = [];
  const rMatched = new Set<number>();
  for (const l of L) {
    let matched = false;
    R.forEach((r, j) => {
      const a = key(l, lk), b = key(r, rk);
      const eq = a.every((x, k) => (x === null || b[k] === null ? nullSafe[k] === true && x === b[k] : x === b[k]));
      if (!eq) return;
      if (res && res(l, r) !== true) return;
      matched = true;
      rMatched.add(j);
      if (type !== 'semi' && type !== 'anti') out.push([...l, ...r]);
    });
    if (type === 'semi' && matched) out.push(l);
    if (type === 'anti' && !matched) out.push(l);
    if ((type === 'left' || type === 'full') && !matched) out.push([...l, ...new Array(rw).fill(null)]);
  }
  if (type === 'right' || type === 'full') R.forEach((r, j) => { if (!rMatched.has(j)) out.push([...new Array(lw).fill(null), ...r]); });
  return out;
}
const canon = (rows: Value[][]) => rows.map((r) => JSON.stringify(r)).sort();

function rng(seed: number) {
  return () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
}

const LT: SqlType[] = [T.int4, T.text, T.int4];
const RT: SqlType[] = [T.int4, T.text, T.int4];
const types: JoinType[] = ['inner', 'left', 'right', 'full', 'semi', 'anti'];

describe('hashJoinOp / nestedLoopJoinOp vs naive model', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`random data seed ${seed}`, () => {
      const rnd = rng(seed);
      const mk = (n: number) => Array.from({ length: n }, () => [
        rnd() < 0.15 ? null : Math.floor(rnd() * 5),
        rnd() < 0.15 ? null : ['a', 'b', 'c'][Math.floor(rnd() * 3)]!,
        Math.floor(rnd() * 10),
      ] as Value[]);
      const L = mk(Math.floor(rnd() * 25)), R = mk(seed === 3 ? 0 : Math.floor(rnd() * 25));
      const residualNode = call('lt', [col(2), col(5)]);
      const residualFn = (l: Value[], r: Value[]) => (l[2] as number) < (r[2] as number);
      for (const type of types) {
        for (const withResidual of [false, true]) {
          for (const multi of [false, true]) {
            for (const nullSafe of [false, true]) {
              const lk = multi ? [0, 1] : [0], rk = lk;
              const spec = {
                type, leftTypes: LT, rightTypes: RT,
                leftKeys: lk.map((i) => col(i, LT[i])), rightKeys: rk.map((i) => col(i, RT[i])),
                residual: withResidual ? residualNode : undefined,
                nullSafe: lk.map(() => nullSafe),
              };
              const expected = canon(naiveJoin(type, L, R, lk, rk, withResidual ? residualFn : null, spec.nullSafe, 3, 3));
              const got = collectRows(hashJoinOp(source(LT, L, 4), source(RT, R, 5), spec), ctx);
              expect(canon(got), `${type} residual=${withResidual} multi=${multi} nullSafe=${nullSafe}`).toEqual(expected);
              if (!nullSafe) {
                // same join as a nested loop over the equivalent condition
                const eqs: ExprNode[] = lk.map((i, k) => call('eq', [col(i, LT[i]), col(3 + rk[k]!, RT[rk[k]!])]));
                const cond: ExprNode = { k: 'and', type: T.bool, args: withResidual ? [...eqs, residualNode] : eqs };
                const nl = collectRows(nestedLoopJoinOp(source(LT, L, 4), source(RT, R, 5), { type, leftTypes: LT, rightTypes: RT, condition: cond }), ctx);
                expect(canon(nl), `NL ${type} residual=${withResidual} multi=${multi}`).toEqual(expected);
              }
            }
          }
        }
      }
    });
  }
});

describe('hashJoinOp', () => {
  const IT = [T.int4, T.int4];
  it('empty sides', () => {
    const some = [[1, 10], [null, 11]];
    for (const type of types) {
      const spec = { type, leftTypes: IT, rightTypes: IT, leftKeys: [col(0)], rightKeys: [col(0)] };
      expect(canon(collectRows(hashJoinOp(source(IT, some), source(IT, []), spec), ctx))).toEqual(canon(naiveJoin(type, some, [], [0], [0], null, [], 2, 2)));
      expect(canon(collectRows(hashJoinOp(source(IT, []), source(IT, some), spec), ctx))).toEqual(canon(naiveJoin(type, [], some, [0], [0], null, [], 2, 2)));
    }
  });
  it('anti join keeps NULL-key rows (NOT EXISTS semantics)', () => {
    const spec = { type: 'anti' as const, leftTypes: IT, rightTypes: IT, leftKeys: [col(0)], rightKeys: [col(0)] };
    expect(collectRows(hashJoinOp(source(IT, [[1, 1], [null, 2], [3, 3]]), source(IT, [[1, 0], [null, 0]]), spec), ctx)).toEqual([[null, 2], [3, 3]]);
  });
  it('heavy duplicates: output split into bounded batches, counts exact', () => {
    const L = Array.from({ length: 300 }, (_, i) => [i % 2, i]);
    const R = Array.from({ length: 100 }, (_, i) => [0, i]);
    const spec = { type: 'inner' as const, leftTypes: IT, rightTypes: IT, leftKeys: [col(0)], rightKeys: [col(0)] };
    const batches = [...hashJoinOp(source(IT, L, 1000), source(IT, R, 1000), spec)(ctx)];
    expect(batches.reduce((s, b) => s + b.length, 0)).toBe(150 * 100);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(8192);
  });
  it('float keys: NaN = NaN, -0 = 0; strings across layouts', () => {
    const FT = [T.float8];
    const spec = { type: 'inner' as const, leftTypes: FT, rightTypes: FT, leftKeys: [col(0, T.float8)], rightKeys: [col(0, T.float8)] };
    expect(canon(collectRows(hashJoinOp(source(FT, [[NaN], [-0], [1.5]]), source(FT, [[NaN], [0]]), spec), ctx))).toEqual(canon([[NaN, NaN], [-0, 0]]));
  });
  it('is re-runnable', () => {
    const op = hashJoinOp(source(IT, [[1, 1]]), source(IT, [[1, 2]]), { type: 'inner', leftTypes: IT, rightTypes: IT, leftKeys: [col(0)], rightKeys: [col(0)] });
    expect(collectRows(op, ctx)).toEqual(collectRows(op, ctx));
  });
});

describe('nestedLoopJoinOp', () => {
  const IT = [T.int4];
  it('cross join, with large blocks', () => {
    const L = Array.from({ length: 200 }, (_, i) => [i]);
    const R = Array.from({ length: 90 }, (_, i) => [i]);
    const batches = [...nestedLoopJoinOp(source(IT, L, 150), source(IT, R, 7), { type: 'inner', leftTypes: IT, rightTypes: IT })(ctx)];
    expect(batches.reduce((s, b) => s + b.length, 0)).toBe(18000);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(8192);
  });
  it('inequality full join', () => {
    const rows = collectRows(nestedLoopJoinOp(source(IT, [[1], [5], [null]]), source(IT, [[3], [0]]), { type: 'full', leftTypes: IT, rightTypes: IT, condition: call('gt', [col(0), col(1)]) }), ctx);
    expect(canon(rows)).toEqual(canon([[1, 0], [5, 3], [5, 0], [null, null]]));
  });
});
