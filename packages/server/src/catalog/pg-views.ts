/** pg_tables, pg_views, pg_indexes, pg_sequences, pg_sequence and pg_stat_user_tables. */
import type { Value } from '../../../storage/src/types/values.js';
import { TYPE_OIDS } from '../../../storage/src/types/sql-type.js';
import { C, type Columns } from './system-relation.js';
import { SYSTEM_RELATION_OIDS } from './oids.js';
import { listRelations, sequenceOwner, type CatalogContext, type SystemDef } from './relations.js';
import { indexDef } from './deparse.js';

const view = (name: string, columns: Columns, rows: (ctx: CatalogContext) => Value[][]): SystemDef => ({
  schema: 'pg_catalog', name, oid: SYSTEM_RELATION_OIDS[name]!, kind: 'v', columns, rows,
});

/** pg_get_viewdef: Strata keeps the text the view was created with rather than re-deparsing it. */
export function viewDefinition(text: string): string {
  const body = text.trim().replace(/;+\s*$/, '');
  return ` ${body};`;
}

const pgTables = view(
  'pg_tables',
  [['schemaname', C.name], ['tablename', C.name], ['tableowner', C.name], ['tablespace', C.name], ['hasindexes', C.bool], ['hasrules', C.bool], ['hastriggers', C.bool], ['rowsecurity', C.bool]],
  (ctx) =>
    listRelations(ctx)
      .filter((r) => r.kind === 'r')
      .map((r) => [r.schema, r.name, ctx.core.user, null, !!r.table && ctx.catalog.listIndexes().some((ix) => ix.table === r.table), false, false, false]),
);

const pgViews = view('pg_views', [['schemaname', C.name], ['viewname', C.name], ['viewowner', C.name], ['definition', C.text]], (ctx) =>
  listRelations(ctx)
    .filter((r) => r.kind === 'v')
    .map((r) => [r.schema, r.name, ctx.core.user, r.table?.view ? viewDefinition(r.table.view.text) : null]),
);

const pgIndexes = view('pg_indexes', [['schemaname', C.name], ['tablename', C.name], ['indexname', C.name], ['tablespace', C.name], ['indexdef', C.text]], (ctx) =>
  ctx.catalog.listIndexes().sort((a, b) => a.oid - b.oid).map((ix) => [ix.table.schema, ix.table.name, ix.name, null, indexDef(ix)]),
);

const MAX_INT8 = 9223372036854775807;

function sequences(ctx: CatalogContext) {
  return listRelations(ctx).filter((r) => r.kind === 'S' && r.sequence);
}

const pgSequences = view(
  'pg_sequences',
  [
    ['schemaname', C.name], ['sequencename', C.name], ['sequenceowner', C.name], ['data_type', C.text], ['start_value', C.int8], ['min_value', C.int8],
    ['max_value', C.int8], ['increment_by', C.int8], ['cycle', C.bool], ['cache_size', C.int8], ['last_value', C.int8],
  ],
  (ctx) =>
    sequences(ctx).map((r) => {
      const owner = sequenceOwner(ctx.catalog, r.name);
      const int4 = owner?.table.columns.find((c) => c.name === owner.column)?.type.id === 'int4';
      return [r.schema, r.name, ctx.core.user, int4 ? 'integer' : 'bigint', 1, 1, int4 ? 2147483647 : MAX_INT8, 1, false, 1, r.sequence!.called ? r.sequence!.value : null];
    }),
);

const pgSequence: SystemDef = {
  schema: 'pg_catalog',
  name: 'pg_sequence',
  oid: SYSTEM_RELATION_OIDS.pg_sequence!,
  kind: 'r',
  columns: [['seqrelid', C.oid], ['seqtypid', C.oid], ['seqstart', C.int8], ['seqincrement', C.int8], ['seqmax', C.int8], ['seqmin', C.int8], ['seqcache', C.int8], ['seqcycle', C.bool]],
  rows: (ctx) =>
    sequences(ctx).map((r) => {
      const owner = sequenceOwner(ctx.catalog, r.name);
      const int4 = owner?.table.columns.find((c) => c.name === owner.column)?.type.id === 'int4';
      return [r.oid, int4 ? TYPE_OIDS.int4 : TYPE_OIDS.int8, 1, 1, int4 ? 2147483647 : MAX_INT8, 1, 1, false];
    }),
};

const pgStatUserTables = view(
  'pg_stat_user_tables',
  [
    ['relid', C.oid], ['schemaname', C.name], ['relname', C.name], ['seq_scan', C.int8], ['seq_tup_read', C.int8], ['idx_scan', C.int8],
    ['idx_tup_fetch', C.int8], ['n_tup_ins', C.int8], ['n_tup_upd', C.int8], ['n_tup_del', C.int8], ['n_tup_hot_upd', C.int8],
    ['n_live_tup', C.int8], ['n_dead_tup', C.int8], ['n_mod_since_analyze', C.int8], ['n_ins_since_vacuum', C.int8],
    ['last_vacuum', C.timestamptz], ['last_autovacuum', C.timestamptz], ['last_analyze', C.timestamptz], ['last_autoanalyze', C.timestamptz],
    ['vacuum_count', C.int8], ['autovacuum_count', C.int8], ['analyze_count', C.int8], ['autoanalyze_count', C.int8],
  ],
  (ctx) =>
    ctx.catalog
      .listTables()
      .filter((t) => t.kind === 'table')
      .sort((a, b) => a.oid - b.oid)
      .map((t) => {
        const live = t.store ? t.store.latest().rowCount : 0;
        return [t.oid, t.schema, t.name, 0, 0, null, null, live, 0, 0, 0, live, 0, 0, 0, null, null, null, null, 0, 0, 0, 0];
      }),
);

export const VIEW_RELATIONS: readonly SystemDef[] = [pgTables, pgViews, pgIndexes, pgSequences, pgSequence, pgStatUserTables];
