/**
 * Vectorized building blocks shared by the operator modules. Every kernel
 * falls back to a row-at-a-time loop over the scalar implementation when the
 * layouts are not the ones it specialises on, so a vector impl is never less
 * correct than the scalar one.
 */
import type { SqlType } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import type { BoolVector, DictVector, NumberVector, Vector } from '../vector.js';
import { getValue, vectorFromValues } from '../vector.js';
import type { EvalContext } from '../expr/expr.js';
import type { ScalarFn, VectorFn } from './catalog.js';
import { checkFloat } from './util.js';

export function rowwise(scalar: ScalarFn, strict = true): VectorFn {
  return (args, length, ctx, resultType) => {
    const out = new Array<Value>(length);
    const row = new Array<Value>(args.length);
    outer: for (let i = 0; i < length; i++) {
      for (let j = 0; j < args.length; j++) {
        const v = getValue(args[j]!, i);
        if (v === null && strict) {
          out[i] = null;
          continue outer;
        }
        row[j] = v;
      }
      out[i] = scalar(row.slice(), ctx);
    }
    return vectorFromValues(resultType, out);
  };
}

/** NULL mask of a vector (computed for object vectors), or null when there are no NULLs. */
export function nullsOf(v: Vector): Uint8Array | null {
  if (v.tag !== 'object') return v.nulls;
  let m: Uint8Array | null = null;
  for (let i = 0; i < v.length; i++) {
    if (v.values[i] === null) {
      m ??= new Uint8Array(v.length);
      m[i] = 1;
    }
  }
  return m;
}

export function unionNulls(a: Uint8Array | null, b: Uint8Array | null, n: number): Uint8Array | null {
  if (!a) return b;
  if (!b) return a;
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i++) m[i] = a[i]! | b[i]!;
  return m;
}

/** If every row of v holds the same non-NULL value, that value; otherwise undefined. */
export function constantValue(v: Vector): Value | undefined {
  if (v.length === 0) return undefined;
  switch (v.tag) {
    case 'object': {
      const x = v.values[0]!;
      if (x === null) return undefined;
      for (let i = 1; i < v.length; i++) if (v.values[i] !== x) return undefined;
      return x;
    }
    case 'dict': {
      if (v.nulls) return undefined;
      const c = v.codes[0]!;
      for (let i = 1; i < v.length; i++) if (v.codes[i] !== c) return undefined;
      return v.dict[c]!;
    }
    default:
      return undefined;
  }
}

function numberResult(type: SqlType, values: Float64Array, nulls: Uint8Array | null): NumberVector {
  return { tag: 'number', type, length: values.length, values, nulls };
}

function boolResult(type: SqlType, values: Uint8Array, nulls: Uint8Array | null): BoolVector {
  return { tag: 'bool', type, length: values.length, values, nulls };
}

export type ArithOp = '+' | '-' | '*' | '/' | '%';

export interface ArithCheck {
  /** integer range; results outside → error */
  min?: number;
  max?: number;
  /** error to raise on out-of-range result */
  overflow: () => Error;
  /** integer division truncates */
  integer: boolean;
  /** float semantics: overflow when inputs finite but result infinite, division by zero always an error */
  float?: 'float4' | 'float8';
  divByZero: () => Error;
  /** dates: an infinite left operand passes through unchanged */
  infiniteLeft?: boolean;
}

/**
 * + - * / % over two number vectors with PostgreSQL's range and zero checks.
 * Checks look only at non-NULL rows: the slots under NULLs hold garbage.
 */
export function numberArith(op: ArithOp, chk: ArithCheck, scalar: ScalarFn): VectorFn {
  const fallback = rowwise(scalar);
  return (args, length, ctx, resultType) => {
    const a = args[0]!;
    const b = args[1]!;
    if (a.tag !== 'number' || b.tag !== 'number') return fallback(args, length, ctx, resultType);
    const x = a.values;
    const y = b.values;
    const nulls = unionNulls(a.nulls, b.nulls, length);
    const out = new Float64Array(length);
    if ((op === '/' || op === '%') && !chk.float) {
      for (let i = 0; i < length; i++) if (y[i] === 0 && (nulls === null || nulls[i] === 0)) throw chk.divByZero();
    }
    switch (op) {
      case '+':
        for (let i = 0; i < length; i++) out[i] = x[i]! + y[i]!;
        break;
      case '-':
        for (let i = 0; i < length; i++) out[i] = x[i]! - y[i]!;
        break;
      case '*':
        for (let i = 0; i < length; i++) out[i] = x[i]! * y[i]!;
        break;
      case '/':
        if (chk.integer) {
          for (let i = 0; i < length; i++) {
            const d = y[i]!;
            if (d === 0) continue;
            const n = x[i]!;
            // doubles divide exactly enough to truncate correctly below 2^52; above, go through BigInt
            out[i] = Math.abs(n) < 4503599627370496 ? Math.trunc(n / d) : Number(BigInt(n) / BigInt(d));
          }
        } else {
          for (let i = 0; i < length; i++) out[i] = x[i]! / y[i]!;
        }
        break;
      case '%':
        for (let i = 0; i < length; i++) {
          const d = y[i]!;
          out[i] = d === 0 ? 0 : x[i]! % d;
        }
        break;
    }
    if (chk.float) {
      const f4 = chk.float === 'float4';
      for (let i = 0; i < length; i++) {
        if (nulls !== null && nulls[i] === 1) continue;
        if (f4) out[i] = Math.fround(out[i]!);
        checkFloat(op, x[i]!, y[i]!, out[i]!, chk.overflow);
      }
    } else {
      const lo = chk.min!;
      const hi = chk.max!;
      if (chk.infiniteLeft) for (let i = 0; i < length; i++) if (!Number.isFinite(x[i]!)) out[i] = x[i]!;
      for (let i = 0; i < length; i++) {
        const r = out[i]!;
        if ((r < lo || r > hi) && (nulls === null || nulls[i] === 0) && !(chk.infiniteLeft && !Number.isFinite(r))) throw chk.overflow();
      }
      if (op === '%') for (let i = 0; i < length; i++) if (out[i] === 0) out[i] = 0; // -0 → 0
    }
    return numberResult(resultType, out, nulls);
  };
}


export type CmpOp = '=' | '<>' | '<' | '>' | '<=' | '>=';

/** Apply a comparison operator to a three-way comparison result. */
export function cmpResult(op: CmpOp, c: number): boolean {
  switch (op) {
    case '=': return c === 0;
    case '<>': return c !== 0;
    case '<': return c < 0;
    case '>': return c > 0;
    case '<=': return c <= 0;
    case '>=': return c >= 0;
  }
}

/**
 * Comparisons of number vectors. With `nanAware` (float4/float8), NaN equals
 * NaN and sorts above every other value, as PostgreSQL's float comparisons do.
 */
export function numberCompare(op: CmpOp, nanAware: boolean, scalar: ScalarFn): VectorFn {
  const fallback = rowwise(scalar);
  return (args, length, ctx, resultType) => {
    const a = args[0]!;
    const b = args[1]!;
    if (a.tag !== 'number' || b.tag !== 'number') return fallback(args, length, ctx, resultType);
    const x = a.values;
    const y = b.values;
    const nulls = unionNulls(a.nulls, b.nulls, length);
    const out = new Uint8Array(length);
    if (nanAware) {
      for (let i = 0; i < length; i++) out[i] = cmpResult(op, floatCmp(x[i]!, y[i]!)) ? 1 : 0;
      return boolResult(resultType, out, nulls);
    }
    switch (op) {
      case '=': for (let i = 0; i < length; i++) out[i] = x[i] === y[i] ? 1 : 0; break;
      case '<>': for (let i = 0; i < length; i++) out[i] = x[i] !== y[i] ? 1 : 0; break;
      case '<': for (let i = 0; i < length; i++) out[i] = x[i]! < y[i]! ? 1 : 0; break;
      case '>': for (let i = 0; i < length; i++) out[i] = x[i]! > y[i]! ? 1 : 0; break;
      case '<=': for (let i = 0; i < length; i++) out[i] = x[i]! <= y[i]! ? 1 : 0; break;
      case '>=': for (let i = 0; i < length; i++) out[i] = x[i]! >= y[i]! ? 1 : 0; break;
    }
    return boolResult(resultType, out, nulls);
  };
}

/** float8_cmp_internal: NaN = NaN, NaN > everything else. */
export function floatCmp(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A string predicate or comparison whose other operand is constant: on a
 * dictionary column it is evaluated once per dictionary entry and the
 * per-entry answers are mapped through the codes.
 */
export function stringPredicate(test: (s: string, k: Value) => boolean, scalar: ScalarFn, constArg = 1): VectorFn {
  const fallback = rowwise(scalar);
  return (args, length, ctx, resultType) => {
    const s = args[1 - constArg]!;
    const k = constantValue(args[constArg]!);
    if (k === undefined) return fallback(args, length, ctx, resultType);
    const out = new Uint8Array(length);
    if (s.tag === 'dict') {
      const perEntry = new Uint8Array(s.dict.length);
      for (let j = 0; j < s.dict.length; j++) perEntry[j] = test(s.dict[j]!, k) ? 1 : 0;
      const codes = s.codes;
      for (let i = 0; i < length; i++) out[i] = perEntry[codes[i]!]!;
      return boolResult(resultType, out, s.nulls);
    }
    if (s.tag === 'object') {
      let nulls: Uint8Array | null = null;
      for (let i = 0; i < length; i++) {
        const v = s.values[i];
        if (v === null || v === undefined) {
          nulls ??= new Uint8Array(length);
          nulls[i] = 1;
        } else out[i] = test(v as string, k) ? 1 : 0;
      }
      return boolResult(resultType, out, nulls);
    }
    return fallback(args, length, ctx, resultType);
  };
}

/** A string → string function (lower, upper): on dictionaries it maps the dictionary, not the rows. */
export function stringMap(f: (s: string) => string, scalar: ScalarFn): VectorFn {
  const fallback = rowwise(scalar);
  return (args, length, ctx, resultType) => {
    const s = args[0]!;
    if (args.length !== 1) return fallback(args, length, ctx, resultType);
    if (s.tag === 'dict') {
      const dict = s.dict.map(f);
      const r: DictVector = { tag: 'dict', type: resultType, length, codes: s.codes, dict, nulls: s.nulls };
      return r;
    }
    if (s.tag === 'object') {
      const out = new Array<Value>(length);
      for (let i = 0; i < length; i++) {
        const v = s.values[i];
        out[i] = v === null || v === undefined ? null : f(v as string);
      }
      return { tag: 'object', type: resultType, length, values: out };
    }
    return fallback(args, length, ctx, resultType);
  };
}

/** A number → number function of one argument (plus constant extra args ignored by the caller). */
export function numberMap(f: (x: number, ctx: EvalContext) => number, scalar: ScalarFn): VectorFn {
  const fallback = rowwise(scalar);
  return (args, length, ctx, resultType) => {
    const a = args[0]!;
    if (a.tag !== 'number' || args.length !== 1) return fallback(args, length, ctx, resultType);
    const out = new Float64Array(length);
    const x = a.values;
    const nulls = a.nulls;
    for (let i = 0; i < length; i++) if (nulls === null || nulls[i] === 0) out[i] = f(x[i]!, ctx);
    return numberResult(resultType, out, nulls);
  };
}
