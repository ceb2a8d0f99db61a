import { Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../types/numeric.js';
import { T } from '../types/sql-type.js';
import { vectorFromValues } from '../vector.js';
import { Chunk } from './chunk.js';
import { colDataFromVector, layoutOf } from './layout.js';

describe('SealedBatch Arrow form', () => {
  it('is a valid RecordBatch that survives Arrow IPC', () => {
    const layouts = [
      layoutOf(1, T.timestamptz), layoutOf(2, T.text), layoutOf(3, T.float8), layoutOf(4, T.int8),
      layoutOf(5, T.int4), layoutOf(6, T.bool), layoutOf(7, T.numeric), layoutOf(8, T.date),
    ];
    const chunk = new Chunk(1, layouts, 4, 8);
    const data = [
      [1_700_000_000_000_000, -1, 0, 2 ** 40],
      ['a', null, 'b', 'a'],
      [1.5, null, NaN, -2],
      [-(2 ** 53) + 1, 5, null, -4294967296],
      [1, -2, 3, null],
      [true, false, null, true],
      [Decimal.parse('1.25'), null, Decimal.parse('-3'), Decimal.parse('0.000')],
      [0, 19000, null, -1],
    ];
    const cols = new Map(layouts.map((l, i) => [l.id, colDataFromVector(l, vectorFromValues(l.type, data[i]!), chunk.dictOf(l.id))]));
    expect(chunk.append({ length: 4, cols }, 0, 4, () => null)).toBe(4);
    expect(chunk.batches.length).toBe(1);
    const rb = chunk.batches[0]!.record;
    const back = tableFromIPC(tableToIPC(new Table([rb])));
    expect(back.numRows).toBe(4);
    const json = back.toArray().map((r) => r.toJSON());
    // Arrow JS renders Timestamp(µs) in ms; the stored int64s are µs.
    expect([...(back.getChild('c1')!.data[0]!.values as BigInt64Array)]).toEqual([1_700_000_000_000_000n, -1n, 0n, 2n ** 40n]);
    expect(json.map((r) => r.c2)).toEqual(['a', null, 'b', 'a']);
    expect(json.map((r) => r.c3)).toEqual([1.5, null, NaN, -2]);
    expect(json.map((r) => (r.c4 === null ? null : Number(r.c4)))).toEqual([-(2 ** 53) + 1, 5, null, -4294967296]);
    expect(json.map((r) => r.c5)).toEqual([1, -2, 3, null]);
    expect(json.map((r) => r.c6)).toEqual([true, false, null, true]);
    expect(json.map((r) => r.c7)).toEqual(['1.25', null, '-3', '0.000']);
    // The batch keeps ~raw widths: 8 (ts) + 4 (code) + 8 + 8 + 4 + bits + strings + 4, plus null bitmaps.
    expect(chunk.batches[0]!.bytes).toBeLessThan(4 * 60);
  });
});

describe('decoded-column cache', () => {
  it('holds decoded int64/timestamp columns and never float8 ones (read in place)', async () => {
    const { decodeCacheUsage, setDecodeCacheBytes } = await import('./sealed-batch.js');
    setDecodeCacheBytes(0);
    setDecodeCacheBytes(256 * 1024 * 1024);
    const n = 8192;
    const layouts = [layoutOf(1, T.timestamptz), layoutOf(2, T.float8)];
    const chunk = new Chunk(1, layouts, n, n);
    const ts = Array.from({ length: n }, (_, i) => i * 10_000_000);
    const fl = Array.from({ length: n }, (_, i) => i / 4);
    const cols = new Map(layouts.map((l, i) => [l.id, colDataFromVector(l, vectorFromValues(l.type, [ts, fl][i]!), chunk.dictOf(l.id))]));
    chunk.append({ length: n, cols }, 0, n, () => null);
    const batch = chunk.batches[0]!;
    const f = batch.read(2, 0, n, null)!;
    expect(f.tag === 'number' && f.values[5]).toBe(1.25);
    expect(decodeCacheUsage()).toEqual({ entries: 0, bytes: 0 });
    const t = batch.read(1, 100, n, null)!;
    expect(t.tag === 'number' && t.values[0]).toBe(1_000_000_000);
    expect(decodeCacheUsage()).toEqual({ entries: 1, bytes: n * 8 });
    setDecodeCacheBytes(0);
    expect(decodeCacheUsage()).toEqual({ entries: 0, bytes: 0 });
    setDecodeCacheBytes(256 * 1024 * 1024);
  });
});
