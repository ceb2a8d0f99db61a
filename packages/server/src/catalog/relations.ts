/**
 * One list of every relation the server knows — user tables, views, indexes,
 * serial sequences and the system relations themselves — so pg_class,
 * pg_attribute, regclass look-ups and pg_table_is_visible agree on names and OIDs.
 */
import type { Value } from '../../../storage/src/types/values.js';
import type { Catalog, IndexInfo, SequenceInfo, TableInfo } from '../../../planner/src/catalog/catalog.js';
import type { EngineCore } from '../engine/core.js';
import type { Session } from '../engine/session.js';
import type { Columns } from './system-relation.js';
import { quoteIdent } from '../../../storage/src/functions/string.js';

export interface SystemDef {
  schema: 'pg_catalog' | 'information_schema';
  name: string;
  oid: number;
  kind: 'r' | 'v';
  columns: Columns;
  rows(ctx: CatalogContext): Value[][];
}

export interface CatalogContext {
  core: EngineCore;
  session: Session;
  catalog: Catalog;
  system: readonly SystemDef[];
}

export type RelKind = 'r' | 'v' | 'i' | 'S';

export interface RelEntry {
  oid: number;
  name: string;
  schema: string;
  kind: RelKind;
  table?: TableInfo;
  index?: IndexInfo;
  sequence?: SequenceInfo;
  system?: SystemDef;
}

/** The schema of a serial sequence: the schema of the table whose column owns it. */
export function sequenceOwner(catalog: Catalog, name: string): { table: TableInfo; column: string } | undefined {
  for (const t of catalog.listTables()) {
    const c = t.columns.find((x) => x.serialSequence === name);
    if (c) return { table: t, column: c.name };
  }
  return undefined;
}

// pg_table_is_visible runs once per pg_class row: rebuild the list only after DDL
const cache = new WeakMap<Catalog, { version: number; sequences: number; system: readonly SystemDef[]; rels: RelEntry[] }>();

export function listRelations(ctx: CatalogContext): RelEntry[] {
  const { catalog } = ctx;
  const hit = cache.get(catalog);
  if (hit && hit.version === catalog.version && hit.sequences === catalog.sequences.size && hit.system === ctx.system) return hit.rels;
  const rels = buildRelations(ctx);
  cache.set(catalog, { version: catalog.version, sequences: catalog.sequences.size, system: ctx.system, rels });
  return rels;
}

function buildRelations(ctx: CatalogContext): RelEntry[] {
  const { catalog } = ctx;
  const out: RelEntry[] = [];
  for (const t of catalog.listTables()) out.push({ oid: t.oid, name: t.name, schema: t.schema, kind: t.kind === 'view' ? 'v' : 'r', table: t });
  for (const ix of catalog.listIndexes()) out.push({ oid: ix.oid, name: ix.name, schema: ix.table.schema, kind: 'i', index: ix });
  for (const s of catalog.sequences.values()) {
    out.push({ oid: s.oid, name: s.name, schema: sequenceOwner(catalog, s.name)?.table.schema ?? 'public', kind: 'S', sequence: s });
  }
  for (const d of ctx.system) out.push({ oid: d.oid, name: d.name, schema: d.schema, kind: d.kind, system: d });
  return out.sort((a, b) => a.oid - b.oid);
}

export function relationByOid(ctx: CatalogContext, oid: number): RelEntry | undefined {
  return listRelations(ctx).find((r) => r.oid === oid);
}

/** PostgreSQL searches pg_catalog first unless the path names it explicitly. */
export function effectiveSearchPath(session: Session): string[] {
  const sp = session.settings.searchPath();
  return sp.includes('pg_catalog') ? sp : ['pg_catalog', ...sp];
}

/** Resolve a possibly qualified relation name as regclass input does; undefined when missing. */
export function resolveRelation(ctx: CatalogContext, text: string): RelEntry | undefined {
  const parts = splitQualified(text);
  if (!parts) return undefined;
  const rels = listRelations(ctx);
  if (parts.length === 2) return rels.find((r) => r.schema === parts[0] && r.name === parts[1]);
  for (const s of effectiveSearchPath(ctx.session)) {
    const hit = rels.find((r) => r.schema === s && r.name === parts[0]);
    if (hit) return hit;
  }
  return undefined;
}

/** 'public.t' / '"My T"' / 'T' → identifier parts (unquoted ones folded to lower case). */
export function splitQualified(text: string): string[] | undefined {
  const parts: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^."\s]+))\s*(\.|$)/y;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) return undefined;
    parts.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!.toLowerCase());
    pos = re.lastIndex;
    if (m[3] === '') break;
  }
  return parts.length >= 1 && parts.length <= 3 ? parts.slice(-2) : undefined;
}

/** True when the unqualified name finds this relation first along the search path. */
export function isVisible(ctx: CatalogContext, rel: RelEntry): boolean {
  const path = effectiveSearchPath(ctx.session);
  if (!path.includes(rel.schema)) return false;
  const rels = listRelations(ctx);
  for (const s of path) {
    const hit = rels.find((r) => r.schema === s && r.name === rel.name);
    if (hit) return hit.oid === rel.oid;
  }
  return false;
}

/** regclass output: the name, schema-qualified when the search path would not find it. */
export function relationDisplayName(ctx: CatalogContext, rel: RelEntry): string {
  return isVisible(ctx, rel) ? quoteIdent(rel.name) : `${quoteIdent(rel.schema)}.${quoteIdent(rel.name)}`;
}
