/**
 * pg_proc from the function catalog: enough for \df, drivers that look up a
 * function's argument types, and pg_get_function_arguments/_result. Aggregates
 * and window functions are listed by name with their common signature.
 */
import type { Value } from '../../../storage/src/types/values.js';
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { formatType, typeOid } from '../../../storage/src/types/sql-type.js';
import { allFunctionNames, functionCandidates, isPseudo, type ParamType } from '../../../storage/src/functions/catalog.js';
import { isAggregateName } from '../../../storage/src/aggregates/index.js';
import { C } from './system-relation.js';
import { BOOTSTRAP_SUPERUSER, PG_CATALOG_NAMESPACE, SYSTEM_RELATION_OIDS, functionOid } from './oids.js';
import type { SystemDef } from './relations.js';

const PSEUDO_OIDS: Record<string, number> = { any: 2276, anyelement: 2283, anyarray: 2277, anynonarray: 2776, anycompatible: 5077, anycompatiblearray: 5078 };

interface Proc {
  oid: number;
  name: string;
  kind: 'f' | 'a' | 'w';
  args: ParamType[];
  variadic: boolean;
  ret: ParamType;
  strict: boolean;
  volatility: string;
}

function paramOid(p: ParamType): number {
  return isPseudo(p) ? PSEUDO_OIDS[p]! : typeOid(p as SqlType);
}

function paramName(p: ParamType): string {
  return isPseudo(p) ? (p === 'any' ? '"any"' : p) : formatType(p as SqlType);
}

// aggregate / window signatures as \df shows them (the function catalog keeps them elsewhere)
const AGGREGATES: [string, string, string][] = [
  ['avg', 'numeric', 'bigint'], ['avg', 'double precision', 'double precision'], ['count', 'bigint', '"any"'], ['count', 'bigint', ''],
  ['sum', 'bigint', 'integer'], ['sum', 'numeric', 'bigint'], ['sum', 'double precision', 'double precision'], ['min', 'anyelement', 'anyelement'],
  ['max', 'anyelement', 'anyelement'], ['bool_and', 'boolean', 'boolean'], ['bool_or', 'boolean', 'boolean'], ['every', 'boolean', 'boolean'],
  ['string_agg', 'text', 'text, text'], ['array_agg', 'anyarray', 'anynonarray'], ['first', 'anyelement', 'anyelement, "any"'],
  ['last', 'anyelement', 'anyelement, "any"'], ['stddev', 'double precision', 'double precision'], ['variance', 'double precision', 'double precision'],
  ['percentile_cont', 'double precision', 'double precision ORDER BY double precision'], ['percentile_disc', 'anyelement', 'double precision ORDER BY anyelement'],
  ['mode', 'anyelement', 'ORDER BY anyelement'], ['histogram', 'integer[]', 'double precision, double precision, double precision, integer'],
];
const WINDOWS: [string, string, string][] = [
  ['row_number', 'bigint', ''], ['rank', 'bigint', ''], ['dense_rank', 'bigint', ''], ['percent_rank', 'double precision', ''],
  ['cume_dist', 'double precision', ''], ['ntile', 'integer', 'integer'], ['lag', 'anyelement', 'anyelement'], ['lead', 'anyelement', 'anyelement'],
  ['first_value', 'anyelement', 'anyelement'], ['last_value', 'anyelement', 'anyelement'], ['nth_value', 'anyelement', 'anyelement, integer'],
];

interface Listed extends Proc {
  argText: string;
  retText: string;
}

let cached: Listed[] | undefined;

export function procs(): Listed[] {
  if (cached) return cached;
  const out: Listed[] = [];
  for (const name of allFunctionNames().sort()) {
    for (const d of functionCandidates(name)) {
      const argText = d.params.map((p, i) => (d.variadic && i === d.params.length - 1 ? `VARIADIC ${paramName(p)}[]` : paramName(p))).join(', ');
      out.push({ oid: functionOid(`${name}/${d.id}`), name, kind: 'f', args: [...d.params], variadic: d.variadic, ret: d.ret, strict: d.strict, volatility: d.volatility, argText, retText: paramName(d.ret) });
    }
  }
  for (const [name, ret, args] of AGGREGATES) {
    if (!isAggregateName(name)) continue;
    out.push({ oid: functionOid(`agg:${name}(${args})`), name, kind: 'a', args: [], variadic: false, ret: 'anyelement', strict: false, volatility: 'immutable', argText: args, retText: ret });
  }
  for (const [name, ret, args] of WINDOWS) {
    out.push({ oid: functionOid(`win:${name}(${args})`), name, kind: 'w', args: [], variadic: false, ret: 'anyelement', strict: false, volatility: 'immutable', argText: args, retText: ret });
  }
  cached = out;
  return out;
}

export function procByOid(oid: number): Listed | undefined {
  return procs().find((p) => p.oid === oid);
}

const VOLATILITY: Record<string, string> = { immutable: 'i', stable: 's', volatile: 'v' };

export const pgProc: SystemDef = {
  schema: 'pg_catalog',
  name: 'pg_proc',
  oid: SYSTEM_RELATION_OIDS.pg_proc!,
  kind: 'r',
  columns: [
    ['oid', C.oid], ['proname', C.name], ['pronamespace', C.oid], ['proowner', C.oid], ['prolang', C.oid], ['procost', C.float4],
    ['prorows', C.float4], ['provariadic', C.oid], ['prosupport', C.regproc], ['prokind', C.char], ['prosecdef', C.bool],
    ['proleakproof', C.bool], ['proisstrict', C.bool], ['proretset', C.bool], ['provolatile', C.char], ['proparallel', C.char],
    ['pronargs', C.int2], ['pronargdefaults', C.int2], ['prorettype', C.oid], ['proargtypes', C.oidvector], ['proallargtypes', C.oidArray],
    ['proargmodes', C.charArray], ['proargnames', C.textArray], ['proargdefaults', C.nodeTree], ['protrftypes', C.oidArray],
    ['prosrc', C.text], ['probin', C.text], ['prosqlbody', C.nodeTree], ['proconfig', C.textArray], ['proacl', C.acl],
  ],
  rows: (): Value[][] =>
    procs().map((p) => [
      p.oid, p.name, PG_CATALOG_NAMESPACE, BOOTSTRAP_SUPERUSER, 12, 1,
      0, p.variadic ? paramOid(p.args[p.args.length - 1]!) : 0, '-', p.kind, false,
      false, p.strict, false, VOLATILITY[p.volatility] ?? 'v', 's',
      p.args.length, 0, paramOid(p.ret), p.args.map(paramOid), null,
      null, null, null, null,
      p.name, null, null, null, null,
    ]),
};
