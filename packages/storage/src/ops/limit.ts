import type { BatchSource } from './source.js';
import { sliceBatch } from './source.js';

/** LIMIT / OFFSET; returning from the loop ends the input's iteration, so upstream work stops. */
export function limitOp(input: BatchSource, limit: number | null, offset: number): BatchSource {
  return function* (ctx) {
    if (limit !== null && limit <= 0) return;
    let skip = Math.max(0, offset);
    let left = limit ?? Infinity;
    for (const b of input(ctx)) {
      if (b.length <= skip) {
        skip -= b.length;
        continue;
      }
      const end = Math.min(b.length, skip + left);
      const out = sliceBatch(b, skip, end);
      left -= end - skip;
      skip = 0;
      if (out.length > 0) yield out;
      if (left <= 0) return;
    }
  };
}
