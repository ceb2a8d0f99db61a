/**
 * `numeric`: exact arbitrary-precision decimal with PostgreSQL's semantics.
 *
 * A finite value is `coef / 10^scale` (coef: BigInt, scale ≥ 0 — PostgreSQL's
 * display scale "dscale"). NaN and ±Infinity are separate kinds. Instances are
 * immutable. Result scales follow numeric.c (select_div_scale, sqrt, ln, exp,
 * power), and rounding is half away from zero, as PostgreSQL rounds numerics.
 */
import { SqlError, SQLSTATE } from '../errors.js';
import { absBig, digitCount, expFixed, isqrt, lnFixed, pow10, POW10, roundDiv } from './numeric-math.js';

const enum Kind {
  Finite = 0,
  NaN = 1,
  PosInf = 2,
  NegInf = 3,
}

const MIN_SIG_DIGITS = 16;
const MAX_DISPLAY_SCALE = 1000;

const NUM_POW10: number[] = [];
for (let i = 0; i <= 22; i++) NUM_POW10.push(10 ** i);

function invalidInput(text: string): SqlError {
  return new SqlError(SQLSTATE.invalidTextRepresentation, `invalid input syntax for type numeric: "${text}"`);
}
function divByZero(): SqlError {
  return new SqlError(SQLSTATE.divisionByZero, 'division by zero');
}

export class Decimal {
  /** Coefficient (0n for NaN / infinities). */
  readonly coef: bigint;
  /** Display scale: digits after the decimal point (≥ 0). */
  readonly scale: number;
  private readonly kind: Kind;

  private constructor(coef: bigint, scale: number, kind: Kind) {
    this.coef = coef;
    this.scale = scale;
    this.kind = kind;
  }

  static readonly NaN = new Decimal(0n, 0, Kind.NaN);
  static readonly Infinity = new Decimal(0n, 0, Kind.PosInf);
  static readonly NegativeInfinity = new Decimal(0n, 0, Kind.NegInf);
  static readonly ZERO = new Decimal(0n, 0, Kind.Finite);
  static readonly ONE = new Decimal(1n, 0, Kind.Finite);

  /** coef / 10^scale. */
  static of(coef: bigint, scale = 0): Decimal {
    if (scale < 0) return new Decimal(coef * pow10(-scale), 0, Kind.Finite);
    return new Decimal(coef, scale, Kind.Finite);
  }

  static fromInt(n: number | bigint): Decimal {
    if (typeof n === 'number') {
      if (!Number.isInteger(n)) throw new SqlError(SQLSTATE.invalidParameterValue, `not an integer: ${n}`);
      return new Decimal(BigInt(n), 0, Kind.Finite);
    }
    return new Decimal(n, 0, Kind.Finite);
  }

  /** float8 → numeric as PostgreSQL casts it: `%.15g` (DBL_DIG significant digits), then numeric input. */
  static fromNumber(n: number): Decimal {
    if (Number.isNaN(n)) return Decimal.NaN;
    if (n === Infinity) return Decimal.Infinity;
    if (n === -Infinity) return Decimal.NegativeInfinity;
    if (Number.isInteger(n) && Math.abs(n) < 1e15) return new Decimal(BigInt(n), 0, Kind.Finite);
    return Decimal.parse(formatG(n, 15));
  }

  /** float4 → numeric: `%.6g` (FLT_DIG). */
  static fromFloat4(n: number): Decimal {
    if (!Number.isFinite(n)) return Decimal.fromNumber(n);
    return Decimal.parse(formatG(n, 6));
  }

  /** numeric_in: `[ws][+-]digits[.digits][e[+-]digits][ws]`, NaN, [+-]Infinity / inf. */
  static parse(text: string): Decimal {
    let i = 0;
    let end = text.length;
    while (i < end && isSpace(text.charCodeAt(i))) i++;
    while (end > i && isSpace(text.charCodeAt(end - 1))) end--;
    if (i === end) throw invalidInput(text);
    let neg = false;
    let c = text.charCodeAt(i);
    if (c === 43 /* + */ || c === 45 /* - */) {
      neg = c === 45;
      i++;
    }
    c = text.charCodeAt(i);
    if (!(c >= 48 && c <= 57) && c !== 46) {
      const word = text.slice(i, end).toLowerCase();
      if (word === 'nan' && text.charCodeAt(i - 1) !== 43 && text.charCodeAt(i - 1) !== 45) return Decimal.NaN;
      if (word === 'infinity' || word === 'inf') return neg ? Decimal.NegativeInfinity : Decimal.Infinity;
      throw invalidInput(text);
    }
    let digits = 0;
    let scale = 0;
    let seenDot = false;
    // accumulate in a number while exact, then switch to bigint chunks
    let small = 0;
    let big: bigint | null = null;
    let pendingDigits = 0;
    for (; i < end; i++) {
      c = text.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        small = small * 10 + (c - 48);
        pendingDigits++;
        digits++;
        if (seenDot) scale++;
        if (pendingDigits === 15) {
          big = big === null ? BigInt(small) : big * POW10[15]! + BigInt(small);
          small = 0;
          pendingDigits = 0;
        }
      } else if (c === 46 && !seenDot) {
        seenDot = true;
      } else break;
    }
    if (digits === 0) throw invalidInput(text);
    let coef = big === null ? BigInt(small) : big * pow10(pendingDigits) + BigInt(small);
    if (i < end) {
      c = text.charCodeAt(i);
      if (c !== 101 && c !== 69) throw invalidInput(text);
      i++;
      let eneg = false;
      c = text.charCodeAt(i);
      if (c === 43 || c === 45) {
        eneg = c === 45;
        i++;
      }
      let exp = 0;
      let edigits = 0;
      for (; i < end; i++) {
        c = text.charCodeAt(i);
        if (c < 48 || c > 57) throw invalidInput(text);
        exp = exp * 10 + (c - 48);
        edigits++;
        if (exp > 1000 * 1000) throw invalidInput(text);
      }
      if (edigits === 0) throw invalidInput(text);
      if (eneg) exp = -exp;
      scale -= exp;
      if (scale < 0) {
        coef *= pow10(-scale);
        scale = 0;
      }
    }
    return new Decimal(neg ? -coef : coef, scale, Kind.Finite);
  }

  isNaN(): boolean {
    return this.kind === Kind.NaN;
  }
  isFinite(): boolean {
    return this.kind === Kind.Finite;
  }
  isInfinite(): boolean {
    return this.kind === Kind.PosInf || this.kind === Kind.NegInf;
  }
  isZero(): boolean {
    return this.kind === Kind.Finite && this.coef === 0n;
  }
  /** -1, 0, 1 (NaN → NaN, as PostgreSQL's sign(NaN) = NaN). */
  sign(): number {
    switch (this.kind) {
      case Kind.NaN:
        return NaN;
      case Kind.PosInf:
        return 1;
      case Kind.NegInf:
        return -1;
      default:
        return this.coef > 0n ? 1 : this.coef < 0n ? -1 : 0;
    }
  }
  isInteger(): boolean {
    return this.kind === Kind.Finite && (this.scale === 0 || this.coef % pow10(this.scale) === 0n);
  }

  /** Coefficient rescaled to `scale` (must be ≥ this.scale). */
  private coefAt(scale: number): bigint {
    return scale === this.scale ? this.coef : this.coef * pow10(scale - this.scale);
  }

  add(o: Decimal): Decimal {
    if (this.kind !== Kind.Finite || o.kind !== Kind.Finite) return specialAdd(this, o, false);
    if (this.scale === o.scale) return new Decimal(this.coef + o.coef, this.scale, Kind.Finite);
    const s = Math.max(this.scale, o.scale);
    return new Decimal(this.coefAt(s) + o.coefAt(s), s, Kind.Finite);
  }

  sub(o: Decimal): Decimal {
    if (this.kind !== Kind.Finite || o.kind !== Kind.Finite) return specialAdd(this, o, true);
    if (this.scale === o.scale) return new Decimal(this.coef - o.coef, this.scale, Kind.Finite);
    const s = Math.max(this.scale, o.scale);
    return new Decimal(this.coefAt(s) - o.coefAt(s), s, Kind.Finite);
  }

  mul(o: Decimal): Decimal {
    if (this.kind !== Kind.Finite || o.kind !== Kind.Finite) {
      if (this.kind === Kind.NaN || o.kind === Kind.NaN) return Decimal.NaN;
      const sa = this.sign();
      const sb = o.sign();
      if (sa === 0 || sb === 0) return Decimal.NaN;
      return sa * sb > 0 ? Decimal.Infinity : Decimal.NegativeInfinity;
    }
    return new Decimal(this.coef * o.coef, this.scale + o.scale, Kind.Finite);
  }

  /** Division with PostgreSQL's select_div_scale result scale. */
  div(o: Decimal): Decimal {
    if (this.kind !== Kind.Finite || o.kind !== Kind.Finite) {
      if (this.kind === Kind.NaN || o.kind === Kind.NaN) return Decimal.NaN;
      if (this.kind !== Kind.Finite) {
        if (o.kind !== Kind.Finite) return Decimal.NaN;
        if (o.coef === 0n) throw divByZero();
        return this.sign() * o.sign() > 0 ? Decimal.Infinity : Decimal.NegativeInfinity;
      }
      return Decimal.ZERO; // finite / ±Infinity
    }
    if (o.coef === 0n) throw divByZero();
    return this.divScale(o, selectDivScale(this, o));
  }

  /** this / o rounded (half away from zero) to `rscale` digits. */
  divScale(o: Decimal, rscale: number): Decimal {
    if (o.coef === 0n) throw divByZero();
    const e = rscale + o.scale - this.scale;
    const q = e >= 0 ? roundDiv(this.coef * pow10(e), o.coef) : roundDiv(this.coef, o.coef * pow10(-e));
    return new Decimal(q, rscale, Kind.Finite);
  }

  /** Truncating integer division (PostgreSQL's div()). */
  intDiv(o: Decimal): Decimal {
    if (this.kind !== Kind.Finite || o.kind !== Kind.Finite) {
      const r = this.div(o);
      return r;
    }
    if (o.coef === 0n) throw divByZero();
    const s = Math.max(this.scale, o.scale);
    return new Decimal(this.coefAt(s) / o.coefAt(s), 0, Kind.Finite);
  }

  /** Remainder with the sign of the dividend; scale max(s1, s2). */
  mod(o: Decimal): Decimal {
    if (this.kind !== Kind.Finite || o.kind !== Kind.Finite) {
      if (this.kind === Kind.NaN || o.kind === Kind.NaN) return Decimal.NaN;
      if (this.kind !== Kind.Finite) {
        if (o.kind === Kind.Finite && o.coef === 0n) throw divByZero();
        return Decimal.NaN;
      }
      return this; // finite % inf = finite
    }
    if (o.coef === 0n) throw divByZero();
    const s = Math.max(this.scale, o.scale);
    return new Decimal(this.coefAt(s) % o.coefAt(s), s, Kind.Finite);
  }

  neg(): Decimal {
    switch (this.kind) {
      case Kind.Finite:
        return new Decimal(-this.coef, this.scale, Kind.Finite);
      case Kind.PosInf:
        return Decimal.NegativeInfinity;
      case Kind.NegInf:
        return Decimal.Infinity;
      default:
        return this;
    }
  }

  abs(): Decimal {
    if (this.kind === Kind.NegInf) return Decimal.Infinity;
    if (this.kind !== Kind.Finite || this.coef >= 0n) return this;
    return new Decimal(-this.coef, this.scale, Kind.Finite);
  }

  /** Total order used by PostgreSQL: -Infinity < finite < Infinity < NaN (NaN = NaN). */
  cmp(o: Decimal): -1 | 0 | 1 {
    if (this.kind !== Kind.Finite || o.kind !== Kind.Finite) {
      const ra = rank(this);
      const rb = rank(o);
      return ra < rb ? -1 : ra > rb ? 1 : 0;
    }
    let a = this.coef;
    let b = o.coef;
    if (this.scale !== o.scale) {
      const s = Math.max(this.scale, o.scale);
      a = this.coefAt(s);
      b = o.coefAt(s);
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }
  eq(o: Decimal): boolean {
    return this.cmp(o) === 0;
  }
  lt(o: Decimal): boolean {
    return this.cmp(o) < 0;
  }
  gt(o: Decimal): boolean {
    return this.cmp(o) > 0;
  }

  /** round(x, s): half away from zero; scale becomes max(s, 0). */
  round(scale = 0): Decimal {
    if (this.kind !== Kind.Finite) return this;
    if (scale >= this.scale) return new Decimal(this.coefAt(scale), scale, Kind.Finite);
    const q = roundDiv(this.coef, pow10(this.scale - scale));
    return scale >= 0 ? new Decimal(q, scale, Kind.Finite) : new Decimal(q * pow10(-scale), 0, Kind.Finite);
  }

  /** trunc(x, s): toward zero; scale becomes max(s, 0). */
  trunc(scale = 0): Decimal {
    if (this.kind !== Kind.Finite) return this;
    if (scale >= this.scale) return new Decimal(this.coefAt(scale), scale, Kind.Finite);
    const q = this.coef / pow10(this.scale - scale);
    return scale >= 0 ? new Decimal(q, scale, Kind.Finite) : new Decimal(q * pow10(-scale), 0, Kind.Finite);
  }

  ceil(): Decimal {
    if (this.kind !== Kind.Finite) return this;
    if (this.scale === 0) return this;
    const d = pow10(this.scale);
    let q = this.coef / d;
    if (this.coef > 0n && q * d !== this.coef) q += 1n;
    return new Decimal(q, 0, Kind.Finite);
  }

  floor(): Decimal {
    if (this.kind !== Kind.Finite) return this;
    if (this.scale === 0) return this;
    const d = pow10(this.scale);
    let q = this.coef / d;
    if (this.coef < 0n && q * d !== this.coef) q -= 1n;
    return new Decimal(q, 0, Kind.Finite);
  }

  /** sqrt with PostgreSQL's result scale, correctly rounded. */
  sqrt(): Decimal {
    if (this.kind === Kind.NaN) return this;
    if (this.kind === Kind.NegInf || (this.kind === Kind.Finite && this.coef < 0n))
      throw new SqlError(SQLSTATE.invalidArgumentForPowerFunction, 'cannot take square root of a negative number');
    if (this.kind === Kind.PosInf) return this;
    const w = nbaseWeight(this);
    const sweight = Math.trunc(((w.weight + 1) * 4) / 2) - 1;
    const rscale = clampScale(Math.max(MIN_SIG_DIGITS - sweight, this.scale));
    if (this.coef === 0n) return new Decimal(0n, rscale, Kind.Finite);
    const r = isqrt(this.coef * pow10(2 * rscale + 2 - this.scale));
    return new Decimal((r + 5n) / 10n, rscale, Kind.Finite);
  }

  /** Natural logarithm with PostgreSQL's result scale. */
  ln(): Decimal {
    if (this.kind === Kind.NaN || this.kind === Kind.PosInf) return this;
    checkLogArg(this);
    const w = nbaseWeight(this).weight;
    const decDigits = (w + 1) * 4;
    let rscale =
      decDigits > 1
        ? MIN_SIG_DIGITS - Math.trunc(Math.log10(decDigits - 1))
        : decDigits < 1
          ? MIN_SIG_DIGITS - Math.trunc(Math.log10(1 - decDigits))
          : MIN_SIG_DIGITS;
    rscale = clampScale(Math.max(rscale, this.scale));
    const W = rscale + 12;
    return fixedToDecimal(lnFixed(this.coef, this.scale, W), W, rscale);
  }

  /** log(base, this) as PostgreSQL's log(numeric, numeric). */
  log(base: Decimal): Decimal {
    if (this.kind === Kind.NaN || base.kind === Kind.NaN) return Decimal.NaN;
    checkLogArg(base);
    checkLogArg(this);
    if (this.kind === Kind.PosInf || base.kind === Kind.PosInf) {
      if (this.kind === Kind.PosInf && base.kind === Kind.PosInf) return Decimal.NaN;
      if (this.kind === Kind.PosInf) return base.cmp(Decimal.ONE) < 0 ? Decimal.NegativeInfinity : Decimal.Infinity;
      return Decimal.ZERO;
    }
    if (base.eq(Decimal.ONE)) throw divByZero();
    const resultDweight = estimateLnDweight(this) - estimateLnDweight(base);
    const rscale = clampScale(Math.max(MIN_SIG_DIGITS - resultDweight, base.scale, this.scale));
    const W = rscale + 16 + Math.max(0, resultDweight);
    const a = lnFixed(this.coef, this.scale, W);
    const b = lnFixed(base.coef, base.scale, W);
    return new Decimal(roundDiv(a * pow10(rscale), b), rscale, Kind.Finite);
  }

  log10(): Decimal {
    return this.log(Decimal.of(10n));
  }

  /** e^x with PostgreSQL's result scale. */
  exp(): Decimal {
    if (this.kind === Kind.NaN || this.kind === Kind.PosInf) return this;
    if (this.kind === Kind.NegInf) return Decimal.ZERO;
    let val = this.toNumber() * 0.434294481903252;
    val = Math.max(-2000, Math.min(2000, val));
    if (val > 1000 * 4) throw new SqlError(SQLSTATE.numericValueOutOfRange, 'value overflows numeric format');
    const rscale = clampScale(Math.max(MIN_SIG_DIGITS - Math.trunc(val), this.scale));
    const W = rscale + Math.max(0, Math.ceil(val)) + 12;
    const x = this.coef * pow10(W - this.scale);
    return fixedToDecimal(expFixed(x, W), W, rscale);
  }

  /** power(this, e) with PostgreSQL 15's scale rules. */
  pow(e: Decimal): Decimal {
    if (this.kind === Kind.NaN || e.kind === Kind.NaN) {
      if (this.kind === Kind.NaN && e.isZero()) return Decimal.of(1n);
      if (e.kind === Kind.NaN && this.kind === Kind.Finite && this.coef === pow10(this.scale)) return Decimal.of(1n);
      return Decimal.NaN;
    }
    if (this.kind === Kind.Finite && this.coef === 0n && e.sign() < 0)
      throw new SqlError(SQLSTATE.invalidArgumentForPowerFunction, 'zero raised to a negative power is undefined');
    if (this.kind === Kind.Finite && this.coef < 0n && e.kind === Kind.Finite && !e.isInteger())
      throw new SqlError(
        SQLSTATE.invalidArgumentForPowerFunction,
        'a negative number raised to a non-integer power yields a complex result',
      );
    if (this.kind !== Kind.Finite || e.kind !== Kind.Finite) return Decimal.fromNumber(Math.pow(this.toNumber(), e.toNumber()));
    if (e.isInteger()) {
      const n = e.coef / pow10(e.scale);
      if (n >= -2147483648n && n <= 2147483647n) {
        const rscale = clampScale(Math.max(MIN_SIG_DIGITS, this.scale));
        if (n === 0n) return new Decimal(pow10(rscale), rscale, Kind.Finite);
        const absN = Number(n < 0n ? -n : n);
        const digits = digitCount(this.coef) * absN;
        if (digits < 200000) {
          const num = this.coef ** BigInt(absN);
          const sc = this.scale * absN;
          if (n > 0n) return Decimal.of(num, sc).round(rscale);
          return new Decimal(roundDiv(pow10(sc + rscale), num), rscale, Kind.Finite);
        }
        throw new SqlError(SQLSTATE.numericValueOutOfRange, 'value overflows numeric format');
      }
    }
    if (this.coef === 0n) return new Decimal(0n, clampScale(Math.max(MIN_SIG_DIGITS, this.scale, e.scale)), Kind.Finite);
    const val = e.toNumber() * Math.log(this.toNumber()) * 0.434294481903252;
    if (val > 4000) throw new SqlError(SQLSTATE.numericValueOutOfRange, 'value overflows numeric format');
    const rscale = clampScale(Math.max(MIN_SIG_DIGITS - Math.trunc(val), this.scale, e.scale));
    const W = rscale + Math.max(0, Math.ceil(val)) + digitCount(e.coef) - e.scale + 14;
    const lnx = lnFixed(this.coef, this.scale, W);
    const t = (lnx * e.coef) / pow10(e.scale);
    return fixedToDecimal(expFixed(t, W), W, rscale);
  }

  /** Nearest float8 (correctly rounded). */
  toNumber(): number {
    switch (this.kind) {
      case Kind.NaN:
        return NaN;
      case Kind.PosInf:
        return Infinity;
      case Kind.NegInf:
        return -Infinity;
    }
    const c = this.coef;
    if (c > -9007199254740992n && c < 9007199254740992n) {
      if (this.scale === 0) return Number(c);
      if (this.scale <= 22) return Number(c) / NUM_POW10[this.scale]!;
    }
    return Number(this.toString());
  }

  /** The integer part rounded half away from zero, as a bigint (finite values only). */
  toBigIntRounded(): bigint {
    if (this.kind !== Kind.Finite) throw new SqlError(SQLSTATE.numericValueOutOfRange, 'cannot convert NaN or infinity to integer');
    return this.scale === 0 ? this.coef : roundDiv(this.coef, pow10(this.scale));
  }

  /** PostgreSQL's numeric_out: keeps the display scale. */
  toString(): string {
    switch (this.kind) {
      case Kind.NaN:
        return 'NaN';
      case Kind.PosInf:
        return 'Infinity';
      case Kind.NegInf:
        return '-Infinity';
    }
    if (this.scale === 0) return this.coef.toString();
    const neg = this.coef < 0n;
    let s = (neg ? -this.coef : this.coef).toString();
    if (s.length <= this.scale) s = '0'.repeat(this.scale - s.length + 1) + s;
    const p = s.length - this.scale;
    return (neg ? '-' : '') + s.slice(0, p) + '.' + s.slice(p);
  }

  toJSON(): string {
    return this.toString();
  }

  /** Scientific notation the way to_char/ numeric_out_sci would ('1.23e+02'); informational. */
  toExponential(digits: number): string {
    return this.toNumber().toExponential(digits);
  }

  /** Apply numeric(precision, scale): round, then check the digits before the point (22003). */
  withTypmod(precision: number, scale: number): Decimal {
    if (this.kind === Kind.NaN) return this;
    if (this.kind !== Kind.Finite)
      throw new SqlError(SQLSTATE.numericValueOutOfRange, 'numeric field overflow', {
        detail: `A field with precision ${precision}, scale ${scale} cannot hold an infinite value.`,
      });
    const r = this.round(scale);
    const maxDigits = precision - scale;
    if (r.coef !== 0n) {
      const intDigits = digitCount(r.coef) - r.scale;
      if (intDigits > maxDigits)
        throw new SqlError(SQLSTATE.numericValueOutOfRange, 'numeric field overflow', {
          detail: `A field with precision ${precision}, scale ${scale} must round to an absolute value less than ${maxDigits > 0 ? '10^' + maxDigits : '1'}.`,
        });
    }
    return r;
  }

  /** Canonical key: equal values (1.10 and 1.1) give equal keys. */
  hashKey(): string {
    switch (this.kind) {
      case Kind.NaN:
        return 'NaN';
      case Kind.PosInf:
        return 'Inf';
      case Kind.NegInf:
        return '-Inf';
    }
    let c = this.coef;
    let s = this.scale;
    if (c === 0n) return '0';
    while (s > 0 && c % 10n === 0n) {
      c /= 10n;
      s--;
    }
    return s === 0 ? c.toString() : `${c}e-${s}`;
  }

  /** Removes trailing fractional zeros (PostgreSQL's trim_scale). */
  trimScale(): Decimal {
    if (this.kind !== Kind.Finite) return this;
    let c = this.coef;
    let s = this.scale;
    while (s > 0 && c % 10n === 0n) {
      c /= 10n;
      s--;
    }
    return s === this.scale ? this : new Decimal(c, s, Kind.Finite);
  }
}

export function isDecimal(v: unknown): v is Decimal {
  return v instanceof Decimal;
}

/** Parse text as numeric with an optional numeric(p,s) typmod (typmod as in SqlType). */
export function applyNumericTypmod(d: Decimal, typmod: number): Decimal {
  if (typmod < 0) return d;
  const precision = (typmod >> 16) & 0xffff;
  const scale = ((typmod & 0x7ff) ^ 1024) - 1024;
  return d.withTypmod(precision, scale);
}

/** C's `%.{p}g` formatting of a finite double (used by float → numeric casts). */
export function formatG(n: number, p: number): string {
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  let s = n.toExponential(p - 1); // d.ddddde±x
  const ei = s.indexOf('e');
  const exp = Number(s.slice(ei + 1));
  let mant = s.slice(0, ei);
  if (exp < -4 || exp >= p) {
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    const ae = Math.abs(exp);
    return `${mant}e${exp < 0 ? '-' : '+'}${ae < 10 ? '0' + ae : ae}`;
  }
  s = n.toFixed(Math.max(0, p - 1 - exp));
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function rank(d: Decimal): number {
  if (d.isNaN()) return 3;
  if (d.isFinite()) return 1;
  return d.sign() > 0 ? 2 : 0;
}

function specialAdd(a: Decimal, b: Decimal, subtract: boolean): Decimal {
  if (a.isNaN() || b.isNaN()) return Decimal.NaN;
  const sb = subtract ? -b.sign() : b.sign();
  if (a.isInfinite()) {
    if (b.isInfinite() && a.sign() !== sb) return Decimal.NaN;
    return a;
  }
  return sb > 0 ? Decimal.Infinity : Decimal.NegativeInfinity;
}

function clampScale(s: number): number {
  return Math.min(Math.max(s, 0), MAX_DISPLAY_SCALE);
}

/** PostgreSQL's base-10000 weight and first base-10000 digit of a finite value (0, 0 for zero). */
function nbaseWeight(d: Decimal): { weight: number; first: number } {
  if (d.coef === 0n) return { weight: 0, first: 0 };
  const s = absBig(d.coef).toString();
  const e10 = s.length - 1 - d.scale; // decimal exponent of the leading digit
  const weight = Math.floor(e10 / 4);
  const lead = e10 - weight * 4 + 1; // digits of the leading group
  const first = Number(s.length >= lead ? s.slice(0, lead) : s + '0'.repeat(lead - s.length));
  return { weight, first };
}

function selectDivScale(a: Decimal, b: Decimal): number {
  const wa = nbaseWeight(a);
  const wb = nbaseWeight(b);
  let qweight = wa.weight - wb.weight;
  if (wa.first <= wb.first) qweight--;
  return clampScale(Math.max(MIN_SIG_DIGITS - qweight * 4, a.scale, b.scale));
}

function checkLogArg(d: Decimal): void {
  if (d.isZero()) throw new SqlError(SQLSTATE.invalidArgumentForLogarithm, 'cannot take logarithm of zero');
  if (d.sign() < 0) throw new SqlError(SQLSTATE.invalidArgumentForLogarithm, 'cannot take logarithm of a negative number');
}

function estimateLnDweight(d: Decimal): number {
  const x = d.toNumber();
  if (x >= 0.9 && x <= 1.1) {
    const y = d.sub(Decimal.ONE);
    if (y.isZero()) return 0;
    const w = nbaseWeight(y);
    return w.weight * 4 + Math.trunc(Math.log10(w.first));
  }
  const w = nbaseWeight(d);
  // first two base-10000 digits
  const s = absBig(d.coef).toString();
  const e10 = s.length - 1 - d.scale;
  const lead = e10 - w.weight * 4 + 1;
  const take = lead + 4;
  const digits = Number(s.length >= take ? s.slice(0, take) : s + '0'.repeat(take - s.length));
  const dweight = w.weight * 4 - 4;
  const lnv = Math.log(digits) + dweight * 2.302585092994046;
  return Math.trunc(Math.log10(Math.abs(lnv)));
}

function fixedToDecimal(x: bigint, W: number, rscale: number): Decimal {
  return Decimal.of(roundDiv(x, pow10(W - rscale)), rscale);
}
