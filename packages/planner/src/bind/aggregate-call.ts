/**
 * Aggregate and window function calls. Aggregates are bound against the
 * pre-aggregation scope and replaced by a reference to the aggregate
 * operator's output column; window calls get a placeholder column that the
 * SELECT binder remaps once all window stages are known.
 */
import { T } from '../../../storage/src/types/sql-type.js';
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import type { Value } from '../../../storage/src/types/values.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { resolveAggregate, isAggregateName } from '../../../storage/src/aggregates/index.js';
import type { Expr, FrameBound, FuncCallExpr, WindowSpec } from '../parse/ast.js';
import type { QueryContext } from './context.js';
import { bindExpr } from './expr.js';
import { coerce } from './coerce.js';
import { exprKey } from './expr-key.js';
import type { SortKey } from '../plan/nodes.js';
import type { WindowCallSpec } from '../exec/index.js';

export const WINDOW_PLACEHOLDER_BASE = 1_000_000;

function preContext(ctx: QueryContext): QueryContext {
  return { ...ctx, scope: ctx.agg!.preScope, agg: undefined, windows: undefined, noAggregatesIn: 'aggregate function calls', noWindowsIn: 'aggregate function calls' };
}

function constValue(e: ExprNode, what: string): Value {
  if (e.k === 'const') return e.value;
  throw new SqlError(SQLSTATE.featureNotSupported, `${what} must be a constant`);
}

export function bindSortKeys(items: { expr: Expr; direction: 'asc' | 'desc'; nulls?: 'first' | 'last' }[], ctx: QueryContext): SortKey[] {
  return items.map((o) => {
    let expr = bindExpr(o.expr, ctx);
    if (expr.type.id === 'unknown') expr = coerce(expr, T.text, ctx.stmt, 'implicit');
    const desc = o.direction === 'desc';
    return { expr, desc, nullsFirst: o.nulls ? o.nulls === 'first' : desc };
  });
}

export function bindAggregateCall(e: FuncCallExpr, ctx: QueryContext): ExprNode {
  if (!ctx.agg) {
    if (ctx.noAggregatesIn === 'aggregate function calls') {
      throw new SqlError(SQLSTATE.groupingError, 'aggregate function calls cannot be nested', { position: e.position });
    }
    throw new SqlError(SQLSTATE.groupingError, `aggregate functions are not allowed in ${ctx.noAggregatesIn ?? 'this context'}`, { position: e.position });
  }
  const pre = preContext(ctx);
  const ordered = e.withinGroup.length > 0;
  const valueExprs = ordered ? e.withinGroup.map((o) => bindExpr(o.expr, pre)) : e.args.map((a) => bindExpr(a, pre));
  const direct = ordered ? e.args.map((a) => bindExpr(a, pre)) : [];
  const argTypes: SqlType[] = valueExprs.map((a) => (a.type.id === 'unknown' ? T.text : a.type));
  const resolved = resolveAggregate(e.name, ordered ? direct.map((d) => (d.type.id === 'unknown' ? T.float8 : d.type)) : argTypes, {
    star: e.star,
    distinct: e.distinct,
    withinGroupTypes: ordered ? argTypes : undefined,
  });
  const targetTypes = ordered ? (resolved as { withinGroupTypes?: SqlType[] }).withinGroupTypes ?? argTypes : resolved.argTypes;
  const args = valueExprs.map((a, i) => coerce(a, targetTypes[i] ?? a.type, ctx.stmt, 'implicit'));
  let directArgs: Value[] | undefined;
  if (ordered) {
    directArgs = direct.map((d, i) => constValue(coerce(d, resolved.argTypes[i] ?? d.type, ctx.stmt, 'implicit'), `the direct argument of ${e.name}`));
  } else if (e.name === 'histogram') {
    // histogram(value, min, max, nbuckets): only the value varies per row
    directArgs = args.slice(1).map((d) => constValue(d, 'histogram bounds'));
    args.splice(1);
  }
  const filter = e.filter ? coerce(bindExpr(e.filter, pre), T.bool, ctx.stmt, 'implicit') : undefined;
  // an ordered-set aggregate sorts by its WITHIN GROUP value: pass it as the ORDER BY key too, with its direction
  const orderBy = ordered
    ? e.withinGroup.map((o, i) => ({ expr: args[i]!, desc: o.direction === 'desc', nullsFirst: o.nulls ? o.nulls === 'first' : o.direction === 'desc' }))
    : e.orderBy.length > 0 ? bindSortKeys(e.orderBy, pre) : undefined;
  const call = { agg: resolved, name: e.name, args, distinct: e.distinct, filter, orderBy, directArgs };
  const key = `${resolved.aggId}|${e.distinct}|${args.map(exprKey).join(',')}|${filter ? exprKey(filter) : ''}|${orderBy?.map((o) => `${exprKey(o.expr)}${o.desc}${o.nullsFirst}`).join(',') ?? ''}|${JSON.stringify(directArgs ?? null)}`;
  const aggs = ctx.agg.aggs as (typeof call & { key?: string })[];
  let idx = aggs.findIndex((a) => a.key === key);
  if (idx < 0) {
    idx = aggs.length;
    aggs.push({ ...call, key });
  }
  return { k: 'col', type: resolved.returnType, index: ctx.agg.groupExprs.length + idx };
}

const RANKING: Record<string, SqlType> = {
  row_number: T.int8,
  rank: T.int8,
  dense_rank: T.int8,
  percent_rank: T.float8,
  cume_dist: T.float8,
  ntile: T.int4,
};

function frameBound(b: FrameBound, ctx: QueryContext): { kind: FrameBound['kind']; offset?: Value } {
  if (b.kind === 'preceding' || b.kind === 'following') {
    const e = bindExpr(b.offset, ctx);
    const v = e.k === 'const' ? e.value : null;
    if (e.k !== 'const') throw new SqlError(SQLSTATE.featureNotSupported, 'window frame offsets must be constants');
    if (v === null) throw new SqlError(SQLSTATE.nullValueNotAllowed, 'frame starting offset must not be null');
    return { kind: b.kind, offset: v };
  }
  return { kind: b.kind };
}

function resolveWindowSpec(spec: WindowSpec, ctx: QueryContext): WindowSpec {
  if (!spec.baseName) return spec;
  const base = ctx.windowDefs?.get(spec.baseName);
  if (!base) throw new SqlError(SQLSTATE.undefinedObject, `window "${spec.baseName}" does not exist`);
  const resolvedBase = resolveWindowSpec(base, ctx);
  return {
    partitionBy: resolvedBase.partitionBy,
    orderBy: spec.orderBy.length > 0 ? spec.orderBy : resolvedBase.orderBy,
    frame: spec.frame ?? resolvedBase.frame,
  };
}

export function bindWindowCall(e: FuncCallExpr, ctx: QueryContext): ExprNode {
  if (!ctx.windows) {
    throw new SqlError(SQLSTATE.windowingError, `window functions are not allowed in ${ctx.noWindowsIn ?? 'this context'}`, { position: e.position });
  }
  const spec = resolveWindowSpec(e.over!, ctx);
  const inner: QueryContext = { ...ctx, windows: undefined, noWindowsIn: 'window function calls' };
  const partitionBy = spec.partitionBy.map((p) => bindExpr(p, inner));
  const orderBy = bindSortKeys(spec.orderBy, inner);
  const args = e.args.map((a) => bindExpr(a, inner));
  let call: WindowCallSpec;
  if (spec.frame) validateFrame(spec.frame);
  const frame = spec.frame
    ? { mode: spec.frame.mode, start: frameBound(spec.frame.start, inner), end: frameBound(spec.frame.end, inner), exclude: spec.frame.exclude }
    : { mode: 'range' as const, start: { kind: 'unbounded_preceding' as const }, end: { kind: 'current_row' as const } };
  const name = e.name;
  if (name in RANKING) {
    const a = name === 'ntile' ? [coerce(args[0]!, T.int4, ctx.stmt, 'implicit')] : [];
    call = { kind: name as WindowCallSpec['kind'], args: a, type: RANKING[name]!, frame } as WindowCallSpec;
  } else if (name === 'lag' || name === 'lead' || name === 'first_value' || name === 'last_value' || name === 'nth_value') {
    if (args.length === 0) throw new SqlError(SQLSTATE.undefinedFunction, `function ${name}() does not exist`, { position: e.position });
    let value = args[0]!;
    if (value.type.id === 'unknown') value = coerce(value, T.text, ctx.stmt, 'implicit');
    const rest: ExprNode[] = [];
    if (name === 'lag' || name === 'lead') {
      if (args[1]) rest.push(coerce(args[1], T.int4, ctx.stmt, 'implicit'));
      if (args[2]) {
        if (!args[1]) rest.push({ k: 'const', type: T.int4, value: 1 });
        rest.push(coerce(args[2], value.type, ctx.stmt, 'implicit'));
      }
    } else if (name === 'nth_value') {
      rest.push(coerce(args[1]!, T.int4, ctx.stmt, 'implicit'));
    }
    call = { kind: name, args: [value, ...rest], type: value.type, frame } as WindowCallSpec;
  } else if (isAggregateName(name)) {
    const argTypes = args.map((a) => (a.type.id === 'unknown' ? T.text : a.type));
    const agg = resolveAggregate(name, argTypes, { star: e.star, distinct: e.distinct });
    const cargs = args.map((a, i) => coerce(a, agg.argTypes[i] ?? a.type, ctx.stmt, 'implicit'));
    const filter = e.filter ? coerce(bindExpr(e.filter, inner), T.bool, ctx.stmt, 'implicit') : undefined;
    call = { kind: 'aggregate', args: cargs, agg, aggOptions: { distinct: e.distinct }, filter, type: agg.returnType, frame } as WindowCallSpec;
  } else {
    throw new SqlError(SQLSTATE.wrongObjectType, `OVER specified, but ${name} is not a window function nor an aggregate function`, { position: e.position });
  }
  const key = `${name}|${JSON.stringify(frame, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}|${call.args.map(exprKey).join(',')}|${partitionBy.map(exprKey).join(',')}|${orderBy.map((o) => `${exprKey(o.expr)}${o.desc}${o.nullsFirst}`).join(',')}|${e.distinct}`;
  let idx = ctx.windows.calls.findIndex((c) => c.key === key);
  if (idx < 0) {
    idx = ctx.windows.calls.length;
    ctx.windows.calls.push({ spec: call, partitionBy, orderBy, key });
  }
  return { k: 'col', type: call.type, index: WINDOW_PLACEHOLDER_BASE + idx };
}

function validateFrame(f: NonNullable<WindowSpec['frame']>): void {
  const err = (m: string) => new SqlError(SQLSTATE.windowingError, m);
  if (f.start.kind === 'unbounded_following') throw err('frame start cannot be UNBOUNDED FOLLOWING');
  if (f.end.kind === 'unbounded_preceding') throw err('frame end cannot be UNBOUNDED PRECEDING');
  if (f.start.kind === 'current_row' && f.end.kind === 'preceding') throw err('frame starting from current row cannot have preceding rows');
  if (f.start.kind === 'following' && (f.end.kind === 'preceding' || f.end.kind === 'current_row')) throw err('frame starting from following row cannot have preceding rows');
}
