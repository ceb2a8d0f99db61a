/**
 * COPY … FROM STDIN parsing: text, CSV and binary formats, streamed.
 *
 * CopyData messages split rows anywhere; the parser keeps the unfinished tail
 * and parses complete lines straight into per-column string arrays of one
 * batch (10k rows by default, no per-row objects), then converts each column
 * with a type-specific fast path (float8, integers, ISO timestamps, text) or
 * the type's input function, and pushes the batch into the session's CopyIn.
 * Memory stays bounded by one batch plus one CopyData message.
 *
 * A bad value or line raises a SqlError with `where` = PostgreSQL's CONTEXT
 * line, e.g. `COPY t, line 3, column b: "x"`.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { physicalKind } from '../../../storage/src/types/sql-type.js';
import type { FormatContext, Value } from '../../../storage/src/types/values.js';
import { PG_EPOCH_MICROS } from '../../../storage/src/types/values.js';
import { parseFloatText, parseInteger, parseBool, parseText } from '../../../storage/src/types/text-io.js';
import { decodeBinaryValue, fastFloat, fastTimestamp } from './copy-convert.js';
import { FAIL, TextInterner, decodeUtf8, deEscapeBytes, floatBytes, intBytes, timestampBytes } from './copy-fields.js';
import { vectorFromValues, type Batch, type Vector } from '../../../storage/src/vector.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { toSqlError } from '../engine/database-error.js';
import type { CopyOptions } from './copy-options.js';

export type WhereError = SqlError & { where?: string };

export const COPY_BATCH_ROWS = 10_000;
const BINARY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

function clip(s: string): string {
  return s.length > 100 ? `${s.slice(0, 100)}...` : s;
}

/** How a column is converted: straight from bytes into a typed array, or through its input function. */
const K_FLOAT8 = 0;
const K_INT = 1;
const K_TS = 2;
const K_NUM = 3; // other number-backed types: input function → Float64Array
const K_TEXT = 4; // unconstrained text: interned strings
const K_BOOL = 5;
const K_OTHER = 6; // input function → Value[] → vectorFromValues

const F_SCRATCH = 1; // the field's bytes are in the row scratch buffer (CSV unquoted content)
const F_QUOTED = 2; // CSV: the field had quotes
const F_ESCAPED = 4; // text: the field has backslashes

const INT_MIN: Record<string, number> = { int2: -32768, int4: -2147483648, int8: -Number.MAX_SAFE_INTEGER };
const INT_MAX: Record<string, number> = { int2: 32767, int4: 2147483647, int8: Number.MAX_SAFE_INTEGER };

export class CopyFromParser {
  /** rows pushed so far */
  rows = 0;
  private line = 0;
  private tailBytes: Buffer | null = null;
  private done = false;
  private headerPending: boolean;
  private readonly ncols: number;
  private lines: Int32Array;
  private n = 0;
  private readonly quoteCode: number;
  private readonly escapeCode: number;
  private readonly delimCode: number;
  private readonly nullBytes: Buffer;
  private readonly forceNotNull: boolean[];
  private readonly forceNull: boolean[];
  private binHeaderDone = false;
  // text/CSV batch state: one typed output per column
  private readonly kinds: Int32Array;
  private readonly intMin: Float64Array;
  private readonly intMax: Float64Array;
  private readonly tsTz: boolean[];
  private readonly utc: boolean;
  private num: (Float64Array | null)[];
  private bools: (Uint8Array | null)[];
  private objs: (unknown[] | null)[];
  private nulls: (Uint8Array | null)[];
  // the current record's fields
  private readonly fS: Int32Array;
  private readonly fE: Int32Array;
  private readonly fF: Uint8Array;
  private scratch = Buffer.alloc(1 << 16);
  private esc = Buffer.alloc(1 << 12);
  private readonly interner = new TextInterner();
  /** where the next quote (CSV) or backslash (text) of the current buffer is (Infinity: none), cached */
  private nextSpecial = -1;

  constructor(
    private readonly opts: CopyOptions,
    private readonly columns: readonly { name: string; type: SqlType }[],
    private readonly tableName: string,
    private readonly ctx: FormatContext,
    private readonly sink: (b: Batch) => void,
    private readonly batchSize = COPY_BATCH_ROWS,
  ) {
    const nc = (this.ncols = columns.length);
    this.headerPending = opts.header;
    this.lines = new Int32Array(batchSize);
    this.delimCode = opts.delimiter.charCodeAt(0);
    this.quoteCode = opts.quote.charCodeAt(0);
    this.escapeCode = opts.escape.charCodeAt(0);
    this.nullBytes = Buffer.from(opts.null, 'utf8');
    const names = columns.map((c) => c.name);
    for (const c of [...opts.forceNotNull, ...opts.forceNull]) {
      if (!names.includes(c)) throw new SqlError(SQLSTATE.invalidColumnReference, `FORCE_NOT_NULL column "${c}" not referenced by COPY`);
    }
    this.forceNotNull = names.map((n) => opts.forceNotNull.includes(n));
    this.forceNull = names.map((n) => opts.forceNull.includes(n));
    this.kinds = new Int32Array(nc);
    this.intMin = new Float64Array(nc);
    this.intMax = new Float64Array(nc);
    this.tsTz = columns.map((c) => c.type.id === 'timestamptz');
    this.utc = ctx.timeZone === 'UTC' || ctx.timeZone === 'GMT';
    columns.forEach(({ type }, k) => {
      const id = type.id;
      let kind = K_OTHER;
      if (id === 'float8') kind = K_FLOAT8;
      else if (id === 'int2' || id === 'int4' || id === 'int8') {
        kind = K_INT;
        this.intMin[k] = INT_MIN[id]!;
        this.intMax[k] = INT_MAX[id]!;
      } else if ((id === 'timestamptz' || id === 'timestamp') && (type.typmod < 0 || type.typmod >= 6)) kind = K_TS;
      else if (physicalKind(type) === 'number') kind = K_NUM;
      else if (physicalKind(type) === 'bool') kind = K_BOOL;
      else if (id === 'text' || ((id === 'varchar' || id === 'bpchar') && type.typmod < 0)) kind = K_TEXT;
      this.kinds[k] = kind;
    });
    this.num = new Array(nc).fill(null);
    this.bools = new Array(nc).fill(null);
    this.objs = new Array(nc).fill(null);
    this.nulls = new Array(nc).fill(null);
    this.fS = new Int32Array(nc);
    this.fE = new Int32Array(nc);
    this.fF = new Uint8Array(nc);
    this.newBatch();
  }

  private newBatch(): void {
    const bs = this.batchSize;
    for (let k = 0; k < this.ncols; k++) {
      const kind = this.kinds[k]!;
      this.nulls[k] = null;
      if (kind <= K_NUM) this.num[k] = new Float64Array(bs);
      else if (kind === K_BOOL) this.bools[k] = new Uint8Array(bs);
      else this.objs[k] = new Array(bs);
    }
  }

  /** Feed one CopyData payload. */
  write(chunk: Buffer): void {
    if (this.done) return;
    if (this.opts.format === 'binary') return this.writeBinary(chunk, false);
    const buf = this.tailBytes ? Buffer.concat([this.tailBytes, chunk]) : chunk;
    const pos = this.parseRecords(buf, false);
    this.tailBytes = pos < buf.length && !this.done ? Buffer.from(buf.subarray(pos)) : null;
  }

  /** End of data (CopyDone): parse what is left, push the last batch; returns the row count. */
  end(): number {
    if (this.opts.format === 'binary') {
      if (!this.done) this.writeBinary(Buffer.alloc(0), true);
    } else if (!this.done && this.tailBytes) {
      const buf = this.tailBytes;
      this.tailBytes = null;
      this.parseRecords(buf, true);
    }
    this.flush();
    return this.rows;
  }

  private error(code: string, message: string, line: number, lineText?: string): WhereError {
    const e: WhereError = new SqlError(code, message);
    e.where = `COPY ${this.tableName}, line ${line}${lineText !== undefined ? `: "${clip(lineText)}"` : ''}`;
    return e;
  }

  private badEncoding(line: number): WhereError {
    const e: WhereError = new SqlError(SQLSTATE.characterNotInRepertoire, 'invalid byte sequence for encoding "UTF8"');
    e.where = `COPY ${this.tableName}, line ${line}`;
    return e;
  }

  /** Record text for messages (lossy on bad UTF-8). */
  private rawText(b: Uint8Array, s: number, e: number): string {
    return Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('utf8');
  }

  // ---- text and CSV -------------------------------------------------------

  /** Parse the complete records of `b`; returns where the unfinished tail starts. */
  private parseRecords(b: Buffer, final: boolean): number {
    let pos = 0;
    const len = b.length;
    const csv = this.opts.format === 'csv';
    this.nextSpecial = -1;
    while (pos < len && !this.done) {
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
    const d = this.delimCode;
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
    const d = this.delimCode;
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
    const d = this.delimCode;
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
    for (let k = 0; k < m; k++) this.convertField(b, k, row);
    if (col < nc) throw this.error('22P04', `missing data for column "${this.columns[col]!.name}"`, this.line, this.rawText(b, a, e));
    this.lines[row] = this.line;
    if (++this.n === this.batchSize) this.flush();
  }

  /** Is field k the NULL marker (FORCE_NULL / FORCE_NOT_NULL applied)? */
  private isNull(b: Uint8Array, k: number): boolean {
    const flags = this.fF[k]!;
    const src = flags & F_SCRATCH ? this.scratch : b;
    const s = this.fS[k]!;
    const nb = this.nullBytes;
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
    } else if (e - s === this.nullBytes.length && this.isNull(b, k)) return this.setNull(k, row);
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
      case K_TEXT: {
        let str: string;
        try {
          str = this.interner.get(src, s, e);
        } catch {
          throw this.badEncoding(this.line);
        }
        this.objs[k]![row] = str;
        return;
      }
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

  private setNull(k: number, row: number): void {
    (this.nulls[k] ??= new Uint8Array(this.batchSize))[row] = 1;
    const kind = this.kinds[k]!;
    if (kind <= K_NUM) this.num[k]![row] = 0;
    else if (kind === K_BOOL) this.bools[k]![row] = 0;
    else this.objs[k]![row] = null;
  }

  /** The type's input function on the decoded field; errors carry PostgreSQL's CONTEXT line. */
  private slow(src: Uint8Array, s: number, e: number, k: number): Value {
    let str: string;
    try {
      str = decodeUtf8(src, s, e);
    } catch {
      throw this.badEncoding(this.line);
    }
    const { type, name } = this.columns[k]!;
    try {
      const id = type.id;
      if (id === 'float8' || id === 'float4') return parseFloatText(str, id);
      if (id === 'int2' || id === 'int4' || id === 'int8') return parseInteger(str, id);
      if (id === 'bool') return parseBool(str);
      return parseText(type, str, this.ctx);
    } catch (err) {
      const x: WhereError = toSqlError(err);
      x.where = `COPY ${this.tableName}, line ${this.line}, column ${name}: "${clip(str)}"`;
      throw x;
    }
  }

  // ---- binary ----------------------------------------------------------------

  private writeBinary(chunk: Buffer, final: boolean): void {
    const buf = this.tailBytes ? Buffer.concat([this.tailBytes, chunk]) : chunk;
    let pos = 0;
    const len = buf.length;
    if (!this.binHeaderDone) {
      if (len < 19) {
        if (final) throw this.error('22P04', 'COPY file signature not recognized', 0);
        this.tailBytes = Buffer.from(buf);
        return;
      }
      if (!buf.subarray(0, 11).equals(BINARY_SIGNATURE)) throw this.error('22P04', 'COPY file signature not recognized', 0);
      const flags = buf.readInt32BE(11);
      if (flags & 0x10000) throw this.error('22P04', 'COPY with OIDs is not supported', 0);
      const ext = buf.readInt32BE(15);
      if (ext < 0 || len < 19 + ext) {
        if (final || ext < 0) throw this.error('22P04', 'invalid COPY file header (missing length)', 0);
        this.tailBytes = Buffer.from(buf);
        return;
      }
      pos = 19 + ext;
      this.binHeaderDone = true;
    }
    const nc = this.ncols;
    while (pos + 2 <= len) {
      const nf = buf.readInt16BE(pos);
      if (nf === -1) {
        this.done = true;
        pos = len;
        break;
      }
      if (nf !== nc) throw this.error('22P04', `row field count is ${nf}, expected ${nc}`, this.line + 1);
      let p = pos + 2;
      let complete = true;
      for (let f = 0; f < nf; f++) {
        if (p + 4 > len) {
          complete = false;
          break;
        }
        const l = buf.readInt32BE(p);
        p += 4 + (l > 0 ? l : 0);
        if (p > len) {
          complete = false;
          break;
        }
      }
      if (!complete) break;
      this.line++;
      const row = this.n;
      p = pos + 2;
      for (let f = 0; f < nf; f++) {
        const l = buf.readInt32BE(p);
        p += 4;
        if (l < 0) this.setNull(f, row);
        else {
          this.binaryField(buf, p, l, f, row);
          p += l;
        }
      }
      pos = p;
      this.lines[row] = this.line;
      if (++this.n === this.batchSize) this.flush();
    }
    this.tailBytes = pos < len ? Buffer.from(buf.subarray(pos)) : null;
    if (final && !this.done && this.tailBytes) throw this.error('22P04', 'unexpected EOF in COPY data', this.line + 1);
  }

  /** One binary-format value of column k: typed arrays straight from the bytes, the general decoder otherwise. */
  private binaryField(buf: Buffer, p: number, l: number, k: number, row: number): void {
    const kind = this.kinds[k]!;
    const id = this.columns[k]!.type.id;
    if (kind === K_FLOAT8 && l === 8) {
      this.num[k]![row] = buf.readDoubleBE(p);
      return;
    }
    if (kind === K_INT) {
      if (l === 4 && id === 'int4') return void (this.num[k]![row] = buf.readInt32BE(p));
      if (l === 2 && id === 'int2') return void (this.num[k]![row] = buf.readInt16BE(p));
      if (l === 8 && id === 'int8') {
        const hi = buf.readInt32BE(p);
        if (hi > -0x200000 && hi < 0x200000) return void (this.num[k]![row] = hi * 4294967296 + buf.readUInt32BE(p + 4));
      }
    }
    if (kind === K_TS && l === 8) {
      const hi = buf.readInt32BE(p);
      if (hi > -0x200000 && hi < 0x200000) return void (this.num[k]![row] = hi * 4294967296 + buf.readUInt32BE(p + 4) + PG_EPOCH_MICROS);
    }
    if (kind === K_TEXT) {
      try {
        this.objs[k]![row] = this.interner.get(buf, p, p + l);
      } catch {
        throw this.badEncoding(this.line);
      }
      return;
    }
    const col = this.columns[k]!;
    let v: Value;
    try {
      v = decodeBinaryValue(col.type, buf.subarray(p, p + l), this.ctx);
    } catch (e) {
      const err: WhereError = toSqlError(e);
      err.where = `COPY ${this.tableName}, line ${this.line}, column ${col.name}`;
      throw err;
    }
    if (kind <= K_NUM) this.num[k]![row] = v as number;
    else if (kind === K_BOOL) this.bools[k]![row] = v ? 1 : 0;
    else this.objs[k]![row] = v;
  }

  // ---- batches -------------------------------------------------------------

  private flush(): void {
    const n = this.n;
    if (n === 0) return;
    let columns: Vector[];
    {
      columns = this.columns.map(({ type }, k) => {
        const kind = this.kinds[k]!;
        let nulls = this.nulls[k] ?? null;
        if (nulls && n < nulls.length) nulls = nulls.subarray(0, n);
        if (kind <= K_NUM) {
          const all = this.num[k]!;
          return { tag: 'number', type, length: n, values: n === all.length ? all : all.subarray(0, n), nulls };
        }
        if (kind === K_BOOL) {
          const all = this.bools[k]!;
          return { tag: 'bool', type, length: n, values: n === all.length ? all : all.subarray(0, n), nulls };
        }
        const all = this.objs[k]!;
        const values = n === all.length ? all : all.slice(0, n);
        if (kind === K_TEXT) return { tag: 'object', type, length: n, values: values as (string | null)[] };
        return vectorFromValues(type, values as Value[]);
      });
      this.newBatch();
    }
    this.n = 0;
    this.sink({ length: n, columns });
    this.rows += n;
  }
}

export { fastFloat, fastTimestamp };
