/**
 * time_bucket_gapfill / locf / interpolate on a plain table, a local hypertable and a distributed
 * hypertable on 3 data nodes: the same rows must give the same gap-filled result (GapFill runs on
 * the access node above whatever the aggregate became: a full aggregate, or partial aggregates
 * on the data nodes finalized on the access node).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Strata } from '../../packages/server/src/index.js';

type Db = Awaited<ReturnType<typeof Strata.create>>;
type Kind = 'plain' | 'local' | 'distributed';

const HOSTS = ['h1', 'h2', 'h3', 'h4', 'h5'];
const T0 = Date.UTC(2024, 4, 17, 0, 0, 0);

/** every 10 minutes for 12 hours, with host-specific holes of whole hours and some NULL values */
function rows(): [Date, string, number | null, number][] {
  const out: [Date, string, number | null, number][] = [];
  HOSTS.forEach((h, hi) => {
    for (let m = 0; m < 12 * 60; m += 10) {
      const hour = Math.floor(m / 60);
      if ((hour + hi) % 4 === 1 || (hi === 4 && hour < 3)) continue; // gaps; h5 starts late
      const v = (hi + 1) * 10 + Math.sin(m / 37) * 5 + m / 100;
      out.push([new Date(T0 + m * 60_000 + hi * 1000), h, m % 70 === 0 ? null : v, (m / 10) % 7]);
    }
  });
  return out;
}

async function load(kind: Kind, timeType: 'timestamptz' | 'int8'): Promise<Db> {
  const db = await Strata.create();
  if (kind === 'distributed') for (const n of ['dn1', 'dn2', 'dn3']) await db.query(`SELECT add_data_node('${n}')`);
  await db.query(`CREATE TABLE t (time ${timeType} NOT NULL, hostname text, v float8, n int4)`);
  const interval = timeType === 'int8' ? '3600' : "INTERVAL '1 hour'";
  if (kind === 'local') await db.query(`SELECT create_hypertable('t', 'time', chunk_time_interval => ${interval})`);
  if (kind === 'distributed') await db.query(`SELECT create_distributed_hypertable('t', 'time', 'hostname', number_partitions => 3, chunk_time_interval => ${interval})`);
  const data = rows().map(([d, h, v, n]) => [timeType === 'int8' ? Math.floor(d.getTime() / 1000) : d, h, v, n]);
  // out of order, in a few batches
  for (let i = 0; i < 4; i++) await db.insert('t', data.filter((_, j) => j % 4 === 3 - i));
  return db;
}

const TS_QUERIES: string[] = [
  // bounds inferred from WHERE; one series per host; locf and interpolate of the average
  `SELECT time_bucket_gapfill('1 hour', time) AS h, hostname, avg(v), locf(avg(v)), interpolate(avg(v)), count(*)
     FROM t WHERE time >= '2024-05-16 22:00+00' AND time < '2024-05-17 14:00+00' GROUP BY h, hostname ORDER BY hostname, h`,
  // explicit start/finish inside the data range; rows outside [start, finish) pass through
  `SELECT time_bucket_gapfill('30 minutes', time, start => '2024-05-17 02:10+00', finish => '2024-05-17 06:00+00') AS b, hostname, max(v), locf(max(v), treat_null_as_missing => true)
     FROM t WHERE hostname IN ('h1', 'h5') GROUP BY b, hostname ORDER BY b, hostname`,
  // only the time bucket: every bucket of the range, without other groups
  `SELECT time_bucket_gapfill('2 hours', time) AS b, sum(n), interpolate(sum(n)), locf(min(v))
     FROM t WHERE time > '2024-05-16 20:00+00' AND time <= '2024-05-17 16:00+00' GROUP BY 1`,
  // HAVING filters groups before gap filling; coalesce over a missing aggregate
  `SELECT time_bucket_gapfill('1 hour', time, '2024-05-17 00:00+00', '2024-05-17 12:00+00') AS h, hostname, coalesce(avg(v), -1) AS a, locf(count(v))
     FROM t GROUP BY 1, 2 HAVING count(*) > 3 ORDER BY 2, 1`,
  // lookups before the range, correlated with the group
  `SELECT time_bucket_gapfill('1 hour', time) AS h, hostname, avg(v),
          locf(avg(v), (SELECT v FROM t t2 WHERE t2.hostname = t.hostname AND t2.time < '2024-05-17 05:00+00' AND t2.v IS NOT NULL ORDER BY t2.time DESC LIMIT 1)) AS l,
          interpolate(avg(v), (SELECT ('2024-05-17 00:00+00'::timestamptz, 0.0::float8))) AS i
     FROM t WHERE time >= '2024-05-17 05:00+00' AND time < '2024-05-17 11:00+00' GROUP BY 1, 2 ORDER BY 2, 1`,
];

const INT_QUERIES: string[] = [
  `SELECT time_bucket_gapfill(3600, time) AS h, hostname, avg(v), locf(avg(v)), interpolate(avg(v)), interpolate(max(n))
     FROM t WHERE time >= ${T0 / 1000 - 7200} AND time < ${T0 / 1000 + 14 * 3600} GROUP BY 1, 2 ORDER BY 2, 1`,
  `SELECT time_bucket_gapfill(1800, time, ${T0 / 1000}, ${T0 / 1000 + 8 * 3600}) AS h, count(*), interpolate(count(*)) FROM t WHERE hostname = 'h3' GROUP BY 1 ORDER BY 1`,
];

const NUM = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;
function close(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'string' || typeof b !== 'string' || !NUM.test(a) || !NUM.test(b)) return false;
  const [x, y] = [Number(a), Number(b)];
  return Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
}

async function textRows(db: Db, sql: string): Promise<unknown[][]> {
  return (await db.query(sql, [], { rowMode: "text" })).rows as unknown as unknown[][];
}

for (const timeType of ['timestamptz', 'int8'] as const) {
  describe(`time_bucket_gapfill on ${timeType} time: plain table = hypertable = distributed hypertable`, () => {
    const dbs = {} as Record<Kind, Db>;
    beforeAll(async () => {
      for (const k of ['plain', 'local', 'distributed'] as Kind[]) dbs[k] = await load(k, timeType);
    });
    afterAll(async () => {
      for (const db of Object.values(dbs)) await (db as { close?: () => Promise<void> }).close?.();
    });
    const queries = timeType === 'int8' ? INT_QUERIES : TS_QUERIES;
    queries.forEach((sql, qi) => {
      it(`query ${qi + 1}`, async () => {
        const expected = await textRows(dbs.plain, sql);
        expect(expected.length).toBeGreaterThan(0);
        // gaps were filled: some rows carry a NULL aggregate
        expect(expected.some((r) => r.includes(null))).toBe(true);
        for (const k of ['local', 'distributed'] as Kind[]) {
          const got = await textRows(dbs[k], sql);
          expect(got.length, k).toBe(expected.length);
          got.forEach((r, i) => {
            const e = expected[i]!;
            if (!r.every((c, j) => close(c, e[j]))) expect(r, `${k} row ${i}`).toEqual(e);
          });
        }
      });
    });
  });
}

describe('time_bucket_gapfill semantics on a distributed hypertable', () => {
  let db: Db;
  beforeAll(async () => {
    db = await load('distributed', 'timestamptz');
  });

  it('fills every hour per host and carries values forward', async () => {
    const r = await textRows(
      db,
      `SELECT time_bucket_gapfill('1 hour', time) AS h, hostname, count(*), locf(count(*))
         FROM t WHERE hostname IN ('h1', 'h5') AND time >= '2024-05-17 00:00+00' AND time < '2024-05-17 06:00+00'
         GROUP BY 1, 2 ORDER BY 2, 1`,
    );
    // h1 (index 0) misses hours with hour % 4 = 1; h5 (index 4) starts at 03:00 and misses hour % 4 = 1 − 4 ≡ 1
    expect(r).toEqual([
      ['2024-05-17 00:00:00+00', 'h1', '6', '6'],
      ['2024-05-17 01:00:00+00', 'h1', null, '6'],
      ['2024-05-17 02:00:00+00', 'h1', '6', '6'],
      ['2024-05-17 03:00:00+00', 'h1', '6', '6'],
      ['2024-05-17 04:00:00+00', 'h1', '6', '6'],
      ['2024-05-17 05:00:00+00', 'h1', null, '6'],
      ['2024-05-17 00:00:00+00', 'h5', null, null],
      ['2024-05-17 01:00:00+00', 'h5', null, null],
      ['2024-05-17 02:00:00+00', 'h5', null, null],
      ['2024-05-17 03:00:00+00', 'h5', '6', '6'],
      ['2024-05-17 04:00:00+00', 'h5', '6', '6'],
      ['2024-05-17 05:00:00+00', 'h5', null, '6'],
    ]);
  });

  it('EXPLAIN shows the GapFill node above the distributed aggregate', async () => {
    const r = await textRows(db, `EXPLAIN SELECT time_bucket_gapfill('1 hour', time) AS h, hostname, locf(avg(v)) FROM t WHERE time >= '2024-05-17' AND time < '2024-05-18' GROUP BY 1, 2`);
    const lines = r.map((x) => String(x[0]));
    const gf = lines.findIndex((l) => l.includes('Custom Scan (GapFill)'));
    const scan = lines.findIndex((l) => l.includes('Custom Scan (AsyncAppend)') || l.includes('Finalize HashAggregate'));
    expect(gf).toBeGreaterThanOrEqual(0);
    expect(scan).toBeGreaterThan(gf);
  });

  it('raises TimescaleDB errors', async () => {
    await expect(db.query(`SELECT time_bucket_gapfill('1 hour', time), avg(v) FROM t GROUP BY 1`)).rejects.toMatchObject({
      code: '22023',
      message: 'missing time_bucket_gapfill argument: could not infer start from WHERE clause',
    });
    await expect(db.query(`SELECT time, locf(v) FROM t`)).rejects.toMatchObject({ code: '22023', message: 'locf can only be used in an aggregation query with time_bucket_gapfill' });
  });
});
