/**
 * COPY FROM text and CSV formats: records split into fields (start, end,
 * flags per field, no per-row objects), then converted into the column batch.
 * Each record is first offered to the single-pass scanner (copy-typed-rows.ts);
 * what it declines comes here. A record without quotes (CSV) or backslashes
 * (text) takes the plain scanner (native indexOf for the line end and the
 * next special byte); others the format's general scanner. Quoted CSV content is gathered in a scratch buffer,
 * text escapes are undone only for fields that have them.
 *
 * A layer of CopyFromParser (copy-in.ts) over the single-pass row scanner.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { FormatContext } from '../../../storage/src/types/values.js';
import { FAIL, decodeUtf8, deEscapeBytes, floatBytes, intBytes, timestampBytes } from './copy-fields.js';
import type { Batch } from '../../../storage/src/vector.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { COLUMN_KINDS } from './copy-column-batch.js';
import { CopyTypedRowScanner } from './copy-typed-rows.js';
import type { CopyOptions } from './copy-options.js';

const { K_FLOAT8, K_INT, K_TS, K_NUM, K_TEXT, K_BOOL } = COLUMN_KINDS;

const F_SCRATCH = 1; // the field's bytes are in the row scratch buffer (CSV unquoted content)
const F_QUOTED = 2; // CSV: the field had quotes
const F_ESCAPED = 4; // text: the field has backslashes

export class CopyTextRecordParser extends CopyTypedRowScanner {
  private readonly quoteCode: number;
  private readonly escapeCode: number;
  private readonly forceNotNull: boolean[];
  private readonly forceNull: boolean[];
  // the current record's fields
  private readonly fS: Int32Array;
  private readonly fE: Int32Array;
  private readonly fF: Uint8Array;
  private scratch = Buffer.alloc(1 << 16);
  private esc = Buffer.alloc(1 << 12);
  /** where the next quote (CSV) or backslash (text) of the current buffer is (Infinity: none), cached */
  private nextSpecial = -1;

  constructor(
    opts: CopyOptions,
    columns: readonly { name: string; type: SqlType }[],
    tableName: string,
    ctx: FormatContext,
    sink: (b: Batch) => void,
    batchSize: number,
  ) {
    super(opts, columns, tableName, ctx, sink, batchSize);
    const nc = this.ncols;
    this.quoteCode = opts.quote.charCodeAt(0);
    this.escapeCode = opts.escape.charCodeAt(0);
    const names = columns.map((c) => c.name);
    for (const c of [...opts.forceNotNull, ...opts.forceNull]) {
      if (!names.includes(c)) throw new SqlError(SQLSTATE.invalidColumnReference, `FORCE_NOT_NULL column "${c}" not referenced by COPY`);
    }
    this.forceNotNull = names.map((n) => opts.forceNotNull.includes(n));
    this.forceNull = names.map((n) => opts.forceNull.includes(n));
    this.fS = new Int32Array(nc);
    this.fE = new Int32Array(nc);
    this.fF = new Uint8Array(nc);
  }

  /** Record text for messages (lossy on bad UTF-8). */
  private rawText(b: Uint8Array, s: number, e: number): string {
    return Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('utf8');
  }

  /** Parse the complete records of `b`; returns where the unfinished tail starts. */
  protected parseRecords(b: Buffer, final: boolean): number {
    let pos = 0;
    const len = b.length;
    const csv = this.opts.format === 'csv';
    this.nextSpecial = -1;
    while (pos < len && !this.done) {
      const typed = this.typedRecord(b, pos);
      if (typed >= 0) {
        pos = typed;
        continue;
      }
      const next = csv ? this.csvRecord(b, pos, final) : this.textRecord(b, pos, final);
      if (next < 0) break;
      pos = next;
    }
    return pos;
  }

  /**
   * A record without quotes (CSV) or backslashes (text): the line end and the
   * next special byte come from native indexOf, fields are split on the
   * delimiter alone. Returns -1 when the record needs the general scanner.
   */
  private plainRecord(b: Buffer, a: number, final: boolean, special: number): number {
    const len = b.length;
    if (this.nextSpecial < a) {
      const x = b.indexOf(special, a);
      this.nextSpecial = x < 0 ? len + 1 : x;
    }
    const lim = this.nextSpecial < len ? this.nextSpecial : len;
    const d = this.fieldDelim;
    const nc = this.ncols;
    const fS = this.fS;
    const fE = this.fE;
    const fF = this.fF;
    let col = 0;
    let fs = a;
    let i = a;
    let c = 0;
    for (;;) {
      while (i < lim && (c = b[i]!) !== d && c !== 10) i++;
      if (i >= lim) {
        if (lim < len) return -1; // a quote/backslash on this line: the general scanner
        if (!final) return -2;
        c = 10;
      }
      if (col < nc) {
        fS[col] = fs;
        fE[col] = i;
        fF[col] = 0;
      }
      col++;
      if (c === 10) break;
      fs = ++i;
    }
    let e = i;
    if (e > a && b[e - 1] === 13) {
      e--;
      if (col <= nc) fE[col - 1] = e;
    }
    this.line++;
    this.finishRecord(b, a, e, col, 0);
    return i < len ? i + 1 : len;
  }

  private textRecord(b: Buffer, a: number, final: boolean): number {
    const r = this.plainRecord(b, a, final, 92);
    if (r !== -1) return r === -2 ? -1 : r;
    const len = b.length;
    const d = this.fieldDelim;
    const nc = this.ncols;
    const fS = this.fS;
    const fE = this.fE;
    const fF = this.fF;
    let i = a;
    let col = 0;
    let fs = a;
    let flags = 0;
    let hi = 0;
    for (;;) {
      if (i >= len) {
        if (!final) return -1;
        break;
      }
      const c = b[i]!;
      if (c === 10) break;
      hi |= c;
      if (c === d) {
        if (col < nc) {
          fS[col] = fs;
          fE[col] = i;
          fF[col] = flags;
        }
        col++;
        fs = ++i;
        flags = 0;
      } else if (c === 92) {
        flags = F_ESCAPED;
        if (i + 1 < len && b[i + 1] !== 10) {
          hi |= b[i + 1]!;
          i += 2;
        } else i++;
      } else i++;
    }
    const next = i < len ? i + 1 : len;
    let e = i;
    if (e > fs && b[e - 1] === 13) e--;
    if (col < nc) {
      fS[col] = fs;
      fE[col] = e;
      fF[col] = flags;
    }
    col++;
    this.line++;
    this.finishRecord(b, a, e, col, hi);
    return next;
  }

  private csvRecord(b: Buffer, a: number, final: boolean): number {
    const r = this.plainRecord(b, a, final, this.quoteCode);
    if (r !== -1) return r === -2 ? -1 : r;
    const len = b.length;
    const d = this.fieldDelim;
    const q = this.quoteCode;
    const esc = this.escapeCode;
    const nc = this.ncols;
    let i = a;
    let col = 0;
    let hi = 0;
    let lines = 1;
    let sp = 0;
    for (;;) {
      const fs = i;
      let term = 2; // 0 delimiter, 1 newline, 2 end of data, 3 quote
      while (i < len) {
        const c = b[i]!;
        if (c === d) {
          term = 0;
          break;
        }
        if (c === 10) {
          term = 1;
          break;
        }
        if (c === q) {
          term = 3;
          break;
        }
        hi |= c;
        i++;
      }
      let s = fs;
      let e = i;
      let flags = 0;
      if (term === 3) {
        // quoted segments: the field's content goes to the scratch buffer
        flags = F_SCRATCH | F_QUOTED;
        if (this.scratch.length < sp + (len - fs)) {
          const bigger = Buffer.alloc(Math.max(this.scratch.length * 2, sp + (len - fs)));
          this.scratch.copy(bigger, 0, 0, sp);
          this.scratch = bigger;
        }
        const sc = this.scratch;
        s = sp;
        for (let k = fs; k < i; k++) sc[sp++] = b[k]!;
        let inQ = true;
        i++;
        term = 2;
        for (;;) {
          if (i >= len) {
            if (inQ) {
              if (!final) return -1;
              throw this.error('22P04', 'unterminated CSV quoted field', this.line + lines);
            }
            break;
          }
          const c = b[i]!;
          if (inQ) {
            if (c === esc) {
              if (i + 1 >= len && !final) return -1;
              const c2 = b[i + 1];
              if (i + 1 < len && (c2 === q || c2 === esc)) {
                sc[sp++] = c2!;
                i += 2;
                continue;
              }
            }
            if (c === q) {
              inQ = false;
              i++;
              continue;
            }
            if (c === 10) lines++;
            hi |= c;
            sc[sp++] = c;
            i++;
          } else {
            if (c === q) {
              inQ = true;
              i++;
              continue;
            }
            if (c === d) {
              term = 0;
              break;
            }
            if (c === 10) {
              term = 1;
              break;
            }
            hi |= c;
            sc[sp++] = c;
            i++;
          }
        }
        e = sp;
        if (term === 1 && b[i - 1] === 13 && e > s && sc[e - 1] === 13) e--;
      } else if (term !== 0 && e > s && b[e - 1] === 13) e--;
      if (term === 2 && !final) return -1;
      if (col < nc) {
        this.fS[col] = s;
        this.fE[col] = e;
        this.fF[col] = flags;
      }
      col++;
      if (term === 0) {
        i++;
        continue;
      }
      const next = term === 1 ? i + 1 : len;
      let rawEnd = i;
      if (term === 1 && rawEnd > a && b[rawEnd - 1] === 13) rawEnd--;
      this.line += lines;
      this.finishRecord(b, a, rawEnd, col, hi);
      return next;
    }
  }

  /** A complete record's fields are in fS/fE/fF (`col` of them): check and convert them into the batch. */
  private finishRecord(b: Buffer, a: number, e: number, col: number, hi: number): void {
    if (e - a === 2 && b[a] === 92 && b[a + 1] === 46 && col === 1) {
      this.done = true; // "\." end-of-data marker
      return;
    }
    const nc = this.ncols;
    if (hi & 0x80) {
      try {
        decodeUtf8(b, a, e);
      } catch {
        throw this.badEncoding(this.line);
      }
    }
    if (col > nc) throw this.error('22P04', 'extra data after last expected column', this.line, this.rawText(b, a, e));
    if (this.headerPending) {
      if (col < nc) throw this.error('22P04', `missing data for column "${this.columns[col]!.name}"`, this.line, this.rawText(b, a, e));
      this.headerPending = false;
      if (this.opts.headerMatch) {
        for (let k = 0; k < nc; k++) {
          const h = this.fieldString(b, k);
          const name = this.columns[k]!.name;
          if (h !== name) throw this.error('22P04', `column name mismatch in header line field ${k + 1}: got "${h ?? ''}", expected "${name}"`, this.line);
        }
      }
      return;
    }
    const row = this.n;
    const m = col < nc ? col : nc;
    const kinds = this.kinds;
    const fS = this.fS;
    const fE = this.fE;
    const fF = this.fF;
    const nullLen = this.nullMarker.length;
    for (let k = 0; k < m; k++) {
      // plain float8 fields (most of a metrics row) without the general conversion's dispatch
      if (kinds[k] === K_FLOAT8 && fF[k] === 0) {
        const s = fS[k]!;
        const e = fE[k]!;
        if (e - s !== nullLen) {
          const v = floatBytes(b, s, e);
          if (v !== FAIL) {
            this.num[k]![row] = v;
            continue;
          }
        }
      }
      this.convertField(b, k, row);
    }
    if (col < nc) throw this.error('22P04', `missing data for column "${this.columns[col]!.name}"`, this.line, this.rawText(b, a, e));
    if (++this.n === this.batchSize) this.flush();
  }

  /** Is field k the NULL marker (FORCE_NULL / FORCE_NOT_NULL applied)? */
  private isNull(b: Uint8Array, k: number): boolean {
    const flags = this.fF[k]!;
    const src = flags & F_SCRATCH ? this.scratch : b;
    const s = this.fS[k]!;
    const nb = this.nullMarker;
    const n = nb.length;
    if (this.fE[k]! - s !== n) return false;
    for (let i = 0; i < n; i++) if (src[s + i] !== nb[i]) return false;
    if (this.opts.format === 'csv') return flags & F_QUOTED ? this.forceNull[k]! : !this.forceNotNull[k];
    return true;
  }

  /** Field k as a string (null for the NULL marker), for headers and fallbacks. */
  private fieldString(b: Uint8Array, k: number): string | null {
    if (this.isNull(b, k)) return null;
    let src: Uint8Array = this.fF[k]! & F_SCRATCH ? this.scratch : b;
    let s = this.fS[k]!;
    let e = this.fE[k]!;
    if (this.fF[k]! & F_ESCAPED) {
      e = this.deEscape(src, s, e);
      s = 0;
      src = this.esc;
    }
    try {
      return decodeUtf8(src, s, e);
    } catch {
      throw this.badEncoding(this.line);
    }
  }

  private deEscape(src: Uint8Array, s: number, e: number): number {
    if (this.esc.length < e - s) this.esc = Buffer.alloc(Math.max(e - s, this.esc.length * 2));
    return deEscapeBytes(src, s, e, this.esc, 0);
  }

  private convertField(b: Uint8Array, k: number, row: number): void {
    const flags = this.fF[k]!;
    let src: Uint8Array = b;
    let s = this.fS[k]!;
    let e = this.fE[k]!;
    if (flags !== 0) {
      if (this.isNull(b, k)) return this.setNull(k, row);
      if (flags & F_SCRATCH) src = this.scratch;
      else if (flags & F_ESCAPED) {
        e = this.deEscape(b, s, e);
        s = 0;
        src = this.esc;
      }
    } else if (e - s === this.nullMarker.length && this.isNull(b, k)) return this.setNull(k, row);
    let v: number;
    switch (this.kinds[k]) {
      case K_FLOAT8:
        v = floatBytes(src, s, e);
        if (v === FAIL) v = this.slow(src, s, e, k) as number;
        this.num[k]![row] = v;
        return;
      case K_INT:
        v = intBytes(src, s, e, this.intMin[k]!, this.intMax[k]!);
        if (v === FAIL) v = this.slow(src, s, e, k) as number;
        this.num[k]![row] = v;
        return;
      case K_TS:
        v = timestampBytes(src, s, e, this.tsTz[k]!, this.utc);
        if (v === FAIL) v = this.slow(src, s, e, k) as number;
        this.num[k]![row] = v;
        return;
      case K_TEXT:
        this.codes[k]![row] = this.textField(k, src, s, e);
        return;
      case K_NUM:
        this.num[k]![row] = this.slow(src, s, e, k) as number;
        return;
      case K_BOOL:
        this.bools[k]![row] = this.slow(src, s, e, k) ? 1 : 0;
        return;
      default:
        this.objs[k]![row] = this.slow(src, s, e, k);
    }
  }
}
