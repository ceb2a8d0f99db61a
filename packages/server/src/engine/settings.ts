/**
 * Session settings (GUCs): defaults, validation and the FormatContext derived
 * from them. Names are case-insensitive; SHOW prints PostgreSQL's spelling.
 */
import type { FormatContext } from '../../../storage/src/types/values.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { tryGetTimeZone } from '../../../storage/src/types/timezone.js';

interface SettingDef {
  /** spelling SHOW reports */
  display: string;
  default: string;
  normalize?: (v: string) => string;
  readOnly?: boolean;
}

/**
 * SET TIME ZONE value → the zone string the session keeps. A plain number is an
 * hour offset with ISO sign (east positive), which PostgreSQL stores in POSIX
 * form: '+03' → '<+03>-03'.
 */
function validTimeZone(v: string): string {
  const t = v.trim();
  const num = /^([+-]?)(\d+(?:\.\d+)?)$/.exec(t);
  if (num) {
    const minutes = Math.round(Number(num[2]) * 60);
    if (minutes > 15 * 60) throw new SqlError(SQLSTATE.invalidParameterValue, `invalid value for parameter "TimeZone": "${v}"`);
    const pad = (n: number) => String(n).padStart(2, '0');
    const hm = `${pad(Math.floor(minutes / 60))}${minutes % 60 ? `:${pad(minutes % 60)}` : ''}`;
    const east = num[1] !== '-';
    return `<${east ? '+' : '-'}${hm}>${east ? '-' : '+'}${hm}`;
  }
  if (!tryGetTimeZone(t)) throw new SqlError(SQLSTATE.invalidParameterValue, `invalid value for parameter "TimeZone": "${v}"`);
  return t;
}

function dateStyle(v: string): string {
  const parts = v.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean);
  let style = 'ISO';
  let order = 'MDY';
  for (const p of parts) {
    if (p === 'iso') style = 'ISO';
    else if (p === 'sql') style = 'SQL';
    else if (p === 'postgres') style = 'Postgres';
    else if (p === 'german') style = 'German';
    else if (p === 'mdy' || p === 'us' || p === 'noneuropean' || p === 'non-european') order = 'MDY';
    else if (p === 'dmy' || p === 'euro' || p === 'european') order = 'DMY';
    else if (p === 'ymd') order = 'YMD';
    else throw new SqlError(SQLSTATE.invalidParameterValue, `invalid value for parameter "DateStyle": "${v}"`, { detail: `Unrecognized key word: "${p}".` });
  }
  if (style === 'German' && !parts.some((p) => ['mdy', 'dmy', 'ymd', 'us', 'euro', 'european'].includes(p))) order = 'DMY';
  return `${style}, ${order}`;
}

function oneOf(name: string, values: string[]) {
  return (v: string) => {
    const x = v.trim().toLowerCase();
    if (!values.includes(x)) throw new SqlError(SQLSTATE.invalidParameterValue, `invalid value for parameter "${name}": "${v}"`, { hint: `Available values: ${values.join(', ')}.` });
    return x;
  };
}

function integer(name: string, min: number, max: number) {
  return (v: string) => {
    const n = Number(v.trim());
    if (!Number.isInteger(n)) throw new SqlError(SQLSTATE.invalidParameterValue, `invalid value for parameter "${name}": "${v}"`);
    if (n < min || n > max) throw new SqlError(SQLSTATE.invalidParameterValue, `${n} is outside the valid range for parameter "${name}" (${min} .. ${max})`);
    return String(n);
  };
}

function boolean(name: string) {
  return (v: string) => {
    const x = v.trim().toLowerCase();
    if (['on', 'true', 'yes', '1', 't', 'y'].includes(x)) return 'on';
    if (['off', 'false', 'no', '0', 'f', 'n'].includes(x)) return 'off';
    throw new SqlError(SQLSTATE.invalidParameterValue, `parameter "${name}" requires a Boolean value`);
  };
}

export const SETTINGS: Record<string, SettingDef> = {
  timezone: { display: 'TimeZone', default: 'UTC', normalize: validTimeZone },
  datestyle: { display: 'DateStyle', default: 'ISO, MDY', normalize: dateStyle },
  intervalstyle: { display: 'IntervalStyle', default: 'postgres', normalize: oneOf('IntervalStyle', ['postgres', 'postgres_verbose', 'sql_standard', 'iso_8601']) },
  extra_float_digits: { display: 'extra_float_digits', default: '1', normalize: integer('extra_float_digits', -15, 3) },
  search_path: { display: 'search_path', default: '"$user", public' },
  application_name: { display: 'application_name', default: '' },
  client_encoding: { display: 'client_encoding', default: 'UTF8', normalize: (v) => { const x = v.trim().toUpperCase().replace('-', ''); if (x !== 'UTF8' && x !== 'UNICODE' && x !== 'SQL_ASCII') throw new SqlError(SQLSTATE.featureNotSupported, `conversion between ${v} and UTF8 is not supported`); return 'UTF8'; } },
  server_encoding: { display: 'server_encoding', default: 'UTF8', readOnly: true },
  server_version: { display: 'server_version', default: '15.0', readOnly: true },
  server_version_num: { display: 'server_version_num', default: '150000', readOnly: true },
  integer_datetimes: { display: 'integer_datetimes', default: 'on', readOnly: true },
  // a preset option drivers read (pgjdbc's getImportedKeys asks pg_settings for it); enforced by CREATE INDEX and keys
  max_index_keys: { display: 'max_index_keys', default: '32', readOnly: true },
  // identifiers longer than this many bytes are truncated as they are read (parse/tokenizer.ts)
  max_identifier_length: { display: 'max_identifier_length', default: '63', readOnly: true },
  standard_conforming_strings: { display: 'standard_conforming_strings', default: 'on', normalize: boolean('standard_conforming_strings') },
  statement_timeout: { display: 'statement_timeout', default: '0', normalize: (v) => {
    if (!/^\s*\d+(\.\d+)?\s*(ms|s|min|h|d)?\s*$/i.test(v)) throw new SqlError(SQLSTATE.invalidParameterValue, `invalid value for parameter "statement_timeout": "${v}"`, { hint: 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".' });
    return v.trim();
  } },
  lock_timeout: { display: 'lock_timeout', default: '0' },
  idle_in_transaction_session_timeout: { display: 'idle_in_transaction_session_timeout', default: '0' },
  default_transaction_isolation: { display: 'default_transaction_isolation', default: 'read committed' },
  transaction_isolation: { display: 'transaction_isolation', default: 'read committed' },
  synchronous_commit: { display: 'synchronous_commit', default: 'on', normalize: oneOf('synchronous_commit', ['on', 'off', 'local', 'remote_write', 'remote_apply']) },
  max_connections: { display: 'max_connections', default: '100', readOnly: true },
  lc_messages: { display: 'lc_messages', default: 'C' },
  lc_monetary: { display: 'lc_monetary', default: 'C' },
  lc_numeric: { display: 'lc_numeric', default: 'C' },
  lc_time: { display: 'lc_time', default: 'C' },
  lc_collate: { display: 'lc_collate', default: 'C', readOnly: true },
  lc_ctype: { display: 'lc_ctype', default: 'C', readOnly: true },
  is_superuser: { display: 'is_superuser', default: 'on', readOnly: true },
  session_authorization: { display: 'session_authorization', default: 'strata' },
  client_min_messages: { display: 'client_min_messages', default: 'notice', normalize: oneOf('client_min_messages', ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'log', 'notice', 'warning', 'error']) },
  work_mem: { display: 'work_mem', default: '4MB' },
  jit: { display: 'jit', default: 'off' },
  enable_seqscan: { display: 'enable_seqscan', default: 'on' },
  row_security: { display: 'row_security', default: 'on' },
  bytea_output: { display: 'bytea_output', default: 'hex' },
  xmloption: { display: 'xmloption', default: 'content' },
  default_with_oids: { display: 'default_with_oids', default: 'off' },
  'timescaledb.enable_chunk_append': { display: 'timescaledb.enable_chunk_append', default: 'on' },
};

/**
 * Where a value comes from, in PostgreSQL's pg_settings.source spelling, lowest precedence first:
 * 'configuration file' is ALTER SYSTEM, 'command line' the server's own settings option,
 * 'database' ALTER DATABASE … SET, 'client' the startup packet / the embedding API's settings.
 */
export const SETTING_SOURCES = ['default', 'configuration file', 'command line', 'database', 'client', 'session'] as const;
export type SettingSource = (typeof SETTING_SOURCES)[number];
export type StartSource = Exclude<SettingSource, 'default' | 'session'>;

export class Settings {
  /** SET in this session: RESET drops these */
  private readonly values = new Map<string, string>();
  /** what the session started with (RESET returns here), each with where it came from */
  private readonly start = new Map<string, { value: string; source: StartSource }>();
  private cachedFormat?: FormatContext;

  /** `initial`: the client's settings (source 'client'), the session's start values */
  constructor(initial?: Record<string, string>) {
    for (const [k, v] of Object.entries(initial ?? {})) this.setStart(k, v, 'client');
  }

  /**
   * The canonical name and normalized value `SET name = value` would store, or the error it
   * would raise (42704 unknown, 55P02 read-only, 22023 invalid). `custom`: whether "class.name"
   * placeholders are allowed (ALTER SYSTEM refuses them in PostgreSQL 15).
   */
  static validate(name: string, value: string, custom = true): { name: string; value: string } {
    const n = Settings.canonical(name);
    Settings.checkName(name, custom);
    const def = SETTINGS[n];
    if (def?.readOnly) throw new SqlError('55P02', `parameter "${def.display}" cannot be changed`);
    return { name: n, value: def?.normalize ? def.normalize(value) : value };
  }

  /** 42704 unless `name` is a known setting (or, with `custom`, a "class.name" placeholder). */
  static checkName(name: string, custom = true): void {
    const n = Settings.canonical(name);
    if (!SETTINGS[n] && !(custom && n.includes('.'))) throw new SqlError(SQLSTATE.undefinedObject, `unrecognized configuration parameter "${name}"`);
  }

  /** A start value: a later source overrides an earlier one; RESET in the session returns to it. */
  setStart(name: string, value: string, source: StartSource): void {
    const v = Settings.validate(name, value);
    this.start.set(v.name, { value: v.value, source });
    this.cachedFormat = undefined;
  }

  /** pg_settings.source of the current value. */
  source(name: string): SettingSource {
    const n = Settings.canonical(name);
    if (this.values.has(n)) return 'session';
    return this.start.get(n)?.source ?? 'default';
  }

  /** What RESET would return to (pg_settings.reset_val). */
  resetValue(name: string): string | null {
    const n = Settings.canonical(name);
    return this.start.get(n)?.value ?? SETTINGS[n]?.default ?? null;
  }

  static canonical(name: string): string {
    const n = name.toLowerCase();
    if (n === 'time zone') return 'timezone';
    if (n === 'transaction isolation level') return 'transaction_isolation';
    return n;
  }

  get(name: string): string {
    const n = Settings.canonical(name);
    const v = this.values.get(n) ?? this.start.get(n)?.value;
    if (v !== undefined) return v;
    const def = SETTINGS[n];
    if (def) return def.default;
    if (n.includes('.')) {
      // custom "class.name" settings are allowed, like PostgreSQL's placeholders
      throw new SqlError(SQLSTATE.undefinedObject, `unrecognized configuration parameter "${name}"`);
    }
    throw new SqlError(SQLSTATE.undefinedObject, `unrecognized configuration parameter "${name}"`);
  }

  tryGet(name: string): string | null {
    const n = Settings.canonical(name);
    return this.values.get(n) ?? this.start.get(n)?.value ?? SETTINGS[n]?.default ?? null;
  }

  /** Returns the previous explicit value (for undo). */
  set(name: string, value: string): string | undefined {
    const { name: n, value: v } = Settings.validate(name, value);
    const prev = this.values.get(n);
    this.values.set(n, v);
    this.cachedFormat = undefined;
    return prev;
  }

  restore(name: string, prev: string | undefined): void {
    const n = Settings.canonical(name);
    if (prev === undefined) this.values.delete(n);
    else this.values.set(n, prev);
    this.cachedFormat = undefined;
  }

  /** RESET / SET … TO DEFAULT: back to the start value. Returns the previous explicit value (for undo). */
  reset(name: string): string | undefined {
    const n = Settings.canonical(name);
    if (!SETTINGS[n] && !this.values.has(n) && !this.start.has(n)) throw new SqlError(SQLSTATE.undefinedObject, `unrecognized configuration parameter "${name}"`);
    const def = SETTINGS[n];
    if (def?.readOnly) throw new SqlError('55P02', `parameter "${def.display}" cannot be changed`);
    const prev = this.values.get(n);
    this.values.delete(n);
    this.cachedFormat = undefined;
    return prev;
  }

  /** RESET ALL. Returns the explicit values it dropped (for undo). */
  resetAll(): Map<string, string> {
    const dropped = new Map(this.values);
    this.values.clear();
    this.cachedFormat = undefined;
    return dropped;
  }

  displayName(name: string): string {
    const n = Settings.canonical(name);
    return SETTINGS[n]?.display ?? n;
  }

  all(): { name: string; setting: string }[] {
    const names = new Set([...Object.keys(SETTINGS), ...this.start.keys(), ...this.values.keys()]);
    return [...names].sort().map((n) => ({ name: SETTINGS[n]?.display ?? n, setting: this.get(n) }));
  }

  searchPath(): string[] {
    return this.get('search_path').split(',').map((s) => s.trim().replace(/^"(.*)"$/, '$1')).filter((s) => s && s !== '$user');
  }

  format(): FormatContext {
    if (!this.cachedFormat) {
      this.cachedFormat = Object.freeze({
        timeZone: this.get('timezone'),
        dateStyle: this.get('datestyle'),
        intervalStyle: this.get('intervalstyle'),
        extraFloatDigits: Number(this.get('extra_float_digits')),
      });
    }
    return this.cachedFormat;
  }
}
