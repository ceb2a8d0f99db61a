/**
 * The single-pass row scanner is a fast path only: with it and without it the
 * parser must produce the same rows, NULLs and errors (code, message,
 * CONTEXT line) for any input, however it is cut into CopyData messages.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CopyFromParser } from './copy-in.js';
import { CopyTextRecordParser } from './copy-text-records.js';
import { copyTypedRows } from './copy-typed-rows.js';
import type { CopyOptions } from './copy-options.js';
import { T } from '../../../storage/src/types/sql-type.js';
import { DEFAULT_FORMAT_CONTEXT } from '../../../storage/src/types/values.js';
import { getValue, type Batch } from '../../../storage/src/vector.js';
import type { WhereError } from './copy-column-batch.js';

const columns = [
  { name: 'time', type: T.timestamptz },
  { name: 'id', type: T.int4 },
  { name: 'host', type: T.text },
  { name: 'v', type: T.float8 },
  { name: 'big', type: T.int8 },
  { name: 'tag', type: T.text },
];

const options = (o: Partial<CopyOptions>): CopyOptions => ({
  format: 'csv', delimiter: ',', null: '', header: false, headerMatch: false, quote: '"', escape: '"', forceQuote: [], forceNotNull: [], forceNull: [], ...o,
});

interface Outcome {
  rows: unknown[][];
  error: { code: string; message: string; where: string | undefined } | null;
}

function parse(o: CopyOptions, pieces: Buffer[], typed: boolean, batchSize = 7): Outcome {
  copyTypedRows.enabled = typed;
  const rows: unknown[][] = [];
  try {
    const p = new CopyFromParser(o, columns, 'm', DEFAULT_FORMAT_CONTEXT, (b: Batch) => {
      for (let i = 0; i < b.length; i++) rows.push(b.columns.map((c) => getValue(c, i)));
    }, batchSize);
    for (const piece of pieces) p.write(piece);
    p.end();
    return { rows, error: null };
  } catch (e) {
    const err = e as WhereError;
    return { rows, error: { code: err.code, message: err.message, where: err.where } };
  } finally {
    copyTypedRows.enabled = true;
  }
}

function random(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
}

// mostly fast-path syntax, some of everything the general scanner must take over, a few invalid values
const TIMES = ['2016-01-01T00:00:00.000Z', '2016-01-01T00:00:00.000Z', '2016-01-01 00:00:10+00', '2024-02-29 23:59:59.999999+05:30', '2016-01-01T00:00:00', '"2016-01-01 00:00:20Z"', '', '2023-02-29 00:00:00+00', 'epoch'];
const IDS = ['1', '-5', '+7', '007', '', '2147483647', '2147483648', '1.5', '"12"'];
const HOSTS = ['host_1', 'host_2', 'host_1', 'héllo', '', '"q,uoted"', '"say ""hi"""', 'a\\b', 'x y', '\\N', 'NA', '"multi\nline"'];
const FLOATS = ['1', '-0', '1.5', '62', '1e5', '1E-5', '.5', '1.', '', '0.000000000000000000000015', '-12345678901234567890', 'NaN', '-Infinity', ' 1', '1e', 'x', '"2.5"', '.', '-.', '1.2.3', '-', '9007199254740993'];
const BIGS = ['0', '9007199254740991', '-12', '', '123456789012345678', '+1'];

function generate(rnd: () => number, rows: number, o: CopyOptions, bad: number): Buffer {
  const pick = (pool: string[], invalidFrom: number) => {
    const n = rnd() < bad ? pool.length : invalidFrom;
    return pool[Math.floor(rnd() * n)]!;
  };
  const lines: string[] = [];
  if (o.header) lines.push(columns.map((c) => c.name).join(o.delimiter) + '\n');
  for (let r = 0; r < rows; r++) {
    let fields = [pick(TIMES, 6), pick(IDS, 5), pick(HOSTS, 5), pick(FLOATS, 11), pick(BIGS, 4), pick(HOSTS, 5)];
    if (o.null !== '') fields = fields.map((f) => (f === '' ? o.null : f));
    if (o.format === 'text') fields = fields.map((f) => f.replace(/^"|"$/g, '').replace(/\n/g, '\\n'));
    if (rnd() < bad / 4) fields.pop();
    if (rnd() < bad / 4) fields.push('9');
    const end = rnd() < 0.05 ? '\r\n' : '\n';
    lines.push(fields.join(o.delimiter) + end);
  }
  return Buffer.from(lines.join(''), 'utf8');
}

/** The input cut at random places (a record split anywhere, sometimes byte by byte). */
function cut(rnd: () => number, data: Buffer): Buffer[] {
  const pieces: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    const n = rnd() < 0.1 ? 1 : 1 + Math.floor(rnd() * 400);
    pieces.push(data.subarray(at, Math.min(data.length, at + n)));
    at += n;
  }
  return pieces;
}

const VARIANTS: [string, CopyOptions][] = [
  ['csv', options({})],
  ['csv, header, NULL NA', options({ header: true, null: 'NA' })],
  ['csv | FORCE_NOT_NULL host', options({ delimiter: '|', forceNotNull: ['host'] })],
  ['csv ; FORCE_NULL tag', options({ delimiter: ';', forceNull: ['tag'] })],
  ['text', options({ format: 'text', delimiter: '\t', null: '\\N' })],
  ['text, comma', options({ format: 'text', delimiter: ',', null: '' })],
];

afterEach(() => {
  copyTypedRows.enabled = true;
  vi.restoreAllMocks();
});

describe('single-pass row scanner', () => {
  for (const [name, o] of VARIANTS) {
    it(`agrees with the general scanner: ${name}`, () => {
      let errors = 0;
      for (let seed = 1; seed <= 60; seed++) {
        const rnd = random(seed);
        const bad = seed % 3 === 0 ? 0 : 0.004 * (seed % 5);
        const data = generate(rnd, 150, o, bad);
        const pieces = seed % 2 ? [data] : cut(rnd, data);
        const general = parse(o, pieces, false);
        const typed = parse(o, pieces, true);
        expect(typed, `seed ${seed}`).toEqual(general);
        if (general.error) errors++;
      }
      // both outcomes were exercised: clean inputs and inputs that stop at an error
      expect(errors).toBeGreaterThan(3);
      expect(errors).toBeLessThan(60);
    });
  }

  it('agrees on every sample value in every column, alone in a plain row', () => {
    const plain = ['2016-01-01T00:00:00Z', '1', 'h', '1.5', '2', 't'];
    const samples = [...TIMES, ...IDS, ...HOSTS, ...FLOATS, ...BIGS];
    for (const [name, o] of VARIANTS) {
      for (let col = 0; col < plain.length; col++) {
        for (const value of samples) {
          const fields = [...plain];
          fields[col] = value;
          const row = fields.join(o.delimiter);
          const data = Buffer.from(`${o.header ? 'time,id,host,v,big,tag\n' : ''}${plain.join(o.delimiter)}\n${row}\n${plain.join(o.delimiter)}\n`);
          expect(parse(o, [data], true), `${name}: ${JSON.stringify(row)}`).toEqual(parse(o, [data], false));
        }
      }
    }
  });

  it('takes plain records itself and leaves special ones to the general scanner', () => {
    const general = vi.spyOn(CopyTextRecordParser.prototype as unknown as { csvRecord: () => number }, 'csvRecord');
    const plain = Array.from({ length: 1000 }, (_, i) => `2016-01-01T00:00:${String(i % 60).padStart(2, '0')}Z,${i},host_${i % 10},${i / 4},${i},t\n`).join('');
    const out = parse(options({}), [Buffer.from(plain + '2016-01-01T00:00:00Z,1,"quoted",1,2,t\n')], true, 100);
    expect(out.error).toBeNull();
    expect(out.rows).toHaveLength(1001);
    expect(out.rows[999]).toEqual([Date.UTC(2016, 0, 1, 0, 0, 39) * 1000, 999, 'host_9', 249.75, 999, 't']);
    expect(out.rows[1000]![2]).toBe('quoted');
    expect(general.mock.calls.length).toBeLessThan(5); // the quoted record and the end of the input
  });

  it('NULL markers: the empty CSV field is NULL, FORCE_NOT_NULL makes it an empty string, a quoted one is a string', () => {
    const data = Buffer.from('2016-01-01T00:00:00Z,,,,,\n2016-01-01T00:00:00Z,1,"",2,3,x\n');
    expect(parse(options({}), [data], true).rows).toEqual([
      [Date.UTC(2016, 0, 1) * 1000, null, null, null, null, null],
      [Date.UTC(2016, 0, 1) * 1000, 1, '', 2, 3, 'x'],
    ]);
    expect(parse(options({ forceNotNull: ['host', 'tag'] }), [data], true).rows[0]).toEqual([Date.UTC(2016, 0, 1) * 1000, null, '', null, null, '']);
  });

  it('a record abandoned half-way leaves no NULL behind for the row that takes its place', () => {
    // row 1: NULL id, then a quote sends it to the general scanner, which sees the same NULL; row 2 must not inherit it
    const data = Buffer.from('2016-01-01T00:00:00Z,,"h",1,2,t\n2016-01-01T00:00:00Z,5,h,1,2,t\n');
    const rows = parse(options({}), [data], true).rows;
    expect(rows.map((r) => r[1])).toEqual([null, 5]);
    // the general scanner takes row 2 too (backoff), so abandon a row whose NULL the general scanner does not see
    const data2 = Buffer.from('2016-01-01T00:00:00Z,,h,1,2,t\n2016-01-01T00:00:00Z,,h,"1",2,t\n2016-01-01T00:00:00Z,7,h,1,2,t\n');
    expect(parse(options({ forceNotNull: [] }), [data2], true).rows.map((r) => r[1])).toEqual([null, null, 7]);
  });

  it('errors carry the line of the bad record after many plain ones', () => {
    const plain = '2016-01-01T00:00:00Z,1,h,1.5,2,t\n'.repeat(99);
    const cases: [string, string, string][] = [
      ['2016-01-01T00:00:00Z,1,h,1.5,2,t,extra\n', '22P04', 'COPY m, line 100: "2016-01-01T00:00:00Z,1,h,1.5,2,t,extra"'],
      ['2016-01-01T00:00:00Z,1,h,1.5,2\n', '22P04', 'COPY m, line 100: "2016-01-01T00:00:00Z,1,h,1.5,2"'],
      ['2016-01-01T00:00:00Z,99999999999,h,1.5,2,t\n', '22003', 'COPY m, line 100, column id: "99999999999"'],
      ['2016-01-01T00:00:00Z,1,h,abc,2,t\n', '22P02', 'COPY m, line 100, column v: "abc"'],
      ['2016-01-01T00:00:00Z,1,\xff,1,2,t\n', '22021', 'COPY m, line 100'],
    ];
    for (const [last, code, where] of cases) {
      const data = Buffer.concat([Buffer.from(plain), Buffer.from(last, last.includes('\xff') ? 'latin1' : 'utf8')]);
      const out = parse(options({}), [data], true, 1000);
      expect(out.error, last).toMatchObject({ code, where });
      expect(out.rows).toHaveLength(0); // the batch never filled
    }
  });

  it('the end-of-data marker stops the COPY on the fast path too', () => {
    const data = Buffer.from('2016-01-01T00:00:00Z,1,h,1,2,t\n\\.\n2016-01-01T00:00:00Z,2,h,1,2,t\n');
    expect(parse(options({}), [data], true).rows).toHaveLength(1);
  });

  it('a delimiter that can be part of a number keeps the general scanner', () => {
    const general = vi.spyOn(CopyTextRecordParser.prototype as unknown as { csvRecord: () => number }, 'csvRecord');
    const o = options({ delimiter: '.', null: 'N' });
    const data = Buffer.from('2016-01-01T00:00:00Z.1.h.1.2.t\n2016-01-01T00:00:00Z.-3.h.N.2.t\n');
    expect(parse(o, [data], true).rows).toEqual([
      [Date.UTC(2016, 0, 1) * 1000, 1, 'h', 1, 2, 't'],
      [Date.UTC(2016, 0, 1) * 1000, -3, 'h', null, 2, 't'],
    ]);
    expect(general).toHaveBeenCalledTimes(2);
  });
});
