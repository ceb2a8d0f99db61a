/**
 * Set-returning functions in a select list run once per input row. They are
 * lifted into LATERAL function items of the FROM clause, wherever they sit in
 * a select-list expression:
 *
 *   SELECT generate_series(1, n) + 1 FROM t   →   SELECT __srf1.generate_series + 1 FROM t, LATERAL generate_series(1, n) __srf1
 *   SELECT (f(a)).n, f(a) AS k FROM t         →   SELECT (__srf1).n, __srf1 AS k FROM t, LATERAL f(a) __srf1
 *
 * A function returning a record is replaced by the lifted item's whole row,
 * so `(f(a)).n` resolves to its column n (composite.ts).
 *
 * PostgreSQL runs the SRFs of a select list in lockstep (ProjectSet), padding
 * the ones that ran out with NULLs, so the scalar SRFs of one nesting level
 * become one ROWS FROM item, and identical calls share a column:
 *
 *   SELECT generate_series(1, 3), generate_series(1, 2)   →   3 rows: (1,1) (2,2) (3,NULL)
 *
 * An SRF whose arguments use another's output runs a level above it, once per
 * row of the level below (`generate_series(1, generate_series(1, 3))`: 6 rows).
 * Known gap: a record SRF (_pg_expandarray) gets an item of its own, so next
 * to another SRF of its level it forms a cross product instead of a zip.
 */
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import type { Expr, FromItem, FuncCallExpr, SelectCore, SelectTarget } from '../parse/ast.js';
import { findProcedure } from '../hypertable/index.js';
import { LIFTED_PREFIX } from './composite.js';

const SCALAR_SRFS = new Set(['generate_series', 'unnest']);

/** Whether a call is a set-returning function, and whether it returns a record. */
export function setReturningKind(call: FuncCallExpr): 'scalar' | 'record' | undefined {
  if (call.over) return undefined;
  if (SCALAR_SRFS.has(call.name) && (call.schema === undefined || call.schema === 'pg_catalog')) return 'scalar';
  if (isExpandArray(call)) return 'record';
  return undefined;
}

/** information_schema._pg_expandarray(anyarray): SETOF (x anyelement, n int); only schema-qualified, as in PostgreSQL. */
export function isExpandArray(call: FuncCallExpr): boolean {
  return call.name === '_pg_expandarray' && call.schema === 'information_schema';
}

/** Where PostgreSQL rejects a set-returning function (check_srf_call_placement / transformCaseExpr). */
const CONDITIONAL: Record<string, string> = { case: 'CASE', coalesce: 'COALESCE', greatest: 'GREATEST', least: 'LEAST', nullif: 'NULLIF' };

/** Structural key of a call: equal for the same call written twice (positions ignored). */
function callKey(call: FuncCallExpr): string {
  return JSON.stringify(call, (k, v: unknown) => (k === 'position' ? undefined : v));
}

export function liftSetReturning(core: SelectCore, nameOf: (e: Expr) => string): SelectCore {
  const from: FromItem[] = [...core.from];
  const lifted = new Map<string, Expr>();
  /** lifted items by nesting level: the zipped scalar SRFs, and each record SRF alone */
  const levels: { zip: { alias: string; calls: FuncCallExpr[]; columns: string[] } | null; records: FromItem[] }[] = [];
  const levelOfItem = new Map<string, number>();
  let items = 0;
  let touched = false;

  /** One above the highest lifted item the call's arguments read (0 when they read none). */
  const levelOf = (call: FuncCallExpr): number => {
    let max = -1;
    const visit = (x: unknown): void => {
      if (x === null || typeof x !== 'object') return;
      if (Array.isArray(x)) return x.forEach(visit);
      const o = x as { kind?: string; qualifier?: string[]; name?: string };
      if (o.kind === 'column' && o.qualifier !== undefined) {
        const item = o.qualifier.length === 1 ? o.qualifier[0] : o.qualifier.length === 0 ? o.name : undefined;
        const level = item === undefined ? undefined : levelOfItem.get(item);
        if (level !== undefined) max = Math.max(max, level);
        return;
      }
      for (const v of Object.values(o)) visit(v);
    };
    visit(call.args);
    return max + 1;
  };

  const lift = (call: FuncCallExpr, kind: 'scalar' | 'record'): Expr => {
    touched = true;
    const key = callKey(call);
    const known = lifted.get(key);
    if (known) return known;
    const level = levelOf(call);
    const at = (levels[level] ??= { zip: null, records: [] });
    let ref: Expr;
    if (kind === 'scalar') {
      if (at.zip === null) {
        at.zip = { alias: `${LIFTED_PREFIX}${++items}`, calls: [], columns: [] };
        levelOfItem.set(at.zip.alias, level);
      }
      // named apart: two SRFs of one name are two columns of the item
      const column = `${call.name}_${at.zip.calls.length + 1}`;
      at.zip.calls.push(call);
      at.zip.columns.push(column);
      ref = { kind: 'column', qualifier: [at.zip.alias], name: column, position: call.position };
    } else {
      const alias = `${LIFTED_PREFIX}${++items}`;
      at.records.push({ kind: 'function', call, alias, lateral: true, lifted: true });
      levelOfItem.set(alias, level);
      ref = { kind: 'column', qualifier: [], name: alias, position: call.position };
    }
    lifted.set(key, ref);
    return ref;
  };

  /** Rewrites SRF calls bottom-up (an SRF argument of an SRF is lifted first); subqueries are their own scope. */
  const rewrite = (x: unknown, conditional: string | undefined): unknown => {
    if (x === null || typeof x !== 'object') return x;
    if (Array.isArray(x)) return x.map((y) => rewrite(y, conditional));
    const o = x as { kind?: string };
    if (o.kind === 'subquery' || o.kind === 'exists') return x;
    if (o.kind === 'in_subquery' || o.kind === 'quantified') {
      const q = x as { expr: Expr };
      return { ...q, expr: rewrite(q.expr, conditional) };
    }
    let inside = conditional;
    if (o.kind === 'case') inside = 'CASE';
    if (o.kind === 'func' && !(x as FuncCallExpr).schema) inside = CONDITIONAL[(x as FuncCallExpr).name] ?? inside;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = k === 'over' || k === 'filter' ? v : rewrite(v, inside);
    if (o.kind !== 'func') return out;
    const call = out as unknown as FuncCallExpr;
    const kind = setReturningKind(call);
    if (!kind) return out;
    if (conditional) {
      throw new SqlError(SQLSTATE.featureNotSupported, `set-returning functions are not allowed in ${conditional}`, {
        hint: 'You might be able to move the set-returning function into a LATERAL FROM item.',
        position: call.position,
      });
    }
    return lift(call, kind);
  };

  let procedures = 0;
  const targets = core.targets.map((t): SelectTarget => {
    if (t.kind !== 'expr') return t;
    const proc = t.expr.kind === 'func' && !t.expr.over ? findProcedure(t.expr.name) : undefined;
    if (proc && t.expr.kind === 'func') {
      // a procedure's result: its single column, or the whole row as a record (PostgreSQL prints `(1,public,t,t)`)
      const alias = `__proc${++procedures}`;
      from.push({ kind: 'function', call: t.expr, alias, lateral: true });
      const column = proc.returns.length === 1 ? proc.returns[0]!.name : proc.name;
      return { kind: 'expr', expr: { kind: 'column', qualifier: [alias], name: column }, alias: t.alias ?? t.expr.name };
    }
    touched = false;
    const expr = rewrite(t.expr, undefined) as Expr;
    if (!touched) return t;
    return { kind: 'expr', expr, alias: t.alias ?? nameOf(t.expr) };
  });
  for (const level of levels) {
    if (level.zip !== null) {
      const [call, ...zipped] = level.zip.calls;
      from.push({ kind: 'function', call: call!, ...(zipped.length > 0 ? { zipped } : {}), alias: level.zip.alias, columnAliases: level.zip.columns, lateral: true, lifted: true });
    }
    from.push(...level.records);
  }
  return from.length === core.from.length ? core : { ...core, from, targets };
}
