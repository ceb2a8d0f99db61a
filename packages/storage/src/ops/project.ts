import type { ExprNode } from '../expr/expr.js';
import { compileExprs } from '../expr/compile.js';
import type { BatchSource } from './source.js';

export function projectOp(input: BatchSource, exprs: readonly ExprNode[]): BatchSource {
  const run = compileExprs(exprs);
  return function* (ctx) {
    for (const b of input(ctx)) {
      if (b.length === 0) continue;
      yield { length: b.length, columns: run(b, ctx) };
    }
  };
}
