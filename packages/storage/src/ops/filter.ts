import type { ExprNode } from '../expr/expr.js';
import { compilePredicate } from '../expr/compile.js';
import { takeBatch } from '../kernels/filter.js';
import type { BatchSource } from './source.js';

export function filterOp(input: BatchSource, predicate: ExprNode): BatchSource {
  const pred = compilePredicate(predicate);
  return function* (ctx) {
    for (const b of input(ctx)) {
      if (b.length === 0) continue;
      const sel = pred(b, ctx);
      if (sel.length > 0) yield takeBatch(b, sel);
    }
  };
}
