/**
 * Test doubles for the colleague modules behind deps.ts: a row-at-a-time
 * expression evaluator and a handful of grouped accumulators. Only tests
 * import this file (via vi.mock('./deps.js', …)).
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { T } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import type { Batch, Vector } from '../../../storage/src/vector.js';
import { getValue, vectorFromValues } from '../../../storage/src/vector.js';
import type { CompiledExpr, EvalContext, ExprNode } from '../../../storage/src/expr/expr.js';
import { valuesEqual } from './keys.js';
import { compareValues } from '../../../storage/src/kernels/compare.js';

const fns: Record<string, (a: Value[]) => Value> = {
  eq: ([a, b]) => valuesEqual(a!, b!),
  ne: ([a, b]) => !valuesEqual(a!, b!),
  lt: ([a, b]) => compareValues(a!, b!) < 0,
  le: ([a, b]) => compareValues(a!, b!) <= 0,
  gt: ([a, b]) => compareValues(a!, b!) > 0,
  ge: ([a, b]) => compareValues(a!, b!) >= 0,
  add: ([a, b]) => (a as number) + (b as number),
  sub: ([a, b]) => (a as number) - (b as number),
  mul: ([a, b]) => (a as number) * (b as number),
  mod: ([a, b]) => (a as number) % (b as number),
  concat: ([a, b]) => String(a) + String(b),
};

function evalRow(e: ExprNode, b: Batch, i: number, ctx: EvalContext): Value {
  switch (e.k) {
    case 'const': return e.value;
    case 'col': return getValue(b.columns[e.index]!, i);
    case 'param': return ctx.params[e.index] ?? null;
    case 'corr': return ctx.correlated[e.slot] ?? null;
    case 'cast': return evalRow(e.arg, b, i, ctx);
    case 'call': {
      const args = e.args.map((a) => evalRow(a, b, i, ctx));
      if (args.some((a) => a === null)) return null;
      const f = fns[e.fn];
      if (!f) throw new Error(`fake compile: unknown fn ${e.fn}`);
      return f(args);
    }
    case 'and': case 'or': {
      let sawNull = false;
      for (const a of e.args) {
        const v = evalRow(a, b, i, ctx);
        if (v === null) sawNull = true;
        else if (v === (e.k === 'or')) return v;
      }
      return sawNull ? null : e.k === 'and';
    }
    case 'not': { const v = evalRow(e.arg, b, i, ctx); return v === null ? null : !v; }
    case 'isnull': { const v = evalRow(e.arg, b, i, ctx); return (v === null) !== e.negate; }
    case 'coalesce': {
      for (const a of e.args) { const v = evalRow(a, b, i, ctx); if (v !== null) return v; }
      return null;
    }
    case 'case': {
      for (const w of e.whens) if (evalRow(w.cond, b, i, ctx) === true) return evalRow(w.then, b, i, ctx);
      return e.else ? evalRow(e.else, b, i, ctx) : null;
    }
    default: throw new Error(`fake compile: ${e.k}`);
  }
}

export function fakeCompileExpr(e: ExprNode): CompiledExpr {
  return (b, ctx) => {
    const out = new Array<Value>(b.length);
    for (let i = 0; i < b.length; i++) out[i] = evalRow(e, b, i, ctx);
    return vectorFromValues(e.type, out);
  };
}

export interface FakeAgg { name: 'sum' | 'count' | 'count_star' | 'min' | 'max' | 'avg' | 'array_agg'; type: SqlType }

export function fakeCreateAccumulator(agg: FakeAgg, opts: { distinct?: boolean } = {}) {
  const state: Value[][] = [];
  const seen: Set<string>[] = [];
  const finalizeGroup = (g: number): Value => {
    const xs = state[g] ?? [];
    switch (agg.name) {
      case 'count': case 'count_star': return xs.length;
      case 'sum': return xs.length ? xs.reduce((s: number, x) => s + (x as number), 0) : null;
      case 'avg': return xs.length ? xs.reduce((s: number, x) => s + (x as number), 0) / xs.length : null;
      case 'min': return xs.length ? xs.reduce((m, x) => (compareValues(x, m) < 0 ? x : m)) : null;
      case 'max': return xs.length ? xs.reduce((m, x) => (compareValues(x, m) > 0 ? x : m)) : null;
      case 'array_agg': return xs.length ? [...xs] : null;
    }
  };
  return {
    update(groupIds: Int32Array, args: Vector[], length: number): void {
      for (let i = 0; i < length; i++) {
        const g = groupIds[i]!;
        if (g < 0) continue;
        const v = agg.name === 'count_star' ? 1 : getValue(args[0]!, i);
        if (v === null && agg.name !== 'array_agg') continue;
        if (opts.distinct) {
          const k = JSON.stringify(v);
          const s = (seen[g] ??= new Set());
          if (s.has(k)) continue;
          s.add(k);
        }
        (state[g] ??= []).push(v);
      }
    },
    finalize(groupCount: number): Vector {
      const out: Value[] = [];
      for (let g = 0; g < groupCount; g++) out.push(finalizeGroup(g));
      return vectorFromValues(agg.type, out);
    },
    finalizeGroup,
    resetGroup(g: number): void { state[g] = []; seen[g] = new Set(); },
  };
}

// Expression builders for tests
export const col = (index: number, type: SqlType = T.int4): ExprNode => ({ k: 'col', index, type });
export const lit = (value: Value, type: SqlType = T.int4): ExprNode => ({ k: 'const', value, type });
export const call = (fn: string, args: ExprNode[], type: SqlType = T.bool): ExprNode => ({ k: 'call', fn, args, type });
export const corr = (slot: number, type: SqlType = T.int4): ExprNode => ({ k: 'corr', slot, type });

export function testCtx(over: Partial<EvalContext> = {}): EvalContext {
  return {
    params: [],
    settings: { timeZone: 'UTC', dateStyle: 'ISO, MDY', intervalStyle: 'postgres', extraFloatDigits: 1 },
    statementTime: 0,
    transactionTime: 0,
    correlated: [],
    ...over,
  };
}
