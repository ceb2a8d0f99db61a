/**
 * Test support for the catalog's tests: literals through the types' input
 * functions, an EvalContext, and helpers that resolve and call like the binder
 * (implicit casts) and the compiler (strictness) do.
 */
import type { EvalContext, SessionHooks } from '../expr/expr.js';
import { castValue } from '../types/casts.js';
import type { SqlType } from '../types/sql-type.js';
import { T, arrayOf } from '../types/sql-type.js';
import { formatText, parseText } from '../types/text-io.js';
import type { Value } from '../types/values.js';
import { getFunctionImpl, resolveFunction, resolveOperator } from './index.js';

export function typeFromName(name: string): SqlType {
  if (name.endsWith('[]')) return arrayOf(typeFromName(name.slice(0, -2)));
  const t = (T as Record<string, SqlType>)[name];
  if (!t) throw new Error(`no type ${name}`);
  return t;
}

/** Read a literal of type t with the type's input function ('NULL' is SQL NULL); strings of unknown stay as they are. */
export function lit(t: SqlType, s: string, zone = 'UTC'): Value {
  if (s === 'NULL') return null;
  if (t.id === 'unknown') return s;
  return parseText(t, s, makeCtx(zone).settings);
}

export function show(v: Value, t: SqlType, zone = 'UTC'): string | null {
  return v === null ? null : formatText(t, v, makeCtx(zone).settings);
}

export function makeCtx(zone = 'UTC', session?: SessionHooks): EvalContext {
  return {
    params: [],
    settings: { timeZone: zone, dateStyle: 'ISO, MDY', intervalStyle: 'postgres', extraFloatDigits: 1 },
    statementTime: 1_600_000_000_000_000,
    transactionTime: 1_600_000_000_000_000,
    correlated: [],
    ...(session ? { session } : {}),
  };
}

/** Resolve and evaluate a call on already-typed values, honouring strictness like the compiler. */
export function evalCall(kind: 'fn' | 'op', name: string, types: SqlType[], values: Value[], ctx: EvalContext): { value: Value; type: SqlType } {
  const r = kind === 'fn' ? resolveFunction(name, types) : resolveOperator(name, types.length === 2 ? types[0]! : null, types[types.length - 1]!);
  const impl = getFunctionImpl(r.fnId);
  if (impl.strict && values.some((v) => v === null)) return { value: null, type: r.returnType };
  // what the binder's implicit casts would do for the cases these tests use
  const cast = values.map((v, i) => coerceForTest(v, types[i]!, r.argTypes[i]!, ctx));
  return { value: impl.scalar(cast, ctx), type: r.returnType };
}

function coerceForTest(v: Value, from: SqlType, to: SqlType, ctx: EvalContext): Value {
  if (v === null || (from.id === to.id && from.id !== 'array')) return v;
  if (from.id === 'unknown') return parseText(to, v as string, ctx.settings);
  return castValue(v, from, to, ctx.settings, false);
}
