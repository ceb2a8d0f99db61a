/** Unit tests of the COPY FROM parser's fast paths against the engine's input functions. */
import { describe, expect, it } from 'vitest';
import { fastFloat, fastTimestamp, CopyFromParser } from '../../packages/server/src/wire/copy-in.js';
import { T } from '../../packages/storage/src/types/sql-type.js';
import { DEFAULT_FORMAT_CONTEXT } from '../../packages/storage/src/types/values.js';
import { parseText } from '../../packages/storage/src/types/text-io.js';
import { getValue, type Batch } from '../../packages/storage/src/vector.js';
import type { CopyOptions } from '../../packages/server/src/wire/copy-options.js';

describe('fastFloat', () => {
  it('agrees with Number() wherever it answers', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const samples = ['0', '-0', '1', '1.', '0.1', '0.000123', '123456789012345', '1234567890123456', '1e5', '1E-5', '-2.5e+3', '9.999999999999999e22', '3.14159'];
    for (let i = 0; i < 20000; i++) samples.push((rnd() * 10 ** Math.floor(rnd() * 12 - 4)).toFixed(Math.floor(rnd() * 8)), String(rnd() * 1000 - 500));
    for (const s of samples) {
      const v = fastFloat(s);
      if (v !== undefined) expect(Object.is(v, Number(s)), s).toBe(true);
    }
    for (const s of ['', '-', '.', 'NaN', 'Infinity', '1e', '0x10', ' 1', '+1', '1_0', '1.2.3']) expect(fastFloat(s), s).toBeUndefined();
  });
});

describe('fastTimestamp', () => {
  it('agrees with the timestamptz input function', () => {
    for (const s of ['2024-01-02 03:04:05+00', '2024-01-02T03:04:05Z', '2024-02-29 23:59:59.999999+05:30', '1999-12-31 00:00:00-08', '2016-01-01 00:00:00.5+0100', '2024-01-02 03:04:05']) {
      expect(fastTimestamp(s, true, true), s).toBe(parseText(T.timestamptz, s, DEFAULT_FORMAT_CONTEXT));
    }
    for (const s of ['2023-02-29 00:00:00+00', '2024-01-02 24:00:00+00', '2024-01-02 03:04:05.1234567+00', 'today', '2024-01-02 03:04:05 PST']) expect(fastTimestamp(s, true, true), s).toBeUndefined();
    expect(fastTimestamp('2024-01-02 03:04:05', true, false)).toBeUndefined();
  });
});

describe('CopyFromParser', () => {
  const opts = (o: Partial<CopyOptions>): CopyOptions => ({ format: 'text', delimiter: '\t', null: '\\N', header: false, headerMatch: false, quote: '"', escape: '"', forceQuote: [], forceNotNull: [], forceNull: [], ...o });
  const cols = [{ name: 'a', type: T.int4 }, { name: 'b', type: T.text }];
  function run(o: CopyOptions, pieces: string[], batchSize = 3): unknown[][] {
    const rows: unknown[][] = [];
    const p = new CopyFromParser(o, cols, 't', DEFAULT_FORMAT_CONTEXT, (b: Batch) => {
      expect(b.length).toBeLessThanOrEqual(batchSize);
      for (let i = 0; i < b.length; i++) rows.push(b.columns.map((c) => getValue(c, i)));
    }, batchSize);
    for (const s of pieces) p.write(Buffer.from(s));
    expect(p.end()).toBe(rows.length);
    return rows;
  }

  it('splits batches, handles CRLF, a final line without newline, and the \\. marker', () => {
    expect(run(opts({}), ['1\ta\r\n2\tb\n3', '\tc\n4\td\n5\te'])).toEqual([[1, 'a'], [2, 'b'], [3, 'c'], [4, 'd'], [5, 'e']]);
    expect(run(opts({}), ['1\ta\n\\.\n2\tb\n'])).toEqual([[1, 'a']]);
  });

  it('multi-byte UTF-8 split across messages', () => {
    const bytes = Buffer.from('1\tżółw\n2\t日本\n');
    const rows: unknown[][] = [];
    const p = new CopyFromParser(opts({}), cols, 't', DEFAULT_FORMAT_CONTEXT, (b) => {
      for (let i = 0; i < b.length; i++) rows.push(b.columns.map((c) => getValue(c, i)));
    });
    for (let i = 0; i < bytes.length; i++) p.write(bytes.subarray(i, i + 1));
    p.end();
    expect(rows).toEqual([[1, 'żółw'], [2, '日本']]);
  });

  it('CSV quoted fields spanning messages and lines; HEADER MATCH', () => {
    expect(run(opts({ format: 'csv', delimiter: ',', null: '', header: true, headerMatch: true }), ['a,b\n1,"x', '\ny"\n2,""\n3,\n'])).toEqual([[1, 'x\ny'], [2, ''], [3, null]]);
    expect(() => run(opts({ format: 'csv', delimiter: ',', null: '', header: true, headerMatch: true }), ['a,c\n1,x\n'])).toThrow(/column name mismatch/);
  });

  it('records cut anywhere between messages (quoted newlines, CRLF, long fields) parse as the whole input does', () => {
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const o = opts({ format: 'csv', delimiter: ',', null: '' });
    let text = '';
    for (let i = 0; i < 400; i++) {
      const kind = rnd(5);
      const b = kind === 0 ? `"multi\nline ${i}\n""q"""` : kind === 1 ? 'x'.repeat(rnd(300)) : kind === 2 ? '' : kind === 3 ? `"a,b${i}"` : `v${i}`;
      text += `${i},${b}${rnd(4) === 0 ? '\r\n' : '\n'}`;
    }
    const whole = run(o, [text], 10_000);
    expect(whole).toHaveLength(400);
    expect(whole.filter((r) => typeof r[1] === 'string' && r[1].startsWith('multi\nline'))).not.toHaveLength(0);
    for (let round = 0; round < 30; round++) {
      const parts: string[] = [];
      for (let at = 0; at < text.length; ) {
        const len = 1 + rnd(round < 10 ? 8 : 700);
        parts.push(text.slice(at, at + len));
        at += len;
      }
      expect(run(o, parts, 7)).toEqual(whole);
    }
  });

  it('octal and hex escapes in text format', () => {
    expect(run(opts({}), ['1\t\\101\\x42\\\\\\N\n2\t\\N\n'])).toEqual([[1, 'AB\\N'], [2, null]]);
  });
});
