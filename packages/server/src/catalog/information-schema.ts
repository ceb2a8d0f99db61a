/**
 * information_schema relations computed from the catalog at query time.
 * Column names and the text PostgreSQL prints match PostgreSQL 15.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { T, formatType } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import type { Catalog, TableInfo } from '../../../planner/src/catalog/catalog.js';
import type { Columns } from './system-relation.js';
import { INFORMATION_SCHEMA_OIDS } from './oids.js';
import type { CatalogContext, SystemDef } from './relations.js';
import { constraintsOf } from './pg-class.js';
import { procs } from './pg-proc.js';
import { defaultText } from './deparse.js';
import { viewDefinition } from './pg-views.js';

const yesNo = (b: boolean) => (b ? 'YES' : 'NO');

function def(name: string, columns: Columns, rows: (ctx: CatalogContext) => Value[][]): SystemDef {
  return { schema: 'information_schema', name, oid: INFORMATION_SCHEMA_OIDS[name]!, kind: 'v', columns, rows };
}

/** information_schema.columns.data_type: the SQL-standard spelling without modifiers. */
function dataType(t: SqlType): string {
  if (t.id === 'array') return 'ARRAY';
  if (t.id === 'varchar') return 'character varying';
  if (t.id === 'bpchar') return 'character';
  if (t.id === 'numeric') return 'numeric';
  if (t.id === 'timestamp') return 'timestamp without time zone';
  if (t.id === 'timestamptz') return 'timestamp with time zone';
  if (t.id === 'time') return 'time without time zone';
  const f = formatType({ ...t, typmod: -1 });
  return f;
}

function userTables(catalog: Catalog): TableInfo[] {
  return catalog.listTables().sort((a, b) => a.oid - b.oid);
}

const CONSTRAINT_TYPE = { primary_key: 'PRIMARY KEY', unique: 'UNIQUE', check: 'CHECK' } as const;

export const INFORMATION_SCHEMA_RELATIONS: readonly SystemDef[] = [
  def(
    'tables',
    [['table_catalog', T.name], ['table_schema', T.name], ['table_name', T.name], ['table_type', T.varchar], ['is_insertable_into', T.varchar], ['is_typed', T.varchar]],
    (ctx) => userTables(ctx.catalog).map((t) => [ctx.core.database, t.schema, t.name, t.kind === 'view' ? 'VIEW' : 'BASE TABLE', t.kind === 'view' ? 'NO' : 'YES', 'NO']),
  ),
  def(
    'columns',
    [
      ['table_catalog', T.name], ['table_schema', T.name], ['table_name', T.name], ['column_name', T.name], ['ordinal_position', T.int4],
      ['column_default', T.varchar], ['is_nullable', T.varchar], ['data_type', T.varchar], ['character_maximum_length', T.int4],
      ['numeric_precision', T.int4], ['numeric_scale', T.int4], ['datetime_precision', T.int4], ['udt_name', T.name],
      ['is_identity', T.varchar], ['is_generated', T.varchar], ['is_updatable', T.varchar],
    ],
    (ctx) =>
      userTables(ctx.catalog).flatMap((t) =>
        t.columns.map((c, i): Value[] => {
          const m = c.type.typmod;
          const charLen = (c.type.id === 'varchar' || c.type.id === 'bpchar') && m >= 0 ? m : null;
          const prec = c.type.id === 'int2' ? 16 : c.type.id === 'int4' ? 32 : c.type.id === 'int8' ? 64 : c.type.id === 'float4' ? 24 : c.type.id === 'float8' ? 53 : c.type.id === 'numeric' && m >= 0 ? (m >> 16) & 0xffff : null;
          const scale = ['int2', 'int4', 'int8'].includes(c.type.id) ? 0 : c.type.id === 'numeric' && m >= 0 ? m & 0xffff : null;
          const dtPrec = ['timestamp', 'timestamptz', 'time', 'interval'].includes(c.type.id) ? (m >= 0 ? m : 6) : c.type.id === 'date' ? 0 : null;
          const udt = c.type.id === 'array' ? `_${c.type.elem?.id}` : c.type.id;
          return [ctx.core.database, t.schema, t.name, c.name, i + 1, defaultText(c, t, false), yesNo(!c.notNull), dataType(c.type), charLen, prec, scale, dtPrec, udt, 'NO', 'NEVER', yesNo(t.kind === 'table')];
        }),
      ),
  ),
  def('schemata', [['catalog_name', T.name], ['schema_name', T.name], ['schema_owner', T.name]], (ctx) =>
    ctx.catalog.listSchemas().map((s) => [ctx.core.database, s.name, s.name === 'public' ? 'pg_database_owner' : ctx.core.user]),
  ),
  def(
    'views',
    [['table_catalog', T.name], ['table_schema', T.name], ['table_name', T.name], ['view_definition', T.varchar], ['check_option', T.varchar], ['is_updatable', T.varchar], ['is_insertable_into', T.varchar], ['is_trigger_updatable', T.varchar], ['is_trigger_deletable', T.varchar], ['is_trigger_insertable_into', T.varchar]],
    (ctx) => userTables(ctx.catalog).filter((t) => t.kind === 'view').map((t) => [ctx.core.database, t.schema, t.name, t.view ? viewDefinition(t.view.text) : null, 'NONE', 'NO', 'NO', 'NO', 'NO', 'NO']),
  ),
  def(
    'table_constraints',
    [['constraint_catalog', T.name], ['constraint_schema', T.name], ['constraint_name', T.name], ['table_catalog', T.name], ['table_schema', T.name], ['table_name', T.name], ['constraint_type', T.varchar], ['is_deferrable', T.varchar], ['initially_deferred', T.varchar], ['enforced', T.varchar], ['nulls_distinct', T.varchar]],
    (ctx) => {
      const db = ctx.core.database;
      const keyed = constraintsOf(ctx).map(({ table, c }) => [db, table.schema, c.name, db, table.schema, table.name, CONSTRAINT_TYPE[c.kind], 'NO', 'NO', 'YES', c.kind === 'check' ? null : 'YES']);
      // NOT NULL columns appear as CHECK constraints named <nspoid>_<reloid>_<attnum>_not_null, as in PostgreSQL 15
      const notNull = userTables(ctx.catalog).filter((t) => t.kind === 'table').flatMap((t) =>
        t.columns.filter((c) => c.notNull).map((c) => [db, t.schema, `${ctx.catalog.getSchema(t.schema)?.oid ?? 0}_${t.oid}_${c.attnum}_not_null`, db, t.schema, t.name, 'CHECK', 'NO', 'NO', 'YES', null]),
      );
      return [...keyed, ...notNull];
    },
  ),
  def(
    'key_column_usage',
    [['constraint_catalog', T.name], ['constraint_schema', T.name], ['constraint_name', T.name], ['table_catalog', T.name], ['table_schema', T.name], ['table_name', T.name], ['column_name', T.name], ['ordinal_position', T.int4], ['position_in_unique_constraint', T.int4]],
    (ctx) =>
      constraintsOf(ctx)
        .filter(({ c }) => c.kind !== 'check')
        .flatMap(({ table, c }) =>
          c.columnIds.map((id, i) => [ctx.core.database, table.schema, c.name, ctx.core.database, table.schema, table.name, table.columns.find((x) => x.id === id)?.name ?? null, i + 1, null]),
        ),
  ),
  def(
    'check_constraints',
    [['constraint_catalog', T.name], ['constraint_schema', T.name], ['constraint_name', T.name], ['check_clause', T.varchar]],
    (ctx) => constraintsOf(ctx).filter(({ c }) => c.kind === 'check').map(({ table, c }) => [ctx.core.database, table.schema, c.name, c.checkText ?? null]),
  ),
  def(
    'routines',
    [['specific_catalog', T.name], ['specific_schema', T.name], ['specific_name', T.name], ['routine_catalog', T.name], ['routine_schema', T.name], ['routine_name', T.name], ['routine_type', T.varchar], ['data_type', T.varchar], ['routine_body', T.varchar], ['external_language', T.varchar], ['is_deterministic', T.varchar]],
    (ctx) =>
      procs()
        .filter((p) => p.kind === 'f')
        .map((p) => [ctx.core.database, 'pg_catalog', `${p.name}_${p.oid}`, ctx.core.database, 'pg_catalog', p.name, 'FUNCTION', p.retText, 'EXTERNAL', 'INTERNAL', yesNo(p.volatility === 'immutable')]),
  ),
  def(
    'sequences',
    [['sequence_catalog', T.name], ['sequence_schema', T.name], ['sequence_name', T.name], ['data_type', T.varchar], ['numeric_precision', T.int4], ['numeric_precision_radix', T.int4], ['numeric_scale', T.int4], ['start_value', T.varchar], ['minimum_value', T.varchar], ['maximum_value', T.varchar], ['increment', T.varchar], ['cycle_option', T.varchar]],
    (ctx) => [...ctx.catalog.sequences.values()].map((s) => [ctx.core.database, 'public', s.name, 'bigint', 64, 2, 0, '1', '1', '9223372036854775807', '1', 'NO']),
  ),
];
