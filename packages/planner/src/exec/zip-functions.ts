/**
 * ROWS FROM: table functions run in lockstep, row i of each side by side, the
 * ones that ran out padded with NULLs, until every one has. This is how
 * PostgreSQL runs the set-returning functions of one select list (ProjectSet).
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { Batch, Vector } from '../../../storage/src/vector.js';
import { constantVector, sliceVector } from '../../../storage/src/vector.js';
import type { EvalContext } from '../../../storage/src/expr/expr.js';
import type { BatchSource } from './types.js';

/** `types[k]`: the columns of `sources[k]` (what it pads with once it ran out). */
export function zipFunctionsOp(sources: readonly BatchSource[], types: readonly (readonly SqlType[])[]): BatchSource {
  return function* zipFunctions(ctx: EvalContext): Generator<Batch> {
    const iterators = sources.map((s) => s(ctx)[Symbol.iterator]());
    const current: (Batch | null)[] = sources.map(() => null);
    const offset = sources.map(() => 0);
    const ended = sources.map(() => false);
    for (;;) {
      let n = Infinity;
      for (let k = 0; k < sources.length; k++) {
        while (!ended[k] && (current[k] === null || offset[k]! >= current[k]!.length)) {
          const r = iterators[k]!.next();
          if (r.done) ended[k] = true;
          else {
            current[k] = r.value;
            offset[k] = 0;
          }
        }
        if (!ended[k]) n = Math.min(n, current[k]!.length - offset[k]!);
      }
      if (n === Infinity) return;
      const columns: Vector[] = [];
      for (let k = 0; k < sources.length; k++) {
        if (ended[k]) {
          for (const t of types[k]!) columns.push(constantVector(t, null, n));
          continue;
        }
        const b = current[k]!;
        const from = offset[k]!;
        for (const c of b.columns) columns.push(from === 0 && n === b.length ? c : sliceVector(c, from, from + n));
        offset[k] = from + n;
      }
      yield { length: n, columns };
    }
  };
}
