/**
 * Issue 3 differential property, part 1: a hypertable returns exactly what the same data in a
 * plain table returns, and the plain table returns what PostgreSQL 15 returns.
 *
 * This file: the plain table vs PostgreSQL 15, and local hypertables (create_hypertable, with
 * and without a space dimension, every chunk interval). The distributed configurations are in
 * differential-distributed.test.ts, the int8-time variant in differential-int-time.test.ts,
 * the randomised property in random.test.ts (split so that vitest runs them in parallel).
 * Data, queries and comparison rules: data.ts, queries.ts, compare.ts; see README.md.
 */
import { localConfigs } from './configs.js';
import { generalQueries, mutations, requeries, tsbsQueries } from './queries.js';
import { defineDifferentialSuite } from './suite.js';

defineDifferentialSuite({
  title: 'hypertable differential (timestamptz): plain vs PostgreSQL, local hypertables',
  time: 'timestamptz',
  configs: localConfigs('timestamptz'),
  queries: [...tsbsQueries(), ...generalQueries()],
  mutations: mutations(),
  requeries: requeries(),
  postgres: true,
});
