/**
 * Issue 3 differential property, part 3: hypertables on an int8 time column (seconds since
 * the epoch, integer chunk_time_interval) return what the plain int8 table returns, and the
 * plain table what PostgreSQL 15 returns (integer time_bucket rewritten to floor division).
 */
import type { TableConfig } from './configs.js';
import { intTimeMutations, intTimeQueries, intTimeRequeries } from './queries.js';
import { defineDifferentialSuite } from './suite.js';

const configs: TableConfig[] = [
  { kind: 'local', time: 'int8', chunk: '1 hour' },
  { kind: 'local', time: 'int8', chunk: '1 day', partitions: 3 },
  { kind: 'distributed', time: 'int8', nodes: 1, partitions: 2, rf: 1, chunk: '1 day' },
  { kind: 'distributed', time: 'int8', nodes: 2, partitions: 4, rf: 2, chunk: '6 hours' },
  { kind: 'distributed', time: 'int8', nodes: 3, partitions: 3, rf: 1, chunk: '1 hour' },
  { kind: 'distributed', time: 'int8', nodes: 5, partitions: 1, rf: 2, chunk: '6 hours' },
];

defineDifferentialSuite({
  title: 'hypertable differential (int8 time)',
  time: 'int8',
  configs,
  queries: intTimeQueries(),
  mutations: intTimeMutations(),
  requeries: intTimeRequeries(),
  postgres: true,
});
