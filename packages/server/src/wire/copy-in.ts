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
import { parseFloatText, parseInteger, parseBool, parseText } from '../../../storage/src/types/text-io.js';
import { deEscape, decodeBinaryValue, fastFloat, fastTimestamp } from './copy-convert.js';
import { vectorFromValues, type Batch, type Vector } from '../../../storage/src/vector.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { toSqlError } from '../engine/database-error.js';
import type { CopyOptions } from './copy-options.js';

export type WhereError = SqlError & { where?: string };

export const COPY_BATCH_ROWS = 10_000;
const BINARY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const utf8 = new TextDecoder('utf-8', { fatal: true });

function clip(s: string): string {
  return s.length > 100 ? `${s.slice(0, 100)}...` : s;
}

export class CopyFromParser {
  /** rows pushed so far */
  rows = 0;
  private line = 0;
  private carry = '';
  private tailBytes: Buffer | null = null;
  private done = false;
  private headerPending: boolean;
  private readonly ncols: number;
  private cols: (string | null)[][];
  private vals: Value[][];
  private lines: Int32Array;
  private n = 0;
  private readonly delim: string;
  private readonly quoteCode: number;
  private readonly escapeCode: number;
  private readonly delimCode: number;
  private readonly forceNotNull: boolean[];
  private readonly forceNull: boolean[];
  private nextSpecial = -1;
  private binHeaderDone = false;

  constructor(
    private readonly opts: CopyOptions,
    private readonly columns: readonly { name: string; type: SqlType }[],
    private readonly tableName: string,
    private readonly ctx: FormatContext,
    private readonly sink: (b: Batch) => void,
    private readonly batchSize = COPY_BATCH_ROWS,
  ) {
    this.ncols = columns.length;
    this.headerPending = opts.header;
    this.cols = columns.map(() => new Array<string | null>(batchSize));
    this.vals = opts.format === 'binary' ? columns.map(() => new Array<Value>(batchSize)) : [];
    this.lines = new Int32Array(batchSize);
    this.delim = opts.delimiter;
    this.delimCode = opts.delimiter.charCodeAt(0);
    this.quoteCode = opts.quote.charCodeAt(0);
    this.escapeCode = opts.escape.charCodeAt(0);
    const names = columns.map((c) => c.name);
    for (const c of [...opts.forceNotNull, ...opts.forceNull]) {
      if (!names.includes(c)) throw new SqlError(SQLSTATE.invalidColumnReference, `FORCE_NOT_NULL column "${c}" not referenced by COPY`);
    }
    this.forceNotNull = names.map((n) => opts.forceNotNull.includes(n));
    this.forceNull = names.map((n) => opts.forceNull.includes(n));
  }

  /** Feed one CopyData payload. */
  write(chunk: Buffer): void {
    if (this.done) return;
    if (this.opts.format === 'binary') return this.writeBinary(chunk, false);
    const buf = this.tailBytes ? Buffer.concat([this.tailBytes, chunk]) : chunk;
    const lastNl = buf.lastIndexOf(10);
    if (lastNl < 0) {
      this.tailBytes = Buffer.from(buf);
      return;
    }
    const text = this.decode(buf.subarray(0, lastNl + 1));
    this.tailBytes = lastNl + 1 < buf.length ? Buffer.from(buf.subarray(lastNl + 1)) : null;
    this.parseChunk(this.carry ? this.carry + text : text, false);
  }

  /** End of data (CopyDone): parse what is left, push the last batch; returns the row count. */
  end(): number {
    if (this.opts.format === 'binary') {
      if (!this.done) this.writeBinary(Buffer.alloc(0), true);
    } else if (!this.done) {
      const text = this.tailBytes ? this.decode(this.tailBytes) : '';
      this.tailBytes = null;
      const all = this.carry + text;
      if (all.length) this.parseChunk(all, true);
    }
    this.flush();
    return this.rows;
  }

  private decode(b: Buffer): string {
    try {
      return utf8.decode(b);
    } catch {
      const e: WhereError = new SqlError(SQLSTATE.characterNotInRepertoire, 'invalid byte sequence for encoding "UTF8"');
      e.where = `COPY ${this.tableName}, line ${this.line + 1}`;
      throw e;
    }
  }

  private error(code: string, message: string, line: number, lineText?: string): WhereError {
    const e: WhereError = new SqlError(code, message);
    e.where = `COPY ${this.tableName}, line ${line}${lineText !== undefined ? `: "${clip(lineText)}"` : ''}`;
    return e;
  }

  // ---- text and CSV -------------------------------------------------------

  private parseChunk(text: string, final: boolean): void {
    let pos = 0;
    const len = text.length;
    this.nextSpecial = -1;
    const csv = this.opts.format === 'csv';
    while (pos < len && !this.done) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0) {
        if (!final) break;
        nl = len;
      }
      if (!csv) {
        this.line++;
        this.textLine(text, pos, nl);
        pos = nl + 1;
      } else {
        const end = this.csvRecord(text, pos, nl, final);
        if (end < 0) break;
        pos = end;
      }
    }
    this.carry = pos < len && !this.done ? text.slice(pos) : '';
  }

  /** Where the next backslash (text) or quote (CSV) is at or after `from`; cached per chunk. */
  private special(text: string, from: number, ch: string): number {
    if (this.nextSpecial < from && this.nextSpecial !== Infinity) {
      const i = text.indexOf(ch, from);
      this.nextSpecial = i < 0 ? Infinity : i;
    }
    return this.nextSpecial;
  }

  private beginRow(text: string, a: number, b: number): boolean {
    if (b - a === 2 && text.charCodeAt(a) === 92 && text.charCodeAt(a + 1) === 46) {
      this.done = true; // "\." end-of-data marker
      return false;
    }
    return true;
  }

  private endRow(col: number, text: string, a: number, b: number): void {
    if (col < this.ncols) throw this.error('22P04', `missing data for column "${this.columns[col]!.name}"`, this.line, text.slice(a, b));
    if (this.headerPending) {
      this.headerPending = false;
      if (this.opts.headerMatch) {
        this.columns.forEach((c, k) => {
          const h = this.cols[k]![this.n];
          if (h !== c.name) throw this.error('22P04', `column name mismatch in header line field ${k + 1}: got "${h ?? ''}", expected "${c.name}"`, this.line);
        });
      }
      return;
    }
    this.lines[this.n] = this.line;
    if (++this.n === this.batchSize) this.flush();
  }

  private extraData(text: string, a: number, b: number): SqlError {
    return this.error('22P04', 'extra data after last expected column', this.line, text.slice(a, b));
  }

  private textLine(text: string, a: number, b: number): void {
    if (b > a && text.charCodeAt(b - 1) === 13) b--;
    if (!this.beginRow(text, a, b)) return;
    const row = this.n;
    const nullStr = this.opts.null;
    const nc = this.ncols;
    let col = 0;
    if (this.special(text, a, '\\') >= b) {
      // fast path: no escapes on this line
      let fs = a;
      const delim = this.delim;
      for (;;) {
        let fe = text.indexOf(delim, fs);
        if (fe < 0 || fe > b) fe = b;
        if (col >= nc) throw this.extraData(text, a, b);
        const s = text.slice(fs, fe);
        this.cols[col++]![row] = s === nullStr ? null : s;
        if (fe === b) break;
        fs = fe + 1;
      }
    } else {
      let fs = a;
      let i = a;
      for (;;) {
        if (i >= b || text.charCodeAt(i) === this.delimCode) {
          if (col >= nc) throw this.extraData(text, a, b);
          const raw = text.slice(fs, i);
          this.cols[col++]![row] = raw === nullStr ? null : raw.includes('\\') ? deEscape(raw) : raw;
          if (i >= b) break;
          fs = ++i;
        } else if (text.charCodeAt(i) === 92) i += 2;
        else i++;
      }
    }
    this.endRow(col, text, a, b);
  }

  /** One CSV record from `a`; returns the position after it, or -1 when it continues past the chunk. */
  private csvRecord(text: string, a: number, nl: number, final: boolean): number {
    let b = nl;
    if (this.special(text, a, this.opts.quote) >= nl) {
      // fast path: no quotes on this line
      this.line++;
      if (b > a && text.charCodeAt(b - 1) === 13) b--;
      if (!this.beginRow(text, a, b)) return nl + 1;
      const row = this.n;
      const nullStr = this.opts.null;
      const nc = this.ncols;
      const delim = this.delim;
      let col = 0;
      let fs = a;
      for (;;) {
        let fe = text.indexOf(delim, fs);
        if (fe < 0 || fe > b) fe = b;
        if (col >= nc) throw this.extraData(text, a, b);
        const s = text.slice(fs, fe);
        this.cols[col]![row] = s === nullStr && !this.forceNotNull[col] ? null : s;
        col++;
        if (fe === b) break;
        fs = fe + 1;
      }
      this.endRow(col, text, a, b);
      return nl + 1;
    }
    return this.csvSlow(text, a, final);
  }

  private csvSlow(text: string, a: number, final: boolean): number {
    const len = text.length;
    const q = this.quoteCode;
    const esc = this.escapeCode;
    const d = this.delimCode;
    const nullStr = this.opts.null;
    const values: (string | null)[] = [];
    let lines = 1;
    let i = a;
    let field = '';
    let quoted = false;
    let inQuote = false;
    let seg = i;
    let end = -1;
    let recordEnd = -1;
    const finishField = (stop: number) => {
      field += text.slice(seg, stop);
      const col = values.length;
      let v: string | null = field;
      if (!quoted && field === nullStr && !this.forceNotNull[col]) v = null;
      else if (quoted && field === nullStr && this.forceNull[col]) v = null;
      values.push(v);
      field = '';
      quoted = false;
    };
    while (end < 0) {
      if (i >= len) {
        if (inQuote) {
          if (!final) return -1;
          throw this.error('22P04', 'unterminated CSV quoted field', this.line + lines);
        }
        finishField(len);
        end = recordEnd = len;
        break;
      }
      const c = text.charCodeAt(i);
      if (inQuote) {
        if (c === esc && i + 1 < len && (text.charCodeAt(i + 1) === q || (esc !== q && text.charCodeAt(i + 1) === esc))) {
          field += text.slice(seg, i);
          seg = i + 1;
          i += 2;
        } else if (c === q) {
          field += text.slice(seg, i);
          seg = ++i;
          inQuote = false;
        } else {
          if (c === 10) lines++;
          i++;
        }
      } else if (c === q) {
        field += text.slice(seg, i);
        seg = ++i;
        inQuote = quoted = true;
      } else if (c === d) {
        finishField(i);
        seg = ++i;
      } else if (c === 10) {
        recordEnd = i > a && text.charCodeAt(i - 1) === 13 ? i - 1 : i;
        if (recordEnd < i) field = field + text.slice(seg, recordEnd), seg = i;
        finishField(i);
        end = i + 1;
      } else i++;
    }
    this.line += lines;
    if (values.length === 1 && values[0] === '\\.' && text.slice(a, recordEnd) === '\\.') {
      this.done = true;
      return end;
    }
    if (values.length > this.ncols) throw this.extraData(text, a, recordEnd);
    const row = this.n;
    values.forEach((v, k) => (this.cols[k]![row] = v));
    this.endRow(values.length, text, a, recordEnd);
    return end;
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
        if (l < 0) this.vals[f]![row] = null;
        else {
          const col = this.columns[f]!;
          try {
            this.vals[f]![row] = decodeBinaryValue(col.type, buf.subarray(p, p + l), this.ctx);
          } catch (e) {
            const err: WhereError = toSqlError(e);
            err.where = `COPY ${this.tableName}, line ${this.line}, column ${col.name}`;
            throw err;
          }
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

  // ---- batches -------------------------------------------------------------

  private flush(): void {
    const n = this.n;
    if (n === 0) return;
    const columns: Vector[] = this.columns.map((c, k) => {
      if (this.opts.format === 'binary') {
        const v = vectorFromValues(c.type, this.vals[k]!.slice(0, n));
        return v;
      }
      return this.convert(k, n);
    });
    this.n = 0;
    this.sink({ length: n, columns });
    this.rows += n;
  }

  private convert(k: number, n: number): Vector {
    const { type, name } = this.columns[k]!;
    const src = this.cols[k]!;
    const ctx = this.ctx;
    let i = 0;
    try {
      const kind = physicalKind(type);
      if (kind === 'number') {
        const out = new Float64Array(n);
        let nulls: Uint8Array | null = null;
        const id = type.id;
        const utc = ctx.timeZone === 'UTC' || ctx.timeZone === 'GMT';
        const fastTs = (id === 'timestamptz' || id === 'timestamp') && (type.typmod < 0 || type.typmod >= 6);
        for (; i < n; i++) {
          const s = src[i];
          if (s === null || s === undefined) {
            nulls ??= new Uint8Array(n);
            nulls[i] = 1;
            continue;
          }
          let v: number | undefined;
          if (id === 'float8') v = fastFloat(s) ?? parseFloatText(s, 'float8');
          else if (id === 'int4' || id === 'int8' || id === 'int2') v = parseInteger(s, id);
          else if (id === 'float4') v = parseFloatText(s, 'float4');
          else {
            if (fastTs) v = fastTimestamp(s, id === 'timestamptz', utc);
            if (v === undefined) v = parseText(type, s, ctx) as number;
          }
          out[i] = v;
        }
        return { tag: 'number', type, length: n, values: out, nulls };
      }
      if (kind === 'bool') {
        const out = new Uint8Array(n);
        let nulls: Uint8Array | null = null;
        for (; i < n; i++) {
          const s = src[i];
          if (s === null || s === undefined) {
            nulls ??= new Uint8Array(n);
            nulls[i] = 1;
          } else out[i] = parseBool(s) ? 1 : 0;
        }
        return { tag: 'bool', type, length: n, values: out, nulls };
      }
      if (type.id === 'text' || ((type.id === 'varchar' || type.id === 'bpchar') && type.typmod < 0)) {
        // the strings themselves; hand over the array and start a fresh one
        const values = n === src.length ? src : src.slice(0, n);
        if (values === src) this.cols[k] = new Array<string | null>(this.batchSize);
        i = n;
        return { tag: 'object', type, length: n, values };
      }
      const values = new Array<Value>(n);
      for (; i < n; i++) {
        const s = src[i];
        values[i] = s === null || s === undefined ? null : parseText(type, s, ctx);
      }
      return vectorFromValues(type, values);
    } catch (e) {
      const err: WhereError = toSqlError(e);
      err.where = `COPY ${this.tableName}, line ${this.lines[i]}, column ${name}: "${clip(src[i] ?? '')}"`;
      throw err;
    }
  }
}

export { fastFloat, fastTimestamp };
