/**
 * The INSERT … VALUES fast path (issue 5).
 *
 * `INSERT INTO t [(cols)] VALUES (…), (…)` whose values are all literals
 * (numbers, optionally negative; '…' strings; NULL; TRUE/FALSE; DEFAULT) or
 * `$n` parameters is turned into column buffers without building a VALUES
 * plan: per value one conversion with exactly the binder's rules (literal
 * typing of bind/literals.ts, `coerce` in the assignment context, the type's
 * input function for '…' strings), then defaults, CHECKs and one `writeRows`.
 *
 * Two entries:
 *  - `prepareFastInsertText` (simple protocol, `runScript`): a char-code
 *    scanner over the statement text; the general parser never sees the rows.
 *  - `tryFastInsert` (extended protocol / `runParsed`, from `executeInsert`):
 *    works on the parsed AST; the per-statement template (cells, parameter
 *    types, column plans) is cached on the AST node, so a prepared statement
 *    executed many times is not bound again.
 *
 * Anything not recognised — other syntax, ON CONFLICT, RETURNING, WITH, a
 * SELECT source, typmod'ed parameter targets — and any error while scanning or
 * converting returns `undefined`, and the caller runs the general path, which
 * reports the error exactly as it always did (nothing has been written yet).
 * Errors after the rows are converted (non-constant DEFAULTs, CHECK, NOT NULL,
 * UNIQUE, chunk placement) come from the same functions the general path uses.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { physicalKind } from '../../../storage/src/types/sql-type.js';
import { formatType } from '../../../storage/src/types/sql-type.js';
import type { FormatContext, Value } from '../../../storage/src/types/values.js';
import type { Batch, Vector } from '../../../storage/src/vector.js';
import { getValue } from '../../../storage/src/vector.js';
import type { CompiledExpr, EvalContext, ExprNode } from '../../../storage/src/expr/expr.js';
import { compileExpr } from '../../../storage/src/expr/compile.js';
import { parseText } from '../../../storage/src/types/text-io.js';
import { truncateIdentifier } from '../parse/tokenizer.js';
import type { Catalog, TableInfo } from '../catalog/catalog.js';
import type { InsertStmt, Expr } from '../parse/ast.js';
import { RESERVED } from '../parse/parser-base.js';
import type { StatementBinding } from '../bind/context.js';
import { bindLiteral } from '../bind/literals.js';
import { coerce } from '../bind/coerce.js';
import { defaultExpr, enforceChecks } from '../statement/dml-common.js';
import { writeRows } from '../hypertable/write.js';
import type { StatementResult, StatementSession } from '../statement/session.js';

let enabled = typeof process === 'undefined' || process.env.STRATA_INSERT_FAST !== '0';
/** Turn the fast path off (differential tests, benchmarks of the general path). */
export function setInsertFastPath(on: boolean): void {
  enabled = on;
}
export function insertFastPathEnabled(): boolean {
  return enabled;
}

/** statements the fast path ran (for tests) */
export const fastInsertStats = { text: 0, ast: 0, plans: 0 };

/** Thrown inside the fast path to mean "let the general path do this". */
class Fallback extends Error {}
const FALLBACK = new Fallback('fast insert fallback');

// literal kinds
const L_INT = 0;
const L_NUM = 1;
const L_STR = 2;
const L_NULL = 3;
const L_TRUE = 4;
const L_FALSE = 5;
const LIT_TYPES = ['integer', 'numeric', 'string', 'null', 'bool', 'bool'] as const;

const enum Fast {
  Float8,
  Int4,
  Int8,
  Text,
  Generic,
}

interface ColPlan {
  readonly name: string;
  readonly type: SqlType;
  readonly isNumber: boolean;
  readonly fast: Fast;
  /** the column's DEFAULT (NULL when none; serials' nextval) */
  readonly defaultNode: ExprNode;
  readonly defaultConst: boolean;
  defaultFn: CompiledExpr | null;
}

interface TablePlan {
  readonly table: TableInfo;
  readonly version: number;
  /** column index in table order for each target position */
  readonly targetIdx: readonly number[];
  /** whether a column list was written (rows shorter than it are an error) */
  readonly explicitColumns: boolean;
  readonly cols: readonly ColPlan[];
}

interface Env {
  catalog: Catalog;
  searchPath: readonly string[];
  settings: FormatContext;
}

function tablePlan(env: Env, schema: string | undefined, name: string, columns: readonly string[] | undefined): TablePlan {
  fastInsertStats.plans++;
  const table = env.catalog.getTable(schema, name, env.searchPath);
  if (table.kind !== 'table' || !table.store) throw FALLBACK;
  const targetIdx = columns
    ? columns.map((c) => {
        const i = table.columns.findIndex((col) => col.name === c);
        if (i < 0) throw FALLBACK;
        return i;
      })
    : table.columns.map((_, i) => i);
  if (new Set(targetIdx).size !== targetIdx.length) throw FALLBACK;
  const cols = table.columns.map((c): ColPlan => {
    const t = c.type;
    const fast =
      t.typmod >= 0 ? Fast.Generic : t.id === 'float8' ? Fast.Float8 : t.id === 'int4' ? Fast.Int4 : t.id === 'int8' ? Fast.Int8 : t.id === 'text' ? Fast.Text : Fast.Generic;
    const d = defaultExpr(c);
    return { name: c.name, type: t, isNumber: physicalKind(t) === 'number', fast, defaultNode: d, defaultConst: d.k === 'const', defaultFn: null };
  });
  return { table, version: env.catalog.version, targetIdx, explicitColumns: columns !== undefined, cols };
}

function newStatementBinding(env: Env, paramTypes: (SqlType | undefined)[]): StatementBinding {
  return { catalog: env.catalog, searchPath: env.searchPath, settings: env.settings, paramTypes, subqueries: [], nextId: 1 };
}

/** A literal → the column's value, as bindLiteral + coerce(…, 'assignment') would make it. */
function convertLiteral(cp: ColPlan, kind: number, text: string, binding: StatementBinding): Value {
  if (kind === L_NULL) return null;
  if (kind === L_STR) {
    if (cp.fast === Fast.Text) return text;
    if (cp.type.typmod < 0 || cp.type.id === 'numeric') return parseText(cp.type, text, binding.settings);
  } else if (kind === L_INT && text.length <= 9) {
    // |n| < 10^9: an int4 literal, exact in a double
    const n = Number(text);
    if (cp.fast === Fast.Float8 || cp.fast === Fast.Int4 || cp.fast === Fast.Int8) return n;
  } else if (kind === L_NUM && cp.fast === Fast.Float8) {
    const n = Number(text);
    // plain decimals: numeric → float8 is the correctly rounded double of the digits
    if (Number.isFinite(n) && n !== 0 && text.length < 40) return n;
  }
  const lit = bindLiteral({ kind: 'literal', literalType: LIT_TYPES[kind]!, value: kind === L_TRUE ? 'true' : kind === L_FALSE ? 'false' : text });
  const e = coerce(lit, cp.type, binding, 'assignment', () => `column "${cp.name}" is of type ${formatType(cp.type)} but expression is of type ${formatType(lit.type)}`);
  if (e.k !== 'const') throw FALLBACK;
  return e.value;
}

/** Column buffers for one statement, in table column order. */
class Columns {
  rows = 0;
  private cap: number;
  readonly num: (Float64Array | null)[];
  readonly obj: (Value[] | null)[];
  readonly nulls: (Uint8Array | null)[];
  /** rows whose value is the column's DEFAULT, per column */
  readonly defaults: (number[] | null)[];

  constructor(readonly plan: TablePlan, capacity: number) {
    this.cap = Math.max(16, capacity);
    this.num = plan.cols.map((c) => (c.isNumber ? new Float64Array(this.cap) : null));
    this.obj = plan.cols.map((c) => (c.isNumber ? null : new Array<Value>(this.cap)));
    this.nulls = plan.cols.map(() => null);
    this.defaults = plan.cols.map(() => null);
  }

  /** start a new row; returns its index */
  addRow(): number {
    if (this.rows === this.cap) this.grow();
    return this.rows++;
  }

  private grow(): void {
    const cap = this.cap * 2;
    for (let c = 0; c < this.num.length; c++) {
      const a = this.num[c];
      if (a) {
        const b = new Float64Array(cap);
        b.set(a);
        this.num[c] = b;
      }
      const nl = this.nulls[c];
      if (nl) {
        const b = new Uint8Array(cap);
        b.set(nl);
        this.nulls[c] = b;
      }
    }
    this.cap = cap;
  }

  set(ci: number, row: number, v: Value): void {
    const a = this.num[ci];
    if (a) {
      if (v === null) {
        let nl = this.nulls[ci];
        if (!nl) nl = this.nulls[ci] = new Uint8Array(this.cap);
        nl[row] = 1;
      } else a[row] = v as number;
    } else this.obj[ci]![row] = v;
  }

  setDefault(ci: number, row: number): void {
    const cp = this.plan.cols[ci]!;
    if (cp.defaultConst) this.set(ci, row, (cp.defaultNode as { value: Value }).value);
    else (this.defaults[ci] ??= []).push(row);
  }

  /** evaluate non-constant defaults (column by column, rows in order, like the VALUES operator) and build the batch */
  finish(ctx: EvalContext): Batch {
    const n = this.rows;
    const cols = this.plan.cols;
    for (let ci = 0; ci < cols.length; ci++) {
      const rows = this.defaults[ci];
      if (!rows) continue;
      const cp = cols[ci]!;
      cp.defaultFn ??= compileExpr(cp.defaultNode);
      for (const r of rows) this.set(ci, r, getValue(cp.defaultFn(ONE_ROW, ctx), 0));
    }
    const columns: Vector[] = cols.map((cp, ci): Vector => {
      const a = this.num[ci];
      if (a) {
        const nl = this.nulls[ci];
        return { tag: 'number', type: cp.type, length: n, values: a.length === n ? a : a.subarray(0, n), nulls: nl ? (nl.length === n ? nl : nl.subarray(0, n)) : null };
      }
      const o = this.obj[ci]!;
      if (o.length !== n) o.length = n;
      return { tag: 'object', type: cp.type, length: n, values: o };
    });
    return { length: n, columns };
  }
}

const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const ONE_ROW: Batch = { length: 1, columns: [] };

function complete(plan: TablePlan, cols: Columns, session: StatementSession, ctx: EvalContext): StatementResult {
  const batch = cols.finish(ctx);
  if (batch.length > 0) {
    enforceChecks(plan.table, batch, ctx);
    writeRows(session, plan.table, batch);
  }
  return { command: `INSERT 0 ${batch.length}`, rowCount: batch.length };
}

// ---------------------------------------------------------------------------
// the text scanner (simple protocol)

/** per catalog (each database has its own; versions of different catalogs are unrelated) */
const planCaches = new WeakMap<Catalog, Map<string, TablePlan>>();

function cachedPlan(env: Env, key: string, schema: string | undefined, name: string, columns: string[] | undefined): TablePlan {
  const k = `${env.searchPath.join('\u0001')}\u0000${key}`;
  let planCache = planCaches.get(env.catalog);
  if (!planCache) planCaches.set(env.catalog, (planCache = new Map()));
  let p = planCache.get(k);
  if (!p || p.version !== env.catalog.version || p.table.columns.length !== p.cols.length) {
    p = tablePlan(env, schema, name, columns);
    if (planCache.size > 256) planCache.clear();
    planCache.set(k, p);
  }
  return p;
}

/** A scanned and converted INSERT, ready to run inside a transaction. */
export interface PreparedFastInsert {
  run(session: StatementSession): StatementResult;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 12;
}
function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57) || c === 36;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

class Scanner {
  i = 0;
  constructor(readonly s: string) {}

  ws(): void {
    const s = this.s;
    let i = this.i;
    while (i < s.length && isSpace(s.charCodeAt(i))) i++;
    // comments: leave to the general parser
    if (i + 1 < s.length && ((s.charCodeAt(i) === 45 && s.charCodeAt(i + 1) === 45) || (s.charCodeAt(i) === 47 && s.charCodeAt(i + 1) === 42))) throw FALLBACK;
    this.i = i;
  }

  /** an unquoted word, lower-cased */
  word(): string {
    this.ws();
    const s = this.s;
    const start = this.i;
    if (start >= s.length || !isIdentStart(s.charCodeAt(start))) throw FALLBACK;
    let i = start + 1;
    while (i < s.length && isIdentChar(s.charCodeAt(i))) i++;
    if (i < s.length && s.charCodeAt(i) > 127) throw FALLBACK;
    this.i = i;
    return s.slice(start, i).toLowerCase();
  }

  keyword(kw: string): void {
    if (this.word() !== kw) throw FALLBACK;
  }

  /** an identifier: unquoted (folded, not reserved) or "quoted" */
  ident(): string {
    this.ws();
    if (this.s.charCodeAt(this.i) === 34) {
      const close = this.s.indexOf('"', this.i + 1);
      if (close < 0 || this.s.charCodeAt(close + 1) === 34 || close === this.i + 1) throw FALLBACK;
      const v = this.s.slice(this.i + 1, close);
      this.i = close + 1;
      // a name the parser would truncate (with its NOTICE) takes the general path
      if (truncateIdentifier(v) !== v) throw FALLBACK;
      return v;
    }
    const w = this.word();
    if (RESERVED.has(w) || truncateIdentifier(w) !== w) throw FALLBACK;
    return w;
  }

  peek(): number {
    this.ws();
    return this.i < this.s.length ? this.s.charCodeAt(this.i) : -1;
  }

  expect(c: number): void {
    if (this.peek() !== c) throw FALLBACK;
    this.i++;
  }
}

/**
 * Scan and convert a simple-protocol query string that is exactly one
 * INSERT … VALUES statement; undefined when the fast path does not apply.
 */
export function prepareFastInsertText(sql: string, env: Env): PreparedFastInsert | undefined {
  if (!enabled) return undefined;
  // cheap pre-check: starts with INSERT (after whitespace)
  let p = 0;
  while (p < sql.length && isSpace(sql.charCodeAt(p))) p++;
  if (sql.length - p < 20 || (sql.charCodeAt(p) | 32) !== 105 || sql.slice(p, p + 6).toLowerCase() !== 'insert') return undefined;
  try {
    return scanInsert(sql, env);
  } catch (e) {
    if (e instanceof Fallback) return undefined;
    // a conversion error: the general path reports it (with its position and wording)
    return undefined;
  }
}

/** code units of statements up to this long are scanned in one array kept between statements */
const CODE_SCRATCH_MAX = 1 << 22;
let codeScratch = new Uint16Array(0);

/**
 * The statement's UTF-16 code units, with a 0 after the last (the scan reads one past the end,
 * where charCodeAt gave NaN: neither is a character the scan looks for). Reading them from a typed
 * array costs about half what charCodeAt does per character.
 */
function charCodes(s: string): Uint16Array {
  let codes = codeScratch;
  if (codes.length < s.length + 1) {
    codes = new Uint16Array(Math.max(s.length + 1, Math.min(CODE_SCRATCH_MAX, codes.length * 2)));
    if (codes.length <= CODE_SCRATCH_MAX) codeScratch = codes;
  }
  Buffer.from(codes.buffer, 0, s.length * 2).write(s, 0, 'utf16le');
  codes[s.length] = 0;
  return codes;
}

function scanInsert(sql: string, env: Env): PreparedFastInsert {
  const sc = new Scanner(sql);
  sc.keyword('insert');
  sc.keyword('into');
  let schema: string | undefined;
  let name = sc.ident();
  if (sc.peek() === 46) {
    sc.i++;
    schema = name;
    name = sc.ident();
  }
  let columns: string[] | undefined;
  if (sc.peek() === 40) {
    sc.i++;
    columns = [sc.ident()];
    while (sc.peek() === 44) {
      sc.i++;
      columns.push(sc.ident());
    }
    sc.expect(41);
  }
  sc.keyword('values');
  const header = sql.slice(0, sc.i);
  const plan = cachedPlan(env, header, schema, name, columns);
  const binding = newStatementBinding(env, []);
  const s = sql;
  const len = s.length;
  const cols = new Columns(plan, Math.min(1 << 16, Math.max(16, (len - sc.i) >> 6)));
  const targetIdx = plan.targetIdx;
  const width = targetIdx.length;
  const cps = plan.cols;
  // the last quoted literal converted per column, and its value: consecutive rows often repeat a
  // timestamp (one per sampling interval, for every host), which is then compared instead of parsed
  const lastText: (string | undefined)[] = new Array(cps.length);
  const lastValue: Value[] = new Array(cps.length);
  const b = charCodes(s);
  let i = sc.i;
  for (;;) {
    // row: ( v, v, … )
    while (i < len && isSpace(b[i]!)) i++;
    if (b[i]! !== 40) throw FALLBACK;
    i++;
    const row = cols.addRow();
    let k = 0;
    for (;;) {
      while (i < len && isSpace(b[i]!)) i++;
      if (k >= width) throw FALLBACK;
      const ci = targetIdx[k]!;
      const cp = cps[ci]!;
      let c = b[i]!;
      const repeat = lastText[ci];
      if (c === 39 && repeat !== undefined && s.startsWith(repeat, i + 1) && b[i + 1 + repeat.length]! === 39 && b[i + 2 + repeat.length]! !== 39) {
        // the same literal as this column's last converted one (a repeated timestamp): no slice, no parse
        i += repeat.length + 2;
        cols.set(ci, row, lastValue[ci]!);
      } else if (c === 39) {
        // '…' with '' escapes
        let j = i + 1;
        let text = '';
        for (;;) {
          const close = s.indexOf("'", j);
          if (close < 0) throw FALLBACK;
          if (b[close + 1]! === 39) {
            text += s.slice(j, close + 1);
            j = close + 2;
            continue;
          }
          text += s.slice(j, close);
          i = close + 1;
          break;
        }
        if (cp.fast === Fast.Text) cols.set(ci, row, text);
        else if (lastText[ci] === text) cols.set(ci, row, lastValue[ci]!);
        else {
          const v = convertLiteral(cp, L_STR, text, binding);
          // only immutable values may stand for several rows
          if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') {
            lastText[ci] = text;
            lastValue[ci] = v;
          }
          cols.set(ci, row, v);
        }
      } else if (isDigit(c) || c === 45 || c === 46) {
        const start = i;
        let neg = false;
        if (c === 45) {
          neg = true;
          i++;
          c = b[i]!;
          if (!isDigit(c) && c !== 46) throw FALLBACK;
        }
        let integer = true;
        let mant = 0;
        let digits = 0;
        let scale = 0;
        for (c = b[i]!; isDigit(c); c = b[++i]!) {
          mant = mant * 10 + (c - 48);
          digits++;
        }
        if (c === 46) {
          if (b[i + 1]! === 46) throw FALLBACK;
          integer = false;
          for (c = b[++i]!; isDigit(c); c = b[++i]!) {
            mant = mant * 10 + (c - 48);
            digits++;
            scale++;
          }
        }
        let exponent = false;
        if (c === 101 || c === 69) {
          integer = false;
          exponent = true;
          i++;
          const sg = b[i]!;
          if (sg === 43 || sg === 45) i++;
          if (!isDigit(b[i]!)) throw FALLBACK;
          while (isDigit(b[i]!)) i++;
        }
        if (digits === 0) throw FALLBACK;
        const fast = cp.fast;
        const num = cols.num[ci];
        if (!exponent && digits <= 15 && num !== null) {
          // exact in a double: what bindLiteral + the assignment cast give (numeric → float8 is coef / 10^scale)
          if (integer && digits <= 9 && (fast === Fast.Float8 || fast === Fast.Int4 || fast === Fast.Int8)) {
            num[row] = neg ? -mant : mant;
          } else if (!integer && fast === Fast.Float8 && mant !== 0) {
            num[row] = (neg ? -mant : mant) / POW10[scale]!;
          } else cols.set(ci, row, convertLiteral(cp, integer ? L_INT : L_NUM, s.slice(start, i), binding));
        } else cols.set(ci, row, convertLiteral(cp, integer ? L_INT : L_NUM, s.slice(start, i), binding));
      } else if (isIdentStart(c)) {
        const start = i;
        while (i < len && isIdentChar(b[i]!)) i++;
        const w = s.slice(start, i).toLowerCase();
        if (w === 'null') cols.set(ci, row, null);
        else if (w === 'default') cols.setDefault(ci, row);
        else if (w === 'true') cols.set(ci, row, convertLiteral(cp, L_TRUE, '', binding));
        else if (w === 'false') cols.set(ci, row, convertLiteral(cp, L_FALSE, '', binding));
        else throw FALLBACK;
      } else throw FALLBACK;
      while (i < len && isSpace(b[i]!)) i++;
      c = b[i]!;
      k++;
      if (c === 44) {
        i++;
        continue;
      }
      if (c === 41) {
        i++;
        break;
      }
      throw FALLBACK;
    }
    if (k < width) {
      if (plan.explicitColumns) throw FALLBACK;
      for (let m = k; m < width; m++) cols.setDefault(targetIdx[m]!, row);
    }
    while (i < len && isSpace(b[i]!)) i++;
    if (i >= len) break;
    const c = b[i]!;
    if (c === 44) {
      i++;
      continue;
    }
    if (c === 59) {
      i++;
      while (i < len && isSpace(b[i]!)) i++;
      if (i < len) throw FALLBACK;
      break;
    }
    throw FALLBACK;
  }
  omittedDefaults(plan, cols);
  return {
    run: (session) => {
      fastInsertStats.text++;
      return complete(plan, cols, session, session.evalContext([]));
    },
  };
}

/** columns not in the target list get their DEFAULT in every row */
function omittedDefaults(plan: TablePlan, cols: Columns): void {
  if (plan.targetIdx.length === plan.cols.length) return;
  const listed = new Set(plan.targetIdx);
  for (let ci = 0; ci < plan.cols.length; ci++) {
    if (listed.has(ci)) continue;
    for (let r = 0; r < cols.rows; r++) cols.setDefault(ci, r);
  }
}

// ---------------------------------------------------------------------------
// the AST path (extended protocol, embedded queries with parameters)

/** one value of the template: literal kind + text, or a parameter, or DEFAULT */
interface Cell {
  kind: number; // L_* or CELL_PARAM / CELL_DEFAULT
  text: string;
  param: number;
}
const CELL_PARAM = 10;
const CELL_DEFAULT = 11;

interface AstTemplate {
  schema: string | undefined;
  name: string;
  columns: string[] | undefined;
  rows: Cell[][];
  /** compiled per catalog version and client parameter types */
  compiled?: { catalog: Catalog; plan: TablePlan; given: readonly SqlType[] | undefined; typesKey: string; searchPath: string; paramTypes: (SqlType | undefined)[] };
}

const templates = new WeakMap<InsertStmt, AstTemplate | null>();

function cellOf(e: Expr): Cell {
  if (e.kind === 'default') return { kind: CELL_DEFAULT, text: '', param: -1 };
  if (e.kind === 'param') return { kind: CELL_PARAM, text: '', param: e.index - 1 };
  if (e.kind === 'literal') {
    switch (e.literalType) {
      case 'integer':
        return { kind: L_INT, text: e.value, param: -1 };
      case 'numeric':
        return { kind: L_NUM, text: e.value, param: -1 };
      case 'string':
        return { kind: L_STR, text: e.value, param: -1 };
      case 'null':
        return { kind: L_NULL, text: '', param: -1 };
      case 'bool':
        return { kind: e.value === 'true' ? L_TRUE : L_FALSE, text: '', param: -1 };
    }
  }
  throw FALLBACK;
}

function templateOf(stmt: InsertStmt): AstTemplate | null {
  let t = templates.get(stmt);
  if (t !== undefined) return t;
  t = null;
  try {
    if (!stmt.with && !stmt.onConflict && !stmt.returning && stmt.source.kind === 'values' && !stmt.alias) {
      t = { schema: stmt.table.schema, name: stmt.table.name, columns: stmt.columns ? [...stmt.columns] : undefined, rows: stmt.source.rows.map((r) => r.map(cellOf)) };
    }
  } catch (e) {
    if (!(e instanceof Fallback)) throw e;
    t = null;
  }
  templates.set(stmt, t);
  return t;
}

/**
 * The fast path for a parsed INSERT (called first by executeInsert, inside
 * the statement's transaction); undefined → run the general path.
 */
export function tryFastInsert(stmt: InsertStmt, session: StatementSession, params: readonly Value[], paramTypes?: readonly SqlType[]): StatementResult | undefined {
  if (!enabled) return undefined;
  const tpl = templateOf(stmt);
  if (!tpl) return undefined;
  let plan: TablePlan;
  let types: (SqlType | undefined)[];
  let cols: Columns;
  let ctx: EvalContext;
  try {
    const env: Env = { catalog: session.catalog, searchPath: session.searchPath, settings: session.settings };
    let comp = tpl.compiled;
    // the client's parameter types: usually the very array of the prepared statement, else compared by value
    const typesKey = comp && comp.given === paramTypes ? comp.typesKey : paramTypes ? paramTypes.map((t) => `${t.id}/${t.typmod}/${t.elem ? t.elem.id : ''}`).join(',') : '';
    const sp = session.searchPath.length === 1 ? session.searchPath[0]! : session.searchPath.join('\u0001');
    if (!comp || comp.catalog !== session.catalog || comp.plan.version !== session.catalog.version || comp.typesKey !== typesKey || comp.searchPath !== sp) {
      const p = tablePlan(env, tpl.schema, tpl.name, tpl.columns);
      comp = { catalog: session.catalog, plan: p, given: paramTypes, typesKey, searchPath: sp, paramTypes: inferParamTypes(tpl, p, paramTypes) };
      tpl.compiled = comp;
    }
    plan = comp.plan;
    types = comp.paramTypes;
    const binding = newStatementBinding(env, [...types]);
    cols = new Columns(plan, tpl.rows.length);
    // literals first (the binder's order), then parameters (converted when the statement runs)
    const targetIdx = plan.targetIdx;
    const width = targetIdx.length;
    const paramCells: number[] = [];
    for (const r of tpl.rows) {
      if (r.length > width || (r.length < width && plan.explicitColumns)) throw FALLBACK;
      const row = cols.addRow();
      for (let k = 0; k < r.length; k++) {
        const cell = r[k]!;
        const ci = targetIdx[k]!;
        if (cell.kind === CELL_DEFAULT) cols.setDefault(ci, row);
        else if (cell.kind === CELL_PARAM) paramCells.push(row, ci, cell.param);
        else cols.set(ci, row, convertLiteral(plan.cols[ci]!, cell.kind, cell.text, binding));
      }
      for (let m = r.length; m < width; m++) cols.setDefault(targetIdx[m]!, row);
    }
    omittedDefaults(plan, cols);
    ctx = session.evalContext(params, types);
    const values = ctx.params;
    for (let q = 0; q < paramCells.length; q += 3) cols.set(paramCells[q + 1]!, paramCells[q]!, values[paramCells[q + 2]!] ?? null);
  } catch (e) {
    if (e instanceof Fallback) return undefined;
    return undefined;
  }
  fastInsertStats.ast++;
  return complete(plan, cols, session, ctx);
}

/** the binder's parameter typing: client types, then each $n takes the type of the column it is assigned to */
function inferParamTypes(tpl: AstTemplate, plan: TablePlan, given: readonly SqlType[] | undefined): (SqlType | undefined)[] {
  const types: (SqlType | undefined)[] = given ? [...given] : [];
  for (const r of tpl.rows) {
    for (let k = 0; k < r.length; k++) {
      const cell = r[k]!;
      if (cell.kind !== CELL_PARAM) continue;
      const cp = plan.cols[plan.targetIdx[k]!]!;
      if (cp.type.typmod >= 0) throw FALLBACK;
      const known = types[cell.param];
      if (known === undefined || known.id === 'unknown') types[cell.param] = cp.type;
      else if (!(known.id === cp.type.id && known.typmod === cp.type.typmod && !known.elem && !cp.type.elem)) throw FALLBACK;
    }
  }
  return types;
}

