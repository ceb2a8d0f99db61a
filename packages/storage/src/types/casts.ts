/**
 * Casts and coercion rules with PostgreSQL's semantics: castValue (run-time
 * conversion), canCoerce (pg_cast contexts plus the automatic I/O casts),
 * type categories, select_common_type, and type-name resolution.
 */
import { SqlError, SQLSTATE } from '../errors.js';
import { dateToTimestamptz, timestampToTimestamptz, timestamptzToDate, timestamptzToTimestamp } from './datetime.js';
import { applyIntervalPrecision } from './interval.js';
import { JsonbNumber, JsonbObject, normalizeJsonb, parseJsonb } from './json.js';
import { applyNumericTypmod, Decimal } from './numeric.js';
import { arrayOf, formatType, INT2VECTOR, isRegType, OIDVECTOR, T, withTypmod, type SqlType, type TypeId } from './sql-type.js';
import { applyCharTypmod, formatText, parseText, roundMicros } from './text-io.js';
import { utcToLocal } from './timezone.js';
import { sessionZone } from './datetime-parse.js';
import { MICROS_PER_DAY, type FormatContext, type Interval, type Value } from './values.js';

export type CoercionContext = 'implicit' | 'assignment' | 'explicit';

// ---------------------------------------------------------------------------
// pg_cast (for the types Strata knows), castcontext i/a/e

const CASTS: Record<string, 'i' | 'a' | 'e'> = {};
for (const entry of (
  'bool>bpchar:a bool>int4:e bool>text:a bool>varchar:a bpchar>bpchar:i bpchar>name:i bpchar>text:i bpchar>varchar:i ' +
  'date>timestamp:i date>timestamptz:i float4>float8:i float4>int2:a float4>int4:a float4>int8:a float4>numeric:a ' +
  'float8>float4:a float8>int2:a float8>int4:a float8>int8:a float8>numeric:a int2>float4:i int2>float8:i int2>int4:i ' +
  'int2>int8:i int2>numeric:i int2>oid:i int2>regclass:i int4>bool:e int4>float4:i int4>float8:i int4>int2:a int4>int8:i ' +
  'int4>numeric:i int4>oid:i int4>regclass:i int8>float4:i int8>float8:i int8>int2:a int8>int4:a int8>numeric:i int8>oid:i ' +
  'int8>regclass:i interval>interval:i interval>time:a json>jsonb:a jsonb>bool:e jsonb>float4:e jsonb>float8:e jsonb>int2:e ' +
  'jsonb>int4:e jsonb>int8:e jsonb>json:a jsonb>numeric:e name>bpchar:a name>text:i name>varchar:a numeric>float4:i ' +
  'numeric>float8:i numeric>int2:a numeric>int4:a numeric>int8:a numeric>numeric:i oid>int4:a oid>int8:a oid>regclass:i ' +
  'regclass>int4:a regclass>int8:a regclass>oid:i text>bpchar:i text>name:i text>regclass:i text>varchar:i time>interval:i ' +
  'time>time:i timestamp>date:a timestamp>time:a timestamp>timestamp:i timestamp>timestamptz:i timestamptz>date:a ' +
  'timestamptz>time:a timestamptz>timestamp:a timestamptz>timestamptz:i varchar>bpchar:i varchar>name:i varchar>regclass:i ' +
  'varchar>text:i varchar>varchar:i ' +
  // the other OID alias types, as pg_cast has them (regclass's are above)
  'int2>regtype:i int4>regtype:i int8>regtype:i oid>regtype:i regtype>oid:i regtype>int4:a regtype>int8:a ' +
  'text>regtype:i varchar>regtype:i int2>regnamespace:i int4>regnamespace:i int8>regnamespace:i oid>regnamespace:i ' +
  'regnamespace>oid:i regnamespace>int4:a regnamespace>int8:a text>regnamespace:i varchar>regnamespace:i'
).split(' ')) {
  const [pair, ctx] = entry.split(':');
  CASTS[pair!] = ctx as 'i' | 'a' | 'e';
}

const STRING_TYPES = new Set<TypeId>(['text', 'varchar', 'bpchar', 'name']);

/** pg_type.typcategory. */
export function typeCategory(t: SqlType): string {
  switch (t.id) {
    case 'bool':
      return 'B';
    case 'int2':
    case 'int4':
    case 'int8':
    case 'float4':
    case 'float8':
    case 'numeric':
    case 'oid':
    case 'regclass':
    case 'regtype':
    case 'regnamespace':
      return 'N';
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
      return 'S';
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return 'D';
    case 'interval':
      return 'T';
    case 'json':
    case 'jsonb':
      return 'U';
    case 'unknown':
      return 'X';
    case 'record':
      return 'P';
    case 'array':
      return 'A';
  }
}

/** pg_type.typispreferred. */
export function isPreferredType(t: SqlType): boolean {
  return t.id === 'bool' || t.id === 'text' || t.id === 'oid' || t.id === 'float8' || t.id === 'timestamptz' || t.id === 'interval';
}

/** Whether a value of `from` may be coerced to `to` in the given context (can_coerce_type). */
export function canCoerce(from: SqlType, to: SqlType, context: CoercionContext): boolean {
  if (from.id === 'unknown') return true;
  if (from.id === to.id && from.id !== 'array') return true;
  if (from.id === 'array' && to.id === 'array') {
    if (!from.elem || !to.elem) return true;
    return canCoerce(from.elem, to.elem, context);
  }
  const c = CASTS[from.id + '>' + to.id];
  if (c) return c === 'i' || (c === 'a' && context !== 'implicit') || context === 'explicit';
  // automatic I/O conversion casts
  if (STRING_TYPES.has(to.id)) return context !== 'implicit';
  if (STRING_TYPES.has(from.id)) return context === 'explicit' && to.id !== 'record';
  return false;
}

/** select_common_type: the type UNION/CASE/COALESCE/VALUES/IN resolve to (42804 when categories differ). */
export function commonSupertype(types: SqlType[], what: string): SqlType {
  if (types.length === 0) return T.text;
  let p = types[0]!;
  for (let i = 1; i < types.length; i++) {
    const n = types[i]!;
    if (n.id === 'unknown' || sameBase(n, p)) continue;
    if (p.id === 'unknown') {
      p = n;
      continue;
    }
    const pc = typeCategory(p);
    const nc = typeCategory(n);
    if (pc !== nc)
      throw new SqlError(SQLSTATE.datatypeMismatch, `${what} types ${formatType(p)} and ${formatType(n)} cannot be matched`);
    if (!isPreferredType(p) && canCoerce(p, n, 'implicit') && !canCoerce(n, p, 'implicit')) p = n;
  }
  if (p.id === 'unknown') return T.text;
  // keep a typmod only when every (non-unknown) input has the same type and typmod
  const typmod = p.typmod;
  if (typmod >= 0) {
    for (const t of types) if (t.id !== 'unknown' && (t.id !== p.id || t.typmod !== typmod)) return withTypmod(p, -1);
  }
  return p;
}

function sameBase(a: SqlType, b: SqlType): boolean {
  if (a.id !== b.id) return false;
  if (a.id === 'array') return !!a.elem && !!b.elem && sameBase(a.elem, b.elem);
  return true;
}

// ---------------------------------------------------------------------------
// castValue

function cannotCast(from: SqlType, to: SqlType): SqlError {
  return new SqlError(SQLSTATE.cannotCoerce, `cannot cast type ${formatType(from)} to ${formatType(to)}`);
}

const INT_LIMITS: Record<'int2' | 'int4' | 'int8', [number, number, string]> = {
  int2: [-32768, 32767, 'smallint out of range'],
  int4: [-2147483648, 2147483647, 'integer out of range'],
  int8: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'bigint out of range'],
};

function checkInt(v: number, to: 'int2' | 'int4' | 'int8'): number {
  const [lo, hi, msg] = INT_LIMITS[to];
  if (!(v >= lo && v <= hi)) throw new SqlError(SQLSTATE.numericValueOutOfRange, msg);
  return v + 0;
}

function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function toFloat4(v: number): number {
  const f = Math.fround(v);
  if (!Number.isFinite(f) && Number.isFinite(v)) throw new SqlError(SQLSTATE.numericValueOutOfRange, 'value out of range: overflow');
  if (f === 0 && v !== 0) throw new SqlError(SQLSTATE.numericValueOutOfRange, 'value out of range: underflow');
  return f;
}

function decimalToInt(d: Decimal, to: 'int2' | 'int4' | 'int8'): number {
  if (d.isNaN()) throw new SqlError(SQLSTATE.featureNotSupported, `cannot convert NaN to ${INT_NAME[to]}`);
  if (d.isInfinite()) throw new SqlError(SQLSTATE.featureNotSupported, `cannot convert infinity to ${INT_NAME[to]}`);
  const b = d.toBigIntRounded();
  const [lo, hi, msg] = INT_LIMITS[to];
  if (b < BigInt(lo) || b > BigInt(hi)) throw new SqlError(SQLSTATE.numericValueOutOfRange, msg);
  return Number(b);
}
const INT_NAME = { int2: 'smallint', int4: 'integer', int8: 'bigint' } as const;

function isIntType(id: TypeId): id is 'int2' | 'int4' | 'int8' {
  return id === 'int2' || id === 'int4' || id === 'int8';
}

/** Apply the target typmod to a value already of the target's base type. */
function applyTypmod(v: Value, to: SqlType, explicit: boolean): Value {
  if (to.typmod < 0 || v === null) return v;
  switch (to.id) {
    case 'numeric':
      return applyNumericTypmod(v as Decimal, to.typmod);
    case 'varchar':
    case 'bpchar':
      return applyCharTypmod(v as string, to, explicit);
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return roundMicros(v as number, to.typmod);
    case 'interval':
      return applyIntervalPrecision(v as Interval, to.typmod & 0xffff);
    default:
      return v;
  }
}

function jsonbScalarKind(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (v instanceof JsonbNumber) return 'numeric';
  if (v instanceof JsonbObject) return 'object';
  return 'array';
}

function fromJsonb(text: string, to: SqlType): Value {
  const j = parseJsonb(text);
  if (to.id === 'bool') {
    if (typeof j === 'boolean') return j;
  } else if (j instanceof JsonbNumber) {
    const d = Decimal.parse(j.text);
    if (to.id === 'numeric') return applyNumericTypmod(d, to.typmod);
    if (to.id === 'float8') return d.toNumber();
    if (to.id === 'float4') return toFloat4(d.toNumber());
    if (isIntType(to.id)) return decimalToInt(d, to.id);
  }
  throw new SqlError(SQLSTATE.invalidParameterValue, `cannot cast jsonb ${jsonbScalarKind(j)} to type ${formatType(withTypmod(to, -1))}`);
}

/**
 * Convert `value` of type `from` to `to` (PostgreSQL cast semantics). `explicit`
 * distinguishes explicit casts (varchar(n) truncates) from assignment (22001).
 */
export function castValue(value: Value, from: SqlType, to: SqlType, ctx: FormatContext, explicit: boolean): Value {
  if (value === null) return null;
  const f = from.id;
  const t = to.id;
  if (f === 'unknown') return parseText(to, value as string, ctx);
  if (t === 'array') {
    if (f === 'array') {
      const fe = from.elem ?? T.unknown;
      const te = to.elem ?? T.unknown;
      return (value as Value[]).map((x) => (Array.isArray(x) && te.id !== 'array' ? castValue(x, from, to, ctx, explicit) : castValue(x, fe, te, ctx, explicit)));
    }
    if (STRING_TYPES.has(f)) return parseText(to, value as string, ctx);
    throw cannotCast(from, to);
  }
  if (f === t) {
    if (f === 'bpchar' && to.typmod < 0) return value;
    return applyTypmod(value, to, explicit);
  }
  // to string types (I/O conversion, with the special bool and bpchar rules)
  if (STRING_TYPES.has(t)) {
    let s: string;
    if (f === 'bool') s = value ? 'true' : 'false';
    else if (f === 'bpchar') s = (value as string).replace(/ +$/, '');
    else if (STRING_TYPES.has(f)) s = value as string;
    else s = formatText(from, value, ctx);
    if (t === 'name') return parseText(T.name, s, ctx);
    return applyCharTypmod(s, to, explicit);
  }
  if (STRING_TYPES.has(f)) {
    const s = f === 'bpchar' ? (value as string).replace(/ +$/, '') : (value as string);
    return parseText(to, s, ctx);
  }
  switch (t) {
    case 'int2':
    case 'int4':
    case 'int8':
      if (isIntType(f) || f === 'oid' || isRegType(f)) {
        let v = value as number;
        if ((f === 'oid' || isRegType(f)) && t !== 'int8' && v > 2147483647) v -= 4294967296;
        return checkInt(v, t);
      }
      if (f === 'float4' || f === 'float8') {
        const v = value as number;
        if (!Number.isFinite(v)) throw new SqlError(SQLSTATE.numericValueOutOfRange, INT_LIMITS[t][2]);
        return checkInt(rint(v), t);
      }
      if (f === 'numeric') return decimalToInt(value as Decimal, t);
      if (f === 'bool' && t === 'int4') return value ? 1 : 0;
      if (f === 'jsonb') return fromJsonb(value as string, to);
      break;
    case 'float4':
    case 'float8': {
      let v: number;
      if (isIntType(f) || f === 'float4' || f === 'float8') v = value as number;
      else if (f === 'numeric') v = (value as Decimal).toNumber();
      else if (f === 'jsonb') return fromJsonb(value as string, to);
      else break;
      return t === 'float4' ? toFloat4(v) : v;
    }
    case 'numeric': {
      let d: Decimal;
      if (isIntType(f)) d = Decimal.fromInt(value as number);
      else if (f === 'float8') d = Decimal.fromNumber(value as number);
      else if (f === 'float4') d = Decimal.fromFloat4(value as number);
      else if (f === 'jsonb') return fromJsonb(value as string, to);
      else break;
      return applyNumericTypmod(d, to.typmod);
    }
    case 'bool':
      if (f === 'int4') return (value as number) !== 0;
      if (f === 'jsonb') return fromJsonb(value as string, to);
      break;
    case 'oid':
    case 'regclass':
    case 'regtype':
    case 'regnamespace':
      if (isIntType(f) || f === 'oid' || isRegType(f)) {
        const v = value as number;
        if (v < -2147483648 || v > 4294967295) throw new SqlError(SQLSTATE.numericValueOutOfRange, `OID out of range`);
        return v < 0 ? v + 4294967296 : v;
      }
      break;
    case 'date':
      if (f === 'timestamp') return Number.isFinite(value as number) ? Math.floor((value as number) / MICROS_PER_DAY) : value;
      if (f === 'timestamptz') return timestamptzToDate(value as number, ctx);
      break;
    case 'timestamp':
      if (f === 'date') return Number.isFinite(value as number) ? (value as number) * MICROS_PER_DAY : value;
      if (f === 'timestamptz') return applyTypmod(timestamptzToTimestamp(value as number, ctx), to, explicit);
      break;
    case 'timestamptz':
      if (f === 'date') return dateToTimestamptz(value as number, ctx);
      if (f === 'timestamp') return applyTypmod(timestampToTimestamptz(value as number, ctx), to, explicit);
      break;
    case 'time': {
      if (f === 'timestamp' || f === 'timestamptz') {
        let v = value as number;
        if (!Number.isFinite(v)) throw new SqlError(SQLSTATE.datetimeFieldOverflow, 'timestamp out of range');
        if (f === 'timestamptz') v = utcToLocal(v, sessionZone(ctx));
        return applyTypmod(v - Math.floor(v / MICROS_PER_DAY) * MICROS_PER_DAY, to, explicit);
      }
      if (f === 'interval') {
        const r = (value as Interval).micros % MICROS_PER_DAY;
        return applyTypmod(r < 0 ? r + MICROS_PER_DAY : r, to, explicit);
      }
      break;
    }
    case 'interval':
      if (f === 'time') return applyTypmod({ months: 0, days: 0, micros: value as number }, to, explicit);
      break;
    case 'json':
      if (f === 'jsonb') return value;
      break;
    case 'jsonb':
      if (f === 'json') return normalizeJsonb(value as string);
      break;
  }
  throw cannotCast(from, to);
}

// ---------------------------------------------------------------------------
// type names

const TYPE_ALIASES: Record<string, TypeId> = {
  bool: 'bool', boolean: 'bool',
  int2: 'int2', smallint: 'int2',
  int4: 'int4', int: 'int4', integer: 'int4',
  int8: 'int8', bigint: 'int8',
  float4: 'float4', real: 'float4',
  float8: 'float8', 'double precision': 'float8', float: 'float8',
  numeric: 'numeric', decimal: 'numeric',
  text: 'text',
  varchar: 'varchar', 'character varying': 'varchar',
  bpchar: 'bpchar', char: 'bpchar', character: 'bpchar',
  name: 'name',
  date: 'date',
  time: 'time', 'time without time zone': 'time',
  timestamp: 'timestamp', 'timestamp without time zone': 'timestamp',
  timestamptz: 'timestamptz', 'timestamp with time zone': 'timestamptz',
  interval: 'interval',
  json: 'json', jsonb: 'jsonb',
  oid: 'oid', regclass: 'regclass', regtype: 'regtype', regnamespace: 'regnamespace',
  record: 'record', unknown: 'unknown',
};

function badTypmod(msg: string): SqlError {
  return new SqlError(SQLSTATE.invalidParameterValue, msg);
}

/**
 * Resolve a type name as written (canonical names from the parser, common
 * aliases accepted) with its modifiers. `bpchar` without a length is
 * character(1), as `char` is in PostgreSQL (pass context 'cast' with the
 * literal name bpchar to get the unbounded type instead).
 */
export function parseTypeName(name: string, modifiers: number[] = [], arrayDims = 0, context: 'column' | 'cast' = 'column'): SqlType {
  const key = name.toLowerCase().replace(/\s+/g, ' ').trim();
  if ((key === 'int2vector' || key === 'oidvector') && arrayDims === 0) return key === 'int2vector' ? INT2VECTOR : OIDVECTOR;
  const id = TYPE_ALIASES[key];
  if (!id) throw new SqlError(SQLSTATE.undefinedObject, `type "${name}" does not exist`);
  let t: SqlType = T[id as Exclude<TypeId, 'array'>];
  const mods = modifiers;
  switch (id) {
    case 'numeric':
      if (mods.length > 0) {
        if (mods.length > 2) throw badTypmod('invalid NUMERIC type modifier');
        const p = mods[0]!;
        const s = mods[1] ?? 0;
        if (p < 1 || p > 1000) throw badTypmod(`NUMERIC precision ${p} must be between 1 and 1000`);
        if (s < -1000 || s > 1000) throw badTypmod(`NUMERIC scale ${s} must be between -1000 and 1000`);
        t = withTypmod(t, (p << 16) | (s & 0x7ff));
      }
      break;
    case 'varchar':
    case 'bpchar': {
      const label = id === 'varchar' ? 'varchar' : 'char';
      if (mods.length > 1) throw badTypmod(`invalid type modifier`);
      if (mods.length === 1) {
        const n = mods[0]!;
        if (n < 1) throw badTypmod(`length for type ${label} must be at least 1`);
        if (n > 10485760) throw badTypmod(`length for type ${label} cannot exceed 10485760`);
        t = withTypmod(t, n);
      } else if (id === 'bpchar' && !(context === 'cast' && key === 'bpchar')) t = withTypmod(t, 1);
      break;
    }
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'interval':
      if (mods.length > 0) {
        if (mods.length > 1) throw badTypmod('invalid type modifier');
        const p = mods[0]!;
        const label = id === 'interval' ? 'INTERVAL' : id === 'time' ? 'TIME' : id === 'timestamp' ? 'TIMESTAMP' : 'TIMESTAMP';
        if (p < 0) throw badTypmod(`${label}(${p})${id === 'timestamptz' ? ' WITH TIME ZONE' : ''} precision must not be negative`);
        t = withTypmod(t, Math.min(p, 6));
      }
      break;
    default:
      if (mods.length > 0) throw new SqlError(SQLSTATE.syntaxError, `type modifier is not allowed for type "${name}"`);
  }
  for (let i = 0; i < Math.min(arrayDims, 1); i++) t = arrayOf(t);
  return t;
}
