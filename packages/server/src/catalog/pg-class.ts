/** pg_namespace, pg_class, pg_attribute, pg_attrdef, pg_index and pg_constraint. */
import type { Value } from '../../../storage/src/types/values.js';
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { typeOid } from '../../../storage/src/types/sql-type.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import type { ColumnInfo, ConstraintInfo, IndexInfo, TableInfo } from '../../../planner/src/catalog/catalog.js';
import { C, type Columns } from './system-relation.js';
import { BOOTSTRAP_SUPERUSER, BTREE_AM, C_COLLATION, DEFAULT_COLLATION, HEAP_AM, PG_DATABASE_OWNER } from './oids.js';
import { listRelations, type CatalogContext, type RelEntry, type SystemDef } from './relations.js';
import { constraintDef, defaultText, indexMethod } from './deparse.js';

const def = (name: string, oid: number, columns: Columns, rows: (ctx: CatalogContext) => Value[][], kind: 'r' | 'v' = 'r'): SystemDef => ({ schema: 'pg_catalog', name, oid, kind, columns, rows });

export function namespaceOid(ctx: CatalogContext, schema: string): number {
  return ctx.catalog.getSchema(schema)?.oid ?? 0;
}

const pgNamespace = def('pg_namespace', 2615, [['oid', C.oid], ['nspname', C.name], ['nspowner', C.oid], ['nspacl', C.acl]], (ctx) =>
  ctx.catalog.listSchemas().sort((a, b) => a.oid - b.oid).map((s) => [s.oid, s.name, s.name === 'public' ? PG_DATABASE_OWNER : BOOTSTRAP_SUPERUSER, null]),
);

function rowCount(t: TableInfo | undefined): number {
  return t?.store ? t.store.latest().rowCount : 0;
}

function bytes(t: TableInfo | undefined): number {
  return t?.store ? t.store.bytes() : 0;
}

const INDEX_AMS: Record<string, number> = { btree: BTREE_AM, hash: 405, gist: 783, gin: 2742, spgist: 4000, brin: 3580 };

function indexesOf(ctx: CatalogContext, t: TableInfo): IndexInfo[] {
  return ctx.catalog.listIndexes().filter((ix) => ix.table === t);
}

function columnsOf(rel: RelEntry): { name: string; type: SqlType; notNull: boolean; attnum: number; col?: ColumnInfo; table?: TableInfo }[] {
  if (rel.table) return rel.table.columns.map((c) => ({ name: c.name, type: c.type, notNull: c.notNull, attnum: c.attnum, col: c, table: rel.table }));
  if (rel.index) {
    const t = rel.index.table;
    return rel.index.columns.map((n, i) => {
      const c = t.columns.find((x) => x.name === n);
      return { name: n, type: c?.type ?? C.text, notNull: false, attnum: i + 1 };
    });
  }
  if (rel.sequence) return [['last_value', C.int8], ['log_cnt', C.int8], ['is_called', C.bool]].map(([n, ty], i) => ({ name: n as string, type: ty as SqlType, notNull: true, attnum: i + 1 }));
  return (rel.system?.columns ?? []).map(([n, ty], i) => ({ name: n, type: ty, notNull: false, attnum: i + 1 }));
}

export const PG_CLASS_COLUMNS: Columns = [
  ['oid', C.oid], ['relname', C.name], ['relnamespace', C.oid], ['reltype', C.oid], ['reloftype', C.oid], ['relowner', C.oid],
  ['relam', C.oid], ['relfilenode', C.oid], ['reltablespace', C.oid], ['relpages', C.int4], ['reltuples', C.float4],
  ['relallvisible', C.int4], ['reltoastrelid', C.oid], ['relhasindex', C.bool], ['relisshared', C.bool], ['relpersistence', C.char],
  ['relkind', C.char], ['relnatts', C.int2], ['relchecks', C.int2], ['relhasrules', C.bool], ['relhastriggers', C.bool],
  ['relhassubclass', C.bool], ['relrowsecurity', C.bool], ['relforcerowsecurity', C.bool], ['relispopulated', C.bool],
  ['relreplident', C.char], ['relispartition', C.bool], ['relrewrite', C.oid], ['relfrozenxid', C.xid], ['relminmxid', C.xid],
  ['relacl', C.acl], ['reloptions', C.textArray], ['relpartbound', C.nodeTree],
];

const pgClass = def('pg_class', 1259, PG_CLASS_COLUMNS, (ctx) =>
  listRelations(ctx).map((r) => {
    const t = r.table ?? r.index?.table;
    const storageRel = r.kind === 'r' || r.kind === 'i' || r.kind === 'S';
    const tuples = r.kind === 'r' || r.kind === 'i' ? rowCount(t) : r.kind === 'S' ? 1 : -1;
    const am = r.kind === 'r' ? HEAP_AM : r.kind === 'i' ? INDEX_AMS[indexMethod(r.index!)] ?? BTREE_AM : 0;
    const checks = r.table ? r.table.constraints.filter((c) => c.kind === 'check').length : 0;
    return [
      r.oid, r.name, namespaceOid(ctx, r.schema), 0, 0, BOOTSTRAP_SUPERUSER,
      am, storageRel && !r.system ? r.oid : 0, 0, r.kind === 'r' && !r.system ? Math.ceil(bytes(t) / 8192) : 0, tuples,
      0, 0, r.table && r.table.kind === 'table' ? indexesOf(ctx, r.table).length > 0 : false, false, 'p',
      r.kind, columnsOf(r).length, checks, r.kind === 'v', false,
      false, false, false, true,
      r.kind === 'r' ? 'd' : 'n', false, 0, 0, 0,
      null, null, null,
    ];
  }),
);

const STORAGE: Partial<Record<string, string>> = { numeric: 'm', text: 'x', varchar: 'x', bpchar: 'x', json: 'x', jsonb: 'x', array: 'x', record: 'x' };
const LENGTH: Partial<Record<string, number>> = { bool: 1, int2: 2, int4: 4, int8: 8, float4: 4, float8: 8, date: 4, time: 8, timestamp: 8, timestamptz: 8, interval: 16, oid: 4, regclass: 4, name: 64 };

/** atttypmod as PostgreSQL stores it: lengths and numeric precision include the 4-byte varlena header. */
export function pgTypmod(type: SqlType): number {
  if (type.typmod < 0) return -1;
  return type.id === 'varchar' || type.id === 'bpchar' || type.id === 'numeric' ? type.typmod + 4 : type.typmod;
}

function collationOf(type: SqlType): number {
  const base = type.id === 'array' ? type.elem! : type;
  if (base.id === 'name') return C_COLLATION;
  return ['text', 'varchar', 'bpchar'].includes(base.id) ? DEFAULT_COLLATION : 0;
}

const pgAttribute = def(
  'pg_attribute',
  1249,
  [
    ['attrelid', C.oid], ['attname', C.name], ['atttypid', C.oid], ['attstattarget', C.int4], ['attlen', C.int2], ['attnum', C.int2],
    ['attndims', C.int4], ['attcacheoff', C.int4], ['atttypmod', C.int4], ['attbyval', C.bool], ['attalign', C.char],
    ['attstorage', C.char], ['attcompression', C.char], ['attnotnull', C.bool], ['atthasdef', C.bool], ['atthasmissing', C.bool],
    ['attidentity', C.char], ['attgenerated', C.char], ['attisdropped', C.bool], ['attislocal', C.bool], ['attinhcount', C.int4],
    ['attcollation', C.oid], ['attacl', C.acl], ['attoptions', C.textArray], ['attfdwoptions', C.textArray], ['attmissingval', C.text],
  ],
  (ctx) =>
    listRelations(ctx).flatMap((r) =>
      columnsOf(r).map((c): Value[] => {
        const len = LENGTH[c.type.id] ?? -1;
        return [
          r.oid, c.name, typeOid(c.type), r.kind === 'i' ? 0 : -1, len, c.attnum,
          c.type.id === 'array' ? 1 : 0, -1, pgTypmod(c.type), len > 0 && len <= 8, len === 8 || c.type.id === 'interval' ? 'd' : len === 2 ? 's' : len === 1 || len === 64 ? 'c' : 'i',
          STORAGE[c.type.id] ?? 'p', '', c.notNull, !!c.col && defaultText(c.col, c.table!) !== null, false,
          '', '', false, true, 0,
          r.kind === 'v' || r.kind === 'r' || r.kind === 'i' ? collationOf(c.type) : 0, null, null, null, null,
        ];
      }),
    ),
);

/** One row per column default, with the OID the catalog gave the default when it was set. */
const pgAttrdef = def('pg_attrdef', 2604, [['oid', C.oid], ['adrelid', C.oid], ['adnum', C.int2], ['adbin', C.nodeTree]], (ctx) =>
  ctx.catalog.listTables().flatMap((t) =>
    t.columns.flatMap((c) => {
      const text = defaultText(c, t);
      return text === null || c.defaultOid === undefined ? [] : [[c.defaultOid, t.oid, c.attnum, text]];
    }),
  ),
);

function attnums(t: TableInfo, ids: readonly number[]): number[] {
  return ids.map((id) => t.columns.find((c) => c.id === id)?.attnum ?? 0);
}

function primaryIndex(t: TableInfo): string | undefined {
  return t.constraints.find((c) => c.kind === 'primary_key')?.name;
}

const pgIndex = def(
  'pg_index',
  2610,
  [
    ['indexrelid', C.oid], ['indrelid', C.oid], ['indnatts', C.int2], ['indnkeyatts', C.int2], ['indisunique', C.bool],
    ['indnullsnotdistinct', C.bool], ['indisprimary', C.bool], ['indisexclusion', C.bool], ['indimmediate', C.bool],
    ['indisclustered', C.bool], ['indisvalid', C.bool], ['indcheckxmin', C.bool], ['indisready', C.bool], ['indislive', C.bool],
    ['indisreplident', C.bool], ['indkey', C.int2vector], ['indcollation', C.oidvector], ['indclass', C.oidvector],
    ['indoption', C.int2vector], ['indexprs', C.nodeTree], ['indpred', C.nodeTree],
  ],
  (ctx) =>
    ctx.catalog.listIndexes().sort((a, b) => a.oid - b.oid).map((ix) => {
      const t = ix.table;
      const keys = ix.columns.map((n) => t.columns.find((c) => c.name === n));
      return [
        ix.oid, t.oid, keys.length, keys.length, ix.unique,
        false, primaryIndex(t) === ix.name, false, true,
        false, true, false, true, true,
        false, keys.map((c) => c?.attnum ?? 0), keys.map((c) => (c ? collationOf(c.type) : 0)), keys.map(() => 0),
        keys.map(() => 0), null, null,
      ];
    }),
);

function checkColumns(e: ExprNode | undefined, out = new Set<number>()): Set<number> {
  if (!e) return out;
  if (e.k === 'col') out.add(e.index);
  for (const v of Object.values(e)) {
    if (Array.isArray(v)) for (const x of v) if (x && typeof x === 'object' && 'k' in x) checkColumns(x as ExprNode, out);
    if (v && typeof v === 'object' && 'k' in v) checkColumns(v as ExprNode, out);
  }
  return out;
}

/** pg_constraint's rows: a unique key made by CREATE UNIQUE INDEX is an index only. */
export function constraintsOf(ctx: CatalogContext): { table: TableInfo; c: ConstraintInfo; oid: number }[] {
  return ctx.catalog.listTables().flatMap((table) => table.constraints.filter((c) => !c.indexOnly).map((c) => ({ table, c, oid: c.oid })));
}

const CONTYPE = { primary_key: 'p', unique: 'u', check: 'c' } as const;

const pgConstraint = def(
  'pg_constraint',
  2606,
  [
    ['oid', C.oid], ['conname', C.name], ['connamespace', C.oid], ['contype', C.char], ['condeferrable', C.bool], ['condeferred', C.bool],
    ['convalidated', C.bool], ['conrelid', C.oid], ['contypid', C.oid], ['conindid', C.oid], ['conparentid', C.oid], ['confrelid', C.oid],
    ['confupdtype', C.char], ['confdeltype', C.char], ['confmatchtype', C.char], ['conislocal', C.bool], ['coninhcount', C.int4],
    ['connoinherit', C.bool], ['conkey', C.int2Array], ['confkey', C.int2Array], ['conpfeqop', C.oidArray], ['conppeqop', C.oidArray],
    ['conffeqop', C.oidArray], ['confdelsetcols', C.int2Array], ['conexclop', C.oidArray], ['conbin', C.nodeTree],
  ],
  (ctx) =>
    constraintsOf(ctx).map(({ table, c, oid }) => {
      const ix = c.kind === 'check' ? undefined : ctx.catalog.findIndex(table.schema, c.name);
      const key = c.kind === 'check' ? [...checkColumns(c.check)].sort((a, b) => a - b).map((i) => table.columns[i]?.attnum ?? 0) : attnums(table, c.columnIds);
      return [
        oid, c.name, namespaceOid(ctx, table.schema), CONTYPE[c.kind], false, false,
        true, table.oid, 0, ix?.oid ?? 0, 0, 0,
        ' ', ' ', ' ', true, 0,
        false, key, null, null, null,
        null, null, null, c.kind === 'check' ? constraintDef(table, c, false).replace(/^CHECK \((.*)\)$/s, '$1') : null,
      ];
    }),
);

export const CLASS_RELATIONS: readonly SystemDef[] = [pgNamespace, pgClass, pgAttribute, pgAttrdef, pgIndex, pgConstraint];
