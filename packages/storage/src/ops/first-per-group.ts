/**
 * DISTINCT ON (keys) … ORDER BY keys, rest: the first row of each group in
 * `rest` order, found in one pass without sorting the input (TSBS lastpoint:
 * the latest row per host). Keeps, per group, the batch and row of the best
 * row so far, then gathers the winners.
 */
import type { Batch } from '../vector.js';
import { concatVectors, takeVector } from '../vector.js';
import { GroupIdMapper } from '../kernels/group-ids.js';
import { compareRowsAcross } from '../kernels/compare.js';
import { compileExprs } from '../expr/compile.js';
import type { BatchSource } from './source.js';
import type { SortKeySpec } from './sort.js';

export function firstPerGroupOp(input: BatchSource, groupColumns: readonly number[], order: readonly SortKeySpec[]): BatchSource {
  const orderKeys = compileExprs(order.map((o) => o.expr));
  const desc = order.map((o) => o.desc);
  const nullsFirst = order.map((o) => o.nullsFirst);
  return function* (ctx) {
    const mapper = new GroupIdMapper();
    const batches: Batch[] = [];
    const keys: ReturnType<typeof orderKeys>[] = [];
    let bestBatch = new Int32Array(64).fill(-1);
    let bestRow = new Int32Array(64);
    for (const b of input(ctx)) {
      if (b.length === 0) continue;
      const bi = batches.length;
      batches.push(b);
      const k = orderKeys(b, ctx);
      keys.push(k);
      const gids = mapper.map(groupColumns.map((c) => b.columns[c]!), b.length);
      if (mapper.groupCount > bestBatch.length) {
        const size = Math.max(mapper.groupCount, bestBatch.length * 2);
        const nb = new Int32Array(size).fill(-1);
        nb.set(bestBatch);
        const nr = new Int32Array(size);
        nr.set(bestRow);
        bestBatch = nb;
        bestRow = nr;
      }
      for (let i = 0; i < b.length; i++) {
        const g = gids[i]!;
        const cur = bestBatch[g]!;
        // strictly better only: among equal rows the first one seen wins, as a stable sort would
        if (cur < 0 || compareRowsAcross(k, i, keys[cur]!, bestRow[g]!, desc, nullsFirst) < 0) {
          bestBatch[g] = bi;
          bestRow[g] = i;
        }
      }
    }
    const n = mapper.groupCount;
    if (n === 0 || batches.length === 0) return;
    // gather winners batch by batch, then restore group order
    const perBatch = new Map<number, number[]>();
    for (let g = 0; g < n; g++) {
      const bi = bestBatch[g]!;
      let l = perBatch.get(bi);
      if (!l) perBatch.set(bi, (l = []));
      l.push(g);
    }
    const parts: Batch[] = [];
    const groupOrder: number[] = [];
    for (const [bi, groups] of perBatch) {
      const b = batches[bi]!;
      const sel = groups.map((g) => bestRow[g]!);
      parts.push({ length: sel.length, columns: b.columns.map((v) => takeVector(v, sel)) });
      groupOrder.push(...groups);
    }
    const width = batches[0]!.columns.length;
    const all: Batch = { length: n, columns: Array.from({ length: width }, (_, c) => concatVectors(batches[0]!.columns[c]!.type, parts.map((p) => p.columns[c]!))) };
    const inv = new Int32Array(n);
    groupOrder.forEach((g, pos) => (inv[g] = pos));
    yield { length: n, columns: all.columns.map((v) => takeVector(v, inv)) };
  };
}
