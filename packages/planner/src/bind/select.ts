/**
 * SELECT → plan: FROM, WHERE, GROUP BY/aggregates, HAVING, windows, the select
 * list, DISTINCT [ON], ORDER BY, LIMIT/OFFSET; set operations, VALUES and WITH.
 */
import { T } from '../../../storage/src/types/sql-type.js';
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { isAggregateName } from '../../../storage/src/aggregates/index.js';
import type { Expr, OrderItem, QueryBody, SelectCore, SelectStmt, SelectTarget } from '../parse/ast.js';
import type { PlanNode, SortKey, AggCall } from '../plan/nodes.js';
import type { QueryContext, CteScope } from './context.js';
import { Scope } from './scope.js';
import { bindExpr } from './expr.js';
import { coerce, resolveUnknown, unify } from './coerce.js';
import { exprKey, mapColumns } from './expr-key.js';
import { bindFromList } from './from.js';
import { WINDOW_PLACEHOLDER_BASE } from './aggregate-call.js';
import { buildWindowStages } from './window-stages.js';
import { liftSetReturning } from './set-returning.js';
import { splitAggregatingSetReturning } from './set-returning-aggregate.js';
import { expandFieldStar } from './composite.js';
import { rewriteGapfill, setupGapfill, enableMarkers, checkMarkerTargets, buildGapfillStage, type GapfillState } from './gapfill.js';

export interface BoundQuery {
  plan: PlanNode;
  names: string[];
}

export function bindQuery(stmt: SelectStmt, ctx: QueryContext): BoundQuery {
  const qctx: QueryContext = stmt.with ? { ...ctx, ctes: bindWith(stmt, ctx) } : ctx;
  if (stmt.with) {
    // correlation lists are shared with the caller's context object
    qctx.correlated = ctx.correlated;
    qctx.correlatedKeys = ctx.correlatedKeys;
  }
  if (stmt.body.kind === 'core') {
    // set-returning calls over an aggregation run above it: the query as a subquery of theirs
    const split = splitAggregatingSetReturning(stmt, outputName);
    if (split !== undefined) return bindCore(split.body as SelectCore, split, qctx);
    return bindCore(stmt.body, stmt, qctx);
  }
  const inner = bindBody(stmt.body, qctx);
  return applyOrderLimit(inner, stmt, qctx);
}

function bindWith(stmt: SelectStmt, ctx: QueryContext): CteScope {
  const scope: CteScope = { parent: ctx.ctes, ctes: new Map() };
  for (const cte of stmt.with!.ctes) {
    if (scope.ctes.has(cte.name)) throw new SqlError(SQLSTATE.duplicateAlias, `WITH query name "${cte.name}" specified more than once`);
    if (cte.query.kind !== 'select') throw new SqlError(SQLSTATE.featureNotSupported, 'data-modifying statements in WITH are not supported yet');
    const cctx: QueryContext = { ...ctx, ctes: scope, agg: undefined, windows: undefined };
    let bound: BoundQuery;
    if (stmt.with!.recursive && isRecursive(cte.query, cte.name)) {
      bound = bindRecursive(cte.name, cte.query, cte.columnNames, cctx, scope);
    } else {
      bound = bindQuery(cte.query, cctx);
    }
    const names = cte.columnNames ?? bound.names;
    if (cte.columnNames && cte.columnNames.length > bound.names.length) {
      throw new SqlError(SQLSTATE.invalidColumnReference, `WITH query "${cte.name}" has ${bound.names.length} columns available but ${cte.columnNames.length} columns specified`);
    }
    const allNames = bound.names.map((n, i) => names[i] ?? n);
    scope.ctes.set(cte.name, { def: { name: cte.name, plan: bound.plan, id: ctx.stmt.nextId++ }, names: allNames });
  }
  return scope;
}

function isRecursive(q: SelectStmt, name: string): boolean {
  let found = false;
  const visit = (x: unknown): void => {
    if (found || x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(visit);
    const o = x as { kind?: string; name?: { schema?: string; name?: string } };
    if (o.kind === 'table' && o.name && o.name.schema === undefined && o.name.name === name) {
      found = true;
      return;
    }
    Object.values(o).forEach(visit);
  };
  visit(q.body);
  return found;
}

function bindRecursive(name: string, q: SelectStmt, columnNames: string[] | undefined, ctx: QueryContext, scope: CteScope): BoundQuery {
  if (q.body.kind !== 'setop' || q.body.op !== 'union') {
    throw new SqlError(SQLSTATE.invalidRecursion, `recursive query "${name}" does not have the form non-recursive-term UNION [ALL] recursive-term`);
  }
  const left = bindBody(q.body.left, ctx);
  const names = columnNames ?? left.names;
  const workTableId = ctx.stmt.nextId++;
  scope.ctes.set(name, { recursiveWorkTable: workTableId, types: left.plan.types, names });
  const right = bindBody(q.body.right, ctx);
  scope.ctes.delete(name);
  if (right.plan.types.length !== left.plan.types.length) {
    throw new SqlError(SQLSTATE.syntaxError, 'each UNION query must have the same number of columns');
  }
  const rightPlan = castPlan(right.plan, left.plan.types, ctx);
  const plan: PlanNode = { op: 'recursive', name, nonRecursive: left.plan, recursive: rightPlan, all: q.body.all, workTableId, types: left.plan.types };
  return { plan, names };
}

function castPlan(plan: PlanNode, types: SqlType[], ctx: QueryContext): PlanNode {
  if (plan.types.every((t, i) => t.id === types[i]!.id)) return plan;
  const exprs = plan.types.map((t, i) => coerce({ k: 'col', type: t, index: i }, types[i]!, ctx.stmt, 'implicit'));
  return { op: 'project', input: plan, exprs, types };
}

function bindBody(body: QueryBody, ctx: QueryContext): BoundQuery {
  switch (body.kind) {
    case 'core':
      return bindCore(body, undefined, ctx);
    case 'select':
      return bindQuery(body, ctx);
    case 'values':
      return bindValues(body.rows, ctx);
    case 'setop': {
      const l = bindBody(body.left, { ...ctx, setOpBranch: true });
      const r = bindBody(body.right, { ...ctx, setOpBranch: true });
      const opName = body.op.toUpperCase();
      if (l.plan.types.length !== r.plan.types.length) {
        throw new SqlError(SQLSTATE.syntaxError, `each ${opName} query must have the same number of columns`);
      }
      const types = l.plan.types.map((lt, i) => {
        const rt = r.plan.types[i]!;
        return unify([{ k: 'col', type: lt, index: i }, { k: 'col', type: rt, index: i }], ctx.stmt, opName).type;
      });
      const plan: PlanNode = { op: 'setop', kind: body.op, all: body.all, left: castPlan(l.plan, types, ctx), right: castPlan(r.plan, types, ctx), types };
      return { plan, names: l.names };
    }
  }
}

export function bindValues(rows: Expr[][], ctx: QueryContext, targetTypes?: SqlType[]): BoundQuery {
  const width = rows[0]?.length ?? 0;
  const bound = rows.map((r) => {
    if (r.length !== width) throw new SqlError(SQLSTATE.syntaxError, 'VALUES lists must all be the same length');
    return r.map((e) => bindExpr(e, { ...ctx, agg: undefined, windows: undefined, noAggregatesIn: 'VALUES', noWindowsIn: 'VALUES' }));
  });
  const types: SqlType[] = [];
  for (let c = 0; c < width; c++) {
    if (targetTypes) {
      types.push(targetTypes[c]!);
      for (const r of bound) r[c] = coerce(r[c]!, targetTypes[c]!, ctx.stmt, 'assignment');
      continue;
    }
    const { type, exprs } = unify(bound.map((r) => r[c]!), ctx.stmt, 'VALUES');
    types.push(type);
    exprs.forEach((e, i) => (bound[i]![c] = e));
  }
  return { plan: { op: 'values', rows: bound, types }, names: types.map((_, i) => `column${i + 1}`) };
}

function applyOrderLimit(q: BoundQuery, stmt: SelectStmt, ctx: QueryContext): BoundQuery {
  let plan = q.plan;
  if (stmt.orderBy.length > 0) {
    const scope = new Scope(q.names.map((n, i) => ({ name: n, type: plan.types[i]!, index: i, relation: '' })));
    const keys: SortKey[] = stmt.orderBy.map((o) => {
      const idx = ordinalOrName(o.expr, q.names);
      const expr: ExprNode = idx !== undefined ? { k: 'col', type: plan.types[idx]!, index: idx } : bindExpr(o.expr, { ...ctx, scope, agg: undefined, windows: undefined });
      return sortKey(expr, o);
    });
    plan = { op: 'sort', input: plan, keys, types: plan.types };
  }
  plan = applyLimit(plan, stmt, ctx);
  return { plan, names: q.names };
}

function applyLimit(plan: PlanNode, stmt: SelectStmt, ctx: QueryContext): PlanNode {
  if (!stmt.limit && !stmt.offset) return plan;
  const lctx: QueryContext = { ...ctx, scope: new Scope(), agg: undefined, windows: undefined, noAggregatesIn: 'LIMIT', noWindowsIn: 'LIMIT' };
  const limit = stmt.limit ? coerce(bindExpr(stmt.limit, lctx), T.int8, ctx.stmt, 'implicit') : null;
  const offset = stmt.offset ? coerce(bindExpr(stmt.offset, lctx), T.int8, ctx.stmt, 'implicit') : null;
  if (plan.op === 'sort' && limit?.k === 'const' && limit.value !== null && (offset === null || (offset.k === 'const' && offset.value !== null))) {
    plan = { ...plan, limit: (limit.value as number) + ((offset?.k === 'const' ? (offset.value as number) : 0) ?? 0) };
  }
  return { op: 'limit', input: plan, limit, offset, types: plan.types };
}

function sortKey(expr: ExprNode, o: OrderItem): SortKey {
  const desc = o.direction === 'desc';
  return { expr, desc, nullsFirst: o.nulls ? o.nulls === 'first' : desc };
}

function ordinalOrName(e: Expr, names: string[]): number | undefined {
  if (e.kind === 'literal' && e.literalType === 'integer') {
    const n = Number(e.value);
    if (n < 1 || n > names.length) throw new SqlError(SQLSTATE.invalidColumnReference, `ORDER BY position ${n} is not in select list`, { position: e.position });
    return n - 1;
  }
  if (e.kind === 'column' && e.qualifier.length === 0) {
    const hits = names.map((n, i) => (n === e.name ? i : -1)).filter((i) => i >= 0);
    if (hits.length > 1) throw new SqlError(SQLSTATE.ambiguousColumn, `ORDER BY "${e.name}" is ambiguous`, { position: e.position });
    if (hits.length === 1) return hits[0];
  }
  return undefined;
}

/** Does this AST (outside nested subqueries) call an aggregate / a window function? */
function astHas(x: unknown, what: 'agg' | 'window'): boolean {
  if (x === null || typeof x !== 'object') return false;
  if (Array.isArray(x)) return x.some((y) => astHas(y, what));
  const o = x as { kind?: string; name?: string; over?: unknown };
  if (o.kind === 'subquery' || o.kind === 'exists' || o.kind === 'in_subquery' || (o.kind === 'quantified' && (o as { query?: unknown }).query)) {
    if (o.kind === 'in_subquery' || o.kind === 'quantified') return astHas((o as { expr?: unknown }).expr, what);
    return false;
  }
  if (o.kind === 'func') {
    if (what === 'window' && o.over) return true;
    if (what === 'agg' && !o.over && isAggregateName(o.name!)) return true;
  }
  return Object.values(o).some((v) => astHas(v, what));
}

export function outputName(e: Expr): string {
  switch (e.kind) {
    case 'column':
      return e.name;
    case 'func':
      return e.name;
    case 'cast': {
      const inner = outputName(e.expr);
      if (inner !== '?column?') return inner;
      return castTypeName(e.type.name, e.type.arrayDims);
    }
    case 'case': {
      // PostgreSQL names a CASE after its ELSE branch when that is a column or function
      const strong = (x: Expr): boolean => x.kind === 'column' || x.kind === 'func' || (x.kind === 'cast' && strong(x.expr)) || (x.kind === 'case' && !!x.else && strong(x.else));
      return e.else && strong(e.else) ? outputName(e.else) : 'case';
    }
    case 'field':
      return e.star ? '?column?' : e.field;
    case 'subscript':
      return outputName(e.expr);
    case 'row':
      return 'row';
    case 'exists':
      return 'exists';
    case 'array':
      return 'array';
    case 'subquery': {
      if (e.array) return 'array';
      const body = e.query.body;
      if (body.kind === 'core' && body.targets.length === 1) {
        const t = body.targets[0]!;
        if (t.kind === 'expr') return t.alias ?? outputName(t.expr);
      }
      return '?column?';
    }
    default:
      return '?column?';
  }
}

function castTypeName(name: string, arrayDims: number): string {
  const base = name === 'bpchar' ? 'bpchar' : name;
  return arrayDims > 0 ? `_${base}` : base;
}

interface Target {
  ast: Expr;
  name: string;
  expr?: ExprNode;
}

function expandTargets(targets: SelectTarget[], scope: Scope, ctx: QueryContext): Target[] {
  const out: Target[] = [];
  for (const t of targets) {
    if (t.kind === 'star') {
      const cols = scope.star(t.qualifier);
      if (cols.length === 0 && t.qualifier.length === 0 && scope.width === 0) {
        throw new SqlError(SQLSTATE.syntaxError, 'SELECT * with no tables specified is not valid');
      }
      for (const c of cols) out.push({ ast: { kind: 'column', qualifier: c.relation ? [c.relation] : [], name: c.name }, name: c.name, expr: { k: 'col', type: c.type, index: c.index } });
    } else if (t.expr.kind === 'field' && t.expr.star) {
      out.push(...expandFieldStar(t.expr, ctx));
    } else {
      out.push({ ast: t.expr, name: t.alias ?? outputName(t.expr) });
    }
  }
  return out;
}

function bindCore(rawCore: SelectCore, stmt: SelectStmt | undefined, ctx: QueryContext): BoundQuery {
  // time_bucket_gapfill(…) binds as time_bucket(…); a GROUP BY query gets a GapFill stage
  const gapfillAst = rewriteGapfill(liftSetReturning(rawCore, outputName), stmt);
  const core = gapfillAst.core;
  const from = bindFromList(core.from, ctx);
  let plan = from.plan;
  const scope = from.scope;
  const base: QueryContext = { ...ctx, scope, windowDefs: new Map(core.windows.map((w) => [w.name, w.spec])) };
  // keep correlation bookkeeping shared with ctx
  base.correlated = ctx.correlated;
  base.correlatedKeys = ctx.correlatedKeys;
  let whereBound: ExprNode | undefined;
  if (core.where) {
    const w = bindExpr(core.where, { ...base, noAggregatesIn: 'WHERE', noWindowsIn: 'WHERE' });
    plan = { op: 'filter', input: plan, predicate: coerce(w, T.bool, ctx.stmt, 'implicit', () => `argument of WHERE must be type boolean, not type ${w.type.id}`), types: plan.types };
    whereBound = plan.predicate;
  }
  const targets = expandTargets(core.targets, scope, base);
  const orderBy = gapfillAst.orderBy;
  const hasAgg = core.groupBy.length > 0 || !!core.having || astHas(targets.map((t) => t.ast), 'agg') || astHas(orderBy, 'agg');
  const hasWindow = astHas(targets.map((t) => t.ast), 'window') || astHas(orderBy, 'window');

  let ectx: QueryContext = { ...base, noAggregatesIn: undefined };
  if (hasAgg) {
    const groupAsts = core.groupBy.map((g) => groupItem(g, targets, scope));
    const gctx: QueryContext = { ...base, noAggregatesIn: 'GROUP BY', noWindowsIn: 'GROUP BY' };
    const groupExprs: ExprNode[] = [];
    for (const g of groupAsts) {
      const bound = resolveUnknown(bindExpr(g, gctx), ctx.stmt);
      if (!groupExprs.some((x) => exprKey(x) === exprKey(bound))) groupExprs.push(bound);
    }
    ectx = { ...base, agg: { preScope: scope, groupExprs, aggs: [], groupAsts }, noAggregatesIn: undefined };
  }
  let gapfill: GapfillState | undefined;
  if (hasAgg && gapfillAst.call) {
    gapfill = setupGapfill(gapfillAst, ectx.agg!, whereBound, base);
    enableMarkers(ectx.agg!, true);
  }
  ectx.correlated = ctx.correlated;
  ectx.correlatedKeys = ctx.correlatedKeys;
  if (hasWindow) ectx.windows = { calls: [], baseWidth: 0 };

  for (const t of targets) {
    if (!t.expr || hasAgg) {
      const e = bindExpr(t.ast, ectx);
      t.expr = ctx.setOpBranch && e.k === 'const' ? e : resolveUnknown(e, ctx.stmt);
    }
  }
  if (gapfill) checkMarkerTargets(targets.map((t) => t.expr!), gapfill);
  let having: ExprNode | undefined;
  if (core.having) {
    if (gapfill) enableMarkers(ectx.agg!, false);
    const h = bindExpr(core.having, { ...ectx, windows: undefined, noWindowsIn: 'HAVING' });
    having = coerce(h, T.bool, ctx.stmt, 'implicit');
    if (gapfill) enableMarkers(ectx.agg!, true);
  }
  // ORDER BY: output column by ordinal or name, else an expression over the input
  const isDistinct = !!core.distinct;
  const orderTargets: { index: number; item: OrderItem }[] = [];
  const hidden: ExprNode[] = [];
  for (const o of orderBy) {
    const idx = ordinalOrName(o.expr, targets.map((t) => t.name));
    if (idx !== undefined) {
      orderTargets.push({ index: idx, item: o });
      continue;
    }
    const e = resolveUnknown(bindExpr(o.expr, ectx), ctx.stmt);
    const k = exprKey(e);
    const ti = targets.findIndex((t) => exprKey(t.expr!) === k);
    if (ti >= 0) {
      orderTargets.push({ index: ti, item: o });
    } else {
      // plain DISTINCT cannot sort by what it does not output; DISTINCT ON can (PostgreSQL)
      if (isDistinct && core.distinct!.on.length === 0) throw new SqlError(SQLSTATE.invalidColumnReference, 'for SELECT DISTINCT, ORDER BY expressions must appear in select list');
      let hi = hidden.findIndex((h) => exprKey(h) === k);
      if (hi < 0) {
        hi = hidden.length;
        hidden.push(e);
      }
      orderTargets.push({ index: targets.length + hi, item: o });
    }
  }
  const distinctOn = core.distinct && core.distinct.on.length > 0 ? core.distinct.on.map((d) => {
    const idx = ordinalOrName(d, targets.map((t) => t.name));
    if (idx !== undefined) return idx;
    const e = bindExpr(d, ectx);
    const ti = targets.findIndex((t) => exprKey(t.expr!) === exprKey(e));
    if (ti >= 0) return ti;
    let hi = hidden.findIndex((h) => exprKey(h) === exprKey(e));
    if (hi < 0) {
      hi = hidden.length;
      hidden.push(e);
    }
    return targets.length + hi;
  }) : undefined;

  if (hasAgg) {
    const agg = ectx.agg!;
    const aggTypes = [...agg.groupExprs.map((g) => g.type), ...agg.aggs.map((a) => a.agg.returnType)];
    plan = { op: 'aggregate', input: plan, groupBy: agg.groupExprs, aggs: agg.aggs as AggCall[], types: aggTypes };
    if (having) plan = { op: 'filter', input: plan, predicate: having, types: plan.types };
  }
  let outputExprs = [...targets.map((t) => t.expr!), ...hidden];
  if (gapfill) {
    // TimescaleDB's GapFill sits above the aggregate and HAVING, below windows and the select list
    const stage = buildGapfillStage(plan, gapfill);
    plan = stage.plan;
    outputExprs = outputExprs.map(stage.remap);
    for (const c of ectx.windows?.calls ?? []) {
      c.spec = { ...c.spec, args: c.spec.args.map(stage.remap), ...(c.spec.filter ? { filter: stage.remap(c.spec.filter) } : {}) } as typeof c.spec;
      c.partitionBy = c.partitionBy.map(stage.remap);
      c.orderBy = c.orderBy.map((o) => ({ ...o, expr: stage.remap(o.expr) }));
    }
  }
  if (hasWindow) {
    const stage = buildWindowStages(plan, ectx.windows!.calls);
    plan = stage.plan;
    outputExprs = outputExprs.map((e) => mapColumns(e, (i, node) => (i >= WINDOW_PLACEHOLDER_BASE ? { k: 'col', type: stage.callTypes[i - WINDOW_PLACEHOLDER_BASE]!, index: stage.callColumns[i - WINDOW_PLACEHOLDER_BASE]! } : node)));
  }
  const names = targets.map((t) => t.name);
  plan = { op: 'project', input: plan, exprs: outputExprs, types: outputExprs.map((e) => e.type) };

  if (core.distinct) {
    if (distinctOn) {
      // DISTINCT ON keeps the first row per key in ORDER BY order: sort by the keys first
      const keys: SortKey[] = orderTargets.length > 0 ? orderTargets.map(({ index, item }) => sortKey({ k: 'col', type: plan.types[index]!, index }, item)) : distinctOn.map((i) => ({ expr: { k: 'col', type: plan.types[i]!, index: i }, desc: false, nullsFirst: false }));
      const leading = keys.slice(0, distinctOn.length).map((k) => (k.expr.k === 'col' ? k.expr.index : -1));
      if (orderTargets.length > 0 && !distinctOn.every((d) => leading.includes(d))) {
        throw new SqlError(SQLSTATE.invalidColumnReference, 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions');
      }
      plan = { op: 'sort', input: plan, keys, types: plan.types };
      plan = { op: 'distinct', input: plan, on: distinctOn, types: plan.types };
    } else {
      plan = { op: 'distinct', input: plan, types: plan.types };
    }
  }
  if (orderTargets.length > 0 && !(distinctOn && plan.op === 'distinct')) {
    plan = { op: 'sort', input: plan, keys: orderTargets.map(({ index, item }) => sortKey({ k: 'col', type: plan.types[index]!, index }, item)), types: plan.types };
  }
  if (stmt) plan = applyLimit(plan, stmt, ctx);
  if (hidden.length > 0) {
    const exprs = targets.map((_, i): ExprNode => ({ k: 'col', type: plan.types[i]!, index: i }));
    plan = { op: 'project', input: plan, exprs, types: exprs.map((e) => e.type) };
  }
  return { plan, names };
}

function groupItem(g: Expr, targets: Target[], scope: Scope): Expr {
  if (g.kind === 'literal' && g.literalType === 'integer') {
    const n = Number(g.value);
    if (n < 1 || n > targets.length) throw new SqlError(SQLSTATE.invalidColumnReference, `GROUP BY position ${n} is not in select list`, { position: g.position });
    return targets[n - 1]!.ast;
  }
  if (g.kind === 'column' && g.qualifier.length === 0 && !scope.lookup([], g.name)) {
    const t = targets.find((x) => x.name === g.name);
    if (t) return t.ast;
  }
  return g;
}
