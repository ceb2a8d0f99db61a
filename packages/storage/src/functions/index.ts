/**
 * The scalar function and operator catalog: what the binder resolves calls
 * against and the expression compiler looks implementations up in.
 */
import type { ResolvedFunction, ScalarFunctionImpl } from './registry.js';
import type { SqlType } from '../types/sql-type.js';
import { functionCandidates, implFor } from './catalog.js';
import { resolveFunction as resolveFn, resolveOperator as resolveOp } from './resolve.js';

// definitions register themselves on import
import './ops-numeric.js';
import './ops-compare.js';
import './ops-pattern.js';
import './math.js';
import './string.js';
import './datetime.js';
import './json.js';
import './system.js';
import './array.js';
import './record.js';
import './to-char.js';
import './catalog-functions.js';

export type { ResolvedFunction, ScalarFunctionImpl, Volatility } from './registry.js';

/**
 * Resolve a function call by name and argument types (PostgreSQL's rules).
 * Throws 42883 when nothing matches, 42725 when several match equally well.
 */
export function resolveFunction(name: string, argTypes: readonly SqlType[]): ResolvedFunction {
  return resolveFn(name, argTypes);
}

/**
 * Resolve an operator; `left` is null for prefix operators. Word spellings of
 * the parser ('like', 'not ilike') are accepted besides the symbols (~~, !~~*).
 */
export function resolveOperator(op: string, left: SqlType | null, right: SqlType): ResolvedFunction {
  return resolveOp(op, left, right);
}

/** Implementation for a resolved fnId (including specialised ids such as 'concat(...any)[int4,text->text]'). */
export function getFunctionImpl(fnId: string): ScalarFunctionImpl {
  return implFor(fnId);
}

export function functionExists(name: string): boolean {
  return functionCandidates(name.toLowerCase()).length > 0;
}

/** Parameter names and trailing defaults of a function that accepts `name => value` arguments, if any. */
export function functionParamInfo(name: string): { names: readonly string[]; defaults: readonly unknown[] } | undefined {
  for (const d of functionCandidates(name.toLowerCase())) {
    if (d.argNames) return { names: d.argNames, defaults: d.defaults ?? [] };
  }
  return undefined;
}
