/**
 * information_schema relations computed from the catalog at query time.
 * Column names and the text PostgreSQL prints match PostgreSQL 15.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { T, formatType } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import type { Catalog, TableInfo } from '../../../planner/src/catalog/catalog.js';
import type { PlanNode } from '../../../planner/src/plan/nodes.js';

export interface SystemRelation {
  plan: PlanNode;
  names: string[];
}

function relation(label: string, columns: [string, SqlType][], rows: () => Value[][]): SystemRelation {
  return { plan: { op: 'rows', label, rows, types: columns.map((c) => c[1]) }, names: columns.map((c) => c[0]) };
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

export function informationSchema(catalog: Catalog, name: string, database: string): SystemRelation | undefined {
  switch (name) {
    case 'tables':
      return relation(
        'information_schema.tables',
        [['table_catalog', T.name], ['table_schema', T.name], ['table_name', T.name], ['table_type', T.varchar], ['is_insertable_into', T.varchar], ['is_typed', T.varchar]],
        () => userTables(catalog).map((t) => [database, t.schema, t.name, t.kind === 'view' ? 'VIEW' : 'BASE TABLE', t.kind === 'view' ? 'NO' : 'YES', 'NO']),
      );
    case 'columns':
      return relation(
        'information_schema.columns',
        [
          ['table_catalog', T.name], ['table_schema', T.name], ['table_name', T.name], ['column_name', T.name], ['ordinal_position', T.int4],
          ['column_default', T.varchar], ['is_nullable', T.varchar], ['data_type', T.varchar], ['character_maximum_length', T.int4],
          ['numeric_precision', T.int4], ['numeric_scale', T.int4], ['datetime_precision', T.int4], ['udt_name', T.name],
        ],
        () =>
          userTables(catalog).flatMap((t) =>
            t.columns.map((c, i): Value[] => {
              const m = c.type.typmod;
              const charLen = (c.type.id === 'varchar' || c.type.id === 'bpchar') && m >= 0 ? m : null;
              const prec = c.type.id === 'int2' ? 16 : c.type.id === 'int4' ? 32 : c.type.id === 'int8' ? 64 : c.type.id === 'float4' ? 24 : c.type.id === 'float8' ? 53 : c.type.id === 'numeric' && m >= 0 ? (m >> 16) & 0xffff : null;
              const scale = ['int2', 'int4', 'int8'].includes(c.type.id) ? 0 : c.type.id === 'numeric' && m >= 0 ? m & 0xffff : null;
              const dtPrec = ['timestamp', 'timestamptz', 'time', 'interval'].includes(c.type.id) ? (m >= 0 ? m : 6) : c.type.id === 'date' ? 0 : null;
              const def = c.serialSequence ? `nextval('${c.serialSequence}'::regclass)` : c.defaultText ?? null;
              return [database, t.schema, t.name, c.name, i + 1, def, c.notNull ? 'NO' : 'YES', dataType(c.type), charLen, prec, scale, dtPrec, c.type.id === 'array' ? `_${c.type.elem?.id}` : c.type.id];
            }),
          ),
      );
    case 'schemata':
      return relation(
        'information_schema.schemata',
        [['catalog_name', T.name], ['schema_name', T.name], ['schema_owner', T.name]],
        () => catalog.listSchemas().map((s) => [database, s.name, 'strata']),
      );
    default:
      return undefined;
  }
}
