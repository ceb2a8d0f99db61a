/**
 * Issue 3 differential property, part 2: distributed hypertables (1, 2, 3, 5 data nodes;
 * number_partitions ∈ {nodes, 1, 2·nodes}; replication_factor 1 and 2; chunk intervals
 * 1 hour / 6 hours / 1 day) return exactly what the plain table returns.
 * STRATA_HT_FULL=1 runs every chunk interval for every (nodes, partitions, rf) combination.
 * Plus four configurations whose partitioning (number_partitions, an attached data node, the
 * chunk interval) changes half-way through the load.
 */
import { distributedConfigs, repartitionedConfigs } from './configs.js';
import { generalQueries, mutations, requeries, tsbsQueries } from './queries.js';
import { defineDifferentialSuite } from './suite.js';

defineDifferentialSuite({
  title: 'hypertable differential (timestamptz): distributed hypertables',
  time: 'timestamptz',
  configs: [...distributedConfigs('timestamptz'), ...repartitionedConfigs('timestamptz')],
  queries: [...tsbsQueries(), ...generalQueries()],
  mutations: mutations(),
  requeries: requeries(),
  postgres: false,
});
