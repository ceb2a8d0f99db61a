/**
 * create_hypertable / create_distributed_hypertable (both the classic and the
 * 2.13 `by_range` forms), add_dimension, set_chunk_time_interval,
 * set_number_partitions, set_replication_factor.
 */
import { T, arrayOf } from '../../../storage/src/types/sql-type.js';
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { Interval, Value } from '../../../storage/src/types/values.js';
import { isInterval } from '../../../storage/src/types/values.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { chunkIntervalToInternal, MAX_NUM_PARTITIONS, type TimeColumnType } from '../../../storage/src/partitioning/dimension.js';
import type { ColumnInfo, TableInfo } from '../catalog/catalog.js';
import type { Dimension, HypertableInfo } from '../catalog/hypertable.js';
import type { StatementSession } from '../statement/session.js';
import { defineProcedure, type ProcedureContext } from './procedure.js';
import { columnArg, hypertableArg, relationArg } from './api-util.js';
import { writeRows } from './write.js';

const TIME_TYPES = new Set(['timestamptz', 'timestamp', 'date', 'int2', 'int4', 'int8']);

function checkTimeColumn(t: TableInfo, c: ColumnInfo): TimeColumnType {
  if (!TIME_TYPES.has(c.type.id)) {
    throw new SqlError(SQLSTATE.invalidParameterValue, `invalid type for dimension "${c.name}"`, { hint: 'Use an integer, timestamp, or date type.' });
  }
  void t;
  return c.type.id as TimeColumnType;
}

function intervalArg(type: TimeColumnType, v: Value): number {
  if (v === null) return chunkIntervalToInternal(type);
  if (isInterval(v)) return chunkIntervalToInternal(type, v as Interval);
  if (typeof v === 'number') return chunkIntervalToInternal(type, v);
  if (typeof v === 'string') {
    if (/^\s*-?\d+\s*$/.test(v)) return chunkIntervalToInternal(type, Number(v));
    throw new SqlError(SQLSTATE.invalidParameterValue, `invalid interval: "${v}"`);
  }
  return chunkIntervalToInternal(type, Number(String(v)));
}

function partitionsArg(v: Value, fallback: number | null): number {
  const n = v === null ? fallback : Number(v);
  if (n === null || !Number.isInteger(n) || n < 1 || n > MAX_NUM_PARTITIONS) {
    throw new SqlError(SQLSTATE.invalidParameterValue, `invalid number of partitions: must be between 1 and ${MAX_NUM_PARTITIONS}`);
  }
  return n;
}

interface CreateOptions {
  timeColumn: Value;
  interval: Value;
  spaceColumn: Value;
  numPartitions: Value;
  ifNotExists: boolean;
  migrateData: boolean;
  distributed: boolean;
  replicationFactor: Value;
  dataNodes: Value;
}

function createHypertable(table: TableInfo, o: CreateOptions, ctx: ProcedureContext): { ht: HypertableInfo; created: boolean } {
  const { session, notice } = ctx;
  if (table.kind !== 'table' || !table.store) throw new SqlError(SQLSTATE.wrongObjectType, `"${table.name}" is not a table`);
  if (table.hypertable) {
    if (o.ifNotExists) {
      notice(`table "${table.name}" is already a hypertable, skipping`);
      return { ht: table.hypertable, created: false };
    }
    throw new SqlError('TS110', `table "${table.name}" is already a hypertable`);
  }
  const timeCol = columnArg(table, o.timeColumn, 'time column');
  const timeType = checkTimeColumn(table, timeCol);
  const interval = intervalArg(timeType, o.interval);
  const dimensions: Dimension[] = [{ kind: 'open', id: session.catalog.allocDimensionId(), columnId: timeCol.id, interval }];
  let dataNodes: string[] = [];
  let replicationFactor = 0;
  if (o.distributed) {
    replicationFactor = o.replicationFactor === null ? 1 : Number(o.replicationFactor);
    const all = session.catalog.listDataNodes().map((n) => n.name);
    dataNodes = o.dataNodes === null ? all : (o.dataNodes as Value[]).map((n) => String(n));
    for (const n of dataNodes) session.catalog.getDataNode(n);
    if (dataNodes.length === 0) throw new SqlError('TS365', 'no data nodes can be assigned to the hypertable', { hint: 'Add data nodes using the add_data_node() function.' });
    if (!Number.isInteger(replicationFactor) || replicationFactor < 1 || replicationFactor > 32767) {
      throw new SqlError(SQLSTATE.invalidParameterValue, 'invalid replication factor', { hint: 'A hypertable\'s replication factor must be between 1 and 32767.' });
    }
    if (replicationFactor > dataNodes.length) {
      throw new SqlError('TS365', 'replication factor too large for hypertable "' + table.name + '"', { detail: `The hypertable has ${dataNodes.length} data nodes attached, while the replication factor is ${replicationFactor}.`, hint: 'Decrease the replication factor or add data nodes to the hypertable.' });
    }
  }
  if (o.spaceColumn !== null) {
    const spaceCol = columnArg(table, o.spaceColumn, 'partitioning column');
    const n = partitionsArg(o.numPartitions, o.distributed ? dataNodes.length : null);
    dimensions.push({ kind: 'closed', id: session.catalog.allocDimensionId(), columnId: spaceCol.id, numPartitions: n });
  } else if (o.numPartitions !== null) {
    throw new SqlError(SQLSTATE.invalidParameterValue, 'invalid number of partitions for dimension', { hint: 'A closed (space) dimension must specify a partitioning column.' });
  }
  checkUniqueConstraints(table, dimensions);
  const existing = table.store.latest().rowCount;
  if (existing > 0 && !o.migrateData) {
    throw new SqlError(SQLSTATE.objectNotInPrerequisiteState, `table "${table.name}" is not empty`, { hint: 'You can migrate data by specifying \'migrate_data => true\' when calling this function.' });
  }
  if (!timeCol.notNull) {
    notice(`adding not-null constraint to column "${timeCol.name}"`);
    timeCol.notNull = true;
    table.store.setNotNull(timeCol.id, true);
    session.undo.push(() => {
      timeCol.notNull = false;
      table.store!.setNotNull(timeCol.id, false);
    });
  }
  const ht: HypertableInfo = {
    id: session.catalog.allocHypertableId(),
    distributed: o.distributed,
    replicationFactor,
    dimensions,
    dataNodes,
    chunks: [],
    chunkIndex: new Map(),
  };
  table.hypertable = ht;
  session.catalog.version++;
  session.undo.push(() => {
    table.hypertable = undefined;
    session.catalog.version++;
  });
  if (existing > 0) migrate(session, table);
  return { ht, created: true };
}

/** TimescaleDB requires every unique index to include all partitioning columns. */
function checkUniqueConstraints(table: TableInfo, dims: Dimension[]): void {
  for (const c of table.constraints) {
    if (c.kind !== 'primary_key' && c.kind !== 'unique') continue;
    for (const d of dims) {
      if (!c.columnIds.includes(d.columnId)) {
        const col = table.columns.find((x) => x.id === d.columnId)!;
        throw new SqlError('TS103', `cannot create a unique index without the column "${col.name}" (used in partitioning)`);
      }
    }
  }
}

/** migrate_data => true: move the table's rows into chunks. */
function migrate(session: StatementSession, table: TableInfo): void {
  const ids = table.store!.columns.map((c) => c.id);
  const batches = [...session.read(table.store!).scan(ids)].map((b) => b.batch);
  session.write(table.store!).truncate();
  const cols = table.columns;
  for (const b of batches) {
    const byId = new Map(ids.map((id, i) => [id, b.columns[i]!]));
    writeRows(session, table, { length: b.length, columns: cols.map((c) => byId.get(c.id)!) });
  }
}

const CLASSIC_PARAMS = [
  { name: 'relation', type: T.unknown },
  { name: 'time_column_name', type: T.unknown },
  { name: 'partitioning_column', type: T.name, default: null },
  { name: 'number_partitions', type: T.int4, default: null },
  { name: 'associated_schema_name', type: T.name, default: null },
  { name: 'associated_table_prefix', type: T.name, default: null },
  { name: 'chunk_time_interval', type: T.unknown, default: null },
  { name: 'create_default_indexes', type: T.bool, default: true },
  { name: 'if_not_exists', type: T.bool, default: false },
  { name: 'partitioning_func', type: T.unknown, default: null },
  { name: 'migrate_data', type: T.bool, default: false },
  { name: 'chunk_target_size', type: T.text, default: null },
  { name: 'chunk_sizing_func', type: T.unknown, default: null },
  { name: 'time_partitioning_func', type: T.unknown, default: null },
  { name: 'replication_factor', type: T.int4, default: null },
  { name: 'data_nodes', type: arrayOf(T.name), default: null },
  { name: 'distributed', type: T.bool, default: null },
  // the 2.13 form: create_hypertable(relation, dimension => by_range(...))
  { name: 'dimension', type: T.record, default: null },
];

const CREATED_ROW: { name: string; type: SqlType }[] = [
  { name: 'hypertable_id', type: T.int4 },
  { name: 'schema_name', type: T.name },
  { name: 'table_name', type: T.name },
  { name: 'created', type: T.bool },
];

defineProcedure({
  name: 'create_hypertable',
  params: CLASSIC_PARAMS,
  returns: CREATED_ROW,
  run(args, ctx) {
    const table = relationArg(ctx.session, args[0]!);
    let dim = Array.isArray(args[1]) ? (args[1] as Value[]) : (args[17] as Value[] | null);
    if (dim && dim[0] !== 'range') throw new SqlError(SQLSTATE.invalidParameterValue, 'the first dimension of a hypertable must be created with by_range()');
    const distributed = args[16] === true;
    if (args[14] !== null && args[16] !== false && Number(args[14]) > 0) {
      // create_hypertable(replication_factor => n) creates a distributed hypertable, as in 2.x
      return runCreate(table, args, ctx, true, dim);
    }
    return runCreate(table, args, ctx, distributed, dim);
  },
});

function runCreate(table: TableInfo, args: Value[], ctx: ProcedureContext, distributed: boolean, dim: Value[] | null): Value[][] {
  const { ht, created } = createHypertable(
    table,
    {
      timeColumn: dim ? dim[1]! : args[1]!,
      interval: dim ? dim[2]! : args[6]!,
      spaceColumn: args[2]!,
      numPartitions: args[3]!,
      ifNotExists: args[8] === true,
      migrateData: args[10] === true,
      distributed,
      replicationFactor: args[14]!,
      dataNodes: args[15]!,
    },
    ctx,
  );
  return [[ht.id, table.schema, table.name, created]];
}

defineProcedure({
  name: 'create_distributed_hypertable',
  // the classic create_hypertable parameters up to data_nodes, in the same order
  params: CLASSIC_PARAMS.slice(0, 16),
  returns: CREATED_ROW,
  run(args, ctx) {
    const table = relationArg(ctx.session, args[0]!);
    return runCreate(table, args, ctx, true, null);
  },
});

defineProcedure({
  name: 'add_dimension',
  params: [
    { name: 'hypertable', type: T.unknown },
    { name: 'column_name', type: T.unknown },
    { name: 'number_partitions', type: T.int4, default: null },
    { name: 'chunk_time_interval', type: T.unknown, default: null },
    { name: 'partitioning_func', type: T.unknown, default: null },
    { name: 'if_not_exists', type: T.bool, default: false },
  ],
  returns: [{ name: 'dimension_id', type: T.int4 }, { name: 'created', type: T.bool }],
  run(args, { session, notice }) {
    const table = hypertableArg(session, args[0]!);
    const ht = table.hypertable!;
    const dim = Array.isArray(args[1]) ? (args[1] as Value[]) : null;
    const colName = dim ? dim[1]! : args[1]!;
    const col = columnArg(table, colName, 'column');
    if (ht.dimensions.some((d) => d.columnId === col.id)) {
      if (args[5] === true) {
        notice(`column "${col.name}" is already a dimension, skipping`);
        return [[ht.dimensions.find((d) => d.columnId === col.id)!.id, false]];
      }
      throw new SqlError('TS140', `column "${col.name}" is already a dimension`);
    }
    if (dim && dim[0] === 'range') throw new SqlError(SQLSTATE.featureNotSupported, 'only one time dimension is supported');
    if (ht.dimensions.some((d) => d.kind === 'closed')) throw new SqlError(SQLSTATE.featureNotSupported, 'only one space dimension is supported');
    if (ht.chunks.length > 0) throw new SqlError(SQLSTATE.featureNotSupported, `hypertable "${table.name}" has data or empty chunks`, { hint: 'Add the dimension before inserting data.' });
    const n = partitionsArg(dim ? dim[2]! : args[2]!, ht.distributed ? ht.dataNodes.length : null);
    const d: Dimension = { kind: 'closed', id: session.catalog.allocDimensionId(), columnId: col.id, numPartitions: n };
    checkUniqueConstraints(table, [...ht.dimensions, d]);
    ht.dimensions.push(d);
    session.undo.push(() => ht.dimensions.splice(ht.dimensions.indexOf(d), 1));
    return [[d.id, true]];
  },
});

defineProcedure({
  name: 'set_chunk_time_interval',
  params: [{ name: 'hypertable', type: T.unknown }, { name: 'chunk_time_interval', type: T.unknown }, { name: 'dimension_name', type: T.name, default: null }],
  returns: [{ name: 'set_chunk_time_interval', type: T.text }],
  run(args, { session }) {
    const table = hypertableArg(session, args[0]!);
    const open = table.hypertable!.dimensions.find((d) => d.kind === 'open')!;
    const col = table.columns.find((c) => c.id === open.columnId)!;
    if (open.kind !== 'open') throw new Error('unreachable');
    const old = open.interval;
    open.interval = intervalArg(col.type.id as TimeColumnType, args[1]!);
    session.undo.push(() => (open.interval = old));
    return [[null]];
  },
});

defineProcedure({
  name: 'set_number_partitions',
  params: [{ name: 'hypertable', type: T.unknown }, { name: 'number_partitions', type: T.int4 }, { name: 'dimension_name', type: T.name, default: null }],
  returns: [{ name: 'set_number_partitions', type: T.text }],
  run(args, { session }) {
    const table = hypertableArg(session, args[0]!);
    const closed = table.hypertable!.dimensions.find((d) => d.kind === 'closed');
    if (!closed || closed.kind !== 'closed') throw new SqlError('TS001', `hypertable "${table.name}" has no space dimension`, { hint: 'A closed (space) dimension is required to set the number of partitions.' });
    const old = closed.numPartitions;
    closed.numPartitions = partitionsArg(args[1]!, null);
    session.undo.push(() => (closed.numPartitions = old));
    return [[null]];
  },
});

defineProcedure({
  name: 'set_replication_factor',
  params: [{ name: 'hypertable', type: T.unknown }, { name: 'replication_factor', type: T.int4 }],
  returns: [{ name: 'set_replication_factor', type: T.text }],
  run(args, { session }) {
    const table = hypertableArg(session, args[0]!);
    const ht = table.hypertable!;
    if (!ht.distributed) throw new SqlError('TS001', `hypertable "${table.name}" is not distributed`);
    const rf = Number(args[1]);
    if (!Number.isInteger(rf) || rf < 1) throw new SqlError(SQLSTATE.invalidParameterValue, 'invalid replication factor', { hint: 'A hypertable\'s replication factor must be between 1 and 32767.' });
    if (rf > ht.dataNodes.length) throw new SqlError('TS365', `replication factor too large for hypertable "${table.name}"`, { detail: `The hypertable has ${ht.dataNodes.length} data nodes attached, while the replication factor is ${rf}.` });
    const old = ht.replicationFactor;
    ht.replicationFactor = rf;
    session.undo.push(() => (ht.replicationFactor = old));
    return [[null]];
  },
});
