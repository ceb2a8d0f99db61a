/**
 * The aggregate catalog and overload resolution (a reduced func_select_candidate:
 * exact match, then implicit coercion with PostgreSQL's preferred-type rule).
 */
import { SqlError, SQLSTATE } from '../errors.js';
import { arrayOf, formatType, T } from '../types/sql-type.js';
import type { SqlType, TypeId } from '../types/sql-type.js';
import type { AggKind, ResolvedAggregate } from './common.js';

/** Polymorphic markers in signatures. */
type Sig = TypeId | 'anyelement' | 'anyarray' | 'any' | 'float8[]';

interface Entry {
  kind: AggKind;
  args: Sig[];
  /** Result: a concrete type, or derived from the first polymorphic argument. */
  ret: TypeId | 'elem' | 'array_of_elem' | 'float8[]' | 'int4[]' | 'interval[]' | 'same_array';
  /** Ordered-set aggregates: types of the WITHIN GROUP arguments. */
  within?: Sig[];
  /** Argument positions given as constants (histogram's bounds). */
  direct?: number[];
  strict?: boolean;
}

const NUMS: TypeId[] = ['int2', 'int4', 'int8', 'float4', 'float8', 'numeric'];
const MINMAX: TypeId[] = ['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'text', 'bpchar', 'date', 'time', 'timestamp', 'timestamptz', 'interval', 'oid'];
const REGR: AggKind[] = ['corr', 'covar_pop', 'covar_samp', 'regr_sxx', 'regr_syy', 'regr_sxy', 'regr_avgx', 'regr_avgy', 'regr_r2', 'regr_slope', 'regr_intercept'];

const CATALOG = new Map<string, Entry[]>();
function add(name: string, e: Entry): void {
  let l = CATALOG.get(name);
  if (!l) CATALOG.set(name, (l = []));
  l.push(e);
}

add('count', { kind: 'count', args: ['any'], ret: 'int8', strict: true });
for (const t of NUMS) {
  const sumRet: TypeId = t === 'int2' || t === 'int4' ? 'int8' : t === 'int8' ? 'numeric' : t;
  add('sum', { kind: 'sum', args: [t], ret: sumRet });
  add('avg', { kind: 'avg', args: [t], ret: t === 'float4' || t === 'float8' ? 'float8' : 'numeric' });
  const vret: TypeId = t === 'float4' || t === 'float8' ? 'float8' : 'numeric';
  for (const [name, kind] of [
    ['variance', 'var_samp'], ['var_samp', 'var_samp'], ['var_pop', 'var_pop'],
    ['stddev', 'stddev_samp'], ['stddev_samp', 'stddev_samp'], ['stddev_pop', 'stddev_pop'],
  ] as const)
    add(name, { kind, args: [t], ret: vret });
}
add('sum', { kind: 'sum', args: ['interval'], ret: 'interval' });
add('avg', { kind: 'avg', args: ['interval'], ret: 'interval' });
for (const t of MINMAX) {
  add('min', { kind: 'min', args: [t], ret: t });
  add('max', { kind: 'max', args: [t], ret: t });
}
add('min', { kind: 'min', args: ['anyarray'], ret: 'same_array' });
add('max', { kind: 'max', args: ['anyarray'], ret: 'same_array' });
add('bool_and', { kind: 'bool_and', args: ['bool'], ret: 'bool' });
add('every', { kind: 'bool_and', args: ['bool'], ret: 'bool' });
add('bool_or', { kind: 'bool_or', args: ['bool'], ret: 'bool' });
for (const t of ['int2', 'int4', 'int8'] as const) {
  add('bit_and', { kind: 'bit_and', args: [t], ret: t });
  add('bit_or', { kind: 'bit_or', args: [t], ret: t });
  add('bit_xor', { kind: 'bit_xor', args: [t], ret: t });
}
add('string_agg', { kind: 'string_agg', args: ['text', 'text'], ret: 'text' });
add('array_agg', { kind: 'array_agg', args: ['anyelement'], ret: 'array_of_elem', strict: false });
add('percentile_cont', { kind: 'percentile_cont', args: ['float8'], within: ['float8'], ret: 'float8' });
add('percentile_cont', { kind: 'percentile_cont', args: ['float8'], within: ['interval'], ret: 'interval' });
add('percentile_cont', { kind: 'percentile_cont_multi', args: ['float8[]'], within: ['float8'], ret: 'float8[]' });
add('percentile_cont', { kind: 'percentile_cont_multi', args: ['float8[]'], within: ['interval'], ret: 'interval[]' });
add('percentile_disc', { kind: 'percentile_disc', args: ['float8'], within: ['anyelement'], ret: 'elem' });
add('percentile_disc', { kind: 'percentile_disc_multi', args: ['float8[]'], within: ['anyelement'], ret: 'array_of_elem' });
add('mode', { kind: 'mode', args: [], within: ['anyelement'], ret: 'elem' });
add('first', { kind: 'first', args: ['anyelement', 'any'], ret: 'elem', strict: false });
add('last', { kind: 'last', args: ['anyelement', 'any'], ret: 'elem', strict: false });
add('histogram', { kind: 'histogram', args: ['float8', 'float8', 'float8', 'int4'], ret: 'int4[]', direct: [1, 2, 3] });
for (const k of REGR) add(k, { kind: k, args: ['float8', 'float8'], ret: 'float8' });
add('regr_count', { kind: 'regr_count', args: ['float8', 'float8'], ret: 'int8' });

export function isAggregateName(name: string): boolean {
  return CATALOG.has(name.toLowerCase());
}

const CATEGORY: Partial<Record<TypeId, string>> = {
  int2: 'N', int4: 'N', int8: 'N', float4: 'N', float8: 'N', numeric: 'N', oid: 'N', regclass: 'N',
  text: 'S', varchar: 'S', bpchar: 'S', name: 'S', unknown: 'X',
  date: 'D', time: 'D', timestamp: 'D', timestamptz: 'D', interval: 'T', bool: 'B', json: 'U', jsonb: 'U',
};
const PREFERRED = new Set<TypeId>(['float8', 'text', 'timestamptz', 'interval', 'bool', 'oid']);

/** PostgreSQL's implicit casts (pg_cast castcontext 'i') among the types Strata has. */
const IMPLICIT: Partial<Record<TypeId, TypeId[]>> = {
  int2: ['int4', 'int8', 'float4', 'float8', 'numeric', 'oid', 'regclass'],
  int4: ['int8', 'float4', 'float8', 'numeric', 'oid', 'regclass'],
  int8: ['float4', 'float8', 'numeric', 'oid', 'regclass'],
  float4: ['float8'],
  numeric: ['float4', 'float8'],
  date: ['timestamp', 'timestamptz'],
  timestamp: ['timestamptz'],
  time: ['interval'],
  text: ['bpchar', 'varchar', 'name', 'regclass'],
  varchar: ['text', 'bpchar', 'name', 'regclass'],
  bpchar: ['text', 'varchar', 'name'],
  name: ['text', 'bpchar', 'varchar'],
  oid: ['regclass'],
  regclass: ['oid'],
};

/** Implicit coercibility (private stand-in until types/casts.ts exports canCoerce). */
export function implicitlyCoercible(from: SqlType, to: SqlType): boolean {
  if (from.id === to.id) return from.id !== 'array' || !from.elem || !to.elem || implicitlyCoercible(from.elem, to.elem);
  if (from.id === 'unknown') return true;
  return IMPLICIT[from.id]?.includes(to.id) ?? false;
}

function sigMatches(sig: Sig, t: SqlType, exact: boolean): SqlType | null {
  switch (sig) {
    case 'any':
      return t.id === 'unknown' ? T.text : t;
    case 'anyelement':
      if (t.id === 'array') return t; // array_agg(anyarray) in PG builds a 2-D array; arrays nest here
      return t.id === 'unknown' ? T.text : t;
    case 'anyarray':
      return t.id === 'array' ? t : null;
    case 'float8[]': {
      if (t.id === 'array' && t.elem && (exact ? t.elem.id === 'float8' : implicitlyCoercible(t.elem, T.float8))) return arrayOf(T.float8);
      if (t.id === 'unknown' && !exact) return arrayOf(T.float8);
      return null;
    }
    default: {
      const target = T[sig as Exclude<TypeId, 'array'>];
      if (t.id === sig) return target;
      // varchar → text is binary-compatible: PG counts it as an exact match
      if (exact) return sig === 'text' && t.id === 'varchar' ? target : null;
      return implicitlyCoercible(t, target) ? target : null;
    }
  }
}

function matchAll(sigs: readonly Sig[], types: readonly SqlType[], exact: boolean): SqlType[] | null {
  if (sigs.length !== types.length) return null;
  const out: SqlType[] = [];
  for (let i = 0; i < sigs.length; i++) {
    const m = sigMatches(sigs[i]!, types[i]!, exact);
    if (!m) return null;
    out.push(m);
  }
  return out;
}

function describe(name: string, argTypes: readonly SqlType[], opts: { star: boolean; withinGroupTypes?: readonly SqlType[] }): string {
  const f = (t: SqlType) => formatType({ ...t, typmod: -1 } as SqlType);
  if (opts.star) return `${name}(*)`;
  const base = `${name}(${argTypes.map(f).join(', ')})`;
  return opts.withinGroupTypes ? `${base} WITHIN GROUP (ORDER BY ${opts.withinGroupTypes.map(f).join(', ')})` : base;
}

function notFound(name: string, argTypes: readonly SqlType[], opts: { star: boolean; withinGroupTypes?: readonly SqlType[] }): SqlError {
  return new SqlError(SQLSTATE.undefinedFunction, `function ${describe(name, argTypes, opts)} does not exist`, {
    hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
  });
}

export function resolveAggregate(
  rawName: string,
  argTypes: readonly SqlType[],
  opts: { star: boolean; distinct: boolean; withinGroupTypes?: readonly SqlType[] },
): ResolvedAggregate {
  const name = rawName.toLowerCase();
  const entries = CATALOG.get(name);
  if (!entries) throw notFound(name, argTypes, opts);
  if (opts.star) {
    if (name !== 'count') throw notFound(name, argTypes, opts);
    return {
      aggId: 'count(*)', name, kind: 'count_star', argTypes: [], returnType: T.int8, inputTypes: [], directArgIndexes: [], strict: false,
    };
  }
  const ordered = entries[0]!.within !== undefined;
  if (ordered && !opts.withinGroupTypes)
    throw new SqlError(SQLSTATE.wrongObjectType, `WITHIN GROUP is required for ordered-set aggregate ${name}`);
  if (!ordered && opts.withinGroupTypes)
    throw new SqlError(SQLSTATE.wrongObjectType, `${name} is not an ordered-set aggregate, so it cannot have WITHIN GROUP`);

  const all = [...argTypes, ...(opts.withinGroupTypes ?? [])];
  const sigOf = (e: Entry) => [...e.args, ...(e.within ?? [])];
  let chosen: { e: Entry; types: SqlType[] } | null = null;
  for (const e of entries) {
    const m = matchAll(sigOf(e), all, true);
    if (m) {
      chosen = { e, types: m };
      break;
    }
  }
  if (!chosen) {
    const cands: { e: Entry; types: SqlType[]; score: number }[] = [];
    for (const e of entries) {
      const m = matchAll(sigOf(e), all, false);
      if (!m) continue;
      // PG's rule: prefer candidates taking preferred types where the input had to be coerced
      let score = 0;
      for (let i = 0; i < m.length; i++) if (m[i]!.id !== all[i]!.id && PREFERRED.has(m[i]!.id)) score++;
      cands.push({ e, types: m, score });
    }
    if (cands.length === 0) throw notFound(name, argTypes, opts);
    // among same-category targets keep the best score; unknown inputs with several categories are ambiguous
    const best = Math.max(...cands.map((c) => c.score));
    let top = cands.filter((c) => c.score === best);
    if (top.length > 1) {
      // prefer candidates whose targets stay in each input's category
      const inCat = top.filter((c) => c.types.every((t, i) => CATEGORY[t.id] === CATEGORY[all[i]!.id] || all[i]!.id === 'unknown'));
      if (inCat.length > 0) top = inCat;
      if (top.length > 1 && all.some((t) => t.id === 'unknown')) {
        const str = top.filter((c) => c.types.every((t, i) => all[i]!.id !== 'unknown' || CATEGORY[t.id] === 'S'));
        if (str.length === 1) top = str;
      }
    }
    if (top.length > 1)
      throw new SqlError(SQLSTATE.ambiguousFunction, `function ${describe(name, argTypes, opts)} is not unique`, {
        hint: 'Could not choose a best candidate function. You might need to add explicit type casts.',
      });
    chosen = top[0]!;
  }
  const { e, types } = chosen;
  const nDirect = e.args.length;
  const direct = types.slice(0, nDirect);
  const within = e.within ? types.slice(nDirect) : undefined;
  const polyIdx = sigOf(e).findIndex((s) => s === 'anyelement' || s === 'anyarray');
  const poly = polyIdx >= 0 ? types[polyIdx]! : null;
  let returnType: SqlType;
  switch (e.ret) {
    case 'elem':
    case 'same_array':
      returnType = { ...poly!, typmod: -1 } as SqlType;
      break;
    case 'array_of_elem':
      returnType = arrayOf({ ...poly!, typmod: -1 } as SqlType);
      break;
    case 'float8[]':
      returnType = arrayOf(T.float8);
      break;
    case 'int4[]':
      returnType = arrayOf(T.int4);
      break;
    case 'interval[]':
      returnType = arrayOf(T.interval);
      break;
    default:
      returnType = T[e.ret as Exclude<TypeId, 'array'>];
  }
  const directIdx = within ? direct.map((_, i) => i) : (e.direct ?? []);
  const inputTypes = within ?? direct.filter((_, i) => !directIdx.includes(i));
  const sigText = (ts: readonly SqlType[]) => ts.map((t) => (t.id === 'array' ? `${t.elem?.id ?? 'any'}[]` : t.id)).join(',');
  const aggId = within ? `${name}(${sigText(direct)}) WITHIN GROUP (${sigText(within)})` : `${name}(${sigText(direct)})`;
  return {
    aggId,
    name,
    kind: e.kind,
    argTypes: direct,
    ...(within ? { withinGroupTypes: within } : {}),
    returnType,
    inputTypes,
    directArgIndexes: directIdx,
    strict: e.strict ?? true,
  };
}
