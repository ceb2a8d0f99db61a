/**
 * VALUES lists, and the one-row no-column input of SELECT without FROM.
 * Expressions are compiled once; constant cells skip evaluation, other cells
 * (params, correlated values, subqueries) are evaluated per execution.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import type { Batch } from '../../../storage/src/vector.js';
import { getValue, vectorFromValues } from '../../../storage/src/vector.js';
import type { CompiledExpr, EvalContext, ExprNode } from '../../../storage/src/expr/expr.js';
import { compileExpr } from './deps.js';
import { BATCH_ROWS, type BatchSource } from './types.js';

const ONE_ROW: Batch = Object.freeze({ length: 1, columns: Object.freeze([]) as readonly never[] });

/** SELECT without FROM: exactly one row with no columns, for projections to evaluate over. */
export function singleRowOp(): BatchSource {
  return function* singleRow(): Generator<Batch> {
    yield ONE_ROW;
  };
}

/** Produces no rows (WHERE false folded by the planner, LIMIT 0). */
export function emptyOp(): BatchSource {
  return function* empty(): Generator<Batch> {};
}

export function valuesOp(rows: readonly (readonly ExprNode[])[], types: readonly SqlType[]): BatchSource {
  for (const r of rows) if (r.length !== types.length) throw new Error('valuesOp: row width does not match types');
  const cells: (CompiledExpr | null)[][] = rows.map((r) => r.map((e) => (e.k === 'const' ? null : compileExpr(e))));
  const constants = rows.every((r) => r.every((e) => e.k === 'const'));
  let constBatches: Batch[] | null = null;

  function evaluate(ctx: EvalContext): Batch[] {
    const out: Batch[] = [];
    for (let s = 0; s < rows.length; s += BATCH_ROWS) {
      const e = Math.min(rows.length, s + BATCH_ROWS);
      const columns = types.map((t, c) => {
        const vals = new Array<Value>(e - s);
        for (let i = s; i < e; i++) {
          const node = rows[i]![c]!;
          const f = cells[i]![c];
          vals[i - s] = f ? getValue(f(ONE_ROW, ctx), 0) : (node as { value: Value }).value;
        }
        return vectorFromValues(t, vals);
      });
      out.push({ length: e - s, columns });
    }
    return out;
  }

  return function* values(ctx: EvalContext): Generator<Batch> {
    if (constants) {
      constBatches ??= evaluate(ctx);
      yield* constBatches;
    } else yield* evaluate(ctx);
  };
}
