/**
 * TimescaleDB 2.13's information views, computed from the catalog when the
 * statement runs: timescaledb_information.hypertables / chunks / dimensions /
 * data_nodes and timescaledb_experimental.chunk_replication_status. Column
 * names, types and value formats follow the view definitions in TimescaleDB's
 * sql/views.sql and sql/views_experimental.sql:
 *
 *  - data node lists are `array_agg(node_name ORDER BY node_name)`, NULL for
 *    non-distributed hypertables and chunks;
 *  - a chunk's range is its open-dimension slice: timestamptz range_start /
 *    range_end for timestamp, timestamptz and date columns (integer columns
 *    leave them NULL and fill range_start_integer / range_end_integer);
 *  - dimensions.time_interval is `_timescaledb_functions.to_interval(µs)`
 *    (whole days plus a time part), integer_interval the raw integer width;
 *  - regtype columns (primary_dimension_type, column_type) are text with
 *    PostgreSQL's type name, which is what regtype prints;
 *  - data_nodes.options is the foreign server's srvoptions text[].
 *
 * Rows come out in hypertable id, then chunk id order (the views themselves
 * only order chunk_replication_status).
 */
import { T, formatType } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import { MICROS_PER_DAY } from '../../../storage/src/types/values.js';
import type { TableInfo } from '../../../planner/src/catalog/catalog.js';
import type { ChunkInfo, Dimension } from '../../../planner/src/catalog/hypertable.js';
import { openDimension } from '../../../planner/src/catalog/hypertable.js';
import type { EngineCore } from '../engine/core.js';
import type { Session } from '../engine/session.js';
import { C, relation, type Columns, type SystemRelation } from './system-relation.js';
import { effectiveSearchPath } from './relations.js';

interface ViewContext {
  core: EngineCore;
  session: Session;
}

interface ViewDef {
  schema: 'timescaledb_information' | 'timescaledb_experimental';
  name: string;
  columns: Columns;
  rows(ctx: ViewContext): Value[][];
}

const TIME_TYPES = new Set(['timestamp', 'timestamptz', 'date']);

function hypertables(ctx: ViewContext): TableInfo[] {
  return ctx.core.catalog.listHypertables();
}

function columnOf(t: TableInfo, d: Dimension) {
  return t.columns.find((c) => c.id === d.columnId)!;
}

function sortedNodes(nodes: readonly string[]): string[] | null {
  const named = nodes.filter((n) => n !== '');
  return named.length === 0 ? null : [...named].sort();
}

function chunksOf(t: TableInfo): ChunkInfo[] {
  return [...t.hypertable!.chunks].sort((a, b) => a.id - b.id);
}

/** _timescaledb_functions.to_interval: whole days and the remaining time; no months. */
function toInterval(micros: number): Value {
  const days = Math.trunc(micros / MICROS_PER_DAY);
  return { months: 0, days, micros: micros - days * MICROS_PER_DAY };
}

const VIEWS: readonly ViewDef[] = [
  {
    schema: 'timescaledb_information',
    name: 'hypertables',
    columns: [
      ['hypertable_schema', C.name], ['hypertable_name', C.name], ['owner', C.name], ['num_dimensions', C.int2], ['num_chunks', C.int8],
      ['compression_enabled', C.bool], ['is_distributed', C.bool], ['replication_factor', C.int2], ['data_nodes', C.nameArray], ['tablespaces', C.nameArray],
    ],
    rows: (ctx) =>
      hypertables(ctx).map((t) => {
        const ht = t.hypertable!;
        return [
          t.schema, t.name, ctx.core.user, ht.dimensions.length, ht.chunks.length, false, ht.distributed,
          ht.distributed ? ht.replicationFactor : null, ht.distributed ? sortedNodes(ht.dataNodes) : null, null,
        ];
      }),
  },
  {
    schema: 'timescaledb_information',
    name: 'chunks',
    columns: [
      ['hypertable_schema', C.name], ['hypertable_name', C.name], ['chunk_schema', C.name], ['chunk_name', C.name], ['primary_dimension', C.name],
      ['primary_dimension_type', C.text], ['range_start', C.timestamptz], ['range_end', C.timestamptz], ['range_start_integer', C.int8],
      ['range_end_integer', C.int8], ['is_compressed', C.bool], ['chunk_tablespace', C.name], ['data_nodes', C.nameArray],
    ],
    rows: (ctx) =>
      hypertables(ctx).flatMap((t) => {
        const ht = t.hypertable!;
        const col = columnOf(t, openDimension(ht));
        const isTime = TIME_TYPES.has(col.type.id);
        return chunksOf(t).map((c): Value[] => [
          t.schema, t.name, c.schema, c.name, col.name, formatType(col.type),
          isTime ? c.timeStart : null, isTime ? c.timeEnd : null, isTime ? null : c.timeStart, isTime ? null : c.timeEnd,
          false, null, ht.distributed ? sortedNodes(c.nodes) : null,
        ]);
      }),
  },
  {
    schema: 'timescaledb_information',
    name: 'dimensions',
    columns: [
      ['hypertable_schema', C.name], ['hypertable_name', C.name], ['dimension_number', C.int8], ['column_name', C.name], ['column_type', C.text],
      ['dimension_type', C.text], ['time_interval', T.interval], ['integer_interval', C.int8], ['integer_now_func', C.name], ['num_partitions', C.int2],
    ],
    rows: (ctx) =>
      hypertables(ctx).flatMap((t) =>
        [...t.hypertable!.dimensions]
          .sort((a, b) => a.id - b.id)
          .map((d, i): Value[] => {
            const col = columnOf(t, d);
            const open = d.kind === 'open';
            const isTime = TIME_TYPES.has(col.type.id);
            return [
              t.schema, t.name, i + 1, col.name, formatType(col.type), open ? 'Time' : 'Space',
              open && isTime ? toInterval(d.interval) : null, open && !isTime ? d.interval : null, null, d.kind === 'closed' ? d.numPartitions : null,
            ];
          }),
      ),
  },
  {
    schema: 'timescaledb_information',
    name: 'data_nodes',
    columns: [['node_name', C.name], ['owner', C.name], ['options', C.textArray]],
    rows: (ctx) =>
      ctx.core.catalog.listDataNodes().map((n) => {
        const options = [`host=${n.host}`, `port=${n.port}`, `dbname=${n.database}`];
        if (!n.node.available) options.push('available=false');
        return [n.name, ctx.core.user, options];
      }),
  },
  {
    schema: 'timescaledb_experimental',
    name: 'chunk_replication_status',
    columns: [
      ['hypertable_schema', C.name], ['hypertable_name', C.name], ['chunk_schema', C.name], ['chunk_name', C.name], ['desired_num_replicas', C.int2],
      ['num_replicas', C.int8], ['replica_nodes', C.nameArray], ['non_replica_nodes', C.nameArray],
    ],
    rows: (ctx) =>
      hypertables(ctx)
        .filter((t) => t.hypertable!.distributed)
        .flatMap((t) => {
          const ht = t.hypertable!;
          return chunksOf(t).map((c): Value[] => {
            const missing = ht.dataNodes.filter((n) => !c.nodes.includes(n)).sort();
            return [t.schema, t.name, c.schema, c.name, ht.replicationFactor, c.nodes.length, [...c.nodes], missing.length > 0 ? missing : null];
          });
        }),
  },
];

const BY_NAME = new Map(VIEWS.map((v) => [`${v.schema}.${v.name}`, v]));

/** timescaledb_information.* / timescaledb_experimental.*; unqualified names only when a schema is on the search path. */
export function timescaledbRelation(core: EngineCore, session: Session, schema: string | undefined, name: string): SystemRelation | undefined {
  const schemas = schema !== undefined ? [schema] : effectiveSearchPath(session);
  for (const s of schemas) {
    const v = BY_NAME.get(`${s}.${name}`);
    if (v) return relation(`${v.schema}.${v.name}`, v.columns, () => v.rows({ core, session }));
  }
  return undefined;
}
