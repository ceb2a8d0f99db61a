/**
 * Function calls and casts.
 *
 * A call uses the function's vector implementation when it has one. Otherwise
 * it loops over rows with per-layout argument readers. When the only varying
 * argument is dictionary-encoded (lower(hostname), hostname = 'x' without a
 * vector impl) the function runs once per dictionary entry instead of per row;
 * string results then stay dictionary-encoded.
 *
 * Casts go through castValue except for number → number casts between the
 * integer and float types, done on the Float64Array; those reproduce
 * PostgreSQL (float → int rounds half to even like rint(), then range-checks)
 * only for in-range values and hand anything else to castValue, so error
 * messages stay castValue's.
 */
import type { SqlType } from '../types/sql-type.js';
import { physicalKind, sameType } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import type { DictVector, NumberVector, Vector } from '../vector.js';
import { emptyVector } from '../vector.js';
import type { CallNode, CastNode, EvalContext } from './expr.js';
import type { Compiled } from './runtime.js';
import { OutBuilder, unionRefs } from './runtime.js';
import { castValue, getFunctionImpl } from './deps.js';

type Reader = (i: number) => Value;

export function makeReader(v: Vector): Reader {
  switch (v.tag) {
    case 'number': {
      const vals = v.values;
      const nulls = v.nulls;
      return nulls === null ? (i) => vals[i]! : (i) => (nulls[i] === 1 ? null : vals[i]!);
    }
    case 'bool': {
      const vals = v.values;
      const nulls = v.nulls;
      return nulls === null ? (i) => vals[i] === 1 : (i) => (nulls[i] === 1 ? null : vals[i] === 1);
    }
    case 'dict': {
      const { codes, dict, nulls } = v;
      return nulls === null ? (i) => dict[codes[i]!]! : (i) => (nulls[i] === 1 ? null : dict[codes[i]!]!);
    }
    case 'object': {
      const vals = v.values;
      return (i) => vals[i] ?? null;
    }
  }
}

/** OR of the NULL masks of the vectors, or null when no row has a NULL. */
export function anyNullMask(vecs: readonly Vector[], n: number): Uint8Array | null {
  let mask: Uint8Array | null = null;
  for (const v of vecs) {
    if (v.tag === 'object') {
      const vals = v.values;
      for (let i = 0; i < n; i++) if (vals[i] === null || vals[i] === undefined) (mask ??= new Uint8Array(n))[i] = 1;
    } else if (v.nulls !== null) {
      const vn = v.nulls;
      if (mask === null) mask = vn.slice(0, n);
      else for (let i = 0; i < n; i++) mask[i]! |= vn[i]!;
    }
  }
  return mask;
}

export function compileCall(node: CallNode, args: Compiled[]): Compiled {
  const impl = getFunctionImpl(node.fn);
  const type = node.type;
  const volatile = impl.volatility === 'volatile';
  const varying = args.flatMap((a, i) => (a.invariant ? [] : [i]));
  const dictArg = !volatile && varying.length === 1 ? varying[0]! : -1;
  const strict = impl.strict;
  const scalar = impl.scalar;
  const vector = impl.vector;
  const run = (batch: { length: number; columns: readonly Vector[] }, ctx: EvalContext): Vector => {
    const n = batch.length;
    if (n === 0) return emptyVector(type);
    const vecs = args.map((a) => a.run(batch, ctx));
    if (vector !== undefined) return vector(vecs, n, ctx, type);
    if (dictArg >= 0) {
      const d = vecs[dictArg]!;
      if (d.tag === 'dict' && d.dict.length <= n) return perDictEntry(d, vecs, dictArg, n, (a) => (strict && a.includes(null) ? null : scalar(a, ctx)), type);
    }
    const readers = vecs.map(makeReader);
    const mask = strict ? anyNullMask(vecs, n) : null;
    const out = new OutBuilder(type, n);
    const ar = readers.length;
    if (ar === 0) {
      for (let i = 0; i < n; i++) out.set(i, scalar([], ctx));
    } else if (ar === 1) {
      const r0 = readers[0]!;
      for (let i = 0; i < n; i++) if (mask === null || mask[i] === 0) out.set(i, scalar([r0(i)], ctx));
    } else if (ar === 2) {
      const r0 = readers[0]!;
      const r1 = readers[1]!;
      for (let i = 0; i < n; i++) if (mask === null || mask[i] === 0) out.set(i, scalar([r0(i), r1(i)], ctx));
    } else {
      for (let i = 0; i < n; i++) {
        if (mask !== null && mask[i] === 1) continue;
        const a = new Array<Value>(ar);
        for (let k = 0; k < ar; k++) a[k] = readers[k]!(i);
        out.set(i, scalar(a, ctx));
      }
    }
    return out.finish();
  };
  return { run, refs: unionRefs(args), invariant: !volatile && varying.length === 0 };
}

/**
 * Evaluate f once per dictionary entry that occurs (and once for NULL), the
 * other arguments being constant vectors.
 */
function perDictEntry(d: DictVector, vecs: readonly Vector[], at: number, n: number, f: (args: Value[]) => Value, type: SqlType): Vector {
  const fixed = vecs.map((v) => (v.length > 0 ? makeReader(v)(0) : null));
  const apply = (x: Value) => {
    const a = fixed.slice();
    a[at] = x;
    return f(a);
  };
  const { codes, dict, nulls } = d;
  const memo = new Array<Value | undefined>(dict.length);
  let nullResult: Value | undefined;
  if (physicalKind(type) === 'string') {
    // results keep the codes; entries mapping to NULL become NULL rows
    const newDict = new Array<string>(dict.length).fill('');
    let outNulls: Uint8Array | null = null;
    for (let i = 0; i < n; i++) {
      let r: Value | undefined;
      if (nulls !== null && nulls[i] === 1) r = nullResult ??= apply(null);
      else {
        const c = codes[i]!;
        r = memo[c];
        if (r === undefined) {
          r = memo[c] = apply(dict[c]!);
          if (r !== null) newDict[c] = r as string;
        }
      }
      if (r === null) (outNulls ??= new Uint8Array(n))[i] = 1;
      else if (nulls !== null && nulls[i] === 1) {
        // a non-strict function gave a value for NULL input: no code holds it
        return perRowFallback(d, n, apply, type);
      }
    }
    return { tag: 'dict', type, length: n, codes, dict: newDict, nulls: outNulls };
  }
  const out = new OutBuilder(type, n);
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) out.set(i, (nullResult ??= apply(null)));
    else {
      const c = codes[i]!;
      let r = memo[c];
      if (r === undefined) r = memo[c] = apply(dict[c]!);
      out.set(i, r);
    }
  }
  return out.finish();
}

function perRowFallback(d: DictVector, n: number, apply: (x: Value) => Value, type: SqlType): Vector {
  const read = makeReader(d);
  const memo = new Map<Value, Value>();
  const out = new OutBuilder(type, n);
  for (let i = 0; i < n; i++) {
    const x = read(i);
    let r = memo.get(x);
    if (r === undefined && !memo.has(x)) memo.set(x, (r = apply(x)));
    out.set(i, r ?? null);
  }
  return out.finish();
}

// ------------------------------------------------------------------ casts

const INT_RANGE: Partial<Record<string, readonly [number, number]>> = {
  int2: [-32768, 32767],
  int4: [-2147483648, 2147483647],
  int8: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};
const WIDTH: Record<string, number> = { int2: 1, int4: 2, int8: 3 };

/** round half to even, as C's rint() in the default rounding mode */
export function rint(x: number): number {
  const r = Math.round(x);
  return (r - x === 0.5 && r % 2 !== 0 ? r - 1 : r) + 0;
}

type NumCast = (x: number) => number | undefined; // undefined: let castValue decide

function numberCastFor(from: SqlType, to: SqlType): NumCast | 'retag' | null {
  const f = from.id;
  const t = to.id;
  const fInt = f in WIDTH;
  const tInt = t in WIDTH;
  const fFloat = f === 'float4' || f === 'float8';
  if (fInt && tInt) {
    if (WIDTH[t]! >= WIDTH[f]!) return 'retag';
    const [lo, hi] = INT_RANGE[t]!;
    return (x) => (x >= lo && x <= hi ? x : undefined);
  }
  if (fInt && t === 'float8') return 'retag';
  if (f === 'float4' && (t === 'float4' || t === 'float8')) return 'retag';
  if ((fInt || f === 'float8') && t === 'float4')
    return (x) => {
      const r = Math.fround(x);
      // overflow and underflow are errors in float84(): castValue reports them
      if ((r === Infinity || r === -Infinity) && x === x && x !== r) return undefined;
      if (r === 0 && x !== 0) return undefined;
      return r;
    };
  if (fFloat && tInt) {
    const [lo, hi] = INT_RANGE[t]!;
    return (x) => {
      const r = rint(x);
      return r >= lo && r <= hi ? r : undefined;
    };
  }
  return null;
}

export function compileCast(node: CastNode, arg: Compiled): Compiled {
  const from = node.arg.type;
  const to = node.type;
  const explicit = node.explicit;
  const base = { refs: arg.refs, invariant: arg.invariant };
  if (sameType(from, to) && (to.typmod === -1 || to.typmod === from.typmod) && to.id !== 'array')
    return { ...base, run: (batch, ctx) => retag(arg.run(batch, ctx), to) };
  const nc = physicalKind(from) === 'number' && physicalKind(to) === 'number' && to.typmod === -1 ? numberCastFor(from, to) : null;
  if (nc === 'retag') return { ...base, run: (batch, ctx) => retag(arg.run(batch, ctx), to) };
  const one = (x: Value, ctx: EvalContext): Value => (x === null ? null : castValue(x, from, to, ctx.settings, explicit));
  return {
    ...base,
    run: (batch, ctx) => {
      const n = batch.length;
      if (n === 0) return emptyVector(to);
      const v = arg.run(batch, ctx);
      if (nc !== null && v.tag === 'number') return castNumbers(v, n, nc, (x) => one(x, ctx) as number | null, to);
      if (v.tag === 'dict' && v.dict.length <= n) return perDictEntry(v, [v], 0, n, (a) => one(a[0]!, ctx), to);
      const read = makeReader(v);
      const out = new OutBuilder(to, n);
      for (let i = 0; i < n; i++) {
        const x = read(i);
        out.set(i, x === null ? null : one(x, ctx));
      }
      return out.finish();
    },
  };
}

function castNumbers(v: NumberVector, n: number, f: NumCast, slow: (x: number) => number | null, to: SqlType): Vector {
  const src = v.values;
  const nulls = v.nulls;
  const out = new Float64Array(n);
  let outNulls = nulls;
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const x = src[i]!;
    const r = f(x);
    if (r !== undefined) out[i] = r;
    else {
      const s = slow(x);
      if (s === null) {
        if (outNulls === nulls) outNulls = nulls === null ? new Uint8Array(n) : nulls.slice();
        outNulls![i] = 1;
      } else out[i] = s;
    }
  }
  return { tag: 'number', type: to, length: n, values: out, nulls: outNulls };
}

function retag(v: Vector, type: SqlType): Vector {
  if (v.type === type) return v;
  return { ...v, type } as Vector;
}
