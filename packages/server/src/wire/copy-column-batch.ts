/**
 * The column batch a COPY FROM parser fills: one typed output per column
 * (float8, integers and timestamps in a Float64Array, bools in a Uint8Array,
 * unconstrained text as codes into the batch's own dictionary, anything else
 * as values through the type's input function), pushed to the sink every
 * `batchSize` rows, its buffers recycled once the consumer hands them back.
 *
 * This is the bottom layer of CopyFromParser (copy-in.ts); the format layers
 * (copy-binary-tuples.ts, copy-text-records.ts) extend it rather than hold it,
 * so their per-field loops write `this.num[k]![row]` with no extra indirection.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { physicalKind } from '../../../storage/src/types/sql-type.js';
import type { FormatContext, Value } from '../../../storage/src/types/values.js';
import { parseFloatText, parseInteger, parseBool, parseText } from '../../../storage/src/types/text-io.js';
import { decodeText, decodeUtf8 } from './copy-fields.js';
import { TextCodeTable } from './copy-text-codes.js';
import { vectorFromValues, type Batch, type Vector } from '../../../storage/src/vector.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { toSqlError } from '../engine/database-error.js';

export type WhereError = SqlError & { where?: string };

export const COPY_BATCH_ROWS = 10_000;

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

/** The format layers copy these into module constants: their per-field loops compare against locals, not live import bindings. */
export const COLUMN_KINDS = { K_FLOAT8, K_INT, K_TS, K_NUM, K_TEXT, K_BOOL, K_OTHER } as const;

/** FNV-1a offset basis: the start of a text field's hash (TextCodeTable's key) */
export const TEXT_HASH_SEED = 0x811c9dc5;

/** One batch's column arrays, given from outside (batchSize rows each; null for columns of other kinds). */
export interface BatchArrays {
  num: (Float64Array | null)[];
  bools: (Uint8Array | null)[];
  codes: (Int32Array | null)[];
  nulls: Uint8Array[];
}

const INT_MIN: Record<string, number> = { int2: -32768, int4: -2147483648, int8: -Number.MAX_SAFE_INTEGER };
const INT_MAX: Record<string, number> = { int2: 32767, int4: 2147483647, int8: Number.MAX_SAFE_INTEGER };

export class CopyColumnBatchBuilder {
  /** rows pushed so far */
  rows = 0;
  // where the input stands, shared by the format layers
  protected line = 0;
  /** bytes of an unfinished record */
  protected tailBytes: Buffer | null = null;
  protected done = false;
  protected readonly ncols: number;
  protected n = 0;
  // one typed output per column
  protected readonly kinds: Int32Array;
  protected readonly intMin: Float64Array;
  protected readonly intMax: Float64Array;
  protected readonly tsTz: boolean[];
  protected readonly utc: boolean;
  protected num: (Float64Array | null)[];
  protected bools: (Uint8Array | null)[];
  protected objs: (unknown[] | null)[];
  protected codes: (Int32Array | null)[];
  /** K_TEXT: the batch's dictionary and its string → code map */
  private dicts: (string[] | null)[];
  private dictCodes: (Map<string, number> | null)[];
  /** K_TEXT: field bytes → code, across batches */
  private readonly textTables: (TextCodeTable | null)[];
  /** buffers of pushed batches handed back by the consumer (recycle()), by byte length */
  private readonly spare = new Map<number, ArrayBuffer[]>();
  private batchNo = 0;
  private nulls: (Uint8Array | null)[];
  private arraySource: (() => BatchArrays | null) | null = null;
  /** the NULL maps of the current batch's given arrays */
  private givenNulls: Uint8Array[] | null = null;

  constructor(
    protected readonly columns: readonly { name: string; type: SqlType }[],
    protected readonly tableName: string,
    protected readonly ctx: FormatContext,
    private readonly sink: (b: Batch) => void,
    protected readonly batchSize: number,
  ) {
    const nc = (this.ncols = columns.length);
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
    this.textTables = columns.map((_, k) => (this.kinds[k] === K_TEXT ? new TextCodeTable() : null));
    this.nulls = new Array(nc).fill(null);
    this.newBatch();
  }

  private newBatch(): void {
    const bs = this.batchSize;
    this.batchNo++;
    const given = this.arraySource?.() ?? null;
    this.givenNulls = given?.nulls ?? null;
    for (let k = 0; k < this.ncols; k++) {
      const kind = this.kinds[k]!;
      this.nulls[k] = null;
      if (kind <= K_NUM) {
        const b = given ? null : this.spareBuffer(bs * 8);
        this.num[k] = given ? given.num[k]! : b ? new Float64Array(b) : new Float64Array(bs);
      } else if (kind === K_BOOL) {
        const b = given ? null : this.spareBuffer(bs);
        this.bools[k] = given ? given.bools[k]! : b ? new Uint8Array(b) : new Uint8Array(bs);
      } else if (kind === K_TEXT) {
        const b = given ? null : this.spareBuffer(bs * 4);
        this.codes[k] = given ? given.codes[k]! : b ? new Int32Array(b) : new Int32Array(bs);
        this.dicts[k] = [];
        this.dictCodes[k] = new Map();
        this.textTables[k]!.startBatch();
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

  /**
   * Where batches from the next one on get their column arrays (the parse thread's shared slots,
   * copy-shared-slots.ts); the source answers null when it has none free, and the batch's arrays
   * are allocated or recycled as without it.
   */
  setArraySource(source: () => BatchArrays | null): void {
    this.arraySource = source;
  }

  /** Each column's vector kind ('values': through the input function, not in a typed array). */
  get vectorTags(): ('number' | 'bool' | 'dict' | 'values')[] {
    return Array.from(this.kinds, (kind) => (kind <= K_NUM ? 'number' : kind === K_BOOL ? 'bool' : kind === K_TEXT ? 'dict' : 'values'));
  }

  /** Every column has a typed fast path (nothing goes through input functions into JS values). */
  get typedOnly(): boolean {
    for (let k = 0; k < this.ncols; k++) if (this.kinds[k] === K_OTHER) return false;
    return true;
  }

  protected error(code: string, message: string, line: number, lineText?: string): WhereError {
    const e: WhereError = new SqlError(code, message);
    e.where = `COPY ${this.tableName}, line ${line}${lineText !== undefined ? `: "${clip(lineText)}"` : ''}`;
    return e;
  }

  protected badEncoding(line: number): WhereError {
    const e: WhereError = new SqlError(SQLSTATE.characterNotInRepertoire, 'invalid byte sequence for encoding "UTF8"');
    e.where = `COPY ${this.tableName}, line ${line}`;
    return e;
  }

  /** Text column k's code for the field's bytes in this batch's dictionary. */
  protected textField(k: number, src: Uint8Array, s: number, e: number): number {
    let h = TEXT_HASH_SEED;
    if (e - s <= TextCodeTable.maxKey) for (let i = s; i < e; i++) h = Math.imul(h ^ src[i]!, 0x01000193);
    return this.textFieldHashed(k, src, s, e, h);
  }

  /** textField with the field's FNV-1a hash from TEXT_HASH_SEED (the row scanner hashes while it looks for the delimiter). */
  protected textFieldHashed(k: number, src: Uint8Array, s: number, e: number, hash: number): number {
    try {
      const code = this.textTables[k]!.code(src, s, e, hash, this.batchNo, this.dicts[k]!);
      return code >= 0 ? code : this.textCode(k, decodeText(src, s, e));
    } catch {
      throw this.badEncoding(this.line);
    }
  }

  private newNulls(k: number): Uint8Array {
    if (this.givenNulls !== null) return this.givenNulls[k]!.fill(0);
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

  /** Row `row` is parsed again from the start: NULLs an abandoned attempt set are unset. */
  protected clearRowNulls(row: number): void {
    for (let k = 0; k < this.ncols; k++) {
      const nulls = this.nulls[k];
      if (nulls) nulls[row] = 0;
    }
  }

  protected setNull(k: number, row: number): void {
    (this.nulls[k] ??= this.newNulls(k))[row] = 1;
    const kind = this.kinds[k]!;
    if (kind <= K_NUM) this.num[k]![row] = 0;
    else if (kind === K_BOOL) this.bools[k]![row] = 0;
    else if (kind === K_TEXT) this.codes[k]![row] = 0;
    else this.objs[k]![row] = null;
  }

  /** The type's input function on the decoded field; errors carry PostgreSQL's CONTEXT line. */
  protected slow(src: Uint8Array, s: number, e: number, k: number): Value {
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

  protected flush(): void {
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
