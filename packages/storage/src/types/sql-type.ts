/**
 * SQL types known to Strata. `id` names the base type the way PostgreSQL's
 * `pg_type.typname` does; `oid` is PostgreSQL's real OID so that clients
 * (node-postgres, psql, JDBC) decode values without a translation table.
 */
export type TypeId =
  | 'bool'
  | 'int2'
  | 'int4'
  | 'int8'
  | 'float4'
  | 'float8'
  | 'numeric'
  | 'text'
  | 'varchar'
  | 'bpchar'
  | 'name'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'timestamptz'
  | 'interval'
  | 'json'
  | 'jsonb'
  | 'oid'
  | 'regclass'
  | 'regtype'
  | 'regnamespace'
  | 'unknown'
  | 'record'
  | 'array';

export interface SqlType {
  readonly id: TypeId;
  /**
   * Type modifier as PostgreSQL's atttypmod understands it, or -1 when absent:
   * varchar(n)/bpchar(n) → n (characters), numeric(p,s) → packed (p << 16) | s,
   * timestamp(p)/interval(p) → p.
   */
  readonly typmod: number;
  /** Element type, only for id === 'array'. */
  readonly elem?: SqlType;
  /**
   * Only for id === 'array': PostgreSQL's int2vector / oidvector (pg_index.indkey, pg_proc.proargtypes),
   * one-dimensional arrays with their own OIDs that print space-separated and subscript from 0.
   */
  readonly vector?: 'int2vector' | 'oidvector';
  /** Only for id === 'record': the fields of a composite value, when the binder knows them (else an anonymous record). */
  readonly fields?: readonly RecordField[];
}

/** One field of a composite value: `(expr).name` selects it. */
export interface RecordField {
  readonly name: string;
  readonly type: SqlType;
}

export const TYPE_OIDS: Readonly<Record<Exclude<TypeId, 'array'>, number>> = {
  bool: 16,
  int2: 21,
  int4: 23,
  int8: 20,
  float4: 700,
  float8: 701,
  numeric: 1700,
  text: 25,
  varchar: 1043,
  bpchar: 1042,
  name: 19,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  json: 114,
  jsonb: 3802,
  oid: 26,
  regclass: 2205,
  regtype: 2206,
  regnamespace: 4089,
  unknown: 705,
  record: 2249,
};

/** OIDs of the array types of each element type (pg_type.typarray). */
export const ARRAY_TYPE_OIDS: Readonly<Partial<Record<TypeId, number>>> = {
  bool: 1000,
  int2: 1005,
  int4: 1007,
  int8: 1016,
  float4: 1021,
  float8: 1022,
  numeric: 1231,
  text: 1009,
  varchar: 1015,
  bpchar: 1014,
  name: 1003,
  date: 1182,
  time: 1183,
  timestamp: 1115,
  timestamptz: 1185,
  interval: 1187,
  json: 199,
  jsonb: 3807,
  oid: 1028,
  regclass: 2210,
  regtype: 2211,
  regnamespace: 4090,
};

const simpleTypes = new Map<TypeId, SqlType>();
function simple(id: Exclude<TypeId, 'array'>): SqlType {
  let t = simpleTypes.get(id);
  if (!t) {
    t = Object.freeze({ id, typmod: -1 });
    simpleTypes.set(id, t);
  }
  return t;
}

export const T = {
  bool: simple('bool'),
  int2: simple('int2'),
  int4: simple('int4'),
  int8: simple('int8'),
  float4: simple('float4'),
  float8: simple('float8'),
  numeric: simple('numeric'),
  text: simple('text'),
  varchar: simple('varchar'),
  bpchar: simple('bpchar'),
  name: simple('name'),
  date: simple('date'),
  time: simple('time'),
  timestamp: simple('timestamp'),
  timestamptz: simple('timestamptz'),
  interval: simple('interval'),
  json: simple('json'),
  jsonb: simple('jsonb'),
  oid: simple('oid'),
  regclass: simple('regclass'),
  regtype: simple('regtype'),
  regnamespace: simple('regnamespace'),
  unknown: simple('unknown'),
  record: simple('record'),
} as const;

export function withTypmod(t: SqlType, typmod: number): SqlType {
  if (typmod === t.typmod) return t;
  return Object.freeze({ ...t, typmod });
}

export function arrayOf(elem: SqlType): SqlType {
  return Object.freeze({ id: 'array', typmod: -1, elem });
}

const VECTOR_TYPE_OIDS = { int2vector: 22, oidvector: 30 } as const;

/** int2vector / oidvector: arrays of int2 / oid with PostgreSQL's vector types' OIDs, output and 0-based subscripts. */
export const INT2VECTOR: SqlType = Object.freeze({ id: 'array', typmod: -1, elem: T.int2, vector: 'int2vector' });
export const OIDVECTOR: SqlType = Object.freeze({ id: 'array', typmod: -1, elem: T.oid, vector: 'oidvector' });

/** A composite type with named fields (PostgreSQL's RECORD with a row descriptor). */
export function recordOf(fields: readonly RecordField[]): SqlType {
  return Object.freeze({ id: 'record', typmod: -1, fields: Object.freeze(fields.map((f) => Object.freeze({ ...f }))) });
}

export function typeOid(t: SqlType): number {
  if (t.vector) return VECTOR_TYPE_OIDS[t.vector];
  if (t.id === 'array') return (t.elem && ARRAY_TYPE_OIDS[t.elem.id]) ?? 2277;
  return TYPE_OIDS[t.id];
}

/** The OID alias types (regclass, regtype, regnamespace): OIDs at run time, names in text. */
export function isRegType(id: TypeId): id is 'regclass' | 'regtype' | 'regnamespace' {
  return id === 'regclass' || id === 'regtype' || id === 'regnamespace';
}

/** How a value of this type is held at run time; see values.ts. */
export type PhysicalKind = 'number' | 'bool' | 'string' | 'object';

export function physicalKind(t: SqlType): PhysicalKind {
  switch (t.id) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'float4':
    case 'float8':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'oid':
    case 'regclass':
    case 'regtype':
    case 'regnamespace':
      return 'number';
    case 'bool':
      return 'bool';
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'unknown':
    case 'json':
    case 'jsonb':
      return 'string';
    default:
      return 'object';
  }
}

export function isNumericCategory(t: SqlType): boolean {
  return ['int2', 'int4', 'int8', 'float4', 'float8', 'numeric'].includes(t.id);
}

export function isStringCategory(t: SqlType): boolean {
  return ['text', 'varchar', 'bpchar', 'name', 'unknown'].includes(t.id);
}

export function isDateTimeCategory(t: SqlType): boolean {
  return ['date', 'time', 'timestamp', 'timestamptz'].includes(t.id);
}

export function sameType(a: SqlType, b: SqlType): boolean {
  if (a.id !== b.id) return false;
  if (a.id === 'array') return !!a.elem && !!b.elem && sameType(a.elem, b.elem);
  return true;
}

/** PostgreSQL's format_type() spelling, e.g. `character varying(10)`, `timestamp with time zone`. */
export function formatType(t: SqlType): string {
  const m = t.typmod;
  switch (t.id) {
    case 'bool': return 'boolean';
    case 'int2': return 'smallint';
    case 'int4': return 'integer';
    case 'int8': return 'bigint';
    case 'float4': return 'real';
    case 'float8': return 'double precision';
    case 'numeric':
      return m >= 0 ? `numeric(${(m >> 16) & 0xffff},${m & 0xffff})` : 'numeric';
    case 'varchar': return m >= 0 ? `character varying(${m})` : 'character varying';
    case 'bpchar': return m >= 0 ? `character(${m})` : 'character';
    case 'timestamp': return m >= 0 ? `timestamp(${m}) without time zone` : 'timestamp without time zone';
    case 'timestamptz': return m >= 0 ? `timestamp(${m}) with time zone` : 'timestamp with time zone';
    case 'time': return m >= 0 ? `time(${m}) without time zone` : 'time without time zone';
    case 'array': return t.vector ?? `${t.elem ? formatType(t.elem) : 'anyelement'}[]`;
    default: return t.id;
  }
}
