import { describe, expect, it } from 'vitest';
import { T, type SqlType } from '../../../storage/src/types/sql-type.js';
import { DEFAULT_FORMAT_CONTEXT, type FormatContext, type Value } from '../../../storage/src/types/values.js';
import { formatText } from '../../../storage/src/types/text-io.js';
import { Decimal } from '../../../storage/src/types/numeric.js';
import { getValue, vectorFromValues, type Batch, type Vector } from '../../../storage/src/vector.js';
import { BackendWriter } from './messages.js';
import { encodeBinary } from './binary.js';
import { batchDataRows } from './data-rows.js';

/** DataRows the way row results are encoded: one formatText (or binary encoding) per value. */
function rowPath(types: SqlType[], batches: Batch[], binary: boolean[], ctx: FormatContext): Buffer {
  const out = new BackendWriter();
  for (const b of batches) {
    for (let r = 0; r < b.length; r++) {
      out.begin('D').int16(types.length);
      b.columns.forEach((c, k) => {
        const v = getValue(c, r);
        if (v === null) out.int32(-1);
        else if (binary[k]) {
          const e = encodeBinary(types[k]!, v, ctx);
          out.int32(e.length).bytes(e);
        } else {
          // reference encoding through Buffer's own UTF-8 writer
          const s = Buffer.from(formatText(types[k]!, v, ctx), 'utf8');
          out.int32(s.length).bytes(s);
        }
      });
      out.end();
    }
  }
  return Buffer.from(out.take());
}

function batchPath(types: SqlType[], batches: Batch[], binary: boolean[], ctx: FormatContext, flushAt = 1 << 30): Buffer {
  const out = new BackendWriter();
  const parts: Buffer[] = [];
  const flush = () => parts.push(Buffer.from(out.take()));
  for (const b of batches) batchDataRows(out, types, b, binary, ctx, undefined)(0, b.length, flushAt, flush);
  parts.push(Buffer.from(out.take()));
  return Buffer.concat(parts);
}

const dictOf = (type: SqlType, values: (string | null)[]): Vector => {
  const dict = [...new Set(values.filter((v): v is string => v !== null))];
  const codes = new Int32Array(values.map((v) => (v === null ? 0 : dict.indexOf(v))));
  const nulls = values.some((v) => v === null) ? new Uint8Array(values.map((v) => (v === null ? 1 : 0))) : null;
  return { tag: 'dict', type, length: values.length, codes, dict, nulls };
};

const TS = Date.UTC(2016, 0, 1, 12, 30, 5) * 1000;
const floats: Value[] = [0, -0, 1, -1, 95, 123.456, 1e15, -1e15, 999999999999999, 1e-5, 2.5e-4, NaN, Infinity, -Infinity, null, 0.1 + 0.2, 2 ** 52 + 1, 1e21];
const n = floats.length;
const pick = <V>(xs: V[], i: number): V => xs[i % xs.length]!;

function sample(): { types: SqlType[]; batches: Batch[] } {
  const types = [T.timestamptz, T.int4, T.int8, T.float8, T.text, T.bool, T.numeric, T.date, T.float4, T.varchar];
  const cols = (from: number): Vector[] => [
    vectorFromValues(T.timestamptz, Array.from({ length: n }, (_, i) => (i === 3 ? null : i === 4 ? Infinity : TS + Math.floor((i + from) / 3) * 10_000_000))),
    vectorFromValues(T.int4, Array.from({ length: n }, (_, i) => (i === 2 ? null : pick([0, 7, -42, 2147483647, -2147483648], i + from)))),
    vectorFromValues(T.int8, Array.from({ length: n }, (_, i) => pick([0, -1, 2 ** 53 - 1, -(2 ** 53 - 1), 10, null], i + from))),
    vectorFromValues(T.float8, floats.map((_, i) => floats[(i + from) % n]!)),
    dictOf(T.text, Array.from({ length: n }, (_, i) => pick(['host_1', 'héllo', null, '', 'x'.repeat(100), '日本🙂', 'host_1'], i + from))),
    vectorFromValues(T.bool, Array.from({ length: n }, (_, i) => pick([true, false, null], i + from))),
    vectorFromValues(T.numeric, Array.from({ length: n }, (_, i) => pick([Decimal.fromNumber(1.5), null, Decimal.fromNumber(-3)], i + from))),
    vectorFromValues(T.date, Array.from({ length: n }, (_, i) => pick([0, 16800, -1, null, Infinity], i + from))),
    vectorFromValues(T.float4, Array.from({ length: n }, (_, i) => pick([1.5, -0, 3, null], i + from))),
    vectorFromValues(T.varchar, Array.from({ length: n }, (_, i) => pick(['a', 'ü'.repeat(70), null], i + from))),
  ];
  return { types, batches: [{ length: n, columns: cols(0) }, { length: n, columns: cols(5) }, { length: 0, columns: cols(0).map((c) => ({ ...c, length: 0 }) as Vector) }] };
}

describe('DataRows from batches', () => {
  it('are byte-identical to per-value text encoding for every layout', () => {
    const { types, batches } = sample();
    const text = types.map(() => false);
    expect(batchPath(types, batches, text, DEFAULT_FORMAT_CONTEXT).equals(rowPath(types, batches, text, DEFAULT_FORMAT_CONTEXT))).toBe(true);
  });

  it('follow extra_float_digits <= 0 (no digits shortcut for float8) and other time zones', () => {
    const { types, batches } = sample();
    const text = types.map(() => false);
    for (const ctx of [{ ...DEFAULT_FORMAT_CONTEXT, extraFloatDigits: 0 }, { ...DEFAULT_FORMAT_CONTEXT, extraFloatDigits: -14 }, { ...DEFAULT_FORMAT_CONTEXT, timeZone: 'America/New_York' }]) {
      expect(batchPath(types, batches, text, ctx).equals(rowPath(types, batches, text, ctx))).toBe(true);
    }
  });

  it('encode binary-format columns as the row path does', () => {
    const { types, batches } = sample();
    const binary = types.map((t) => t.id !== 'numeric' && t.id !== 'date');
    expect(batchPath(types, batches, binary, DEFAULT_FORMAT_CONTEXT).equals(rowPath(types, batches, binary, DEFAULT_FORMAT_CONTEXT))).toBe(true);
  });

  it('flush between rows without changing the bytes', () => {
    const { types, batches } = sample();
    const text = types.map(() => false);
    expect(batchPath(types, batches, text, DEFAULT_FORMAT_CONTEXT, 64).equals(rowPath(types, batches, text, DEFAULT_FORMAT_CONTEXT))).toBe(true);
  });
});
