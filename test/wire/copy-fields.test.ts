/** The byte-level COPY FROM paths (copy-fields.ts, CopyFromParser) against the engine's input functions. */
import { describe, expect, it } from 'vitest';
import { FAIL, decodeText, floatBytes, intBytes, timestampBytes, deEscapeBytes } from '../../packages/server/src/wire/copy-fields.js';
import { CopyFromParser } from '../../packages/server/src/wire/copy-in.js';
import { T } from '../../packages/storage/src/types/sql-type.js';
import { DEFAULT_FORMAT_CONTEXT, type FormatContext } from '../../packages/storage/src/types/values.js';
import { parseText } from '../../packages/storage/src/types/text-io.js';
import { getValue, type Batch } from '../../packages/storage/src/vector.js';
import type { CopyOptions } from '../../packages/server/src/wire/copy-options.js';

const B = (s: string) => Buffer.from(s);

describe('floatBytes', () => {
  it('agrees with Number() wherever it answers, and declines the rest', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const samples = ['0', '-0', '1', '1.', '.5', '0.1', '1e5', '1E-5', '-2.5e+3', '9007199254740992', '9007199254740993', '123456789012345678', '0.000000000000000000001', '12.34', '99.99'];
    for (let i = 0; i < 20000; i++) samples.push((rnd() * 10 ** Math.floor(rnd() * 12 - 4)).toFixed(Math.floor(rnd() * 10)), String(rnd() * 1000 - 500), String(rnd() * 1e25));
    for (const s of samples) {
      const b = B(`,${s},`);
      const v = floatBytes(b, 1, b.length - 1);
      if (v !== FAIL) expect(Object.is(v, Number(s)), s).toBe(true);
    }
    expect(Object.is(floatBytes(B('-0'), 0, 2), -0)).toBe(true);
    for (const s of ['', '-', '.', '-.', 'NaN', 'Infinity', '-Infinity', '1e', '1e+', '0x10', ' 1', '1 ', '+1', '1_0', '1.2.3', '1e400']) expect(floatBytes(B(s), 0, s.length), s).toBe(FAIL);
  });
});

describe('intBytes', () => {
  it('answers for in-range digit runs only', () => {
    expect(intBytes(B('-2147483648'), 0, 11, -2147483648, 2147483647)).toBe(-2147483648);
    expect(intBytes(B('+42'), 0, 3, -10, 100)).toBe(42);
    expect(Object.is(intBytes(B('-0'), 0, 2, -10, 10), 0)).toBe(true);
    for (const s of ['2147483648', '', '-', '1.0', ' 1', '1234567890123456']) expect(intBytes(B(s), 0, s.length, -2147483648, 2147483647), s).toBe(FAIL);
  });
});

describe('timestampBytes', () => {
  it('agrees with the timestamptz and timestamp input functions', () => {
    for (const s of ['2024-01-02 03:04:05+00', '2024-01-02T03:04:05Z', '2024-02-29 23:59:59.999999+05:30', '1999-12-31 00:00:00-08', '2016-01-01 00:00:00.5+0100', '2024-01-02 03:04:05', '1000-03-01 00:00:00+00', '2100-02-28 12:00:00-03:30']) {
      expect(timestampBytes(B(s), 0, s.length, true, true), s).toBe(parseText(T.timestamptz, s, DEFAULT_FORMAT_CONTEXT));
      expect(timestampBytes(B(s), 0, s.length, false, true), s).toBe(parseText(T.timestamp, s, DEFAULT_FORMAT_CONTEXT));
    }
    for (const s of ['2023-02-29 00:00:00+00', '2024-01-02 24:00:00+00', '2024-01-02 03:04:05.1234567+00', 'today', '2024-01-02 03:04:05 PST', '0999-01-01 00:00:00+00', '2024-01-02 03:04:05+1']) {
      expect(timestampBytes(B(s), 0, s.length, true, true), s).toBe(FAIL);
    }
    expect(timestampBytes(B('2024-01-02 03:04:05'), 0, 19, true, false)).toBe(FAIL); // session zone applies: input function
  });
});

describe('decodeText and deEscapeBytes', () => {
  it('decodes ASCII and UTF-8 fields, rejects bad UTF-8', () => {
    const b = B('host_1,żółw,' + 'x'.repeat(100));
    expect(decodeText(b, 0, 6)).toBe('host_1');
    expect(decodeText(b, 7, 14)).toBe('żółw');
    expect(decodeText(b, 15, 115)).toBe('x'.repeat(100));
    expect(() => decodeText(Buffer.from([0x68, 0xc3]), 0, 2)).toThrow();
  });
  it('de-escapes octal, hex and letters into bytes', () => {
    const src = B('a\\tb\\101\\x42\\303\\251\\\\\\q');
    const out = Buffer.alloc(64);
    const n = deEscapeBytes(src, 0, src.length, out, 0);
    expect(out.subarray(0, n).toString('utf8')).toBe('a\tbABé\\q');
  });
});

describe('CopyFromParser byte paths', () => {
  const opts = (o: Partial<CopyOptions>): CopyOptions => ({ format: 'text', delimiter: '\t', null: '\\N', header: false, headerMatch: false, quote: '"', escape: '"', forceQuote: [], forceNotNull: [], forceNull: [], ...o });
  const csv = (o: Partial<CopyOptions> = {}) => opts({ format: 'csv', delimiter: ',', null: '', ...o });
  const cols = [
    { name: 't', type: T.timestamptz },
    { name: 'i', type: T.int4 },
    { name: 'h', type: T.text },
    { name: 'f', type: T.float8 },
  ];
  function run(o: CopyOptions, pieces: (string | Buffer)[], ctx: FormatContext = DEFAULT_FORMAT_CONTEXT, c = cols): unknown[][] {
    const rows: unknown[][] = [];
    const p = new CopyFromParser(o, c, 'x', ctx, (b: Batch) => {
      for (let i = 0; i < b.length; i++) rows.push(b.columns.map((v) => getValue(v, i)));
    }, 2);
    for (const s of pieces) p.write(typeof s === 'string' ? Buffer.from(s) : s);
    expect(p.end()).toBe(rows.length);
    return rows;
  }
  const ts = (s: string, ctx = DEFAULT_FORMAT_CONTEXT) => parseText(T.timestamptz, s, ctx);
  /** every split of `s` into two CopyData messages gives the same rows */
  function allSplits(o: CopyOptions, s: string, c = cols): unknown[][] {
    const whole = run(o, [s], DEFAULT_FORMAT_CONTEXT, c);
    const b = Buffer.from(s);
    for (let k = 1; k < b.length; k++) expect(run(o, [b.subarray(0, k), b.subarray(k)], DEFAULT_FORMAT_CONTEXT, c), `split at ${k}`).toEqual(whole);
    return whole;
  }

  it('float formats, NULL markers and CRLF in text and CSV', () => {
    const text = '2024-01-01 00:00:00+00\t1\th\t1e5\r\n2024-01-01 00:00:00Z\t-2\t\\N\t-0\n2024-01-01 00:00:00+05:30\t\\N\th\tNaN\n2024-01-01 00:00:00\t3\th\t-Infinity\n';
    const rows = allSplits(opts({}), text);
    expect(rows.map((r) => r[3])).toEqual([1e5, -0, NaN, -Infinity]);
    expect(Object.is(rows[1]![3], -0)).toBe(true);
    expect(rows.map((r) => r[0])).toEqual([ts('2024-01-01 00:00:00+00'), ts('2024-01-01 00:00:00+00'), ts('2024-01-01 00:00:00+05:30'), ts('2024-01-01 00:00:00')]);
    expect(rows[1]![2]).toBeNull();
    expect(rows[2]![1]).toBeNull();
    const c = allSplits(csv(), '2024-01-01 00:00:00+00,1,"",1.5\r\n2024-01-01 00:00:00+00,,,Infinity\r\n');
    expect(c).toEqual([[ts('2024-01-01 00:00:00+00'), 1, '', 1.5], [ts('2024-01-01 00:00:00+00'), null, null, Infinity]]);
  });

  it('timestamps without a zone use the session TimeZone', () => {
    const ctx: FormatContext = { ...DEFAULT_FORMAT_CONTEXT, timeZone: 'Asia/Kolkata' };
    const rows = run(opts({}), ['2024-01-01 05:30:00\t1\th\t1\n2024-01-01 00:00:00+00\t1\th\t1\n'], ctx);
    expect(rows[0]![0]).toBe(rows[1]![0]);
  });

  it('CSV quotes spanning messages, doubled quotes, delimiters and newlines inside quotes, quoted NULL-looking values', () => {
    const s = '"2024-01-01 00:00:00+00","7","a,""b""\r\nc","2.5"\n2024-01-01 00:00:00+00,8,"",\n"2024-01-01 00:00:00+00","9",x"y"z,"1e-3"\n';
    const rows = allSplits(csv(), s);
    expect(rows.map((r) => r.slice(1))).toEqual([[7, 'a,"b"\r\nc', 2.5], [8, '', null], [9, 'xyz', 1e-3]]);
    expect(run(csv({ forceNull: ['h'] }), ['2024-01-01 00:00:00+00,1,"",1\n'])[0]![2]).toBeNull();
    expect(run(csv({ forceNotNull: ['h'] }), ['2024-01-01 00:00:00+00,1,,1\n'])[0]![2]).toBe('');
    expect(run(csv({ escape: '\\' }), ['2024-01-01 00:00:00+00,1,"a\\"b\\\\",1\n'])[0]![2]).toBe('a"b\\');
  });

  it('multi-byte UTF-8 in text columns split across messages, in both formats', () => {
    const rows = allSplits(opts({}), '2024-01-01 00:00:00+00\t1\tżółw 日本\t1\n2024-01-01 00:00:00+00\t2\tżółw 日本\t2\n');
    expect(rows.map((r) => r[2])).toEqual(['żółw 日本', 'żółw 日本']);
    expect(allSplits(csv(), '2024-01-01 00:00:00+00,1,"ż,ó",1\n').map((r) => r[2])).toEqual(['ż,ó']);
  });

  it('text escapes become bytes, decoded as UTF-8', () => {
    expect(run(opts({}), ['2024-01-01 00:00:00+00\t\\061\\x32\t\\303\\251\\t\\N\t1\\.5\n']).map((r) => r.slice(1))).toEqual([[12, 'é\t\\N'.replace('\\N', 'N'), 1.5]]);
  });

  it('bad values: 22P02 / 22P04 / 22021 with line numbers and columns', () => {
    const err = (o: CopyOptions, s: string | Buffer) => {
      try {
        run(o, [s]);
      } catch (e) {
        return `${(e as { code: string }).code} ${(e as Error).message} | ${(e as { where?: string }).where}`;
      }
      return 'no error';
    };
    const ok = '2024-01-01 00:00:00+00\t1\th\t1\n';
    expect(err(opts({}), `${ok}${ok}2024-01-01 00:00:00+00\t1\th\t1x\n`)).toMatch(/^22P02 invalid input syntax for type double precision: "1x" \| COPY x, line 3, column f: "1x"/);
    expect(err(opts({}), `${ok}2024-01-01 00:00:00+00\tz\th\t1\n`)).toMatch(/^22P02 .*integer.* \| COPY x, line 2, column i: "z"/);
    expect(err(opts({}), `${ok}2024-13-01 00:00:00+00\t1\th\t1\n`)).toMatch(/^22008 .* \| COPY x, line 2, column t/);
    expect(err(opts({}), `${ok}2024-01-01 00:00:00+00\t1\th\n`)).toMatch(/^22P04 missing data for column "f" \| COPY x, line 2: /);
    expect(err(opts({}), `${ok}2024-01-01 00:00:00+00\t1\th\t1\t2\n`)).toMatch(/^22P04 extra data after last expected column \| COPY x, line 2: /);
    expect(err(opts({}), `${ok}2024-01-01 00:00:00+00\t99999999999\th\t1\n`)).toMatch(/^22003 .* \| COPY x, line 2, column i/);
    expect(err(opts({}), Buffer.concat([B(ok), B('2024-01-01 00:00:00+00\t1\t'), Buffer.from([0xc3, 0x28]), B('\t1\n')]))).toMatch(/^22021 .* \| COPY x, line 2$/);
    expect(err(csv(), '2024-01-01 00:00:00+00,1,h,1\n2024-01-01 00:00:00+00,1,"h\n')).toMatch(/^22P04 unterminated CSV quoted field \| COPY x, line 3$/);
    expect(err(csv(), '2024-01-01 00:00:00+00,1,"a\nb",1\n2024-01-01 00:00:00+00,1,h,bad\n')).toMatch(/line 3, column f: "bad"/);
  });

  it('binary format: typed fast paths for float8, int2/4/8, timestamptz (incl. infinity and far values), interned text, NULLs', () => {
    const c = [
      { name: 't', type: T.timestamptz },
      { name: 'a', type: T.int2 },
      { name: 'b', type: T.int4 },
      { name: 'c', type: T.int8 },
      { name: 'h', type: T.text },
      { name: 'f', type: T.float8 },
    ];
    const field = (b: Buffer | null) => (b === null ? Buffer.from([0xff, 0xff, 0xff, 0xff]) : Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]));
    const i64 = (x: bigint) => { const b = Buffer.alloc(8); b.writeBigInt64BE(x); return b; };
    const row = (vals: (Buffer | null)[]) => Buffer.concat([Buffer.from([0, vals.length]), ...vals.map(field)]);
    const i16 = (x: number) => { const b = Buffer.alloc(2); b.writeInt16BE(x); return b; };
    const i32 = (x: number) => { const b = Buffer.alloc(4); b.writeInt32BE(x); return b; };
    const f64 = (x: number) => { const b = Buffer.alloc(8); b.writeDoubleBE(x); return b; };
    const data = Buffer.concat([
      Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8),
      row([i64(0n), i16(-5), i32(-2147483648), i64(-(2n ** 53n) + 1n), B('żółw'), f64(-0)]),
      row([i64(0x7fffffffffffffffn), null, null, i64(2n ** 40n), B('żółw'), f64(NaN)]),
      row([i64(-(2n ** 62n)), i16(7), i32(1), null, null, null]),
      Buffer.from([0xff, 0xff]),
    ]);
    const whole = run(opts({ format: 'binary' }), [data], DEFAULT_FORMAT_CONTEXT, c);
    expect(whole[0]).toEqual([946684800000000, -5, -2147483648, -(2 ** 53) + 1, 'żółw', -0]);
    expect(Object.is(whole[0]![5], -0)).toBe(true);
    expect(whole[1]).toEqual([Infinity, null, null, 2 ** 40, 'żółw', NaN]);
    expect(whole[2]).toEqual([Number(-(2n ** 62n)) + 946684800000000, 7, 1, null, null, null]);
    for (let k = 1; k < data.length; k += 3) expect(run(opts({ format: 'binary' }), [data.subarray(0, k), data.subarray(k)], DEFAULT_FORMAT_CONTEXT, c)).toEqual(whole);
  });
});
