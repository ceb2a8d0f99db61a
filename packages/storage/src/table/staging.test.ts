/**
 * insertSelected (staging blocks) against an array-of-rows model: what a transaction sees of
 * its own rows, savepoints, NOT NULL failures, commit, concurrent commits rolling the chunk
 * (another dictionary), and the WAL delta replaying to the same rows and row ids.
 */
import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors.js';
import { T } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import { vectorToValues, type Batch } from '../vector.js';
import { applyTableDelta } from '../persist/table-delta.js';
import { TableStore, type TableVersion } from './index.js';
import { StringDict } from './dict.js';
import { layoutOf } from './layout.js';
import { StagingBlocks } from './staging.js';
import type { Vector } from '../vector.js';

const SEAL = 64;

function store(): TableStore {
  return new TableStore({
    name: 's',
    columns: [
      { id: 1, name: 't', type: T.float8, notNull: true },
      { id: 2, name: 'h', type: T.text, notNull: false },
      { id: 3, name: 'v', type: T.float8, notNull: false },
      { id: 4, name: 'b', type: T.bool, notNull: false },
    ],
    sealRows: SEAL,
    chunkRows: SEAL * 4,
  });
}

function rows(v: TableVersion): Value[][] {
  const out: Value[][] = [];
  for (const sb of v.scan([1, 2, 3, 4])) {
    const cols = sb.batch.columns.map((c) => vectorToValues(c));
    for (let i = 0; i < sb.batch.length; i++) out.push(cols.map((c) => c[i]!));
  }
  return out;
}

function rowIds(v: TableVersion): number[] {
  const out: number[] = [];
  for (const sb of v.scan([1], { withRowIds: true })) out.push(...sb.rowIds!);
  return out;
}

let seq = 0;
/** A batch of n rows: t = running number, h from a small per-batch dictionary (NULL every 5th), v NULL every 7th. */
function makeBatch(n: number, nullTimeAt = -1): { batch: Batch; model: Value[][] } {
  const t = new Float64Array(n);
  const codes = new Int32Array(n);
  const hNulls = new Uint8Array(n);
  const v = new Float64Array(n);
  const vNulls = new Uint8Array(n);
  const b = new Uint8Array(n);
  const tNulls = new Uint8Array(n);
  const dict = [`h${seq % 3}`, `g${seq % 11}`, 'x'];
  const model: Value[][] = [];
  for (let i = 0; i < n; i++) {
    const s = seq++;
    t[i] = s;
    codes[i] = s % 3;
    if (s % 5 === 0) hNulls[i] = 1;
    v[i] = s / 2;
    if (s % 7 === 0) vNulls[i] = 1;
    b[i] = s & 1;
    if (i === nullTimeAt) tNulls[i] = 1;
    model.push([i === nullTimeAt ? null : s, hNulls[i] ? null : dict[codes[i]!]!, vNulls[i] ? null : s / 2, (s & 1) === 1]);
  }
  const batch: Batch = {
    length: n,
    columns: [
      { tag: 'number', type: T.float8, length: n, values: t, nulls: nullTimeAt >= 0 ? tNulls : null },
      { tag: 'dict', type: T.text, length: n, codes, dict, nulls: hNulls },
      { tag: 'number', type: T.float8, length: n, values: v, nulls: vNulls },
      { tag: 'bool', type: T.bool, length: n, values: b, nulls: null },
    ],
  };
  return { batch, model };
}

/** Every other row, or all of them (null). */
function selection(n: number, every: number): Int32Array | null {
  if (every === 1) return null;
  const out: number[] = [];
  for (let i = 0; i < n; i += every) out.push(i);
  return Int32Array.from(out);
}

function pick<T>(model: T[], sel: Int32Array | null): T[] {
  return sel === null ? model : [...sel].map((i) => model[i]!);
}

describe('TableTxn.insertSelected (staging blocks)', () => {
  it('own rows are visible in order, earlier views do not change, commit publishes them all', () => {
    const s = store();
    const t = s.begin();
    const expected: Value[][] = [];
    const views: [TableVersion, number][] = [];
    for (const [n, every] of [[3000, 1], [2500, 2], [1100, 3], [40, 1], [5000, 1], [777, 1]] as const) {
      const { batch, model } = makeBatch(n);
      const sel = selection(n, every);
      t.insertSelected(batch, sel);
      expected.push(...pick(model, sel));
      const view = t.view();
      views.push([view, expected.length]);
      expect(rows(view)).toEqual(expected);
    }
    for (const [view, len] of views) expect(rows(view)).toEqual(expected.slice(0, len));
    expect(rows(s.latest())).toEqual([]);
    t.commit();
    expect(rows(s.latest())).toEqual(expected);
  });

  it('a NOT NULL violation fails that insert only; later rows do not inherit its NULL marks', () => {
    const s = store();
    const t = s.begin();
    const first = makeBatch(2000);
    t.insertSelected(first.batch, null);
    const bad = makeBatch(3000, 1500);
    let err: unknown;
    try {
      t.insertSelected(bad.batch, null);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SqlError);
    expect((err as SqlError).code).toBe('23502');
    expect((err as SqlError).message).toBe('null value in column "t" of relation "s" violates not-null constraint');
    // the same positions are written again by a batch without NULLs in v or h
    const clean = makeBatch(3000);
    for (const c of [1, 2]) {
      const col = clean.batch.columns[c]!;
      if (col.tag === 'number' || col.tag === 'dict') (col.nulls as Uint8Array).fill(0);
    }
    const cleanModel = clean.model.map((r) => [r[0]!, r[1] ?? ['h', 'g', 'x'][0]!, r[2] ?? null, r[3]!]);
    t.insertSelected(clean.batch, null);
    const got = rows(t.view());
    expect(got.slice(0, 2000)).toEqual(first.model);
    expect(got.slice(2000).map((r) => r[2])).toEqual(clean.batch.columns[2]!.tag === 'number' ? [...clean.batch.columns[2]!.values] : []);
    expect(got.slice(2000).every((r) => r[1] !== null)).toBe(true);
    expect(got).toHaveLength(2000 + cleanModel.length);
    t.commit();
    expect(rows(s.latest())).toHaveLength(5000);
  });

  it('savepoints: ROLLBACK TO drops the staged rows after the mark; rows staged later follow the kept ones', () => {
    const s = store();
    const t = s.begin();
    const a = makeBatch(4000);
    t.insertSelected(a.batch, null);
    const mark = t.savepoint();
    t.insertSelected(makeBatch(3000).batch, null);
    t.rollbackTo(mark);
    expect(rows(t.view())).toEqual(a.model);
    const b = makeBatch(2000);
    t.insertSelected(b.batch, selection(2000, 2));
    t.commit();
    expect(rows(s.latest())).toEqual([...a.model, ...pick(b.model, selection(2000, 2))]);
  });

  it('deleting own staged rows before commit keeps the others', () => {
    const s = store();
    const t = s.begin();
    const a = makeBatch(3000);
    t.insertSelected(a.batch, null);
    // own uncommitted rows are addressed by -(position + 1)
    expect(t.delete([-1, -11, -2999 - 1])).toBe(3);
    t.commit();
    expect(rows(s.latest())).toEqual(a.model.filter((_, i) => i !== 0 && i !== 10 && i !== 2999));
  });

  it('other commits in between (chunks roll over, another dictionary): all rows land, the delta replays to the same row ids', () => {
    const s = store();
    const t = s.begin();
    const expected: Value[][] = [];
    const mine: Value[][] = [];
    const deltas: Uint8Array[] = [];
    const commit = (x: ReturnType<TableStore['begin']>) => {
      const p = x.prepareCommit()!;
      deltas.push(new Uint8Array(Buffer.concat(p.encode())));
      p.apply();
    };
    for (let k = 0; k < 4; k++) {
      const m = makeBatch(1500);
      t.insertSelected(m.batch, null);
      mine.push(...m.model);
      const other = s.begin();
      const o = makeBatch(SEAL * 3 + 5);
      other.insertSelected(o.batch, null);
      commit(other);
      expected.push(...o.model);
    }
    commit(t);
    expected.push(...mine);
    expect(rows(s.latest())).toEqual(expected);
    const replica = store();
    for (const d of deltas) applyTableDelta(replica, d);
    expect(rows(replica.latest())).toEqual(expected);
    expect(rowIds(replica.latest())).toEqual(rowIds(s.latest()));
  });

  it('a column added while rows are staged: earlier rows read its fill, later ones their values', () => {
    const s = store();
    const t = s.begin();
    const a = makeBatch(3000);
    t.insertSelected(a.batch, null);
    s.addColumn({ id: 5, name: 'extra', type: T.float8, notNull: false }, 7);
    const b = makeBatch(3000);
    const extra = new Float64Array(3000).map((_, i) => -i);
    t.insertSelected({ length: 3000, columns: [...b.batch.columns, { tag: 'number', type: T.float8, length: 3000, values: extra, nulls: null }] }, null);
    t.commit();
    const got: Value[][] = [];
    for (const sb of s.latest().scan([1, 5])) {
      const cols = sb.batch.columns.map((c) => vectorToValues(c));
      for (let i = 0; i < sb.batch.length; i++) got.push(cols.map((c) => c[i]!));
    }
    expect(got).toEqual([...a.model.map((r) => [r[0]!, 7]), ...b.model.map((r, i) => [r[0]!, -i])]);
  });

  it('falls back to plain pieces for small writes and for tables with unique keys', () => {
    const s = new TableStore({ name: 'u', columns: [{ id: 1, name: 'k', type: T.float8, notNull: true }], uniqueKeys: [{ name: 'u_pkey', columnIds: [1], primary: true }], sealRows: SEAL });
    const t = s.begin();
    const n = 2000;
    const values = new Float64Array(n).map((_, i) => i % 1000);
    const batch: Batch = { length: n, columns: [{ tag: 'number', type: T.float8, length: n, values, nulls: null }] };
    expect(() => t.insertSelected(batch, null)).toThrow(/duplicate key value violates unique constraint "u_pkey"/);
    t.insertSelected(batch, Int32Array.from({ length: 1000 }, (_, i) => i));
    t.commit();
    expect(s.latest().rowCount).toBe(1000);
  });
});

describe('StagingBlocks block sizes', () => {
  const layouts = [layoutOf(1, T.float8), layoutOf(2, T.text)];
  const dict = new StringDict();
  const dictOf = () => dict;
  const columns = (n: number): Vector[] => [
    { tag: 'number', type: T.float8, length: n, values: new Float64Array(n).map((_, i) => i), nulls: null },
    { tag: 'dict', type: T.text, length: n, codes: new Int32Array(n), dict: ['a'], nulls: null },
  ];
  const lengths = (pieces: readonly { length: number }[]) => pieces.map((p) => p.length);

  it('one large insert gets blocks of its own size, whole seal-sized ones where it spans seals', () => {
    const sr = 65_536;
    // a third of a 65,536-row part (one data node of three): one block, not 4,096 + 4,096 + 8,192 + …
    expect(lengths(new StagingBlocks(sr).gather(layouts, columns(21_845), null, 21_845, dictOf))).toEqual([21_845]);
    // seal-sized blocks can be sealed in place at commit
    expect(lengths(new StagingBlocks(sr).gather(layouts, columns(200_000), null, 200_000, dictOf))).toEqual([65_536, 65_536, 65_536, 3_392]);
  });

  it('small inserts still start small and double, ending on seal boundaries', () => {
    const sr = 65_536;
    // blocks start at 0, 4,096, 8,192, 16,384, 32,768: the boundaries a 1,000-row insert crosses
    const pieces = new StagingBlocks(sr);
    const starts: number[] = [];
    let at = 0;
    for (let i = 0; i < 40; i++) {
      const ps = pieces.gather(layouts, columns(1000), null, 1000, dictOf);
      for (let k = 1; k < ps.length; k++) starts.push(at + ps.slice(0, k).reduce((a, p) => a + p.length, 0));
      at += 1000;
    }
    expect(starts).toEqual([4096, 8192, 16_384, 32_768]);
  });
});
