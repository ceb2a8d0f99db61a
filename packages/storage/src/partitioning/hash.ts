/**
 * PostgreSQL's own 32-bit hash functions, bit for bit, so that a space
 * (closed) dimension puts a row in the same slice TimescaleDB would.
 *
 * Sources:
 *  - src/common/hashfn.c: hash_bytes (Bob Jenkins' lookup3, the 2006 version
 *    PostgreSQL calls hash_any) and hash_bytes_uint32 (hash_uint32).
 *  - src/backend/access/hash/hashfunc.c: hashchar (also bool), hashint2/4/8,
 *    hashfloat4/8, hashtext, hashname.
 *  - src/backend/utils/adt/{varchar.c hashbpchar, date.c time_hash,
 *    timestamp.c timestamp_hash, uuid.c uuid_hash, numeric.c hash_numeric}.
 *  - timescaledb src/partitioning.c ts_get_partition_hash: the type's hash
 *    proc, then `& 0x7fffffff`.
 *
 * Every function returns the signed int32 PostgreSQL prints (`SELECT
 * hashtext('x')`). Values are Strata's run-time representation (types/values.ts):
 * timestamps are Unix µs, dates Unix days; they are moved to PostgreSQL's
 * 2000-01-01 epoch before hashing because that is the integer PostgreSQL hashes.
 *
 * hash_bytes has aligned and unaligned code paths; on a little-endian machine
 * both read each 4-byte group as a little-endian word and add the 1..11-byte
 * tail the same way, so one implementation over bytes covers both.
 */
import type { Decimal } from '../types/numeric.js';
import type { TypeId } from '../types/sql-type.js';
import { PG_EPOCH_DAYS, PG_EPOCH_MICROS, type Value } from '../types/values.js';

const GOLDEN = 0x9e3779b9;
const SEED = 3923095;
const TWO32 = 4294967296;

/** hash_bytes over `bytes[0..len)`, as uint32 mixing, returned as int32. */
export function hashBytes(k: Uint8Array, len: number = k.length): number {
  let a = (GOLDEN + len + SEED) | 0;
  let b = a;
  let c = a;
  let o = 0;
  let n = len;
  while (n >= 12) {
    a = (a + (k[o]! | (k[o + 1]! << 8) | (k[o + 2]! << 16) | (k[o + 3]! << 24))) | 0;
    b = (b + (k[o + 4]! | (k[o + 5]! << 8) | (k[o + 6]! << 16) | (k[o + 7]! << 24))) | 0;
    c = (c + (k[o + 8]! | (k[o + 9]! << 8) | (k[o + 10]! << 16) | (k[o + 11]! << 24))) | 0;
    // mix(a, b, c)
    a = (a - c) | 0; a ^= (c << 4) | (c >>> 28); c = (c + b) | 0;
    b = (b - a) | 0; b ^= (a << 6) | (a >>> 26); a = (a + c) | 0;
    c = (c - b) | 0; c ^= (b << 8) | (b >>> 24); b = (b + a) | 0;
    a = (a - c) | 0; a ^= (c << 16) | (c >>> 16); c = (c + b) | 0;
    b = (b - a) | 0; b ^= (a << 19) | (a >>> 13); a = (a + c) | 0;
    c = (c - b) | 0; c ^= (b << 4) | (b >>> 28); b = (b + a) | 0;
    o += 12;
    n -= 12;
  }
  // little-endian tail, the switch-with-fallthrough of hashfn.c; the lowest byte of c
  // stays free (it already holds the length)
  if (n >= 9) {
    if (n >= 11) c = (c + (k[o + 10]! << 24)) | 0;
    if (n >= 10) c = (c + (k[o + 9]! << 16)) | 0;
    c = (c + (k[o + 8]! << 8)) | 0;
  }
  if (n >= 5) {
    if (n >= 8) b = (b + (k[o + 7]! << 24)) | 0;
    if (n >= 7) b = (b + (k[o + 6]! << 16)) | 0;
    if (n >= 6) b = (b + (k[o + 5]! << 8)) | 0;
    b = (b + k[o + 4]!) | 0;
  }
  if (n >= 1) {
    if (n >= 4) a = (a + (k[o + 3]! << 24)) | 0;
    if (n >= 3) a = (a + (k[o + 2]! << 16)) | 0;
    if (n >= 2) a = (a + (k[o + 1]! << 8)) | 0;
    a = (a + k[o]!) | 0;
  }
  return finalMix(a, b, c);
}

function finalMix(a: number, b: number, c: number): number {
  c ^= b; c = (c - ((b << 14) | (b >>> 18))) | 0;
  a ^= c; a = (a - ((c << 11) | (c >>> 21))) | 0;
  b ^= a; b = (b - ((a << 25) | (a >>> 7))) | 0;
  c ^= b; c = (c - ((b << 16) | (b >>> 16))) | 0;
  a ^= c; a = (a - ((c << 4) | (c >>> 28))) | 0;
  b ^= a; b = (b - ((a << 14) | (a >>> 18))) | 0;
  c ^= b; c = (c - ((b << 24) | (b >>> 8))) | 0;
  return c;
}

const INIT4 = (GOLDEN + 4 + SEED) | 0;
const INIT8 = (GOLDEN + 8 + SEED) | 0;

/** hash_uint32(k): hash_bytes of the 4-byte word without storing it. */
export function hashUint32(k: number): number {
  return finalMix((INIT4 + k) | 0, INIT4, INIT4);
}

/** hash_bytes of an 8-byte key given as two little-endian words (float8 bits, etc.). */
function hash8(lo: number, hi: number): number {
  return finalMix((INIT8 + lo) | 0, (INIT8 + hi) | 0, INIT8);
}

export function hashint4(x: number): number {
  return hashUint32(x | 0);
}

export function hashint2(x: number): number {
  return hashUint32(x | 0);
}

/** hashint8 from the two 32-bit halves of the int64 (hi carries the sign). */
export function hashInt8Halves(lo: number, hi: number): number {
  // hashfunc.c: fold the high half in so int2/int4/int8 hash alike for equal values
  return hashUint32(hi >= 0 ? lo ^ hi : lo ^ ~hi);
}

/** hashint8 of an integral double (exact within ±2^53). */
export function hashint8(x: number): number {
  const hi = Math.floor(x / TWO32);
  const lo = x - hi * TWO32;
  return hashInt8Halves(lo | 0, hi | 0);
}

export function hashint8Big(x: bigint): number {
  const u = BigInt.asUintN(64, x);
  return hashInt8Halves(Number(u & 0xffffffffn) | 0, Number(BigInt.asIntN(32, u >> 32n)));
}

const f64 = new Float64Array(1);
const w32 = new Int32Array(f64.buffer);

/** hashfloat8: ±0 hash to 0 and every NaN to the canonical NaN (get_float8_nan). */
export function hashfloat8(x: number): number {
  if (x === 0) return 0;
  if (x !== x) return hash8(0, 0x7ff80000);
  f64[0] = x;
  return hash8(w32[0]!, w32[1]!);
}

/** hashfloat4 widens to float8 first, so equal float4/float8 values hash alike. */
export function hashfloat4(x: number): number {
  return hashfloat8(Math.fround(x));
}

/** bool's hash opclass uses hashchar: hash_uint32 of the byte 0 or 1. */
export function hashbool(x: boolean | number): number {
  return hashUint32(x ? 1 : 0);
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** hashdate (= hashint4) of Unix days; ±Infinity are DATEVAL_NOBEGIN/NOEND (INT32_MIN/MAX). */
export function hashdate(unixDays: number): number {
  if (unixDays === -Infinity) return hashint4(INT32_MIN);
  if (unixDays === Infinity) return hashint4(INT32_MAX);
  return hashint4(unixDays - PG_EPOCH_DAYS);
}

/**
 * timestamp_hash (= hashint8) of Unix µs, for timestamp and timestamptz; ±Infinity are
 * DT_NOBEGIN/DT_NOEND (INT64_MIN/MAX).
 */
export function hashtimestamp(unixMicros: number): number {
  if (unixMicros === -Infinity) return hashInt8Halves(0, INT32_MIN);
  if (unixMicros === Infinity) return hashInt8Halves(-1, INT32_MAX);
  return hashint8(unixMicros - PG_EPOCH_MICROS);
}

/** time_hash (= hashint8 of µs since midnight). */
export function hashtime(micros: number): number {
  return hashint8(micros);
}

let buf = new Uint8Array(256);
const encoder = new TextEncoder();

function utf8(s: string): number {
  // ASCII needs no encoder; anything else goes through TextEncoder
  const n = s.length;
  if (n * 3 > buf.length) buf = new Uint8Array(n * 3 + 64);
  for (let i = 0; i < n; i++) {
    const ch = s.charCodeAt(i);
    if (ch >= 0x80) return encoder.encodeInto(s, buf).written;
    buf[i] = ch;
  }
  return n;
}

/** hashtext (also varchar and, for names, hashname): hash_any over the UTF-8 bytes. */
export function hashtext(s: string): number {
  const len = utf8(s); // may replace buf, so read buf after it
  return hashBytes(buf, len);
}

/** hashbpchar: trailing spaces are not significant (bcTruelen). */
export function hashbpchar(s: string): number {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x20) end--;
  return hashtext(end === s.length ? s : s.slice(0, end));
}

export const hashvarchar = hashtext;
export const hashname = hashtext;

/** uuid_hash: hash_any over the 16 bytes. Accepts the forms uuid_in accepts that matter (hyphens, braces, case). */
export function hashuuid(text: string): number {
  const hex = text.replace(/[{}-]/g, '');
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return hashBytes(bytes, 16);
}

/**
 * hash_numeric (numeric.c): hash the base-10000 digits with leading and trailing zero
 * digits stripped, then XOR the weight of the first non-zero digit. The sign is not
 * hashed; zero hashes to -1 and NaN/±Infinity to 0.
 */
export function hashnumeric(d: Decimal): number {
  if (!d.isFinite()) return 0;
  let coef = d.coef < 0n ? -d.coef : d.coef;
  if (coef === 0n) return -1;
  // align the decimal point on a base-10000 digit boundary
  const fracGroups = Math.ceil(d.scale / 4);
  coef *= 10n ** BigInt(fracGroups * 4 - d.scale);
  const groups: number[] = [];
  while (coef > 0n) {
    groups.push(Number(coef % 10000n));
    coef /= 10000n;
  }
  groups.reverse(); // most significant first, as NumericDigit[] is stored
  let weight = groups.length - fracGroups - 1;
  let start = 0;
  while (groups[start] === 0) {
    start++;
    weight--;
  }
  let end = groups.length;
  while (groups[end - 1] === 0) end--;
  const bytes = new Uint8Array((end - start) * 2);
  for (let i = start; i < end; i++) {
    bytes[(i - start) * 2] = groups[i]! & 0xff;
    bytes[(i - start) * 2 + 1] = groups[i]! >>> 8;
  }
  return hashBytes(bytes, bytes.length) ^ weight;
}

/** timescaledb partitioning.c ts_get_partition_hash: the hash with the sign bit cleared. */
export function partitionHash(pgHash: number): number {
  return pgHash & 0x7fffffff;
}

/**
 * The hash proc of the type's default hash opclass (what lookup_type_cache finds
 * for ts_get_partition_hash), over one non-NULL Strata value; null when
 * PostgreSQL has none Strata implements.
 */
export function pgHashFunction(type: TypeId): ((v: Value) => number) | null {
  switch (type) {
    case 'bool': return (v) => hashbool(v as boolean);
    case 'int2': return (v) => hashint2(v as number);
    case 'int4': return (v) => hashint4(v as number);
    case 'int8': return (v) => hashint8(v as number);
    case 'oid': case 'regclass': return (v) => hashint4(v as number); // hashoid: hash_uint32 of the same 32 bits
    case 'float4': return (v) => hashfloat4(v as number);
    case 'float8': return (v) => hashfloat8(v as number);
    case 'numeric': return (v) => hashnumeric(v as Decimal);
    case 'text': case 'varchar': case 'name': return (v) => hashtext(v as string);
    case 'bpchar': return (v) => hashbpchar(v as string);
    case 'date': return (v) => hashdate(v as number);
    case 'time': return (v) => hashtime(v as number);
    case 'timestamp': case 'timestamptz': return (v) => hashtimestamp(v as number);
    default: return null;
  }
}

// ---- vectorised variants: one Int32Array of PostgreSQL hashes per input -------------

/** Integer-valued doubles (int2/int4) → hashint4. */
export function hashInt4Column(values: Float64Array, n: number = values.length, out: Int32Array = new Int32Array(n)): Int32Array {
  for (let i = 0; i < n; i++) out[i] = finalMix((INIT4 + (values[i]! | 0)) | 0, INIT4, INIT4);
  return out;
}

/** int8 values as doubles → hashint8. Values inside int32 take hashint4's shortcut (same result). */
export function hashInt8Column(values: Float64Array, n: number = values.length, out: Int32Array = new Int32Array(n)): Int32Array {
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    if ((x | 0) === x) {
      out[i] = finalMix((INIT4 + x) | 0, INIT4, INIT4);
    } else {
      const hi = Math.floor(x / TWO32);
      const lo = (x - hi * TWO32) | 0;
      const h = hi | 0;
      out[i] = finalMix((INIT4 + (h >= 0 ? lo ^ h : lo ^ ~h)) | 0, INIT4, INIT4);
    }
  }
  return out;
}

/** timestamp/timestamptz Unix µs → timestamp_hash. */
export function hashTimestampColumn(values: Float64Array, n: number = values.length, out: Int32Array = new Int32Array(n)): Int32Array {
  for (let i = 0; i < n; i++) out[i] = hashtimestamp(values[i]!);
  return out;
}

/** float8 → hashfloat8. */
export function hashFloat8Column(values: Float64Array, n: number = values.length, out: Int32Array = new Int32Array(n)): Int32Array {
  for (let i = 0; i < n; i++) out[i] = hashfloat8(values[i]!);
  return out;
}

/** A string dictionary → one hash per entry, so each distinct string is hashed once. */
export function hashDictionary(dict: readonly string[], bpchar = false): Int32Array {
  const out = new Int32Array(dict.length);
  const f = bpchar ? hashbpchar : hashtext;
  for (let i = 0; i < dict.length; i++) out[i] = f(dict[i]!);
  return out;
}

/** Dictionary codes → per-row hashes through the per-entry hashes of hashDictionary. */
export function hashDictColumn(codes: Int32Array, dictHashes: Int32Array, n: number = codes.length, out: Int32Array = new Int32Array(n)): Int32Array {
  for (let i = 0; i < n; i++) out[i] = dictHashes[codes[i]!]!;
  return out;
}
