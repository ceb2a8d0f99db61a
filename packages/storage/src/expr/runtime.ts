/**
 * Run-time support shared by the compiled closures: evaluating a
 * sub-expression on a subset of rows (lazy CASE / AND / OR / COALESCE),
 * scattering partial results into an output vector, constant vectors and
 * per-statement caches.
 */
import type { SqlType } from '../types/sql-type.js';
import { physicalKind } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import type { Batch, BoolVector, Vector } from '../vector.js';
import { constantVector, getValue, takeVector } from '../vector.js';
import type { CompiledExpr, EvalContext } from './expr.js';
import { T } from '../types/sql-type.js';

export interface Compiled {
  readonly run: CompiledExpr;
  /** batch columns the expression reads (a sub-batch only needs these gathered) */
  readonly refs: readonly number[];
  /** same value for every row under one EvalContext: no columns, nothing volatile */
  readonly invariant: boolean;
}

export function unionRefs(parts: readonly Compiled[]): number[] {
  const s = new Set<number>();
  for (const p of parts) for (const r of p.refs) s.add(r);
  return [...s].sort((a, b) => a - b);
}

/** Rows sel[0..count) of the batch, gathering only the columns in `refs`. */
export function subBatch(batch: Batch, sel: Int32Array, count: number, refs: readonly number[]): Batch {
  if (refs.length === 0) return { length: count, columns: batch.columns };
  const columns = batch.columns.slice();
  for (const r of refs) columns[r] = takeVector(batch.columns[r]!, sel, count);
  return { length: count, columns };
}

/** Evaluate on a subset of rows; sel === null means every row. */
export function evalOn(c: Compiled, batch: Batch, sel: Int32Array | null, count: number, ctx: EvalContext): Vector {
  if (sel === null || count === batch.length) return c.run(batch, ctx);
  return c.run(subBatch(batch, sel, count, c.refs), ctx);
}

/** Builds a vector of `type` by scattering partial results; unwritten rows are NULL. */
export class OutBuilder {
  private readonly kind: 'number' | 'bool' | 'value';
  private readonly f64: Float64Array | null = null;
  private readonly u8: Uint8Array | null = null;
  private readonly nulls: Uint8Array | null = null;
  private readonly vals: Value[] | null = null;

  constructor(
    readonly type: SqlType,
    readonly length: number,
  ) {
    const k = physicalKind(type);
    if (k === 'number') {
      this.kind = 'number';
      this.f64 = new Float64Array(length);
      this.nulls = new Uint8Array(length).fill(1);
    } else if (k === 'bool') {
      this.kind = 'bool';
      this.u8 = new Uint8Array(length);
      this.nulls = new Uint8Array(length).fill(1);
    } else {
      this.kind = 'value';
      this.vals = new Array<Value>(length).fill(null);
    }
  }

  /** out[sel[j]] = src[j] for j < count; sel === null means out[j] = src[j]. */
  scatter(src: Vector, sel: Int32Array | null, count: number): void {
    if (this.kind === 'number' && src.tag === 'number') {
      const d = this.f64!;
      const dn = this.nulls!;
      const s = src.values;
      const sn = src.nulls;
      if (sel === null) {
        d.set(s.subarray(0, count));
        if (sn === null) dn.fill(0, 0, count);
        else dn.set(sn.subarray(0, count));
      } else
        for (let j = 0; j < count; j++) {
          const r = sel[j]!;
          d[r] = s[j]!;
          dn[r] = sn === null ? 0 : sn[j]!;
        }
      return;
    }
    if (this.kind === 'bool' && src.tag === 'bool') {
      const d = this.u8!;
      const dn = this.nulls!;
      const s = src.values;
      const sn = src.nulls;
      for (let j = 0; j < count; j++) {
        const r = sel === null ? j : sel[j]!;
        d[r] = s[j]!;
        dn[r] = sn === null ? 0 : sn[j]!;
      }
      return;
    }
    if (this.kind === 'value' && src.tag === 'dict') {
      const d = this.vals!;
      const { codes, dict, nulls } = src;
      for (let j = 0; j < count; j++) d[sel === null ? j : sel[j]!] = nulls !== null && nulls[j] === 1 ? null : dict[codes[j]!]!;
      return;
    }
    for (let j = 0; j < count; j++) this.set(sel === null ? j : sel[j]!, getValue(src, j));
  }

  set(r: number, v: Value): void {
    if (this.kind === 'value') this.vals![r] = v;
    else if (v === null) this.nulls![r] = 1;
    else {
      this.nulls![r] = 0;
      if (this.kind === 'number') this.f64![r] = v as number;
      else this.u8![r] = v ? 1 : 0;
    }
  }

  finish(): Vector {
    const n = this.length;
    if (this.kind === 'value') return { tag: 'object', type: this.type, length: n, values: this.vals! };
    const nulls = this.nulls!.includes(1) ? this.nulls : null;
    if (this.kind === 'number') return { tag: 'number', type: this.type, length: n, values: this.f64!, nulls };
    return { tag: 'bool', type: this.type, length: n, values: this.u8!, nulls };
  }
}

/** Booleans in the bool layout whatever produced them. */
export function asBool(v: Vector): BoolVector {
  if (v.tag === 'bool') return v;
  const n = v.length;
  const values = new Uint8Array(n);
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const x = getValue(v, i);
    if (x === null) (nulls ??= new Uint8Array(n))[i] = 1;
    else values[i] = x ? 1 : 0;
  }
  return { tag: 'bool', type: T.bool, length: n, values, nulls };
}

export function boolVec(values: Uint8Array, nulls: Uint8Array | null, type: SqlType = T.bool): BoolVector {
  return { tag: 'bool', type, length: values.length, values, nulls };
}

/** One reusable constant vector per (value, length): constants are not rebuilt per batch. */
export class ConstVectors {
  private value: Value | undefined = undefined;
  private vec: Vector | null = null;
  constructor(private readonly type: SqlType) {}
  get(value: Value, length: number): Vector {
    if (this.vec !== null && this.vec.length === length && this.value === value) return this.vec;
    this.value = value;
    this.vec = constantVector(this.type, value, length);
    return this.vec;
  }
}

const fallbackCaches = new WeakMap<EvalContext, Map<unknown, unknown>>();

/** Scratch shared by everything evaluated for one statement (uncorrelated subquery results, folded constants). */
export function statementCache(ctx: EvalContext): Map<unknown, unknown> {
  if (ctx.cache !== undefined) return ctx.cache;
  let m = fallbackCaches.get(ctx);
  if (m === undefined) {
    m = new Map();
    fallbackCaches.set(ctx, m);
  }
  return m;
}

/** Rows of `sel` (or all rows) where mask[row] is set, as a new selection. */
export function refine(sel: Int32Array | null, count: number, pick: (j: number) => boolean): { sel: Int32Array; count: number } {
  const out = new Int32Array(count);
  let k = 0;
  for (let j = 0; j < count; j++) if (pick(j)) out[k++] = sel === null ? j : sel[j]!;
  return { sel: out, count: k };
}
