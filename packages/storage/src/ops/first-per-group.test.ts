/** firstPerGroupOp equals sort-then-first-row on random data with NULLs, ties and several batches. */
import { describe, expect, it } from 'vitest';
import { T } from '../types/sql-type.js';
import { vectorFromValues, vectorToValues, type Batch } from '../vector.js';
import { firstPerGroupOp } from './first-per-group.js';
import { batchesOf } from './source.js';
import { DEFAULT_FORMAT_CONTEXT } from '../types/values.js';
import type { EvalContext } from '../expr/expr.js';

const ctx: EvalContext = { params: [], settings: DEFAULT_FORMAT_CONTEXT, statementTime: 0, transactionTime: 0, correlated: [] };

function rand(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

describe('firstPerGroupOp', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`matches a sort + first row per group (seed ${seed})`, () => {
      const r = rand(seed);
      const batches: Batch[] = [];
      const rows: [string | null, number | null, number][] = [];
      for (let b = 0; b < 4; b++) {
        const n = 1 + Math.floor(r() * 50);
        const keys: (string | null)[] = [];
        const times: (number | null)[] = [];
        const ids: number[] = [];
        for (let i = 0; i < n; i++) {
          keys.push(r() < 0.1 ? null : `k${Math.floor(r() * 6)}`);
          times.push(r() < 0.1 ? null : Math.floor(r() * 20));
          ids.push(rows.length);
          rows.push([keys[i]!, times[i]!, rows.length]);
        }
        batches.push({ length: n, columns: [vectorFromValues(T.text, keys), vectorFromValues(T.float8, times), vectorFromValues(T.int4, ids)] });
      }
      const out = [...firstPerGroupOp(batchesOf(batches), [0], [{ expr: { k: 'col', type: T.float8, index: 1 }, desc: true, nullsFirst: false }])(ctx)];
      const got = new Map<string | null, number>();
      for (const b of out) {
        const k = vectorToValues(b.columns[0]!);
        const id = vectorToValues(b.columns[2]!);
        k.forEach((x, i) => got.set(x as string | null, id[i] as number));
      }
      // reference: stable sort by time DESC NULLS LAST, first row per key
      const sorted = [...rows].sort((a, b) => (a[1] === b[1] ? 0 : a[1] === null ? 1 : b[1] === null ? -1 : b[1] - a[1]));
      const want = new Map<string | null, number>();
      for (const [k, , id] of sorted) if (!want.has(k)) want.set(k, id);
      expect(got).toEqual(want);
    });
  }
});
