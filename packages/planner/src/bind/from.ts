/** FROM clause: tables, views, CTE references, subqueries, table functions and joins. */
import { T, formatType } from '../../../storage/src/types/sql-type.js';
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { resolveFunction } from '../../../storage/src/functions/index.js';
import type { FromItem, TableRef } from '../parse/ast.js';
import type { PlanNode } from '../plan/nodes.js';
import type { QueryContext } from './context.js';
import { Scope, type ScopeColumn } from './scope.js';
import { bindExpr, callOperator } from './expr.js';
import { coerce, unify } from './coerce.js';
import { bindQuery } from './select.js';
import { bindProcedure, findProcedure } from '../hypertable/index.js';
import { isExpandArray } from './set-returning.js';

export interface BoundFrom {
  plan: PlanNode;
  scope: Scope;
}

function relationScope(alias: string, names: string[], types: SqlType[], columnAliases?: string[], extra?: Partial<ScopeColumn>[]): Scope {
  if (columnAliases && columnAliases.length > names.length) {
    throw new SqlError(SQLSTATE.invalidColumnReference, `table "${alias}" has ${names.length} columns available but ${columnAliases.length} columns specified`);
  }
  return new Scope(
    names.map((n, i) => ({ name: columnAliases?.[i] ?? n, type: types[i]!, index: i, relation: alias, ...(extra?.[i] ?? {}) })),
  );
}

function findCte(ctx: QueryContext, name: string) {
  for (let s = ctx.ctes; s; s = s.parent) {
    const c = s.ctes.get(name);
    if (c) return c;
  }
  return undefined;
}

function bindTable(ref: TableRef, ctx: QueryContext): BoundFrom {
  const alias = ref.alias ?? ref.name.name;
  if (ref.name.schema === undefined) {
    const cte = findCte(ctx, ref.name.name);
    if (cte) {
      if ('recursiveWorkTable' in cte) {
        return { plan: { op: 'worktable', workTableId: cte.recursiveWorkTable, types: cte.types }, scope: relationScope(alias, cte.names, cte.types, ref.columnAliases) };
      }
      const plan: PlanNode = { op: 'cte', name: cte.def.name, cte: cte.def, types: cte.def.plan.types };
      return { plan, scope: relationScope(alias, cte.names, plan.types, ref.columnAliases) };
    }
  }
  const table = ctx.stmt.catalog.findTable(ref.name.schema, ref.name.name, ctx.stmt.searchPath);
  if (!table) {
    const sys = ctx.stmt.systemRelation?.(ref.name.schema, ref.name.name);
    if (sys) return { plan: sys.plan, scope: relationScope(alias, sys.names, sys.plan.types, ref.columnAliases) };
    try {
      ctx.stmt.catalog.getTable(ref.name.schema, ref.name.name, ctx.stmt.searchPath);
    } catch (e) {
      if (e instanceof SqlError && e.position === undefined) e.position = ref.position;
      throw e;
    }
    throw new SqlError(SQLSTATE.undefinedTable, `relation "${ref.name.name}" does not exist`, { position: ref.position });
  }
  if (table.kind === 'view') {
    const sub: QueryContext = { stmt: ctx.stmt, scope: new Scope(), correlated: [], correlatedKeys: new Map() };
    const bound = bindQuery(table.view!.query, sub);
    const names = table.view!.columnNames ?? bound.names;
    return { plan: bound.plan, scope: relationScope(alias, names, bound.plan.types, ref.columnAliases) };
  }
  const cols = table.columns;
  const plan: PlanNode = {
    op: 'scan',
    table,
    columnIds: cols.map((c) => c.id),
    withRowId: false,
    alias,
    types: cols.map((c) => c.type),
  };
  const scope = relationScope(
    alias,
    cols.map((c) => c.name),
    plan.types,
    ref.columnAliases,
    cols.map((c) => ({ schema: table.schema, tableOid: table.oid, attnum: c.attnum })),
  );
  return { plan, scope };
}

const SERIES_TYPES: Record<string, SqlType> = { int2: T.int4, int4: T.int4, int8: T.int8, numeric: T.numeric, timestamp: T.timestamp, timestamptz: T.timestamptz, date: T.timestamptz };

function bindFunctionRef(item: Extract<FromItem, { kind: 'function' }>, ctx: QueryContext, left?: BoundFrom): BoundFrom {
  const call = item.call;
  if (left) {
    // arguments may reference earlier FROM items (implicitly LATERAL, as in PostgreSQL)
    const leftCtx: QueryContext = { ...ctx, scope: left.scope, agg: undefined, windows: undefined };
    const sub: QueryContext = { stmt: ctx.stmt, scope: new Scope(), outer: leftCtx, correlated: [], correlatedKeys: new Map(), ctes: ctx.ctes };
    const bound = bindFunctionRef(item, sub);
    if (sub.correlated.length > 0) return { ...bound, lateral: sub.correlated } as BoundFrom & { lateral: ExprNode[] };
    return bound;
  }
  if (item.zipped) return bindZippedFunctions(item, ctx);
  const proc = findProcedure(call.name);
  if (proc) {
    const bound = bindProcedure(call, proc, ctx);
    const alias = item.alias ?? call.name;
    const hidden = bound.names.map((_, i) => (i === bound.names.length - 1 ? { starHidden: true } : {}));
    return { plan: bound.plan, scope: relationScope(alias, bound.names, bound.plan.types, item.columnAliases, hidden) };
  }
  const args = call.args.map((a) => bindExpr(a, ctx));
  const name = call.name;
  if (isExpandArray(call)) return bindExpandArray(item, args);
  let types: SqlType[];
  let bargs: ExprNode[];
  if (name === 'generate_series') {
    if (args.length < 2 || args.length > 3) throw new SqlError(SQLSTATE.undefinedFunction, `function generate_series with ${args.length} arguments does not exist`);
    const known = args.find((a) => a.type.id !== 'unknown');
    let t: SqlType = known ? SERIES_TYPES[known.type.id] ?? known.type : T.int4;
    if (args.some((a) => a.type.id === 'int8')) t = T.int8;
    if (args.some((a) => a.type.id === 'numeric')) t = T.numeric;
    if (t.id === 'timestamptz' || t.id === 'timestamp') {
      bargs = [coerce(args[0]!, t, ctx.stmt, 'implicit'), coerce(args[1]!, t, ctx.stmt, 'implicit'), coerce(args[2] ?? { k: 'const', type: T.unknown, value: null }, T.interval, ctx.stmt, 'implicit')];
      if (!args[2]) throw new SqlError(SQLSTATE.undefinedFunction, 'function generate_series(timestamp with time zone, timestamp with time zone) does not exist');
    } else if (t.id === 'int4' || t.id === 'int8' || t.id === 'numeric') {
      bargs = args.map((a) => coerce(a, t, ctx.stmt, 'implicit'));
    } else {
      throw new SqlError(SQLSTATE.undefinedFunction, `function generate_series(${args.map((a) => a.type.id).join(', ')}) does not exist`, { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
    }
    types = [t];
  } else if (name === 'unnest') {
    if (args.length !== 1 || args[0]!.type.id !== 'array') throw new SqlError(SQLSTATE.undefinedFunction, `function unnest(${args.map((a) => a.type.id).join(', ')}) does not exist`);
    bargs = args;
    types = [args[0]!.type.elem ?? T.text];
  } else {
    // a scalar function in FROM yields one row with one column
    const r = resolveFunction(name, args.map((a) => a.type));
    bargs = args.map((a, i) => coerce(a, r.argTypes[i]!, ctx.stmt, 'implicit'));
    const expr: ExprNode = { k: 'call', type: r.returnType, fn: r.fnId, args: bargs };
    const plan: PlanNode = { op: 'project', input: { op: 'single', types: [] }, exprs: [expr], types: [r.returnType] };
    const alias = item.alias ?? name;
    return { plan, scope: relationScope(alias, [item.columnAliases?.[0] ?? item.alias ?? name], [r.returnType]) };
  }
  const alias = item.alias ?? name;
  const names = [item.columnAliases?.[0] ?? (item.alias && !item.columnAliases ? item.alias : name)];
  if (item.withOrdinality) {
    types = [...types, T.int8];
    names.push(item.columnAliases?.[1] ?? 'ordinality');
  }
  const plan: PlanNode = { op: 'function', name, args: bargs, withOrdinality: !!item.withOrdinality, types };
  return { plan, scope: relationScope(alias, names, types, undefined, item.lifted ? names.map(() => ({ lifted: true })) : undefined) };
}

/** ROWS FROM (f(…), g(…), …) AS alias(columns): each function bound alone, their columns side by side. */
function bindZippedFunctions(item: Extract<FromItem, { kind: 'function' }>, ctx: QueryContext): BoundFrom {
  const calls = [item.call, ...(item.zipped ?? [])];
  const parts = calls.map((call) => {
    const bound = bindFunctionRef({ kind: 'function', call, lateral: item.lateral }, ctx).plan;
    if (bound.op !== 'function' || bound.zipped) {
      throw new SqlError(SQLSTATE.featureNotSupported, `function ${call.name} is not supported in ROWS FROM`, { position: call.position });
    }
    return { name: bound.name, args: bound.args, types: bound.types };
  });
  const [first, ...zipped] = parts;
  const types = parts.flatMap((p) => p.types);
  const names = parts.flatMap((p) => p.types.map(() => p.name));
  const plan: PlanNode = { op: 'function', name: first!.name, args: first!.args, withOrdinality: false, types, zipped };
  const alias = item.alias ?? first!.name;
  return { plan, scope: relationScope(alias, names, types, item.columnAliases, item.lifted ? names.map(() => ({ lifted: true })) : undefined) };
}

/** information_schema._pg_expandarray(anyarray) AS alias(x, n) [WITH ORDINALITY]. */
function bindExpandArray(item: Extract<FromItem, { kind: 'function' }>, args: ExprNode[]): BoundFrom {
  const arg = args[0];
  if (args.length === 1 && arg!.type.id === 'unknown') {
    throw new SqlError(SQLSTATE.datatypeMismatch, 'could not determine polymorphic type because input has type unknown', { position: item.call.position });
  }
  if (args.length !== 1 || arg!.type.id !== 'array') {
    throw new SqlError(SQLSTATE.undefinedFunction, `function information_schema._pg_expandarray(${args.map((a) => formatType(a.type)).join(', ')}) does not exist`, {
      hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
      position: item.call.position,
    });
  }
  let elem = arg!.type.elem ?? T.text;
  while (elem.id === 'array' && elem.elem) elem = elem.elem;
  const types: SqlType[] = [elem, T.int4];
  const names = ['x', 'n'];
  if (item.withOrdinality) {
    types.push(T.int8);
    names.push('ordinality');
  }
  const plan: PlanNode = { op: 'function', name: '_pg_expandarray', args, withOrdinality: !!item.withOrdinality, types };
  return { plan, scope: relationScope(item.alias ?? '_pg_expandarray', names, types, item.columnAliases, item.lifted ? names.map(() => ({ lifted: true })) : undefined) };
}

export function bindFromItem(item: FromItem, ctx: QueryContext, left?: BoundFrom): BoundFrom {
  switch (item.kind) {
    case 'table':
      return bindTable(item, ctx);
    case 'function':
      return bindFunctionRef(item, ctx, left);
    case 'subquery': {
      if (!item.alias) throw new SqlError(SQLSTATE.syntaxError, 'subquery in FROM must have an alias', { hint: 'For example, FROM (SELECT ...) [AS] foo.' });
      if (item.lateral && left) return bindLateral(item, ctx, left);
      const sub: QueryContext = { stmt: ctx.stmt, scope: new Scope(), outer: ctx.outer, correlated: ctx.correlated, correlatedKeys: ctx.correlatedKeys, ctes: ctx.ctes };
      const bound = bindQuery(item.query, sub);
      const alias = item.alias ?? '';
      return { plan: bound.plan, scope: relationScope(alias, bound.names, bound.plan.types, item.columnAliases) };
    }
    case 'join':
      return bindJoin(item, ctx);
  }
}

function bindLateral(item: Extract<FromItem, { kind: 'subquery' }>, ctx: QueryContext, left: BoundFrom): BoundFrom {
  const leftCtx: QueryContext = { ...ctx, scope: left.scope, agg: undefined, windows: undefined };
  const sub: QueryContext = { stmt: ctx.stmt, scope: new Scope(), outer: leftCtx, correlated: [], correlatedKeys: new Map(), ctes: ctx.ctes };
  const bound = bindQuery(item.query, sub);
  const alias = item.alias ?? '';
  const lateral = sub.correlated;
  return { plan: bound.plan, scope: relationScope(alias, bound.names, bound.plan.types, item.columnAliases), lateral } as BoundFrom & { lateral: ExprNode[] };
}

function bindJoin(j: Extract<FromItem, { kind: 'join' }>, ctx: QueryContext): BoundFrom {
  const left = bindFromItem(j.left, ctx);
  const right = bindFromItem(j.right, ctx, left) as BoundFrom & { lateral?: ExprNode[] };
  return joinBound(left, right, j, ctx);
}

export function joinBound(
  left: BoundFrom,
  right: BoundFrom & { lateral?: ExprNode[] },
  j: { joinType: 'inner' | 'left' | 'right' | 'full' | 'cross'; on?: import('../parse/ast.js').Expr; using?: string[]; natural: boolean },
  ctx: QueryContext,
): BoundFrom {
  const leftRels = new Set(left.scope.relations().filter((r) => r !== ''));
  for (const r of right.scope.relations()) {
    if (r !== '' && leftRels.has(r)) throw new SqlError(SQLSTATE.duplicateAlias, `table name "${r}" specified more than once`);
  }
  const scope = Scope.concat(left.scope, right.scope);
  let condition: ExprNode | undefined;
  let using = j.using;
  if (j.natural) {
    const rightNames = new Set(right.scope.star([]).map((c) => c.name));
    using = left.scope.star([]).map((c) => c.name).filter((n) => rightNames.has(n));
  }
  let merged: { name: string; l: ScopeColumn; r: ScopeColumn }[] = [];
  if (using && using.length > 0) {
    const conds: ExprNode[] = [];
    for (const name of using) {
      const l = left.scope.lookup([], name);
      const r = right.scope.lookup([], name);
      if (!l) throw new SqlError(SQLSTATE.undefinedColumn, `column "${name}" specified in USING clause does not exist in left table`);
      if (!r) throw new SqlError(SQLSTATE.undefinedColumn, `column "${name}" specified in USING clause does not exist in right table`);
      const jctx: QueryContext = { ...ctx, scope, agg: undefined };
      conds.push(callOperator('=', { k: 'col', type: l.type, index: l.index }, { k: 'col', type: r.type, index: r.index + left.scope.width }, jctx));
      merged.push({ name, l, r: { ...r, index: r.index + left.scope.width } });
    }
    condition = conds.length === 1 ? conds[0] : { k: 'and', type: T.bool, args: conds };
  } else if (j.on) {
    const jctx: QueryContext = { ...ctx, scope, agg: undefined, windows: undefined, noAggregatesIn: 'JOIN conditions', noWindowsIn: 'JOIN conditions' };
    const c = bindExpr(j.on, jctx);
    condition = coerce(c, T.bool, ctx.stmt, 'implicit', () => `argument of JOIN/ON must be type boolean, not type ${c.type.id}`);
  }
  const types = [...left.plan.types, ...right.plan.types];
  const joinType = j.joinType === 'cross' ? (condition ? 'inner' : 'cross') : j.joinType;
  const plan: PlanNode = {
    op: 'join',
    joinType,
    left: left.plan,
    right: right.plan,
    condition,
    types,
    lateralColumns: right.lateral ? right.lateral.map((e) => (e.k === 'col' ? e.index : -1)) : undefined,
  };
  if (right.lateral && right.lateral.some((e) => e.k !== 'col')) {
    throw new SqlError(SQLSTATE.featureNotSupported, 'LATERAL references to enclosing queries are not supported yet');
  }
  if (merged.length > 0) return mergeUsingColumns(plan, scope, merged, joinType, ctx);
  return { plan, scope };
}

export function bindFromList(items: FromItem[], ctx: QueryContext): BoundFrom {
  if (items.length === 0) return { plan: { op: 'single', types: [] }, scope: new Scope() };
  let acc = bindFromItem(items[0]!, ctx);
  for (const item of items.slice(1)) {
    const right = bindFromItem(item, ctx, acc) as BoundFrom & { lateral?: ExprNode[] };
    acc = joinBound(acc, right, { joinType: 'cross', natural: false }, ctx);
  }
  return acc;
}


/**
 * USING / NATURAL joins expose each join column once, first in `*`, as the
 * left value (inner/left), the right value (right) or COALESCE of both (full).
 */
function mergeUsingColumns(plan: PlanNode, scope: Scope, merged: { name: string; l: ScopeColumn; r: ScopeColumn }[], joinType: string, ctx: QueryContext): BoundFrom {
  const k = merged.length;
  const exprs: ExprNode[] = merged.map(({ l, r }) => {
    const lc: ExprNode = { k: 'col', type: l.type, index: l.index };
    const rc: ExprNode = { k: 'col', type: r.type, index: r.index };
    if (joinType === 'right') return rc;
    if (joinType !== 'full') return lc;
    const { type, exprs: both } = unify([lc, rc], ctx.stmt, 'JOIN/USING');
    return { k: 'coalesce', type, args: both };
  });
  const usedL = new Set(merged.map((m) => m.l.index));
  const usedR = new Set(merged.map((m) => m.r.index));
  const all: ExprNode[] = [...exprs, ...plan.types.map((t, i): ExprNode => ({ k: 'col', type: t, index: i }))];
  const cols: ScopeColumn[] = [
    ...merged.map((m, i) => ({ name: m.name, type: exprs[i]!.type, index: i, relation: '' })),
    ...scope.columns.map((c) => ({ ...c, index: c.index + k, usingDuplicate: c.usingDuplicate || usedL.has(c.index) || usedR.has(c.index) })),
  ];
  return { plan: { op: 'project', input: plan, exprs: all, types: all.map((e) => e.type) }, scope: new Scope(cols) };
}
