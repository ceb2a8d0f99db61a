/**
 * TimescaleDB's first(value, time) / last(value, time) (src/agg_bookend.c) and
 * histogram(value, min, max, nbuckets) (src/histogram.c).
 *
 * Bookends: a row replaces the state only when its time is strictly smaller
 * (first) / larger (last), so among equal times the earliest row seen wins, and
 * in combine the state already present wins. Rows with a NULL time are ignored
 * (TimescaleDB keeps a NULL-time first row and then compares against it, an
 * artefact of an unchecked NULL; ignoring such rows is what combine does).
 */
import { SqlError, SQLSTATE } from '../errors.js';
import type { SqlType } from '../types/sql-type.js';
import { arrayOf, physicalKind, T } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import { getValue, vectorFromValues } from '../vector.js';
import type { Vector } from '../vector.js';
import { asNumbers, TypedAcc } from './basic.js';
import { comparatorFor, growF64, growI32, growU8, mapNeeded, plainToValue, valueToPlain } from './common.js';
import type { Comparator, GroupedAccumulator } from './common.js';

export class BookendAcc extends TypedAcc {
  seen = new Uint8Array(0);
  // number-layout time / value columns live in typed arrays, others boxed
  tnum = new Float64Array(0);
  tobj: Value[] = [];
  vnum = new Float64Array(0);
  vnull = new Uint8Array(0);
  vobj: Value[] = [];
  private readonly numTime: boolean;
  private readonly floatTime: boolean;
  private readonly numVal: boolean;
  private readonly cmp: Comparator;

  constructor(readonly isLast: boolean, readonly valueType: SqlType, readonly timeType: SqlType) {
    super();
    this.numTime = physicalKind(timeType) === 'number';
    this.floatTime = timeType.id === 'float4' || timeType.id === 'float8';
    this.numVal = physicalKind(valueType) === 'number';
    this.cmp = comparatorFor(timeType);
  }
  protected grow(cap: number): void {
    this.seen = growU8(this.seen, cap);
    if (this.numTime) this.tnum = growF64(this.tnum, cap);
    else while (this.tobj.length < cap) this.tobj.push(null);
    if (this.numVal) {
      this.vnum = growF64(this.vnum, cap);
      this.vnull = growU8(this.vnull, cap);
    } else while (this.vobj.length < cap) this.vobj.push(null);
  }
  /** Does time t beat the group's current time? Strict, so ties keep the older row. */
  private betterNum(t: number, cur: number): boolean {
    if (this.floatTime && (t !== t || cur !== cur)) {
      // NaN is the largest float
      return this.isLast ? t !== t && cur === cur : cur !== cur && t === t;
    }
    return this.isLast ? t > cur : t < cur;
  }
  private betterObj(t: Value, cur: Value): boolean {
    const c = this.cmp(t, cur);
    return this.isLast ? c > 0 : c < 0;
  }
  update(groupIds: Int32Array, args: readonly Vector[], length: number): void {
    this.prepare(groupIds, length);
    const vv = args[0]!;
    const tv = args[1]!;
    const all0 = groupIds.length === 0;
    const seen = this.seen;
    if (this.numTime && this.numVal && !this.floatTime) {
      const ts = asNumbers(tv);
      const vs = asNumbers(vv);
      const tn = this.tnum, vn = this.vnum, vnull = this.vnull;
      const tnulls = ts.nulls, tvals = ts.values, vnulls = vs.nulls, vvals = vs.values;
      const last = this.isLast;
      for (let i = 0; i < length; i++) {
        const g = all0 ? 0 : groupIds[i]!;
        if (g < 0 || (tnulls !== null && tnulls[i] === 1)) continue;
        const t = tvals[i]!;
        if (seen[g] === 1 && (last ? !(t > tn[g]!) : !(t < tn[g]!))) continue;
        seen[g] = 1;
        tn[g] = t;
        if (vnulls !== null && vnulls[i] === 1) vnull[g] = 1;
        else {
          vnull[g] = 0;
          vn[g] = vvals[i]!;
        }
      }
      return;
    }
    for (let i = 0; i < length; i++) {
      const g = all0 ? 0 : groupIds[i]!;
      if (g < 0) continue;
      const t = getValue(tv, i);
      if (t === null) continue;
      if (seen[g] === 1) {
        if (this.numTime ? !this.betterNum(t as number, this.tnum[g]!) : !this.betterObj(t, this.tobj[g]!)) continue;
      }
      this.store(g, t, getValue(vv, i));
    }
  }
  private store(g: number, t: Value, v: Value): void {
    this.seen[g] = 1;
    if (this.numTime) this.tnum[g] = t as number;
    else this.tobj[g] = t;
    if (this.numVal) {
      this.vnull[g] = v === null ? 1 : 0;
      this.vnum[g] = v === null ? 0 : (v as number);
    } else this.vobj[g] = v;
  }
  private timeOf(g: number): Value {
    return this.numTime ? this.tnum[g]! : this.tobj[g]!;
  }
  private valueAt(g: number): Value {
    if (this.numVal) return this.vnull[g] ? null : this.vnum[g]!;
    return this.vobj[g]!;
  }
  combine(other: GroupedAccumulator, groupMap: Int32Array): void {
    const o = other as BookendAcc;
    this.ensure(mapNeeded(groupMap, o.n));
    for (let g = 0; g < o.n; g++) {
      if (!o.seen[g]) continue;
      const t = groupMap[g]!;
      const ot = o.timeOf(g);
      if (this.seen[t]) {
        const better = this.numTime ? this.betterNum(ot as number, this.tnum[t]!) : this.betterObj(ot, this.tobj[t]!);
        if (!better) continue;
      }
      this.store(t, ot, o.valueAt(g));
    }
  }
  serialize(): unknown {
    const k = this.n;
    return {
      n: k,
      seen: this.seen.slice(0, k),
      t: this.numTime ? this.tnum.slice(0, k) : this.tobj.slice(0, k).map(valueToPlain),
      v: this.numVal ? this.vnum.slice(0, k) : this.vobj.slice(0, k).map(valueToPlain),
      vnull: this.numVal ? this.vnull.slice(0, k) : null,
    };
  }
  load(d: { n: number; seen: Uint8Array; t: Float64Array | unknown[]; v: Float64Array | unknown[]; vnull: Uint8Array | null }): this {
    this.ensure(d.n);
    this.seen.set(d.seen);
    if (this.numTime) this.tnum.set(d.t as Float64Array);
    else for (let g = 0; g < d.n; g++) this.tobj[g] = plainToValue((d.t as unknown[])[g]);
    if (this.numVal) {
      this.vnum.set(d.v as Float64Array);
      this.vnull.set(d.vnull!);
    } else for (let g = 0; g < d.n; g++) this.vobj[g] = plainToValue((d.v as unknown[])[g]);
    return this;
  }
  finalizeGroup(g: number): Value {
    return g < this.n && this.seen[g] ? this.valueAt(g) : null;
  }
  finalize(groupCount: number): Vector {
    this.ensure(groupCount);
    if (this.numVal) {
      const values = this.vnum.slice(0, groupCount);
      let nulls: Uint8Array | null = null;
      for (let g = 0; g < groupCount; g++) {
        if (!this.seen[g] || this.vnull[g]) (nulls ??= new Uint8Array(groupCount))[g] = 1;
      }
      return { tag: 'number', type: this.valueType, length: groupCount, values, nulls };
    }
    const out: Value[] = new Array(groupCount);
    for (let g = 0; g < groupCount; g++) out[g] = this.finalizeGroup(g);
    return vectorFromValues(this.valueType, out);
  }
  resetGroup(g: number): void {
    if (g < this.n) this.seen[g] = 0;
  }
  stateBytes(): number {
    return this.n * (this.numTime && this.numVal ? 18 : 64);
  }
}

// ---------------------------------------------------------------- histogram

function wbError(msg: string): SqlError {
  return new SqlError('2201G', msg);
}

export class HistogramAcc extends TypedAcc {
  counts = new Int32Array(0);
  seen = new Uint8Array(0);
  readonly width: number;
  private readonly lo: number;
  private readonly hi: number;
  private readonly nb: number;
  private readonly nullResult: boolean;
  constructor(directArgs: readonly Value[]) {
    super();
    const [lo, hi, nb] = directArgs;
    this.nullResult = lo === null || hi === null || nb === null || lo === undefined;
    this.lo = lo as number;
    this.hi = hi as number;
    this.nb = nb as number;
    this.width = this.nullResult ? 0 : this.nb + 2;
  }
  protected grow(cap: number): void {
    this.counts = growI32(this.counts, cap * this.width);
    this.seen = growU8(this.seen, cap);
  }
  /** TimescaleDB raises these when the first row arrives, so empty inputs never fail. */
  private validate(): void {
    if (this.lo > this.hi) throw new SqlError(SQLSTATE.internalError, 'lower bound cannot exceed upper bound');
    if (this.nb <= 0) throw wbError('count must be greater than zero');
    if (this.lo !== this.lo || this.hi !== this.hi) throw wbError('operand, lower bound, and upper bound cannot be NaN');
    if (!Number.isFinite(this.lo) || !Number.isFinite(this.hi)) throw wbError('lower and upper bounds must be finite');
    if (this.lo === this.hi) throw wbError('lower bound cannot equal upper bound');
  }
  /** width_bucket_float8 of PostgreSQL 15 (min < max is checked already). */
  private bucket(x: number): number {
    if (x !== x) throw wbError('operand, lower bound, and upper bound cannot be NaN');
    if (x < this.lo) return 0;
    if (x >= this.hi) return this.nb + 1;
    const r = Math.trunc((this.nb * (x - this.lo)) / (this.hi - this.lo) + 1);
    return r > this.nb ? this.nb : r < 1 ? 1 : r;
  }
  update(groupIds: Int32Array, args: readonly Vector[], length: number): void {
    if (this.nullResult) return;
    this.prepare(groupIds, length);
    const { values, nulls } = asNumbers(args[0]!);
    const all0 = groupIds.length === 0;
    const w = this.width;
    let validated = false;
    for (let i = 0; i < length; i++) {
      const g = all0 ? 0 : groupIds[i]!;
      // NULL values are skipped (TimescaleDB reads a NULL float8 datum as 0.0)
      if (g < 0 || (nulls !== null && nulls[i] === 1)) continue;
      if (!validated) {
        this.validate();
        validated = true;
      }
      const b = g * w + this.bucket(values[i]!);
      if (this.counts[b]! >= 2147483646) throw new SqlError(SQLSTATE.internalError, 'overflow in histogram');
      this.counts[b]++;
      this.seen[g] = 1;
    }
  }
  combine(other: GroupedAccumulator, groupMap: Int32Array): void {
    const o = other as HistogramAcc;
    if (o.width !== this.width && o.n > 0) throw new SqlError(SQLSTATE.internalError, 'number of buckets must not change between calls');
    this.ensure(mapNeeded(groupMap, o.n));
    const w = this.width;
    for (let g = 0; g < o.n; g++) {
      if (!o.seen[g]) continue;
      const t = groupMap[g]!;
      for (let k = 0; k < w; k++) {
        const s = this.counts[t * w + k]! + o.counts[g * w + k]!;
        if (s >= 2147483647) throw new SqlError(SQLSTATE.internalError, 'overflow in histogram combine');
        this.counts[t * w + k] = s;
      }
      this.seen[t] = 1;
    }
  }
  serialize(): unknown {
    return { n: this.n, width: this.width, counts: this.counts.slice(0, this.n * this.width), seen: this.seen.slice(0, this.n) };
  }
  load(d: { n: number; counts: Int32Array; seen: Uint8Array }): this {
    this.ensure(d.n);
    this.counts.set(d.counts);
    this.seen.set(d.seen);
    return this;
  }
  finalizeGroup(g: number): Value {
    if (g >= this.n || !this.seen[g]) return null;
    return Array.from(this.counts.subarray(g * this.width, (g + 1) * this.width));
  }
  finalize(groupCount: number): Vector {
    const out: Value[] = new Array(groupCount);
    for (let g = 0; g < groupCount; g++) out[g] = this.finalizeGroup(g);
    return vectorFromValues(arrayOf(T.int4), out);
  }
  resetGroup(g: number): void {
    if (g >= this.n) return;
    this.seen[g] = 0;
    this.counts.fill(0, g * this.width, (g + 1) * this.width);
  }
  stateBytes(): number {
    return this.n * (this.width * 4 + 1);
  }
}
