import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors.js';
import { T, type SqlType } from '../types/sql-type.js';
import { getValue, type Vector } from '../vector.js';
import { closedSliceFor, DEFAULT_CHUNK_TIME_INTERVAL, openSliceFor, timeValueToInternal, type TimeColumnType } from './dimension.js';
import { hashtext, partitionHash, pgHashFunction } from './hash.js';
import { routeBatch, type RoutedBatch } from './router.js';

let seed = 99;
const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);

/** Row-at-a-time reference: TimescaleDB's point → slice rules applied to getValue(). */
function reference(time: Vector, space: Vector | null, interval: number, parts: number): string[] {
  const out: string[] = [];
  const h = space ? pgHashFunction(space.type.id)! : null;
  for (let i = 0; i < time.length; i++) {
    const t = openSliceFor(timeValueToInternal(getValue(time, i) as number, time.type.id as TimeColumnType), interval);
    let s = 0;
    if (space && parts > 1) {
      const v = getValue(space, i);
      s = v === null ? 0 : closedSliceFor(partitionHash(h!(v)), parts).index;
    }
    out.push(`${t.start}|${t.end}|${s}`);
  }
  return out;
}

function perRow(r: RoutedBatch, n: number): string[] {
  const out = new Array<string>(n);
  r.rowsByChunk.forEach((rows, c) => {
    const k = r.chunkKeys[c]!;
    for (const i of rows) out[i] = `${k.timeStart}|${k.timeEnd}|${k.spaceIndex}`;
  });
  return out;
}

/** Every row exactly once, ascending within its chunk, consistent with chunkOfRow; distinct keys. */
function checkShape(r: RoutedBatch, n: number): void {
  const seen = new Uint8Array(n);
  let bad = 0;
  r.rowsByChunk.forEach((rows, c) => {
    if (rows.length === 0) bad++;
    for (let j = 0; j < rows.length; j++) {
      const i = rows[j]!;
      if ((j > 0 && i <= rows[j - 1]!) || seen[i] === 1 || r.chunkOfRow[i] !== c) bad++;
      seen[i] = 1;
    }
  });
  expect(bad).toBe(0);
  expect(seen.every((x) => x === 1)).toBe(true);
  expect(new Set(r.chunkKeys.map((k) => `${k.timeStart}|${k.spaceIndex}`)).size).toBe(r.chunkKeys.length);
}

const num = (type: SqlType, values: number[], nulls?: boolean[]): Vector => ({
  tag: 'number',
  type,
  length: values.length,
  values: Float64Array.from(values),
  nulls: nulls ? Uint8Array.from(nulls, (b) => (b ? 1 : 0)) : null,
});

const hosts = Array.from({ length: 50 }, (_, i) => `host_${i}`).concat(['', 'é', '😀', 'a longer host name with spaces']);

function spaceVectors(n: number): [string, Vector][] {
  const codes = Int32Array.from({ length: n }, () => Math.floor(rnd() * hosts.length));
  const nulls = Uint8Array.from({ length: n }, () => (rnd() < 0.1 ? 1 : 0));
  const ints = Array.from({ length: n }, () => Math.round((rnd() * 2 - 1) * 2 ** (rnd() * 52)));
  return [
    ['dict text', { tag: 'dict', type: T.text, length: n, codes, dict: hosts, nulls }],
    ['dict bpchar', { tag: 'dict', type: T.bpchar, length: n, codes, dict: hosts.map((h) => h + '  '), nulls: null }],
    ['object text', { tag: 'object', type: T.varchar, length: n, values: Array.from(codes, (c, i) => (nulls[i] ? null : hosts[c]!)) }],
    ['int4', num(T.int4, ints.map((x) => x | 0), Array.from(nulls, Boolean))],
    ['int8', num(T.int8, ints)],
    ['float8', num(T.float8, ints.map((x) => x / 7))],
    ['timestamptz', num(T.timestamptz, ints)],
    ['date', num(T.date, ints.map((x) => x % 100000))],
    ['bool', { tag: 'bool', type: T.bool, length: n, values: Uint8Array.from(ints, (x) => x & 1), nulls }],
  ];
}

describe('routeBatch', () => {
  const n = 3000;
  const times = Array.from({ length: n }, (_, i) => 1_451_606_400_000_000 + Math.round((rnd() - 0.3) * 60 * 86_400_000_000) + (i % 3 === 0 ? -3e15 : 0));
  const time = num(T.timestamptz, times);

  for (const [name, space] of spaceVectors(n)) {
    for (const parts of [1, 2, 3, 4, 7]) {
      it(`${name} space column, ${parts} partitions, matches the row-at-a-time rules`, () => {
        const r = routeBatch(time, space, { timeColumn: 'time', numPartitions: parts });
        checkShape(r, n);
        expect(perRow(r, n)).toEqual(reference(time, space, DEFAULT_CHUNK_TIME_INTERVAL, parts));
      });
    }
  }

  it('no space dimension: one chunk per time slice', () => {
    const r = routeBatch(time, null, { timeColumn: 'time', chunkInterval: 86_400_000_000 });
    checkShape(r, n);
    expect(r.chunkKeys.every((k) => k.spaceIndex === 0 && k.timeEnd - k.timeStart === 86_400_000_000)).toBe(true);
    expect(perRow(r, n)).toEqual(reference(time, null, 86_400_000_000, 1));
  });

  it('date and integer time columns', () => {
    const days = num(T.date, Array.from({ length: 500 }, () => Math.round((rnd() - 0.5) * 20000)));
    const r = routeBatch(days, null, { timeColumn: 'day' });
    checkShape(r, 500);
    expect(perRow(r, 500)).toEqual(reference(days, null, DEFAULT_CHUNK_TIME_INTERVAL, 1));
    const ints = num(T.int8, Array.from({ length: 500 }, () => Math.round((rnd() - 0.5) * 1e6)));
    const ri = routeBatch(ints, null, { timeColumn: 'ts', chunkInterval: 1000 });
    expect(perRow(ri, 500)).toEqual(reference(ints, null, 1000, 1));
    expect(ri.chunkKeys.some((k) => k.timeStart < 0)).toBe(true);
  });

  it('±infinity time values land in the clamped edge slices', () => {
    const r = routeBatch(num(T.timestamptz, [-Infinity, 0, Infinity]), null, { timeColumn: 'time' });
    expect(r.chunkKeys.map((k) => [k.timeStart === -Infinity, k.timeEnd === Infinity])).toEqual([[true, false], [false, false], [false, true]]);
  });

  it('a NULL time value fails the batch with 23502', () => {
    for (const t of [num(T.timestamptz, [1, 2, 3], [false, true, false]), { tag: 'object', type: T.timestamptz, length: 2, values: [1, null] } as Vector]) {
      try {
        routeBatch(t, null, { timeColumn: 'ts' });
        throw new Error('no error');
      } catch (e) {
        expect(e).toBeInstanceOf(SqlError);
        expect([(e as SqlError).code, (e as SqlError).message]).toEqual(['23502', 'NULL value in column "ts" violates not-null constraint']);
      }
    }
  });

  it('a NULL space value goes to slice 0, not an error', () => {
    const space: Vector = { tag: 'dict', type: T.text, length: 4, codes: Int32Array.from([0, 0, 0, 0]), dict: ['host_3'], nulls: Uint8Array.from([0, 1, 0, 1]) };
    const hostSlice = closedSliceFor(partitionHash(hashtext('host_3')), 4).index;
    expect(hostSlice).not.toBe(0);
    const r = routeBatch(num(T.timestamptz, [0, 0, 0, 0]), space, { timeColumn: 'time', numPartitions: 4 });
    expect(perRow(r, 4).map((s) => s.split('|')[2])).toEqual([String(hostSlice), '0', String(hostSlice), '0']);
  });

  it('rejects types TimescaleDB cannot partition on', () => {
    expect(() => routeBatch(num(T.float8, [1]), null, { timeColumn: 'x' })).toThrow(SqlError);
    const json: Vector = { tag: 'object', type: T.jsonb, length: 1, values: ['{}'] };
    expect(() => routeBatch(num(T.timestamptz, [1]), json, { timeColumn: 'time', numPartitions: 2 })).toThrow(/could not find hash function/);
    expect(() => routeBatch(num(T.timestamptz, [1]), json, { timeColumn: 'time', numPartitions: 0 })).toThrow(/number of partitions/);
  });

  it('TSBS cpu shape: 100 hosts × 10 s over 3 days, 4 partitions → 4 chunks per 7-day slice touched', () => {
    const rows = 100 * 3 * 8640;
    const t = new Float64Array(rows);
    const codes = new Int32Array(rows);
    const start = Date.UTC(2016, 0, 1) * 1000;
    for (let i = 0; i < rows; i++) {
      t[i] = start + Math.floor(i / 100) * 10_000_000;
      codes[i] = i % 100;
    }
    const dict = Array.from({ length: 100 }, (_, i) => `host_${i}`);
    const r = routeBatch({ tag: 'number', type: T.timestamptz, length: rows, values: t, nulls: null }, { tag: 'dict', type: T.text, length: rows, codes, dict, nulls: null }, { timeColumn: 'time', numPartitions: 4 });
    checkShape(r, rows);
    // 2016-01-01..03 spans the chunks starting 2015-12-31 only
    expect(new Set(r.chunkKeys.map((k) => k.timeStart))).toEqual(new Set([Date.UTC(2015, 11, 31) * 1000]));
    expect(r.chunkKeys.map((k) => k.spaceIndex).sort()).toEqual([0, 1, 2, 3]);
    const perHost = dict.map((h) => closedSliceFor(partitionHash(hashtext(h)), 4).index);
    for (let c = 0; c < 4; c++) expect(r.rowsByChunk[c]!.length).toBe(perHost.filter((s) => s === r.chunkKeys[c]!.spaceIndex).length * 3 * 8640);
  });

  it('a dictionary array that grows between batches (a chunk\'s live one) routes its new entries too; slice counts and bpchar kept apart', () => {
    const dict = ['host_0', 'host_1'];
    const time: Vector = { tag: 'number', type: T.timestamptz, length: 4, values: Float64Array.from([0, 0, 0, 0]), nulls: null };
    const space = (type: SqlType, codes: number[]): Vector => ({ tag: 'dict', type, length: codes.length, codes: Int32Array.from(codes), dict, nulls: null });
    const sliceOf = (r: RoutedBatch, row: number) => r.chunkKeys[r.chunkOfRow[row]!]!.spaceIndex;
    const expected = (h: string, parts: number) => closedSliceFor(partitionHash(hashtext(h)), parts).index;
    routeBatch(time, space(T.text, [0, 1, 0, 1]), { timeColumn: 'time', numPartitions: 5 });
    for (let i = 2; i < 40; i++) dict.push(`host_${i}  `); // trailing blanks: text and bpchar hash them differently
    const codes = [39, 2, 17, 1];
    for (const parts of [5, 3]) {
      const r = routeBatch(time, space(T.text, codes), { timeColumn: 'time', numPartitions: parts });
      codes.forEach((c, row) => expect(sliceOf(r, row)).toBe(expected(dict[c]!, parts)));
    }
    const bp = routeBatch(time, space(T.bpchar, codes), { timeColumn: 'time', numPartitions: 5 });
    const bpHash = pgHashFunction('bpchar')!;
    codes.forEach((c, row) => expect(sliceOf(bp, row)).toBe(closedSliceFor(partitionHash(bpHash(dict[c]!) as number), 5).index));
  });
});
