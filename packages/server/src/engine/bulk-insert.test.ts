/**
 * The bulk-insert conversion fast paths: Arrow pieces read through their typed
 * arrays (no get(i), no BigInt), and row arrays filled per column kind.
 */
import { describe, expect, it } from 'vitest';
import {
  Date_, DateDay, DateMillisecond, Dictionary, Float32, Float64, Int16, Int32, Int64, Int8, makeData, makeVector, tableFromArrays,
  TimestampMicrosecond, TimestampMillisecond, TimestampNanosecond, TimestampSecond, Uint8, Utf8, vectorFromArray,
} from 'apache-arrow';
import { T } from '../../../storage/src/types/sql-type.js';
import { getValue, type Vector } from '../../../storage/src/vector.js';
import { arrowPieceVector, int64ToDoubles, utf8ToDict, type ArrowDataLike } from './bulk-insert.js';
import { Strata } from './strata.js';

const vals = (v: Vector | null) => {
  if (v === null) throw new Error('no fast path');
  return Array.from({ length: v.length }, (_, i) => getValue(v, i));
};
const piece = (v: { data: readonly unknown[] }) => v.data[0] as ArrowDataLike;

/** tableFromArrays also takes Arrow vectors at run time; its typing only admits arrays. */
const tfa = (cols: Record<string, unknown>) => tableFromArrays(cols as never);

const ms0 = Date.UTC(2024, 0, 1, 12, 30, 15, 250);

describe('Arrow pieces → vectors', () => {
  it('timestamps in s/ms/µs/ns become epoch µs (no BigInt on the way), NULLs kept', () => {
    const us = BigInt(ms0) * 1000n + 7n;
    const cases: [unknown, bigint[], number[]][] = [
      [new TimestampSecond(), [BigInt(Math.floor(ms0 / 1000)), -1n], [Math.floor(ms0 / 1000) * 1e6, -1e6]],
      [new TimestampMillisecond(), [BigInt(ms0), -1500n], [ms0 * 1000, -1_500_000]],
      [new TimestampMicrosecond(), [us, -3n], [Number(us), -3]],
      [new TimestampNanosecond(), [us * 1000n + 400n, us * 1000n + 600n], [Number(us), Number(us) + 1]],
    ];
    for (const [type, input, expected] of cases) {
      const v = makeVector(makeData({ type: type as TimestampSecond, length: input.length, data: BigInt64Array.from(input) }));
      expect(vals(arrowPieceVector(T.timestamptz, piece(v), 't'))).toEqual(expected);
    }
    const withNull = vectorFromArray([new Date(ms0), null], new TimestampMillisecond());
    expect(vals(arrowPieceVector(T.timestamptz, piece(withNull), 't'))).toEqual([ms0 * 1000, null]);
  });

  it('Date columns (day and millisecond) become timestamptz µs or date days', () => {
    const day = Math.floor(ms0 / 86_400_000);
    const dd = vectorFromArray([new Date(day * 86_400_000), null], new DateDay());
    expect(vals(arrowPieceVector(T.timestamptz, piece(dd), 't'))).toEqual([day * 86_400_000_000, null]);
    expect(vals(arrowPieceVector(T.date, piece(dd), 'd'))).toEqual([day, null]);
    const dm = vectorFromArray([new Date(ms0)], new DateMillisecond());
    expect(dm.type).toBeInstanceOf(Date_);
    expect(vals(arrowPieceVector(T.timestamptz, piece(dm), 't'))).toEqual([ms0 * 1000]);
    expect(vals(arrowPieceVector(T.date, piece(dm), 'd'))).toEqual([day]);
  });

  it('Float64 is used without a copy; Float32 and integer widths are widened', () => {
    const f = Float64Array.from([1.5, -2, 3]);
    const fv = arrowPieceVector(T.float8, piece(makeVector(f)), 'f');
    expect(fv?.tag === 'number' && fv.values).toBe(f);
    expect(vals(arrowPieceVector(T.float8, piece(makeVector(Float32Array.from([0.5, 2]))), 'f'))).toEqual([0.5, 2]);
    for (const [arr, type] of [[Int8Array.from([-1, 2]), new Int8()], [Int16Array.from([-1, 2]), new Int16()], [Int32Array.from([-1, 2]), new Int32()], [Uint8Array.from([255, 2]), new Uint8()]] as const) {
      const v = makeVector(makeData({ type: type as Int32, length: 2, data: arr as unknown as Int32Array }));
      expect(vals(arrowPieceVector(T.int4, piece(v), 'i'))).toEqual([arr[0], 2]);
    }
    const big = makeVector(BigInt64Array.from([-(2n ** 40n) - 5n, 2n ** 52n, 0n]));
    expect(big.type).toBeInstanceOf(Int64);
    expect(vals(arrowPieceVector(T.int8, piece(big), 'i'))).toEqual([-(2 ** 40) - 5, 2 ** 52, 0]);
    expect(Array.from(int64ToDoubles(BigUint64Array.from([2n ** 63n]), 1, false))).toEqual([2 ** 63]);
    expect(new Float32()).toBeInstanceOf(Float32);
    expect(new Float64()).toBeInstanceOf(Float64);
  });

  it('integer targets: out-of-range values raise 22003 naming the column; fractional floats take the generic path', () => {
    const v = makeVector(Int32Array.from([1, 40_000]));
    expect(() => arrowPieceVector(T.int2, piece(v), 'small')).toThrow(expect.objectContaining({ code: '22003', column: 'small' }));
    expect(arrowPieceVector(T.int4, piece(makeVector(Float64Array.from([1.5]))), 'i')).toBeNull();
    expect(vals(arrowPieceVector(T.int4, piece(makeVector(Float64Array.from([2, 3]))), 'i'))).toEqual([2, 3]);
  });

  it('Dictionary<Utf8> maps to a DictVector sharing the indices; plain Utf8 interns each distinct string once', () => {
    const dict = vectorFromArray(['a', 'b', 'c'], new Utf8());
    const idx = Int32Array.from([2, 0, 2, 1]);
    const dv = makeVector(makeData({ type: new Dictionary(new Utf8(), new Int32()), length: 4, data: idx, dictionary: dict }));
    const out = arrowPieceVector(T.text, piece(dv), 'h');
    expect(out?.tag === 'dict' && out.codes).toBe(idx);
    expect(vals(out)).toEqual(['c', 'a', 'c', 'b']);
    const u = vectorFromArray(['hé', 'x', 'hé', null, 'x', ''], new Utf8());
    const uv = arrowPieceVector(T.text, piece(u), 'h');
    expect(vals(uv)).toEqual(['hé', 'x', 'hé', null, 'x', '']);
    expect(uv?.tag === 'dict' && uv.dict).toEqual(['hé', 'x', '']);
    const { dict: d2 } = utf8ToDict(Int32Array.from([0, 1, 2, 3]), Uint8Array.from([97, 98, 97]), 3);
    expect(d2).toEqual(['a', 'b']);
  });

  it('reads a sliced piece at its offset (values, validity bits, booleans)', () => {
    const v = vectorFromArray([1, null, 3, 4, null, 6], new Float64()).slice(2, 6);
    expect(vals(arrowPieceVector(T.float8, piece(v), 'f'))).toEqual([3, 4, null, 6]);
    const b = vectorFromArray([true, false, null, true, true], undefined).slice(1);
    expect(vals(arrowPieceVector(T.bool, piece(b), 'b'))).toEqual([false, null, true, true]);
  });
});

describe('db.insert through the fast paths', () => {
  const ddl = 'CREATE TABLE t (time timestamptz NOT NULL, id int CHECK (id > 0), host text, v float8, n int DEFAULT 7)';

  it('Arrow tables with several record batches, Dictionary and Utf8 text, NULLs and defaults', async () => {
    const db = Strata.createSync();
    await db.exec(ddl);
    const a = tfa({ time: vectorFromArray([new Date(ms0), new Date(ms0 + 1000)], new TimestampMillisecond()), id: Int32Array.from([1, 2]), host: ['x', 'y'], v: Float64Array.from([0.5, 1.5]) });
    const b = tfa({ time: vectorFromArray([new Date(ms0 + 2000)], new TimestampMillisecond()), id: Int32Array.from([3]), host: vectorFromArray([null], new Utf8()), v: vectorFromArray([null], new Float64()) });
    const both = a.concat(b as never);
    expect(both.batches.length).toBe(2);
    await db.insert('t', both);
    const r = await db.query('SELECT id, host, v, n, time FROM t ORDER BY id', [], { rowMode: 'text' });
    expect(r.rows).toEqual([
      ['1', 'x', '0.5', '7', '2024-01-01 12:30:15.25+00'],
      ['2', 'y', '1.5', '7', '2024-01-01 12:30:16.25+00'],
      ['3', null, null, '7', '2024-01-01 12:30:17.25+00'],
    ]);
    await db.close();
  });

  it('keeps NOT NULL, CHECK and range errors (naming the column) and inserts nothing from a failing call', async () => {
    const db = Strata.createSync();
    await db.exec(ddl);
    const t = new Date(ms0);
    const many = (bad: unknown[]) => [...Array.from({ length: 300_000 }, (_, i) => [t, i + 1, 'h', i]), bad];
    await expect(db.insert('t', many([null, 1, 'h', 1]))).rejects.toMatchObject({ code: '23502', column: 'time' });
    await expect(db.insert('t', many([t, 0, 'h', 1]))).rejects.toMatchObject({ code: '23514' });
    await expect(db.insert('t', many([t, 2 ** 40, 'h', 1]))).rejects.toMatchObject({ code: '22003', column: 'id' });
    const arrow = tfa({ time: vectorFromArray([t, null], new TimestampMillisecond()), id: Int32Array.from([1, 2]) });
    await expect(db.insert('t', arrow)).rejects.toMatchObject({ code: '23502' });
    expect((await db.query('SELECT count(*) AS n FROM t')).rows).toEqual([{ n: '0' }]);
    await db.close();
  });

  it('row arrays: NULLs, mixed values falling back per column, objects by name, reused buffers across batches', async () => {
    const db = Strata.createSync();
    await db.exec(ddl);
    const t = new Date(ms0);
    const rows: unknown[][] = Array.from({ length: 600_000 }, (_, i) => [t, i + 1, i % 3 === 0 ? null : `h${i % 5}`, i % 7 === 0 ? null : i / 2]);
    rows[500_000]![3] = '12.5'; // a string in a float column: that column takes the generic path for its batch
    rows[500_001]![0] = '2024-01-01 00:00:00+00';
    await db.insert('t', rows);
    const r = await db.query('SELECT count(*) AS n, count(host) AS h, count(v) AS v, sum(v) AS s, count(DISTINCT host) AS d FROM t');
    const expectV = rows.reduce((s, r) => s + (r[3] === null ? 0 : Number(r[3])), 0);
    expect(r.rows).toEqual([{ n: '600000', h: String(rows.filter((r) => r[2] !== null).length), v: String(rows.filter((r) => r[3] !== null).length), s: expectV, d: '5' }]);
    expect((await db.query('SELECT v, time FROM t WHERE id IN (500001, 500002) ORDER BY id', [], { rowMode: 'text' })).rows).toEqual([['12.5', '2024-01-01 12:30:15.25+00'], ['250000.5', '2024-01-01 00:00:00+00']]);
    await db.insert('t', [{ time: t, id: 1, host: 'o' }]);
    expect((await db.query("SELECT n, v FROM t WHERE host = 'o'")).rows).toEqual([{ n: 7, v: null }]);
    await db.close();
  });

  it('buffers reused across calls: NULL marks and values of one call never leak into the next, also inside one transaction', async () => {
    const db = Strata.createSync();
    await db.exec(ddl);
    const t = new Date(ms0);
    await db.exec('BEGIN');
    // call 1: NULLs in v and host; call 2: one NULL (so its NULL map is used), shorter; call 3: Arrow ints and timestamps converted into the same scratch
    await db.insert('t', Array.from({ length: 5000 }, (_, i) => [t, i + 1, i % 2 ? null : 'a', i % 2 ? null : -1]));
    await db.insert('t', Array.from({ length: 3000 }, (_, i) => [t, 10_001 + i, 'b', i === 2999 ? null : 2]));
    await db.insert('t', tfa({ time: vectorFromArray(Array.from({ length: 4000 }, () => t), new TimestampMillisecond()), id: Int32Array.from({ length: 4000 }, (_, i) => 20_001 + i), host: Array.from({ length: 4000 }, () => 'c'), v: Float64Array.from({ length: 4000 }, () => 3) }));
    await db.insert('t', tfa({ time: vectorFromArray([new Date(ms0 + 5000)], new TimestampMillisecond()), id: Int32Array.from([30_001]), host: ['d'], v: Float64Array.from([4]) }));
    await db.exec('COMMIT');
    const r = await db.query('SELECT host, count(*) AS n, count(v) AS nv, sum(v) AS s, min(id) AS lo, max(id) AS hi, min(time) = max(time) AS one_time FROM t GROUP BY host ORDER BY host');
    expect(r.rows).toEqual([
      { host: 'a', n: '2500', nv: '2500', s: -2500, lo: 1, hi: 4999, one_time: true },
      { host: 'b', n: '3000', nv: '2999', s: 5998, lo: 10_001, hi: 13_000, one_time: true },
      { host: 'c', n: '4000', nv: '4000', s: 12_000, lo: 20_001, hi: 24_000, one_time: true },
      { host: 'd', n: '1', nv: '1', s: 4, lo: 30_001, hi: 30_001, one_time: true },
      { host: null, n: '2500', nv: '0', s: null, lo: 2, hi: 5000, one_time: true },
    ]);
    await db.close();
  });

  it('checks the whole input before writing: mixed shapes, unknown keys, too many values', async () => {
    const db = Strata.createSync();
    await db.exec(ddl);
    const t = new Date(ms0);
    const ok = Array.from({ length: 300_000 }, (_, i) => [t, i + 1]);
    await expect(db.insert('t', [...ok, { time: t, id: 1 }] as never)).rejects.toMatchObject({ code: '42804' });
    await expect(db.insert('t', [{ time: t, id: 1 }, [t, 2]] as never)).rejects.toMatchObject({ code: '42804' });
    await expect(db.insert('t', [{ time: t, id: 1 }, { time: t, idd: 2 }])).rejects.toMatchObject({ code: '42703', message: expect.stringContaining('"idd"') });
    await expect(db.insert('t', [...ok, [t, 1, 'h', 1, 2, 'extra']])).rejects.toMatchObject({ code: '42601' });
    expect((await db.query('SELECT count(*) AS n FROM t')).rows).toEqual([{ n: '0' }]);
    await db.close();
  });
});
