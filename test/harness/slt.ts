/**
 * sqllogictest-style corpus (DuckDB / CockroachDB flavour): parser, value rendering,
 * engine adapters (Strata, PostgreSQL) and record checking. See test/harness/README.md.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { toResult } from './postgres.js';

// ---------------------------------------------------------------------------------------------
// Model

export type EngineName = 'strata' | 'postgres';
export type SortMode = 'nosort' | 'rowsort' | 'valuesort';

export interface Condition {
  kind: 'skipif' | 'onlyif';
  engine: string;
}

interface RecordBase {
  /** 1-based line of the `statement`/`query`/`halt` header */
  line: number;
  /** 0-based index of the first line belonging to the record (first condition line or the header) */
  startIndex: number;
  /** 0-based index of the header line */
  headerIndex: number;
  /** 0-based index one past the record's last line (exclusive; the blank line or EOF) */
  endIndex: number;
  conditions: Condition[];
}

export interface StatementRecord extends RecordBase {
  type: 'statement';
  expect: 'ok' | 'error' | 'count';
  /** SQLSTATE expected for `statement error` (optional) */
  code?: string;
  /** message substring expected for `statement error` (optional) */
  message?: string;
  /** row count for `statement count N` */
  count?: number;
  sql: string;
}

export interface QueryRecord extends RecordBase {
  type: 'query';
  /** column type letters (informative); '' when not yet recorded */
  types: string;
  sort: SortMode;
  label?: string;
  sql: string;
  /** expected result lines (tab-separated rendered values); null when there is no `----` yet */
  expected: string[] | null;
}

export interface HaltRecord extends RecordBase {
  type: 'halt';
}

export type SltRecord = StatementRecord | QueryRecord | HaltRecord;

export interface SltFile {
  path: string;
  /** path relative to test/sql */
  name: string;
  lines: string[];
  records: SltRecord[];
  /** false when the file has the `# differential: off` pragma */
  differential: boolean;
}

export class SltParseError extends Error {}

// ---------------------------------------------------------------------------------------------
// Parser

const SQLSTATE = /^[0-9A-Z]{5}$/;
const SORT_MODES = new Set<string>(['nosort', 'rowsort', 'valuesort']);

export function parseSlt(text: string, path = '<string>', name = path): SltFile {
  const lines = text.split(/\r?\n/);
  const records: SltRecord[] = [];
  let differential = true;
  let conditions: Condition[] = [];
  let condStart = -1;
  const fail = (i: number, msg: string): never => {
    throw new SltParseError(`${path}:${i + 1}: ${msg}\n    ${lines[i] ?? ''}`);
  };
  const isBlank = (i: number) => i >= lines.length || lines[i]!.trim() === '';

  let i = 0;
  while (i < lines.length) {
    const raw = lines[i]!;
    const t = raw.trim();
    if (t === '') {
      if (conditions.length) fail(i, 'condition line not followed by a record');
      i++;
      continue;
    }
    if (t.startsWith('#')) {
      if (/^#\s*differential\s*:\s*off\b/i.test(t)) differential = false;
      i++;
      continue;
    }
    const words = t.split(/\s+/);
    const head = words[0]!;
    if (head === 'skipif' || head === 'onlyif') {
      if (!words[1]) fail(i, `${head} needs an engine name`);
      if (!conditions.length) condStart = i;
      conditions.push({ kind: head, engine: words[1]!.toLowerCase() });
      i++;
      continue;
    }
    const startIndex = conditions.length ? condStart : i;
    if (head === 'halt') {
      records.push({ type: 'halt', line: i + 1, startIndex, headerIndex: i, endIndex: i + 1, conditions });
      conditions = [];
      i++;
      continue;
    }
    if (head === 'statement') {
      const headerIndex = i;
      const kind = words[1];
      const rec: StatementRecord = {
        type: 'statement',
        expect: 'ok',
        sql: '',
        line: i + 1,
        startIndex,
        headerIndex,
        endIndex: 0,
        conditions,
      };
      if (kind === 'ok') {
        if (words.length > 2) fail(i, 'unexpected text after `statement ok`');
      } else if (kind === 'error') {
        rec.expect = 'error';
        const rest = t.replace(/^statement\s+error\s*/, '');
        const m = /^(\S+)(?:\s+(.*))?$/.exec(rest);
        if (m && SQLSTATE.test(m[1]!)) {
          rec.code = m[1];
          if (m[2]?.trim()) rec.message = m[2].trim();
        } else if (rest) {
          rec.message = rest;
        }
      } else if (kind === 'count') {
        rec.expect = 'count';
        if (!/^\d+$/.test(words[2] ?? '')) fail(i, '`statement count` needs a number');
        rec.count = Number(words[2]);
      } else {
        fail(i, 'expected `statement ok`, `statement error [SQLSTATE [message]]` or `statement count N`');
      }
      i++;
      const sql: string[] = [];
      while (!isBlank(i)) {
        if (lines[i]!.trim() === '----') fail(i, '`----` after a statement (use `query`)');
        sql.push(lines[i]!);
        i++;
      }
      if (!sql.length) fail(headerIndex, 'statement without SQL');
      rec.sql = sql.join('\n');
      rec.endIndex = i;
      records.push(rec);
      conditions = [];
      continue;
    }
    if (head === 'query') {
      const headerIndex = i;
      let rest = words.slice(1);
      let types = '';
      if (rest[0] && !SORT_MODES.has(rest[0])) {
        if (rest[0] === 'error') fail(i, 'use `statement error` for queries that must fail');
        if (!/^[A-Z]+$/.test(rest[0])) fail(i, `bad column type letters '${rest[0]}'`);
        types = rest[0];
        rest = rest.slice(1);
      }
      let sort: SortMode = 'nosort';
      if (rest[0] && SORT_MODES.has(rest[0])) {
        sort = rest[0] as SortMode;
        rest = rest.slice(1);
      }
      const label = rest.length ? rest.join(' ') : undefined;
      i++;
      const sql: string[] = [];
      while (!isBlank(i) && lines[i]!.trim() !== '----') {
        sql.push(lines[i]!);
        i++;
      }
      if (!sql.length) fail(headerIndex, 'query without SQL');
      let expected: string[] | null = null;
      if (!isBlank(i) && lines[i]!.trim() === '----') {
        i++;
        expected = [];
        while (!isBlank(i)) {
          expected.push(lines[i]!);
          i++;
        }
      }
      records.push({
        type: 'query',
        types,
        sort,
        label,
        sql: sql.join('\n'),
        expected,
        line: headerIndex + 1,
        startIndex,
        headerIndex,
        endIndex: i,
        conditions,
      });
      conditions = [];
      continue;
    }
    fail(i, `unexpected line (expected a record header: statement, query, skipif, onlyif, halt, or a # comment)`);
  }
  if (conditions.length) fail(lines.length - 1, 'condition lines at end of file');
  return { path, name, lines, records, differential };
}

export const SQL_DIR = fileURLToPath(new URL('../sql/', import.meta.url));

/** All .slt files under test/sql (sorted), or the given subset (paths or names relative to test/sql). */
export function listSltFiles(root = SQL_DIR): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.slt')) out.push(p);
    }
  };
  walk(root);
  return out;
}

export function loadSlt(path: string): SltFile {
  return parseSlt(readFileSync(path, 'utf8'), path, relative(SQL_DIR, path));
}

/** Whether `rec` runs on `engine` given its skipif/onlyif conditions. */
export function runsOn(rec: SltRecord, engine: EngineName): boolean {
  for (const c of rec.conditions) {
    if (c.kind === 'skipif' && c.engine === engine) return false;
    if (c.kind === 'onlyif' && c.engine !== engine) return false;
  }
  return true;
}

/** Records up to (not including) the first `halt` that applies to `engine`. */
export function activeRecords(file: SltFile, engine: EngineName): (StatementRecord | QueryRecord)[] {
  const out: (StatementRecord | QueryRecord)[] = [];
  for (const r of file.records) {
    if (r.type === 'halt') {
      if (runsOn(r, engine)) break;
      continue;
    }
    out.push(r);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Values

/** One value as written in the corpus: NULL, (empty), control characters escaped. */
export function renderValue(v: string | null | undefined): string {
  if (v === null || v === undefined) return 'NULL';
  if (v === '') return '(empty)';
  return v.replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

export function renderRows(rows: (string | null)[][], sort: SortMode): string[] {
  if (sort === 'valuesort') {
    return rows
      .flatMap((r) => r.map(renderValue))
      .sort(cmp);
  }
  const lines = rows.map((r) => r.map(renderValue).join('\t'));
  if (sort === 'rowsort') lines.sort(cmp);
  return lines;
}

/** Expected lines normalised the same way as renderRows output. */
export function normaliseExpected(expected: string[], sort: SortMode): string[] {
  if (sort === 'valuesort') return expected.flatMap((l) => l.split('\t')).sort(cmp);
  if (sort === 'rowsort') return [...expected].sort(cmp);
  return expected;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** PostgreSQL type OID → corpus type letter. */
export function typeLetter(oid: number): string {
  switch (oid) {
    case 20: // int8
    case 21: // int2
    case 23: // int4
    case 26: // oid
      return 'I';
    case 700: // float4
    case 701: // float8
    case 1700: // numeric
      return 'R';
    case 16:
      return 'B';
    case 1082: // date
    case 1083: // time
    case 1114: // timestamp
    case 1184: // timestamptz
    case 1266: // timetz
    case 1186: // interval
      return 'D';
    default:
      return 'T';
  }
}

// ---------------------------------------------------------------------------------------------
// Engines

export interface ExecResult {
  rows: (string | null)[][];
  command: string;
  rowCount?: number | null;
  /** PostgreSQL type OIDs of the columns, when known */
  typeOids?: number[];
}

export interface SqlTarget {
  readonly engine: EngineName;
  exec(sql: string): Promise<ExecResult>;
  close(): Promise<void>;
}

export interface SqlError extends Error {
  code?: string;
}

/** Strata via its embedding API (packages/server/src/index.ts, `Strata`). */
export async function createStrataTarget(): Promise<SqlTarget> {
  // Dynamic import: the engine is built in parallel; a missing module fails the Strata tests
  // only, not the collection of the PostgreSQL half.
  const modPath = fileURLToPath(new URL('../../packages/server/src/index.js', import.meta.url));
  const mod = (await import(/* @vite-ignore */ modPath)) as {
    Strata?: {
      create(): Promise<{
        query(
          sql: string,
          params?: unknown[],
          opts?: { rowMode: 'text' },
        ): Promise<{ rows: (string | null)[][]; command: string; rowCount?: number | null; fields?: unknown[] }>;
        close(): Promise<void>;
      }>;
    };
  };
  if (!mod.Strata) throw new Error('packages/server/src/index.ts does not export `Strata`');
  const db = await mod.Strata.create();
  return {
    engine: 'strata',
    async exec(sql) {
      const r = await db.query(sql, undefined, { rowMode: 'text' });
      return { rows: r.rows, command: r.command, rowCount: r.rowCount };
    },
    close: () => db.close(),
  };
}

/** A PostgreSQL connection (already on its own fresh database). */
export function postgresTarget(client: pg.Client, onClose?: () => Promise<void>, rewrite = rewriteForPostgres): SqlTarget {
  return {
    engine: 'postgres',
    async exec(sql) {
      const r = toResult(await client.query({ text: rewrite(sql), rowMode: 'array' }));
      return { rows: r.rows, command: r.command, rowCount: r.rowCount, typeOids: r.fields.map((f) => f.dataTypeID) };
    },
    async close() {
      try {
        await client.end();
      } finally {
        await onClose?.();
      }
    },
  };
}

/**
 * Differential-mode rewrite of TimescaleDB functions PostgreSQL lacks:
 * two-argument `time_bucket(width, ts)` → `date_bin(width, ts, '2000-01-03 00:00:00+00')`.
 * The untyped origin literal resolves to timestamp (wall clock 2000-01-03 00:00, the
 * timestamp default origin) or timestamptz (2000-01-03 00:00 UTC, the timestamptz default
 * origin) to match the argument. Equal to time_bucket for widths that divide a week and
 * have no month/year part; other uses must be marked `skipif postgres`.
 */
export function rewriteForPostgres(sql: string): string {
  const re = /\btime_bucket\s*\(/gi;
  let out = '';
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(sql))) {
    const open = m.index + m[0].length; // just after '('
    const args = splitArgs(sql, open);
    if (!args || args.args.length !== 2) continue;
    out += sql.slice(pos, m.index);
    const [w, ts] = args.args.map((a) => rewriteForPostgres(a));
    out += `date_bin(${w}, ${ts}, '2000-01-03 00:00:00+00')`;
    pos = args.end + 1;
    re.lastIndex = pos;
  }
  return out + sql.slice(pos);
}

/** Splits the top-level comma-separated arguments starting at `start` up to the matching ')'. */
function splitArgs(s: string, start: number): { args: string[]; end: number } | null {
  let depth = 0;
  let argStart = start;
  const args: string[] = [];
  for (let i = start; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'" || c === '"') {
      const close = s.indexOf(c, i + 1);
      if (close < 0) return null;
      i = close;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) {
        args.push(s.slice(argStart, i).trim());
        return { args, end: i };
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push(s.slice(argStart, i).trim());
      argStart = i + 1;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Running records

export type Outcome = { ok: true; result: ExecResult } | { ok: false; error: SqlError };

export async function execute(target: SqlTarget, sql: string): Promise<Outcome> {
  try {
    return { ok: true, result: await target.exec(sql) };
  } catch (e) {
    const err = e instanceof Error ? (e as SqlError) : Object.assign(new Error(String(e)), {} as SqlError);
    return { ok: false, error: err };
  }
}

export function location(file: SltFile, rec: SltRecord): string {
  return `${file.path}:${rec.line}`;
}

export function describeRecord(rec: SltRecord): string {
  if (rec.type === 'halt') return `line ${rec.line}: halt`;
  const firstLine = rec.sql.split('\n').find((l) => l.trim()) ?? '';
  const sql = firstLine.trim().replace(/\s+/g, ' ');
  const short = sql.length > 70 ? sql.slice(0, 67) + '...' : sql;
  const what = rec.type === 'query' ? 'query' : `statement ${rec.expect}${rec.code ? ' ' + rec.code : ''}`;
  return `line ${rec.line}: ${what}: ${short}`;
}

/**
 * Checks an outcome against the record's expectation. Returns null when it matches, else
 * a failure message (file:line, SQL, expected vs actual).
 */
export function checkOutcome(file: SltFile, rec: StatementRecord | QueryRecord, out: Outcome, engine: string): string | null {
  const head = `${location(file, rec)} [${engine}]\n${indent(rec.sql)}\n`;
  const errText = (e: SqlError) => `ERROR ${e.code ?? '(no SQLSTATE)'}: ${e.message}`;
  if (rec.type === 'statement') {
    if (rec.expect === 'error') {
      if (out.ok) return `${head}expected error${rec.code ? ' ' + rec.code : ''}${rec.message ? ` "${rec.message}"` : ''}, but the statement succeeded (${out.result.command})`;
      if (rec.code && out.error.code !== rec.code)
        return `${head}expected SQLSTATE ${rec.code}${rec.message ? ` "${rec.message}"` : ''}\n  actual: ${errText(out.error)}`;
      if (rec.message && !out.error.message.toLowerCase().includes(rec.message.toLowerCase()))
        return `${head}expected error message containing "${rec.message}"\n  actual: ${errText(out.error)}`;
      return null;
    }
    if (!out.ok) return `${head}expected success, got ${errText(out.error)}`;
    if (rec.expect === 'count' && out.result.rowCount !== rec.count)
      return `${head}expected row count ${rec.count}, got ${out.result.rowCount} (${out.result.command})`;
    return null;
  }
  if (!out.ok) return `${head}expected rows, got ${errText(out.error)}`;
  if (rec.expected === null) return `${head}record has no expected results (run test/harness/record.ts)`;
  const width = out.result.rows[0]?.length;
  if (rec.types && width !== undefined && width !== rec.types.length)
    return `${head}expected ${rec.types.length} column(s) (${rec.types}), got ${width}`;
  const actual = renderRows(out.result.rows, rec.sort);
  const expected = normaliseExpected(rec.expected, rec.sort);
  if (!sameLines(actual, expected)) return `${head}${diffText(expected, actual)}`;
  return null;
}

/** Compares two engines' results for the same query record (both already succeeded/failed). */
export function compareOutcomes(file: SltFile, rec: StatementRecord | QueryRecord, strata: Outcome, postgres: Outcome): string | null {
  const head = `${location(file, rec)} [strata vs postgres]\n${indent(rec.sql)}\n`;
  if (!postgres.ok) {
    if (strata.ok) return `${head}postgres failed with ${postgres.error.code} ${postgres.error.message}, strata succeeded`;
    if (strata.error.code !== postgres.error.code)
      return `${head}SQLSTATE differs: postgres ${postgres.error.code} (${postgres.error.message}), strata ${strata.error.code} (${strata.error.message})`;
    return null;
  }
  if (!strata.ok) return `${head}postgres succeeded, strata failed: ${strata.error.code ?? ''} ${strata.error.message}`;
  if (rec.type !== 'query') return null;
  const sort = rec.sort;
  const a = renderRows(postgres.result.rows, sort);
  const b = renderRows(strata.result.rows, sort);
  if (!sameLines(a, b)) return `${head}${diffText(a, b, 'postgres', 'strata')}`;
  return null;
}

function sameLines(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => '    ' + l)
    .join('\n');
}

function diffText(expected: string[], actual: string[], e = 'expected', a = 'actual'): string {
  const show = (ls: string[]) => (ls.length ? ls.map((l) => '    ' + l).join('\n') : '    (no rows)');
  let firstDiff = 0;
  while (firstDiff < expected.length && firstDiff < actual.length && expected[firstDiff] === actual[firstDiff]) firstDiff++;
  return `${e} (${expected.length} rows):\n${show(expected)}\n${a} (${actual.length} rows):\n${show(actual)}\n  first difference at result line ${firstDiff + 1}`;
}

/** The error each Strata test throws when the engine could not be created. */
export function strataUnavailable(cause: unknown): Error {
  const msg = cause instanceof Error ? cause.message : String(cause);
  return new Error(`Strata engine unavailable (Strata.create() from packages/server/src/index.ts failed): ${msg}`, { cause });
}
