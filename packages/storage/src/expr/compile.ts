/**
 * The expression compiler: ExprNode trees become closures over whole batches.
 * All dispatch on node kinds happens here, once, at compile time; the closures
 * only loop over typed arrays.
 *
 * Laziness (what PostgreSQL users rely on in practice): CASE branches, COALESCE
 * arguments and the later arguments of AND / OR are evaluated only on the rows
 * that still need them, by running the sub-expression on a gathered sub-batch
 * (runtime.ts evalOn) — so `x <> 0 AND 10 / x > 1` never divides by zero.
 *
 * Sub-trees that read no column and call nothing volatile are "invariant":
 * they are evaluated once per EvalContext (statement / correlated row) on a
 * one-row batch, and only when some row actually reaches them.
 */
import type { Batch, Vector } from '../vector.js';
import { getValue, emptyVector } from '../vector.js';
import type { Value } from '../types/values.js';
import { SqlError, SQLSTATE } from '../errors.js';
import type { CompiledExpr, EvalContext, ExprNode } from './expr.js';
import type { Compiled } from './runtime.js';
import { ConstVectors, asBool, evalOn } from './runtime.js';
import { compileCall, compileCast } from './compile-call.js';
import { compileBoolOp, compileCase, compileCoalesce, compileIsBool, compileIsNull, compileNot } from './compile-logic.js';
import { compileInList } from './compile-inlist.js';
import { compileSubquery } from './compile-subquery.js';
import { identitySelection, selectTrue } from '../kernels/filter.js';

export function compileExpr(node: ExprNode): CompiledExpr {
  return compileNode(node).run;
}

/** For `compileNode` callers that also need refs / invariance (operators building sub-batches). */
export function compileNode(node: ExprNode): Compiled {
  const c = compileRaw(node);
  if (!c.invariant || node.k === 'const' || node.k === 'param' || node.k === 'corr') return c;
  return foldInvariant(c, node);
}

function compileRaw(node: ExprNode): Compiled {
  switch (node.k) {
    case 'const': {
      const consts = new ConstVectors(node.type);
      const value = node.value;
      return { run: (batch) => consts.get(value, batch.length), refs: [], invariant: true };
    }
    case 'col': {
      const index = node.index;
      return {
        run: (batch) => {
          const v = batch.columns[index];
          if (v === undefined) throw new SqlError(SQLSTATE.internalError, `column ${index} is not in the batch`);
          return v;
        },
        refs: [index],
        invariant: false,
      };
    }
    case 'param': {
      const consts = new ConstVectors(node.type);
      const index = node.index;
      return {
        run: (batch, ctx) => {
          if (index >= ctx.params.length) throw new SqlError(SQLSTATE.undefinedParameter, `there is no parameter $${index + 1}`);
          return consts.get(ctx.params[index] ?? null, batch.length);
        },
        refs: [],
        invariant: true,
      };
    }
    case 'corr': {
      const consts = new ConstVectors(node.type);
      const slot = node.slot;
      return { run: (batch, ctx) => consts.get(ctx.correlated[slot] ?? null, batch.length), refs: [], invariant: true };
    }
    case 'call':
      return compileCall(node, node.args.map(compileNode));
    case 'cast':
      return compileCast(node, compileNode(node.arg));
    case 'and':
    case 'or':
      return compileBoolOp(node, node.args.map(compileNode));
    case 'not':
      return compileNot(node, compileNode(node.arg));
    case 'isnull':
      return compileIsNull(node, compileNode(node.arg));
    case 'isbool':
      return compileIsBool(node, compileNode(node.arg));
    case 'case':
      return compileCase(
        node,
        node.whens.map((w) => ({ cond: compileNode(w.cond), then: compileNode(w.then) })),
        node.else === null ? null : compileNode(node.else),
      );
    case 'coalesce':
      return compileCoalesce(node, node.args.map(compileNode));
    case 'inlist':
      return compileInList(node, compileNode);
    case 'subquery':
      return compileSubquery(node, compileNode);
  }
}

const ONE_ROW: Batch = { length: 1, columns: [] };

function foldInvariant(c: Compiled, node: ExprNode): Compiled {
  const consts = new ConstVectors(node.type);
  const memo = new WeakMap<EvalContext, Value>();
  const inner = c.run;
  return {
    refs: c.refs,
    invariant: true,
    run: (batch, ctx) => {
      if (batch.length === 0) return emptyVector(node.type);
      let v = memo.get(ctx);
      if (v === undefined) {
        v = getValue(inner(ONE_ROW, ctx), 0);
        memo.set(ctx, v);
      }
      return consts.get(v, batch.length);
    },
  };
}

export type CompiledPredicate = (batch: Batch, ctx: EvalContext) => Int32Array;

/**
 * Rows of the batch where the predicate is TRUE, as increasing indexes. A
 * top-level AND narrows the selection conjunct by conjunct: a later conjunct
 * sees only rows every earlier one accepted (NULL counts as rejected here,
 * which is exact for WHERE).
 */
export function compilePredicate(node: ExprNode): CompiledPredicate {
  const conjuncts: ExprNode[] = [];
  const flatten = (n: ExprNode) => {
    if (n.k === 'and') n.args.forEach(flatten);
    else conjuncts.push(n);
  };
  flatten(node);
  const parts = conjuncts.map(compileNode);
  if (parts.length === 1) {
    const p = parts[0]!;
    return (batch, ctx) => (batch.length === 0 ? new Int32Array(0) : selectTrue(asBool(p.run(batch, ctx)), batch.length));
  }
  return (batch, ctx) => {
    let sel: Int32Array = identitySelection(batch.length);
    let count = batch.length;
    for (const p of parts) {
      if (count === 0) break;
      const v = asBool(evalOn(p, batch, sel, count, ctx));
      const local = selectTrue(v, count);
      if (local.length === count) continue;
      const next = new Int32Array(local.length);
      for (let j = 0; j < local.length; j++) next[j] = sel[local[j]!]!;
      sel = next;
      count = next.length;
    }
    return count === batch.length ? sel.slice() : sel.subarray(0, count);
  };
}

/** Evaluate several expressions over one batch (projections). */
export function compileExprs(nodes: readonly ExprNode[]): (batch: Batch, ctx: EvalContext) => Vector[] {
  const cs = nodes.map(compileExpr);
  return (batch, ctx) => cs.map((c) => c(batch, ctx));
}
