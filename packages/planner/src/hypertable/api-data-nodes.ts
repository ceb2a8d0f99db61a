/**
 * Data node management: add_data_node, delete_data_node, alter_data_node,
 * attach_data_node, detach_data_node (TimescaleDB 2.13 signatures). Without a
 * host a data node runs in this process.
 */
import { T, arrayOf } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { DataNode } from '../../../storage/src/node/data-node.js';
import { defineProcedure } from './procedure.js';
import { hypertableArg } from './api-util.js';

const NODE_ROW = [
  { name: 'node_name', type: T.name },
  { name: 'host', type: T.text },
  { name: 'port', type: T.int4 },
  { name: 'database', type: T.name },
  { name: 'node_created', type: T.bool },
  { name: 'database_created', type: T.bool },
  { name: 'extension_created', type: T.bool },
];

defineProcedure({
  name: 'add_data_node',
  params: [
    { name: 'node_name', type: T.name },
    { name: 'host', type: T.text, default: null },
    { name: 'database', type: T.name, default: null },
    { name: 'port', type: T.int4, default: null },
    { name: 'if_not_exists', type: T.bool, default: false },
    { name: 'bootstrap', type: T.bool, default: true },
    { name: 'password', type: T.text, default: null },
  ],
  returns: NODE_ROW,
  run(args, { session, notice }) {
    const [name, host, database, port, ifNotExists] = args as [string | null, string | null, string | null, number | null, boolean];
    if (name === null) throw new SqlError(SQLSTATE.invalidParameterValue, 'data node name cannot be NULL');
    if (host !== null && host !== 'localhost' && host !== '127.0.0.1' && host !== '::1') {
      throw new SqlError(SQLSTATE.featureNotSupported, `remote data nodes are not supported yet: "${name}" would be on host "${host}"`, { hint: 'Omit host (or use localhost) for an in-process data node.' });
    }
    const existing = session.catalog.findDataNode(name);
    if (existing) {
      if (ifNotExists) {
        notice(`data node "${name}" already exists, skipping`);
        return [[name, existing.host, existing.port, existing.database, false, false, false]];
      }
      throw new SqlError(SQLSTATE.duplicateObject, `server "${name}" already exists`);
    }
    const info = { name, host: host ?? 'localhost', port: port ?? 5432, database: database ?? 'strata', node: new DataNode(name) };
    session.catalog.addDataNode(info, session.undo);
    return [[name, info.host, info.port, info.database, true, true, true]];
  },
});

defineProcedure({
  name: 'delete_data_node',
  params: [
    { name: 'node_name', type: T.name },
    { name: 'if_exists', type: T.bool, default: false },
    { name: 'force', type: T.bool, default: false },
    { name: 'repartition', type: T.bool, default: true },
    { name: 'drop_database', type: T.bool, default: false },
  ],
  returns: [{ name: 'delete_data_node', type: T.bool }],
  run(args, { session, notice }) {
    const [name, ifExists, force, repartition] = args as [string, boolean, boolean, boolean];
    if (!session.catalog.findDataNode(name)) {
      if (ifExists) {
        notice(`data node "${name}" does not exist, skipping`);
        return [[false]];
      }
      throw new SqlError(SQLSTATE.undefinedObject, `server "${name}" does not exist`);
    }
    detachEverywhere(session, name, force, repartition);
    session.catalog.removeDataNode(name, session.undo);
    return [[true]];
  },
});

/** Remove a node from every hypertable; chunks only there block it unless forced and replicated elsewhere. */
function detachEverywhere(session: import('../statement/session.js').StatementSession, name: string, force: boolean, repartition: boolean, only?: string): number {
  let count = 0;
  for (const t of session.catalog.listHypertables()) {
    const ht = t.hypertable!;
    if (only && t.name !== only) continue;
    if (!ht.dataNodes.includes(name)) continue;
    const sole = ht.chunks.filter((c) => c.nodes.length === 1 && c.nodes[0] === name);
    if (sole.length > 0) {
      throw new SqlError('TS001', `insufficient number of data nodes for distributed hypertable "${t.name}"`, {
        detail: `Reducing the number of available data nodes on distributed hypertable "${t.name}" prevents full replication of ${sole.length} chunk${sole.length > 1 ? 's' : ''}.`,
        hint: 'Increase the number of available data nodes on the distributed hypertable.',
      });
    }
    const replicated = ht.chunks.filter((c) => c.nodes.includes(name));
    if (replicated.length > 0 && !force) {
      throw new SqlError('TS001', `data node "${name}" still holds data for distributed hypertable "${t.name}"`, { hint: 'Use force => true to remove the replicas on this node (the data stays on other replicas).' });
    }
    for (const c of replicated) {
      const i = c.nodes.indexOf(name);
      const store = c.stores.get(name)!;
      c.nodes.splice(i, 1);
      c.stores.delete(name);
      session.catalog.nodeFor(name).dropChunk(c.id);
      session.undo.push(() => {
        c.nodes.splice(i, 0, name);
        c.stores.set(name, store);
        session.catalog.nodeFor(name).restoreChunk(c.id, store);
      });
    }
    const before = ht.dataNodes;
    ht.dataNodes = ht.dataNodes.filter((n) => n !== name);
    session.undo.push(() => (ht.dataNodes = before));
    if (repartition) {
      const closed = ht.dimensions.find((d) => d.kind === 'closed');
      if (closed && closed.kind === 'closed' && closed.numPartitions > ht.dataNodes.length && ht.dataNodes.length > 0) {
        const old = closed.numPartitions;
        closed.numPartitions = ht.dataNodes.length;
        session.undo.push(() => (closed.numPartitions = old));
      }
    }
    count++;
  }
  return count;
}

defineProcedure({
  name: 'detach_data_node',
  params: [
    { name: 'node_name', type: T.name },
    { name: 'hypertable', type: T.unknown, default: null },
    { name: 'if_attached', type: T.bool, default: false },
    { name: 'force', type: T.bool, default: false },
    { name: 'repartition', type: T.bool, default: true },
    { name: 'drop_remote_data', type: T.bool, default: false },
  ],
  returns: [{ name: 'detach_data_node', type: T.int4 }],
  run(args, { session }) {
    const [name, hypertable, , force, repartition] = args as [string, Value, boolean, boolean, boolean];
    session.catalog.getDataNode(name);
    const only = hypertable === null ? undefined : hypertableArg(session, hypertable).name;
    return [[detachEverywhere(session, name, force, repartition, only)]];
  },
});

defineProcedure({
  name: 'attach_data_node',
  params: [
    { name: 'node_name', type: T.name },
    { name: 'hypertable', type: T.unknown },
    { name: 'if_not_attached', type: T.bool, default: false },
    { name: 'repartition', type: T.bool, default: true },
  ],
  returns: [{ name: 'hypertable_id', type: T.int4 }, { name: 'node_hypertable_id', type: T.int4 }, { name: 'node_name', type: T.name }],
  run(args, { session, notice }) {
    const [name, hypertable, ifNotAttached, repartition] = args as [string, Value, boolean, boolean];
    session.catalog.getDataNode(name);
    const t = hypertableArg(session, hypertable);
    const ht = t.hypertable!;
    if (!ht.distributed) throw new SqlError('TS001', `hypertable "${t.name}" is not distributed`);
    if (ht.dataNodes.includes(name)) {
      if (ifNotAttached) {
        notice(`data node "${name}" is already attached to hypertable "${t.name}", skipping`);
        return [[ht.id, ht.id, name]];
      }
      throw new SqlError('TS001', `data node "${name}" is already attached to hypertable "${t.name}"`);
    }
    const before = ht.dataNodes;
    ht.dataNodes = [...ht.dataNodes, name];
    session.undo.push(() => (ht.dataNodes = before));
    const closed = ht.dimensions.find((d) => d.kind === 'closed');
    if (repartition && closed && closed.kind === 'closed' && closed.numPartitions < ht.dataNodes.length) {
      const old = closed.numPartitions;
      closed.numPartitions = ht.dataNodes.length;
      session.undo.push(() => (closed.numPartitions = old));
    }
    return [[ht.id, ht.id, name]];
  },
});

defineProcedure({
  name: 'alter_data_node',
  params: [
    { name: 'node_name', type: T.name },
    { name: 'host', type: T.text, default: null },
    { name: 'database', type: T.name, default: null },
    { name: 'port', type: T.int4, default: null },
    { name: 'available', type: T.bool, default: null },
  ],
  returns: [{ name: 'node_name', type: T.name }, { name: 'host', type: T.text }, { name: 'port', type: T.int4 }, { name: 'database', type: T.name }, { name: 'available', type: T.bool }],
  run(args, { session }) {
    const [name, , , , available] = args as [string, string | null, string | null, number | null, boolean | null];
    const info = session.catalog.getDataNode(name);
    if (available !== null && available !== info.node.available) {
      const old = info.node.available;
      info.node.available = available;
      session.undo.push(() => (info.node.available = old));
    }
    return [[info.name, info.host, info.port, info.database, info.node.available]];
  },
});

export const DATA_NODE_LIST_TYPE = arrayOf(T.name);
