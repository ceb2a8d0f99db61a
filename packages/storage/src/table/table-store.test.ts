import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors.js';
import { Decimal } from '../types/numeric.js';
import { arrayOf, T, type SqlType } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import { vectorToValues, type Vector } from '../vector.js';
import { TableStore, type ColumnSpec, type TableVersion, type TableTxn } from './index.js';

function col(id: number, name: string, type: SqlType, notNull = false): ColumnSpec {
  return { id, name, type, notNull };
}

/** All live rows of a version as arrays (Decimals as strings for comparison), with row ids. */
function rows(v: TableVersion, ids?: number[]): Value[][] {
  const colIds = ids ?? v.columns.map((c) => c.id);
  const out: Value[][] = [];
  for (const sb of v.scan(colIds)) {
    const cols = sb.batch.columns.map((c) => vectorToValues(c));
    for (let i = 0; i < sb.batch.length; i++) out.push(cols.map((c) => norm(c[i]!)));
  }
  return out;
}

function norm(v: Value): Value {
  if (v instanceof Decimal) return `D:${v.toString()}`;
  if (Array.isArray(v)) return v.map(norm);
  return v;
}

function rowIdsOf(v: TableVersion): number[] {
  const out: number[] = [];
  for (const sb of v.scan([v.columns[0]!.id], { withRowIds: true })) out.push(...sb.rowIds!);
  return out;
}

function expectSqlError(fn: () => void, code: string, message?: string, detail?: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SqlError);
    const se = e as SqlError;
    expect(se.code).toBe(code);
    if (message !== undefined) expect(se.message).toBe(message);
    if (detail !== undefined) expect(se.detail).toBe(detail);
    return;
  }
  throw new Error(`expected SqlError ${code}`);
}

const simple = () =>
  new TableStore({
    name: 't',
    columns: [col(1, 'id', T.int4, true), col(2, 'name', T.text), col(3, 'v', T.float8)],
    uniqueKeys: [{ name: 't_pkey', columnIds: [1], primary: true }],
    sealRows: 4,
  });

function autocommit(s: TableStore, rs: Value[][]): void {
  const t = s.begin();
  t.insertRows(rs);
  t.commit();
}

describe('TableStore: types round-trip', () => {
  const types: [SqlType, Value[]][] = [
    [T.bool, [true, false, null]],
    [T.int2, [-32768, 32767, null]],
    [T.int4, [-2147483648, 2147483647, 0]],
    [T.int8, [-(2 ** 53) + 1, 2 ** 53 - 1, -1, 4294967296, -4294967297]],
    [T.float4, [1.5, -0.25, NaN, Infinity]],
    [T.float8, [Math.PI, -Infinity, NaN, -0, 1e308]],
    [T.numeric, [Decimal.parse('1.50'), Decimal.parse('-12345678901234567890.123'), Decimal.parse('NaN'), null]],
    [T.text, ['a', '', 'ünï€ode 😀', null, 'a']],
    [T.varchar, ['x', 'y']],
    [T.bpchar, ['ab  ', 'cd  ']],
    [T.name, ['pg_class']],
    [T.date, [0, -1, 19000, Infinity, -Infinity, null]],
    [T.time, [0, 86_399_999_999, 12_345]],
    [T.timestamp, [0, 1_700_000_000_123_456, -62_135_596_800_000_000]],
    [T.timestamptz, [1_700_000_000_000_001, -1, Infinity, -Infinity, null]],
    [T.interval, [{ months: 1, days: -2, micros: 3_000_001 }, null]],
    [T.json, ['{"a": 1}', '[1, 2]', null]],
    [T.jsonb, ['{"a": 1}']],
    [T.oid, [0, 4294967295]],
    [arrayOf(T.int4), [[1, null, 3], [], null]],
    [arrayOf(T.text), [['a', 'b"c', null]]],
    [arrayOf(T.float8), [[NaN, Infinity, 1.5]]],
    [arrayOf(T.numeric), [[Decimal.parse('1.10'), null]]],
  ];
  it('every type with NULLs survives buffer, sealing and scans', () => {
    const columns = types.map(([t], i) => col(i + 1, `c${i}`, t));
    const s = new TableStore({ name: 'all', columns, sealRows: 4 });
    const n = 11; // two sealed batches + a buffer of 3
    const input: Value[][] = [];
    for (let r = 0; r < n; r++) input.push(types.map(([, vals]) => vals[r % vals.length]!));
    // Row by row and in one batch, so both the buffer path and the direct-seal path run.
    for (const r of input.slice(0, 5)) autocommit(s, [r]);
    autocommit(s, input.slice(5));
    const got = rows(s.latest());
    expect(got).toEqual(input.map((r) => r.map(norm)));
    expect(s.latest().rowCount).toBe(n);
    // Row ids fetch the same rows.
    const ids = rowIdsOf(s.latest());
    const f = s.latest().fetch([ids[7]!], columns.map((c) => c.id));
    expect(f.columns.map((c) => norm(vectorToValues(c)[0]!))).toEqual(input[7]!.map(norm));
  });

  it('scan layouts: Float64 numbers, DictVector text, BoolVector, ObjectVector others', () => {
    const s = new TableStore({ name: 't', columns: [col(1, 'a', T.int8), col(2, 'b', T.text), col(3, 'c', T.bool), col(4, 'd', T.jsonb)], sealRows: 2 });
    autocommit(s, [[1, 'x', true, '{}'], [2, 'y', null, null], [3, 'x', false, '[]']]);
    const tags = [...s.latest().scan([1, 2, 3, 4])].map((b) => b.batch.columns.map((c: Vector) => c.tag));
    expect(tags).toEqual([['number', 'dict', 'bool', 'object'], ['number', 'dict', 'bool', 'object']]);
    const [b0, b1] = [...s.latest().scan([2])];
    // One dictionary per chunk: both batches carry the same array and 'x' has one code.
    const d0 = b0!.batch.columns[0] as Extract<Vector, { tag: 'dict' }>;
    const d1 = b1!.batch.columns[0] as Extract<Vector, { tag: 'dict' }>;
    expect(d0.dict).toBe(d1.dict);
    expect(d0.codes[0]).toBe(d1.codes[0]);
  });
});

describe('TableStore: sealing', () => {
  it('seals at the threshold and scans sealed batches and the buffer in order', () => {
    const s = simple();
    autocommit(s, [[1, 'a', 1], [2, 'b', 2], [3, 'c', 3]]);
    expect(s.latest().chunks[0]!.batchStats().length).toBe(1); // the buffer only
    autocommit(s, [[4, 'd', 4]]);
    const c = s.latest().chunks[0]!;
    expect(c.storedRows).toBe(4);
    autocommit(s, Array.from({ length: 9 }, (_, i) => [5 + i, `n${i}`, 5 + i]));
    const v = s.latest();
    expect(v.chunks[0]!.batchStats().map((b) => b.rowCount)).toEqual([4, 4, 4, 1]);
    expect(rows(v, [1]).map((r) => r[0])).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    expect([...v.scan([1], { batchRows: 3 })].map((b) => b.batch.length)).toEqual([3, 1, 3, 1, 3, 1, 1]);
  });

  it('row ids stay valid when the buffer they point into is sealed', () => {
    const s = simple();
    autocommit(s, [[1, 'a', 1], [2, 'b', 2]]);
    const ids = rowIdsOf(s.latest());
    autocommit(s, [[3, 'c', 3], [4, 'd', 4], [5, 'e', 5]]);
    const t = s.begin();
    expect(t.delete([ids[1]!])).toBe(1);
    t.commit();
    expect(rows(s.latest(), [1]).flat()).toEqual([1, 3, 4, 5]);
  });

  it('a version taken before sealing keeps reading its buffer prefix', () => {
    const s = simple();
    autocommit(s, [[1, 'a', 1], [2, 'b', 2]]);
    const old = s.latest();
    autocommit(s, Array.from({ length: 20 }, (_, i) => [10 + i, 'z', i]));
    expect(rows(old)).toEqual([[1, 'a', 1], [2, 'b', 2]]);
    expect(s.latest().rowCount).toBe(22);
  });
});

describe('TableStore: transactions', () => {
  it('snapshot isolation: older versions do not see later commits', () => {
    const s = simple();
    autocommit(s, [[1, 'a', 1]]);
    const v1 = s.latest();
    const t = s.begin();
    t.insertRows([[2, 'b', 2]]);
    expect(rows(t.view(), [1]).flat()).toEqual([1, 2]);
    expect(rows(s.latest(), [1]).flat()).toEqual([1]);
    t.commit();
    expect(rows(v1, [1]).flat()).toEqual([1]);
    expect(rows(s.latest(), [1]).flat()).toEqual([1, 2]);
  });

  it('rollback leaves no visible rows and no unique index entries', () => {
    const s = simple();
    autocommit(s, [[1, 'a', 1]]);
    const t = s.begin();
    t.insertRows([[2, 'new', 2], [3, 'new', 3], [4, 'x', 4], [5, 'y', 5], [6, 'z', 6]]);
    t.delete(rowIdsOf(t.view()).slice(0, 1));
    t.rollback();
    expect(rows(s.latest())).toEqual([[1, 'a', 1]]);
    expect(s.latest().lookupUnique('t_pkey', [2])).toBeNull();
    autocommit(s, [[2, 'again', 2]]);
    expect(rows(s.latest(), [1]).flat()).toEqual([1, 2]);
    expect(() => t.commit()).toThrow();
  });

  it('delete: scans skip deleted rows, row ids identify live rows, repeats are ignored', () => {
    const s = simple();
    autocommit(s, Array.from({ length: 10 }, (_, i) => [i, `n${i % 3}`, i * 1.5]));
    const ids = rowIdsOf(s.latest());
    expect(new Set(ids).size).toBe(10);
    const t = s.begin();
    expect(t.delete([ids[0]!, ids[5]!, ids[9]!, ids[5]!])).toBe(3);
    expect(t.delete([ids[0]!])).toBe(0);
    expect(rows(t.view(), [1]).flat()).toEqual([1, 2, 3, 4, 6, 7, 8]);
    expect(rows(s.latest(), [1]).length).toBe(10);
    t.commit();
    const v = s.latest();
    expect(v.rowCount).toBe(7);
    const live: number[] = [];
    for (const sb of v.scan([1], { withRowIds: true })) {
      const c = sb.batch.columns[0] as Extract<Vector, { tag: 'number' }>;
      for (let i = 0; i < sb.batch.length; i++) {
        live.push(c.values[i]!);
        expect(sb.rowIds![i]).toBe(ids[c.values[i]!]);
        expect(v.isLive(sb.rowIds![i]!)).toBe(true);
      }
    }
    expect(live).toEqual([1, 2, 3, 4, 6, 7, 8]);
    expect(v.isLive(ids[5]!)).toBe(false);
  });

  it('own uncommitted rows can be deleted (update = delete + insert in one txn)', () => {
    const s = simple();
    autocommit(s, [[1, 'a', 1], [2, 'b', 2]]);
    const t = s.begin();
    t.insertRows([[3, 'c', 3]]);
    const v = t.view();
    const hit = v.lookupUnique('t_pkey', [3])!;
    expect(hit).toBeLessThan(0);
    // UPDATE t SET v = 30 WHERE id = 3, then UPDATE ... WHERE id = 1: same keys re-inserted.
    expect(t.delete([hit])).toBe(1);
    t.insertRows([[3, 'c', 30]]);
    expect(t.delete([v.lookupUnique('t_pkey', [1])!])).toBe(1);
    t.insertRows([[1, 'a', 10]]);
    // The earlier view is frozen.
    expect(rows(v, [1, 3])).toEqual([[1, 1], [2, 2], [3, 3]]);
    t.commit();
    expect(rows(s.latest(), [1, 3]).sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual([[1, 10], [2, 2], [3, 30]]);
    expect(s.latest().lookupUnique('t_pkey', [1])).not.toBeNull();
    expect(s.latest().fetch([s.latest().lookupUnique('t_pkey', [1])!], [3]).columns[0]!).toMatchObject({ values: new Float64Array([10]) });
  });

  it('concurrent txns appending both commit', () => {
    const s = simple();
    const a = s.begin();
    const b = s.begin();
    a.insertRows([[1, 'a', 1], [2, 'a', 2], [3, 'a', 3]]);
    b.insertRows([[4, 'b', 4], [5, 'b', 5], [6, 'b', 6]]);
    b.commit();
    a.commit();
    expect(rows(s.latest(), [1]).flat().sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('deleting a row another txn already deleted → 40001; disjoint deletes merge', () => {
    const s = simple();
    autocommit(s, [[1, 'a', 1], [2, 'b', 2], [3, 'c', 3]]);
    const ids = rowIdsOf(s.latest());
    const a = s.begin();
    const b = s.begin();
    const c = s.begin();
    a.delete([ids[0]!]);
    b.delete([ids[0]!]);
    c.delete([ids[2]!]);
    a.commit();
    expectSqlError(() => b.commit(), '40001', 'could not serialize access due to concurrent update');
    c.commit();
    expect(rows(s.latest(), [1]).flat()).toEqual([2]);
    expect(() => b.rollback()).not.toThrow();
  });

  it('truncate empties the table for the txn and on commit; old versions keep their rows', () => {
    const s = simple();
    autocommit(s, [[1, 'a', 1], [2, 'b', 2], [3, 'c', 3], [4, 'd', 4], [5, 'e', 5]]);
    const old = s.latest();
    const t = s.begin();
    t.insertRows([[9, 'z', 9]]);
    t.truncate();
    expect(t.view().rowCount).toBe(0);
    t.insertRows([[1, 'again', 1]]);
    t.commit();
    expect(rows(s.latest())).toEqual([[1, 'again', 1]]);
    expect(old.rowCount).toBe(5);
    expect(old.lookupUnique('t_pkey', [3])).not.toBeNull();
    expect(s.latest().lookupUnique('t_pkey', [3])).toBeNull();
  });
});

describe('TableStore: constraints', () => {
  it('NOT NULL → 23502 with PostgreSQL message and detail', () => {
    const s = simple();
    const t = s.begin();
    expectSqlError(() => t.insertRows([[1, 'a', 1], [null, 'b', 2.5]]), '23502',
      'null value in column "id" of relation "t" violates not-null constraint', 'Failing row contains (null, b, 2.5).');
    t.commit();
    expect(s.latest().rowCount).toBe(0);
  });

  it('unique keys → 23505 against committed rows, own rows and within a batch; NULLs never conflict', () => {
    const s = new TableStore({
      name: 'u',
      columns: [col(1, 'a', T.int4), col(2, 'b', T.text), col(3, 'c', T.int4)],
      uniqueKeys: [{ name: 'u_a_key', columnIds: [1], primary: false }, { name: 'u_b_c_key', columnIds: [2, 3], primary: false }],
      sealRows: 4,
    });
    autocommit(s, [[1, 'x', 1], [null, 'x', null], [null, 'x', null]]);
    const t = s.begin();
    expectSqlError(() => t.insertRows([[1, 'q', 0]]), '23505', 'duplicate key value violates unique constraint "u_a_key"', 'Key (a)=(1) already exists.');
    expectSqlError(() => t.insertRows([[5, 'x', 1]]), '23505', 'duplicate key value violates unique constraint "u_b_c_key"', 'Key (b, c)=(x, 1) already exists.');
    expectSqlError(() => t.insertRows([[7, 'p', 1], [7, 'p', 2]]), '23505', undefined, 'Key (a)=(7) already exists.');
    t.insertRows([[2, 'y', 1]]);
    expectSqlError(() => t.insertRows([[2, 'z', 9]]), '23505');
    // The failed statements left nothing behind.
    expect(rows(t.view(), [1]).flat()).toEqual([1, null, null, 2]);
    t.commit();
    expect(s.latest().lookupUnique('u_b_c_key', ['y', 1])).not.toBeNull();
    expect(s.latest().lookupUnique('u_b_c_key', ['x', null])).toBeNull();
  });

  it('concurrent inserts of one key: the second commit fails with 23505', () => {
    const s = simple();
    const a = s.begin();
    const b = s.begin();
    a.insertRows([[1, 'a', 1]]);
    b.insertRows([[1, 'b', 1]]);
    a.commit();
    expectSqlError(() => b.commit(), '23505', 'duplicate key value violates unique constraint "t_pkey"', 'Key (id)=(1) already exists.');
    expect(rows(s.latest(), [2]).flat()).toEqual(['a']);
  });

  it('a key freed by a concurrent delete can be reused', () => {
    const s = simple();
    autocommit(s, [[1, 'a', 1]]);
    const del = s.begin();
    del.delete(rowIdsOf(s.latest()));
    del.commit();
    autocommit(s, [[1, 'b', 2]]);
    expect(rows(s.latest(), [2]).flat()).toEqual(['b']);
    expect(s.latest().fetch([s.latest().lookupUnique('t_pkey', [1])!], [2]).columns[0]).toMatchObject({ tag: 'object' });
  });

  it('addUniqueKey validates existing data', () => {
    const s = new TableStore({ name: 'w', columns: [col(1, 'a', T.int4), col(2, 'b', T.text)], sealRows: 2 });
    autocommit(s, [[1, 'x'], [2, 'y'], [1, null]]);
    expectSqlError(() => s.addUniqueKey({ name: 'w_a_key', columnIds: [1], primary: false }), '23505', 'could not create unique index "w_a_key"', 'Key (a)=(1) is duplicated.');
    expectSqlError(() => s.addUniqueKey({ name: 'w_pkey', columnIds: [2], primary: true }), '23502', 'column "b" of relation "w" contains null values');
    s.addUniqueKey({ name: 'w_b_key', columnIds: [2], primary: false });
    expectSqlError(() => autocommit(s, [[3, 'y']]), '23505', undefined, 'Key (b)=(y) already exists.');
    s.dropUniqueKey('w_b_key');
    autocommit(s, [[3, 'y']]);
    expect(s.latest().rowCount).toBe(4);
  });
});

describe('TableStore: schema changes', () => {
  it('ADD COLUMN with a default reads as the fill on existing rows (sealed and buffered), DROP COLUMN hides it', () => {
    const s = simple();
    autocommit(s, [[1, 'a', 1], [2, 'b', 2], [3, 'c', 3], [4, 'd', 4], [5, 'e', 5]]);
    const before = s.latest();
    s.addColumn(col(4, 'tag', T.text), 'dflt');
    s.addColumn(col(5, 'n', T.int8), null);
    s.addColumn(col(6, 'k', T.float8), 7.5);
    autocommit(s, [[6, 'f', 6, 'own', 60, 1.25]]);
    expect(rows(s.latest(), [1, 4, 5, 6])).toEqual([
      [1, 'dflt', null, 7.5], [2, 'dflt', null, 7.5], [3, 'dflt', null, 7.5], [4, 'dflt', null, 7.5],
      [5, 'dflt', null, 7.5], [6, 'own', 60, 1.25],
    ]);
    const st = s.latest().chunks[0]!.stats;
    expect(st.column(4)).toMatchObject({ min: 'dflt', max: 'own', nullCount: 0 });
    expect(st.column(5)).toMatchObject({ min: 60, max: 60, nullCount: 5 });
    expect(before.columns.length).toBe(3);
    expect(rows(before).length).toBe(5);

    s.dropColumn(2);
    expect(s.columns.map((c) => c.name)).toEqual(['id', 'v', 'tag', 'n', 'k']);
    autocommit(s, [[7, 7, 'x', 70, 0]]);
    expect(rows(s.latest(), [1, 4]).slice(-2)).toEqual([[6, 'own'], [7, 'x']]);
    expect(() => s.latest().scan([2])[Symbol.iterator]().next()).toThrow();
    expect(rows(before, [2])).toEqual([['a'], ['b'], ['c'], ['d'], ['e']]);
    expectSqlError(() => s.addColumn(col(8, 'nn', T.int4, true), null), '23502');
  });

  it('a txn that began before ADD COLUMN commits with the fill for its rows', () => {
    const s = simple();
    const t: TableTxn = s.begin();
    t.insertRows([[1, 'a', 1]]);
    s.addColumn(col(4, 'x', T.int4), 42);
    t.insertRows([[2, 'b', 2, 43]]);
    t.commit();
    expect(rows(s.latest(), [1, 4])).toEqual([[1, 42], [2, 43]]);
  });
});

describe('TableStore: stats and exclusion', () => {
  it('per-batch and per-chunk min/max/nullCount with NaN and text', () => {
    const s = new TableStore({ name: 's', columns: [col(1, 'x', T.float8), col(2, 't', T.text), col(3, 'b', T.bool)], sealRows: 4 });
    autocommit(s, [[3, 'm', true], [NaN, 'b', null], [null, null, false], [-1, 'z', true], [10, 'a', null], [NaN, 'k', null]]);
    const c = s.latest().chunks[0]!;
    const [b0, b1] = c.batchStats();
    expect(b0!.column(1)).toMatchObject({ min: -1, max: 3, nullCount: 1, hasNaN: true });
    expect(b0!.column(2)).toMatchObject({ min: 'b', max: 'z', nullCount: 1 });
    expect(b0!.column(3)).toMatchObject({ min: false, max: true, nullCount: 1 });
    expect(b1!.column(1)).toMatchObject({ min: 10, max: 10, nullCount: 0, hasNaN: true });
    expect(b1!.rowCount).toBe(2);
    expect(c.stats.column(1)).toMatchObject({ min: -1, max: 10, nullCount: 1, hasNaN: true });
    expect(c.stats.column(2)).toMatchObject({ min: 'a', max: 'z', nullCount: 1 });
    expect(c.stats.rowCount).toBe(6);
    expect(c.bytes()).toBeGreaterThan(0);
    // Exclusion: skip batches whose max is below 5.
    const got = [...s.latest().scan([1], { skip: (st) => (st.column(1)!.max as number) < 5 })];
    expect(got.map((b) => b.batch.length)).toEqual([2]);
    const none = [...s.latest().scan([1], { skipChunk: (ch) => ch.stats.column(2)!.min === 'a' })];
    expect(none).toEqual([]);
  });

  it('all-NULL and all-NaN batches', () => {
    const s = new TableStore({ name: 's', columns: [col(1, 'x', T.float8)], sealRows: 2 });
    autocommit(s, [[null], [null], [NaN], [NaN]]);
    const [a, b] = s.latest().chunks[0]!.batchStats();
    expect(a!.column(1)).toMatchObject({ min: null, max: null, nullCount: 2, hasNaN: false });
    expect(b!.column(1)).toMatchObject({ min: null, max: null, nullCount: 0, hasNaN: true });
  });
});

describe('TableStore: chunks', () => {
  it('rolls over into new chunks with their own dictionaries; a txn begun earlier is re-mapped', () => {
    const s = new TableStore({ name: 'c', columns: [col(1, 'i', T.int4), col(2, 'h', T.text)], sealRows: 2, chunkRows: 4 });
    const early = s.begin();
    early.insertRows([[100, 'h1'], [101, 'late']]);
    autocommit(s, Array.from({ length: 9 }, (_, i) => [i, `h${i % 3}`]));
    early.commit();
    const v = s.latest();
    expect(v.chunks.map((c) => c.rowCount)).toEqual([4, 4, 3]);
    expect(rows(v)).toEqual([
      [0, 'h0'], [1, 'h1'], [2, 'h2'], [3, 'h0'], [4, 'h1'], [5, 'h2'], [6, 'h0'], [7, 'h1'], [8, 'h2'], [100, 'h1'], [101, 'late'],
    ]);
    const dicts = [...v.scan([2])].map((b) => (b.batch.columns[0] as Extract<Vector, { tag: 'dict' }>).dict);
    expect(dicts[0]).toBe(dicts[1]);
    expect(dicts[0]).not.toBe(dicts[2]);
    const chunkIds = [...v.scan([2])].map((b) => b.chunkId);
    expect(new Set(chunkIds).size).toBe(3);
  });

  it('bytes per row for a TSBS-like schema is close to the raw column widths', () => {
    const columns = [col(1, 'time', T.timestamptz, true), col(2, 'hostname', T.text), ...Array.from({ length: 10 }, (_, i) => col(3 + i, `m${i}`, T.float8))];
    const s = new TableStore({ name: 'cpu', columns, sealRows: 1024 });
    const n = 8192;
    const rs: Value[][] = [];
    for (let i = 0; i < n; i++) rs.push([1_600_000_000_000_000 + i * 1e7, `host_${i % 100}`, ...Array.from({ length: 10 }, () => Math.random())]);
    autocommit(s, rs);
    expect(s.bytes() / n).toBeLessThan(8 + 4 + 80 + 2);
  });
});

describe('TableStore: more scans and keys', () => {
  it('scan with no columns counts live rows (count(*))', () => {
    const s = simple();
    autocommit(s, Array.from({ length: 10 }, (_, i) => [i, 'x', i]));
    const t = s.begin();
    t.delete(rowIdsOf(s.latest()).slice(0, 3));
    let n = 0;
    for (const sb of t.view().scan([])) n += sb.batch.length;
    expect(n).toBe(7);
  });

  it('bulk insert with a text primary key across batches and chunks', () => {
    const s = new TableStore({
      name: 'k', columns: [col(1, 'k', T.text, true), col(2, 'v', T.int4)],
      uniqueKeys: [{ name: 'k_pkey', columnIds: [1], primary: true }], sealRows: 64, chunkRows: 256,
    });
    const n = 1000;
    const keys = Array.from({ length: n }, (_, i) => `key${i}`);
    const t = s.begin();
    t.insert({ length: n, columns: [{ tag: 'dict', type: T.text, length: n, codes: Int32Array.from(keys.keys()), dict: keys, nulls: null }, vectorFromValuesInt(n)] });
    t.commit();
    const v = s.latest();
    expect(v.chunks.length).toBe(4);
    for (const i of [0, 63, 64, 255, 256, 999]) {
      const id = v.lookupUnique('k_pkey', [`key${i}`]);
      expect(vectorToValues(v.fetch([id!], [2]).columns[0]!)).toEqual([i]);
    }
    expectSqlError(() => autocommit(s, [['key500', 0]]), '23505', undefined, 'Key (k)=(key500) already exists.');
  });
});

function vectorFromValuesInt(n: number): Vector {
  return { tag: 'number', type: T.int4, length: n, values: Float64Array.from({ length: n }, (_, i) => i), nulls: null };
}
