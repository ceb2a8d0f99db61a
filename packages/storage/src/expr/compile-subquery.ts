/**
 * Subqueries through EvalContext.subquery. An uncorrelated subquery runs once
 * per statement (its rows are kept in the statement cache under its id); a
 * correlated one runs once per distinct tuple of correlated values within a
 * batch.
 */
import { SqlError, SQLSTATE } from '../errors.js';
import type { Value } from '../types/values.js';
import { isInterval } from '../types/values.js';
import { isDecimal } from '../types/numeric.js';
import type { Batch, Vector } from '../vector.js';
import { emptyVector, vectorFromValues } from '../vector.js';
import { valueKey } from '../kernels/hash.js';
import type { EvalContext, ExprNode, SubqueryNode } from './expr.js';
import type { Compiled } from './runtime.js';
import { statementCache, unionRefs } from './runtime.js';
import { makeReader } from './compile-call.js';
import { hashableType } from './compile-inlist.js';
import { getFunctionImpl } from './deps.js';

type Rows = Value[][];

/** Exact identity of a value (1.10 and 1.1 differ: the subquery may show it). */
function exactKey(v: Value): string {
  if (v === null) return 'N';
  if (typeof v === 'number') return Object.is(v, -0) ? 'd-0' : 'd' + v;
  if (typeof v === 'string') return 's' + v.length + ':' + v;
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  if (isDecimal(v)) return 'n' + v.toString();
  if (isInterval(v)) return `i${v.months},${v.days},${v.micros}`;
  if (Array.isArray(v)) return 'a' + v.length + '[' + v.map(exactKey).join(',') + ']';
  return 'o' + String(v);
}

export function compileSubquery(node: SubqueryNode, rec: (n: ExprNode) => Compiled): Compiled {
  const corr = node.correlated.map(rec);
  const test = node.test !== undefined ? rec(node.test) : null;
  const mode = node.mode;
  const negate = node.negate === true;
  const id = node.id;
  const type = node.type;
  if ((mode === 'in' || mode === 'any' || mode === 'all') && test === null)
    throw new SqlError(SQLSTATE.internalError, `subquery mode ${mode} without a test expression`);
  const useHash = mode === 'in' && hashableType(node.test!.type);
  let cmp: ((a: Value, b: Value, ctx: EvalContext) => Value) | null = null;
  const cmpFn = (): ((a: Value, b: Value, ctx: EvalContext) => Value) => {
    if (cmp === null) {
      if (node.cmpFn === undefined) throw new SqlError(SQLSTATE.internalError, `subquery mode ${mode} without a comparison function`);
      const impl = getFunctionImpl(node.cmpFn);
      cmp = (a, b, ctx) => (impl.strict && (a === null || b === null) ? null : impl.scalar([a, b], ctx));
    }
    return cmp;
  };
  const sets = new WeakMap<Rows, { set: Set<unknown>; hasNull: boolean }>();

  const fetch = (ctx: EvalContext, values: readonly Value[]): Rows => {
    if (ctx.subquery === undefined) throw new SqlError(SQLSTATE.internalError, 'subqueries cannot be evaluated here');
    return ctx.subquery(id, values);
  };
  const uncorrelated = (ctx: EvalContext): Rows => {
    const cache = statementCache(ctx);
    const key = `subquery:${id}`;
    let rows = cache.get(key) as Rows | undefined;
    if (rows === undefined) {
      rows = fetch(ctx, []);
      cache.set(key, rows);
    }
    return rows;
  };

  /** The result for one row, given the subquery's rows and the row's test value. */
  const resultOf = (rows: Rows, x: Value, ctx: EvalContext): Value => {
    switch (mode) {
      case 'scalar':
        if (rows.length > 1) throw new SqlError(SQLSTATE.cardinalityViolation, 'more than one row returned by a subquery used as an expression');
        return rows.length === 0 ? null : (rows[0]![0] ?? null);
      case 'exists':
        return negate ? rows.length === 0 : rows.length > 0;
      case 'array':
        return rows.map((r) => r[0] ?? null);
      default: {
        let r: Value;
        if (rows.length === 0) r = mode === 'all';
        else if (useHash) {
          let s = sets.get(rows);
          if (s === undefined) {
            const set = new Set<unknown>();
            let hasNull = false;
            for (const row of rows) {
              const v = row[0] ?? null;
              if (v === null) hasNull = true;
              else set.add(valueKey(v, node.test!.type));
            }
            s = { set, hasNull };
            sets.set(rows, s);
          }
          r = x === null ? null : s.set.has(valueKey(x, node.test!.type)) ? true : s.hasNull ? null : false;
        } else {
          const f = cmpFn();
          const isAll = mode === 'all';
          let sawNull = false;
          r = isAll;
          for (const row of rows) {
            const c = f(x, row[0] ?? null, ctx);
            if (c === null) sawNull = true;
            else if (c !== isAll) {
              r = !isAll;
              sawNull = false;
              break;
            }
          }
          if (sawNull) r = null;
        }
        return negate && r !== null ? !r : r;
      }
    }
  };

  const run = (batch: Batch, ctx: EvalContext): Vector => {
    const n = batch.length;
    if (n === 0) return emptyVector(type);
    const out = new Array<Value>(n);
    const testRead = test === null ? null : makeReader(test.run(batch, ctx));
    if (corr.length === 0) {
      const rows = uncorrelated(ctx);
      if (testRead === null) return vectorFromValues(type, new Array<Value>(n).fill(resultOf(rows, null, ctx)));
      for (let i = 0; i < n; i++) out[i] = resultOf(rows, testRead(i), ctx);
      return vectorFromValues(type, out);
    }
    const readers = corr.map((c) => makeReader(c.run(batch, ctx)));
    const perTuple = new Map<string, Rows>();
    for (let i = 0; i < n; i++) {
      const values = readers.map((r) => r(i));
      const key = values.map(exactKey).join('|');
      let rows = perTuple.get(key);
      if (rows === undefined) {
        rows = fetch(ctx, values);
        perTuple.set(key, rows);
      }
      out[i] = resultOf(rows, testRead === null ? null : testRead(i), ctx);
    }
    return vectorFromValues(type, out);
  };
  const refs = unionRefs(test === null ? corr : [...corr, test]);
  return { run, refs, invariant: corr.every((c) => c.invariant) && (test === null || test.invariant) };
}
