/**
 * Row comparison for the hypertable differential tests (values are PostgreSQL text).
 *
 * Float tolerance: a distributed plan computes sum/avg/stddev/variance of float8 from partial
 * aggregates combined on the access node, i.e. in another summation order than a single scan,
 * so such results may differ in the last bits. Two cells are therefore equal when their text is
 * equal, or when both parse as numbers and differ by at most a relative 1e-9 (absolute 1e-12
 * near zero). Everything else (integers, timestamps, text, NULL) must match exactly — an
 * integer count off by one is 1e-9-relative only above 1e9 rows, which these tests never reach.
 */
import type { OrderMode } from './queries.js';

export type Rows = (string | null)[][];

export const REL_TOL = 1e-9;
const ABS_TOL = 1e-12;
const NUM = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export function cellsEqual(a: string | null, b: string | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (!NUM.test(a) || !NUM.test(b)) return false;
  // integers (no '.', no exponent) must be exact
  if (!/[.eE]/.test(a) && !/[.eE]/.test(b)) return false;
  const x = Number(a);
  const y = Number(b);
  const diff = Math.abs(x - y);
  return diff <= ABS_TOL || diff <= REL_TOL * Math.max(Math.abs(x), Math.abs(y));
}

export function rowsEqual(a: (string | null)[], b: (string | null)[]): boolean {
  return a.length === b.length && a.every((c, i) => cellsEqual(c, b[i]!));
}

/** Sort key of a row: floats rounded to 8 significant digits so last-bit noise does not reorder. */
function sortKey(r: (string | null)[]): string {
  return r
    .map((c) => {
      if (c === null) return '\u0000NULL';
      if (NUM.test(c) && /[.eE]/.test(c)) return Number(c).toPrecision(8);
      return c;
    })
    .join('\u0001');
}

function sorted(rows: Rows): Rows {
  return rows
    .map((r) => [sortKey(r), r] as const)
    .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
    .map((x) => x[1]);
}

const show = (r: (string | null)[] | undefined) => (r ? r.map((c) => (c === null ? 'NULL' : c)).join(' | ') : '(none)');

function listDiff(expected: Rows, actual: Rows, what: string, labels: [string, string]): string | null {
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    const a = actual[i];
    if (e && a && rowsEqual(e, a)) continue;
    const ctx = (rows: Rows) =>
      rows
        .slice(Math.max(0, i - 2), i + 5)
        .map((r, k) => `      ${Math.max(0, i - 2) + k + 1}: ${show(r)}`)
        .join('\n') || '      (no rows)';
    return (
      `${what}: ${labels[0]} has ${expected.length} rows, ${labels[1]} has ${actual.length}; first difference at row ${i + 1}\n` +
      `    ${labels[0]}: ${show(e)}\n    ${labels[1]}: ${show(a)}\n` +
      `  ${labels[0]} around it:\n${ctx(expected)}\n  ${labels[1]} around it:\n${ctx(actual)}`
    );
  }
  return null;
}

/**
 * null when `actual` matches `expected` under `order`; otherwise a readable diff.
 * For 'limit', `expected` must be the rows of the query without its LIMIT and `limit` the
 * expected row count (min(LIMIT, rows)).
 */
export function compareRows(expected: Rows, actual: Rows, order: OrderMode, labels: [string, string] = ['plain', 'hypertable'], limitCount?: number): string | null {
  if (order === 'full') return listDiff(expected, actual, 'ordered rows differ', labels);
  if (order === 'none') return listDiff(sorted(expected), sorted(actual), 'row multisets differ (compared sorted)', labels);
  if (order === 'limit') {
    if (actual.length !== limitCount) return `LIMIT without ORDER BY: expected ${limitCount} rows, got ${actual.length}`;
    const pool = new Map<string, number>();
    for (const r of expected) pool.set(sortKey(r), (pool.get(sortKey(r)) ?? 0) + 1);
    for (const r of actual) {
      const k = sortKey(r);
      const n = pool.get(k) ?? 0;
      if (n === 0) return `LIMIT without ORDER BY: row not in (or more often than in) the unlimited ${labels[0]} result: ${show(r)}`;
      pool.set(k, n - 1);
    }
    return null;
  }
  const keys = order.keys;
  const d = listDiff(
    expected.map((r) => r.slice(0, keys)),
    actual.map((r) => r.slice(0, keys)),
    `ORDER BY key columns (first ${keys}) differ in order`,
    labels,
  );
  return d ?? listDiff(sorted(expected), sorted(actual), 'row multisets differ (compared sorted)', labels);
}
