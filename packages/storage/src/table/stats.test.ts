import { describe, expect, it } from 'vitest';
import { StringDict } from './dict.js';
import { computeColStats } from './stats.js';

function dictCol(words: readonly string[], rows: readonly (string | null)[]) {
  const dict = new StringDict();
  for (const w of words) dict.intern(w);
  const codes = new Int32Array(rows.length);
  let nulls: Uint8Array | null = null;
  rows.forEach((r, i) => {
    if (r === null) {
      (nulls ??= new Uint8Array(rows.length))[i] = 1;
      codes[i] = 999_999; // a NULL row's code is never read
    } else codes[i] = dict.intern(r);
  });
  return { kind: 'dict' as const, codes, nulls, dict };
}

describe('computeColStats on text', () => {
  // rows that cycle through many values take the per-distinct-code path; short runs compare per row
  const hosts = Array.from({ length: 300 }, (_, i) => `host_${i}`);
  const cycling = Array.from({ length: 3000 }, (_, i) => hosts[(i * 7) % 300]!);

  it('min and max of cycling values over the whole column', () => {
    const s = computeColStats(dictCol(hosts, cycling), 0, cycling.length);
    expect(s).toMatchObject({ min: 'host_0', max: 'host_99', nullCount: 0, ordered: true });
  });

  it('only the rows in [from, to) count, not every dictionary entry', () => {
    const rows = [...cycling.slice(0, 100).map(() => 'm'), ...Array.from({ length: 200 }, (_, i) => (i % 2 ? 'k' : 'p'))];
    const c = dictCol(['a', 'z', ...hosts], rows);
    expect(computeColStats(c, 100, 300)).toMatchObject({ min: 'k', max: 'p', nullCount: 0 });
    expect(computeColStats(c, 0, 100)).toMatchObject({ min: 'm', max: 'm' });
  });

  it('skips NULL rows (their codes are garbage) and counts them', () => {
    const rows = cycling.map((h, i) => (i % 5 === 0 ? null : h));
    const s = computeColStats(dictCol(hosts, rows), 0, rows.length);
    expect(s.nullCount).toBe(600);
    const live = rows.filter((r): r is string => r !== null).sort();
    expect([s.min, s.max]).toEqual([live[0], live[live.length - 1]]);
  });

  it('all NULL: no bounds', () => {
    const rows = new Array<string | null>(200).fill(null);
    expect(computeColStats(dictCol(hosts, rows), 0, 200)).toMatchObject({ min: null, max: null, nullCount: 200, ordered: true });
  });

  it('agrees with per-row comparison on both paths', () => {
    const words = Array.from({ length: 500 }, (_, i) => `w${(i * 7919) % 1000}`);
    const rows = Array.from({ length: 4000 }, (_, i) => (i % 11 === 3 ? null : words[(i * 31) % 500]!));
    const c = dictCol(words, rows);
    for (const [from, to] of [[0, 4000], [5, 60], [1000, 1300], [3999, 4000]] as const) {
      const live = rows.slice(from, to).filter((r): r is string => r !== null).sort();
      const s = computeColStats(c, from, to);
      expect([s.min, s.max, s.nullCount]).toEqual([live[0] ?? null, live[live.length - 1] ?? null, to - from - live.length]);
    }
  });
});
