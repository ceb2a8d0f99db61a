/**
 * DataRow messages straight from result batches (columns), without first
 * building a JS array per row. Each column gets an encoder chosen once per
 * batch by type and layout: integers are written as digits, text from a
 * dictionary is encoded once per dictionary entry, a repeated timestamp is
 * formatted once. Anything else goes through the same per-value formatting
 * as row results, so the bytes are identical either way.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { FormatContext } from '../../../storage/src/types/values.js';
import type { Batch, Vector } from '../../../storage/src/vector.js';
import { getValue } from '../../../storage/src/vector.js';
import { formatText } from '../../../storage/src/types/text-io.js';
import type { CatalogLookup } from '../engine/results.js';
import { needsCatalog, outputText } from '../engine/results.js';
import { encodeBinary } from './binary.js';
import type { BackendWriter } from './messages.js';

type FieldWriter = (row: number) => void;

const encoder = new TextEncoder();
const INTEGER_TYPES = new Set(['int2', 'int4', 'int8', 'oid']);

/** Largest magnitude written as plain digits (float8out prints integers below 1e15 that way). */
const DIGITS_BELOW = 1e15;

function fieldWriter(out: BackendWriter, v: Vector, type: SqlType, binary: boolean, ctx: FormatContext, catalog: CatalogLookup | undefined): FieldWriter {
  const generic: FieldWriter = (i) => {
    const x = getValue(v, i);
    if (x === null) out.int32(-1);
    else if (binary) {
      const b = encodeBinary(type, x, ctx);
      out.int32(b.length).bytes(b);
    } else out.lenText(catalog ? outputText(type, x, ctx, catalog) : formatText(type, x, ctx));
  };
  if (binary || (catalog && needsCatalog(type))) return generic;
  if (v.tag === 'number') {
    const vals = v.values;
    const nulls = v.nulls;
    if (INTEGER_TYPES.has(type.id)) {
      return (i) => {
        if (nulls !== null && nulls[i] === 1) out.int32(-1);
        else out.lenInteger(vals[i]!);
      };
    }
    if (type.id === 'float8' && ctx.extraFloatDigits > 0) {
      // shortest round-trip output: integral values are their digits, others String(x) (formatFloat8)
      return (i) => {
        if (nulls !== null && nulls[i] === 1) {
          out.int32(-1);
          return;
        }
        const x = vals[i]!;
        if (Number.isInteger(x) && x < DIGITS_BELOW && x > -DIGITS_BELOW && (x !== 0 || 1 / x > 0)) out.lenInteger(x);
        else out.lenText(formatText(type, x, ctx));
      };
    }
    // timestamps and the rest: a run of equal values is formatted once
    let last = NaN;
    let lastText = '';
    return (i) => {
      if (nulls !== null && nulls[i] === 1) {
        out.int32(-1);
        return;
      }
      const x = vals[i]!;
      if (!Object.is(x, last)) {
        last = x;
        lastText = formatText(type, x, ctx);
      }
      out.lenText(lastText);
    };
  }
  if (v.tag === 'dict') {
    const { codes, dict, nulls } = v;
    const bytes: (Uint8Array | undefined)[] = new Array(dict.length);
    return (i) => {
      if (nulls !== null && nulls[i] === 1) {
        out.int32(-1);
        return;
      }
      const c = codes[i]!;
      let b = bytes[c];
      if (b === undefined) b = bytes[c] = encoder.encode(formatText(type, dict[c]!, ctx));
      out.int32(b.length).bytes(b);
    };
  }
  return generic;
}

/**
 * Writes DataRows of rows [from, to) of one batch; its encoders (and their caches) serve every call.
 * `flush` is called whenever the writer holds `flushAt` bytes or more.
 */
export type BatchRowWriter = (from: number, to: number, flushAt: number, flush: () => void) => void;

/** The DataRow writer of batch `b`. `binary[k]`: column k in binary format. */
export function batchDataRows(
  out: BackendWriter, types: readonly SqlType[], b: Batch, binary: readonly boolean[], ctx: FormatContext, catalog: CatalogLookup | undefined,
): BatchRowWriter {
  const nc = types.length;
  const writers = b.columns.map((v, k) => fieldWriter(out, v, types[k]!, binary[k]!, ctx, catalog));
  return (from, to, flushAt, flush) => {
    for (let r = from; r < to; r++) {
      out.begin('D').int16(nc);
      for (let k = 0; k < nc; k++) writers[k]!(r);
      out.end();
      if (out.size >= flushAt) flush();
    }
  };
}
