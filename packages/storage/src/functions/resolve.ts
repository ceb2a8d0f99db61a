/**
 * Overload resolution after PostgreSQL's parse_func.c / parse_oper.c
 * (func_get_detail, binary_oper_exact, func_match_argtypes,
 * func_select_candidate), so that mixed-type expressions type as PostgreSQL types them.
 */
import { SqlError, SQLSTATE } from '../errors.js';
import type { SqlType } from '../types/sql-type.js';
import { T, arrayOf, formatType, sameType, withTypmod } from '../types/sql-type.js';
import type { ResolvedFunction } from './registry.js';
import type { FnDef, ParamType } from './catalog.js';
import { functionCandidates, isPseudo, operatorCandidates, specializedId } from './catalog.js';
import { implicitlyCoercible } from './deps.js';

/** pg_type.typcategory; pseudo-types are 'P'. */
export function category(t: ParamType): string {
  if (isPseudo(t)) return 'P';
  switch (t.id) {
    case 'bool': return 'B';
    case 'int2': case 'int4': case 'int8': case 'float4': case 'float8': case 'numeric': case 'oid': case 'regclass': return 'N';
    case 'text': case 'varchar': case 'bpchar': case 'name': return 'S';
    case 'date': case 'time': case 'timestamp': case 'timestamptz': return 'D';
    case 'interval': return 'T';
    case 'array': return 'A';
    case 'unknown': return 'X';
    case 'record': return 'P';
    default: return 'U';
  }
}

/** pg_type.typispreferred */
export function isPreferred(t: ParamType): boolean {
  if (isPseudo(t)) return false;
  return ['bool', 'float8', 'oid', 'text', 'timestamptz', 'interval'].includes(t.id);
}

function same(a: ParamType, b: SqlType): boolean {
  return !isPseudo(a) && sameType(a, b);
}

function canImplicit(from: SqlType, to: SqlType): boolean {
  if (sameType(from, to) || from.id === 'unknown') return true;
  return implicitlyCoercible(from, to);
}

/** PostgreSQL's select_common_type over known types (unknowns resolve to text when alone). */
export function commonType(types: readonly SqlType[]): SqlType | null {
  const known = types.filter((t) => t.id !== 'unknown');
  if (known.length === 0) return T.text;
  let cur = known[0]!;
  for (const t of known.slice(1)) {
    if (sameType(t, cur)) continue;
    if (category(t) !== category(cur)) return null;
    if (!isPreferred(cur) && canImplicit(cur, t) && !canImplicit(t, cur)) cur = t;
  }
  for (const t of known) if (!canImplicit(t, cur)) return null;
  return withTypmod(cur, -1);
}

interface Candidate {
  def: FnDef;
  /** declared parameter types expanded to the call's arity */
  params: ParamType[];
}

interface Bound {
  argTypes: SqlType[];
  returnType: SqlType;
}

function expand(def: FnDef, nargs: number): ParamType[] | null {
  const n = def.params.length;
  if (def.variadic) {
    if (nargs < n) return null;
    const out = def.params.slice(0, n - 1);
    while (out.length < nargs) out.push(def.params[n - 1]!);
    return out;
  }
  return nargs === n ? [...def.params] : null;
}

/**
 * Can the inputs be coerced to the candidate's parameters, and if so to which
 * concrete types (check_generic_type_consistency + enforce_generic_type_consistency)?
 */
function bind(c: Candidate, inputs: readonly SqlType[]): Bound | null {
  const argTypes: SqlType[] = new Array(inputs.length);
  let elem: SqlType | null = null;
  const compat: SqlType[] = [];
  let hasElemFamily = false;
  let hasCompat = false;
  for (let i = 0; i < inputs.length; i++) {
    const p = c.params[i]!;
    const a = inputs[i]!;
    if (!isPseudo(p)) {
      if (!canImplicit(a, p)) return null;
      argTypes[i] = sameType(a, p) ? a : p;
      continue;
    }
    switch (p) {
      case 'any':
        argTypes[i] = a;
        break;
      case 'anyelement':
      case 'anynonarray':
      case 'anyarray': {
        hasElemFamily = true;
        if (a.id === 'unknown') break;
        if (p === 'anynonarray' && a.id === 'array') return null;
        let e: SqlType;
        if (p === 'anyarray') {
          if (a.id !== 'array' || !a.elem) return null;
          e = a.elem;
        } else e = a;
        if (elem && !sameType(elem, e)) return null;
        elem = withTypmod(e, -1);
        break;
      }
      case 'anycompatible':
      case 'anycompatiblearray':
        hasCompat = true;
        if (a.id === 'unknown') break;
        if (p === 'anycompatiblearray') {
          if (a.id !== 'array' || !a.elem) return null;
          compat.push(a.elem);
        } else compat.push(a);
        break;
    }
  }
  // unknown literals only: PostgreSQL would fail; text is what it would guess for most
  if (hasElemFamily && !elem) elem = T.text;
  let ctype: SqlType | null = null;
  if (hasCompat) {
    ctype = commonType(compat);
    if (!ctype) return null;
  }
  const concrete = (p: ParamType, actual: SqlType): SqlType => {
    if (!isPseudo(p)) return p;
    switch (p) {
      case 'any': return actual;
      case 'anyelement': case 'anynonarray': return elem!;
      case 'anyarray': return arrayOf(elem!);
      case 'anycompatible': return ctype!;
      case 'anycompatiblearray': return arrayOf(ctype!);
    }
  };
  for (let i = 0; i < inputs.length; i++) {
    const p = c.params[i]!;
    if (isPseudo(p) && p !== 'any') argTypes[i] = concrete(p, inputs[i]!);
  }
  const returnType = isPseudo(c.def.ret) ? (c.def.ret === 'any' ? T.text : concrete(c.def.ret, T.text)) : c.def.ret;
  return { argTypes, returnType };
}

function exact(c: Candidate, inputs: readonly SqlType[]): boolean {
  for (let i = 0; i < inputs.length; i++) if (!same(c.params[i]!, inputs[i]!)) return false;
  return true;
}

/** func_select_candidate: narrow several viable candidates down to one, or null (ambiguous). */
function selectCandidate(cands: Candidate[], inputs: readonly SqlType[]): Candidate | null {
  const nargs = inputs.length;
  const isUnknown = inputs.map((t) => t.id === 'unknown');
  const keepBest = (list: Candidate[], score: (c: Candidate) => number): Candidate[] => {
    let best = -1;
    let out: Candidate[] = [];
    for (const c of list) {
      const s = score(c);
      if (s > best) {
        best = s;
        out = [c];
      } else if (s === best) out.push(c);
    }
    return out;
  };
  // 1. most exact matches on known inputs
  cands = keepBest(cands, (c) => {
    let n = 0;
    for (let i = 0; i < nargs; i++) if (!isUnknown[i] && same(c.params[i]!, inputs[i]!)) n++;
    return n;
  });
  if (cands.length === 1) return cands[0]!;
  // 2. most positions accepting a preferred type of the input's category (or the exact type)
  cands = keepBest(cands, (c) => {
    let n = 0;
    for (let i = 0; i < nargs; i++) {
      if (isUnknown[i]) continue;
      const p = c.params[i]!;
      if (same(p, inputs[i]!) || (isPreferred(p) && category(p) === category(inputs[i]!))) n++;
    }
    return n;
  });
  if (cands.length === 1) return cands[0]!;
  // 3. unknown inputs: decide a category per position, string winning conflicts
  if (isUnknown.some((u) => u)) {
    const slotCat: (string | null)[] = new Array(nargs).fill(null);
    const slotPref: boolean[] = new Array(nargs).fill(false);
    let resolved = true;
    for (let i = 0; i < nargs && resolved; i++) {
      if (!isUnknown[i]) continue;
      let conflict = false;
      for (const c of cands) {
        const p = c.params[i]!;
        const cat = category(p);
        const pref = isPreferred(p);
        if (slotCat[i] === null) {
          slotCat[i] = cat;
          slotPref[i] = pref;
        } else if (cat === slotCat[i]) slotPref[i] ||= pref;
        else if (cat === 'S') {
          slotCat[i] = cat;
          slotPref[i] = pref;
        } else if (slotCat[i] !== 'S') conflict = true;
      }
      if (conflict && slotCat[i] !== 'S') resolved = false;
    }
    if (resolved) {
      const kept = cands.filter((c) => {
        for (let i = 0; i < nargs; i++) {
          if (!isUnknown[i]) continue;
          const p = c.params[i]!;
          if (category(p) !== slotCat[i]) return false;
          if (slotPref[i] && !isPreferred(p)) return false;
        }
        return true;
      });
      if (kept.length === 1) return kept[0]!;
      if (kept.length > 0) cands = kept;
    }
  }
  // 4. known inputs all of one type: assume the unknowns are of it too
  const known = inputs.filter((t) => t.id !== 'unknown');
  if (known.length > 0 && known.length < nargs && known.every((t) => sameType(t, known[0]!))) {
    const assumed = inputs.map(() => known[0]!);
    const ok = cands.filter((c) => bind(c, assumed) !== null);
    if (ok.length === 1) return ok[0]!;
  }
  return null;
}

function toResolved(c: Candidate, inputs: readonly SqlType[]): ResolvedFunction {
  const b = bind(c, inputs)!;
  return {
    fnId: specializedId(c.def, b.argTypes, b.returnType),
    argTypes: b.argTypes,
    returnType: b.returnType,
    volatility: c.def.volatility,
  };
}

function typeList(types: readonly SqlType[]): string {
  return types.map((t) => formatType(withTypmod(t, -1))).join(', ');
}

function pick(defs: readonly FnDef[], inputs: readonly SqlType[], exactFirst: readonly SqlType[] | null): Candidate | null | 'ambiguous' {
  const cands: Candidate[] = [];
  for (const def of defs) {
    const params = expand(def, inputs.length);
    if (params) cands.push({ def, params });
  }
  for (const probe of exactFirst ? [exactFirst, inputs] : [inputs]) {
    const hit = cands.find((c) => exact(c, probe));
    if (hit && bind(hit, inputs)) return hit;
  }
  const viable = cands.filter((c) => bind(c, inputs) !== null);
  if (viable.length === 0) return null;
  if (viable.length === 1) return viable[0]!;
  return selectCandidate(viable, inputs) ?? 'ambiguous';
}

export function resolveFunction(name: string, argTypes: readonly SqlType[]): ResolvedFunction {
  const lname = name.toLowerCase();
  const c = pick(functionCandidates(lname), argTypes, null);
  if (c === null)
    throw new SqlError(SQLSTATE.undefinedFunction, `function ${lname}(${typeList(argTypes)}) does not exist`, {
      hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
    });
  if (c === 'ambiguous')
    throw new SqlError(SQLSTATE.ambiguousFunction, `function ${lname}(${typeList(argTypes)}) is not unique`, {
      hint: 'Could not choose a best candidate function. You might need to add explicit type casts.',
    });
  return toResolved(c, argTypes);
}

/** The parser spells some operators as words; PostgreSQL's catalog names them by symbol. */
const OPERATOR_ALIASES: Record<string, string> = {
  like: '~~',
  'not like': '!~~',
  ilike: '~~*',
  'not ilike': '!~~*',
  '!=': '<>',
};

export function canonicalOperator(op: string): string {
  const l = op.toLowerCase().trim().replace(/\s+/g, ' ');
  return OPERATOR_ALIASES[l] ?? l;
}

export function resolveOperator(op: string, left: SqlType | null, right: SqlType): ResolvedFunction {
  const name = canonicalOperator(op);
  const inputs = left ? [left, right] : [right];
  let exactProbe: SqlType[] | null = null;
  if (left && (left.id === 'unknown') !== (right.id === 'unknown')) {
    // binary_oper_exact: an unknown literal is first assumed to be of the other operand's type
    const k = left.id === 'unknown' ? right : left;
    exactProbe = [k, k];
  }
  const c = pick(operatorCandidates(name), inputs, exactProbe);
  const shown = left ? `${typeList([left])} ${op} ${typeList([right])}` : `${op} ${typeList([right])}`;
  if (c === null)
    throw new SqlError(SQLSTATE.undefinedFunction, `operator does not exist: ${shown}`, {
      hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
    });
  if (c === 'ambiguous')
    throw new SqlError(SQLSTATE.ambiguousFunction, `operator is not unique: ${shown}`, {
      hint: 'Could not choose a best candidate operator. You might need to add explicit type casts.',
    });
  return toResolved(c, inputs);
}
