/**
 * The server side of SessionHooks.catalog: the system information functions
 * (storage/src/functions/catalog-functions.ts) ask here by name, because only
 * the server sees the planner's catalog, the sessions and the table stores.
 */
import type { Value } from '../../../storage/src/types/values.js';
import { constraintDef, indexDef } from './deparse.js';
import { constraintsOf } from './pg-class.js';
import { roleName } from './pg-misc.js';
import { procByOid } from './pg-proc.js';
import { pgTypeName } from './pg-type.js';
import { viewDefinition } from './pg-views.js';
import { isVisible, relationByOid, relationDisplayName, resolveRelation, type CatalogContext } from './relations.js';
import { EXTENSION_DESCRIPTIONS } from './pg-misc.js';
import { quoteIdent } from '../../../storage/src/functions/string.js';

function num(v: Value | undefined): number {
  return typeof v === 'number' ? v : Number(v);
}

function relationBytes(ctx: CatalogContext, oid: number, part: 'main' | 'table' | 'indexes' | 'total'): number | null {
  const rel = relationByOid(ctx, oid);
  if (!rel) return null;
  const tableBytes = rel.table?.store ? rel.table.store.bytes() : 0;
  // Strata's unique indexes are hash maps inside the table store: count them with the table, not apart
  switch (part) {
    case 'main':
    case 'table':
    case 'total':
      return rel.kind === 'r' ? tableBytes : 0;
    case 'indexes':
      return 0;
  }
}

export function catalogCall(ctx: CatalogContext, fn: string, args: readonly Value[]): Value | undefined {
  switch (fn) {
    case 'regclass_out': {
      const rel = relationByOid(ctx, num(args[0]));
      return rel ? relationDisplayName(ctx, rel) : String(args[0]);
    }
    case 'regnamespace_out': {
      const ns = ctx.catalog.listSchemas().find((x) => x.oid === num(args[0]));
      return ns ? quoteIdent(ns.name) : String(args[0]);
    }
    case 'relation_name':
      return relationByOid(ctx, num(args[0]))?.name ?? null;
    case 'regclass_in':
      return resolveRelation(ctx, String(args[0]))?.oid ?? null;
    case 'table_is_visible': {
      const rel = relationByOid(ctx, num(args[0]));
      return rel ? isVisible(ctx, rel) : null;
    }
    case 'userbyid':
      return roleName(ctx, num(args[0]));
    case 'type_name':
      return pgTypeName(num(args[0])) ?? null;
    case 'indexdef': {
      const ix = ctx.catalog.listIndexes().find((x) => x.oid === num(args[0]));
      if (!ix) return null;
      const table = args[2] === true ? relationByOid(ctx, ix.table.oid) : undefined;
      return indexDef(ix, num(args[1] ?? 0), table ? relationDisplayName(ctx, table) : undefined);
    }
    case 'constraintdef': {
      const hit = constraintsOf(ctx).find((x) => x.oid === num(args[0]));
      return hit ? constraintDef(hit.table, hit.c, args[1] === true) : null;
    }
    case 'viewdef': {
      const rel = typeof args[0] === 'string' ? resolveRelation(ctx, args[0]) : relationByOid(ctx, num(args[0]));
      return rel?.table?.view ? viewDefinition(rel.table.view.text) : null;
    }
    case 'relation_size':
      return relationBytes(ctx, num(args[0]), args[1] as 'main' | 'table' | 'indexes' | 'total');
    case 'function_result':
      return procByOid(num(args[0]))?.retText ?? null;
    case 'function_arguments':
      return procByOid(num(args[0]))?.argText ?? null;
    case 'serial_sequence': {
      const rel = resolveRelation(ctx, String(args[0]));
      const col = rel?.table?.columns.find((c) => c.name === String(args[1]));
      if (!rel?.table || !col?.serialSequence) return null;
      return `${rel.schema}.${col.serialSequence}`;
    }
    case 'obj_description': {
      const oid = num(args[0]);
      const cls = args[1] === undefined || args[1] === null ? undefined : String(args[1]);
      if (oid === 2200 && (cls === undefined || cls === 'pg_namespace')) return 'standard public schema';
      if (cls === undefined || cls === 'pg_extension') return EXTENSION_DESCRIPTIONS[oid] ?? null;
      return null;
    }
    default:
      return undefined;
  }
}
