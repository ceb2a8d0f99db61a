/**
 * System information functions over the catalog (pg_get_indexdef,
 * pg_table_is_visible, pg_relation_size, format_type, regclass I/O…). What
 * needs the planner's catalog goes through `ctx.session.catalog(name, args)`,
 * which the server implements (server/src/catalog/catalog-hooks.ts); the
 * names passed there are that hook's vocabulary, not SQL names.
 */
import { SqlError, SQLSTATE } from '../errors.js';
import type { EvalContext } from '../expr/expr.js';
import { ARRAY_TYPE_OIDS, TYPE_OIDS, T, arrayOf, formatType, withTypmod, type SqlType, type TypeId } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import { Decimal } from '../types/numeric.js';
import { fn } from './catalog.js';

const stable = { volatility: 'stable' as const };

function lookup(ctx: EvalContext, name: string, args: readonly Value[]): Value | undefined {
  return ctx.session?.catalog?.(name, args);
}

/** A catalog answer, or `fallback` when the engine runs without a catalog (bare expression tests). */
function ask(ctx: EvalContext, name: string, args: readonly Value[], fallback: Value = null): Value {
  const v = lookup(ctx, name, args);
  return v === undefined ? fallback : v;
}

// ---- types -------------------------------------------------------------------------------------

const BY_OID = new Map<number, SqlType>();
for (const [id, oid] of Object.entries(TYPE_OIDS)) BY_OID.set(oid, T[id as Exclude<TypeId, 'array'>]);
for (const [id, oid] of Object.entries(ARRAY_TYPE_OIDS)) if (oid) BY_OID.set(oid, arrayOf(T[id as Exclude<TypeId, 'array'>]));

// format_type spells catalog-only types the way PostgreSQL does ("char", "any")
const QUOTED_TYPE_NAMES = new Set(['char', 'any']);

fn('format_type(oid, int4) -> text', (a, ctx) => {
  if (a[0] === null) return null;
  const oid = a[0] as number;
  let typmod = a[1] === null ? -1 : (a[1] as number);
  const t = BY_OID.get(oid);
  if (t) {
    // PostgreSQL's typmods count the varlena header for these; Strata's SqlType does not
    if (t.id === 'varchar' || t.id === 'bpchar' || t.id === 'numeric') typmod = typmod >= 4 ? typmod - 4 : -1;
    if (t.id === 'bpchar' && typmod < 0) return 'bpchar';
    return formatType(typmod >= 0 ? withTypmod(t, typmod) : t);
  }
  const name = ask(ctx, 'type_name', [oid]);
  if (typeof name !== 'string') return '???';
  if (name.startsWith('_')) return `${QUOTED_TYPE_NAMES.has(name.slice(1)) ? `"${name.slice(1)}"` : name.slice(1)}[]`;
  return QUOTED_TYPE_NAMES.has(name) ? `"${name}"` : name;
}, { strict: false, volatility: 'stable' });

fn('pg_type_is_visible(oid) -> bool', () => true, stable);
fn('pg_function_is_visible(oid) -> bool', () => true, stable);
fn('pg_table_is_visible(oid) -> bool', (a, ctx) => ask(ctx, 'table_is_visible', a, true), stable);

// ---- regclass ----------------------------------------------------------------------------------

// Casts between regclass and text are bound to these (planner/src/bind/coerce.ts): a regclass is
// an OID at run time, and only the catalog knows its name.
fn('regclass_text(regclass) -> text', (a, ctx) => ask(ctx, 'regclass_out', a, String(a[0])), { ...stable, internal: true });
fn('text_regclass(text) -> regclass', (a, ctx) => {
  const s = (a[0] as string).trim();
  if (/^\d+$/.test(s)) return Number(s);
  const oid = lookup(ctx, 'regclass_in', [s]);
  if (oid === null || oid === undefined) throw new SqlError(SQLSTATE.undefinedTable, `relation "${s}" does not exist`);
  return oid;
}, { ...stable, internal: true });
fn('to_regclass(text) -> regclass', (a, ctx) => {
  const s = (a[0] as string).trim();
  return /^\d+$/.test(s) ? null : ask(ctx, 'regclass_in', [s]);
}, stable);
fn('nextval(regclass) -> int8', (a, ctx) => {
  const name = lookup(ctx, 'relation_name', a);
  if (typeof name !== 'string') throw new SqlError(SQLSTATE.undefinedTable, `could not open relation with OID ${a[0]}`);
  if (!ctx.session?.nextval) throw new SqlError(SQLSTATE.featureNotSupported, 'sequences are not available in this context');
  return ctx.session.nextval(name);
}, { volatility: 'volatile' });

// ---- definitions ------------------------------------------------------------------------------

// pg_attrdef.adbin / pg_constraint.conbin already hold the printed expression
fn('pg_get_expr(text, oid) -> text', (a) => a[0]!, stable);
fn('pg_get_expr(text, oid, bool) -> text', (a) => a[0]!, stable);
fn('pg_get_indexdef(oid) -> text', (a, ctx) => ask(ctx, 'indexdef', [a[0]!, 0, false]), stable);
fn('pg_get_indexdef(oid, int4, bool) -> text', (a, ctx) => ask(ctx, 'indexdef', a), stable);
fn('pg_get_constraintdef(oid) -> text', (a, ctx) => ask(ctx, 'constraintdef', [a[0]!, false]), stable);
fn('pg_get_constraintdef(oid, bool) -> text', (a, ctx) => ask(ctx, 'constraintdef', a), stable);
fn('pg_get_viewdef(oid) -> text', (a, ctx) => ask(ctx, 'viewdef', a), stable);
fn('pg_get_viewdef(oid, bool) -> text', (a, ctx) => ask(ctx, 'viewdef', [a[0]!]), stable);
fn('pg_get_viewdef(text) -> text', (a, ctx) => ask(ctx, 'viewdef', a), stable);
fn('pg_get_viewdef(text, bool) -> text', (a, ctx) => ask(ctx, 'viewdef', [a[0]!]), stable);
fn('pg_get_function_result(oid) -> text', (a, ctx) => ask(ctx, 'function_result', a), stable);
fn('pg_get_function_arguments(oid) -> text', (a, ctx) => ask(ctx, 'function_arguments', a), stable);
fn('pg_get_function_identity_arguments(oid) -> text', (a, ctx) => ask(ctx, 'function_arguments', a), stable);
fn('pg_get_serial_sequence(text, text) -> text', (a, ctx) => ask(ctx, 'serial_sequence', a), stable);
for (const f of ['pg_get_ruledef', 'pg_get_triggerdef']) {
  fn(`${f}(oid) -> text`, () => null, stable);
  fn(`${f}(oid, bool) -> text`, () => null, stable);
}
fn('pg_get_statisticsobjdef_columns(oid) -> text', () => null, stable);
fn('pg_get_partkeydef(oid) -> text', () => null, stable);
fn('pg_relation_is_publishable(regclass) -> bool', () => false, stable);
fn('pg_is_in_recovery() -> bool', () => false, stable);

// ---- owners, descriptions, encodings ------------------------------------------------------------

fn('pg_get_userbyid(oid) -> name', (a, ctx) => ask(ctx, 'userbyid', a, (a[0] as number) === 10 ? ctx.session?.currentUser ?? 'postgres' : `unknown (OID=${a[0]})`), stable);
fn('obj_description(oid) -> text', (a, ctx) => ask(ctx, 'obj_description', [a[0]!, null]), stable);
fn('obj_description(oid, name) -> text', (a, ctx) => ask(ctx, 'obj_description', a), stable);
fn('col_description(oid, int4) -> text', () => null, stable);
fn('shobj_description(oid, name) -> text', () => null, stable);
fn('pg_encoding_to_char(int4) -> name', (a) => ({ 0: 'SQL_ASCII', 6: 'UTF8' })[a[0] as number] ?? '', stable);
fn('pg_char_to_encoding(name) -> int4', (a) => ({ SQL_ASCII: 0, UTF8: 6 })[String(a[0]).toUpperCase()] ?? -1, stable);

// ---- sizes -------------------------------------------------------------------------------------

const size = (part: string) => (a: Value[], ctx: EvalContext) => ask(ctx, 'relation_size', [a[0]!, part]);
fn('pg_relation_size(regclass) -> int8', size('main'), { volatility: 'volatile' });
fn('pg_relation_size(regclass, text) -> int8', (a, ctx) => (a[1] === 'main' ? ask(ctx, 'relation_size', [a[0]!, 'main']) : 0), { volatility: 'volatile' });
fn('pg_table_size(regclass) -> int8', size('table'), { volatility: 'volatile' });
fn('pg_indexes_size(regclass) -> int8', size('indexes'), { volatility: 'volatile' });
fn('pg_total_relation_size(regclass) -> int8', size('total'), { volatility: 'volatile' });

/** PostgreSQL 15's pg_size_pretty: each unit until the value drops under 10240 (20479 once rounded halves apply). */
function sizePretty(bytes: number): string {
  const units: [string, number, boolean, number][] = [['bytes', 10 * 1024, false, 0], ['kB', 20 * 1024 - 1, true, 10], ['MB', 20 * 1024 - 1, true, 20], ['GB', 20 * 1024 - 1, true, 30], ['TB', 20 * 1024 - 1, true, 40], ['PB', 20 * 1024 - 1, true, 50]];
  let s = bytes;
  for (let i = 0; i < units.length; i++) {
    const [name, limit, round] = units[i]!;
    const next = units[i + 1];
    if (!next || Math.abs(s) < limit) {
      if (round) s = Math.trunc((s + (s < 0 ? -1 : 1)) / 2);
      return `${s} ${name}`;
    }
    const bits = next[3] - units[i]![3] - (next[2] ? 1 : 0) + (round ? 1 : 0);
    s = Math.trunc(s / 2 ** bits);
  }
  return `${s} bytes`;
}
fn('pg_size_pretty(int8) -> text', (a) => sizePretty(a[0] as number));
fn('pg_size_pretty(numeric) -> text', (a) => sizePretty(Number((a[0] as Decimal).toString())));

// ---- privileges: Strata has one superuser, who may do everything --------------------------------

const yes = () => true;
for (const what of ['table', 'schema', 'database', 'function', 'sequence', 'any_column']) {
  fn(`has_${what}_privilege(text, text) -> bool`, yes, stable);
  fn(`has_${what}_privilege(oid, text) -> bool`, yes, stable);
  fn(`has_${what}_privilege(name, text, text) -> bool`, yes, stable);
  fn(`has_${what}_privilege(name, oid, text) -> bool`, yes, stable);
}
fn('has_column_privilege(text, text, text) -> bool', yes, stable);
fn('has_column_privilege(oid, text, text) -> bool', yes, stable);
fn('has_column_privilege(oid, int2, text) -> bool', yes, stable);
fn('pg_has_role(name, text) -> bool', yes, stable);
fn('pg_has_role(oid, text) -> bool', yes, stable);
fn('pg_has_role(name, name, text) -> bool', yes, stable);
