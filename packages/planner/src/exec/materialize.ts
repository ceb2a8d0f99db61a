/**
 * Evaluate an input once per statement and replay it to every consumer: CTEs
 * referenced more than once, right sides of nested loops, uncorrelated
 * subqueries. "Per statement" means per EvalContext object: the executor
 * creates one per statement, so a correlated re-run that passes a new context
 * (different ctx.correlated) recomputes, while consumers sharing the context
 * share one evaluation. The buffer fills lazily, as consumers pull, so
 * `WITH RECURSIVE … SELECT … LIMIT n` over an unbounded CTE terminates.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import type { Batch } from '../../../storage/src/vector.js';
import type { EvalContext } from '../../../storage/src/expr/expr.js';
import type { BatchSource } from './types.js';
import { batchToRows } from './rows.js';
import { concatBatches } from './batch.js';

interface Buffer {
  batches: Batch[];
  iter: Iterator<Batch> | null;
  done: boolean;
}

export type MaterializedSource = BatchSource & {
  /** All batches, evaluating the input to the end if it has not been yet. */
  batches(ctx: EvalContext): readonly Batch[];
  /** All rows (clients, scalar subqueries). */
  rows(ctx: EvalContext): Value[][];
  /** One batch holding everything. */
  all(ctx: EvalContext, types: readonly SqlType[]): Batch;
  /** Forget the evaluation for this context (e.g. re-execute a data-modifying CTE). */
  reset(ctx: EvalContext): void;
};

export function materializeOp(input: BatchSource): MaterializedSource {
  const buffers = new WeakMap<EvalContext, Buffer>();

  const bufferFor = (ctx: EvalContext): Buffer => {
    let b = buffers.get(ctx);
    if (!b) {
      b = { batches: [], iter: null, done: false };
      buffers.set(ctx, b);
    }
    return b;
  };

  /** Make batch k available if the input has it; false when the input is exhausted. */
  const fill = (ctx: EvalContext, buf: Buffer, k: number): boolean => {
    while (buf.batches.length <= k) {
      if (buf.done) return false;
      buf.iter ??= input(ctx)[Symbol.iterator]();
      const r = buf.iter.next();
      if (r.done) {
        buf.done = true;
        buf.iter = null;
        return false;
      }
      if (r.value.length > 0) buf.batches.push(r.value);
    }
    return true;
  };

  const source = function* replay(ctx: EvalContext): Generator<Batch> {
    const buf = bufferFor(ctx);
    for (let k = 0; fill(ctx, buf, k); k++) yield buf.batches[k]!;
  } as unknown as MaterializedSource;

  source.batches = (ctx) => {
    const buf = bufferFor(ctx);
    fill(ctx, buf, Number.MAX_SAFE_INTEGER);
    return buf.batches;
  };
  source.rows = (ctx) => source.batches(ctx).flatMap(batchToRows);
  source.all = (ctx, types) => concatBatches(types, source.batches(ctx));
  source.reset = (ctx) => {
    buffers.delete(ctx);
  };
  return source;
}
