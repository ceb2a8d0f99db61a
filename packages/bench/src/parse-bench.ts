/** `npx tsx packages/bench/src/parse-bench.ts`: parser throughput on TSBS queries, Strata vs node-sql-parser. */
import { Bench } from 'tinybench';
import nsp from 'node-sql-parser/build/postgresql.js';
import { parseSql, clearParseCache } from '../../planner/src/parse/index.js';

const QUERIES = [
  `SELECT time_bucket('60 seconds', time) AS minute, max(usage_user) as max_usage_user FROM cpu WHERE hostname IN ('host_9','host_3') AND time >= '2016-01-01 05:23:11.646325 +0000' AND time < '2016-01-01 06:23:11.646325 +0000' GROUP BY minute ORDER BY minute ASC`,
  `WITH cpu_avg AS (SELECT time_bucket('3600 seconds', time) as hour, hostname, avg(usage_user) as mean_usage_user FROM cpu WHERE time >= '2016-01-01 00:00:00 +0000' AND time < '2016-01-01 12:00:00 +0000' GROUP BY 1, 2) SELECT hour, hostname, mean_usage_user FROM cpu_avg ORDER BY hour, hostname`,
  `SELECT DISTINCT ON (hostname) * FROM cpu ORDER BY hostname, time DESC`,
];

const { Parser } = nsp as unknown as { Parser: new () => { astify(sql: string, opts: object): unknown } };
const other = new Parser();
const bench = new Bench({ time: 1000 });
bench.add('strata parseSql (uncached)', () => {
  clearParseCache();
  for (const q of QUERIES) parseSql(q);
});
bench.add('node-sql-parser astify', () => {
  for (const q of QUERIES) other.astify(q, { database: 'PostgresQL' });
});
await bench.run();
for (const t of bench.tasks) {
  const r = t.result as { latency?: { mean?: number } } | undefined;
  console.log(`${t.name.padEnd(30)} ${((r?.latency?.mean ?? NaN) * 1000 / QUERIES.length).toFixed(1)} µs/query`);
}
