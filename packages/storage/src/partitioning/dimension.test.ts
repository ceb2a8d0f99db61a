import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors.js';
import {
  calculateClosedRangeDefault,
  calculateOpenRangeDefault,
  chunkIntervalToInternal,
  closedSliceFor,
  closedSliceInterval,
  closedSliceRange,
  dataNodesForHash,
  DEFAULT_CHUNK_TIME_INTERVAL,
  DIMENSION_SLICE_MAXVALUE as MAX,
  DIMENSION_SLICE_MINVALUE as MIN,
  dimensionPartitions,
  nullTimeError,
  openSliceFor,
  partitionForHash,
  replicaNodes,
  timeValueToInternal,
} from './dimension.js';
import { hashtext, partitionHash } from './hash.js';

function sqlError(f: () => unknown): SqlError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SqlError);
    return e as SqlError;
  }
  throw new Error('expected an error');
}

describe('calculate_open_range_default (timescaledb test/sql/chunks.sql)', () => {
  const cases: [bigint, bigint, bigint, bigint][] = [
    [0n, 10n, 0n, 10n],
    [9n, 10n, 0n, 10n],
    [10n, 10n, 10n, 20n],
    [-1n, 10n, -10n, 0n],
    [-10n, 10n, -10n, 0n],
    [-11n, 10n, -20n, -10n],
    // the ends are cut to prevent int64 overflow
    [MIN, 10n, MIN, -9223372036854775800n],
    [-9223372036854775807n, 10n, MIN, -9223372036854775800n],
    [MAX, 10n, 9223372036854775800n, MAX],
    [9223372036854775806n, 10n, 9223372036854775800n, MAX],
  ];
  it.each(cases)('value %s interval %s → [%s, %s)', (v, iv, start, end) => {
    expect(calculateOpenRangeDefault(v, iv)).toEqual({ start, end });
  });
  it.each(cases.filter(([v]) => v > -(2n ** 53n) && v < 2n ** 53n))('openSliceFor agrees for %s', (v, iv, start, end) => {
    expect(openSliceFor(Number(v), Number(iv))).toEqual({ start: Number(start), end: Number(end) });
  });
});

describe('openSliceFor', () => {
  it('matches the int64 port on random values, both signs, many intervals', () => {
    let seed = 12345;
    const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    for (let i = 0; i < 20000; i++) {
      const iv = [1, 7, 10, 3600e6, 86400e6, DEFAULT_CHUNK_TIME_INTERVAL, 2 ** 40 + 3][i % 7]!;
      const v = Math.round((rnd() * 2 - 1) * 2 ** (10 + (i % 43)));
      const want = calculateOpenRangeDefault(BigInt(v), BigInt(iv));
      const got = openSliceFor(v, iv);
      if (got.start !== Number(want.start) || got.end !== Number(want.end)) throw new Error(`v=${v} iv=${iv}: ${JSON.stringify(got)}`);
      expect(v >= got.start && v < got.end).toBe(true);
    }
  });
  it('aligns 7-day chunks to the Unix epoch, so they start on Thursdays', () => {
    const t = Date.UTC(2016, 0, 1) * 1000; // TSBS's default start
    const s = openSliceFor(t, DEFAULT_CHUNK_TIME_INTERVAL);
    expect(new Date(s.start / 1000).toISOString()).toBe('2015-12-31T00:00:00.000Z');
    expect(new Date(s.start / 1000).getUTCDay()).toBe(4);
    expect(s.end - s.start).toBe(DEFAULT_CHUNK_TIME_INTERVAL);
    // a row exactly on a boundary opens the next chunk
    expect(openSliceFor(s.end, DEFAULT_CHUNK_TIME_INTERVAL).start).toBe(s.end);
  });
  it('before 1970 uses floor semantics', () => {
    expect(openSliceFor(-1, DEFAULT_CHUNK_TIME_INTERVAL)).toEqual({ start: -DEFAULT_CHUNK_TIME_INTERVAL, end: 0 });
    expect(openSliceFor(-DEFAULT_CHUNK_TIME_INTERVAL, DEFAULT_CHUNK_TIME_INTERVAL)).toEqual({ start: -DEFAULT_CHUNK_TIME_INTERVAL, end: 0 });
  });
  it('±infinity go to slices clamped at MINVALUE/MAXVALUE', () => {
    expect(openSliceFor(-Infinity, 10).start).toBe(-Infinity);
    expect(openSliceFor(Infinity, 10).end).toBe(Infinity);
    const iv = DEFAULT_CHUNK_TIME_INTERVAL;
    expect(openSliceFor(Infinity, iv).start).toBe(Number((MAX / BigInt(iv)) * BigInt(iv)));
  });
  it('huge integer intervals clamp instead of overflowing', () => {
    const iv = 2 ** 62;
    expect(openSliceFor(2 ** 62 + 2 ** 20, iv)).toEqual({ start: 2 ** 62, end: Infinity });
    expect(openSliceFor(-(2 ** 62) - 2 ** 20, iv)).toEqual({ start: -Infinity, end: -(2 ** 62) });
  });
});

describe('calculate_closed_range_default (timescaledb test/sql/chunks.sql)', () => {
  it('2 slices, 1 slice', () => {
    expect(calculateClosedRangeDefault(0n, 2)).toEqual({ start: MIN, end: 1073741823n });
    expect(calculateClosedRangeDefault(1073741824n, 2)).toEqual({ start: 1073741823n, end: MAX });
    expect(calculateClosedRangeDefault(1073741824n, 1)).toEqual({ start: MIN, end: MAX });
  });
  it('negative values are an error', () => {
    expect(sqlError(() => calculateClosedRangeDefault(-1n, 4)).message).toBe('invalid value -1 for closed dimension');
    expect(() => closedSliceFor(-1, 4)).toThrow(SqlError);
  });
  it('closedSliceFor agrees with the int64 port for every n at every slice boundary', () => {
    for (let n = 1; n <= 40; n++) {
      const iv = closedSliceInterval(n);
      expect(iv).toBe(Math.floor(2147483647 / n));
      const probes = [0, 1, 2147483647, 2147483646];
      for (let i = 1; i < n; i++) probes.push(i * iv - 1, i * iv, i * iv + 1);
      for (const h of probes) {
        const got = closedSliceFor(h, n);
        const want = calculateClosedRangeDefault(BigInt(h), n);
        expect([got.start, got.end]).toEqual([want.start === MIN ? -Infinity : Number(want.start), want.end === MAX ? Infinity : Number(want.end)]);
        expect(got.index).toBe(partitionForHash(h, n));
        expect(h >= Math.max(got.start, 0) && (got.end === Infinity || h < got.end)).toBe(true);
      }
    }
  });
  it('the integer-division remainder goes to the last slice', () => {
    // 3 slices: interval 715827882, last starts at 1431655764 and takes 2147483647 too
    expect(closedSliceFor(2147483647, 3)).toEqual({ index: 2, start: 1431655764, end: Infinity });
    expect(closedSliceFor(1431655763, 3)).toEqual({ index: 1, start: 715827882, end: 1431655764 });
  });
  it('number of partitions must be 1..32767', () => {
    expect(sqlError(() => partitionForHash(5, 0)).code).toBe('22023');
    expect(sqlError(() => partitionForHash(5, 32768)).message).toBe('invalid number of partitions: must be between 1 and 32767');
    expect(partitionForHash(2147483647, 32767)).toBe(32766);
  });
  it('TSBS host names spread over 4 partitions', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 100; i++) counts[partitionForHash(partitionHash(hashtext(`host_${i}`)), 4)]!++;
    expect(counts.reduce((a, b) => a + b)).toBe(100);
    expect(Math.min(...counts)).toBeGreaterThan(10);
  });
});

describe('dimension_partition data node assignment', () => {
  const nodes = ['dn1', 'dn2', 'dn3'];
  it('partition i → node (i + k) mod n for replica k', () => {
    expect(replicaNodes(nodes, 0, 1)).toEqual(['dn1']);
    expect(replicaNodes(nodes, 2, 2)).toEqual(['dn3', 'dn1']);
    expect(replicaNodes(nodes, 4, 3)).toEqual(['dn2', 'dn3', 'dn1']);
  });
  it('never more replicas than nodes; no nodes means none', () => {
    expect(replicaNodes(nodes, 1, 5)).toEqual(['dn2', 'dn3', 'dn1']);
    expect(replicaNodes([], 1, 2)).toEqual([]);
  });
  it('more partitions than nodes wrap round-robin; fewer leave nodes without a primary', () => {
    expect(dimensionPartitions(5, nodes, 1).map((p) => p.dataNodes[0])).toEqual(['dn1', 'dn2', 'dn3', 'dn1', 'dn2']);
    expect(dimensionPartitions(2, nodes, 2).map((p) => p.dataNodes)).toEqual([['dn1', 'dn2'], ['dn2', 'dn3']]);
  });
  it('partition ranges are the closed slices: first from MINVALUE, last to MAXVALUE', () => {
    const parts = dimensionPartitions(4, nodes, 1);
    expect(parts.map((p) => [p.start, p.end])).toEqual([
      [-Infinity, 536870911],
      [536870911, 1073741822],
      [1073741822, 1610612733],
      [1610612733, Infinity],
    ]);
    for (let i = 0; i < 4; i++) expect(closedSliceRange(i, 4)).toEqual({ start: parts[i]!.start, end: parts[i]!.end });
  });
  it('dataNodesForHash goes through the slice', () => {
    expect(dataNodesForHash(0, 4, nodes, 1)).toEqual(['dn1']);
    expect(dataNodesForHash(2147483647, 4, nodes, 2)).toEqual(['dn1', 'dn2']);
  });
});

describe('time values and chunk intervals', () => {
  it('internal time is Unix µs: timestamps unchanged, dates at midnight, integers as is', () => {
    expect(timeValueToInternal(1_600_000_000_000_000, 'timestamptz')).toBe(1_600_000_000_000_000);
    expect(timeValueToInternal(-5, 'timestamp')).toBe(-5);
    expect(timeValueToInternal(1, 'date')).toBe(86_400_000_000);
    expect(timeValueToInternal(-7, 'int4')).toBe(-7);
    expect(timeValueToInternal(-Infinity, 'date')).toBe(-Infinity);
    expect(sqlError(() => timeValueToInternal(-3e17, 'timestamptz')).code).toBe('22008');
  });
  it('chunk_time_interval: 7 days by default, none for integer columns', () => {
    expect(chunkIntervalToInternal('timestamptz')).toBe(604_800_000_000);
    expect(chunkIntervalToInternal('date')).toBe(604_800_000_000);
    const e = sqlError(() => chunkIntervalToInternal('int8'));
    expect([e.code, e.message]).toEqual(['22023', 'integer dimensions require an explicit interval']);
  });
  it('explicit intervals: integers in column units, Interval with 30-day months', () => {
    expect(chunkIntervalToInternal('int4', 1000)).toBe(1000);
    expect(chunkIntervalToInternal('timestamptz', { months: 1, days: 1, micros: 5 })).toBe(31 * 86_400_000_000 + 5);
    expect(sqlError(() => chunkIntervalToInternal('int2', 40000)).message).toBe('invalid interval: must be between 1 and 32767');
    expect(sqlError(() => chunkIntervalToInternal('int4', 0)).code).toBe('22023');
    expect(sqlError(() => chunkIntervalToInternal('int4', { months: 0, days: 1, micros: 0 })).message).toBe('invalid interval: must be an integer type for integer dimensions');
    expect(sqlError(() => chunkIntervalToInternal('date', { months: 0, days: 0, micros: 3_600_000_000 })).message).toBe('invalid interval: must be multiples of one day');
  });
  it('NULL time is a not-null violation', () => {
    const e = nullTimeError('time');
    expect([e.code, e.message, e.hint]).toEqual(['23502', 'NULL value in column "time" violates not-null constraint', 'Columns used for time partitioning cannot be NULL.']);
  });
});
