/**
 * Catalog storage and the signature language.
 *
 * A definition is declared with a PostgreSQL-like signature string:
 *
 *   'round(numeric, int4) -> numeric'       plain function
 *   '+(int4, int8) -> int8'                 binary operator (name = symbol)
 *   '-(int4) -> int4'                       prefix operator (one argument)
 *   'concat(...any) -> text'                variadic: the last parameter repeats ≥ 1 times
 *   'array_length(anyarray, int4) -> int4'  polymorphic parameters
 *   'text[]' / 'int4[]'                     array types
 *
 * Parameter pseudo-types (PostgreSQL's):
 *   any                 accepts every type; the argument keeps its own type (even unknown)
 *   anyelement          any type; all anyelement/anyarray/anynonarray of one call must agree
 *   anynonarray         as anyelement but not an array
 *   anyarray            an array; its element type is the call's anyelement
 *   anycompatible       like anyelement, but the actual types are unified to a common
 *   anycompatiblearray  supertype (int4 and numeric → numeric) instead of having to match
 *
 * A definition whose implementation needs the concrete argument types (format
 * and concat print values by type; array comparison compares elements by type)
 * supplies `specialize`; its resolved fnId then carries the argument and result
 * types (e.g. 'concat(...any)[int4,timestamptz->text]') so that a plan stays plain data
 * and any node can rebuild the same closure from the id alone.
 */
import { SqlError, SQLSTATE } from '../errors.js';
import type { SqlType, TypeId } from '../types/sql-type.js';
import { INT2VECTOR, OIDVECTOR, T, arrayOf } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import type { Vector } from '../vector.js';
import type { EvalContext } from '../expr/expr.js';
import type { ScalarFunctionImpl, Volatility } from './registry.js';

export type Pseudo = 'any' | 'anyelement' | 'anynonarray' | 'anyarray' | 'anycompatible' | 'anycompatiblearray';
export type ParamType = SqlType | Pseudo;

export type ScalarFn = (args: Value[], ctx: EvalContext) => Value;
export type VectorFn = (args: Vector[], length: number, ctx: EvalContext, resultType: SqlType) => Vector;

export interface Impl {
  scalar: ScalarFn;
  vector?: VectorFn;
}

export interface FnOptions {
  /** default true */
  strict?: boolean;
  /** default 'immutable' */
  volatility?: Volatility;
  /** default: the normalised signature, e.g. 'round(numeric,int4)' */
  id?: string;
  vector?: VectorFn;
  /** Build the implementation for concrete argument types (see file comment). */
  specialize?: (argTypes: readonly SqlType[], returnType: SqlType) => Impl;
  /** Parameter names for `name => value` calls, and defaults of trailing parameters. */
  argNames?: readonly string[];
  defaults?: readonly Value[];
  /** Only reachable by id (nodes the binder builds itself), not by SQL name. */
  internal?: boolean;
}

export interface FnDef {
  readonly id: string;
  readonly name: string;
  readonly isOperator: boolean;
  readonly params: readonly ParamType[];
  readonly variadic: boolean;
  readonly ret: ParamType;
  readonly strict: boolean;
  readonly volatility: Volatility;
  readonly scalar: ScalarFn;
  readonly vector?: VectorFn;
  readonly specialize?: FnOptions['specialize'];
  readonly argNames?: readonly string[];
  readonly defaults?: readonly Value[];
}

const PSEUDO = new Set<string>(['any', 'anyelement', 'anynonarray', 'anyarray', 'anycompatible', 'anycompatiblearray']);

export function isPseudo(p: ParamType): p is Pseudo {
  return typeof p === 'string';
}

/** Parse a type name of the signature language ('int4', 'text[]', 'anyelement'). */
export function parseParamType(s: string): ParamType {
  s = s.trim();
  if (PSEUDO.has(s)) return s as Pseudo;
  if (s.endsWith('[]')) {
    const e = parseParamType(s.slice(0, -2));
    if (isPseudo(e)) throw new Error(`bad signature type ${s}`);
    return arrayOf(e);
  }
  const t = (T as Record<string, SqlType>)[s];
  if (!t) throw new Error(`bad signature type ${s}`);
  return t;
}

/** Compact spelling used inside fnIds: 'int4', 'text[]'. */
export function typeKey(t: SqlType): string {
  if (t.vector) return t.vector;
  return t.id === 'array' ? `${t.elem ? typeKey(t.elem) : 'unknown'}[]` : t.id;
}

export function typeFromKey(k: string): SqlType {
  if (k.endsWith('[]')) return arrayOf(typeFromKey(k.slice(0, -2)));
  if (k === 'int2vector') return INT2VECTOR;
  if (k === 'oidvector') return OIDVECTOR;
  const t = (T as Record<string, SqlType>)[k as TypeId];
  if (!t) throw new SqlError(SQLSTATE.undefinedFunction, `unknown type key ${k} in function id`);
  return t;
}

function paramKey(p: ParamType): string {
  return isPseudo(p) ? p : typeKey(p);
}

const functions = new Map<string, FnDef[]>();
const operators = new Map<string, FnDef[]>();
const byId = new Map<string, FnDef>();

const SIG = /^(.+?)\((.*)\)\s*->\s*(\S+)\s*$/;

function define(isOperator: boolean, sig: string, impl: ScalarFn, opts: FnOptions = {}): FnDef {
  const m = SIG.exec(sig.trim());
  if (!m) throw new Error(`bad signature ${sig}`);
  const name = m[1]!.trim();
  let variadic = false;
  const params = m[2]!.trim() === ''
    ? []
    : m[2]!.split(',').map((p, i, all) => {
        p = p.trim();
        if (p.startsWith('...')) {
          if (i !== all.length - 1) throw new Error(`variadic not last: ${sig}`);
          variadic = true;
          p = p.slice(3);
        }
        return parseParamType(p);
      });
  const id = opts.id ?? `${name}(${variadic ? params.map((p, i) => (i === params.length - 1 ? '...' : '') + paramKey(p)).join(',') : params.map(paramKey).join(',')})`;
  const def: FnDef = {
    id,
    name,
    isOperator,
    params,
    variadic,
    ret: parseParamType(m[3]!),
    strict: opts.strict ?? true,
    volatility: opts.volatility ?? 'immutable',
    scalar: impl,
    vector: opts.vector,
    specialize: opts.specialize,
    argNames: opts.argNames,
    defaults: opts.defaults,
  };
  if (byId.has(id)) throw new Error(`duplicate function id ${id}`);
  byId.set(id, def);
  if (opts.internal) return def;
  const map = isOperator ? operators : functions;
  let list = map.get(name);
  if (!list) map.set(name, (list = []));
  list.push(def);
  return def;
}

export function fn(sig: string, impl: ScalarFn, opts?: FnOptions): FnDef {
  return define(false, sig, impl, opts);
}

export function op(sig: string, impl: ScalarFn, opts?: FnOptions): FnDef {
  return define(true, sig, impl, opts);
}

/** Register another SQL name for existing definitions (ceil → ceiling); shares the ids. */
export function alias(newName: string, existing: string): void {
  const list = functions.get(existing);
  if (!list) throw new Error(`alias of unknown function ${existing}`);
  const target = functions.get(newName) ?? [];
  for (const d of list) target.push({ ...d, name: newName });
  functions.set(newName, target);
}

export function functionCandidates(name: string): readonly FnDef[] {
  return functions.get(name) ?? [];
}

export function operatorCandidates(name: string): readonly FnDef[] {
  return operators.get(name) ?? [];
}

export function allFunctionNames(): string[] {
  return [...functions.keys()];
}

export function allOperatorNames(): string[] {
  return [...operators.keys()];
}

/** Every definition (tests iterate over them). */
export function allDefs(): readonly FnDef[] {
  return [...byId.values()];
}

export function defById(id: string): FnDef | undefined {
  return byId.get(id);
}

const implCache = new Map<string, ScalarFunctionImpl>();

export function specializedId(def: FnDef, argTypes: readonly SqlType[], returnType: SqlType): string {
  if (!def.specialize) return def.id;
  return `${def.id}[${argTypes.map(typeKey).join(',')}->${typeKey(returnType)}]`;
}

export function implFor(fnId: string): ScalarFunctionImpl {
  const hit = implCache.get(fnId);
  if (hit) return hit;
  // a base id ends at its only ')'; a specialisation follows as '[types->ret]'
  const bar = fnId.indexOf(')[');
  const baseId = bar < 0 ? fnId : fnId.slice(0, bar + 1);
  const def = byId.get(baseId);
  if (!def) throw new SqlError(SQLSTATE.undefinedFunction, `function id ${fnId} does not exist`);
  let impl: Impl = { scalar: def.scalar, vector: def.vector };
  if (bar >= 0) {
    if (!def.specialize) throw new SqlError(SQLSTATE.undefinedFunction, `function id ${fnId} does not exist`);
    const rest = fnId.slice(bar + 2, -1);
    const arrow = rest.lastIndexOf('->');
    const argPart = rest.slice(0, arrow);
    const args = argPart === '' ? [] : argPart.split(',').map(typeFromKey);
    impl = def.specialize(args, typeFromKey(rest.slice(arrow + 2)));
  }
  const out: ScalarFunctionImpl = {
    id: fnId,
    name: def.name,
    strict: def.strict,
    volatility: def.volatility,
    scalar: impl.scalar,
    ...(impl.vector ? { vector: impl.vector } : {}),
  };
  implCache.set(fnId, out);
  return out;
}
