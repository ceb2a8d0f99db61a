/**
 * SQL values → what node-postgres would hand its users (so tests written for
 * pg move over unchanged), or PostgreSQL's text output (rowMode 'text').
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { typeOid } from '../../../storage/src/types/sql-type.js';
import type { FormatContext, Interval, Value } from '../../../storage/src/types/values.js';
import { DEFAULT_FORMAT_CONTEXT, MICROS_PER_DAY } from '../../../storage/src/types/values.js';
import { formatText } from '../../../storage/src/types/text-io.js';
import { isRegType, T, arrayOf } from '../../../storage/src/types/sql-type.js';
import type { ResultColumn } from '../../../planner/src/statement/session.js';

export interface FieldDef {
  name: string;
  tableID: number;
  columnID: number;
  dataTypeID: number;
  dataTypeSize: number;
  dataTypeModifier: number;
  format: 'text' | 'binary';
}

const TYPE_SIZES: Partial<Record<string, number>> = {
  bool: 1, int2: 2, int4: 4, int8: 8, float4: 4, float8: 8, date: 4, time: 8, timestamp: 8, timestamptz: 8, interval: 16, oid: 4, regclass: 4, regtype: 4, regnamespace: 4, name: 64,
};

export function fieldDef(c: ResultColumn): FieldDef {
  return {
    name: c.name,
    tableID: c.tableOid ?? 0,
    columnID: c.attnum ?? 0,
    dataTypeID: typeOid(c.type),
    dataTypeSize: TYPE_SIZES[c.type.id] ?? -1,
    dataTypeModifier: c.type.typmod >= 0 ? (c.type.id === 'varchar' || c.type.id === 'bpchar' ? c.type.typmod + 4 : c.type.id === 'numeric' ? c.type.typmod + 4 : c.type.typmod) : -1,
    format: 'text',
  };
}

export interface PgInterval {
  years?: number;
  months?: number;
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
  milliseconds?: number;
}

function intervalToPg(iv: Interval): PgInterval {
  const out: PgInterval = {};
  const years = Math.trunc(iv.months / 12);
  const months = iv.months % 12;
  if (years) out.years = years;
  if (months) out.months = months;
  if (iv.days) out.days = iv.days;
  let us = iv.micros;
  const hours = Math.trunc(us / 3_600_000_000);
  us -= hours * 3_600_000_000;
  const minutes = Math.trunc(us / 60_000_000);
  us -= minutes * 60_000_000;
  const seconds = Math.trunc(us / 1_000_000);
  us -= seconds * 1_000_000;
  if (hours) out.hours = hours;
  if (minutes) out.minutes = minutes;
  if (seconds) out.seconds = seconds;
  if (us) out.milliseconds = us / 1000;
  return out;
}

function localDateFromWallMicros(us: number): Date {
  // node-postgres parses timestamp without time zone (and date) as local time
  const ms = Math.floor(us / 1000);
  const d = new Date(ms);
  return new Date(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

/** SessionHooks.catalog of the session the result belongs to (names OIDs for regclass output). */
export type CatalogLookup = (fn: string, args: readonly Value[]) => Value | undefined;

/**
 * Whether a column needs the catalog to be printed: regclass (and regnamespace, regtype for
 * catalog-only types) are OIDs at run time and storage's formatText has no catalog, so the
 * server names them here, at result-formatting time, as PostgreSQL's output functions would.
 */
export function needsCatalog(type: SqlType): boolean {
  return isRegType(type.id) || (type.id === 'array' && !!type.elem && needsCatalog(type.elem));
}

function regName(type: SqlType, oid: number, catalog: CatalogLookup): string | undefined {
  if (oid === 0) return '-';
  let v: Value | undefined;
  if (type.id === 'regclass') v = catalog('regclass_out', [oid]);
  else if (type.id === 'regnamespace') v = catalog('regnamespace_out', [oid]);
  else if (type.id === 'regtype') {
    const s = formatText(type, oid, DEFAULT_FORMAT_CONTEXT);
    if (s !== String(oid)) return s;
    v = catalog('type_name', [oid]);
  }
  return typeof v === 'string' ? v : undefined;
}

/** The text output of one value, with OID alias types named through the catalog when one is given. */
export function outputText(type: SqlType, v: Value, ctx: FormatContext, catalog?: CatalogLookup): string {
  if (catalog && v !== null) {
    if (isRegType(type.id)) return regName(type, v as number, catalog) ?? formatText(type, v, ctx);
    if (type.id === 'array' && type.elem && needsCatalog(type.elem)) {
      const elem = type.elem;
      const named = (x: Value): Value => (x === null ? null : Array.isArray(x) ? x.map(named) : outputText(elem, x, ctx, catalog));
      return formatText(arrayOf(T.text), (v as Value[]).map(named), ctx);
    }
  }
  return formatText(type, v, ctx);
}

export function toJs(type: SqlType, v: Value, ctx: FormatContext, catalog?: CatalogLookup): unknown {
  if (v === null) return null;
  // node-postgres has no parser for the OID alias types: it hands out their text
  if (catalog && needsCatalog(type)) return outputText(type, v, ctx, catalog);
  switch (type.id) {
    case 'bool':
    case 'int2':
    case 'int4':
    case 'float4':
    case 'float8':
    case 'oid':
    case 'regclass':
      return v;
    case 'int8':
      return formatText(type, v, ctx);
    case 'numeric':
      return formatText(type, v, ctx);
    case 'timestamptz': {
      const n = v as number;
      if (!Number.isFinite(n)) return n;
      return new Date(Math.floor(n / 1000));
    }
    case 'timestamp': {
      const n = v as number;
      if (!Number.isFinite(n)) return n;
      return localDateFromWallMicros(n);
    }
    case 'date': {
      const n = v as number;
      if (!Number.isFinite(n)) return n;
      return localDateFromWallMicros(n * MICROS_PER_DAY);
    }
    case 'json':
    case 'jsonb':
      return JSON.parse(v as string);
    case 'interval':
      return intervalToPg(v as Interval);
    case 'array': {
      const elem = type.elem!;
      return (v as Value[]).map((x) => toJs(elem, x, ctx));
    }
    default:
      return typeof v === 'string' ? v : formatText(type, v, ctx);
  }
}

export function toText(type: SqlType, v: Value, ctx: FormatContext, catalog?: CatalogLookup): string | null {
  return v === null ? null : outputText(type, v, ctx, catalog);
}
