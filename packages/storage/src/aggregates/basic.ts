/**
 * The hot aggregates: count, sum, avg, min, max over number-layout columns.
 * State is one typed array per field indexed by group id; update loops are
 * specialised for "no NULLs" and "single group" (groupIds.length === 0).
 */
import { SqlError, SQLSTATE } from '../errors.js';
import { Decimal } from '../types/numeric.js';
import type { SqlType } from '../types/sql-type.js';
import { T } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import { getValue } from '../vector.js';
import type { NumberVector, Vector } from '../vector.js';
import { groupsNeeded, growF64, growU8, mapNeeded, nextCap, TWO53 } from './common.js';
import type { GroupedAccumulator } from './common.js';

/** Capacity bookkeeping shared by the typed-array accumulators. */
export abstract class TypedAcc implements GroupedAccumulator {
  /** Groups touched so far (highest id + 1). */
  n = 0;
  cap = 0;
  protected abstract grow(cap: number): void;
  abstract update(groupIds: Int32Array, args: readonly Vector[], length: number): void;
  abstract combine(other: GroupedAccumulator, groupMap: Int32Array): void;
  abstract serialize(): unknown;
  abstract finalizeGroup(group: number): Value;
  abstract resetGroup(group: number): void;
  abstract stateBytes(): number;
  abstract finalize(groupCount: number): Vector;
  /** Restore a serialize() snapshot into this (fresh) accumulator. */
  abstract load(data: never): this;

  ensure(need: number): void {
    if (need <= this.n) return;
    if (need > this.cap) {
      const c = nextCap(this.cap, need);
      this.grow(c);
      this.cap = c;
    }
    this.n = need;
  }
  protected prepare(groupIds: Int32Array, length: number): void {
    this.ensure(groupsNeeded(groupIds, length));
  }
}

/** A column's values as a Float64Array + null bytes, converting other layouts (cold path). */
export function asNumbers(v: Vector): { values: Float64Array; nulls: Uint8Array | null } {
  if (v.tag === 'number') return v;
  const values = new Float64Array(v.length);
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < v.length; i++) {
    const x = getValue(v, i);
    if (x === null) (nulls ??= new Uint8Array(v.length))[i] = 1;
    else values[i] = typeof x === 'number' ? x : Number(x);
  }
  return { values, nulls };
}

function numberVector(type: SqlType, values: Float64Array, nulls: Uint8Array | null): NumberVector {
  return { tag: 'number', type, length: values.length, values, nulls };
}

// ---------------------------------------------------------------- count

export class CountAcc extends TypedAcc {
  counts = new Float64Array(0);
  /** count(*) when true: every row counts. */
  constructor(readonly star: boolean) {
    super();
  }
  protected grow(cap: number): void {
    this.counts = growF64(this.counts, cap);
  }
  update(groupIds: Int32Array, args: readonly Vector[], length: number): void {
    this.prepare(groupIds, length);
    const c = this.counts;
    const v = this.star ? null : args[0]!;
    let nulls: Uint8Array | null = null;
    let objs: readonly Value[] | null = null;
    if (v) {
      if (v.tag === 'object') objs = v.values;
      else nulls = v.nulls;
    }
    if (groupIds.length === 0) {
      let k = length;
      if (nulls) for (let i = 0; i < length; i++) k -= nulls[i]!;
      else if (objs) for (let i = 0; i < length; i++) if (objs[i] === null) k--;
      c[0] += k;
      return;
    }
    if (nulls) {
      for (let i = 0; i < length; i++) {
        const g = groupIds[i]!;
        if (g >= 0 && nulls[i] === 0) c[g]++;
      }
    } else if (objs) {
      for (let i = 0; i < length; i++) {
        const g = groupIds[i]!;
        if (g >= 0 && objs[i] !== null) c[g]++;
      }
    } else {
      for (let i = 0; i < length; i++) {
        const g = groupIds[i]!;
        if (g >= 0) c[g]++;
      }
    }
  }
  combine(other: GroupedAccumulator, groupMap: Int32Array): void {
    const o = other as CountAcc;
    this.ensure(mapNeeded(groupMap, o.n));
    for (let g = 0; g < o.n; g++) this.counts[groupMap[g]!] += o.counts[g]!;
  }
  serialize(): unknown {
    return { n: this.n, counts: this.counts.slice(0, this.n) };
  }
  load(d: { n: number; counts: Float64Array }): this {
    this.ensure(d.n);
    this.counts.set(d.counts);
    return this;
  }
  finalize(groupCount: number): Vector {
    this.ensure(groupCount);
    return numberVector(T.int8, this.counts.slice(0, groupCount), null);
  }
  finalizeGroup(g: number): Value {
    return g < this.n ? this.counts[g]! : 0;
  }
  resetGroup(g: number): void {
    if (g < this.n) this.counts[g] = 0;
  }
  stateBytes(): number {
    return this.n * 8;
  }
}

// ---------------------------------------------------------------- min / max

export class MinMaxNumAcc extends TypedAcc {
  vals = new Float64Array(0);
  seen = new Uint8Array(0);
  // min starts at NaN so the first value always wins (x < NaN is false, NaN !== NaN);
  // max starts at -Infinity; NaN is the largest float in PostgreSQL's order
  private readonly init: number;
  constructor(readonly isMax: boolean, readonly type: SqlType) {
    super();
    this.init = isMax ? -Infinity : NaN;
  }
  protected grow(cap: number): void {
    this.vals = growF64(this.vals, cap, this.init);
    this.seen = growU8(this.seen, cap);
  }
  update(groupIds: Int32Array, args: readonly Vector[], length: number): void {
    const { values: v, nulls } = asNumbers(args[0]!);
    if (groupIds.length === 0) {
      if (length === 0) return;
      this.ensure(1);
      const m = this.vals;
      const seen = this.seen;
      let best = m[0]!;
      let any = 0;
      if (this.isMax) {
        for (let i = 0; i < length; i++) {
          if (nulls !== null && nulls[i] === 1) continue;
          const x = v[i]!;
          if (x > best || x !== x) best = x;
          any = 1;
        }
      } else {
        for (let i = 0; i < length; i++) {
          if (nulls !== null && nulls[i] === 1) continue;
          const x = v[i]!;
          if (x < best || best !== best) best = x;
          any = 1;
        }
      }
      if (any) {
        m[0] = best;
        seen[0] = 1;
      }
      return;
    }
    if (nulls === null) {
      // growth is folded into the loop: (g >>> 0) >= hi catches both g < 0 and a new group in one compare
      let hi = this.n;
      let m = this.vals;
      let seen = this.seen;
      if (this.isMax) {
        for (let i = 0; i < length; i++) {
          const g = groupIds[i]!;
          if (g >>> 0 >= hi) {
            if (g < 0) continue;
            this.ensure(g + 1);
            hi = this.n;
            m = this.vals;
            seen = this.seen;
          }
          const x = v[i]!;
          if (x > m[g]! || x !== x) m[g] = x;
          seen[g] = 1;
        }
      } else {
        for (let i = 0; i < length; i++) {
          const g = groupIds[i]!;
          if (g >>> 0 >= hi) {
            if (g < 0) continue;
            this.ensure(g + 1);
            hi = this.n;
            m = this.vals;
            seen = this.seen;
          }
          const x = v[i]!;
          const cur = m[g]!;
          if (x < cur || cur !== cur) m[g] = x;
          seen[g] = 1;
        }
      }
      return;
    }
    this.prepare(groupIds, length);
    const m = this.vals;
    const seen = this.seen;
    for (let i = 0; i < length; i++) {
      const g = groupIds[i]!;
      if (g < 0 || nulls[i] === 1) continue;
      const x = v[i]!;
      const cur = m[g]!;
      if (this.isMax ? x > cur || x !== x : x < cur || cur !== cur) m[g] = x;
      seen[g] = 1;
    }
  }
  combine(other: GroupedAccumulator, groupMap: Int32Array): void {
    const o = other as MinMaxNumAcc;
    this.ensure(mapNeeded(groupMap, o.n));
    for (let g = 0; g < o.n; g++) {
      if (!o.seen[g]) continue;
      this.merge(groupMap[g]!, o.vals[g]!);
    }
  }
  private merge(t: number, x: number): void {
    const cur = this.vals[t]!;
    if (!this.seen[t] || (this.isMax ? x > cur || x !== x : x < cur || cur !== cur)) this.vals[t] = x;
    this.seen[t] = 1;
  }
  serialize(): unknown {
    return { n: this.n, vals: this.vals.slice(0, this.n), seen: this.seen.slice(0, this.n) };
  }
  load(d: { n: number; vals: Float64Array; seen: Uint8Array }): this {
    this.ensure(d.n);
    this.vals.set(d.vals);
    this.seen.set(d.seen);
    return this;
  }
  finalize(groupCount: number): Vector {
    this.ensure(groupCount);
    const nulls = new Uint8Array(groupCount);
    let anyNull = false;
    for (let g = 0; g < groupCount; g++) if (!this.seen[g]) (nulls[g] = 1), (anyNull = true);
    return numberVector(this.type, this.vals.slice(0, groupCount), anyNull ? nulls : null);
  }
  finalizeGroup(g: number): Value {
    return g < this.n && this.seen[g] ? this.vals[g]! : null;
  }
  resetGroup(g: number): void {
    if (g >= this.n) return;
    this.vals[g] = this.init;
    this.seen[g] = 0;
  }
  stateBytes(): number {
    return this.n * 9;
  }
}

// ---------------------------------------------------------------- float sum / avg

/** sum(float4|float8) → same type, avg(float4|float8) → float8: a running double sum and a count. */
export class FloatSumAcc extends TypedAcc {
  sums = new Float64Array(0);
  counts = new Float64Array(0);
  constructor(readonly avg: boolean, readonly float4Sum: boolean) {
    super();
  }
  protected grow(cap: number): void {
    this.sums = growF64(this.sums, cap);
    this.counts = growF64(this.counts, cap);
  }
  update(groupIds: Int32Array, args: readonly Vector[], length: number): void {
    const { values: v, nulls } = asNumbers(args[0]!);
    if (groupIds.length === 0 || nulls !== null || this.float4Sum) this.prepare(groupIds, length);
    const s = this.sums;
    const c = this.counts;
    if (this.float4Sum) {
      // float4pl rounds every partial sum to single precision
      for (let i = 0; i < length; i++) {
        const g = groupIds.length === 0 ? 0 : groupIds[i]!;
        if (g < 0 || (nulls !== null && nulls[i] === 1)) continue;
        s[g] = Math.fround(s[g]! + v[i]!);
        c[g]++;
      }
      return;
    }
    if (groupIds.length === 0) {
      let acc = s[0]!;
      let k = 0;
      if (nulls === null) {
        for (let i = 0; i < length; i++) acc += v[i]!;
        k = length;
      } else {
        for (let i = 0; i < length; i++) {
          if (nulls[i] === 0) {
            acc += v[i]!;
            k++;
          }
        }
      }
      s[0] = acc;
      c[0] += k;
      return;
    }
    if (nulls === null) {
      let hi = this.n;
      let ss = s;
      let cc = c;
      for (let i = 0; i < length; i++) {
        const g = groupIds[i]!;
        if (g >>> 0 >= hi) {
          if (g < 0) continue;
          this.ensure(g + 1);
          hi = this.n;
          ss = this.sums;
          cc = this.counts;
        }
        ss[g] += v[i]!;
        cc[g]++;
      }
    } else {
      for (let i = 0; i < length; i++) {
        const g = groupIds[i]!;
        if (g < 0 || nulls[i] === 1) continue;
        s[g] += v[i]!;
        c[g]++;
      }
    }
  }
  combine(other: GroupedAccumulator, groupMap: Int32Array): void {
    const o = other as FloatSumAcc;
    this.ensure(mapNeeded(groupMap, o.n));
    for (let g = 0; g < o.n; g++) {
      if (o.counts[g] === 0) continue;
      const t = groupMap[g]!;
      const sum = this.sums[t]! + o.sums[g]!;
      this.sums[t] = this.float4Sum ? Math.fround(sum) : sum;
      this.counts[t] += o.counts[g]!;
    }
  }
  serialize(): unknown {
    return { n: this.n, sums: this.sums.slice(0, this.n), counts: this.counts.slice(0, this.n) };
  }
  load(d: { n: number; sums: Float64Array; counts: Float64Array }): this {
    this.ensure(d.n);
    this.sums.set(d.sums);
    this.counts.set(d.counts);
    return this;
  }
  finalize(groupCount: number): Vector {
    this.ensure(groupCount);
    const out = new Float64Array(groupCount);
    let nulls: Uint8Array | null = null;
    for (let g = 0; g < groupCount; g++) {
      const k = this.counts[g]!;
      if (k === 0) (nulls ??= new Uint8Array(groupCount))[g] = 1;
      else out[g] = this.avg ? this.sums[g]! / k : this.sums[g]!;
    }
    return numberVector(this.float4Sum ? T.float4 : T.float8, out, nulls);
  }
  finalizeGroup(g: number): Value {
    if (g >= this.n || this.counts[g] === 0) return null;
    return this.avg ? this.sums[g]! / this.counts[g]! : this.sums[g]!;
  }
  resetGroup(g: number): void {
    if (g >= this.n) return;
    this.sums[g] = 0;
    this.counts[g] = 0;
  }
  stateBytes(): number {
    return this.n * 16;
  }
}

// ---------------------------------------------------------------- exact integer sum / avg

/**
 * sum/avg of int2/int4/int8: a double per group while |sum| < 2^53 (exact), and
 * a BigInt overflow part per group once a partial sum reaches 2^53.
 */
export class IntSumAcc extends TypedAcc {
  sums = new Float64Array(0);
  counts = new Float64Array(0);
  big: Map<number, bigint> | null = null;
  /** resultNumeric: sum(int8) → numeric; otherwise sum → int8. avg always numeric. */
  constructor(readonly avg: boolean, readonly resultNumeric: boolean) {
    super();
  }
  protected grow(cap: number): void {
    this.sums = growF64(this.sums, cap);
    this.counts = growF64(this.counts, cap);
  }
  private spill(g: number, a: number, b: number): void {
    const big = (this.big ??= new Map());
    big.set(g, (big.get(g) ?? 0n) + BigInt(a) + BigInt(b));
    this.sums[g] = 0;
  }
  update(groupIds: Int32Array, args: readonly Vector[], length: number): void {
    this.prepare(groupIds, length);
    const { values: v, nulls } = asNumbers(args[0]!);
    const s = this.sums;
    const c = this.counts;
    const all0 = groupIds.length === 0;
    for (let i = 0; i < length; i++) {
      const g = all0 ? 0 : groupIds[i]!;
      if (g < 0 || (nulls !== null && nulls[i] === 1)) continue;
      const x = v[i]!;
      const t = s[g]! + x;
      // a double sum of two exact integers is exact unless its magnitude reaches 2^53
      if (t >= TWO53 || t <= -TWO53) this.spill(g, s[g]!, x);
      else s[g] = t;
      c[g]++;
    }
  }
  combine(other: GroupedAccumulator, groupMap: Int32Array): void {
    const o = other as IntSumAcc;
    this.ensure(mapNeeded(groupMap, o.n));
    for (let g = 0; g < o.n; g++) {
      if (o.counts[g] === 0) continue;
      const t = groupMap[g]!;
      const sum = this.sums[t]! + o.sums[g]!;
      if (sum >= TWO53 || sum <= -TWO53) this.spill(t, this.sums[t]!, o.sums[g]!);
      else this.sums[t] = sum;
      const ob = o.big?.get(g);
      if (ob !== undefined) {
        const big = (this.big ??= new Map());
        big.set(t, (big.get(t) ?? 0n) + ob);
      }
      this.counts[t] += o.counts[g]!;
    }
  }
  serialize(): unknown {
    const big: [number, string][] = [];
    if (this.big) for (const [g, b] of this.big) big.push([g, b.toString()]);
    return { n: this.n, sums: this.sums.slice(0, this.n), counts: this.counts.slice(0, this.n), big };
  }
  load(d: { n: number; sums: Float64Array; counts: Float64Array; big: [number, string][] }): this {
    this.ensure(d.n);
    this.sums.set(d.sums);
    this.counts.set(d.counts);
    if (d.big.length > 0) this.big = new Map(d.big.map(([g, s]) => [g, BigInt(s)]));
    return this;
  }
  private total(g: number): number | bigint {
    const b = this.big?.get(g);
    return b === undefined ? this.sums[g]! : b + BigInt(this.sums[g]!);
  }
  finalize(groupCount: number): Vector {
    this.ensure(groupCount);
    if (!this.avg && !this.resultNumeric) {
      const out = new Float64Array(groupCount);
      let nulls: Uint8Array | null = null;
      for (let g = 0; g < groupCount; g++) {
        if (this.counts[g] === 0) (nulls ??= new Uint8Array(groupCount))[g] = 1;
        else out[g] = this.finalizeGroup(g) as number;
      }
      return numberVector(T.int8, out, nulls);
    }
    const values: Value[] = new Array(groupCount);
    for (let g = 0; g < groupCount; g++) values[g] = this.finalizeGroup(g);
    return { tag: 'object', type: T.numeric, length: groupCount, values };
  }
  finalizeGroup(g: number): Value {
    if (g >= this.n || this.counts[g] === 0) return null;
    const t = this.total(g);
    if (this.avg) return Decimal.fromInt(t).div(Decimal.fromInt(this.counts[g]!));
    if (this.resultNumeric) return Decimal.fromInt(t);
    // int8 values are plain doubles at run time, exact only within ±2^53
    if (typeof t === 'bigint') {
      if (t > 9007199254740992n || t < -9007199254740992n) throw new SqlError(SQLSTATE.numericValueOutOfRange, 'bigint out of range');
      return Number(t);
    }
    return t;
  }
  resetGroup(g: number): void {
    if (g >= this.n) return;
    this.sums[g] = 0;
    this.counts[g] = 0;
    this.big?.delete(g);
  }
  stateBytes(): number {
    return this.n * 16 + (this.big?.size ?? 0) * 48;
  }
}
