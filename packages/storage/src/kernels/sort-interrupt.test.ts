/** sortIndices' interrupt hook (statement_timeout / CancelRequest during a big sort). */
import { describe, expect, it } from 'vitest';
import { T } from '../types/sql-type.js';
import type { Vector } from '../vector.js';
import { sortIndices } from './sort.js';

/** more rows than one interrupt block (2^21), with NULLs, descending: exercises every radix loop */
function bigColumn(n: number): Vector {
  const values = new Float64Array(n);
  const nulls = new Uint8Array(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
    values[i] = (x % 1000) - 500.5;
    if (i % 97 === 0) nulls[i] = 1;
  }
  return { tag: 'number', type: T.float8, length: n, values, nulls };
}

describe('sortIndices with an interrupt', () => {
  const n = (1 << 21) + 1000;
  const col = bigColumn(n);

  it('radix path: the same order as without the hook, and the hook is called per block', () => {
    let calls = 0;
    const withHook = sortIndices([col], [true], [false], n, () => calls++);
    expect(calls).toBeGreaterThan(3);
    const plain = sortIndices([col], [true], [false], n);
    let differ = 0;
    for (let i = 0; i < n; i++) if (withHook[i] !== plain[i]) differ++;
    expect(differ).toBe(0);
    const v = col.tag === 'number' ? col.values : new Float64Array(0);
    const nulls = col.tag === 'number' ? col.nulls! : new Uint8Array(0);
    let misordered = 0;
    for (let i = 1; i < n; i++) {
      const a = withHook[i - 1]!, b = withHook[i]!;
      if (nulls[a] === 1) misordered += nulls[b] === 1 ? 0 : 1; // NULLS LAST
      else if (nulls[b] === 0 && !(v[a]! > v[b]! || (v[a] === v[b] && a < b))) misordered++; // stable DESC
    }
    expect(misordered).toBe(0);
  });

  it('an exception from the hook aborts the sort (radix and comparator paths)', () => {
    const stop = () => {
      throw new Error('canceled');
    };
    expect(() => sortIndices([col], [false], [false], n, stop)).toThrow('canceled');
    // two keys: the comparator sort, interrupted every 64 Ki comparisons
    expect(() => sortIndices([col, col], [false, true], [false, false], 200_000, stop)).toThrow('canceled');
  });
});
