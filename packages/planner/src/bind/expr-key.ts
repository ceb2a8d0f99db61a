/** Canonical text of a bound expression, for structural equality (GROUP BY matching, dedup). */
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import type { Value } from '../../../storage/src/types/values.js';

function valueKey(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'object') {
    if (Array.isArray(v)) return `[${v.map(valueKey).join(',')}]`;
    if ('months' in v) return `iv(${v.months},${v.days},${v.micros})`;
    return `dec(${String(v)})`;
  }
  return `${typeof v}:${String(v)}`;
}

export function exprKey(e: ExprNode): string {
  switch (e.k) {
    case 'const':
      return `c(${e.type.id}:${valueKey(e.value)})`;
    case 'col':
      return `#${e.index}`;
    case 'param':
      return `$${e.index}`;
    case 'corr':
      return `corr${e.slot}`;
    case 'call':
      return `${e.fn}(${e.args.map(exprKey).join(',')})`;
    case 'cast':
      return `cast(${exprKey(e.arg)} as ${e.type.id}/${e.type.typmod})`;
    case 'and':
    case 'or':
      return `${e.k}(${e.args.map(exprKey).join(',')})`;
    case 'not':
      return `not(${exprKey(e.arg)})`;
    case 'isnull':
      return `isnull${e.negate ? '!' : ''}(${exprKey(e.arg)})`;
    case 'isbool':
      return `is${e.negate ? '!' : ''}${e.test}(${exprKey(e.arg)})`;
    case 'case':
      return `case(${e.whens.map((w) => `${exprKey(w.cond)}->${exprKey(w.then)}`).join(';')};${e.else ? exprKey(e.else) : ''})`;
    case 'coalesce':
      return `coalesce(${e.args.map(exprKey).join(',')})`;
    case 'inlist':
      return `in${e.negate ? '!' : ''}(${exprKey(e.arg)};${e.list.map(exprKey).join(',')})`;
    case 'subquery':
      return `sub${e.id}`;
  }
}

/** The SQL name of a resolved function or operator: its id up to the argument list (`<=(int4,int4)` → `<=`). */
export function functionName(fnId: string): string {
  const i = fnId.indexOf('(');
  return i > 0 ? fnId.slice(0, i) : fnId;
}

export function containsVolatileOrSubquery(e: ExprNode): boolean {
  if (e.k === 'subquery') return true;
  return childExprs(e).some(containsVolatileOrSubquery);
}

export function childExprs(e: ExprNode): readonly ExprNode[] {
  switch (e.k) {
    case 'call':
    case 'and':
    case 'or':
    case 'coalesce':
      return e.args;
    case 'cast':
    case 'not':
    case 'isnull':
    case 'isbool':
      return [e.arg];
    case 'case':
      return [...e.whens.flatMap((w) => [w.cond, w.then]), ...(e.else ? [e.else] : [])];
    case 'inlist':
      return [e.arg, ...e.list];
    case 'subquery':
      return [...e.correlated, ...(e.test ? [e.test] : [])];
    default:
      return [];
  }
}

/** Rewrite column references through a mapping (used when moving expressions across operators). */
export function mapColumns(e: ExprNode, f: (index: number, node: ExprNode) => ExprNode): ExprNode {
  switch (e.k) {
    case 'col':
      return f(e.index, e);
    case 'const':
    case 'param':
    case 'corr':
      return e;
    case 'call':
      return { ...e, args: e.args.map((a) => mapColumns(a, f)) };
    case 'and':
    case 'or':
      return { ...e, args: e.args.map((a) => mapColumns(a, f)) };
    case 'coalesce':
      return { ...e, args: e.args.map((a) => mapColumns(a, f)) };
    case 'cast':
      return { ...e, arg: mapColumns(e.arg, f) };
    case 'not':
      return { ...e, arg: mapColumns(e.arg, f) };
    case 'isnull':
      return { ...e, arg: mapColumns(e.arg, f) };
    case 'isbool':
      return { ...e, arg: mapColumns(e.arg, f) };
    case 'case':
      return { ...e, whens: e.whens.map((w) => ({ cond: mapColumns(w.cond, f), then: mapColumns(w.then, f) })), else: e.else ? mapColumns(e.else, f) : null };
    case 'inlist':
      return { ...e, arg: mapColumns(e.arg, f), list: e.list.map((a) => mapColumns(a, f)) };
    case 'subquery':
      return { ...e, correlated: e.correlated.map((a) => mapColumns(a, f)), test: e.test ? mapColumns(e.test, f) : undefined };
  }
}

export function referencedColumns(e: ExprNode, out: Set<number> = new Set()): Set<number> {
  if (e.k === 'col') out.add(e.index);
  for (const c of childExprs(e)) referencedColumns(c, out);
  return out;
}
