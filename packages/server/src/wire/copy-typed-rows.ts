/**
 * COPY FROM text/CSV rows in one pass: each field is converted while its end
 * is found (a float8's digits are read once, not once to find the delimiter
 * and again to convert), text fields are hashed for the dictionary cache on
 * the way, and a timestamp equal to the column's previous one (rows come
 * time-major) is compared rather than parsed.
 *
 * This is a fast path only. It takes a record when every field is plain —
 * ASCII, no quote (CSV) or backslash (text), no carriage return, exactly one
 * field per column, each one its type's fast-path syntax — and otherwise
 * gives up on the record (returns -1) so the general scanner
 * (copy-text-records.ts) parses it from its start, with every PostgreSQL
 * error and CONTEXT line. Whatever it wrote for an abandoned record is
 * overwritten or cleared, so it changes nothing but speed. It also gives up
 * on a record cut by the end of the buffer, which the general scanner keeps
 * as the tail.
 *
 * A layer of CopyFromParser (copy-in.ts) between the binary and the text formats.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { FormatContext } from '../../../storage/src/types/values.js';
import type { Batch } from '../../../storage/src/vector.js';
import { FAIL, POW10, fieldScan, floatAt, intAt, timestampBytes } from './copy-fields.js';
import { COLUMN_KINDS, TEXT_HASH_SEED } from './copy-column-batch.js';
import { CopyBinaryTupleParser } from './copy-binary-tuples.js';
import type { CopyOptions } from './copy-options.js';

const { K_FLOAT8, K_INT, K_TS, K_TEXT } = COLUMN_KINDS;

/** Longest timestamp text remembered per column for the repeat check. */
const TS_KEY_MAX = 40;
/** After failed attempts, records left to the general scanner before the next one, at most (data that never fits costs ~nothing). */
const MAX_BACKOFF = 1024;

/** Bytes a number or timestamp can contain: with one of them as delimiter or quote, where a field ends is not the number's business. */
const NUMBER_BYTES = /^[0-9A-Za-z.+\-:]$/;

/** Tests turn the fast path off to compare it with the general scanner. */
export const copyTypedRows = { enabled: true };

export class CopyTypedRowScanner extends CopyBinaryTupleParser {
  /** every column's kind has a path here and the options allow it */
  private readonly typedRows: boolean;
  /** CSV: the quote; text: backslash — a field with it is the general scanner's */
  private readonly specialByte: number;
  protected readonly fieldDelim: number;
  /** the NULL string's bytes */
  protected readonly nullMarker: Buffer;
  /** NULL-marker fields are NULL here unless FORCE_NOT_NULL (CSV) says otherwise */
  private readonly nullable: Uint8Array;
  private readonly tsKeys: Uint8Array[];
  private readonly tsKeyLen: Int32Array;
  private readonly tsKeyValue: Float64Array;
  /** text/CSV: the header line is still to come */
  protected headerPending: boolean;
  private skip = 0;
  private backoff = 1;

  constructor(
    protected readonly opts: CopyOptions,
    columns: readonly { name: string; type: SqlType }[],
    tableName: string,
    ctx: FormatContext,
    sink: (b: Batch) => void,
    batchSize: number,
  ) {
    super(columns, tableName, ctx, sink, batchSize);
    const csv = opts.format === 'csv';
    this.headerPending = opts.header;
    this.fieldDelim = opts.delimiter.charCodeAt(0);
    this.specialByte = csv ? opts.quote.charCodeAt(0) : 92;
    this.nullMarker = Buffer.from(opts.null, 'utf8');
    this.nullable = Uint8Array.from(columns, (c) => (csv && opts.forceNotNull.includes(c.name) ? 0 : 1));
    let kindsFit = opts.format !== 'binary';
    for (let k = 0; k < this.ncols; k++) {
      const kind = this.kinds[k]!;
      if (kind !== K_FLOAT8 && kind !== K_INT && kind !== K_TS && kind !== K_TEXT) kindsFit = false;
    }
    this.typedRows = copyTypedRows.enabled && kindsFit && !NUMBER_BYTES.test(opts.delimiter) && !(csv && NUMBER_BYTES.test(opts.quote));
    this.tsKeys = columns.map((_, k) => new Uint8Array(this.kinds[k] === K_TS ? TS_KEY_MAX : 0));
    this.tsKeyLen = new Int32Array(this.ncols);
    this.tsKeyValue = new Float64Array(this.ncols);
  }

  /**
   * The record at `a` converted into the batch; returns where the next one
   * starts, or -1: the general scanner must parse this record.
   */
  protected typedRecord(b: Buffer, a: number): number {
    if (!this.typedRows || this.headerPending) return -1;
    if (this.skip > 0) {
      this.skip--;
      return -1;
    }
    const end = this.scanRecord(b, a);
    if (end >= 0) {
      this.backoff = 1;
      return end;
    }
    this.clearRowNulls(this.n);
    this.skip = this.backoff;
    if (this.backoff < MAX_BACKOFF) this.backoff *= 2;
    return -1;
  }

  private scanRecord(b: Buffer, a: number): number {
    const len = b.length;
    const nc = this.ncols;
    const kinds = this.kinds;
    const d = this.fieldDelim;
    const special = this.specialByte;
    const nullLen = this.nullMarker.length;
    const row = this.n;
    if (b[a] === 92) return -1; // maybe the end-of-data marker
    let i = a;
    for (let k = 0; k < nc; k++) {
      const stop = k === nc - 1 ? 10 : d;
      const s = i;
      if (i >= len) return -1;
      if (nullLen === 0 && b[i] === stop) {
        // the empty field, here the NULL marker (CSV's default)
        if (this.nullable[k] === 0) return -1;
        this.setNull(k, row);
        i++;
        continue;
      }
      const kind = kinds[k]!;
      if (kind === K_FLOAT8) {
        // floatAt's plain-decimal case inline (most of a metrics row); exponents and the rest through floatAt
        let neg = false;
        if (b[i] === 45) {
          neg = true;
          i++;
        }
        let m = 0;
        let c = 0;
        const ds = i;
        while (i < len && (c = b[i]! - 48) >= 0 && c <= 9) {
          m = m * 10 + c;
          i++;
        }
        let scale = 0;
        let dot = 0;
        if (i < len && b[i] === 46) {
          dot = 1;
          const fs = ++i;
          while (i < len && (c = b[i]! - 48) >= 0 && c <= 9) {
            m = m * 10 + c;
            i++;
          }
          scale = i - fs;
        }
        let v: number;
        if (b[i] === stop && i - ds - dot > 0 && m <= 9007199254740992 && scale <= 22) {
          v = scale === 0 ? m : m / POW10[scale]!;
          if (neg) v = -v;
        } else {
          v = floatAt(b, s, len);
          if (v === FAIL) return -1;
          i = fieldScan.end;
          if (b[i] !== stop) return -1;
        }
        if (i - s === nullLen) return -1; // maybe the NULL marker: the general scanner knows
        this.num[k]![row] = v;
      } else if (kind === K_TEXT) {
        let h = TEXT_HASH_SEED;
        let c = 0;
        while (i < len && (c = b[i]!) !== d && c !== 10) {
          if (c === special || c === 13 || c > 127) return -1;
          h = Math.imul(h ^ c, 0x01000193);
          i++;
        }
        if (i >= len || c !== stop) return -1;
        if (i - s === nullLen && this.isNullMarker(b, s)) {
          if (this.nullable[k] === 0) return -1;
          this.setNull(k, row);
        } else this.codes[k]![row] = this.textFieldHashed(k, b, s, i, h);
      } else if (kind === K_TS) {
        const key = this.tsKeys[k]!;
        const keyLen = this.tsKeyLen[k]!;
        let j = 0;
        if (s + keyLen < len) while (j < keyLen && b[s + j] === key[j]) j++;
        if (j === keyLen && keyLen > 0 && b[s + keyLen] === stop) {
          this.num[k]![row] = this.tsKeyValue[k]!;
          i = s + keyLen;
        } else {
          let c = 0;
          while (i < len && (c = b[i]!) !== d && c !== 10) i++;
          if (i >= len || c !== stop || i - s === nullLen) return -1;
          const v = timestampBytes(b, s, i, this.tsTz[k]!, this.utc);
          if (v === FAIL) return -1;
          this.num[k]![row] = v;
          if (i - s <= TS_KEY_MAX) {
            for (let x = s; x < i; x++) key[x - s] = b[x]!;
            this.tsKeyLen[k] = i - s;
            this.tsKeyValue[k] = v;
          }
        }
      } else {
        const v = intAt(b, s, len, this.intMin[k]!, this.intMax[k]!);
        if (v === FAIL) return -1;
        i = fieldScan.end;
        if (b[i] !== stop || i - s === nullLen) return -1;
        this.num[k]![row] = v;
      }
      i++;
    }
    this.line++;
    if (++this.n === this.batchSize) this.flush();
    return i;
  }

  private isNullMarker(b: Buffer, s: number): boolean {
    const m = this.nullMarker;
    for (let x = 0; x < m.length; x++) if (b[s + x] !== m[x]) return false;
    return true;
  }
}
