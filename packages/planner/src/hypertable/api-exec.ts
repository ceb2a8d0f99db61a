/**
 * CALL distributed_exec(query text, node_list name[] = NULL, transactional bool = true)
 *
 * In TimescaleDB the access node sends `query` verbatim to every data node in
 * node_list (default: all), to keep objects the data nodes need (roles,
 * schemas, functions, reference tables) in step. Strata's data nodes share the
 * access node's catalog and hold only chunk stores, so there is nothing to
 * create or alter per node:
 *
 *  - the query is parsed (a syntax error is reported as a data node would),
 *    node names are checked (42704) and unavailable nodes fail (08006), like a
 *    connection failure;
 *  - catalog statements (CREATE/ALTER/DROP TABLE, SCHEMA, VIEW, INDEX, SET,
 *    RESET and the accepted no-op utilities such as GRANT/ANALYZE) succeed as a
 *    no-op on each node: the objects a data node would need are already
 *    visible to it through the shared catalog, and objects created only on
 *    data nodes are invisible on the access node in TimescaleDB as well;
 *  - statements that read or change data on a data node (SELECT, INSERT,
 *    UPDATE, DELETE, TRUNCATE, COPY, …) cannot run meaningfully per node,
 *    because a node's tables are its chunks, and fail with 0A000.
 *
 * `transactional` is accepted; every effect-free no-op is trivially atomic.
 */
import { T, arrayOf } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { parseSql } from '../parse/index.js';
import type { Statement } from '../parse/ast.js';
import { defineProcedure } from './procedure.js';

const CATALOG_STATEMENTS = new Set<Statement['kind']>(['create_table', 'drop', 'alter_table', 'create_index', 'create_schema', 'create_view', 'set', 'reset', 'noop']);

defineProcedure({
  name: 'distributed_exec',
  params: [
    { name: 'query', type: T.text },
    { name: 'node_list', type: arrayOf(T.name), default: null },
    { name: 'transactional', type: T.bool, default: true },
  ],
  returns: [],
  run(args, { session }) {
    const [query, nodeList] = args as [string | null, Value[] | null, boolean | null];
    if (query === null) throw new SqlError(SQLSTATE.invalidParameterValue, 'query cannot be NULL');
    const nodes = nodeList === null ? session.catalog.listDataNodes().map((n) => n.name) : nodeList.map((n) => String(n));
    if (nodes.length === 0) throw new SqlError('TS170', 'no data nodes to execute command on', { hint: 'Add data nodes before executing a distributed command.' });
    for (const n of nodes) {
      const info = session.catalog.getDataNode(n);
      if (!info.node.available) throw new SqlError('08006', `could not connect to data node "${n}"`, { detail: 'The data node is marked unavailable.', hint: 'Mark it available with alter_data_node(..., available => true).' });
    }
    for (const { statement } of parseSql(query)) {
      if (CATALOG_STATEMENTS.has(statement.kind)) continue;
      const what = statement.kind === 'noop' ? 'this statement' : statement.kind.toUpperCase().replace(/_/g, ' ');
      throw new SqlError(SQLSTATE.featureNotSupported, `distributed_exec cannot run ${what} on data nodes`, {
        detail: 'Strata data nodes share the access node\'s catalog and hold only chunks; only catalog statements (CREATE, ALTER, DROP, SET) are accepted, and they are no-ops per node.',
        hint: 'Run the statement on the access node instead.',
      });
    }
    return [];
  },
});
