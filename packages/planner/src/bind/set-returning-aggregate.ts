/**
 * Set-returning functions in the select list of an aggregating query (GROUP BY, HAVING or
 * aggregate calls) run after the aggregation, as PostgreSQL's ProjectSet above its Agg does:
 *
 *   SELECT k, unnest(array_agg(v)) FROM t GROUP BY k ORDER BY k
 *     →  SELECT __srf_input.__srf_in1 AS k, unnest(__srf_input.__srf_in2)
 *        FROM (SELECT k AS __srf_in1, array_agg(v) AS __srf_in2 FROM t GROUP BY k) __srf_input
 *        ORDER BY k
 *
 * Every part of a target outside its set-returning calls that reads a column or an aggregate goes
 * to the inner query; constants stay where they are (an untyped literal must keep its context).
 * ORDER BY, DISTINCT, LIMIT and OFFSET apply to the outer query, which set-returning.ts then
 * lifts as for any other select list.
 */
import type { Expr, OrderItem, SelectCore, SelectStmt, SelectTarget } from '../parse/ast.js';
import { isAggregateName } from '../../../storage/src/aggregates/index.js';
import { setReturningKind } from './set-returning.js';

const INPUT = '__srf_input';

/** Whether `x` (not looking into subqueries) holds a node `test` accepts. */
function holds(x: unknown, test: (o: { kind?: string; [k: string]: unknown }) => boolean): boolean {
  if (x === null || typeof x !== 'object') return false;
  if (Array.isArray(x)) return x.some((y) => holds(y, test));
  const o = x as { kind?: string; [k: string]: unknown };
  if (o.kind === 'subquery' || o.kind === 'exists') return false;
  if (o.kind === 'in_subquery' || o.kind === 'quantified') return holds(o.expr, test);
  if (test(o)) return true;
  return Object.values(o).some((v) => holds(v, test));
}

const isSrf = (o: { kind?: string }) => o.kind === 'func' && setReturningKind(o as never) !== undefined;
const isAggregate = (o: { kind?: string; over?: unknown; name?: unknown }) => o.kind === 'func' && !o.over && isAggregateName(o.name as string);
const readsInput = (o: { kind?: string }) => o.kind === 'column' || o.kind === 'subquery' || o.kind === 'exists' || isAggregate(o);
/** A column, an aggregate or a subquery anywhere inside (a subquery may be correlated). */
const needsInput = (x: unknown): boolean => {
  if (x === null || typeof x !== 'object') return false;
  if (Array.isArray(x)) return x.some(needsInput);
  const o = x as { kind?: string };
  if (readsInput(o)) return true;
  return Object.values(o).some(needsInput);
};

/** The query split in two when its select list has set-returning calls and it aggregates; undefined otherwise. */
export function splitAggregatingSetReturning(stmt: SelectStmt, nameOf: (e: Expr) => string): SelectStmt | undefined {
  if (stmt.body.kind !== 'core') return undefined;
  const core: SelectCore = stmt.body;
  if (core.targets.some((t) => t.kind === 'star')) return undefined;
  const items = core.targets as Extract<SelectTarget, { kind: 'expr' }>[];
  const exprs = items.map((t) => t.expr);
  if (!exprs.some((e) => holds(e, isSrf))) return undefined;
  const aggregating = core.groupBy.length > 0 || core.having !== undefined || exprs.some((e) => holds(e, isAggregate)) || stmt.orderBy.some((o) => holds(o.expr, isAggregate));
  if (!aggregating) return undefined;

  const inner: SelectTarget[] = [];
  const pushed = new Map<string, Expr>();
  const toInner = (e: Expr): Expr => {
    const key = JSON.stringify(e, (k, v: unknown) => (k === 'position' ? undefined : v));
    let ref = pushed.get(key);
    if (ref === undefined) {
      const alias = `__srf_in${inner.length + 1}`;
      inner.push({ kind: 'expr', expr: e, alias });
      ref = { kind: 'column', qualifier: [INPUT], name: alias };
      pushed.set(key, ref);
    }
    return ref;
  };
  /** `e` for the outer query: the parts outside set-returning calls that read the input become inner columns. */
  const outer = (x: unknown): unknown => {
    if (x === null || typeof x !== 'object') return x;
    if (Array.isArray(x)) return x.map(outer);
    const o = x as { kind?: string };
    if (o.kind !== undefined && !holds(o, isSrf)) return needsInput(o) ? toInner(o as Expr) : o;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = outer(v);
    return out;
  };

  const names = items.map((t) => t.alias ?? nameOf(t.expr));
  const outputNames = new Set(names);
  const targets: SelectTarget[] = items.map((t, i) => ({ kind: 'expr', expr: outer(t.expr) as Expr, alias: names[i] }));
  // ORDER BY an output name or position stays as written; any other expression reads the inner query
  const orderBy: OrderItem[] = stmt.orderBy.map((o) => {
    const e = o.expr;
    if ((e.kind === 'column' && e.qualifier.length === 0 && outputNames.has(e.name)) || (e.kind === 'literal' && e.literalType === 'integer')) return o;
    return { ...o, expr: outer(e) as Expr };
  });
  // GROUP BY a position names a select-list item of the query as written
  const groupBy = core.groupBy.map((g) => {
    const named = g.kind === 'literal' && g.literalType === 'integer' ? exprs[Number(g.value) - 1] : undefined;
    return named !== undefined && !holds(named, isSrf) ? named : g;
  });
  if (inner.length === 0) inner.push({ kind: 'expr', expr: { kind: 'literal', literalType: 'integer', value: '1' }, alias: '__srf_in0' });
  const innerStmt: SelectStmt = {
    kind: 'select',
    body: { kind: 'core', targets: inner, from: core.from, where: core.where, groupBy, having: core.having, windows: core.windows },
    orderBy: [],
  };
  const distinct = core.distinct ? { on: core.distinct.on.map((e) => outer(e) as Expr) } : undefined;
  return {
    ...stmt,
    body: { kind: 'core', ...(distinct ? { distinct } : {}), targets, from: [{ kind: 'subquery', query: innerStmt, alias: INPUT, lateral: false }], groupBy: [], windows: [] },
    orderBy,
  };
}
