/**
 * Text encodings for values that have no native Arrow layout here (numeric,
 * interval, arrays, records). Sealed batches store them as Utf8 and scans decode
 * them back; the table is pluggable so that the numeric module (written in
 * parallel) can be wired in without touching storage code.
 *
 * A type without a registered codec is kept as plain JS values inside the
 * sealed batch (see sealed-batch.ts): lossless and scan-cheap, but not part of
 * the Arrow RecordBatch, so an IPC checkpoint cannot persist it until a codec exists.
 */
import type { SqlType, TypeId } from '../types/sql-type.js';
import type { Interval, Value } from '../types/values.js';
import { Decimal } from '../types/numeric.js';

export interface ValueCodec {
  encode(v: Value): string;
  decode(s: string): Value;
}

const codecs = new Map<TypeId, ValueCodec>();

export function registerCodec(type: TypeId, codec: ValueCodec): void {
  codecs.set(type, codec);
}

/** Interval as "months,days,micros": exact, and independent of IntervalStyle. */
const intervalCodec: ValueCodec = {
  encode(v) {
    const iv = v as Interval;
    return `${iv.months},${iv.days},${iv.micros}`;
  },
  decode(s) {
    const a = s.indexOf(',');
    const b = s.indexOf(',', a + 1);
    return { months: Number(s.slice(0, a)), days: Number(s.slice(a + 1, b)), micros: Number(s.slice(b + 1)) };
  },
};
registerCodec('interval', intervalCodec);

/** numeric's text form keeps its display scale (1.50 stays 1.50), as PostgreSQL stores it. */
registerCodec('numeric', {
  encode: (v) => (v as Decimal).toString(),
  decode: (s) => Decimal.parse(s),
});

/**
 * Codec for a type, or null when values must stay JS objects. Arrays/records
 * use JSON with tagged elements, which works only when every element type has
 * a codec (or is JSON-native).
 */
export function codecFor(type: SqlType): ValueCodec | null {
  if (type.id === 'array' || type.id === 'record') {
    const elem = type.elem;
    if (type.id === 'array' && elem && elem.id !== 'array' && elem.id !== 'record' && !codecs.has(elem.id) && jsonNative(elem.id)) {
      return jsonCodec;
    }
    if (type.id === 'array' && elem && codecs.has(elem.id)) return elemJsonCodec(codecs.get(elem.id)!);
    return null;
  }
  return codecs.get(type.id) ?? null;
}

function jsonNative(id: TypeId): boolean {
  switch (id) {
    case 'numeric':
    case 'interval':
    case 'record':
    case 'array':
      return false;
    default:
      return true;
  }
}

/** JSON cannot carry NaN/±Infinity; those are tagged as strings prefixed with \u0001. */
const jsonCodec: ValueCodec = {
  encode(v) {
    return JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? `\u0001${x}` : x));
  },
  decode(s) {
    return JSON.parse(s, (_k, x) => (typeof x === 'string' && x.charCodeAt(0) === 1 ? Number(x.slice(1)) : x)) as Value;
  },
};

function elemJsonCodec(elem: ValueCodec): ValueCodec {
  return {
    encode(v) {
      return JSON.stringify((v as Value[]).map((e) => (e === null ? null : elem.encode(e))));
    },
    decode(s) {
      return (JSON.parse(s) as (string | null)[]).map((e) => (e === null ? null : elem.decode(e)));
    },
  };
}
