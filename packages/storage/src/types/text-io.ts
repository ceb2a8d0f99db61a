/**
 * Text I/O of every SQL type: `parseText` (the type's input function, typmod
 * applied as PostgreSQL's input functions do) and `formatText` (its output
 * function under the session's DateStyle / IntervalStyle / extra_float_digits).
 *
 * int8 values are JS numbers: exact within ±(2^53 - 1); inputs beyond that
 * raise 22003 (values.ts contract) although PostgreSQL would accept them.
 */
import { SqlError, SQLSTATE } from '../errors.js';
import { formatArray, formatRecord, formatVector, parseArray, parseRecord, parseVector } from './array-io.js';
import { formatDate, formatTime, formatTimestamp, formatTimestamptz } from './datetime-format.js';
import { parseDate, parseTime, parseTimestamp, parseTimestamptz } from './datetime-parse.js';
import { applyIntervalPrecision, formatInterval, parseInterval } from './interval.js';
import { normalizeJsonb, validateJson } from './json.js';
import { applyNumericTypmod, Decimal, formatG } from './numeric.js';
import { ARRAY_TYPE_OIDS, T, TYPE_OIDS, arrayOf, formatType, typeOid, type SqlType, type TypeId } from './sql-type.js';
import { parseTypeName } from './casts.js';
import { isInterval, type FormatContext, type Interval, type Value } from './values.js';

// ---------------------------------------------------------------------------
// bool

export function parseBool(text: string): boolean {
  const s = text.trim().toLowerCase();
  const n = s.length;
  if (n > 0) {
    switch (s[0]) {
      case 't':
        if ('true'.startsWith(s)) return true;
        break;
      case 'f':
        if ('false'.startsWith(s)) return false;
        break;
      case 'y':
        if ('yes'.startsWith(s)) return true;
        break;
      case 'n':
        if ('no'.startsWith(s)) return false;
        break;
      case 'o':
        if (n >= 2 && 'on'.startsWith(s)) return true;
        if (n >= 2 && 'off'.startsWith(s)) return false;
        break;
      case '1':
        if (n === 1) return true;
        break;
      case '0':
        if (n === 1) return false;
        break;
    }
  }
  throw new SqlError(SQLSTATE.invalidTextRepresentation, `invalid input syntax for type boolean: "${text}"`);
}

// ---------------------------------------------------------------------------
// integers

const INT_RANGES = {
  int2: { min: -32768, max: 32767, name: 'smallint' },
  int4: { min: -2147483648, max: 2147483647, name: 'integer' },
  int8: { min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, name: 'bigint' },
  oid: { min: -2147483648, max: 4294967295, name: 'oid' },
} as const;

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

export function parseInteger(text: string, type: 'int2' | 'int4' | 'int8' | 'oid'): number {
  const r = INT_RANGES[type];
  let i = 0;
  let end = text.length;
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  while (end > i && isSpace(text.charCodeAt(end - 1))) end--;
  let neg = false;
  const c0 = text.charCodeAt(i);
  if (c0 === 45 || c0 === 43) {
    neg = c0 === 45;
    i++;
  }
  if (i >= end) throw new SqlError(SQLSTATE.invalidTextRepresentation, `invalid input syntax for type ${r.name}: "${text}"`);
  let v = 0;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) throw new SqlError(SQLSTATE.invalidTextRepresentation, `invalid input syntax for type ${r.name}: "${text}"`);
    v = v * 10 + (c - 48);
  }
  if (neg) v = -v;
  if (v < r.min || v > r.max) throw new SqlError(SQLSTATE.numericValueOutOfRange, `value "${text}" is out of range for type ${r.name}`);
  if (type === 'oid' && v < 0) v += 4294967296;
  return v + 0;
}

// ---------------------------------------------------------------------------
// floats

/** float8in / float4in. */
export function parseFloatText(text: string, type: 'float4' | 'float8' = 'float8'): number {
  const name = type === 'float4' ? 'real' : 'double precision';
  let i = 0;
  let end = text.length;
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  while (end > i && isSpace(text.charCodeAt(end - 1))) end--;
  const s = i === 0 && end === text.length ? text : text.slice(i, end);
  let v: number;
  // validate: [+-](digits[.digits]|.digits)([eE][+-]digits)
  let k = 0;
  const n = s.length;
  let c = s.charCodeAt(0);
  if (c === 43 || c === 45) k++;
  let digits = 0;
  while (k < n && (c = s.charCodeAt(k)) >= 48 && c <= 57) (k++, digits++);
  if (k < n && s.charCodeAt(k) === 46) {
    k++;
    while (k < n && (c = s.charCodeAt(k)) >= 48 && c <= 57) (k++, digits++);
  }
  let ok = digits > 0;
  if (ok && k < n && (s.charCodeAt(k) | 32) === 101) {
    k++;
    c = s.charCodeAt(k);
    if (c === 43 || c === 45) k++;
    let ed = 0;
    while (k < n && (c = s.charCodeAt(k)) >= 48 && c <= 57) (k++, ed++);
    ok = ed > 0;
  }
  if (ok && k === n) {
    v = Number(s);
    if (type === 'float4') {
      const f = Math.fround(v);
      if ((!Number.isFinite(f) && Number.isFinite(v)) || (f === 0 && v !== 0 && !/^[+-]?[0.]*(e|$)/i.test(s)))
        throw new SqlError(SQLSTATE.numericValueOutOfRange, `"${text}" is out of range for type ${name}`);
      return f;
    }
    if (!Number.isFinite(v) || (v === 0 && !/^[+-]?[0.]*(e|$)/i.test(s)))
      throw new SqlError(SQLSTATE.numericValueOutOfRange, `"${text}" is out of range for type ${name}`);
    return v;
  }
  const w = s.toLowerCase();
  if (w === 'nan') return NaN;
  if (w === 'infinity' || w === '+infinity' || w === 'inf' || w === '+inf') return Infinity;
  if (w === '-infinity' || w === '-inf') return -Infinity;
  throw new SqlError(SQLSTATE.invalidTextRepresentation, `invalid input syntax for type ${name}: "${text}"`);
}

/** Lay out shortest digits `d` (no dot) with decimal exponent `e` as PostgreSQL does. */
function layoutShortest(neg: boolean, d: string, e: number, fixedLimit: number): string {
  let out: string;
  if (e >= -4 && e < fixedLimit) {
    if (e >= 0) {
      if (d.length <= e + 1) out = d + '0'.repeat(e + 1 - d.length);
      else out = d.slice(0, e + 1) + '.' + d.slice(e + 1);
    } else out = '0.' + '0'.repeat(-e - 1) + d;
  } else {
    const ae = Math.abs(e);
    out = (d.length > 1 ? d[0] + '.' + d.slice(1) : d) + (e < 0 ? 'e-' : 'e+') + (ae < 10 ? '0' + ae : ae);
  }
  return neg ? '-' + out : out;
}

function splitExponential(s: string): { neg: boolean; d: string; e: number } {
  const neg = s.charCodeAt(0) === 45;
  if (neg) s = s.slice(1);
  const ei = s.indexOf('e');
  const mant = s.slice(0, ei);
  const e = Number(s.slice(ei + 1));
  return { neg, d: mant.length > 1 ? mant[0] + mant.slice(2) : mant, e };
}

/** float8out under extra_float_digits. */
export function formatFloat8(x: number, extraFloatDigits = 1): string {
  if (x !== x) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (extraFloatDigits > 0) {
    const a = x < 0 ? -x : x;
    if (a >= 1e-4 && a < 1e15) return String(x);
    if (x === 0) return Object.is(x, -0) ? '-0' : '0';
    const { neg, d, e } = splitExponential(x.toExponential());
    return layoutShortest(neg, d, e, 15);
  }
  return formatG(x, Math.max(1, 15 + extraFloatDigits));
}

/** float4out under extra_float_digits (shortest digits that round-trip through float32). */
export function formatFloat4(x: number, extraFloatDigits = 1): string {
  if (x !== x) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  if (extraFloatDigits > 0) {
    if (Number.isInteger(x) && Math.abs(x) < 1e6) return String(x);
    let s = '';
    for (let p = 1; p <= 9; p++) {
      s = x.toExponential(p - 1);
      if (Math.fround(Number(s)) === x) break;
    }
    const { neg, d, e } = splitExponential(s);
    return layoutShortest(neg, d.replace(/0+$/, '') || '0', e, 6);
  }
  return formatG(x, Math.max(1, 6 + extraFloatDigits));
}

// ---------------------------------------------------------------------------
// character types

function charLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}
function charSlice(s: string, n: number): string {
  if (s.length <= n) return s;
  return Array.from(s).slice(0, n).join('');
}

/**
 * Apply varchar(n)/bpchar(n) as the type's input function (and assignment) does:
 * too long → 22001 unless the excess is all spaces; bpchar pads with spaces.
 * `explicit` (an explicit cast) silently truncates.
 */
export function applyCharTypmod(s: string, t: SqlType, explicit = false): string {
  const n = t.typmod;
  if (n < 0) return s;
  const len = s.length <= n ? s.length : charLength(s);
  if (len > n) {
    const cut = charSlice(s, n);
    if (!explicit && /[^ ]/.test(s.slice(cut.length)))
      throw new SqlError(SQLSTATE.stringDataRightTruncation, `value too long for type ${formatType(t)}`);
    return cut;
  }
  if (t.id === 'bpchar' && len < n) return s + ' '.repeat(n - len);
  return s;
}

function truncateName(s: string): string {
  // NAMEDATALEN - 1 = 63 bytes
  if (s.length <= 21) return s;
  const bytes = new TextEncoder().encode(s);
  if (bytes.length <= 63) return s;
  let cut = 63;
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
  return new TextDecoder().decode(bytes.slice(0, cut));
}

// ---------------------------------------------------------------------------
// timestamps with precision

/** Round µs to `precision` fractional digits (timestamp(p)/time(p)), half away from zero. */
export function roundMicros(us: number, precision: number): number {
  if (precision < 0 || precision >= 6 || !Number.isFinite(us)) return us;
  const unit = 10 ** (6 - precision);
  const q = us / unit;
  return (q < 0 ? -Math.round(-q) : Math.round(q)) * unit + 0;
}

// ---------------------------------------------------------------------------
// OID alias types (regclass is resolved through the catalog by the binder and the server)

let typesByOid: Map<number, SqlType> | undefined;
function typeByOid(oid: number): SqlType | undefined {
  if (!typesByOid) {
    typesByOid = new Map();
    for (const [id, o] of Object.entries(TYPE_OIDS)) typesByOid.set(o, T[id as Exclude<TypeId, 'array'>]);
    for (const [id, o] of Object.entries(ARRAY_TYPE_OIDS)) if (o) typesByOid.set(o, arrayOf(T[id as Exclude<TypeId, 'array'>]));
  }
  return typesByOid.get(oid);
}

/** regtypein: a type name as format_type prints it or as SQL spells it (pg_catalog.int4, integer[], varchar(10)), or an OID. */
export function parseRegtype(text: string): number {
  const s = text.trim();
  if (/^\d+$/.test(s)) return parseInteger(s, 'oid');
  const m = /^(?:pg_catalog\.)?("?)([^"()[\]]+)\1\s*(?:\(\s*([\d\s,]*)\))?\s*((?:\[\d*\]\s*)*)$/i.exec(s);
  if (m) {
    const mods = m[3] ? m[3].split(',').map((x) => Number(x.trim())) : [];
    const dims = m[4] ? (m[4].match(/\[/g) ?? []).length : 0;
    const name = m[1] ? m[2]! : m[2]!.toLowerCase();
    try {
      return typeOid(parseTypeName(name, mods, dims, 'cast'));
    } catch {
      // fall through to the error below
    }
  }
  throw new SqlError(SQLSTATE.undefinedObject, `type "${s}" does not exist`);
}

/** regtypeout: format_type's spelling; '-' for OID 0, the number for a type Strata does not have. */
export function formatRegtype(oid: number): string {
  if (oid === 0) return '-';
  const t = typeByOid(oid);
  return t ? formatType(t) : String(oid);
}

/**
 * The schemas every Strata database has (planner/src/catalog/catalog.ts). Schemas made with
 * CREATE SCHEMA are named at result-formatting time through the session's catalog
 * (server/src/engine/results.ts); inside an expression they print as their OID.
 */
const BUILTIN_NAMESPACES: ReadonlyMap<string, number> = new Map([
  ['pg_catalog', 11],
  ['public', 2200],
  ['information_schema', 13_000],
  ['timescaledb_information', 13_100],
]);
const NAMESPACE_NAMES = new Map([...BUILTIN_NAMESPACES].map(([n, o]) => [o, n]));

export function parseRegnamespace(text: string): number {
  const s = text.trim();
  if (/^\d+$/.test(s)) return parseInteger(s, 'oid');
  const name = /^".*"$/.test(s) ? s.slice(1, -1).replace(/""/g, '"') : s.toLowerCase();
  const oid = BUILTIN_NAMESPACES.get(name);
  if (oid === undefined) throw new SqlError(SQLSTATE.undefinedSchema, `schema "${name}" does not exist`);
  return oid;
}

export function formatRegnamespace(oid: number): string {
  if (oid === 0) return '-';
  return NAMESPACE_NAMES.get(oid) ?? String(oid);
}

// ---------------------------------------------------------------------------
// dispatch

/** The type's input function (with typmod). */
export function parseText(type: SqlType, text: string, ctx: FormatContext): Value {
  switch (type.id) {
    case 'bool':
      return parseBool(text);
    case 'int2':
    case 'int4':
    case 'int8':
      return parseInteger(text, type.id);
    case 'oid':
      return parseInteger(text, 'oid');
    case 'regclass': {
      const t = text.trim();
      if (/^\d+$/.test(t)) return Number(t);
      throw new SqlError(SQLSTATE.undefinedTable, `relation "${t}" does not exist`);
    }
    case 'regtype':
      return parseRegtype(text);
    case 'regnamespace':
      return parseRegnamespace(text);
    case 'float4':
    case 'float8':
      return parseFloatText(text, type.id);
    case 'numeric':
      return applyNumericTypmod(Decimal.parse(text), type.typmod);
    case 'text':
    case 'unknown':
      return text;
    case 'varchar':
    case 'bpchar':
      return applyCharTypmod(text, type);
    case 'name':
      return truncateName(text);
    case 'date':
      return parseDate(text, ctx);
    case 'time':
      return roundMicros(parseTime(text, ctx), type.typmod);
    case 'timestamp':
      return roundMicros(parseTimestamp(text, ctx), type.typmod);
    case 'timestamptz':
      return roundMicros(parseTimestamptz(text, ctx), type.typmod);
    case 'interval': {
      const iv = parseInterval(text, ctx.intervalStyle);
      return type.typmod >= 0 ? applyIntervalPrecision(iv, type.typmod & 0xffff) : iv;
    }
    case 'json':
      return validateJson(text);
    case 'jsonb':
      return normalizeJsonb(text);
    case 'array': {
      const elem = type.elem;
      if (!elem) throw new SqlError(SQLSTATE.indeterminateDatatype, 'could not determine element type of array');
      if (type.vector) return parseVector(text, (s) => parseText(elem, s, ctx));
      return parseArray(text, (s) => parseText(elem, s, ctx));
    }
    case 'record':
      return parseRecord(text);
  }
}

/** The type's output function. */
export function formatText(type: SqlType, value: Value, ctx: FormatContext): string {
  if (value === null) return 'NULL';
  switch (type.id) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'oid':
    case 'regclass':
      return typeof value === 'number' ? String(value) : String(value);
    case 'regtype':
      return formatRegtype(value as number);
    case 'regnamespace':
      return formatRegnamespace(value as number);
    case 'float8':
      return formatFloat8(value as number, ctx.extraFloatDigits);
    case 'float4':
      return formatFloat4(value as number, ctx.extraFloatDigits);
    case 'bool':
      return value ? 't' : 'f';
    case 'numeric':
      return value instanceof Decimal ? value.toString() : typeof value === 'number' ? Decimal.fromNumber(value).toString() : String(value);
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'unknown':
    case 'json':
    case 'jsonb':
      return value as string;
    case 'timestamptz':
      return formatTimestamptz(value as number, ctx);
    case 'timestamp':
      return formatTimestamp(value as number, ctx);
    case 'date':
      return formatDate(value as number, ctx);
    case 'time':
      return formatTime(value as number);
    case 'interval':
      return formatInterval(value as Interval, ctx.intervalStyle);
    case 'array': {
      const elem = type.elem;
      if (type.vector && elem) return formatVector(value as Value[], (v) => formatText(elem, v, ctx));
      return formatArray(value as Value[], elem ? (v) => formatText(elem, v, ctx) : (v) => formatUntyped(v, ctx));
    }
    case 'record': {
      const fields = type.fields;
      if (fields) return formatRecord(value as Value[], (v, i) => formatText(fields[i]?.type ?? T.unknown, v, ctx));
      return formatRecord(value as Value[], (v) => formatUntyped(v, ctx));
    }
  }
}

/** Output for a value whose SQL type is not known (record fields): inferred from the JS type. */
export function formatUntyped(v: Value, ctx: FormatContext): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return formatFloat8(v, ctx.extraFloatDigits);
  if (typeof v === 'string') return v;
  if (v instanceof Decimal) return v.toString();
  if (Array.isArray(v)) return formatArray(v, (x) => formatUntyped(x, ctx));
  if (isInterval(v)) return formatInterval(v, ctx.intervalStyle);
  return String(v);
}
