/**
 * information_schema._pg_expandarray(anyarray) → SETOF (x anyelement, n int):
 * the elements of the array's first dimension with their 1-based positions,
 * which is how pgjdbc and other drivers read pg_index.indkey
 * (`(information_schema._pg_expandarray(i.indkey)).n AS KEY_SEQ`).
 *
 * PostgreSQL defines it in SQL as `$1[s]` over generate_series(array_lower,
 * array_upper): strict (a NULL array gives no rows), an empty array gives no
 * rows, and on a multi-dimensional array the one subscript yields NULL x.
 * n counts from 1 whatever the lower bound (int2vector's is 0).
 */
import { T, type SqlType } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import type { Batch, Vector } from '../../../storage/src/vector.js';
import { vectorFromValues } from '../../../storage/src/vector.js';
import { BATCH_ROWS } from './types.js';

export function* expandArrayBatches(
  array: Value,
  elemType: SqlType,
  emit: (cols: Vector[], length: number, first: number) => Batch,
): Generator<Batch> {
  if (array === null) return;
  const items = array as Value[];
  for (let s = 0; s < items.length; s += BATCH_ROWS) {
    const e = Math.min(items.length, s + BATCH_ROWS);
    const xs = new Array<Value>(e - s);
    const ns = new Float64Array(e - s);
    for (let i = s; i < e; i++) {
      const v = items[i] ?? null;
      xs[i - s] = Array.isArray(v) ? null : v;
      ns[i - s] = i + 1;
    }
    const n: Vector = { tag: 'number', type: T.int4, length: e - s, values: ns, nulls: null };
    yield emit([vectorFromValues(elemType, xs), n], e - s, s + 1);
  }
}
