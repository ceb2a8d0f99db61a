/**
 * Exact binary codec for single Values (values.ts): a tag byte, then the
 * payload. Used for str/obj columns in table deltas and checkpoint images and
 * for fills in image metadata, so it must reproduce every value bit for bit:
 * -0, NaN and ±Infinity as doubles, a numeric's display scale, NaN/±Infinity
 * numerics, interval fields, nested arrays with NULL elements.
 */
import { Decimal } from '../types/numeric.js';
import type { Interval, Value } from '../types/values.js';
import { ByteReader, ByteWriter } from './bytes.js';

const enum Tag {
  Null = 0,
  False = 1,
  True = 2,
  /** A number that is an int32 (and not -0). */
  Int32 = 3,
  Float64 = 4,
  String = 5,
  /** Finite numeric: varuint scale, sign byte, varuint hex-digit count, hex digits of |coef|. */
  Decimal = 6,
  DecimalNaN = 7,
  DecimalPosInf = 8,
  DecimalNegInf = 9,
  /** Interval with int32 months and days: i32, i32, f64 micros. */
  IntervalSmall = 10,
  Interval = 11,
  Array = 12,
}

export function writeValue(w: ByteWriter, v: Value): void {
  if (v === null || v === undefined) {
    w.u8(Tag.Null);
  } else if (typeof v === 'number') {
    if ((v | 0) === v && !Object.is(v, -0)) {
      w.u8(Tag.Int32);
      w.i32(v);
    } else {
      w.u8(Tag.Float64);
      w.f64(v);
    }
  } else if (typeof v === 'string') {
    w.u8(Tag.String);
    w.string(v);
  } else if (typeof v === 'boolean') {
    w.u8(v ? Tag.True : Tag.False);
  } else if (Array.isArray(v)) {
    w.u8(Tag.Array);
    w.varuint(v.length);
    for (const e of v) writeValue(w, e);
  } else if (v instanceof Decimal) {
    writeDecimal(w, v);
  } else if (typeof v === 'object' && 'months' in v) {
    const iv = v as Interval;
    if ((iv.months | 0) === iv.months && (iv.days | 0) === iv.days && !Object.is(iv.months, -0) && !Object.is(iv.days, -0)) {
      w.u8(Tag.IntervalSmall);
      w.i32(iv.months);
      w.i32(iv.days);
    } else {
      w.u8(Tag.Interval);
      w.f64(iv.months);
      w.f64(iv.days);
    }
    w.f64(iv.micros);
  } else {
    throw new Error(`value codec: unsupported value ${String(v)}`);
  }
}

function writeDecimal(w: ByteWriter, d: Decimal): void {
  if (d.isNaN()) return w.u8(Tag.DecimalNaN);
  if (!d.isFinite()) return w.u8(d.sign() > 0 ? Tag.DecimalPosInf : Tag.DecimalNegInf);
  w.u8(Tag.Decimal);
  w.varuint(d.scale);
  const neg = d.coef < 0n;
  w.u8(neg ? 1 : 0);
  const hex = (neg ? -d.coef : d.coef).toString(16);
  w.varuint(hex.length);
  w.ensure(hex.length);
  for (let i = 0; i < hex.length; i++) w.buf[w.pos++] = hex.charCodeAt(i);
}

export function readValue(r: ByteReader): Value {
  const tag = r.u8();
  switch (tag) {
    case Tag.Null: return null;
    case Tag.False: return false;
    case Tag.True: return true;
    case Tag.Int32: return r.i32();
    case Tag.Float64: return r.f64();
    case Tag.String: return r.string();
    case Tag.Decimal: {
      const scale = r.varuint();
      const neg = r.u8() === 1;
      const digits = r.bytes(r.varuint());
      let hex = '';
      for (let i = 0; i < digits.length; i++) {
        const c = digits[i]!;
        if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) throw r.corrupt('bad numeric digits');
        hex += String.fromCharCode(c);
      }
      if (hex.length === 0) throw r.corrupt('empty numeric');
      const mag = BigInt(`0x${hex}`);
      return Decimal.of(neg ? -mag : mag, scale);
    }
    case Tag.DecimalNaN: return Decimal.NaN;
    case Tag.DecimalPosInf: return Decimal.Infinity;
    case Tag.DecimalNegInf: return Decimal.NegativeInfinity;
    case Tag.IntervalSmall: {
      const months = r.i32();
      const days = r.i32();
      return { months, days, micros: r.f64() };
    }
    case Tag.Interval: {
      const months = r.f64();
      const days = r.f64();
      return { months, days, micros: r.f64() };
    }
    case Tag.Array: {
      const n = r.varuint();
      if (n > r.buf.length - r.pos) throw r.corrupt('array longer than its record');
      const out = new Array<Value>(n);
      for (let i = 0; i < n; i++) out[i] = readValue(r);
      return out;
    }
    default:
      throw r.corrupt(`unknown value tag ${tag}`);
  }
}

/** One value as bytes (fills in metadata, tests). */
export function encodeValue(v: Value): Uint8Array {
  const w = new ByteWriter(32);
  writeValue(w, v);
  return w.finish();
}

export function decodeValue(b: Uint8Array, what = 'value'): Value {
  const r = new ByteReader(b, what);
  const v = readValue(r);
  if (r.pos !== b.length) throw r.corrupt('trailing bytes');
  return v;
}
