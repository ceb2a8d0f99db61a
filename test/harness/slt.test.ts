// Unit tests of the .slt harness itself (no database needed).
import { describe, expect, it } from 'vitest';
import {
  activeRecords,
  checkOutcome,
  compareOutcomes,
  parseSlt,
  renderRows,
  rewriteForPostgres,
  runsOn,
  type QueryRecord,
  type StatementRecord,
} from './slt.js';

const SAMPLE = `# comment
# differential: off

statement ok
CREATE TABLE t (a int, b text)

statement error 42P01
SELECT * FROM nope

statement error 22012 division by zero
SELECT 1/0

statement count 2
INSERT INTO t VALUES (1, 'x'), (2, NULL)

skipif postgres
onlyif strata
query IT rowsort
SELECT a,
       b FROM t
----
2	NULL
1	x

query T
SELECT ''
----
(empty)

halt

query I
SELECT 1
----
1
`;

describe('slt parser', () => {
  const f = parseSlt(SAMPLE, 'sample.slt');
  it('reads records, headers, pragmas and line numbers', () => {
    expect(f.differential).toBe(false);
    expect(f.records.map((r) => r.type)).toEqual(['statement', 'statement', 'statement', 'statement', 'query', 'query', 'halt', 'query']);
    const [ok, e1, e2, cnt, q] = f.records as [StatementRecord, StatementRecord, StatementRecord, StatementRecord, QueryRecord];
    expect(ok.line).toBe(4);
    expect(e1).toMatchObject({ expect: 'error', code: '42P01' });
    expect(e1.message).toBeUndefined();
    expect(e2).toMatchObject({ expect: 'error', code: '22012', message: 'division by zero' });
    expect(cnt).toMatchObject({ expect: 'count', count: 2 });
    expect(q).toMatchObject({ types: 'IT', sort: 'rowsort', sql: 'SELECT a,\n       b FROM t', expected: ['2\tNULL', '1\tx'], line: 18 });
    expect(q.conditions).toEqual([
      { kind: 'skipif', engine: 'postgres' },
      { kind: 'onlyif', engine: 'strata' },
    ]);
    expect(runsOn(q, 'postgres')).toBe(false);
    expect(runsOn(q, 'strata')).toBe(true);
  });
  it('stops at halt', () => {
    expect(activeRecords(f, 'strata')).toHaveLength(6);
  });
  it('reports syntax errors with file:line', () => {
    expect(() => parseSlt('statement maybe\nSELECT 1\n', 'x.slt')).toThrow(/x\.slt:1/);
    expect(() => parseSlt('bogus\n', 'x.slt')).toThrow(/x\.slt:1/);
  });
});

describe('rendering and checking', () => {
  it('renders NULL, empty strings and control characters', () => {
    expect(renderRows([[null, '', 'a\tb', 'x\ny']], 'nosort')).toEqual(['NULL\t(empty)\ta\\tb\tx\\ny']);
  });
  it('sorts rows and values', () => {
    expect(renderRows([['b', '1'], ['a', '2']], 'rowsort')).toEqual(['a\t2', 'b\t1']);
    expect(renderRows([['b', '1'], ['a', '2']], 'valuesort')).toEqual(['1', '2', 'a', 'b']);
  });
  const f = parseSlt(SAMPLE, 'sample.slt');
  const q = f.records[4] as QueryRecord;
  const err = f.records[2] as StatementRecord;
  it('accepts matching results in any order for rowsort', () => {
    expect(checkOutcome(f, q, { ok: true, result: { rows: [['1', 'x'], ['2', null]], command: 'SELECT' } }, 'strata')).toBeNull();
  });
  it('reports mismatches with location, SQL and both results', () => {
    const msg = checkOutcome(f, q, { ok: true, result: { rows: [['1', 'y']], command: 'SELECT' } }, 'strata');
    expect(msg).toContain('sample.slt:18');
    expect(msg).toContain('SELECT a,');
    expect(msg).toContain('1\ty');
  });
  it('checks SQLSTATE and message of expected errors', () => {
    const e = (code: string, message: string) => ({ ok: false as const, error: Object.assign(new Error(message), { code }) });
    expect(checkOutcome(f, err, e('22012', 'division by zero'), 'strata')).toBeNull();
    expect(checkOutcome(f, err, e('22012', 'Division By Zero!'), 'strata')).toBeNull();
    expect(checkOutcome(f, err, e('XX000', 'division by zero'), 'strata')).toMatch(/expected SQLSTATE 22012/);
    expect(checkOutcome(f, err, e('22012', 'oops'), 'strata')).toMatch(/message containing/);
    expect(checkOutcome(f, err, { ok: true, result: { rows: [], command: 'SELECT' } }, 'strata')).toMatch(/succeeded/);
  });
  it('compares two engines', () => {
    const a = { ok: true as const, result: { rows: [['1']], command: 'SELECT' } };
    const b = { ok: true as const, result: { rows: [['2']], command: 'SELECT' } };
    expect(compareOutcomes(f, q, a, a)).toBeNull();
    expect(compareOutcomes(f, q, a, b)).toMatch(/postgres/);
  });
});

describe('rewriteForPostgres', () => {
  it('rewrites two-argument time_bucket to date_bin with the TimescaleDB origin', () => {
    expect(rewriteForPostgres("SELECT time_bucket('1 hour', ts) FROM t")).toBe(
      "SELECT date_bin('1 hour', ts, '2000-01-03 00:00:00+00') FROM t",
    );
  });
  it('handles nesting, quotes and several calls', () => {
    expect(rewriteForPostgres("SELECT time_bucket(INTERVAL '1 day', f(a, ')')), TIME_BUCKET('5 min',time_bucket('1 h', x))")).toBe(
      "SELECT date_bin(INTERVAL '1 day', f(a, ')'), '2000-01-03 00:00:00+00'), date_bin('5 min', date_bin('1 h', x, '2000-01-03 00:00:00+00'), '2000-01-03 00:00:00+00')",
    );
  });
  it('leaves other arities and other identifiers alone', () => {
    const s = "SELECT time_bucket(10, x, 5), my_time_bucket(1, 2), time_bucket_gapfill('1 h', ts)";
    expect(rewriteForPostgres(s)).toBe(s);
  });
});
