/**
 * Implicit, assignment and explicit coercion of bound expressions, with
 * PostgreSQL's treatment of untyped literals and parameters: an 'unknown'
 * string literal takes the type its context asks for (parsed at bind time),
 * an untyped $n takes it for the whole statement.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { T, formatType, sameType } from '../../../storage/src/types/sql-type.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { canCoerce, castValue, commonSupertype } from '../../../storage/src/types/casts.js';
import { parseText } from '../../../storage/src/types/text-io.js';
import type { StatementBinding } from './context.js';

export type CoercionContext = 'implicit' | 'assignment' | 'explicit';

export function isUnknownLiteral(e: ExprNode): boolean {
  return e.k === 'const' && e.type.id === 'unknown';
}

export function isUntypedParam(e: ExprNode, stmt: StatementBinding): boolean {
  return e.k === 'param' && e.type.id === 'unknown' && stmt.paramTypes[e.index] === undefined;
}

/** The type an expression has for resolution purposes ('unknown' for untyped literals/params). */
export function typeOf(e: ExprNode): SqlType {
  return e.type;
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
