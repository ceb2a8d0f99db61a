/**
 * Implicit, assignment and explicit coercion of bound expressions, with
 * PostgreSQL's treatment of untyped literals and parameters: an 'unknown'
 * string literal takes the type its context asks for (parsed at bind time),
 * an untyped $n takes it for the whole statement.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { T, formatType, isStringCategory, sameType } from '../../../storage/src/types/sql-type.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { canCoerce, castValue, commonSupertype } from '../../../storage/src/types/casts.js';
import { parseText } from '../../../storage/src/types/text-io.js';
import type { StatementBinding } from './context.js';

export type CoercionContext = 'implicit' | 'assignment' | 'explicit';

export function isUnknownLiteral(e: ExprNode): boolean {
  return e.k === 'const' && e.type.id === 'unknown';
}

function needsTypmodCast(from: SqlType, to: SqlType): boolean {
  return to.typmod >= 0 && from.typmod !== to.typmod;
}

export function coerce(e: ExprNode, to: SqlType, stmt: StatementBinding, context: CoercionContext, what?: () => string): ExprNode {
  if (to.id === 'unknown') return e;
  if (e.k === 'param' && e.type.id === 'unknown') {
    const known = stmt.paramTypes[e.index];
    if (known === undefined || known.id === 'unknown') {
      stmt.paramTypes[e.index] = to;
      return { k: 'param', type: to, index: e.index };
    }
    return coerce({ k: 'param', type: known, index: e.index }, to, stmt, context, what);
  }
  if (to.id === 'regclass' && e.k === 'const' && e.value !== null && isStringCategory(e.type)) {
    return { k: 'const', type: to, value: regclassOid(String(e.value), stmt) };
  }
  if (e.k === 'const' && e.type.id === 'unknown') {
    if (e.value === null) return { k: 'const', type: to, value: null };
    if (to.typmod >= 0 && to.id !== 'numeric') {
      const base: SqlType = { ...to, typmod: -1 };
      const parsed = parseText(base, e.value as string, stmt.settings);
      return { k: 'const', type: to, value: castValue(parsed, base, to, stmt.settings, context === 'explicit') };
    }
    const parsed = parseText(to, e.value as string, stmt.settings);
    return { k: 'const', type: to, value: parsed };
  }
  if (sameType(e.type, to)) {
    if (context !== 'implicit' && needsTypmodCast(e.type, to)) return { k: 'cast', type: to, arg: e, explicit: context === 'explicit' };
    return e;
  }
  // a regclass is an OID at run time; only the catalog (through the session hook) knows names
  if (to.id === 'regclass' && isStringCategory(e.type) && context === 'explicit') {
    return { k: 'call', type: T.regclass, fn: 'text_regclass(text)', args: [coerce(e, T.text, stmt, 'explicit')] };
  }
  if (e.type.id === 'regclass' && isStringCategory(to) && context !== 'implicit') {
    return coerce({ k: 'call', type: T.text, fn: 'regclass_text(regclass)', args: [e] }, to, stmt, context);
  }
  if (!canCoerce(e.type, to, context)) {
    if (context === 'explicit') {
      throw new SqlError(SQLSTATE.cannotCoerce, `cannot cast type ${formatType(e.type)} to ${formatType(to)}`);
    }
    const msg = what ? what() : `expression is of type ${formatType(e.type)} but ${formatType(to)} was expected`;
    throw new SqlError(SQLSTATE.datatypeMismatch, msg, {
      hint: 'You will need to rewrite or cast the expression.',
    });
  }
  if (e.k === 'const') {
    return { k: 'const', type: to, value: castValue(e.value, e.type, to, stmt.settings, context === 'explicit') };
  }
  return { k: 'cast', type: to, arg: e, explicit: context === 'explicit' };
}

/** select_common_type over bound expressions, then coerce each to it. */
export function unify(exprs: ExprNode[], stmt: StatementBinding, what: string): { type: SqlType; exprs: ExprNode[] } {
  const types = exprs.map((e) => (e.k === 'param' && e.type.id === 'unknown' ? stmt.paramTypes[e.index] ?? T.unknown : e.type));
  let type = commonSupertype(types, what);
  if (type.id === 'unknown') type = T.text;
  return { type, exprs: exprs.map((e) => coerce(e, type, stmt, 'implicit', () => `${what} types ${formatType(e.type)} and ${formatType(type)} cannot be matched`)) };
}

/** Resolve a leftover unknown (an untyped literal in a select list) to text, as PostgreSQL does. */
export function resolveUnknown(e: ExprNode, stmt: StatementBinding): ExprNode {
  if (e.type.id !== 'unknown') return e;
  return coerce(e, T.text, stmt, 'implicit');
}

/**
 * 'name'::regclass → the relation's OID at bind time, as PostgreSQL's regclassin
 * does: tables, views, indexes, then system relations and sequences (which
 * the server's systemRelation reports with their `oid`).
 */
function regclassOid(text: string, stmt: StatementBinding): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const parts = [...t.matchAll(/"((?:[^"]|"")*)"|([^."]+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!.trim().toLowerCase()));
  const name = parts[parts.length - 1] ?? '';
  const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
  const table = stmt.catalog.findTable(schema, name, stmt.searchPath);
  if (table) return table.oid;
  for (const s of schema !== undefined ? [schema] : stmt.searchPath) {
    const ix = stmt.catalog.findIndex(s, name);
    if (ix) return ix.oid;
  }
  const sys = stmt.systemRelation?.(schema, name) as { oid?: number } | undefined;
  if (sys?.oid !== undefined) return sys.oid;
  throw new SqlError(SQLSTATE.undefinedTable, `relation "${t}" does not exist`);
}
