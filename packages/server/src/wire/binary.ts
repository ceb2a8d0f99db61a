/**
 * PostgreSQL binary formats (the `send`/`recv` functions) of the common types,
 * for Bind parameters, result columns and COPY … (FORMAT binary).
 *
 * Decoding produces what the engine's parameter conversion accepts: text in
 * the type's input syntax (exact for int8, numeric and µs timestamps), or an
 * array of such texts for arrays.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { T, TYPE_OIDS, ARRAY_TYPE_OIDS, arrayOf, typeOid } from '../../../storage/src/types/sql-type.js';
import type { FormatContext, Interval, Value } from '../../../storage/src/types/values.js';
import { DEFAULT_FORMAT_CONTEXT, PG_EPOCH_DAYS, PG_EPOCH_MICROS } from '../../../storage/src/types/values.js';
import { formatText } from '../../../storage/src/types/text-io.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';

const ISO_UTC: FormatContext = DEFAULT_FORMAT_CONTEXT;
const INT64_MAX = 0x7fffffffffffffffn;
const INT64_MIN = -0x8000000000000000n;

const byOid = new Map<number, SqlType>();
for (const [id, oid] of Object.entries(TYPE_OIDS)) byOid.set(oid, (T as Record<string, SqlType>)[id]!);
for (const [id, oid] of Object.entries(ARRAY_TYPE_OIDS)) if (oid) byOid.set(oid, arrayOf((T as Record<string, SqlType>)[id]!));

/** The SQL type of a type OID a client names (Parse parameter types); undefined for 0 or unknown OIDs. */
export function typeFromOid(oid: number): SqlType | undefined {
  if (oid === 0) return undefined;
  return byOid.get(oid);
}

function unsupported(type: SqlType, dir: 'input' | 'output'): SqlError {
  return new SqlError(SQLSTATE.featureNotSupported, `binary ${dir} of type ${type.id === 'array' ? `${type.elem?.id}[]` : type.id} is not supported`);
}

// ---------------------------------------------------------------------------
// numeric

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;

export function numericTextToBinary(s: string): Buffer {
  const special = s === 'NaN' ? NUMERIC_NAN : s === 'Infinity' ? NUMERIC_PINF : s === '-Infinity' ? NUMERIC_NINF : -1;
  if (special >= 0) {
    const b = Buffer.alloc(8);
    b.writeUInt16BE(special, 4);
    return b;
  }
  let neg = false;
  if (s[0] === '-') {
    neg = true;
    s = s.slice(1);
  }
  const dot = s.indexOf('.');
  let intPart = dot < 0 ? s : s.slice(0, dot);
  let frac = dot < 0 ? '' : s.slice(dot + 1);
  const dscale = frac.length;
  intPart = intPart.replace(/^0+/, '');
  if (intPart.length % 4) intPart = '0'.repeat(4 - (intPart.length % 4)) + intPart;
  if (frac.length % 4) frac += '0'.repeat(4 - (frac.length % 4));
  const all = intPart + frac;
  const digits: number[] = [];
  for (let i = 0; i < all.length; i += 4) digits.push(Number(all.slice(i, i + 4)));
  let weight = intPart.length / 4 - 1;
  while (digits.length && digits[0] === 0) {
    digits.shift();
    weight--;
  }
  while (digits.length && digits[digits.length - 1] === 0) digits.pop();
  if (digits.length === 0) weight = 0;
  const b = Buffer.alloc(8 + 2 * digits.length);
  b.writeInt16BE(digits.length, 0);
  b.writeInt16BE(weight, 2);
  b.writeUInt16BE(neg && digits.length ? NUMERIC_NEG : NUMERIC_POS, 4);
  b.writeInt16BE(dscale, 6);
  digits.forEach((d, i) => b.writeInt16BE(d, 8 + 2 * i));
  return b;
}

export function numericBinaryToText(b: Buffer): string {
  if (b.length < 8) throw new SqlError('22P03', 'invalid numeric binary value');
  const n = b.readInt16BE(0);
  const weight = b.readInt16BE(2);
  const sign = b.readUInt16BE(4);
  const dscale = b.readInt16BE(6);
  if (sign === NUMERIC_NAN) return 'NaN';
  if (sign === NUMERIC_PINF) return 'Infinity';
  if (sign === NUMERIC_NINF) return '-Infinity';
  if (b.length < 8 + 2 * n) throw new SqlError('22P03', 'insufficient data left in message');
  const d = (i: number) => (i >= 0 && i < n ? b.readInt16BE(8 + 2 * i) : 0);
  let int = '';
  if (weight < 0) int = '0';
  else for (let i = 0; i <= weight; i++) int += i === 0 ? String(d(i)) : String(d(i)).padStart(4, '0');
  let frac = '';
  for (let i = weight + 1; frac.length < dscale; i++) frac += String(d(i)).padStart(4, '0');
  frac = frac.slice(0, dscale);
  const out = frac ? `${int}.${frac}` : int;
  return sign === NUMERIC_NEG ? `-${out}` : out;
}

// ---------------------------------------------------------------------------
// encode (result columns, COPY TO binary)

function int64(us: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  if (us === Infinity) b.writeBigInt64BE(INT64_MAX);
  else if (us === -Infinity) b.writeBigInt64BE(INT64_MIN);
  else b.writeBigInt64BE(BigInt(Math.round(us)));
  return b;
}

/** The binary representation of a non-NULL value. */
export function encodeBinary(type: SqlType, v: Value, ctx: FormatContext): Buffer {
  switch (type.id) {
    case 'bool':
      return Buffer.from([v ? 1 : 0]);
    case 'int2': {
      const b = Buffer.allocUnsafe(2);
      b.writeInt16BE(v as number);
      return b;
    }
    case 'int4': {
      const b = Buffer.allocUnsafe(4);
      b.writeInt32BE(v as number);
      return b;
    }
    case 'oid':
    case 'regclass': {
      const b = Buffer.allocUnsafe(4);
      b.writeUInt32BE((v as number) >>> 0);
      return b;
    }
    case 'int8':
      return int64(v as number);
    case 'float4': {
      const b = Buffer.allocUnsafe(4);
      b.writeFloatBE(v as number);
      return b;
    }
    case 'float8': {
      const b = Buffer.allocUnsafe(8);
      b.writeDoubleBE(v as number);
      return b;
    }
    case 'numeric':
      return numericTextToBinary(formatText(type, v, ctx));
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'unknown':
    case 'json':
      return Buffer.from(v as string, 'utf8');
    case 'jsonb':
      return Buffer.concat([Buffer.from([1]), Buffer.from(v as string, 'utf8')]);
    case 'timestamp':
    case 'timestamptz': {
      const us = v as number;
      return int64(Number.isFinite(us) ? us - PG_EPOCH_MICROS : us);
    }
    case 'time':
      return int64(v as number);
    case 'date': {
      const b = Buffer.allocUnsafe(4);
      const d = v as number;
      b.writeInt32BE(d === Infinity ? 0x7fffffff : d === -Infinity ? -0x80000000 : d - PG_EPOCH_DAYS);
      return b;
    }
    case 'interval': {
      const iv = v as Interval;
      const b = Buffer.allocUnsafe(16);
      b.writeBigInt64BE(BigInt(Math.round(iv.micros)), 0);
      b.writeInt32BE(iv.days, 8);
      b.writeInt32BE(iv.months, 12);
      return b;
    }
    case 'array': {
      const elem = type.elem;
      if (!elem || elem.id === 'array' || elem.id === 'record') throw unsupported(type, 'output');
      const items = v as Value[];
      const parts: Buffer[] = [];
      const head = Buffer.alloc(20);
      head.writeInt32BE(items.length ? 1 : 0, 0);
      head.writeInt32BE(items.some((x) => x === null) ? 1 : 0, 4);
      head.writeInt32BE(typeOid(elem), 8);
      head.writeInt32BE(items.length, 12);
      // int2vector / oidvector are arrays with lower bound 0 (int2vectorsend is array_send)
      head.writeInt32BE(type.vector ? 0 : 1, 16);
      parts.push(items.length ? head : head.subarray(0, 12));
      for (const x of items) {
        const len = Buffer.allocUnsafe(4);
        if (x === null) {
          len.writeInt32BE(-1);
          parts.push(len);
        } else {
          const e = encodeBinary(elem, x, ctx);
          len.writeInt32BE(e.length);
          parts.push(len, e);
        }
      }
      return Buffer.concat(parts);
    }
    default:
      throw unsupported(type, 'output');
  }
}

// ---------------------------------------------------------------------------
// decode (Bind parameters, COPY FROM binary)

function badLength(type: SqlType): SqlError {
  return new SqlError('22P03', `incorrect binary data format in bind parameter of type ${type.id}`);
}

function int64ToMicros(b: Buffer): number {
  const x = b.readBigInt64BE(0);
  if (x === INT64_MAX) return Infinity;
  if (x === INT64_MIN) return -Infinity;
  return Number(x);
}

/** Binary parameter → text in the type's input syntax (or an array of texts). */
export function decodeBinary(type: SqlType, b: Buffer): string | (string | null)[] {
  const need = (n: number) => {
    if (b.length !== n) throw badLength(type);
  };
  switch (type.id) {
    case 'bool':
      need(1);
      return b[0] ? 't' : 'f';
    case 'int2':
      need(2);
      return String(b.readInt16BE(0));
    case 'int4':
      need(4);
      return String(b.readInt32BE(0));
    case 'oid':
    case 'regclass':
      need(4);
      return String(b.readUInt32BE(0));
    case 'int8':
      need(8);
      return b.readBigInt64BE(0).toString();
    case 'float4':
      need(4);
      return floatText(b.readFloatBE(0));
    case 'float8':
      need(8);
      return floatText(b.readDoubleBE(0));
    case 'numeric':
      return numericBinaryToText(b);
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'unknown':
    case 'json':
      return b.toString('utf8');
    case 'jsonb':
      if (b.length < 1 || b[0] !== 1) throw new SqlError('22P03', 'unsupported jsonb version number');
      return b.subarray(1).toString('utf8');
    case 'timestamp':
    case 'timestamptz': {
      need(8);
      const us = int64ToMicros(b);
      return formatText(type.id === 'timestamp' ? T.timestamp : T.timestamptz, Number.isFinite(us) ? us + PG_EPOCH_MICROS : us, ISO_UTC);
    }
    case 'time':
      need(8);
      return formatText(T.time, int64ToMicros(b), ISO_UTC);
    case 'date': {
      need(4);
      const d = b.readInt32BE(0);
      return formatText(T.date, d === 0x7fffffff ? Infinity : d === -0x80000000 ? -Infinity : d + PG_EPOCH_DAYS, ISO_UTC);
    }
    case 'interval': {
      need(16);
      const iv: Interval = { micros: Number(b.readBigInt64BE(0)), days: b.readInt32BE(8), months: b.readInt32BE(12) };
      return formatText(T.interval, iv, ISO_UTC);
    }
    case 'array': {
      const elem = type.elem;
      if (!elem || b.length < 12) throw badLength(type);
      const ndim = b.readInt32BE(0);
      if (ndim === 0) return [];
      if (ndim !== 1) throw new SqlError(SQLSTATE.featureNotSupported, 'binary input of multi-dimensional arrays is not supported');
      const n = b.readInt32BE(12);
      let pos = 20;
      const out: (string | null)[] = [];
      for (let i = 0; i < n; i++) {
        if (pos + 4 > b.length) throw badLength(type);
        const len = b.readInt32BE(pos);
        pos += 4;
        if (len < 0) out.push(null);
        else {
          if (pos + len > b.length) throw badLength(type);
          const v = decodeBinary(elem, b.subarray(pos, pos + len));
          out.push(typeof v === 'string' ? v : null);
          pos += len;
        }
      }
      return out;
    }
    default:
      throw unsupported(type, 'input');
  }
}

function floatText(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return Object.is(x, -0) ? '-0' : String(x);
}
