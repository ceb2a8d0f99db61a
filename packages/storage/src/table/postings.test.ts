import { describe, expect, it } from 'vitest';
import { T, type SqlType } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import { vectorToValues } from '../vector.js';
import { CodeScan, Postings, postingsCacheBytes, setPostingsCacheBytes, type RowsByCode } from './postings.js';
import { TableStore, type ColumnSpec, type TableVersion } from './index.js';

function rng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('Postings', () => {
  it('lists exactly the rows of each code, increasing, leaving NULL rows out', () => {
    const next = rng(3);
    const n = 5000;
    const codes = new Int32Array(n);
    const nulls = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      codes[i] = Math.floor(next() * 40);
      nulls[i] = next() < 0.1 ? 1 : 0;
    }
    const isNull = (i: number) => nulls[i] === 1;
    // the single pass over the codes (first scan of a batch) must answer exactly as the lists
    const cases: [RowsByCode, boolean][] = [[Postings.build(codes, isNull), true], [new CodeScan(codes, isNull), true], [new CodeScan(codes, null), false]];
    for (const [p, withNulls] of cases) {
      for (const wanted of [[0], [7, 3], [39, 39, 1], [12, 999, -1], [-1], []]) {
        const expected: number[] = [];
        for (let i = 0; i < n; i++) if ((!withNulls || nulls[i] === 0) && wanted.includes(codes[i]!)) expected.push(i);
        expect([...p.rowsOf(wanted)]).toEqual(expected);
      }
    }
  });

  it('a single pass longer than its scratch space grows it', () => {
    const codes = new Int32Array(200_000).fill(5);
    codes[199_999] = 6;
    expect(new CodeScan(codes, null).rowsOf([5]).length).toBe(199_999);
    expect([...new CodeScan(codes, null).rowsOf([6, 4])]).toEqual([199_999]);
  });

  it('handles an empty batch and a batch of one code', () => {
    expect([...Postings.build(new Int32Array(0), null).rowsOf([0])]).toEqual([]);
    expect([...new CodeScan(new Int32Array(0), null).rowsOf([0])]).toEqual([]);
    const p = Postings.build(new Int32Array([2, 2, 2]), null);
    expect([...p.rowsOf([2])]).toEqual([0, 1, 2]);
    expect([...p.rowsOf([0, 1])]).toEqual([]);
  });
});

function col(id: number, name: string, type: SqlType): ColumnSpec {
  return { id, name, type, notNull: false };
}

/** Live rows as [id, tag] pairs, sorted by id. */
function scanned(v: TableVersion, equalsAny?: { columnId: number; values: string[] }): Value[][] {
  const out: Value[][] = [];
  for (const sb of v.scan([1, 2], { equalsAny })) {
    const ids = vectorToValues(sb.batch.columns[0]!);
    const tags = vectorToValues(sb.batch.columns[1]!);
    for (let i = 0; i < sb.batch.length; i++) out.push([ids[i]!, tags[i]!]);
  }
  return out.sort((a, b) => (a[0] as number) - (b[0] as number));
}

describe('scan with equalsAny', () => {
  const tags = ['a', 'b', 'c', 'd', null];
  function store(): TableStore {
    // sealRows 8: several sealed batches per chunk, a partly filled append buffer, several chunks
    const s = new TableStore({ name: 't', columns: [col(1, 'id', T.int4), col(2, 'tag', T.text)], sealRows: 8, chunkRows: 32 });
    const t = s.begin();
    t.insertRows(Array.from({ length: 83 }, (_, i) => [i, tags[(i * 7) % tags.length]!]));
    t.commit();
    return s;
  }

  it('returns every row holding a wanted value and only those, from sealed batches and the buffer', () => {
    const s = store();
    const all = scanned(s.latest());
    for (const values of [['a'], ['b', 'd'], ['zzz'], [], ['c', 'c']]) {
      const got = scanned(s.latest(), { columnId: 2, values });
      expect(got).toEqual(all.filter((r) => values.includes(r[1] as string)));
    }
  });

  it('skips deleted rows and sees rows deleted and added by a transaction', () => {
    const s = store();
    const t = s.begin();
    const ids: number[] = [];
    for (const sb of t.view().scan([1], { withRowIds: true })) ids.push(...sb.rowIds!);
    t.delete(ids.filter((_, i) => i % 3 === 0));
    t.insertRows([[1000, 'a'], [1001, 'b']]);
    const view = t.view();
    const want = scanned(view).filter((r) => r[1] === 'a');
    // the transaction's own rows are not restricted (the caller's filter drops 1001 'b'); committed ones are
    const got = scanned(view, { columnId: 2, values: ['a'] });
    expect(got.filter((r) => r[1] === 'a')).toEqual(want);
    expect(got.filter((r) => r[1] !== 'a').map((r) => r[0])).toEqual([1001]);
    expect(want.some((r) => r[0] === 1000)).toBe(true);
    expect(want.some((r) => r[0] === 0)).toBe(false);
    t.commit();
    expect(scanned(s.latest(), { columnId: 2, values: ['a'] })).toEqual(want);
  });

  it('returns row ids of the matching rows', () => {
    const s = store();
    const v = s.latest();
    const byId = new Map<number, number>();
    for (const sb of v.scan([1], { withRowIds: true })) {
      const ids = vectorToValues(sb.batch.columns[0]!);
      sb.rowIds!.forEach((rid, i) => byId.set(ids[i] as number, rid));
    }
    for (const sb of v.scan([1, 2], { withRowIds: true, equalsAny: { columnId: 2, values: ['b'] } })) {
      const ids = vectorToValues(sb.batch.columns[0]!);
      sb.rowIds!.forEach((rid, i) => expect(rid).toBe(byId.get(ids[i] as number)));
    }
  });

  it('returns every row of batches that predate the column (the filter decides there)', () => {
    const s = new TableStore({ name: 't', columns: [col(1, 'id', T.int4)], sealRows: 4 });
    let t = s.begin();
    t.insertRows(Array.from({ length: 8 }, (_, i) => [i]));
    t.commit();
    s.addColumn(col(2, 'tag', T.text), 'dflt');
    t = s.begin();
    t.insertRows([[100, 'x'], [101, 'dflt']]);
    t.commit();
    const got = scanned(s.latest(), { columnId: 2, values: ['x'] });
    // the 8 old rows come back unrestricted (their tag is the fill); of the new rows only 'x'
    expect(got.map((r) => r[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 100]);
  });

  it('scans every row when the posting-list cache is disabled', () => {
    const s = store();
    setPostingsCacheBytes(0);
    try {
      expect(scanned(s.latest(), { columnId: 2, values: ['a'] })).toEqual(scanned(s.latest()));
    } finally {
      setPostingsCacheBytes(64 * 1024 * 1024);
    }
    // the first scan with the cache enabled passes over the codes, the second builds the lists
    const before = postingsCacheBytes();
    const once = scanned(s.latest(), { columnId: 2, values: ['a'] });
    expect(postingsCacheBytes()).toBe(before);
    const twice = scanned(s.latest(), { columnId: 2, values: ['a'] });
    expect(postingsCacheBytes()).toBeGreaterThan(before);
    expect(twice).toEqual(once);
    expect(scanned(s.latest(), { columnId: 2, values: ['a', 'b'] })).toEqual(scanned(s.latest()).filter((r) => r[1] === 'a' || r[1] === 'b'));
  });
});

describe('scan with equalsAny: a few rows of integer-stored columns', () => {
  it('decodes exactly the selected rows (int8, timestamptz, date, int2, int4, NULLs, ±infinity) as a full scan gives them', () => {
    const cols = [col(1, 'tag', T.text), col(2, 'big', T.int8), col(3, 'at', T.timestamptz), col(4, 'd', T.date), col(5, 's', T.int2), col(6, 'i', T.int4)];
    const s = new TableStore({ name: 't', columns: cols, sealRows: 4096 });
    const next = rng(11);
    const specials = [Infinity, -Infinity, null];
    const rows: Value[][] = [];
    for (let r = 0; r < 10_000; r++) {
      const rare = r % 97 === 5;
      const pick = (v: number): Value => (rare && next() < 0.3 ? specials[Math.floor(next() * 3)]! : v);
      rows.push([
        rare ? 'rare' : `h${r % 50}`,
        next() < 0.05 ? null : Math.floor((next() - 0.5) * 2 ** 52),
        pick(1_700_000_000_000_000 + r * 1_000_000),
        pick(19_000 + (r % 400)),
        next() < 0.05 ? null : (r % 60_000) - 30_000,
        Math.floor((next() - 0.5) * 2 ** 31),
      ]);
    }
    const t = s.begin();
    t.insertRows(rows);
    t.commit();
    const ids = [1, 2, 3, 4, 5, 6];
    const collect = (equalsAny?: { columnId: number; values: string[] }): Value[][] => {
      const out: Value[][] = [];
      for (const sb of s.latest().scan(ids, { equalsAny })) {
        const vals = sb.batch.columns.map((c) => vectorToValues(c));
        for (let i = 0; i < sb.batch.length; i++) out.push(vals.map((v) => v[i]!));
      }
      return out;
    };
    const expected = collect().filter((r) => r[0] === 'rare');
    expect(expected.length).toBeGreaterThan(90);
    expect(expected.some((r) => r.includes(Infinity) || r.includes(-Infinity))).toBe(true);
    // twice: the first scan of a batch takes one pass over its codes, the second builds its lists
    expect(collect({ columnId: 1, values: ['rare'] })).toEqual(expected);
    expect(collect({ columnId: 1, values: ['rare'] })).toEqual(expected);
  });
});
