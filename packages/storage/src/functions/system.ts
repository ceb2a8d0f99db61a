/** System information functions clients and tools call (psql, drivers, Grafana). */
import { randomUUID } from 'node:crypto';
import { SqlError, SQLSTATE } from '../errors.js';
import { formatType } from '../types/sql-type.js';
import type { EvalContext } from '../expr/expr.js';
import { fn } from './catalog.js';

export const SERVER_VERSION = '15.0';
export const VERSION_STRING = 'PostgreSQL 15.0 (Strata 0.1.0) on x86_64-pc-linux-gnu, compiled by TypeScript, 64-bit';

const stable = { volatility: 'stable' as const };
const user = (ctx: EvalContext): string => ctx.session?.currentUser ?? 'postgres';

fn('version() -> text', () => VERSION_STRING, stable);
fn('current_database() -> name', (_a, ctx) => ctx.session?.currentDatabase ?? 'postgres', stable);
fn('current_catalog() -> name', (_a, ctx) => ctx.session?.currentDatabase ?? 'postgres', stable);
fn('current_schema() -> name', (_a, ctx) => firstSearchPathSchema(ctx), stable);
fn('current_schemas(bool) -> name[]', (a, ctx) => (a[0] ? ['pg_catalog', firstSearchPathSchema(ctx)] : [firstSearchPathSchema(ctx)]), stable);
for (const name of ['current_user', 'session_user', 'user', 'current_role']) fn(`${name}() -> name`, (_a, ctx) => user(ctx), stable);
fn('pg_backend_pid() -> int4', () => process.pid, stable);
fn('inet_server_port() -> int4', () => 5432, stable);

function firstSearchPathSchema(ctx: EvalContext): string {
  const sp = ctx.session?.getSetting?.('search_path') ?? '"$user", public';
  for (const raw of sp.split(',')) {
    const s = raw.trim().replace(/^"(.*)"$/, '$1');
    if (s === '$user') continue;
    if (s) return s;
  }
  return 'public';
}

const DEFAULT_SETTINGS: Record<string, string> = {
  server_version: SERVER_VERSION,
  server_version_num: '150000',
  server_encoding: 'UTF8',
  client_encoding: 'UTF8',
  standard_conforming_strings: 'on',
  integer_datetimes: 'on',
  max_identifier_length: '63',
  search_path: '"$user", public',
  default_transaction_isolation: 'read committed',
  transaction_isolation: 'read committed',
  lc_collate: 'C',
  lc_ctype: 'C',
  block_size: '8192',
};

function settingValue(name: string, ctx: EvalContext): string | null {
  const n = name.toLowerCase();
  const fromSession = ctx.session?.getSetting?.(n);
  if (fromSession !== undefined && fromSession !== null) return fromSession;
  switch (n) {
    case 'timezone': return ctx.settings.timeZone;
    case 'datestyle': return ctx.settings.dateStyle;
    case 'intervalstyle': return ctx.settings.intervalStyle;
    case 'extra_float_digits': return String(ctx.settings.extraFloatDigits);
  }
  return DEFAULT_SETTINGS[n] ?? null;
}

function currentSetting(name: string, missingOk: boolean, ctx: EvalContext): string | null {
  const v = settingValue(name, ctx);
  if (v === null) {
    if (missingOk || name.includes('.')) return null; // custom (dotted) settings read as NULL when unset with missing_ok
    throw new SqlError(SQLSTATE.undefinedObject, `unrecognized configuration parameter "${name}"`);
  }
  return v;
}
fn('current_setting(text) -> text', (a, ctx) => {
  const name = a[0] as string;
  const v = settingValue(name, ctx);
  if (v === null) throw new SqlError(SQLSTATE.undefinedObject, `unrecognized configuration parameter "${name}"`);
  return v;
}, stable);
fn('current_setting(text, bool) -> text', (a, ctx) => currentSetting(a[0] as string, a[1] as boolean, ctx), stable);
fn('set_config(text, text, bool) -> text', (a, ctx) => {
  if (a[0] === null) throw new SqlError(SQLSTATE.nullValueNotAllowed, 'SET requires parameter name');
  const name = (a[0] as string).toLowerCase();
  const value = (a[1] as string | null) ?? '';
  if (!ctx.session?.setSetting) throw new SqlError(SQLSTATE.featureNotSupported, 'set_config is not available in this context');
  ctx.session.setSetting(name, value, a[2] === true);
  return settingValue(name, ctx) ?? value;
}, { strict: false, volatility: 'volatile' });

// pg_typeof returns regtype in PostgreSQL; here its text, which prints the same
fn('pg_typeof(any) -> text', () => null, {
  strict: false,
  volatility: 'stable',
  specialize: (types) => {
    const name = formatType(types[0]!);
    return { scalar: () => name };
  },
});

fn('num_nulls(...any) -> int4', (a) => a.filter((x) => x === null).length, { strict: false });
fn('num_nonnulls(...any) -> int4', (a) => a.filter((x) => x !== null).length, { strict: false });
fn('gen_random_uuid() -> text', () => randomUUID(), { volatility: 'volatile' });

fn('nextval(text) -> int8', (a, ctx) => {
  if (!ctx.session?.nextval) throw new SqlError(SQLSTATE.featureNotSupported, 'sequences are not available in this context');
  return ctx.session.nextval(a[0] as string);
}, { volatility: 'volatile' });
