/**
 * The query catalog of the hypertable differential tests.
 *
 * Every query runs on each table configuration and must return what the plain table returns
 * (and, for the plain table, what PostgreSQL 15 returns). `order` says how rows are compared:
 *   'full'      ORDER BY fully orders the result: compared in order;
 *   'none'      no (or a partial) ORDER BY: compared as sorted multisets;
 *   { keys: n } ORDER BY orders by the first n columns with ties: the sequence of those key
 *               columns must match in order, and the rows as multisets;
 *   'limit'     LIMIT without ORDER BY: only the row count, and that every row is one of the
 *               rows `unlimited` returns on the plain table.
 * `pg: false` skips the PostgreSQL comparison (TimescaleDB-only functions: first, last,
 * histogram); `pgSql` replaces the SQL sent to PostgreSQL (time_bucket → date_bin is done
 * automatically by the slt harness rewrite).
 */
import { CPU_FIELDS } from './data.js';

export type OrderMode = 'full' | 'none' | 'limit' | { keys: number };

export interface QueryCase {
  name: string;
  sql: string;
  params?: unknown[];
  order: OrderMode;
  /** for order 'limit': the same query without LIMIT */
  unlimited?: string;
  /** false: not sent to PostgreSQL; string: the SQL PostgreSQL runs instead */
  pg?: false | string;
}

/** A statement that changes the data, run in order after the read queries; its row count is compared. */
export interface Mutation {
  name: string;
  sql: string;
}

const F = CPU_FIELDS;
const maxOf = (n: number) => F.slice(0, n).map((f) => `max(${f}) as max_${f}`).join(', ');
const avgOf = (n: number) => F.slice(0, n).map((f) => `avg(${f}) as mean_${f}`).join(', ');
const meanCols = (n: number) => F.slice(0, n).map((f) => `mean_${f}`).join(', ');
const hostsIn = (hs: string[]) => `hostname IN (${hs.map((h) => `'${h}'`).join(',')})`;

// Windows inside the data range 2016-01-01 18:00 .. 2016-01-02 08:00 UTC, formatted as TSBS
// formats them (Go layout `2006-01-02 15:04:05.999999 -0700`).
const W1H = ["'2016-01-01 22:41:17.123456 +0000'", "'2016-01-01 23:41:17.123456 +0000'"];
const W1H_B = ["'2016-01-02 03:07:42.5 +0000'", "'2016-01-02 04:07:42.5 +0000'"];
const W8H = ["'2016-01-01 19:13:06.646325 +0000'", "'2016-01-02 03:13:06.646325 +0000'"];
const W12H = ["'2016-01-01 18:50:00 +0000'", "'2016-01-02 06:50:00 +0000'"];
const W12H_B = ["'2016-01-01 19:33:51.000001 +0000'", "'2016-01-02 07:33:51.000001 +0000'"];
const END_GOL = "'2016-01-02 02:18:31.25 +0000'";

const H1 = ['host_3'];
const H8 = ['host_5', 'host_1', 'host_7', 'host_0', 'host_2', 'host_6', 'host_3', 'host_4'];
const H32 = Array.from({ length: 32 }, (_, i) => `host_${(i * 7) % 32}`);

function singleGroupby(m: number, hosts: string[], w: string[]): string {
  return `SELECT time_bucket('60 seconds', time) AS minute,
        ${maxOf(m)}
        FROM cpu
        WHERE ${hostsIn(hosts)} AND time >= ${w[0]} AND time < ${w[1]}
        GROUP BY minute ORDER BY minute ASC`;
}

function cpuMaxAll(hosts: string[], w: string[]): string {
  return `SELECT time_bucket('3600 seconds', time) AS hour,
        ${maxOf(10)}
        FROM cpu
        WHERE ${hostsIn(hosts)} AND time >= ${w[0]} AND time < ${w[1]}
        GROUP BY hour ORDER BY hour`;
}

function doubleGroupby(m: number, w: string[]): string {
  return `
        WITH cpu_avg AS (
          SELECT time_bucket('3600 seconds', time) as hour, hostname,
          ${avgOf(m)}
          FROM cpu
          WHERE time >= ${w[0]} AND time < ${w[1]}
          GROUP BY 1, 2
        )
        SELECT hour, hostname, ${meanCols(m)}
        FROM cpu_avg
        
        ORDER BY hour, hostname`;
}

/** TSBS cpu-only, use-tags=false (hostname in the data table), as in TSBS.md §3.3. */
export function tsbsQueries(): QueryCase[] {
  return [
    { name: 'tsbs single-groupby-1-1-1', sql: singleGroupby(1, H1, W1H), order: 'full' },
    { name: 'tsbs single-groupby-1-1-12', sql: singleGroupby(1, H1, W12H), order: 'full' },
    { name: 'tsbs single-groupby-1-8-1', sql: singleGroupby(1, H8, W1H_B), order: 'full' },
    { name: 'tsbs single-groupby-5-1-1', sql: singleGroupby(5, ['host_6'], W1H_B), order: 'full' },
    { name: 'tsbs single-groupby-5-1-12', sql: singleGroupby(5, ['host_0'], W12H_B), order: 'full' },
    { name: 'tsbs single-groupby-5-8-1', sql: singleGroupby(5, H8, W1H), order: 'full' },
    { name: 'tsbs cpu-max-all-1', sql: cpuMaxAll(['host_2'], W8H), order: 'full' },
    { name: 'tsbs cpu-max-all-8', sql: cpuMaxAll(H8, W8H), order: 'full' },
    { name: 'tsbs cpu-max-all-32-24 (window clipped to the data)', sql: cpuMaxAll(H32, W12H), order: 'full' },
    { name: 'tsbs double-groupby-1', sql: doubleGroupby(1, W12H), order: 'full' },
    { name: 'tsbs double-groupby-5', sql: doubleGroupby(5, W12H_B), order: 'full' },
    { name: 'tsbs double-groupby-all', sql: doubleGroupby(10, W12H), order: 'full' },
    {
      name: 'tsbs high-cpu-1',
      sql: `SELECT * FROM cpu WHERE usage_user > 90.0 and time >= ${W12H[0]} AND time < ${W12H[1]} AND ${hostsIn(['host_4'])}`,
      order: 'none',
    },
    {
      // the "all" form keeps TSBS's dangling space where the host clause would be
      name: 'tsbs high-cpu-all',
      sql: `SELECT * FROM cpu WHERE usage_user > 90.0 and time >= ${W12H_B[0]} AND time < ${W12H_B[1]} `,
      order: 'none',
    },
    { name: 'tsbs lastpoint', sql: `SELECT DISTINCT ON (hostname) * FROM cpu ORDER BY hostname, time DESC`, order: 'full' },
    {
      name: 'tsbs groupby-orderby-limit',
      sql: `SELECT time_bucket('60 seconds', time) AS minute, max(usage_user)
        FROM cpu
        WHERE time < ${END_GOL}
        GROUP BY minute
        ORDER BY minute DESC
        LIMIT 5`,
      order: 'full',
    },
    // the use-time-bucket=false bucket expression and the use-tags=true host filter
    {
      name: 'tsbs single-groupby-1-1-1 (use-time-bucket=false)',
      sql: `SELECT to_timestamp(((extract(epoch from time)::int)/60)*60) AS minute,
        max(usage_user) as max_usage_user
        FROM cpu
        WHERE ${hostsIn(['host_1'])} AND time >= ${W1H[0]} AND time < ${W1H[1]}
        GROUP BY minute ORDER BY minute ASC`,
      order: 'full',
    },
    {
      name: 'tsbs cpu-max-all-8 (use-tags=true)',
      sql: `SELECT time_bucket('3600 seconds', time) AS hour,
        ${maxOf(10)}
        FROM cpu
        WHERE tags_id IN (SELECT id FROM tags WHERE ${hostsIn(H8.slice(0, 3))}) AND time >= ${W8H[0]} AND time < ${W8H[1]}
        GROUP BY hour ORDER BY hour`,
      order: 'full',
    },
    {
      name: 'tsbs double-groupby-1 (use-tags=true)',
      sql: `
        WITH cpu_avg AS (
          SELECT time_bucket('3600 seconds', time) as hour, tags_id,
          avg(usage_user) as mean_usage_user
          FROM cpu
          WHERE time >= ${W12H[0]} AND time < ${W12H[1]}
          GROUP BY 1, 2
        )
        SELECT hour, tags.hostname, mean_usage_user
        FROM cpu_avg
        JOIN tags ON cpu_avg.tags_id = tags.id
        ORDER BY hour, tags.hostname`,
      order: 'full',
    },
    {
      name: 'tsbs lastpoint (use-tags=true, LATERAL)',
      sql: `SELECT DISTINCT ON (t.hostname) * FROM tags t INNER JOIN LATERAL(SELECT * FROM cpu c WHERE c.tags_id = t.id ORDER BY time DESC LIMIT 1) AS b ON true ORDER BY t.hostname, b.time DESC`,
      order: 'full',
    },
  ];
}

/** Aggregates, top-N, DISTINCT ON, predicates, joins, windows, subqueries. */
export function generalQueries(): QueryCase[] {
  const q: QueryCase[] = [];
  const add = (name: string, sql: string, order: OrderMode, extra: Partial<QueryCase> = {}) => q.push({ name, sql, order, ...extra });

  // --- aggregates by hostname / time_bucket / both / HAVING
  add(
    'agg by hostname: count/sum/avg/min/max/stddev/percentile_cont/count distinct',
    `SELECT hostname, count(*), count(usage_nice), sum(usage_user), avg(usage_user), min(usage_system), max(usage_system),
       stddev(usage_idle), percentile_cont(0.5) WITHIN GROUP (ORDER BY usage_iowait), count(DISTINCT tags_id), count(DISTINCT time)
     FROM cpu GROUP BY hostname ORDER BY hostname`,
    'full',
  );
  add(
    'agg by hostname: first/last/histogram (TimescaleDB only)',
    `SELECT hostname, first(usage_user, time), last(usage_user, time), first(time, time), last(usage_guest, time),
       histogram(usage_user, 0, 100, 10) FROM cpu GROUP BY hostname ORDER BY hostname`,
    'full',
    { pg: false },
  );
  add(
    'agg by time_bucket 1 hour (whole table incl. pre-1970 and now rows)',
    `SELECT time_bucket('1 hour', time) AS h, count(*), sum(usage_system), avg(usage_user), stddev(usage_user), min(usage_idle), max(usage_idle)
     FROM cpu GROUP BY h ORDER BY h`,
    'full',
  );
  add(
    'agg by time_bucket 15 min and hostname in a window',
    `SELECT time_bucket('15 minutes', time), hostname, count(*), avg(usage_steal), max(usage_guest_nice)
     FROM cpu WHERE time >= '2016-01-01 23:00:00+00' AND time < '2016-01-02 02:30:00+00' GROUP BY 1, 2 ORDER BY 1, 2`,
    'full',
  );
  add(
    'agg by time_bucket 6 hours and hostname, unordered',
    `SELECT hostname, time_bucket('6 hours', time) AS b, count(*), sum(usage_user), variance(usage_softirq) FROM cpu GROUP BY hostname, b`,
    'none',
  );
  add(
    'agg by time_bucket 1 day and hostname: first/last (TimescaleDB only)',
    `SELECT time_bucket('1 day', time) AS d, hostname, first(tags_id, time), last(usage_user, time), first(usage_system, time), count(*)
     FROM cpu GROUP BY d, hostname ORDER BY d, hostname`,
    'full',
    { pg: false },
  );
  add(
    'HAVING on avg and count, ordered by the aggregate',
    `SELECT hostname, avg(usage_user) AS a, count(*) FROM cpu GROUP BY hostname HAVING avg(usage_user) > 20 AND count(*) > 100 ORDER BY a DESC`,
    'full',
  );
  add(
    'HAVING with count(DISTINCT hostname) and percentile_cont per hour',
    `SELECT time_bucket('1 hour', time) AS h, count(DISTINCT hostname), percentile_cont(0.9) WITHIN GROUP (ORDER BY usage_user)
     FROM cpu WHERE time >= '2016-01-01 18:00:00+00' GROUP BY h HAVING count(*) > 1000 ORDER BY h`,
    'full',
  );
  add(
    'global aggregates',
    `SELECT count(*), count(hostname), count(tags_id), sum(usage_user), avg(usage_guest), min(time), max(time), stddev_samp(usage_steal),
       variance(usage_irq), sum(tags_id), avg(tags_id), min(hostname), max(hostname) FROM cpu`,
    'full',
  );
  add('global aggregate over no rows (all chunks excluded)', `SELECT count(*), sum(usage_user), max(time), avg(usage_idle) FROM cpu WHERE time > '2030-01-01'`, 'full');
  add('grouped aggregate over no rows', `SELECT hostname, count(*) FROM cpu WHERE time > '2030-01-01' GROUP BY hostname`, 'none');
  add('agg by a non-partitioning column (tags_id, with NULL)', `SELECT tags_id, count(*), max(usage_user), min(hostname) FROM cpu GROUP BY tags_id ORDER BY tags_id`, 'full');
  add('agg by an expression of the space column', `SELECT upper(hostname) AS h, count(*), avg(usage_nice) FROM cpu GROUP BY 1 ORDER BY 1`, 'full');
  add(
    'aggregate FILTER and count(DISTINCT) of an expression',
    `SELECT hostname, count(*) FILTER (WHERE usage_user > 50), sum(usage_user) FILTER (WHERE time < '2016-01-02'),
       count(DISTINCT floor(usage_user)) FROM cpu GROUP BY hostname ORDER BY hostname NULLS FIRST`,
    'full',
  );
  add(
    'agg by hostname and tags_id (group key covers space column plus more)',
    `SELECT hostname, tags_id, count(*), min(time), max(time) FROM cpu GROUP BY hostname, tags_id ORDER BY hostname, tags_id`,
    'full',
  );
  add(
    'aggregate of an aggregate (subquery in FROM)',
    `SELECT max(c), min(c), sum(s) FROM (SELECT hostname, time_bucket('1 hour', time) AS h, count(*) AS c, sum(usage_user) AS s FROM cpu GROUP BY 1, 2) x`,
    'full',
  );

  // --- ORDER BY ... LIMIT / OFFSET (top-N)
  add(
    'top-N: raw rows ORDER BY usage_user DESC (NULLs first) LIMIT 10',
    `SELECT hostname, time, usage_user, usage_system FROM cpu ORDER BY usage_user DESC, time, hostname, usage_system LIMIT 10`,
    'full',
  );
  add(
    'top-N: raw rows ORDER BY usage_user DESC NULLS LAST LIMIT 10',
    `SELECT hostname, time, usage_user FROM cpu ORDER BY usage_user DESC NULLS LAST, time, hostname LIMIT 10`,
    'full',
  );
  add(
    'top-N: ORDER BY time DESC LIMIT 20 OFFSET 5',
    `SELECT time, hostname, usage_user FROM cpu ORDER BY time DESC, hostname, usage_user LIMIT 20 OFFSET 5`,
    'full',
  );
  add('top-N: ORDER BY time LIMIT 5 (pre-1970 rows first)', `SELECT time, hostname, usage_idle FROM cpu ORDER BY time, hostname LIMIT 5`, 'full');
  add(
    'top-N: SELECT * in a window ORDER BY time, hostname, usage_user LIMIT 50 OFFSET 100',
    `SELECT * FROM cpu WHERE time >= '2016-01-01 23:59:00+00' ORDER BY time, hostname, usage_user LIMIT 50 OFFSET 100`,
    'full',
  );
  add(
    'top-N over a grouped result: max per minute ORDER BY 2 DESC, 1 LIMIT 7',
    `SELECT time_bucket('1 minute', time) AS m, max(usage_user) FROM cpu GROUP BY m ORDER BY 2 DESC, 1 LIMIT 7`,
    'full',
  );
  add(
    'top-N over hostname groups: ORDER BY 2 DESC NULLS LAST, 1 LIMIT 3 OFFSET 1',
    `SELECT hostname, max(usage_system) FROM cpu GROUP BY hostname ORDER BY 2 DESC NULLS LAST, 1 LIMIT 3 OFFSET 1`,
    'full',
  );
  add('top-N: OFFSET past the end', `SELECT time FROM cpu ORDER BY time OFFSET 1000000`, 'full');
  add('LIMIT 0', `SELECT hostname, time FROM cpu ORDER BY time LIMIT 0`, 'full');
  add('LIMIT without ORDER BY', `SELECT * FROM cpu WHERE hostname = 'host_2' LIMIT 25`, 'limit', {
    unlimited: `SELECT * FROM cpu WHERE hostname = 'host_2'`,
  });
  add('LIMIT without ORDER BY, whole table', `SELECT hostname, time, usage_user FROM cpu LIMIT 1000`, 'limit', {
    unlimited: `SELECT hostname, time, usage_user FROM cpu`,
  });
  add('ORDER BY a partial key (ties compared as sets)', `SELECT hostname, usage_user FROM cpu WHERE time >= '2016-01-02 07:00:00+00' ORDER BY hostname`, { keys: 1 });

  // --- DISTINCT / DISTINCT ON
  add(
    'DISTINCT ON (hostname) lastpoint with a time bound',
    `SELECT DISTINCT ON (hostname) hostname, time, usage_user, usage_nice FROM cpu WHERE time < '2016-01-02 03:00:00+00' ORDER BY hostname, time DESC`,
    'full',
  );
  add(
    'DISTINCT ON (hostname) first point ORDER BY hostname, time',
    `SELECT DISTINCT ON (hostname) hostname, time, usage_idle FROM cpu WHERE time >= '2016-01-01' ORDER BY hostname, time`,
    'full',
  );
  add(
    'DISTINCT ON (hostname) ordered by a column not in the select list',
    `SELECT DISTINCT ON (hostname) hostname, usage_user FROM cpu WHERE time < '2016-01-01 22:00:00+00' ORDER BY hostname, time DESC, usage_user`,
    'full',
  );
  add('DISTINCT hostname', `SELECT DISTINCT hostname FROM cpu ORDER BY 1`, 'full');
  add('DISTINCT tags_id, hostname (unordered)', `SELECT DISTINCT tags_id, hostname FROM cpu`, 'none');

  // --- WHERE on time: constants at chunk boundaries, parameters, now()
  add(
    'time range inclusive at a day boundary',
    `SELECT count(*), sum(usage_user), min(time), max(time) FROM cpu WHERE time >= '2016-01-01 23:00:00+00' AND time <= '2016-01-02 00:00:00+00'`,
    'full',
  );
  add(
    'time range exclusive at hour boundaries',
    `SELECT hostname, count(*) FROM cpu WHERE time > '2016-01-02 01:00:00+00' AND time < '2016-01-02 03:00:00+00' GROUP BY hostname ORDER BY hostname`,
    'full',
  );
  add(
    'time BETWEEN with non-UTC offset literals (01:00 .. 03:30 UTC)',
    `SELECT count(*), max(usage_user) FROM cpu WHERE time BETWEEN '2016-01-01 20:00:00-05' AND '2016-01-02 09:00:00+05:30'`,
    'full',
  );
  add(
    'empty time range (upper bound before lower bound): aggregate still returns one row',
    `SELECT count(*), max(usage_user) FROM cpu WHERE time BETWEEN '2016-01-02 01:00:00+00' AND '2016-01-02 00:30:00+00'`,
    'full',
  );
  add(
    'time < 1970 and time = epoch',
    `SELECT time, hostname, usage_user FROM cpu WHERE time <= '1970-01-01 00:00:00+00' ORDER BY time`,
    'full',
  );
  add(
    'rows at chunk boundaries ±1 ms',
    `SELECT time, hostname, usage_user FROM cpu WHERE time BETWEEN '2016-01-01 23:59:59.999+00' AND '2016-01-02 00:00:00.001+00' ORDER BY time, hostname NULLS FIRST, usage_user`,
    'full',
  );
  add('time IN a list', `SELECT time, hostname, usage_user FROM cpu WHERE time IN ('2016-01-02 00:00:00+00', '2016-01-01 18:00:00+00', '2016-01-02 06:00:00+00') ORDER BY 1, 2, 3`, 'full');
  add(
    'time OR time (two disjoint ranges)',
    `SELECT hostname, count(*) FROM cpu WHERE time < '2016-01-01 19:00:00+00' OR time >= '2016-01-02 07:00:00+00' GROUP BY 1 ORDER BY 1`,
    'full',
  );
  add(
    'time_bucket(...) = constant in WHERE',
    `SELECT hostname, count(*) FROM cpu WHERE time_bucket('1 hour', time) = '2016-01-02 00:00:00+00' GROUP BY 1 ORDER BY 1`,
    'full',
  );
  add('date_trunc(day) = constant in WHERE', `SELECT count(*), avg(usage_user) FROM cpu WHERE date_trunc('day', time) = '2016-01-02'`, 'full');
  add(
    'time range from $1/$2 parameters and hostname = $3',
    `SELECT time_bucket('10 minutes', time) AS b, max(usage_user), count(*) FROM cpu WHERE time >= $1 AND time < $2 AND hostname = $3 GROUP BY b ORDER BY b`,
    'full',
    { params: ['2016-01-01 23:30:00+00', '2016-01-02 01:30:00+00', 'host_5'] },
  );
  add(
    'time range $1::timestamptz - INTERVAL and hostname IN ($2, $3)',
    `SELECT hostname, count(*), sum(usage_idle) FROM cpu WHERE time >= $1::timestamptz - INTERVAL '3 hours' AND time < $1::timestamptz AND hostname IN ($2, $3) GROUP BY 1 ORDER BY 1`,
    'full',
    { params: ['2016-01-02 02:00:00+00', 'host_1', 'host_7'] },
  );
  add('now()-relative: time > now() - 95 minutes', `SELECT hostname, count(*), min(usage_user) FROM cpu WHERE time > now() - INTERVAL '95 minutes' GROUP BY 1 ORDER BY 1`, 'full');
  add('now()-relative: time > now() (future row only)', `SELECT hostname, usage_user FROM cpu WHERE time > now()`, 'none');
  add(
    'now()-relative: the last day for host_now',
    `SELECT count(*), sum(usage_user), max(usage_idle) FROM cpu WHERE hostname = 'host_now' AND time > now() - INTERVAL '1 day' AND time < now()`,
    'full',
  );
  add(
    'now()-relative: time BETWEEN now() - 2h AND now() + 2h, top-N',
    `SELECT usage_user FROM cpu WHERE time BETWEEN now() - INTERVAL '2 hours' AND now() + INTERVAL '2 hours' ORDER BY time DESC LIMIT 4`,
    'full',
  );

  // --- space column predicates
  add('hostname IN list (with a NULL and an absent name)', `SELECT hostname, count(*) FROM cpu WHERE hostname IN ('host_1', 'host_4', NULL, 'nope') GROUP BY 1 ORDER BY 1`, 'full');
  add('hostname NOT IN list', `SELECT hostname, count(*) FROM cpu WHERE hostname NOT IN ('host_1', 'host_4') GROUP BY 1 ORDER BY 1`, 'full');
  add('hostname IS NULL (slice 0)', `SELECT time, tags_id, usage_user, usage_nice FROM cpu WHERE hostname IS NULL ORDER BY time`, 'full');
  add('hostname = constant OR value predicate', `SELECT hostname, count(*) FROM cpu WHERE hostname = 'host_7' OR usage_user > 99 GROUP BY 1 ORDER BY 1`, 'full');
  add('hostname range predicate', `SELECT hostname, count(*) FROM cpu WHERE hostname > 'host_5' GROUP BY 1 ORDER BY 1`, 'full');
  add('hostname LIKE', `SELECT hostname, max(time) FROM cpu WHERE hostname LIKE 'host\\_1%' OR hostname LIKE '%now' GROUP BY 1 ORDER BY 1`, 'full');
  add(
    'hostname = constant and value IS NULL',
    `SELECT time, usage_user, usage_system FROM cpu WHERE hostname = 'host_0' AND (usage_user IS NULL OR usage_system IS NULL) ORDER BY time, usage_user NULLS FIRST, usage_system`,
    'full',
  );

  // --- joins with the small regular table, both ways
  add(
    'join cpu ⋈ tags, group by region',
    `SELECT t.region, count(*), avg(c.usage_user), max(c.time) FROM cpu c JOIN tags t ON c.tags_id = t.id GROUP BY t.region ORDER BY 1`,
    'full',
  );
  add(
    'tags LEFT JOIN cpu (tags first; host_unused has no rows)',
    `SELECT t.hostname, t.region, count(c.time), max(c.usage_user) FROM tags t LEFT JOIN cpu c ON c.hostname = t.hostname GROUP BY 1, 2 ORDER BY 1, 2`,
    'full',
  );
  add(
    'cpu LEFT JOIN tags on hostname in a window',
    `SELECT c.hostname, t.region, t.id, max(c.usage_user) FROM cpu c LEFT JOIN tags t ON t.hostname = c.hostname WHERE c.time >= '2016-01-02 05:00:00+00' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    'full',
  );
  add(
    'join rows with a filter on the tags side',
    `SELECT c.time, c.hostname, t.region, c.usage_user FROM tags t JOIN cpu c ON c.tags_id = t.id WHERE t.region = 'eu-west-1' AND c.time < '2016-01-01 18:05:00+00' ORDER BY 1, 2, 4`,
    'full',
  );
  add(
    'self-join of the hypertable on time',
    `SELECT count(*), sum(a.usage_user - b.usage_user) FROM cpu a JOIN cpu b ON a.time = b.time WHERE a.hostname = 'host_0' AND b.hostname = 'host_1' AND a.time < '2016-01-01 20:00:00+00'`,
    'full',
  );

  // --- window functions over a hypertable
  add(
    'window: moving avg per host (ROWS frame)',
    `SELECT hostname, time, usage_user, avg(usage_user) OVER (PARTITION BY hostname ORDER BY time, usage_user ROWS BETWEEN 5 PRECEDING AND CURRENT ROW)
     FROM cpu WHERE time >= '2016-01-01 23:55:00+00' AND time < '2016-01-02 00:05:00+00' AND hostname IN ('host_1', 'host_2') ORDER BY hostname, time, usage_user`,
    'full',
  );
  add(
    'window: top 3 readings per host via row_number()',
    `SELECT * FROM (SELECT hostname, time, usage_user, row_number() OVER (PARTITION BY hostname ORDER BY usage_user DESC NULLS LAST, time) AS rn FROM cpu) s
     WHERE rn <= 3 ORDER BY hostname, rn`,
    'full',
  );
  add(
    'window: lag() over the whole table order',
    `SELECT time, hostname, usage_user - lag(usage_user) OVER (ORDER BY time, hostname, usage_user) FROM cpu WHERE time < '2016-01-01 18:02:00+00' ORDER BY time, hostname, usage_user`,
    'full',
  );
  add(
    'window over an aggregate: rank of hosts per hour',
    `SELECT time_bucket('1 hour', time) AS h, hostname, max(usage_user), rank() OVER (PARTITION BY time_bucket('1 hour', time) ORDER BY max(usage_user) DESC, hostname)
     FROM cpu WHERE time >= '2016-01-01 18:00:00+00' AND time < '2016-01-02 08:00:00+00' GROUP BY 1, 2 ORDER BY 1, 4`,
    'full',
  );
  add('window: count(*) OVER () with a filter', `SELECT hostname, count(*) OVER () FROM cpu WHERE usage_user > 99.5 ORDER BY hostname, time, usage_user`, { keys: 2 });

  // --- subqueries
  add('scalar subquery: usage_user > avg(usage_user)', `SELECT count(*) FROM cpu WHERE usage_user > (SELECT avg(usage_user) FROM cpu)`, 'full');
  add(
    'correlated subquery: each host\'s maximum rows',
    `SELECT hostname, time, usage_user FROM cpu c WHERE usage_user = (SELECT max(usage_user) FROM cpu c2 WHERE c2.hostname = c.hostname) ORDER BY hostname, time, usage_user`,
    'full',
  );
  add('subquery in FROM with an outer filter', `SELECT * FROM (SELECT hostname, avg(usage_user) AS a, count(*) AS n FROM cpu GROUP BY hostname) s WHERE n > 50 ORDER BY hostname`, 'full');
  add(
    'EXISTS over the hypertable from tags',
    `SELECT t.hostname FROM tags t WHERE EXISTS (SELECT 1 FROM cpu c WHERE c.hostname = t.hostname AND c.usage_user > 99) ORDER BY 1`,
    'full',
  );
  add(
    'IN (subquery of max times per host)',
    `SELECT hostname, count(*) FROM cpu WHERE time IN (SELECT max(time) FROM cpu GROUP BY hostname) GROUP BY 1 ORDER BY 1`,
    'full',
  );
  add(
    'UNION ALL of two hypertable aggregates',
    `SELECT 'a' AS k, hostname, count(*) FROM cpu WHERE time < '2016-01-02' GROUP BY hostname UNION ALL SELECT 'b', hostname, count(*) FROM cpu WHERE time >= '2016-01-02' GROUP BY hostname ORDER BY 1, 2`,
    'full',
  );
  add(
    'CTE used twice',
    `WITH h AS (SELECT hostname, time_bucket('2 hours', time) AS b, avg(usage_user) AS a FROM cpu GROUP BY 1, 2)
     SELECT h1.hostname, h1.b, h1.a - h2.a FROM h h1 JOIN h h2 ON h1.hostname = h2.hostname AND h2.b = h1.b + INTERVAL '2 hours' ORDER BY 1, 2`,
    'full',
  );
  return q;
}

/** UPDATE/DELETE/INSERT…SELECT run in order after the read queries, then the re-queries. */
export function mutations(): Mutation[] {
  return [
    {
      name: 'UPDATE values across a day boundary (several chunks)',
      sql: `UPDATE cpu SET usage_user = usage_user + 1000, usage_nice = NULL WHERE hostname = 'host_3' AND time >= '2016-01-01 23:00:00+00' AND time < '2016-01-02 01:00:00+00'`,
    },
    { name: 'DELETE by a value predicate (every chunk)', sql: `DELETE FROM cpu WHERE usage_system > 95` },
    { name: 'DELETE NULL-hostname rows before a day boundary', sql: `DELETE FROM cpu WHERE hostname IS NULL AND time < '2016-01-02'` },
    {
      name: 'INSERT … SELECT from the hypertable into itself (new chunks)',
      sql: `INSERT INTO cpu SELECT time + INTERVAL '1 day', tags_id, hostname, ${F.join(', ')} FROM cpu WHERE hostname = 'host_0' AND time < '2016-01-01 19:00:00+00'`,
    },
    {
      name: 'UPDATE time: rows move to the next chunk',
      sql: `UPDATE cpu SET time = time + INTERVAL '30 minutes' WHERE hostname = 'host_5' AND time >= '2016-01-02 05:40:00+00'`,
    },
    {
      name: 'UPDATE the space column: rows move to another slice',
      sql: `UPDATE cpu SET hostname = 'host_moved' WHERE hostname = 'host_6' AND time < '2016-01-01 20:00:00+00'`,
    },
    { name: 'DELETE a whole chunk range', sql: `DELETE FROM cpu WHERE time >= '2016-01-02 02:00:00+00' AND time < '2016-01-02 03:00:00+00'` },
  ];
}

export function requeries(): QueryCase[] {
  return [
    { name: 'after writes: per host count/sum/min/max', sql: `SELECT hostname, count(*), sum(usage_user), min(time), max(time), count(usage_nice) FROM cpu GROUP BY 1 ORDER BY 1`, order: 'full' },
    { name: 'after writes: per hour count/avg', sql: `SELECT time_bucket('1 hour', time) AS h, count(*), avg(usage_system), max(usage_user) FROM cpu GROUP BY 1 ORDER BY 1`, order: 'full' },
    { name: 'after writes: lastpoint', sql: `SELECT DISTINCT ON (hostname) * FROM cpu ORDER BY hostname, time DESC`, order: 'full' },
    {
      name: 'after writes: rows around the changed ranges',
      sql: `SELECT * FROM cpu WHERE (hostname IN ('host_3', 'host_5', 'host_moved') AND time >= '2016-01-02 00:50:00+00' AND time < '2016-01-02 01:10:00+00')
              OR (time >= '2016-01-02 06:05:00+00' AND hostname = 'host_5') OR hostname = 'host_moved' OR time >= '2016-01-02 18:00:00+00' AND time < '2016-01-02 20:00:00+00'
            ORDER BY time, hostname, usage_user`,
      order: 'full',
    },
    { name: 'after writes: single-groupby-5-8-1', sql: singleGroupby(5, H8, ["'2016-01-02 00:30:00 +0000'", "'2016-01-02 01:30:00 +0000'"]), order: 'full' },
  ];
}

// ---------------------------------------------------------------------------------------------
// int8 time (seconds since the epoch): the data shifted into integers

const sec = (iso: string) => Date.parse(iso) / 1000;

/** PostgreSQL has no integer time_bucket: floor division with the same semantics. */
export function rewriteIntTimeBucketForPostgres(sql: string): string {
  return sql.replace(/time_bucket\((\d+), time\)/g, (_m, w: string) => `(floor(time::numeric / ${w}) * ${w})::int8`);
}

export function intTimeQueries(): QueryCase[] {
  const a = sec('2016-01-01T22:41:17Z');
  const d = sec('2016-01-02T00:00:00Z');
  const q: QueryCase[] = [
    {
      name: 'int time: single-groupby-5-8-1 (time_bucket(60, time))',
      sql: `SELECT time_bucket(60, time) AS minute, ${maxOf(5)} FROM cpu WHERE ${hostsIn(H8)} AND time >= ${a} AND time < ${a + 3600} GROUP BY minute ORDER BY minute`,
      order: 'full',
    },
    {
      name: 'int time: double-groupby-1',
      sql: `SELECT time_bucket(3600, time) AS hour, hostname, avg(usage_user) FROM cpu WHERE time >= ${a - 3 * 3600} AND time < ${a + 9 * 3600} GROUP BY 1, 2 ORDER BY 1, 2`,
      order: 'full',
    },
    { name: 'int time: lastpoint', sql: `SELECT DISTINCT ON (hostname) * FROM cpu ORDER BY hostname, time DESC`, order: 'full' },
    {
      name: 'int time: high-cpu-all',
      sql: `SELECT * FROM cpu WHERE usage_user > 90.0 AND time >= ${a} AND time < ${a + 6 * 3600}`,
      order: 'none',
    },
    {
      name: 'int time: groupby-orderby-limit',
      sql: `SELECT time_bucket(60, time) AS minute, max(usage_user) FROM cpu WHERE time < ${d + 1234} GROUP BY minute ORDER BY minute DESC LIMIT 5`,
      order: 'full',
    },
    {
      name: 'int time: agg by hour incl. negative times',
      sql: `SELECT time_bucket(3600, time) AS h, count(*), sum(usage_user), stddev(usage_idle) FROM cpu GROUP BY h ORDER BY h`,
      order: 'full',
    },
    { name: 'int time: range inclusive at a day boundary', sql: `SELECT count(*), sum(usage_system) FROM cpu WHERE time BETWEEN ${d - 3600} AND ${d}`, order: 'full' },
    { name: 'int time: negative times', sql: `SELECT time, hostname, usage_user FROM cpu WHERE time <= 0 ORDER BY time`, order: 'full' },
    {
      name: 'int time: $1 parameters',
      sql: `SELECT hostname, count(*), max(usage_user) FROM cpu WHERE time >= $1 AND time < $2 GROUP BY 1 ORDER BY 1`,
      order: 'full',
      params: [String(d - 1800), String(d + 1800)],
    },
    {
      name: 'int time: top-N',
      sql: `SELECT time, hostname, usage_user FROM cpu WHERE hostname IN ('host_1', 'host_2') ORDER BY usage_user DESC NULLS LAST, time, hostname LIMIT 12`,
      order: 'full',
    },
    {
      name: 'int time: join with tags',
      sql: `SELECT t.region, count(*), max(c.time) FROM cpu c JOIN tags t ON t.id = c.tags_id WHERE c.time >= ${d} GROUP BY 1 ORDER BY 1`,
      order: 'full',
    },
    { name: 'int time: first/last (TimescaleDB only)', sql: `SELECT hostname, first(usage_user, time), last(usage_user, time) FROM cpu GROUP BY 1 ORDER BY 1`, order: 'full', pg: false },
  ];
  for (const c of q) if (c.pg === undefined && /time_bucket\(\d+/.test(c.sql)) c.pg = rewriteIntTimeBucketForPostgres(c.sql);
  return q;
}

export function intTimeMutations(): Mutation[] {
  const d = sec('2016-01-02T00:00:00Z');
  return [
    { name: 'int time: UPDATE across a day boundary', sql: `UPDATE cpu SET usage_user = -1 WHERE hostname = 'host_2' AND time >= ${d - 600} AND time < ${d + 600}` },
    { name: 'int time: DELETE by value', sql: `DELETE FROM cpu WHERE usage_idle < 3` },
  ];
}

export function intTimeRequeries(): QueryCase[] {
  return [
    { name: 'int time after writes: per host', sql: `SELECT hostname, count(*), sum(usage_user), min(time), max(time) FROM cpu GROUP BY 1 ORDER BY 1`, order: 'full' },
  ];
}
