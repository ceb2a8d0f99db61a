/** Subqueries inside expressions: bound as separate plans, evaluated through EvalContext.subquery. */
import { T, arrayOf } from '../../../storage/src/types/sql-type.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { resolveOperator } from '../../../storage/src/functions/index.js';
import type { Expr, SelectStmt } from '../parse/ast.js';
import type { QueryContext } from './context.js';
import { childContext } from './context.js';
import { Scope } from './scope.js';
import { bindExpr } from './expr.js';
import { coerce, unify } from './coerce.js';
import { bindQuery } from './select.js';

export function bindSubquery(
  ctx: QueryContext,
  query: SelectStmt,
  mode: 'scalar' | 'exists' | 'in' | 'any' | 'all' | 'array',
  testAst?: Expr,
  op?: string,
  negate = false,
  position?: number,
): ExprNode {
  const sub = childContext(ctx, new Scope());
  const bound = bindQuery(query, sub);
  let plan = bound.plan;
  const id = ctx.stmt.nextId++;
  const width = plan.types.length;
  if (mode !== 'exists' && width !== 1) {
    throw new SqlError(SQLSTATE.syntaxError, width > 1 ? 'subquery must return only one column' : 'subquery must return a column', { position });
  }
  if (mode === 'scalar' || mode === 'array' || mode === 'exists') {
    ctx.stmt.subqueries.push({ id, plan });
    const colType = plan.types[0] ?? T.bool;
    const type = mode === 'exists' ? T.bool : mode === 'array' ? arrayOf(colType) : colType;
    return { k: 'subquery', type, mode, id, correlated: sub.correlated };
  }
  const test = bindExpr(testAst!, ctx);
  const colExpr: ExprNode = { k: 'col', type: plan.types[0]!, index: 0 };
  const { type, exprs } = unify([test, colExpr], ctx.stmt, 'IN');
  if (exprs[1] !== colExpr) {
    plan = { op: 'project', input: plan, exprs: [exprs[1]!], types: [type] };
  }
  ctx.stmt.subqueries.push({ id, plan });
  const cmp = resolveOperator(op ?? '=', type, type);
  const t = coerce(exprs[0]!, cmp.argTypes[0]!, ctx.stmt, 'implicit');
  return { k: 'subquery', type: T.bool, mode: mode === 'in' ? 'in' : mode, id, correlated: sub.correlated, test: t, cmpFn: cmp.fnId, negate };
}
