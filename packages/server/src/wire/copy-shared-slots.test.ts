/** Shared batch slots: what the parser writes into a slot is what the main thread reads, slots are reused only once released. */
import { describe, expect, it } from 'vitest';
import { CopyFromParser } from './copy-in.js';
import { SharedSlotReader, SharedSlotWriter } from './copy-shared-slots.js';
import type { CopyOptions } from './copy-options.js';
import { T } from '../../../storage/src/types/sql-type.js';
import { DEFAULT_FORMAT_CONTEXT } from '../../../storage/src/types/values.js';
import { getValue, type Batch } from '../../../storage/src/vector.js';

const columns = [
  { name: 'time', type: T.timestamptz },
  { name: 'host', type: T.text },
  { name: 'ok', type: T.bool },
  { name: 'v', type: T.float8 },
];
const opts: CopyOptions = { format: 'csv', delimiter: ',', null: '', header: false, headerMatch: false, quote: '"', escape: '"', forceQuote: [], forceNotNull: [], forceNull: [] };
const rowsOf = (b: Batch) => Array.from({ length: b.length }, (_, i) => b.columns.map((c) => getValue(c, i)));

describe('shared batch slots', () => {
  it('batches built in slots read back the same on the other side, NULLs and dictionaries included', () => {
    const batches: Batch[] = [];
    let writer: SharedSlotWriter | null = null;
    const read: unknown[][] = [];
    const direct: unknown[][] = [];
    const parser = new CopyFromParser(opts, columns, 't', DEFAULT_FORMAT_CONTEXT, (b) => batches.push(b), 4);
    writer = SharedSlotWriter.create(parser.vectorTags, 4)!;
    expect(writer).not.toBeNull();
    parser.setArraySource(() => writer.take());
    const reader = new SharedSlotReader(structuredClone(writer.spec), columns.map((c) => c.type));
    const input = Array.from({ length: 11 }, (_, i) => `2016-01-01 00:00:0${i % 10}+00,${i % 3 ? `h${i % 2}` : ''},${i % 2 ? 't' : 'f'},${i % 4 ? i / 2 : ''}\n`).join('');
    parser.write(Buffer.from(input));
    parser.end();
    expect(batches.map((b) => b.length)).toEqual([4, 4, 3]);
    for (const b of batches.slice(1)) {
      // the first batch was allocated before the source was set: it goes the transferred way
      const m = writer.describe(b);
      expect(m).not.toBeNull();
      direct.push(...rowsOf(b));
      read.push(...rowsOf(reader.batch(structuredClone(m!))));
    }
    expect(writer.describe(batches[0]!)).toBeNull();
    expect(read).toEqual(direct);
    expect(direct[0]).toEqual([Date.UTC(2016, 0, 1, 0, 0, 4) * 1000, 'h0', false, null]);
    expect(direct[2]).toEqual([Date.UTC(2016, 0, 1, 0, 0, 6) * 1000, null, false, 3]);
  });

  it('a slot is handed out again only after the reader released it; none free means null', () => {
    const writer = SharedSlotWriter.create(['number', 'dict'], 1000)!;
    const reader = new SharedSlotReader(writer.spec, [T.float8, T.text]);
    const taken = [];
    for (let a = writer.take(); a !== null; a = writer.take()) taken.push(a);
    expect(taken.length).toBe(writer.spec.buffers.length);
    expect(taken.length).toBeGreaterThanOrEqual(2);
    reader.release(1);
    expect(writer.take()).toBe(taken[1]);
    expect(writer.take()).toBeNull();
  });

  it('columns through an input function, or slots that would be too large, get no slots', () => {
    expect(SharedSlotWriter.create(['number', 'values'], 1000)).toBeNull();
    expect(SharedSlotWriter.create(['number'], 4 << 20)).toBeNull();
  });
});
