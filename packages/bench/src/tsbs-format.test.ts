import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CPU_FIELDS, TsbsCpuGenerator, generateCpu } from './tsbs-data.js';
import { DATA_COLUMNS, toArrow, toRowArrays } from './tsbs-format.js';

function digest(gen: TsbsCpuGenerator, rows: number, chunkRows: number): string {
  const h = createHash('sha256');
  for (const c of gen.chunks(rows, chunkRows)) {
    h.update(Buffer.from(c.timeMs.buffer));
    h.update(Buffer.from(c.hostIndex.buffer));
    for (const f of c.fields) h.update(Buffer.from(f.buffer));
  }
  h.update(JSON.stringify(gen.hosts));
  return h.digest('hex');
}

describe('TsbsCpuGenerator', () => {
  it('produces the same data for a seed as it always did', () => {
    // recorded from the original per-value Box–Muller generator
    expect(digest(new TsbsCpuGenerator({ hosts: 7, seed: 42 }), 1000, 333)).toBe('ead7f62b9169fa8273b599e9103b148b334a239d2abc453f4ccdb53e70a964ef');
  });

  it('does not depend on how the rows are cut into chunks', () => {
    const whole = generateCpu({ hosts: 13, seed: 5, rows: 500 });
    const gen = new TsbsCpuGenerator({ hosts: 13, seed: 5 });
    const parts = [...gen.chunks(500, 37)];
    let r = 0;
    for (const p of parts) {
      for (let i = 0; i < p.rows; i++, r++) {
        expect(p.timeMs[i]).toBe(whole.timeMs[r]);
        expect(p.hostIndex[i]).toBe(whole.hostIndex[r]);
        for (let f = 0; f < CPU_FIELDS.length; f++) expect(p.fields[f]![i]).toBe(whole.fields[f]![r]);
      }
    }
    expect(r).toBe(500);
  });

  it('walks time-major, every value an integer in [0, 100]', () => {
    const c = generateCpu({ hosts: 4, seed: 9, rows: 4 * 50 });
    for (let r = 0; r < c.rows; r++) {
      expect(c.hostIndex[r]).toBe(r % 4);
      expect(c.timeMs[r]).toBe(Date.UTC(2016, 0, 1) + Math.floor(r / 4) * 10_000);
      for (const f of c.fields) {
        expect(Number.isInteger(f[r])).toBe(true);
        expect(f[r]).toBeGreaterThanOrEqual(0);
        expect(f[r]).toBeLessThanOrEqual(100);
      }
    }
  });
});

describe('toArrow', () => {
  it('holds the same values as the row arrays, hostname dictionary-encoded', () => {
    const gen = new TsbsCpuGenerator({ hosts: 5, seed: 3, startMs: Date.UTC(2106, 1, 7, 6, 28, 15) });
    gen.nextChunk(11);
    const c = gen.nextChunk(23);
    const t = toArrow(c);
    const rows = toRowArrays(c);
    expect(t.numRows).toBe(23);
    expect(t.schema.fields.map((f) => f.name)).toEqual([...DATA_COLUMNS]);
    expect(String(t.schema.fields[2]!.type)).toBe('Dictionary<Int32, Utf8>');
    for (let r = 0; r < c.rows; r++) {
      const row = rows[r]!;
      // both int64 words matter (the low one wraps past 2^31 for some of these times)
      expect(t.getChild('time')!.get(r)).toBe((row[0] as Date).getTime());
      expect(t.getChild('tags_id')!.get(r)).toBe(row[1]);
      expect(t.getChild('hostname')!.get(r)).toBe(row[2]);
      for (let f = 0; f < CPU_FIELDS.length; f++) expect(t.getChild(CPU_FIELDS[f]!)!.get(r)).toBe(row[3 + f]);
    }
  });

  it('adopts the generator arrays and shares one hostname dictionary across parts', () => {
    const gen = new TsbsCpuGenerator({ hosts: 3, seed: 1 });
    const a = gen.nextChunk(6);
    const b = gen.nextChunk(6);
    const ta = toArrow(a);
    const tb = toArrow(b);
    expect(ta.getChild('usage_user')!.data[0]!.values).toBe(a.fields[0]);
    expect(ta.getChild('hostname')!.data[0]!.values).toBe(a.hostIndex);
    expect(ta.getChild('hostname')!.data[0]!.dictionary).toBe(tb.getChild('hostname')!.data[0]!.dictionary);
  });
});
