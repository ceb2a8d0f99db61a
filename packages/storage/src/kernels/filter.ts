/** Selection vectors: increasing row indexes into a batch. */
import type { Batch, Vector } from '../vector.js';
import { takeVector } from '../vector.js';

/** Rows where a boolean vector is TRUE (NULL and FALSE are dropped). */
export function selectTrue(v: Vector, length: number = v.length): Int32Array {
  const out = new Int32Array(length);
  let k = 0;
  if (v.tag === 'bool' || v.tag === 'number') {
    const vals = v.values;
    const nulls = v.nulls;
    if (nulls === null) {
      for (let i = 0; i < length; i++) {
        out[k] = i;
        k += vals[i] ? 1 : 0;
      }
    } else {
      for (let i = 0; i < length; i++) {
        out[k] = i;
        k += vals[i] && !nulls[i] ? 1 : 0;
      }
    }
  } else if (v.tag === 'object') {
    const vals = v.values;
    for (let i = 0; i < length; i++) if (vals[i] === true) out[k++] = i;
  } else {
    throw new Error('selectTrue: dictionary vector is not boolean');
  }
  return k === length ? out : out.subarray(0, k);
}

/** Rows `sel[0..count)` of every column. */
export function takeBatch(batch: Batch, sel: Int32Array, count: number = sel.length): Batch {
  if (count === batch.length) return batch; // a selection is increasing, so this is every row
  return { length: count, columns: batch.columns.map((c) => takeVector(c, sel, count)) };
}

const identities = new Map<number, Int32Array>();

/** 0..n-1, shared: callers must not write to it. */
export function identitySelection(n: number): Int32Array {
  let s = identities.get(n);
  if (s === undefined) {
    s = new Int32Array(n);
    for (let i = 0; i < n; i++) s[i] = i;
    if (identities.size > 64) identities.clear();
    identities.set(n, s);
  }
  return s;
}
