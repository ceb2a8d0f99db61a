/**
 * Three-valued logic, NULL tests, CASE and COALESCE. AND / OR, CASE and
 * COALESCE evaluate each later argument only on the rows still undecided.
 */
import type { Value } from '../types/values.js';
import type { Batch, Vector } from '../vector.js';
import { constantVector, emptyVector } from '../vector.js';
import type { BoolOpNode, CaseNode, CoalesceNode, EvalContext, IsBoolNode, IsNullNode, NotNode } from './expr.js';
import type { Compiled } from './runtime.js';
import { OutBuilder, asBool, boolVec, evalOn, unionRefs } from './runtime.js';

export function compileBoolOp(node: BoolOpNode, args: Compiled[]): Compiled {
  const isAnd = node.k === 'and';
  const decisive = isAnd ? 0 : 1;
  const type = node.type;
  const run = (batch: Batch, ctx: EvalContext): Vector => {
    const n = batch.length;
    const res = new Uint8Array(n);
    if (isAnd) res.fill(1);
    const nul = new Uint8Array(n);
    let sel: Int32Array | null = null;
    let count = n;
    for (let a = 0; a < args.length && count > 0; a++) {
      const v = asBool(evalOn(args[a]!, batch, sel, count, ctx));
      const vals = v.values;
      const vn = v.nulls;
      const next = new Int32Array(count);
      let k = 0;
      for (let j = 0; j < count; j++) {
        const r = sel === null ? j : sel[j]!;
        if (vn !== null && vn[j] === 1) {
          nul[r] = 1;
          next[k++] = r;
        } else if (vals[j] === decisive) {
          res[r] = decisive;
          nul[r] = 0;
        } else next[k++] = r;
      }
      sel = next;
      count = k;
    }
    return boolVec(res, nul.includes(1) ? nul : null, type);
  };
  return { run, refs: unionRefs(args), invariant: args.every((a) => a.invariant) };
}

export function compileNot(node: NotNode, arg: Compiled): Compiled {
  return {
    refs: arg.refs,
    invariant: arg.invariant,
    run: (batch, ctx) => {
      const v = asBool(arg.run(batch, ctx));
      const n = v.length;
      const out = new Uint8Array(n);
      const vals = v.values;
      for (let i = 0; i < n; i++) out[i] = vals[i]! ^ 1;
      return boolVec(out, v.nulls, node.type);
    },
  };
}

/** A record IS NULL when every field is NULL and IS NOT NULL when none is. */
function recordTest(x: Value, negate: boolean): boolean {
  if (x === null) return !negate;
  if (!Array.isArray(x)) return negate;
  return negate ? x.every((f) => f !== null) : x.every((f) => f === null);
}

export function compileIsNull(node: IsNullNode, arg: Compiled): Compiled {
  const negate = node.negate;
  const isRecord = node.arg.type.id === 'record';
  return {
    refs: arg.refs,
    invariant: arg.invariant,
    run: (batch, ctx) => {
      const v = arg.run(batch, ctx);
      const n = v.length;
      const out = new Uint8Array(n);
      if (v.tag === 'object') {
        const vals = v.values;
        if (isRecord) for (let i = 0; i < n; i++) out[i] = recordTest(vals[i] ?? null, negate) ? 1 : 0;
        else for (let i = 0; i < n; i++) out[i] = (vals[i] === null || vals[i] === undefined) !== negate ? 1 : 0;
      } else if (v.nulls === null) {
        if (negate) out.fill(1);
      } else {
        const vn = v.nulls;
        if (negate) for (let i = 0; i < n; i++) out[i] = vn[i]! ^ 1;
        else out.set(vn.subarray(0, n));
      }
      return boolVec(out, null, node.type);
    },
  };
}

export function compileIsBool(node: IsBoolNode, arg: Compiled): Compiled {
  const { test, negate } = node;
  return {
    refs: arg.refs,
    invariant: arg.invariant,
    run: (batch, ctx) => {
      const v = asBool(arg.run(batch, ctx));
      const n = v.length;
      const out = new Uint8Array(n);
      const vals = v.values;
      const vn = v.nulls;
      const flip = negate ? 1 : 0;
      for (let i = 0; i < n; i++) {
        const isNull = vn !== null && vn[i] === 1;
        const hit = test === 'unknown' ? isNull : !isNull && vals[i] === (test === 'true' ? 1 : 0);
        out[i] = (hit ? 1 : 0) ^ flip;
      }
      return boolVec(out, null, node.type);
    },
  };
}

export function compileCase(node: CaseNode, whens: { cond: Compiled; then: Compiled }[], elseC: Compiled | null): Compiled {
  const type = node.type;
  const all: Compiled[] = whens.flatMap((w) => [w.cond, w.then]);
  if (elseC !== null) all.push(elseC);
  const run = (batch: Batch, ctx: EvalContext): Vector => {
    const n = batch.length;
    if (n === 0) return emptyVector(type);
    let out: OutBuilder | null = null;
    let sel: Int32Array | null = null;
    let count = n;
    for (const w of whens) {
      if (count === 0) break;
      const c = asBool(evalOn(w.cond, batch, sel, count, ctx));
      const vals = c.values;
      const cn = c.nulls;
      const hit = new Int32Array(count);
      const rest = new Int32Array(count);
      let h = 0;
      let r = 0;
      for (let j = 0; j < count; j++) {
        const row = sel === null ? j : sel[j]!;
        if (vals[j] === 1 && (cn === null || cn[j] === 0)) hit[h++] = row;
        else rest[r++] = row;
      }
      if (h === 0) continue;
      if (h === n) return w.then.run(batch, ctx); // every row takes this branch
      const v = evalOn(w.then, batch, hit, h, ctx);
      (out ??= new OutBuilder(type, n)).scatter(v, hit, h);
      sel = rest;
      count = r;
    }
    if (count > 0 && elseC !== null) {
      if (count === n) return elseC.run(batch, ctx);
      const v = evalOn(elseC, batch, sel, count, ctx);
      (out ??= new OutBuilder(type, n)).scatter(v, sel, count);
    }
    return out === null ? constantVector(type, null, n) : out.finish();
  };
  return { run, refs: unionRefs(all), invariant: all.every((a) => a.invariant) };
}

function nullRows(v: Vector, sel: Int32Array | null, count: number): { sel: Int32Array; count: number } {
  const out = new Int32Array(count);
  let k = 0;
  if (v.tag === 'object') {
    const vals = v.values;
    for (let j = 0; j < count; j++) if (vals[j] === null || vals[j] === undefined) out[k++] = sel === null ? j : sel[j]!;
  } else if (v.nulls !== null) {
    const vn = v.nulls;
    for (let j = 0; j < count; j++) if (vn[j] === 1) out[k++] = sel === null ? j : sel[j]!;
  }
  return { sel: out, count: k };
}

export function compileCoalesce(node: CoalesceNode, args: Compiled[]): Compiled {
  const type = node.type;
  const run = (batch: Batch, ctx: EvalContext): Vector => {
    const n = batch.length;
    if (n === 0 || args.length === 0) return emptyVector(type);
    const first = args[0]!.run(batch, ctx);
    let pending = nullRows(first, null, n);
    if (pending.count === 0) return first;
    const out = new OutBuilder(type, n);
    out.scatter(first, null, n);
    for (let a = 1; a < args.length && pending.count > 0; a++) {
      const v = evalOn(args[a]!, batch, pending.sel, pending.count, ctx);
      out.scatter(v, pending.sel, pending.count);
      pending = nullRows(v, pending.sel, pending.count);
    }
    return out.finish();
  };
  return { run, refs: unionRefs(args), invariant: args.every((a) => a.invariant) };
}
