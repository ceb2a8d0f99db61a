/**
 * Kernels cache per-dictionary results keyed by the dictionary array, so a
 * dictionary handed to a scan must never change afterwards. Regression: a text
 * column sorted by stale dictionary ranks after later commits added strings.
 */
import { describe, expect, it } from 'vitest';
import { T } from '../types/sql-type.js';
import { vectorFromValues } from '../vector.js';
import { sortIndices } from '../kernels/sort.js';
import { TableStore } from './index.js';

describe('dictionary snapshots', () => {
  it('a dictionary seen by a scan is not mutated by later inserts', () => {
    const store = new TableStore({ name: 't', columns: [{ id: 1, name: 'k', type: T.text, notNull: false }] });
    store.insert({ length: 2, columns: [vectorFromValues(T.text, ['b', 'c'])] });
    const first = [...store.latest().scan([1])][0]!.batch.columns[0]!;
    if (first.tag !== 'dict') throw new Error('expected a dictionary vector');
    const before = [...first.dict];
    store.insert({ length: 1, columns: [vectorFromValues(T.text, ['a'])] });
    expect([...first.dict]).toEqual(before);
  });

  it('sorting after several commits uses the current dictionary', () => {
    const store = new TableStore({ name: 't', columns: [{ id: 1, name: 'k', type: T.text, notNull: false }] });
    for (const s of ['d', 'b', 'c', 'a']) {
      store.insert({ length: 1, columns: [vectorFromValues(T.text, [s])] });
      const values: string[] = [];
      for (const sb of store.latest().scan([1])) {
        const v = sb.batch.columns[0]!;
        const idx = sortIndices([v], [false], [false], sb.batch.length);
        for (const i of idx) values.push(v.tag === 'dict' ? v.dict[v.codes[i]!]! : String((v as { values: readonly unknown[] }).values[i]));
      }
      expect(values).toEqual([...values].sort());
    }
  });
});
