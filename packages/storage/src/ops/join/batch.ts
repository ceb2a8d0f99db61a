/** Batch-level helpers shared by the access-node operators. */
import type { SqlType } from '../../types/sql-type.js';
import type { Value } from '../../types/values.js';
import type { Batch, Vector } from '../../vector.js';
import { concatVectors, constantVector, emptyVector, getValue, sliceVector, takeVector, vectorFromValues } from '../../vector.js';
import type { CompiledExpr, EvalContext, ExprNode } from '../../expr/expr.js';
import { BATCH_ROWS } from './types.js';

export function takeBatch(b: Batch, sel: Int32Array, count: number = sel.length): Batch {
  return { length: count, columns: b.columns.map((c) => takeVector(c, sel, count)) };
}

export function concatBatches(types: readonly SqlType[], parts: readonly Batch[]): Batch {
  const nonEmpty = parts.filter((p) => p.length > 0);
  if (nonEmpty.length === 0) return { length: 0, columns: types.map(emptyVector) };
  if (nonEmpty.length === 1) return nonEmpty[0]!;
  let length = 0;
  for (const p of nonEmpty) length += p.length;
  return { length, columns: types.map((t, c) => concatVectors(t, nonEmpty.map((p) => p.columns[c]!))) };
}

/** Drain a source into one batch (build sides, window input). */
export function drain(types: readonly SqlType[], batches: Iterable<Batch>): Batch {
  const parts: Batch[] = [];
  for (const b of batches) if (b.length > 0) parts.push(b);
  return concatBatches(types, parts);
}

/** Split a batch into ≤ BATCH_ROWS pieces without copying typed buffers. */
export function* chunks(b: Batch, size: number = BATCH_ROWS): Generator<Batch> {
  if (b.length <= size) {
    if (b.length > 0) yield b;
    return;
  }
  for (let s = 0; s < b.length; s += size) {
    const e = Math.min(b.length, s + size);
    yield { length: e - s, columns: b.columns.map((c) => sliceVector(c, s, e)) };
  }
}

export function nullColumns(types: readonly SqlType[], length: number): Vector[] {
  return types.map((t) => constantVector(t, null, length));
}

/**
 * Gather rows by index where a negative index yields NULL (outer-join padding,
 * lag/lead beyond the partition).
 */
export function takeOrNull(v: Vector, idx: Int32Array, count: number = idx.length): Vector {
  let anyNeg = false;
  for (let i = 0; i < count; i++) if (idx[i]! < 0) { anyNeg = true; break; }
  if (!anyNeg) return takeVector(v, idx, count);
  const safe = new Int32Array(count);
  for (let i = 0; i < count; i++) safe[i] = idx[i]! < 0 ? 0 : idx[i]!;
  if (v.length === 0) return constantVector(v.type, null, count);
  const out = takeVector(v, safe, count);
  if (out.tag === 'object') {
    const vals = out.values as Value[];
    for (let i = 0; i < count; i++) if (idx[i]! < 0) vals[i] = null;
    return out;
  }
  const nulls = out.nulls ?? new Uint8Array(count);
  for (let i = 0; i < count; i++) if (idx[i]! < 0) nulls[i] = 1;
  return { ...out, nulls } as Vector;
}

/** Row i of `primary` where pick[i] >= 0 (as an index into primary), else row i of `fallback`. */
export function takeOrFallback(type: SqlType, primary: Vector, pick: Int32Array, fallback: Vector): Vector {
  const n = pick.length;
  if (primary.tag === 'number' && fallback.tag === 'number') {
    const values = new Float64Array(n);
    let nulls: Uint8Array | null = null;
    for (let i = 0; i < n; i++) {
      const j = pick[i]!;
      const isNull = j >= 0 ? primary.nulls !== null && primary.nulls[j] === 1 : fallback.nulls !== null && fallback.nulls[i] === 1;
      if (isNull) (nulls ??= new Uint8Array(n))[i] = 1;
      else values[i] = j >= 0 ? primary.values[j]! : fallback.values[i]!;
    }
    return { tag: 'number', type, length: n, values, nulls };
  }
  const out = new Array<Value>(n);
  for (let i = 0; i < n; i++) {
    const j = pick[i]!;
    out[i] = j >= 0 ? getValue(primary, j) : getValue(fallback, i);
  }
  return vectorFromValues(type, out);
}

/** Evaluate a boolean expression and return the indexes of rows where it is TRUE (not NULL). */
export function selectTrue(pred: CompiledExpr, b: Batch, ctx: EvalContext): Int32Array {
  const v = pred(b, ctx);
  const sel = new Int32Array(b.length);
  let k = 0;
  if (v.tag === 'bool') {
    const vals = v.values;
    const nulls = v.nulls;
    for (let i = 0; i < b.length; i++) if (vals[i] === 1 && (nulls === null || nulls[i] === 0)) sel[k++] = i;
  } else {
    for (let i = 0; i < b.length; i++) if (getValue(v, i) === true) sel[k++] = i;
  }
  return sel.subarray(0, k);
}

/** Growable Int32Array; avoids JS arrays of numbers on hot paths. */
export class IntBuffer {
  data: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Int32Array(capacity);
  }
  push(x: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = x;
  }
  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }
  clear(): void {
    this.length = 0;
  }
}

/** Column indexes an expression reads from its input row. */
export function referencedColumns(e: ExprNode, out: Set<number> = new Set()): Set<number> {
  switch (e.k) {
    case 'col': out.add(e.index); break;
    case 'const': case 'param': case 'corr': break;
    case 'call': case 'and': case 'or': case 'coalesce': for (const a of e.args) referencedColumns(a, out); break;
    case 'cast': case 'not': case 'isnull': case 'isbool': referencedColumns(e.arg, out); break;
    case 'case':
      for (const w of e.whens) { referencedColumns(w.cond, out); referencedColumns(w.then, out); }
      if (e.else) referencedColumns(e.else, out);
      break;
    case 'inlist': referencedColumns(e.arg, out); for (const a of e.list) referencedColumns(a, out); break;
    case 'subquery':
      for (const a of e.correlated) referencedColumns(a, out);
      if (e.test) referencedColumns(e.test, out);
      break;
  }
  return out;
}

/**
 * Rows (l[k], r[k]) of the concatenated left+right row, materialising only the
 * columns in `needed` (others are NULL placeholders): a join condition usually
 * reads a few of many columns.
 */
export function pairBatch(left: Batch, right: Batch, lIdx: Int32Array, rIdx: Int32Array, count: number, leftTypes: readonly SqlType[], rightTypes: readonly SqlType[], needed: Set<number> | null): Batch {
  const L = leftTypes.length;
  const columns: Vector[] = [];
  for (let c = 0; c < L; c++) {
    columns.push(needed === null || needed.has(c) ? takeVector(left.columns[c]!, lIdx, count) : constantVector(leftTypes[c]!, null, count));
  }
  for (let c = 0; c < rightTypes.length; c++) {
    columns.push(needed === null || needed.has(L + c) ? takeVector(right.columns[c]!, rIdx, count) : constantVector(rightTypes[c]!, null, count));
  }
  return { length: count, columns };
}

/** Rows where any of the given key vectors is NULL (keys that are not null-safe). */
export function nullKeyMask(keys: readonly Vector[], nullSafe: readonly boolean[] | undefined, length: number): Uint8Array | null {
  let mask: Uint8Array | null = null;
  for (let c = 0; c < keys.length; c++) {
    if (nullSafe?.[c]) continue;
    const v = keys[c]!;
    if (v.tag === 'object') {
      for (let i = 0; i < length; i++) if (v.values[i] === null || v.values[i] === undefined) (mask ??= new Uint8Array(length))[i] = 1;
    } else if (v.nulls !== null) {
      const n = v.nulls;
      for (let i = 0; i < length; i++) if (n[i] === 1) (mask ??= new Uint8Array(length))[i] = 1;
    }
  }
  return mask;
}
