import { GroupIdMapper } from '../kernels/group-ids.js';
import { takeBatch } from '../kernels/filter.js';
import type { BatchSource } from './source.js';
import { sliceBatch } from './source.js';

/**
 * DISTINCT (all columns) or DISTINCT ON (the given columns; the planner sorts
 * the input first so the first row per key is the wanted one). Streams: a row
 * is emitted when its key is seen for the first time.
 */
export function distinctOp(input: BatchSource, onColumns?: readonly number[]): BatchSource {
  return function* (ctx) {
    const mapper = new GroupIdMapper();
    let emittedEmptyKey = false;
    for (const b of input(ctx)) {
      if (b.length === 0) continue;
      const cols = onColumns ? onColumns.map((c) => b.columns[c]!) : b.columns;
      if (cols.length === 0) {
        // DISTINCT over zero columns: every row has the same (empty) key
        if (!emittedEmptyKey) yield sliceBatch(b, 0, 1);
        emittedEmptyKey = true;
        continue;
      }
      let next = mapper.groupCount;
      const gids = mapper.map(cols, b.length);
      if (mapper.groupCount === next) continue;
      // new ids are handed out in row order, so first occurrences are where the id reaches `next`
      const sel = new Int32Array(mapper.groupCount - next);
      let k = 0;
      for (let i = 0; i < b.length; i++) if (gids[i] === next) {
        sel[k++] = i;
        next++;
      }
      yield takeBatch(b, sel, k);
    }
  };
}
