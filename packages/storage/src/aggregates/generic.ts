/**
 * Aggregates whose per-group state is a boxed value: sum/avg of numeric and
 * interval, min/max of non-number layouts (text, numeric, interval, arrays),
 * bool_and/bool_or, bit_and/bit_or/bit_xor. Not on the TSBS hot path.
 */
import { SqlError, SQLSTATE } from '../errors.js';
import { Decimal } from '../types/numeric.js';
import type { SqlType } from '../types/sql-type.js';
import { T } from '../types/sql-type.js';
import type { Interval, Value } from '../types/values.js';
import { getValue, vectorFromValues } from '../vector.js';
import type { Vector } from '../vector.js';
import { TypedAcc } from './basic.js';
import { comparatorFor, growF64, growU8, intervalAdd, intervalDiv, mapNeeded, plainToValue, valueToPlain } from './common.js';
import type { Comparator, GroupedAccumulator } from './common.js';

/** Per-group boxed state + count; subclasses define how a value folds in. */
abstract class BoxedAcc extends TypedAcc {
  vals: Value[] = [];
  counts = new Float64Array(0);
  protected grow(cap: number): void {
    this.counts = growF64(this.counts, cap);
    for (let i = this.vals.length; i < cap; i++) this.vals.push(null);
  }
  protected abstract fold(cur: Value, x: Value): Value;
  /** Folding one partial state into another; the same as fold for these aggregates. */
  protected foldState(cur: Value, x: Value): Value {
    return this.fold(cur, x);
  }
  protected abstract result(state: Value, count: number): Value;
  abstract readonly type: SqlType;

  update(groupIds: Int32Array, args: readonly Vector[], length: number): void {
    this.prepare(groupIds, length);
    const v = args[0]!;
    const all0 = groupIds.length === 0;
    for (let i = 0; i < length; i++) {
      const g = all0 ? 0 : groupIds[i]!;
      if (g < 0) continue;
      const x = getValue(v, i);
      if (x === null) continue;
      this.vals[g] = this.counts[g] === 0 ? x : this.fold(this.vals[g]!, x);
      this.counts[g]++;
    }
  }
  combine(other: GroupedAccumulator, groupMap: Int32Array): void {
    const o = other as BoxedAcc;
    this.ensure(mapNeeded(groupMap, o.n));
    for (let g = 0; g < o.n; g++) {
      if (o.counts[g] === 0) continue;
      const t = groupMap[g]!;
      this.vals[t] = this.counts[t] === 0 ? o.vals[g]! : this.foldState(this.vals[t]!, o.vals[g]!);
      this.counts[t] += o.counts[g]!;
    }
  }
  serialize(): unknown {
    return { n: this.n, vals: this.vals.slice(0, this.n).map(valueToPlain), counts: this.counts.slice(0, this.n) };
  }
  load(d: { n: number; vals: unknown[]; counts: Float64Array }): this {
    this.ensure(d.n);
    this.counts.set(d.counts);
    for (let g = 0; g < d.n; g++) this.vals[g] = plainToValue(d.vals[g]);
    return this;
  }
  finalize(groupCount: number): Vector {
    const out: Value[] = new Array(groupCount);
    for (let g = 0; g < groupCount; g++) out[g] = this.finalizeGroup(g);
    return vectorFromValues(this.type, out);
  }
  finalizeGroup(g: number): Value {
    if (g >= this.n || this.counts[g] === 0) return null;
    return this.result(this.vals[g]!, this.counts[g]!);
  }
  resetGroup(g: number): void {
    if (g >= this.n) return;
    this.vals[g] = null;
    this.counts[g] = 0;
  }
  stateBytes(): number {
    return this.n * 48;
  }
}

/** sum/avg(numeric): exact Decimal sums (NaN and ±Infinity propagate as PostgreSQL's). */
export class NumericSumAcc extends BoxedAcc {
  readonly type = T.numeric;
  constructor(readonly avg: boolean) {
    super();
  }
  protected fold(cur: Value, x: Value): Value {
    return (cur as Decimal).add(x as Decimal);
  }
  protected result(state: Value, count: number): Value {
    return this.avg ? (state as Decimal).div(Decimal.fromInt(count)) : state;
  }
}

/** sum/avg(interval): field-wise sums; avg divides with interval_div. */
export class IntervalSumAcc extends BoxedAcc {
  readonly type = T.interval;
  constructor(readonly avg: boolean) {
    super();
  }
  protected fold(cur: Value, x: Value): Value {
    return intervalAdd(cur as Interval, x as Interval);
  }
  protected result(state: Value, count: number): Value {
    return this.avg ? intervalDiv(state as Interval, count) : state;
  }
}

/**
 * min/max over any comparable type. Ties take the newer value, as
 * numeric_larger/interval_larger return their second argument (1.0 vs 1.00).
 */
export class MinMaxAnyAcc extends BoxedAcc {
  private readonly cmp: Comparator;
  constructor(readonly isMax: boolean, readonly type: SqlType) {
    super();
    this.cmp = comparatorFor(type);
  }
  protected fold(cur: Value, x: Value): Value {
    const c = this.cmp(cur, x);
    return (this.isMax ? c > 0 : c < 0) ? cur : x;
  }
  protected result(state: Value): Value {
    return state;
  }
}

// ---------------------------------------------------------------- bool_and / bool_or

/** State byte: 0 = no input, 1 = false, 2 = true; and = min, or = max. */
export class BoolAcc extends TypedAcc {
  st = new Uint8Array(0);
  constructor(readonly isOr: boolean) {
    super();
  }
  protected grow(cap: number): void {
    this.st = growU8(this.st, cap);
  }
  private put(g: number, s: number): void {
    const cur = this.st[g]!;
    if (cur === 0 || (this.isOr ? s > cur : s < cur)) this.st[g] = s;
  }
  update(groupIds: Int32Array, args: readonly Vector[], length: number): void {
    this.prepare(groupIds, length);
    const v = args[0]!;
    const all0 = groupIds.length === 0;
    for (let i = 0; i < length; i++) {
      const g = all0 ? 0 : groupIds[i]!;
      if (g < 0) continue;
      let s: number;
      if (v.tag === 'bool') {
        if (v.nulls !== null && v.nulls[i] === 1) continue;
        s = v.values[i]! + 1;
      } else {
        const x = getValue(v, i);
        if (x === null) continue;
        s = x ? 2 : 1;
      }
      this.put(g, s);
    }
  }
  combine(other: GroupedAccumulator, groupMap: Int32Array): void {
    const o = other as BoolAcc;
    this.ensure(mapNeeded(groupMap, o.n));
    for (let g = 0; g < o.n; g++) if (o.st[g]) this.put(groupMap[g]!, o.st[g]!);
  }
  serialize(): unknown {
    return { n: this.n, st: this.st.slice(0, this.n) };
  }
  load(d: { n: number; st: Uint8Array }): this {
    this.ensure(d.n);
    this.st.set(d.st);
    return this;
  }
  finalize(groupCount: number): Vector {
    this.ensure(groupCount);
    const values = new Uint8Array(groupCount);
    let nulls: Uint8Array | null = null;
    for (let g = 0; g < groupCount; g++) {
      const s = this.st[g]!;
      if (s === 0) (nulls ??= new Uint8Array(groupCount))[g] = 1;
      else values[g] = s - 1;
    }
    return { tag: 'bool', type: T.bool, length: groupCount, values, nulls };
  }
  finalizeGroup(g: number): Value {
    const s = g < this.n ? this.st[g]! : 0;
    return s === 0 ? null : s === 2;
  }
  resetGroup(g: number): void {
    if (g < this.n) this.st[g] = 0;
  }
  stateBytes(): number {
    return this.n;
  }
}

// ---------------------------------------------------------------- bit_and / bit_or / bit_xor

export class BitAcc extends BoxedAcc {
  private readonly bits: number;
  constructor(readonly op: 'and' | 'or' | 'xor', readonly type: SqlType) {
    super();
    this.bits = type.id === 'int2' ? 16 : type.id === 'int4' ? 32 : 64;
  }
  protected fold(cur: Value, x: Value): Value {
    // two's complement at the type's width; int8 goes through BigInt to keep 64 bits
    const a = BigInt(cur as number);
    const b = BigInt(x as number);
    const r = this.op === 'and' ? a & b : this.op === 'or' ? a | b : a ^ b;
    return Number(BigInt.asIntN(this.bits, r));
  }
  protected result(state: Value): Value {
    return state;
  }
}

export function notSupported(what: string): SqlError {
  return new SqlError(SQLSTATE.featureNotSupported, what);
}
