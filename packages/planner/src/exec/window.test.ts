import { describe, expect, it, vi } from 'vitest';
vi.mock('./deps.js', async () => {
  const t = await import('./testing.js');
  return { compileExpr: t.fakeCompileExpr, createAccumulator: t.fakeCreateAccumulator };
});
import { readFileSync } from 'node:fs';
import { T } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import { windowOp } from './window.js';
import { collectRows, rowsToBatch } from './rows.js';
import { caseSpec, WINDOW_CASES, WINDOW_ROWS } from './window-cases.js';
import { col, lit, testCtx } from './testing.js';
import type { BatchSource } from './types.js';
import type { WindowCallSpec } from './window-functions.js';

const ctx = testCtx();
const pg: Record<string, Record<string, string | null>> = JSON.parse(readFileSync(new URL('./window.pg.json', import.meta.url), 'utf8'));
const I4 = [T.int4, T.int4, T.int4, T.int4];

function src(rows: Value[][], types = I4, size = 5): BatchSource {
  return function* () {
    for (let s = 0; s < rows.length; s += size) yield rowsToBatch(rows.slice(s, s + size), types);
  };
}

describe('windowOp vs PostgreSQL 15', () => {
  for (const wc of WINDOW_CASES) {
    it(`${wc.name}: ${wc.sql}`, () => {
      const out = collectRows(windowOp(src(WINDOW_ROWS), caseSpec(wc)), ctx);
      expect(out.length).toBe(WINDOW_ROWS.length);
      const expected = pg[wc.name]!;
      for (const r of out) {
        const want = expected[String(r[0])]!;
        const got = r[4];
        if (want === null) expect(got, `id ${r[0]}`).toBeNull();
        else expect(got as number, `id ${r[0]}`).toBeCloseTo(Number(want), 9);
      }
    });
  }
});

describe('windowOp', () => {
  const base = (calls: Partial<WindowCallSpec>[]) => ({
    partitionBy: [col(1)],
    orderBy: [{ expr: col(2), desc: false, nullsFirst: false }],
    calls: calls.map((c) => ({ kind: 'row_number', args: [], type: T.int8, frame: { mode: 'range', start: { kind: 'unbounded_preceding' }, end: { kind: 'current_row' } }, ...c }) as WindowCallSpec),
    inputTypes: I4,
  });

  it('output is sorted by (partition, order) with input columns first, several calls', () => {
    const out = collectRows(windowOp(src(WINDOW_ROWS), base([{ kind: 'row_number' }, { kind: 'rank' }])), ctx);
    expect(out.map((r) => r.length)).toEqual(out.map(() => 6));
    expect(out.slice(0, 6).map((r) => r[0])).toEqual([1, 2, 3, 4, 6, 5]);
  });
  it('empty input yields nothing; re-runnable', () => {
    expect(collectRows(windowOp(src([]), base([{}])), ctx)).toEqual([]);
    const op = windowOp(src(WINDOW_ROWS), base([{}]));
    expect(collectRows(op, ctx)).toEqual(collectRows(op, ctx));
  });
  it('large input comes back in bounded batches', () => {
    const rows = Array.from({ length: 20000 }, (_, i) => [i, i % 3, i, 1]);
    const batches = [...windowOp(src(rows, I4, 3000), base([{ kind: 'aggregate', args: [col(3)], agg: { name: 'sum', type: T.int8 } as never, frame: { mode: 'rows', start: { kind: 'preceding', offset: 2 }, end: { kind: 'following', offset: 2 } } }]))(ctx)];
    expect(batches.every((b) => b.length <= 8192)).toBe(true);
    expect(batches.reduce((s, b) => s + b.length, 0)).toBe(20000);
  });
  it('errors as PostgreSQL', () => {
    const run = (c: Partial<WindowCallSpec>) => () => collectRows(windowOp(src(WINDOW_ROWS), base([c])), ctx);
    expect(run({ kind: 'ntile', args: [lit(0)] })).toThrow(expect.objectContaining({ code: '22014', message: 'argument of ntile must be greater than zero' }));
    expect(run({ kind: 'nth_value', args: [col(3), lit(0)] })).toThrow(expect.objectContaining({ code: '22016', message: 'argument of nth_value must be greater than zero' }));
    expect(run({ kind: 'aggregate', args: [col(3)], agg: { name: 'sum', type: T.int8 } as never, frame: { mode: 'rows', start: { kind: 'preceding', offset: -1 }, end: { kind: 'current_row' } } }))
      .toThrow(expect.objectContaining({ code: '22013', message: 'frame starting offset must not be negative' }));
    expect(run({ kind: 'aggregate', args: [col(3)], agg: { name: 'sum', type: T.int8 } as never, frame: { mode: 'range', start: { kind: 'preceding', offset: -1 }, end: { kind: 'current_row' } } }))
      .toThrow(expect.objectContaining({ code: '22013', message: 'invalid preceding or following size in window function' }));
  });
  it('ntile/lag with NULL arguments give NULL', () => {
    const out = collectRows(windowOp(src(WINDOW_ROWS), base([{ kind: 'ntile', args: [lit(null)], type: T.int4 }, { kind: 'lag', args: [col(3), lit(null)], type: T.int4 }])), ctx);
    expect(out.every((r) => r[4] === null && r[5] === null)).toBe(true);
  });
});

describe('RANGE with interval offsets over timestamps', () => {
  // select ts, count(*) over (order by ts range between '1 month' preceding and current row) — checked on PostgreSQL 15
  const day = 86_400_000_000;
  const ts = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) * 1000;
  const rows: Value[][] = [ts(2024, 1, 31), ts(2024, 2, 29), ts(2024, 3, 1), ts(2024, 3, 29), ts(2024, 3, 30), ts(2024, 4, 30)].map((t) => [t]);
  it('month offsets use calendar arithmetic', () => {
    const out = collectRows(windowOp(src(rows, [T.timestamp]), {
      partitionBy: [],
      orderBy: [{ expr: col(0, T.timestamp), desc: false, nullsFirst: false }],
      calls: [{ kind: 'aggregate', args: [], agg: { name: 'count_star', type: T.int8 } as never, type: T.int8, frame: { mode: 'range', start: { kind: 'preceding', offset: { months: 1, days: 0, micros: 0 } }, end: { kind: 'current_row' } } }],
      inputTypes: [T.timestamp],
    }), ctx);
    expect(out.map((r) => r[1])).toEqual([1, 2, 2, 3, 4, 2]);
    void day;
  });
});
