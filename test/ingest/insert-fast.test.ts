/**
 * The INSERT … VALUES fast path against the general path: random statements
 * (valid and invalid values, defaults, column lists, parameters) run on two
 * databases, one with the fast path forced off; results, errors (SQLSTATE,
 * message, position) and the rows written must be identical.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Strata } from '../../packages/server/src/index.js';
import { fastInsertStats, setInsertFastPath } from '../../packages/planner/src/ingest/insert-fast.js';

const SCHEMA = `CREATE TABLE t (
  id serial,
  a int2, b int4 NOT NULL DEFAULT 7, c int8, d float4, e float8, f numeric, g numeric(6,2),
  h text, i varchar(5), j bool, k timestamptz, l date, m float8 DEFAULT 1.25,
  CHECK (b > -100)
)`;
const COLS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm'];
const LITERALS = [
  '0', '1', '-5', '42', '32767', '32768', '-2147483648', '2147483647', '2147483648', '9007199254740993', '9223372036854775807',
  '9223372036854775808', '1.5', '-0.0', '0.0', '1e3', '1.5e-3', '.5', '1e400', '1e-400', '123.456', '-99.995', '0.1', '3.14159265358979323846',
  "'1'", "'1.5'", "' 12 '", "'abc'", "'it''s'", "''", "'toolongvalue'", "'NaN'", "'-Infinity'", "'infinity'", "'1e5'",
  "'2024-01-01 00:00:00+00'", "'2024-02-30'", "'2016-01-01 00:00:10.5+02'", "'2024-01-01'", "'t'", "'yes'", "'maybe'",
  'NULL', 'TRUE', 'FALSE', 'DEFAULT', 'null', 'true', 'default',
];
const VALID: Record<string, string[]> = {
  a: ['1', '-5', "'12'", 'NULL', 'DEFAULT'], b: ['1', '2', '-99', "'3'", 'DEFAULT'], c: ['9007199254740991', '-1', "'77'", 'NULL'],
  d: ['1.5', '0.1', "'NaN'", '3'], e: ['123.456', '-0.0', '1e3', '.5', "'-Infinity'", '7'], f: ['1.5', '3.14159265358979323846', "'1e5'", '2147483648'],
  g: ['1.005', '-99.995', '12', "'3.5'"], h: ["'x'", "'it''s'", "''", '1', 'TRUE'], i: ["'abc'", "'abcdefgh'", "'ab   '", 'NULL'], j: ['TRUE', 'false', "'t'", "'yes'"],
  k: ["'2024-01-01 00:00:00+00'", "'2016-01-01 00:00:10.5+02'", "'2024-01-01'", 'NULL'], l: ["'2024-01-01'", "'2024-02-29'", 'DEFAULT'], m: ['DEFAULT', '2.5', 'NULL'],
};
const TEXT_PARAMS = ['1', '-5', '2147483648', '1.5', 'abc', '2024-01-01 00:00:00+00', 't', 'toolongvalue', '', ' 7 ', 'NaN', null];

function rng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Outcome = { ok: true; rowCount: number | null; command: string } | { ok: false; code?: string; message: string; position?: unknown; detail?: unknown };

async function outcome(db: Strata, sql: string, params?: unknown[]): Promise<Outcome> {
  try {
    const r = await db.query(sql, params);
    return { ok: true, rowCount: r.rowCount, command: r.command };
  } catch (e) {
    const err = e as { code?: string; message: string; position?: unknown; detail?: unknown };
    return { ok: false, code: err.code, message: err.message, position: err.position, detail: err.detail };
  }
}

let fast: Strata;
let general: Strata;
beforeAll(async () => {
  fast = await Strata.create();
  general = await Strata.create();
  for (const db of [fast, general]) await db.exec(SCHEMA);
});
afterAll(async () => {
  setInsertFastPath(true);
  await fast.close();
  await general.close();
});

async function both(sql: string, params?: unknown[]): Promise<[Outcome, Outcome]> {
  setInsertFastPath(true);
  const a = await outcome(fast, sql, params);
  setInsertFastPath(false);
  const b = await outcome(general, sql, params);
  setInsertFastPath(true);
  return [a, b];
}

async function contents(db: Strata): Promise<unknown[]> {
  setInsertFastPath(true);
  return (await db.query(`SELECT ${['id', ...COLS].join(', ')} FROM t ORDER BY id`, [], { rowMode: 'text' } as never)).rows;
}

/** Each statement gives the same outcome on the fast and the general path, and the tables end equal. */
async function expectSamePaths(statements: readonly string[]): Promise<void> {
  for (const sql of statements) {
    const [a, b] = await both(sql);
    expect(a, sql).toEqual(b);
  }
  expect(await contents(fast)).toEqual(await contents(general));
}

describe('INSERT fast path ≡ general path', () => {
  it('random literal statements', async () => {
    const r = rng(5);
    const pick = <X>(xs: readonly X[]): X => xs[Math.floor(r() * xs.length)]!;
    let okCount = 0;
    for (let n = 0; n < 600; n++) {
      let cols: string[] | undefined;
      if (r() < 0.6) {
        cols = COLS.filter(() => r() < 0.4);
        if (cols.length === 0) cols = ['b'];
        if (r() < 0.03) cols.push(cols[0]!);
        if (r() < 0.03) cols.push('zz');
      }
      const width = cols ? cols.length : COLS.length;
      const rows: string[] = [];
      const nrows = 1 + Math.floor(r() * 4);
      for (let k = 0; k < nrows; k++) {
        let w = width;
        if (r() < 0.05) w = width + 1;
        else if (r() < 0.1) w = Math.max(1, width - 1);
        const names = cols ?? COLS;
        rows.push(`(${Array.from({ length: w }, (_, q) => (r() < 0.93 && names[q] && VALID[names[q]!] ? pick(VALID[names[q]!]!) : pick(LITERALS))).join(r() < 0.5 ? ', ' : ',')})`);
      }
      const table = r() < 0.02 ? 'nosuch' : r() < 0.5 ? 't' : 'public.t';
      const sql = `${r() < 0.5 ? 'INSERT' : 'insert'} INTO ${table}${cols ? ` (${cols.join(', ')})` : ''} VALUES ${rows.join(', ')}${r() < 0.2 ? ';' : ''}`;
      const [a, b] = await both(sql);
      expect(a, sql).toEqual(b);
      if (a.ok) okCount++;
    }
    expect(okCount).toBeGreaterThan(30);
    expect(fastInsertStats.text).toBeGreaterThan(30);
    expect(await contents(fast)).toEqual(await contents(general));
  });

  it('random prepared statements with parameters', async () => {
    const r = rng(11);
    const pick = <X>(xs: readonly X[]): X => xs[Math.floor(r() * xs.length)]!;
    let okCount = 0;
    for (let n = 0; n < 300; n++) {
      const cols = COLS.filter(() => r() < 0.5);
      if (cols.length === 0) cols.push('b');
      if (!cols.includes('b') && r() < 0.5) cols.push('b');
      let p = 0;
      const rows: string[] = [];
      const nrows = 1 + Math.floor(r() * 3);
      for (let k = 0; k < nrows; k++) rows.push(`(${cols.map(() => (r() < 0.8 ? `$${++p}` : pick(['1', "'x'", 'NULL', 'DEFAULT']))).join(', ')})`);
      if (p === 0) continue;
      const params = Array.from({ length: p }, () => (r() < 0.97 ? pick(['1', '2', '3', null]) : pick(TEXT_PARAMS)));
      const sql = `INSERT INTO t (${cols.join(', ')}) VALUES ${rows.join(', ')}`;
      const [a, b] = await both(sql, params);
      expect(a, `${sql} ${JSON.stringify(params)}`).toEqual(b);
      if (a.ok) okCount++;
    }
    expect(okCount).toBeGreaterThan(10);
    expect(fastInsertStats.ast).toBeGreaterThan(10);
    expect(await contents(fast)).toEqual(await contents(general));
  });

  it('falls back for syntax it does not handle, with the same results', async () => {
    await expectSamePaths([
      "INSERT INTO t (b, h) VALUES (1, 'a' || 'b')",
      'INSERT INTO t (b) VALUES (1) RETURNING id, b',
      'INSERT INTO t (b) VALUES (+1)',
      "INSERT INTO t (b, h) VALUES (2, E'x\\ty')",
      "INSERT INTO t (b, h) VALUES (3, 'a'\n'b')",
      'INSERT INTO t (b) VALUES (4) -- comment',
      'INSERT INTO t (b) VALUES (5); SELECT 1',
      'INSERT INTO t (b) SELECT 6',
      'INSERT INTO t (b) VALUES (1::int)',
      'INSERT INTO t (b) VALUES (-200)',
      'INSERT INTO t (b) VALUES (NULL)',
      'INSERT INTO t (b, i) VALUES (1, $$x$$)',
      'INSERT INTO t AS x (b) VALUES (1)',
      'INSERT INTO t DEFAULT VALUES',
      'INSERT INTO t (b) VALUES (1',
      'INSERT INTO t (b) VALUES (1),',
      'INSERT INTO t (b) VALUES (1 2)',
      'INSERT INTO "t" ("b") VALUES (9)',
      'INSERT INTO T (B) VALUES (10)',
    ]);
  });

  it('a literal repeating the previous row\'s is reused only when it is the whole literal', async () => {
    await expectSamePaths([
      "INSERT INTO t (b, k) VALUES (1, '2024-01-01 00:00:00+00'), (2, '2024-01-01 00:00:00+00'), (3, '2024-01-01 00:00:00+00')",
      // the previous text is a prefix of this one
      "INSERT INTO t (b, k) VALUES (4, '2024-01-01'), (5, '2024-01-01 00:00:10.5+02'), (6, '2024-01-01')",
      // ... followed by an escaped quote: a different (invalid) literal, the same error on both paths
      "INSERT INTO t (b, k) VALUES (7, '2024-01-01'), (8, '2024-01-01''')",
      "INSERT INTO t (b, f) VALUES (9, '1.5'), (10, '1.5'), (11, '1.5''')",
      "INSERT INTO t (b, f, g) VALUES (12, '1.5', '1.5'), (13, '1.5', '2.5'), (14, '2.5', '1.5')",
    ]);
  });

  it('scans characters beyond ASCII as themselves (a code unit whose low byte is a quote, a comma or a digit is none of them)', async () => {
    // U+0127 ends in 0x27 ('), U+012C in 0x2C (,), U+0131 in 0x31 (1), U+0129 in 0x29 ()); the scan reads UTF-16 code units
    const scannedBefore = fastInsertStats.text;
    await expectSamePaths([
      "INSERT INTO t (b, h, i) VALUES (21, 'ħ', 'ĬıĩĬ'), (22, 'ħ''ħ', 'ħ'), (23, '日本語', '😀😀')",
      'INSERT INTO t (b, h) VALUES (24, ħ)',
      "INSERT INTO t (b, h) VALUES (25, 'x')ħ",
      "INSERT INTO t (b, h) VALUES (26, 'ħ'",
      "INSERT INTO t (b, h, i) VALUES (27, 'é', 'ñandú'), (28, 'é', 'toolongé')",
      "INSERT INTO t (b, e) VALUES (29, 1ı), (30, ı1)",
    ]);
    // at least the first statement went the fast way
    expect(fastInsertStats.text - scannedBefore).toBeGreaterThanOrEqual(1);
  });

  it('keeps plans per database (catalog versions of two databases are unrelated)', async () => {
    const d1 = await Strata.create();
    const d2 = await Strata.create();
    await d1.exec('CREATE TABLE u (a int, b text)');
    await d2.exec('CREATE TABLE u (b text, a int)');
    await d1.query("INSERT INTO u VALUES (1, 'x')");
    await d2.query("INSERT INTO u VALUES ('y', 2)");
    await d1.query('INSERT INTO u VALUES ($1, $2)', [3, 'z']);
    await d2.query('INSERT INTO u VALUES ($1, $2)', ['w', 4]);
    expect((await d1.query('SELECT a, b FROM u ORDER BY a')).rows).toEqual([{ a: 1, b: 'x' }, { a: 3, b: 'z' }]);
    expect((await d2.query('SELECT a, b FROM u ORDER BY a')).rows).toEqual([{ a: 2, b: 'y' }, { a: 4, b: 'w' }]);
    await d2.exec('ALTER TABLE u ADD COLUMN c int DEFAULT 9');
    await d2.query('INSERT INTO u VALUES ($1, $2)', ['v', 5]);
    expect((await d2.query('SELECT c FROM u WHERE a = 5')).rows).toEqual([{ c: 9 }]);
    await d1.close();
    await d2.close();
  });

  it('binds a prepared INSERT once, not per execution', async () => {
    const db = await Strata.create();
    await db.exec('CREATE TABLE cpu (time timestamptz NOT NULL, tags_id int, hostname text, usage_user float8)');
    const sql = `INSERT INTO cpu VALUES ${Array.from({ length: 10 }, (_, r) => `($${r * 4 + 1}, $${r * 4 + 2}, $${r * 4 + 3}, $${r * 4 + 4})`).join(', ')}`;
    await db.query(sql, Array.from({ length: 10 }, (_, r) => ['2024-01-01 00:00:00+00', String(r), 'h', '1.5']).flat());
    const plans = fastInsertStats.plans;
    const runs = fastInsertStats.ast;
    for (let k = 0; k < 1000; k++) await db.query(sql, Array.from({ length: 10 }, (_, r) => [`2024-01-01 00:00:${String(k % 60).padStart(2, '0')}+00`, String(r), `h${k}`, `${k}.5`]).flat());
    expect(fastInsertStats.plans).toBe(plans);
    expect(fastInsertStats.ast - runs).toBe(1000);
    expect((await db.query('SELECT count(*)::int AS n, sum(usage_user) AS s FROM cpu')).rows).toEqual([{ n: 10010, s: 15 + 10 * (499500 + 500) }]);
    await db.close();
  });

  it('keeps transaction semantics: an error inside BEGIN fails the block', async () => {
    const db = await Strata.create();
    await db.exec('CREATE TABLE x (a int NOT NULL)');
    await db.query('BEGIN');
    await db.query('INSERT INTO x VALUES (1), (2)');
    await expect(db.query('INSERT INTO x VALUES (NULL)')).rejects.toMatchObject({ code: '23502' });
    await expect(db.query('INSERT INTO x VALUES (3)')).rejects.toMatchObject({ code: '25P02' });
    await db.query('ROLLBACK');
    await db.query('INSERT INTO x VALUES (4)');
    expect((await db.query('SELECT a FROM x')).rows).toEqual([{ a: 4 }]);
    await db.close();
  });

  it('writes to distributed hypertables', async () => {
    const db = await Strata.create();
    await db.exec(`SELECT add_data_node('dn1'); SELECT add_data_node('dn2'); SELECT add_data_node('dn3');
      CREATE TABLE cpu (time timestamptz NOT NULL, tags_id int, hostname text, usage_user float8);
      SELECT create_distributed_hypertable('cpu', 'time', 'hostname');`);
    const rows = Array.from({ length: 300 }, (_, i) => `('2016-01-0${1 + (i % 5)} 00:00:${String(i % 60).padStart(2, '0')}+00', ${i}, 'host_${i % 7}', ${i}.25)`);
    const r = await db.query(`INSERT INTO cpu VALUES ${rows.join(', ')}`);
    expect(r.rowCount).toBe(300);
    const s = await db.query('SELECT count(*)::int AS n, sum(usage_user) AS s, count(DISTINCT hostname)::int AS h FROM cpu');
    expect(s.rows).toEqual([{ n: 300, s: 44925, h: 7 }]);
    await db.close();
  });
});
