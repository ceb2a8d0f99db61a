/**
 * COPY … FROM STDIN parsing: text, CSV and binary formats, streamed.
 *
 * CopyData messages split rows anywhere; the parser keeps the unfinished tail
 * and converts the fields of complete lines straight into the typed columns of
 * one batch (10k rows by default, no per-row objects): fast paths for float8,
 * integers, ISO timestamps and text (dictionary codes with the batch's own
 * dictionary), the type's input function otherwise, and pushes the batch into
 * the session's CopyIn. Memory stays bounded by one batch plus one CopyData
 * message. The same parser runs in the COPY parse thread (copy-parse-worker.ts),
 * which is why its state can be handed over mid-stream (`handoff`, `resume`).
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

/** Where a parser stopped, for another parser (in another thread) to continue the same COPY. */
export interface CopyParserState {
  /** input lines (text/CSV) or tuples (binary) consumed so far */
  line: number;
  /** bytes of an unfinished record */
  tail: Uint8Array | null;
  headerPending: boolean;
  binHeaderDone: boolean;
}

/** After this many extensions of a record straddling CopyData messages, the rest of the message is appended at once. */
const STRADDLE_STEPS = 4;
const BINARY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

function clip(s: string): string {
  return s.length > 100 ? `${s.slice(0, 100)}...` : s;
}

/** How a column is converted: straight from bytes into a typed array, or through its input function. */
const K_FLOAT8 = 0;
const K_INT = 1;
const K_TS = 2;
const K_NUM = 3; // other number-backed types: input function → Float64Array
const K_TEXT = 4; // unconstrained text: codes into the batch's own dictionary of interned strings
const K_BOOL = 5;
const K_OTHER = 6; // input function → Value[] → vectorFromValues

/** Per text column: a direct-mapped cache of field bytes → this batch's code (hits skip decoding and the Map). */
const TEXT_SLOTS = 4096; // power of two
const TEXT_KEY_MAX = 64;

interface TextCodeCache {
  keys: (Uint8Array | null)[];
  codes: Int32Array;
  /** the batch a slot's code belongs to */
  stamps: Int32Array;
}

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
  private codes: (Int32Array | null)[];
  /** K_TEXT: the batch's dictionary and its string → code map */
  private dicts: (string[] | null)[];
  private dictCodes: (Map<string, number> | null)[];
  private readonly textCaches: (TextCodeCache | null)[];
  /** buffers of pushed batches handed back by the consumer (recycle()), by byte length */
  private readonly spare = new Map<number, ArrayBuffer[]>();
  private batchNo = 0;
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
    resume?: CopyParserState,
  ) {
    const nc = (this.ncols = columns.length);
    this.headerPending = opts.header;
    if (resume) {
      this.line = resume.line;
      this.tailBytes = resume.tail ? Buffer.from(resume.tail) : null;
      this.headerPending = resume.headerPending;
      this.binHeaderDone = resume.binHeaderDone;
    }
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
    this.codes = new Array(nc).fill(null);
    this.dicts = new Array(nc).fill(null);
    this.dictCodes = new Array(nc).fill(null);
    this.textCaches = columns.map((_, k) =>
      this.kinds[k] === K_TEXT ? { keys: new Array<Uint8Array | null>(TEXT_SLOTS).fill(null), codes: new Int32Array(TEXT_SLOTS), stamps: new Int32Array(TEXT_SLOTS).fill(-1) } : null,
    );
    this.nulls = new Array(nc).fill(null);
    this.fS = new Int32Array(nc);
    this.fE = new Int32Array(nc);
    this.fF = new Uint8Array(nc);
    this.newBatch();
  }

  private newBatch(): void {
    const bs = this.batchSize;
    this.batchNo++;
    for (let k = 0; k < this.ncols; k++) {
      const kind = this.kinds[k]!;
      this.nulls[k] = null;
      if (kind <= K_NUM) {
        const b = this.spareBuffer(bs * 8);
        this.num[k] = b ? new Float64Array(b) : new Float64Array(bs);
      } else if (kind === K_BOOL) {
        const b = this.spareBuffer(bs);
        this.bools[k] = b ? new Uint8Array(b) : new Uint8Array(bs);
      } else if (kind === K_TEXT) {
        const b = this.spareBuffer(bs * 4);
        this.codes[k] = b ? new Int32Array(b) : new Int32Array(bs);
        this.dicts[k] = [];
        this.dictCodes[k] = new Map();
      } else this.objs[k] = new Array(bs);
    }
  }

  /**
   * Buffers of batches this parser pushed, which the consumer no longer reads: the next batches
   * are built in them instead of new ones (less garbage, fewer collections). Every row of a
   * column is written before it is pushed, so only NULL maps need clearing.
   */
  recycle(buffers: readonly ArrayBuffer[]): void {
    for (const b of buffers) {
      let list = this.spare.get(b.byteLength);
      if (list === undefined) this.spare.set(b.byteLength, (list = []));
      if (list.length < 4 * this.ncols) list.push(b);
    }
  }

  private spareBuffer(bytes: number): ArrayBuffer | undefined {
    return this.spare.get(bytes)?.pop();
  }

  /** Every column has a typed fast path (nothing goes through input functions into JS values). */
  get typedOnly(): boolean {
    for (let k = 0; k < this.ncols; k++) if (this.kinds[k] === K_OTHER) return false;
    return true;
  }

  /** Push the rows parsed so far and return where parsing stands; this parser takes no more input. */
  handoff(): CopyParserState {
    this.flush();
    const state: CopyParserState = { line: this.line, tail: this.tailBytes, headerPending: this.headerPending, binHeaderDone: this.binHeaderDone };
    this.done = true;
    this.tailBytes = null;
    return state;
  }

  /** The end-of-data marker or the binary trailer was seen: later input is ignored. */
  get finished(): boolean {
    return this.done;
  }

  /** Feed one CopyData payload. */
  write(chunk: Buffer): void {
    if (this.done) return;
    if (this.opts.format === 'binary') return this.writeBinary(chunk, false);
    let buf = chunk;
    if (this.tailBytes) {
      // Finish the record the previous message cut, from its tail plus this message's bytes up to
      // a newline, then parse the rest of the message in place (no copy of the whole message).
      let tail: Buffer = this.tailBytes;
      let from = 0;
      for (let step = 0; ; step++) {
        const cut = step < STRADDLE_STEPS ? chunk.indexOf(10, from) : chunk.length - 1;
        if (cut < 0) {
          this.tailBytes = Buffer.concat([tail, chunk.subarray(from)]);
          return;
        }
        const head = Buffer.concat([tail, chunk.subarray(from, cut + 1)]);
        const pos = this.parseRecords(head, false);
        if (this.done) {
          this.tailBytes = null;
          return;
        }
        from = cut + 1;
        if (pos === head.length) break;
        tail = head.subarray(pos); // a quoted newline (CSV): the record goes on
        if (from >= chunk.length) {
          this.tailBytes = tail;
          return;
        }
      }
      buf = chunk.subarray(from);
    }
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
    const kinds = this.kinds;
    const fS = this.fS;
    const fE = this.fE;
    const fF = this.fF;
    const nullLen = this.nullBytes.length;
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

  /** Text column k's code for the field's bytes: from the column's byte cache, else decoded and looked up. */
  private textField(k: number, src: Uint8Array, s: number, e: number): number {
    const n = e - s;
    const cache = this.textCaches[k]!;
    let slot = -1;
    if (n <= TEXT_KEY_MAX) {
      let h = 0x811c9dc5 ^ n;
      for (let i = s; i < e; i++) h = Math.imul(h ^ src[i]!, 0x01000193);
      slot = (h ^ (h >>> 13)) & (TEXT_SLOTS - 1);
      const key = cache.keys[slot];
      if (cache.stamps[slot] === this.batchNo && key !== null && key !== undefined && key.length === n) {
        let i = 0;
        while (i < n && key[i] === src[s + i]) i++;
        if (i === n) return cache.codes[slot]!;
      }
    }
    let str: string;
    try {
      str = this.interner.get(src, s, e);
    } catch {
      throw this.badEncoding(this.line);
    }
    const code = this.textCode(k, str);
    if (slot >= 0) {
      cache.keys[slot] = Uint8Array.prototype.slice.call(src, s, e);
      cache.codes[slot] = code;
      cache.stamps[slot] = this.batchNo;
    }
    return code;
  }

  private newNulls(): Uint8Array {
    const b = this.spareBuffer(this.batchSize);
    return b === undefined ? new Uint8Array(this.batchSize) : new Uint8Array(b).fill(0);
  }

  /** The code of `str` in text column k's batch dictionary. */
  private textCode(k: number, str: string): number {
    const m = this.dictCodes[k]!;
    let code = m.get(str);
    if (code === undefined) {
      const d = this.dicts[k]!;
      code = d.length;
      d.push(str);
      m.set(str, code);
    }
    return code;
  }

  private setNull(k: number, row: number): void {
    (this.nulls[k] ??= this.newNulls())[row] = 1;
    const kind = this.kinds[k]!;
    if (kind <= K_NUM) this.num[k]![row] = 0;
    else if (kind === K_BOOL) this.bools[k]![row] = 0;
    else if (kind === K_TEXT) this.codes[k]![row] = 0;
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
      this.codes[k]![row] = this.textField(k, buf, p, p + l);
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
        if (kind === K_TEXT) {
          const all = this.codes[k]!;
          return { tag: 'dict', type, length: n, codes: n === all.length ? all : all.subarray(0, n), dict: this.dicts[k]!, nulls };
        }
        const all = this.objs[k]!;
        return vectorFromValues(type, (n === all.length ? all : all.slice(0, n)) as Value[]);
      });
      this.newBatch();
    }
    this.n = 0;
    this.sink({ length: n, columns });
    this.rows += n;
  }
}

export { fastFloat, fastTimestamp };
