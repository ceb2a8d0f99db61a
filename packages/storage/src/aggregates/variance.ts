/**
 * variance / stddev family and the two-argument regression aggregates.
 *
 * float inputs follow float8_accum / float8_regr_accum (Youngs-Cramer) and their
 * combine functions operation for operation, so results match PostgreSQL's bits
 * when rows arrive in the same order. Integer and numeric inputs are summed
 * exactly and finished with numeric_stddev_internal's scale rules.
 */
import { SqlError, SQLSTATE } from '../errors.js';
import { Decimal } from '../types/numeric.js';
import { T } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import { getValue, vectorFromValues } from '../vector.js';
import type { Vector } from '../vector.js';
import { asNumbers, TypedAcc } from './basic.js';
import { growF64, mapNeeded, plainToValue, TWO53, valueToPlain } from './common.js';
import type { AggKind, GroupedAccumulator } from './common.js';

type VarKind = 'var_samp' | 'var_pop' | 'stddev_samp' | 'stddev_pop';

function isInf(x: number): boolean {
  return x === Infinity || x === -Infinity;
}

function overflow(): SqlError {
  return new SqlError(SQLSTATE.numericValueOutOfRange, 'value out of range: overflow');
}

// ---------------------------------------------------------------- float8

export class FloatVarAcc extends TypedAcc {
  N = new Float64Array(0);
  Sx = new Float64Array(0);
  Sxx = new Float64Array(0);
  constructor(readonly kind: VarKind) {
    super();
  }
  protected grow(cap: number): void {
    this.N = growF64(this.N, cap);
    this.Sx = growF64(this.Sx, cap);
    this.Sxx = growF64(this.Sxx, cap);
  }
  update(groupIds: Int32Array, args: readonly Vector[], length: number): void {
    this.prepare(groupIds, length);
    const { values: v, nulls } = asNumbers(args[0]!);
    const all0 = groupIds.length === 0;
    const NN = this.N, SX = this.Sx, SXX = this.Sxx;
    for (let i = 0; i < length; i++) {
      const g = all0 ? 0 : groupIds[i]!;
      if (g < 0 || (nulls !== null && nulls[i] === 1)) continue;
      const x = v[i]!;
      const n0 = NN[g]!;
      const n = n0 + 1;
      const sx0 = SX[g]!;
      const sx = sx0 + x;
      let sxx = SXX[g]!;
      if (n0 > 0) {
        const tmp = x * n - sx;
        sxx += (tmp * tmp) / (n * n0);
        if (isInf(sx) || isInf(sxx)) {
          if (!isInf(sx0) && !isInf(x)) throw overflow();
          sxx = NaN;
        }
      } else if (!Number.isFinite(x)) sxx = NaN;
      NN[g] = n;
      SX[g] = sx;
      SXX[g] = sxx;
    }
  }
  combine(other: GroupedAccumulator, groupMap: Int32Array): void {
    const o = other as FloatVarAcc;
    this.ensure(mapNeeded(groupMap, o.n));
    for (let g = 0; g < o.n; g++) {
      const n2 = o.N[g]!;
      if (n2 === 0) continue;
      const t = groupMap[g]!;
      const n1 = this.N[t]!;
      if (n1 === 0) {
        this.N[t] = n2;
        this.Sx[t] = o.Sx[g]!;
        this.Sxx[t] = o.Sxx[g]!;
        continue;
      }
      const sx1 = this.Sx[t]!, sx2 = o.Sx[g]!, sxx1 = this.Sxx[t]!, sxx2 = o.Sxx[g]!;
      const n = n1 + n2;
      const sx = sx1 + sx2;
      const tmp = sx1 / n1 - sx2 / n2;
      const sxx = sxx1 + sxx2 + (n1 * n2 * tmp * tmp) / n;
      if (sxx === Infinity && Number.isFinite(sxx1) && Number.isFinite(sxx2)) throw overflow();
      this.N[t] = n;
      this.Sx[t] = sx;
      this.Sxx[t] = sxx;
    }
  }
  serialize(): unknown {
    const k = this.n;
    return { n: k, N: this.N.slice(0, k), Sx: this.Sx.slice(0, k), Sxx: this.Sxx.slice(0, k) };
  }
  load(d: { n: number; N: Float64Array; Sx: Float64Array; Sxx: Float64Array }): this {
    this.ensure(d.n);
    this.N.set(d.N);
    this.Sx.set(d.Sx);
    this.Sxx.set(d.Sxx);
    return this;
  }
  finalizeGroup(g: number): Value {
    if (g >= this.n) return null;
    const n = this.N[g]!;
    const sxx = this.Sxx[g]!;
    switch (this.kind) {
      case 'var_pop':
        return n === 0 ? null : sxx / n;
      case 'stddev_pop':
        return n === 0 ? null : Math.sqrt(sxx / n);
      case 'var_samp':
        return n <= 1 ? null : sxx / (n - 1);
      case 'stddev_samp':
        return n <= 1 ? null : Math.sqrt(sxx / (n - 1));
    }
  }
  finalize(groupCount: number): Vector {
    const out: Value[] = new Array(groupCount);
    for (let g = 0; g < groupCount; g++) out[g] = this.finalizeGroup(g);
    return vectorFromValues(T.float8, out);
  }
  resetGroup(g: number): void {
    if (g >= this.n) return;
    this.N[g] = 0;
    this.Sx[g] = 0;
    this.Sxx[g] = 0;
  }
  stateBytes(): number {
    return this.n * 24;
  }
}

// ---------------------------------------------------------------- exact (int / numeric inputs)

/** numeric_stddev_internal given exact N, Σx, Σx² (and whether a NaN/±Infinity was seen). */
export function numericVarFinal(kind: VarKind, N: number, sumX: Decimal, sumX2: Decimal, special: boolean): Value {
  const sample = kind === 'var_samp' || kind === 'stddev_samp';
  if (N === 0 || (sample && N <= 1)) return null;
  if (special) return Decimal.NaN;
  const vN = Decimal.fromInt(N);
  // N·Σx² − (Σx)², exact (PostgreSQL's rscale 2·dscale keeps every digit)
  const num = vN.mul(sumX2).sub(sumX.mul(sumX));
  if (num.sign() <= 0) return Decimal.ZERO;
  const den = sample ? vN.mul(Decimal.fromInt(N - 1)) : vN.mul(vN);
  const variance = num.div(den);
  if (kind === 'var_samp' || kind === 'var_pop') return variance;
  return sqrtAtScale(variance, variance.scale);
}

/** sqrt_var(x, rscale): the square root rounded half away from zero at rscale digits. */
function sqrtAtScale(x: Decimal, rscale: number): Decimal {
  const shift = 2 * rscale + 2 - x.scale;
  const n = shift >= 0 ? x.coef * 10n ** BigInt(shift) : x.coef / 10n ** BigInt(-shift);
  return Decimal.of((isqrt(n) + 5n) / 10n, rscale);
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** Exact Σx and Σx² of integers: doubles while below 2^53, BigInt beyond. */
export class IntVarAcc extends TypedAcc {
  N = new Float64Array(0);
  sx = new Float64Array(0);
  sxx = new Float64Array(0);
  bigX: Map<number, bigint> | null = null;
  bigXX: Map<number, bigint> | null = null;
  constructor(readonly kind: VarKind) {
    super();
  }
  protected grow(cap: number): void {
    this.N = growF64(this.N, cap);
    this.sx = growF64(this.sx, cap);
    this.sxx = growF64(this.sxx, cap);
  }
  private addBig(which: 'bigX' | 'bigXX', g: number, b: bigint): void {
    const m = (this[which] ??= new Map());
    m.set(g, (m.get(g) ?? 0n) + b);
  }
  update(groupIds: Int32Array, args: readonly Vector[], length: number): void {
    this.prepare(groupIds, length);
    const { values: v, nulls } = asNumbers(args[0]!);
    const all0 = groupIds.length === 0;
    for (let i = 0; i < length; i++) {
      const g = all0 ? 0 : groupIds[i]!;
      if (g < 0 || (nulls !== null && nulls[i] === 1)) continue;
      const x = v[i]!;
      this.N[g]++;
      const s = this.sx[g]! + x;
      if (s >= TWO53 || s <= -TWO53) {
        this.addBig('bigX', g, BigInt(this.sx[g]!) + BigInt(x));
        this.sx[g] = 0;
      } else this.sx[g] = s;
      const x2 = x * x;
      const s2 = this.sxx[g]! + x2;
      if (s2 >= TWO53) {
        this.addBig('bigXX', g, BigInt(this.sxx[g]!) + BigInt(x) * BigInt(x));
        this.sxx[g] = 0;
      } else this.sxx[g] = s2;
    }
  }
  combine(other: GroupedAccumulator, groupMap: Int32Array): void {
    const o = other as IntVarAcc;
    this.ensure(mapNeeded(groupMap, o.n));
    for (let g = 0; g < o.n; g++) {
      if (o.N[g] === 0) continue;
      const t = groupMap[g]!;
      this.N[t] += o.N[g]!;
      this.addBig('bigX', t, BigInt(o.sx[g]!) + (o.bigX?.get(g) ?? 0n));
      this.addBig('bigXX', t, BigInt(o.sxx[g]!) + (o.bigXX?.get(g) ?? 0n));
    }
  }
  serialize(): unknown {
    const k = this.n;
    const bx: [number, string][] = [];
    const bxx: [number, string][] = [];
    for (const [g, b] of this.bigX ?? []) bx.push([g, b.toString()]);
    for (const [g, b] of this.bigXX ?? []) bxx.push([g, b.toString()]);
    return { n: k, N: this.N.slice(0, k), sx: this.sx.slice(0, k), sxx: this.sxx.slice(0, k), bx, bxx };
  }
  load(d: { n: number; N: Float64Array; sx: Float64Array; sxx: Float64Array; bx: [number, string][]; bxx: [number, string][] }): this {
    this.ensure(d.n);
    this.N.set(d.N);
    this.sx.set(d.sx);
    this.sxx.set(d.sxx);
    if (d.bx.length) this.bigX = new Map(d.bx.map(([g, s]) => [g, BigInt(s)]));
    if (d.bxx.length) this.bigXX = new Map(d.bxx.map(([g, s]) => [g, BigInt(s)]));
    return this;
  }
  finalizeGroup(g: number): Value {
    if (g >= this.n) return null;
    const sumX = BigInt(this.sx[g]!) + (this.bigX?.get(g) ?? 0n);
    const sumX2 = BigInt(this.sxx[g]!) + (this.bigXX?.get(g) ?? 0n);
    return numericVarFinal(this.kind, this.N[g]!, Decimal.fromInt(sumX), Decimal.fromInt(sumX2), false);
  }
  finalize(groupCount: number): Vector {
    const out: Value[] = new Array(groupCount);
    for (let g = 0; g < groupCount; g++) out[g] = this.finalizeGroup(g);
    return vectorFromValues(T.numeric, out);
  }
  resetGroup(g: number): void {
    if (g >= this.n) return;
    this.N[g] = this.sx[g] = this.sxx[g] = 0;
    this.bigX?.delete(g);
    this.bigXX?.delete(g);
  }
  stateBytes(): number {
    return this.n * 24 + ((this.bigX?.size ?? 0) + (this.bigXX?.size ?? 0)) * 48;
  }
}

/** numeric inputs: Decimal Σx, Σx² per group; NaN/±Infinity only counted (result NaN). */
export class NumericVarAcc extends TypedAcc {
  N = new Float64Array(0);
  special = new Float64Array(0);
  sx: Decimal[] = [];
  sxx: Decimal[] = [];
  constructor(readonly kind: VarKind) {
    super();
  }
  protected grow(cap: number): void {
    this.N = growF64(this.N, cap);
    this.special = growF64(this.special, cap);
    for (let i = this.sx.length; i < cap; i++) {
      this.sx.push(Decimal.ZERO);
      this.sxx.push(Decimal.ZERO);
    }
  }
  update(groupIds: Int32Array, args: readonly Vector[], length: number): void {
    this.prepare(groupIds, length);
    const v = args[0]!;
    const all0 = groupIds.length === 0;
    for (let i = 0; i < length; i++) {
      const g = all0 ? 0 : groupIds[i]!;
      if (g < 0) continue;
      const x = getValue(v, i) as Decimal | null;
      if (x === null) continue;
      if (!x.isFinite()) {
        this.special[g]++;
        continue;
      }
      this.N[g]++;
      this.sx[g] = this.sx[g]!.add(x);
      this.sxx[g] = this.sxx[g]!.add(x.mul(x));
    }
  }
  combine(other: GroupedAccumulator, groupMap: Int32Array): void {
    const o = other as NumericVarAcc;
    this.ensure(mapNeeded(groupMap, o.n));
    for (let g = 0; g < o.n; g++) {
      const t = groupMap[g]!;
      this.N[t] += o.N[g]!;
      this.special[t] += o.special[g]!;
      this.sx[t] = this.sx[t]!.add(o.sx[g]!);
      this.sxx[t] = this.sxx[t]!.add(o.sxx[g]!);
    }
  }
  serialize(): unknown {
    const k = this.n;
    return {
      n: k, N: this.N.slice(0, k), special: this.special.slice(0, k),
      sx: this.sx.slice(0, k).map(valueToPlain), sxx: this.sxx.slice(0, k).map(valueToPlain),
    };
  }
  load(d: { n: number; N: Float64Array; special: Float64Array; sx: unknown[]; sxx: unknown[] }): this {
    this.ensure(d.n);
    this.N.set(d.N);
    this.special.set(d.special);
    for (let g = 0; g < d.n; g++) {
      this.sx[g] = plainToValue(d.sx[g]) as Decimal;
      this.sxx[g] = plainToValue(d.sxx[g]) as Decimal;
    }
    return this;
  }
  finalizeGroup(g: number): Value {
    if (g >= this.n) return null;
    return numericVarFinal(this.kind, this.N[g]! + this.special[g]!, this.sx[g]!, this.sxx[g]!, this.special[g]! > 0);
  }
  finalize(groupCount: number): Vector {
    const out: Value[] = new Array(groupCount);
    for (let g = 0; g < groupCount; g++) out[g] = this.finalizeGroup(g);
    return vectorFromValues(T.numeric, out);
  }
  resetGroup(g: number): void {
    if (g >= this.n) return;
    this.N[g] = this.special[g] = 0;
    this.sx[g] = this.sxx[g] = Decimal.ZERO;
  }
  stateBytes(): number {
    return this.n * 80;
  }
}

// ---------------------------------------------------------------- regression (float8_regr_accum)

type RegrKind = Extract<AggKind, 'corr' | 'covar_pop' | 'covar_samp' | `regr_${string}`>;

export class RegrAcc extends TypedAcc {
  // N, Sx, Sxx, Sy, Syy, Sxy interleaved: 6 doubles per group
  st = new Float64Array(0);
  constructor(readonly kind: RegrKind) {
    super();
  }
  protected grow(cap: number): void {
    this.st = growF64(this.st, cap * 6);
  }
  update(groupIds: Int32Array, args: readonly Vector[], length: number): void {
    this.prepare(groupIds, length);
    // PostgreSQL's argument order is (Y, X)
    const ys = asNumbers(args[0]!);
    const xs = asNumbers(args[1]!);
    const all0 = groupIds.length === 0;
    const st = this.st;
    for (let i = 0; i < length; i++) {
      const g = all0 ? 0 : groupIds[i]!;
      if (g < 0 || (ys.nulls !== null && ys.nulls[i] === 1) || (xs.nulls !== null && xs.nulls[i] === 1)) continue;
      const y = ys.values[i]!, x = xs.values[i]!;
      const b = g * 6;
      const n0 = st[b]!;
      const n = n0 + 1;
      const sx0 = st[b + 1]!, sy0 = st[b + 3]!;
      const sx = sx0 + x, sy = sy0 + y;
      let sxx = st[b + 2]!, syy = st[b + 4]!, sxy = st[b + 5]!;
      if (n0 > 0) {
        const tx = x * n - sx;
        const ty = y * n - sy;
        const scale = 1.0 / (n * n0);
        sxx += tx * tx * scale;
        syy += ty * ty * scale;
        sxy += tx * ty * scale;
        if (isInf(sx) || isInf(sxx) || isInf(sy) || isInf(syy) || isInf(sxy)) {
          if (((isInf(sx) || isInf(sxx)) && !isInf(sx0) && !isInf(x)) ||
            ((isInf(sy) || isInf(syy)) && !isInf(sy0) && !isInf(y)) ||
            (isInf(sxy) && !isInf(sx0) && !isInf(x) && !isInf(sy0) && !isInf(y)))
            throw overflow();
          if (isInf(sxx)) sxx = NaN;
          if (isInf(syy)) syy = NaN;
          if (isInf(sxy)) sxy = NaN;
        }
      } else {
        if (!Number.isFinite(x)) sxx = sxy = NaN;
        if (!Number.isFinite(y)) syy = sxy = NaN;
      }
      st[b] = n;
      st[b + 1] = sx;
      st[b + 2] = sxx;
      st[b + 3] = sy;
      st[b + 4] = syy;
      st[b + 5] = sxy;
    }
  }
  combine(other: GroupedAccumulator, groupMap: Int32Array): void {
    const o = other as RegrAcc;
    this.ensure(mapNeeded(groupMap, o.n));
    const st = this.st;
    for (let g = 0; g < o.n; g++) {
      const a = g * 6;
      const n2 = o.st[a]!;
      if (n2 === 0) continue;
      const b = groupMap[g]! * 6;
      const n1 = st[b]!;
      if (n1 === 0) {
        for (let k = 0; k < 6; k++) st[b + k] = o.st[a + k]!;
        continue;
      }
      const n = n1 + n2;
      const sx1 = st[b + 1]!, sx2 = o.st[a + 1]!, sy1 = st[b + 3]!, sy2 = o.st[a + 3]!;
      const t1 = sx1 / n1 - sx2 / n2;
      const t2 = sy1 / n1 - sy2 / n2;
      st[b + 2] = st[b + 2]! + o.st[a + 2]! + (n1 * n2 * t1 * t1) / n;
      st[b + 4] = st[b + 4]! + o.st[a + 4]! + (n1 * n2 * t2 * t2) / n;
      st[b + 5] = st[b + 5]! + o.st[a + 5]! + (n1 * n2 * t1 * t2) / n;
      st[b] = n;
      st[b + 1] = sx1 + sx2;
      st[b + 3] = sy1 + sy2;
    }
  }
  serialize(): unknown {
    return { n: this.n, st: this.st.slice(0, this.n * 6) };
  }
  load(d: { n: number; st: Float64Array }): this {
    this.ensure(d.n);
    this.st.set(d.st);
    return this;
  }
  finalizeGroup(g: number): Value {
    if (g >= this.n) return this.kind === 'regr_count' ? 0 : null;
    const b = g * 6;
    const st = this.st;
    const N = st[b]!, Sx = st[b + 1]!, Sxx = st[b + 2]!, Sy = st[b + 3]!, Syy = st[b + 4]!, Sxy = st[b + 5]!;
    if (this.kind === 'regr_count') return N;
    if (N < 1) return null;
    switch (this.kind) {
      case 'regr_sxx': return Sxx;
      case 'regr_syy': return Syy;
      case 'regr_sxy': return Sxy;
      case 'regr_avgx': return Sx / N;
      case 'regr_avgy': return Sy / N;
      case 'covar_pop': return Sxy / N;
      case 'covar_samp': return N < 2 ? null : Sxy / (N - 1);
      case 'corr': return Sxx === 0 || Syy === 0 ? null : Sxy / Math.sqrt(Sxx * Syy);
      case 'regr_r2': return Sxx === 0 ? null : Syy === 0 ? 1 : (Sxy * Sxy) / (Sxx * Syy);
      case 'regr_slope': return Sxx === 0 ? null : Sxy / Sxx;
      case 'regr_intercept': return Sxx === 0 ? null : (Sy - (Sx * Sxy) / Sxx) / N;
      default: return null;
    }
  }
  finalize(groupCount: number): Vector {
    const out: Value[] = new Array(groupCount);
    for (let g = 0; g < groupCount; g++) out[g] = this.finalizeGroup(g);
    return vectorFromValues(this.kind === 'regr_count' ? T.int8 : T.float8, out);
  }
  resetGroup(g: number): void {
    if (g < this.n) this.st.fill(0, g * 6, g * 6 + 6);
  }
  stateBytes(): number {
    return this.n * 48;
  }
}
