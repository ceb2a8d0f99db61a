/**
 * AST expressions → typed ExprNodes: name resolution (with correlation to
 * outer queries), literal and parameter typing, operator/function overload
 * resolution, special forms (CASE, COALESCE, IN, BETWEEN …), aggregates and
 * window calls (collected into the query context), subqueries.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { T, arrayOf, formatType } from '../../../storage/src/types/sql-type.js';
import type { ExprNode, CaseNode } from '../../../storage/src/expr/expr.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { resolveFunction, resolveOperator } from '../../../storage/src/functions/index.js';
import { isAggregateName } from '../../../storage/src/aggregates/index.js';
import { parseTypeName } from '../../../storage/src/types/casts.js';
import type { Expr, FuncCallExpr, TypeName } from '../parse/ast.js';
import type { QueryContext } from './context.js';
import { bindLiteral } from './literals.js';
import { coerce, unify } from './coerce.js';
import { exprKey } from './expr-key.js';
import { bindAggregateCall, bindWindowCall } from './aggregate-call.js';
import { bindSubquery } from './subquery.js';
import { bindSpecialFunction } from './special-functions.js';
import { bindGapfillMarker } from './gapfill.js';
import { bindFieldSelect, bindRow, bindWholeRow, recordIsNull } from './composite.js';

export function resolveType(t: TypeName): SqlType {
  return parseTypeName(t.name, t.modifiers, t.arrayDims);
}

const LIKE_OPS: Record<string, string> = {
  like: '~~',
  'not like': '!~~',
  ilike: '~~*',
  'not ilike': '!~~*',
};

export function bindExpr(e: Expr, ctx: QueryContext): ExprNode {
  if (ctx.agg) {
    const grouped = matchGroupExpr(e, ctx);
    if (grouped) return grouped;
  }
  switch (e.kind) {
    case 'literal':
      return bindLiteral(e);
    case 'column':
      return bindColumn(e.qualifier, e.name, ctx, e.position);
    case 'param': {
      const i = e.index - 1;
      if (i < 0) throw new SqlError(SQLSTATE.undefinedParameter, `there is no parameter $${e.index}`, { position: e.position });
      while (ctx.stmt.paramTypes.length <= i) ctx.stmt.paramTypes.push(undefined);
      const known = ctx.stmt.paramTypes[i];
      return { k: 'param', type: known ?? T.unknown, index: i };
    }
    case 'star':
      throw new SqlError(SQLSTATE.syntaxError, 'syntax error at or near "*"', { position: e.position });
    case 'unary':
      return bindUnary(e.op, e.expr, ctx, e.position);
    case 'binary':
      return bindBinary(e.op, e.left, e.right, ctx, e.position, e.escape);
    case 'is': {
      const arg = bindExpr(e.expr, ctx);
      if (e.test === 'null') return arg.type.fields ? recordIsNull(arg, e.not) : { k: 'isnull', type: T.bool, arg: materializeUnknown(arg, ctx), negate: e.not };
      return { k: 'isbool', type: T.bool, arg: coerce(arg, T.bool, ctx.stmt, 'implicit', () => `argument of IS ${e.test.toUpperCase()} must be type boolean, not type ${formatType(arg.type)}`), test: e.test, negate: e.not };
    }
    case 'between': {
      const ge = (a: Expr, b: Expr) => bindBinary('>=', a, b, ctx, e.position);
      const le = (a: Expr, b: Expr) => bindBinary('<=', a, b, ctx, e.position);
      let node: ExprNode = { k: 'and', type: T.bool, args: [ge(e.expr, e.low), le(e.expr, e.high)] };
      if (e.symmetric) node = { k: 'or', type: T.bool, args: [node, { k: 'and', type: T.bool, args: [ge(e.expr, e.high), le(e.expr, e.low)] }] };
      return e.not ? { k: 'not', type: T.bool, arg: node } : node;
    }
    case 'in_list': {
      if (e.expr.kind === 'row') {
        const eqs = e.list.map((item) => bindRowComparison('=', e.expr, item, ctx, e.position));
        const any: ExprNode = eqs.length === 1 ? eqs[0]! : { k: 'or', type: T.bool, args: eqs };
        return e.not ? { k: 'not', type: T.bool, arg: any } : any;
      }
      const arg = bindExpr(e.expr, ctx);
      const items = e.list.map((x) => bindExpr(x, ctx));
      const { type, exprs } = unify([arg, ...items], ctx.stmt, 'IN');
      const eq = resolveOperator('=', type, type);
      return { k: 'inlist', type: T.bool, arg: exprs[0]!, list: exprs.slice(1), eqFn: eq.fnId, negate: e.not };
    }
    case 'in_subquery':
      if (e.expr.kind === 'row') return bindRowInSubquery(e, ctx);
      return bindSubquery(ctx, e.query, e.not ? 'all' : 'in', e.expr, e.not ? '<>' : '=', false, e.position);
    case 'exists':
      return bindSubquery(ctx, e.query, 'exists');
    case 'subquery':
      return bindSubquery(ctx, e.query, e.array ? 'array' : 'scalar');
    case 'quantified': {
      if (e.query) return bindSubquery(ctx, e.query, e.quantifier, e.expr, e.op, false, e.position);
      if (e.array && e.array.kind === 'array') {
        // x op ANY (ARRAY[...]) over constant-ish lists: expand to OR/AND of comparisons
        const parts = e.array.elements.map((el) => bindBinary(e.op, e.expr, el, ctx, e.position));
        if (parts.length === 0) return { k: 'const', type: T.bool, value: e.quantifier === 'all' };
        return { k: e.quantifier === 'any' ? 'or' : 'and', type: T.bool, args: parts };
      }
      return bindQuantifiedArray(e.op, e.quantifier, e.expr, e.array!, ctx, e.position);
    }
    case 'case':
      return bindCase(e, ctx);
    case 'cast': {
      const to = resolveType(e.type);
      const arg = bindExpr(e.expr, ctx);
      return coerce(arg, to, ctx.stmt, 'explicit');
    }
    case 'func':
      return bindFunc(e, ctx);
    case 'array': {
      const items = e.elements.map((x) => bindExpr(x, ctx));
      if (items.length === 0) throw new SqlError(SQLSTATE.indeterminateDatatype, 'cannot determine type of empty array', { hint: 'Explicitly cast to the desired type, for example ARRAY[]::integer[].', position: e.position });
      const { type, exprs } = unify(items, ctx.stmt, 'ARRAY');
      if (exprs.every((x) => x.k === 'const')) {
        return { k: 'const', type: arrayOf(type), value: exprs.map((x) => (x as { value: import('../../../storage/src/types/values.js').Value }).value) };
      }
      return { k: 'call', type: arrayOf(type), fn: 'array_constructor', args: exprs };
    }
    case 'row':
      return bindRow(e, ctx);
    case 'field':
      return bindFieldSelect(e, ctx);
    case 'subscript': {
      const arr = bindExpr(e.expr, ctx);
      const idx = coerce(bindExpr(e.index, ctx), T.int4, ctx.stmt, 'implicit');
      if (arr.type.id !== 'array') throw new SqlError(SQLSTATE.datatypeMismatch, `cannot subscript type ${formatType(arr.type)} because it does not support subscripting`, { position: e.position });
      // int2vector / oidvector subscripts start at 0 (pg_index.indoption[i - 1] in pgjdbc's getIndexInfo)
      const index = arr.type.vector ? callOperator('+', idx, { k: 'const', type: T.int4, value: 1 }, ctx, e.position) : idx;
      return { k: 'call', type: arr.type.elem ?? T.unknown, fn: 'array_subscript', args: [arr, index] };
    }
    case 'default':
      throw new SqlError(SQLSTATE.syntaxError, 'DEFAULT is not allowed in this context', { position: e.position });
  }
}

/** An untyped literal where no type is implied (IS NULL, select lists) becomes text. */
function materializeUnknown(e: ExprNode, ctx: QueryContext): ExprNode {
  if (e.type.id === 'unknown' && e.k === 'const') return coerce(e, T.text, ctx.stmt, 'implicit');
  return e;
}

function matchGroupExpr(e: Expr, ctx: QueryContext): ExprNode | undefined {
  const agg = ctx.agg!;
  if (e.kind === 'literal' || e.kind === 'param') return undefined;
  if (e.kind === 'func' && (e.over || isAggregateName(e.name))) return undefined;
  if (agg.groupExprs.length === 0) return undefined;
  if (!mentionsColumns(e)) return undefined;
  let bound: ExprNode;
  try {
    const pre: QueryContext = { ...ctx, scope: agg.preScope, agg: undefined, windows: undefined, noAggregatesIn: 'GROUP BY', noWindowsIn: 'GROUP BY' };
    bound = bindExpr(e, pre);
  } catch {
    return undefined;
  }
  const key = exprKey(bound);
  const i = agg.groupExprs.findIndex((g) => exprKey(g) === key);
  if (i < 0) return undefined;
  return { k: 'col', type: agg.groupExprs[i]!.type, index: i };
}

function mentionsColumns(e: Expr): boolean {
  let found = false;
  const visit = (x: unknown): void => {
    if (found || x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) {
      for (const y of x) visit(y);
      return;
    }
    const o = x as { kind?: string };
    if (o.kind === 'column') {
      found = true;
      return;
    }
    if (o.kind === 'subquery' || o.kind === 'exists' || o.kind === 'in_subquery') return;
    for (const v of Object.values(o)) visit(v);
  };
  visit(e);
  return found;
}

export function bindColumn(qualifier: string[], name: string, ctx: QueryContext, position?: number): ExprNode {
  const local = ctx.scope.lookup(qualifier, name, position);
  if (local) {
    if (ctx.agg) {
      throw new SqlError(SQLSTATE.groupingError, `column "${local.relation ? `${local.relation}.` : ''}${name}" must appear in the GROUP BY clause or be used in an aggregate function`, { position });
    }
    return { k: 'col', type: local.type, index: local.index };
  }
  if (qualifier.length > 0 && !ctx.scope.hasRelation(qualifier[qualifier.length - 1]!) && !outerHasRelation(ctx, qualifier[qualifier.length - 1]!)) {
    throw new SqlError(SQLSTATE.undefinedTable, `missing FROM-clause entry for table "${qualifier[qualifier.length - 1]}"`, { position });
  }
  if (ctx.outer) {
    const outerRef = tryOuter(qualifier, name, ctx.outer, position);
    if (outerRef) {
      const key = exprKey(outerRef);
      let slot = ctx.correlatedKeys.get(key);
      if (slot === undefined) {
        slot = ctx.correlated.length;
        ctx.correlated.push(outerRef);
        ctx.correlatedKeys.set(key, slot);
      }
      return { k: 'corr', type: outerRef.type, slot };
    }
  }
  if (qualifier.length === 0 && !ctx.agg) {
    const row = bindWholeRow(name, ctx.scope);
    if (row) return row;
  }
  // PostgreSQL quotes an unqualified name but not a qualified one
  const shown = qualifier.length > 0 ? `${qualifier.join('.')}.${name}` : `"${name}"`;
  throw new SqlError(SQLSTATE.undefinedColumn, `column ${shown} does not exist`, { position });
}

function outerHasRelation(ctx: QueryContext, rel: string): boolean {
  for (let c = ctx.outer; c; c = c.outer) {
    if (c.scope.hasRelation(rel)) return true;
    if (c.agg?.preScope.hasRelation(rel)) return true;
  }
  return false;
}

function tryOuter(qualifier: string[], name: string, outer: QueryContext, position?: number): ExprNode | undefined {
  // an outer query that aggregates exposes its pre-aggregation columns only through GROUP BY matching
  const scope = outer.agg ? outer.agg.preScope : outer.scope;
  const hit = scope.lookup(qualifier, name, position);
  if (hit) {
    if (outer.agg) {
      const key = exprKey({ k: 'col', type: hit.type, index: hit.index });
      const gi = outer.agg.groupExprs.findIndex((g) => exprKey(g) === key);
      if (gi < 0) throw new SqlError(SQLSTATE.groupingError, `subquery uses ungrouped column "${hit.relation}.${name}" from outer query`, { position });
      return { k: 'col', type: hit.type, index: gi };
    }
    return { k: 'col', type: hit.type, index: hit.index };
  }
  if (!outer.outer) return undefined;
  const deeper = tryOuter(qualifier, name, outer.outer, position);
  if (!deeper) return undefined;
  const key = exprKey(deeper);
  let slot = outer.correlatedKeys.get(key);
  if (slot === undefined) {
    slot = outer.correlated.length;
    outer.correlated.push(deeper);
    outer.correlatedKeys.set(key, slot);
  }
  return { k: 'corr', type: deeper.type, slot };
}

function bindUnary(op: string, arg: Expr, ctx: QueryContext, position?: number): ExprNode {
  if (op === '-' && arg.kind === 'literal' && (arg.literalType === 'integer' || arg.literalType === 'numeric')) {
    return bindLiteral(arg, true);
  }
  const a = bindExpr(arg, ctx);
  if (op === 'not') {
    return { k: 'not', type: T.bool, arg: coerce(a, T.bool, ctx.stmt, 'implicit', () => `argument of NOT must be type boolean, not type ${formatType(a.type)}`) };
  }
  return callOperator(op, null, a, ctx, position);
}

export function callOperator(op: string, left: ExprNode | null, right: ExprNode, ctx: QueryContext, position?: number): ExprNode {
  let r;
  try {
    r = resolveOperator(op, left ? left.type : null, right.type);
  } catch (err) {
    if (err instanceof SqlError && err.position === undefined && position !== undefined) err.position = position;
    throw err;
  }
  const args: ExprNode[] = [];
  if (left) args.push(coerce(left, r.argTypes[0]!, ctx.stmt, 'implicit'));
  args.push(coerce(right, r.argTypes[left ? 1 : 0]!, ctx.stmt, 'implicit'));
  return { k: 'call', type: r.returnType, fn: r.fnId, args };
}

/**
 * x op ANY/ALL (array expression) over a non-literal array (a column, a parameter, a function
 * result), as PostgreSQL's ScalarArrayOpExpr: the operator is resolved for (x, element type), the
 * array is coerced to an array of the operator's right operand, and the run-time function
 * 'quantified_array' (storage/src/functions/array.ts) applies it with SQL NULL semantics.
 */
function bindQuantifiedArray(op: string, quantifier: 'any' | 'all', l: Expr, r: Expr, ctx: QueryContext, position?: number): ExprNode {
  const left = bindExpr(l, ctx);
  let arr = bindExpr(r, ctx);
  // an untyped literal or parameter on the right is an array of the left operand's type
  if (arr.type.id === 'unknown') arr = coerce(arr, arrayOf(left.type.id === 'unknown' ? T.text : left.type), ctx.stmt, 'explicit');
  if (arr.type.id !== 'array')
    throw new SqlError(SQLSTATE.wrongObjectType, 'op ANY/ALL (array) requires array on right side', { position });
  const elem = arr.type.elem ?? T.text;
  let cmp;
  try {
    cmp = resolveOperator(LIKE_OPS[op] ?? op, left.type, elem);
  } catch (err) {
    if (err instanceof SqlError && err.position === undefined && position !== undefined) err.position = position;
    throw err;
  }
  if (cmp.returnType.id !== 'bool')
    throw new SqlError(SQLSTATE.wrongObjectType, `op ANY/ALL (array) requires operator to yield boolean`, { position });
  const x = coerce(left, cmp.argTypes[0]!, ctx.stmt, 'implicit');
  const a = coerce(arr, arrayOf(cmp.argTypes[1]!), ctx.stmt, 'implicit');
  return {
    k: 'call',
    type: T.bool,
    fn: 'quantified_array',
    args: [x, a, { k: 'const', type: T.text, value: cmp.fnId }, { k: 'const', type: T.bool, value: quantifier === 'all' }],
  };
}

function bindBinary(op: string, l: Expr, r: Expr, ctx: QueryContext, position?: number, escape?: Expr): ExprNode {
  if (op === 'and' || op === 'or') {
    const args: ExprNode[] = [];
    const flatten = (x: Expr) => {
      if (x.kind === 'binary' && x.op === op) {
        flatten(x.left);
        flatten(x.right);
      } else {
        const b = bindExpr(x, ctx);
        args.push(coerce(b, T.bool, ctx.stmt, 'implicit', () => `argument of ${op.toUpperCase()} must be type boolean, not type ${formatType(b.type)}`));
      }
    };
    flatten(l);
    flatten(r);
    return { k: op, type: T.bool, args };
  }
  if (l.kind === 'row' || r.kind === 'row') return bindRowComparison(op, l, r, ctx, position);
  const left = bindExpr(l, ctx);
  const right = bindExpr(r, ctx);
  if (op === 'is distinct from' || op === 'is not distinct from') {
    return distinctFrom(left, right, op === 'is not distinct from', ctx, position);
  }
  if (op === 'similar to' || op === 'not similar to') {
    const pattern = coerce(right, T.text, ctx.stmt, 'implicit');
    const regex: ExprNode = { k: 'call', type: T.text, fn: resolveFunction('similar_to_escape', [T.text]).fnId, args: [pattern] };
    return callOperator(op === 'similar to' ? '~' : '!~', coerce(left, T.text, ctx.stmt, 'implicit'), regex, ctx, position);
  }
  const mapped = LIKE_OPS[op] ?? op;
  if (escape && (mapped === '~~' || mapped === '!~~' || mapped === '~~*' || mapped === '!~~*')) {
    const esc = bindExpr(escape, ctx);
    const rf = resolveFunction('like_escape', [T.text, T.text]);
    const pat: ExprNode = { k: 'call', type: T.text, fn: rf.fnId, args: [coerce(right, T.text, ctx.stmt, 'implicit'), coerce(esc, T.text, ctx.stmt, 'implicit')] };
    return callOperator(mapped, left, pat, ctx, position);
  }
  return callOperator(mapped, left, right, ctx, position);
}

function distinctFrom(left: ExprNode, right: ExprNode, notDistinct: boolean, ctx: QueryContext, position?: number): ExprNode {
  const eq = callOperator('=', left, right, ctx, position);
  const [a, b] = eq.k === 'call' ? [eq.args[0]!, eq.args[1]!] : [left, right];
  // a IS DISTINCT FROM b  ≡  CASE WHEN a IS NULL THEN b IS NOT NULL WHEN b IS NULL THEN true ELSE NOT (a = b) END
  const node: CaseNode = {
    k: 'case',
    type: T.bool,
    whens: [
      { cond: { k: 'isnull', type: T.bool, arg: a, negate: false }, then: { k: 'isnull', type: T.bool, arg: b, negate: !notDistinct } },
      { cond: { k: 'isnull', type: T.bool, arg: b, negate: false }, then: { k: 'const', type: T.bool, value: !notDistinct } },
    ],
    else: notDistinct ? eq : { k: 'not', type: T.bool, arg: eq },
  };
  return node;
}

function bindCase(e: Extract<Expr, { kind: 'case' }>, ctx: QueryContext): ExprNode {
  const operand = e.operand ? bindExpr(e.operand, ctx) : undefined;
  const conds = e.whens.map((w) => {
    if (operand) {
      const when = bindExpr(w.when, ctx);
      return callOperator('=', operand, when, ctx);
    }
    const c = bindExpr(w.when, ctx);
    return coerce(c, T.bool, ctx.stmt, 'implicit', () => `argument of CASE/WHEN must be type boolean, not type ${formatType(c.type)}`);
  });
  const results = [...e.whens.map((w) => bindExpr(w.then, ctx)), ...(e.else ? [bindExpr(e.else, ctx)] : [])];
  const { type, exprs } = unify(results, ctx.stmt, 'CASE');
  return {
    k: 'case',
    type,
    whens: conds.map((cond, i) => ({ cond, then: exprs[i]! })),
    else: e.else ? exprs[exprs.length - 1]! : null,
  };
}

function bindFunc(e: FuncCallExpr, ctx: QueryContext): ExprNode {
  if (e.over) return bindWindowCall(e, ctx);
  if (isAggregateName(e.name)) return bindAggregateCall(e, ctx);
  if ((e.name === 'locf' || e.name === 'interpolate') && !e.schema) return bindGapfillMarker(e, ctx);
  if (e.distinct || e.orderBy.length > 0 || e.filter || e.withinGroup.length > 0) {
    throw new SqlError(SQLSTATE.wrongObjectType, `${e.distinct ? 'DISTINCT' : e.filter ? 'FILTER' : 'ORDER BY'} specified, but ${e.name} is not an aggregate function`, { position: e.position });
  }
  const special = bindSpecialFunction(e, ctx);
  if (special) return special;
  const args = e.args.map((a) => bindExpr(a, ctx));
  return callFunction(e.name, args, ctx, e.position);
}

export function callFunction(name: string, args: ExprNode[], ctx: QueryContext, position?: number): ExprNode {
  let r;
  try {
    r = resolveFunction(name, args.map((a) => a.type));
  } catch (err) {
    if (err instanceof SqlError && err.position === undefined && position !== undefined) err.position = position;
    throw err;
  }
  return {
    k: 'call',
    type: r.returnType,
    fn: r.fnId,
    args: args.map((a, i) => coerce(a, r.argTypes[i] ?? a.type, ctx.stmt, 'implicit')),
  };
}

/**
 * Row comparison as PostgreSQL defines it: = and <> pairwise, ordering
 * operators lexicographically on the first unequal pair.
 *   (a, b) < (c, d)   ≡   a < c OR (a = c AND b < d)
 */
function bindRowComparison(op: string, l: Expr, r: Expr, ctx: QueryContext, position?: number): ExprNode {
  const lf = l.kind === 'row' ? l.fields : null;
  const rf = r.kind === 'row' ? r.fields : null;
  if (!lf || !rf) throw new SqlError(SQLSTATE.featureNotSupported, 'comparing a row value with a non-row value is not supported', { position });
  if (lf.length !== rf.length) throw new SqlError(SQLSTATE.syntaxError, 'unequal number of entries in row expressions', { position });
  const pair = (o: string, i: number) => bindBinary(o, lf[i]!, rf[i]!, ctx, position);
  const all = (parts: ExprNode[]): ExprNode => (parts.length === 1 ? parts[0]! : { k: 'and', type: T.bool, args: parts });
  const any = (parts: ExprNode[]): ExprNode => (parts.length === 1 ? parts[0]! : { k: 'or', type: T.bool, args: parts });
  switch (op) {
    case '=':
      return all(lf.map((_, i) => pair('=', i)));
    case '<>':
      return any(lf.map((_, i) => pair('<>', i)));
    case 'is distinct from':
      return any(lf.map((_, i) => pair('is distinct from', i)));
    case 'is not distinct from':
      return all(lf.map((_, i) => pair('is not distinct from', i)));
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const strict = op[0]!;
      const n = lf.length;
      const ors: ExprNode[] = [];
      for (let i = 0; i < n; i++) {
        const prefix = lf.slice(0, i).map((_, j) => pair('=', j));
        const last = pair(i === n - 1 ? op : strict, i);
        ors.push(all([...prefix, last]));
      }
      return any(ors);
    }
    default:
      throw new SqlError(SQLSTATE.featureNotSupported, `operator ${op} is not supported for row values`, { position });
  }
}

/** (a, b) IN (SELECT x, y …) → EXISTS (SELECT 1 FROM (…) s WHERE s.x = a AND s.y = b). */
function bindRowInSubquery(e: Extract<Expr, { kind: 'in_subquery' }>, ctx: QueryContext): ExprNode {
  if (e.not) throw new SqlError(SQLSTATE.featureNotSupported, 'NOT IN with a row value and a subquery is not supported yet; use NOT EXISTS', { position: e.position });
  const fields = (e.expr as Extract<Expr, { kind: 'row' }>).fields;
  const alias = '__in_rows';
  const names = fields.map((_, i) => `c${i + 1}`);
  const where = fields
    .map((f, i): Expr => ({ kind: 'binary', op: '=', left: { kind: 'column', qualifier: [alias], name: names[i]! }, right: f }))
    .reduce((a, b): Expr => ({ kind: 'binary', op: 'and', left: a, right: b }));
  const query: import('../parse/ast.js').SelectStmt = {
    kind: 'select',
    orderBy: [],
    body: {
      kind: 'core',
      targets: [{ kind: 'expr', expr: { kind: 'literal', literalType: 'integer', value: '1' } }],
      from: [{ kind: 'subquery', query: e.query, alias, columnAliases: names, lateral: false }],
      where,
      groupBy: [],
      windows: [],
    },
  };
  return bindSubquery(ctx, query, 'exists');
}
