/**
 * Composite values: ROW(…), whole-row references (`SELECT t FROM t`), field
 * selection `(expr).field` and the select-list expansion `(expr).*`.
 *
 * A composite is a record type whose fields the binder knows (SqlType.fields);
 * at run time it is a Value[] built by 'row_constructor'. Selecting a field of
 * a constructor is resolved here to the field's own expression, so
 * `(f(x)).n` over a lifted set-returning function reads the function's
 * column directly and builds no per-row arrays.
 */
import { T, formatType, recordOf } from '../../../storage/src/types/sql-type.js';
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import type { Expr, FieldSelectExpr, RowExpr } from '../parse/ast.js';
import type { QueryContext } from './context.js';
import type { Scope } from './scope.js';
import { bindExpr } from './expr.js';
import { resolveUnknown } from './coerce.js';

/** ROW(a, b) / (a, b) outside comparisons: an anonymous record with fields f1, f2, … (PostgreSQL's names). */
export function bindRow(e: RowExpr, ctx: QueryContext): ExprNode {
  const args = e.fields.map((f) => resolveUnknown(bindExpr(f, ctx), ctx.stmt));
  return constructRow(args, args.map((_, i) => `f${i + 1}`));
}

function constructRow(args: ExprNode[], names: string[]): ExprNode {
  const type = recordOf(args.map((a, i) => ({ name: names[i]!, type: a.type })));
  return { k: 'call', type, fn: 'row_constructor', args };
}

/**
 * A bare name that is no column but a FROM item's alias is the whole row of
 * that item, as in PostgreSQL (columns win over relations, as there).
 * Returns undefined when `name` is not a relation of this scope.
 */
export function bindWholeRow(name: string, scope: Scope): ExprNode | undefined {
  if (!scope.hasRelation(name)) return undefined;
  const cols = scope.star([name]);
  return constructRow(
    cols.map((c): ExprNode => ({ k: 'col', type: c.type, index: c.index })),
    cols.map((c) => c.name),
  );
}

/** `(expr).field`; `(expr).*` only where a select list expands it (expandFieldStar). */
export function bindFieldSelect(e: FieldSelectExpr, ctx: QueryContext): ExprNode {
  if (e.star) throw new SqlError(SQLSTATE.featureNotSupported, 'row expansion via "*" is not supported here', { position: e.position });
  const arg = bindExpr(e.expr, ctx);
  const i = fieldIndex(arg.type, e.field, e, ctx);
  return fieldOf(arg, i);
}

function fieldIndex(type: SqlType, field: string, e: FieldSelectExpr, ctx: QueryContext): number {
  const position = e.position;
  if (type.id !== 'record') {
    throw new SqlError(SQLSTATE.wrongObjectType, `column notation .${field} applied to type ${formatType(type)}, which is not a composite type`, { position });
  }
  const i = type.fields ? type.fields.findIndex((f) => f.name === field) : -1;
  if (i >= 0) return i;
  // PostgreSQL names a whole-row reference's relation; any other record is anonymous
  const relation = wholeRowRelation(e.expr, ctx);
  if (relation !== undefined) throw new SqlError(SQLSTATE.undefinedColumn, `column ${relation}.${field} does not exist`, { position });
  throw new SqlError(SQLSTATE.undefinedColumn, `could not identify column "${field}" in record data type`, { position });
}

function wholeRowRelation(e: Expr, ctx: QueryContext): string | undefined {
  if (e.kind !== 'column' || e.qualifier.length > 0 || ctx.scope.lookup([], e.name)) return undefined;
  return ctx.scope.hasRelation(e.name) && !e.name.startsWith(LIFTED_PREFIX) ? e.name : undefined;
}

/** Alias prefix of set-returning calls lifted out of a select list (set-returning.ts). */
export const LIFTED_PREFIX = '__srf';

/**
 * `(expr).*` as a select-list item: one item per field, named after it. The
 * expression is bound once here only to learn its fields; each item binds
 * `(expr).field` later in the select list's own context.
 */
export function expandFieldStar(e: FieldSelectExpr, ctx: QueryContext): { ast: Expr; name: string }[] {
  const arg = bindExpr(e.expr, { ...ctx, agg: undefined, windows: undefined });
  if (arg.type.id !== 'record') throw new SqlError(SQLSTATE.wrongObjectType, `type ${formatType(arg.type)} is not composite`, { position: e.position });
  if (!arg.type.fields) throw new SqlError(SQLSTATE.wrongObjectType, 'record type has not been registered', { position: e.position });
  return arg.type.fields.map((f) => ({ ast: { kind: 'field', expr: e.expr, field: f.name, star: false, position: e.position }, name: f.name }));
}

/**
 * `row IS [NOT] NULL` tests every field, as PostgreSQL does: IS NULL when all
 * fields are NULL, IS NOT NULL when none is (so ROW(1, NULL) is neither).
 */
export function recordIsNull(arg: ExprNode, negate: boolean): ExprNode {
  const fields = arg.type.fields ?? [];
  const tests = fields.map((f, i): ExprNode => ({ k: 'isnull', type: T.bool, arg: fieldOf(arg, i), negate }));
  if (tests.length === 0) return { k: 'const', type: T.bool, value: !negate };
  return tests.length === 1 ? tests[0]! : { k: 'and', type: T.bool, args: tests };
}

function fieldOf(arg: ExprNode, i: number): ExprNode {
  if (arg.k === 'call' && arg.fn === 'row_constructor') return arg.args[i]!;
  return { k: 'call', type: arg.type.fields![i]!.type, fn: 'record_field', args: [arg, { k: 'const', type: T.int4, value: i }] };
}
