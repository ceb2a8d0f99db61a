/** TextCodeTable: codes per batch dictionary, across batches, when full, with bad UTF-8. */
import { describe, expect, it } from 'vitest';
import { TextCodeTable } from './copy-text-codes.js';
import { TEXT_HASH_SEED } from './copy-column-batch.js';

function fnv(b: Uint8Array): number {
  let h = TEXT_HASH_SEED;
  for (const c of b) h = Math.imul(h ^ c, 0x01000193);
  return h;
}

/** The code of `s` through the table, or through `fallback` (the caller's own map) when the table does not keep it. */
function code(t: TextCodeTable, s: string, batch: number, dict: string[], fallback: Map<string, number>): number {
  const b = Buffer.from(s);
  const c = t.code(b, 0, b.length, fnv(b), batch, dict);
  if (c >= 0) return c;
  let f = fallback.get(s);
  if (f === undefined) fallback.set(s, (f = dict.push(s) - 1));
  return f;
}

describe('TextCodeTable', () => {
  it('gives each value one code per batch and a fresh dictionary per batch', () => {
    const t = new TextCodeTable();
    const d1: string[] = [];
    const m1 = new Map<string, number>();
    const values = Array.from({ length: 3000 }, (_, i) => `host_${i % 1000}`); // grows past its first capacity
    const codes = values.map((v) => code(t, v, 1, d1, m1));
    expect(d1).toHaveLength(1000);
    expect(codes.map((c) => d1[c])).toEqual(values);
    const d2: string[] = [];
    t.startBatch();
    expect(code(t, 'host_999', 2, d2, new Map())).toBe(0);
    expect(code(t, 'host_0', 2, d2, new Map())).toBe(1);
    expect(code(t, 'host_999', 2, d2, new Map())).toBe(0);
    expect(d2).toEqual(['host_999', 'host_0']);
  });

  it('the empty string, multi-byte text, and keys longer than it keeps', () => {
    const t = new TextCodeTable();
    const d: string[] = [];
    const m = new Map<string, number>();
    const long = 'x'.repeat(TextCodeTable.maxKey + 1);
    const values = ['', 'żółw', '', long, 'żółw', long, '日本'];
    const codes = values.map((v) => code(t, v, 1, d, m));
    expect(codes.map((c) => d[c])).toEqual(values);
    expect(new Set(d).size).toBe(d.length);
    expect(m.has(long)).toBe(true); // not kept by the table
  });

  it('when full, takes no new values until the next batch, and no dictionary repeats a string', () => {
    const t = new TextCodeTable();
    const dict: string[] = [];
    const m = new Map<string, number>();
    const n = (1 << 16) + 5000;
    for (let i = 0; i < n; i++) code(t, `v${i}`, 1, dict, m);
    for (let i = 0; i < n; i += 7) expect(dict[code(t, `v${i}`, 1, dict, m)]).toBe(`v${i}`);
    expect(m.size).toBe(5000);
    expect(dict).toHaveLength(n);
    expect(new Set(dict).size).toBe(n);
    // a new batch: the full table starts over, so a value the map coded is now the table's
    t.startBatch();
    const d2: string[] = [];
    const b = Buffer.from(`v${n - 1}`);
    expect(t.code(b, 0, b.length, fnv(b), 2, d2)).toBe(0);
  });

  it('invalid UTF-8 is a TypeError (the parser reports 22021)', () => {
    const b = Buffer.from([0x68, 0xff, 0x69]);
    expect(() => new TextCodeTable().code(b, 0, 3, fnv(b), 1, [])).toThrow(TypeError);
  });
});
