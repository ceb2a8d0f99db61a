/**
 * The embedding API as users see it: node-postgres-shaped results and value
 * types, errors, multi-statement scripts, bulk insert, sessions and
 * transactions.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tableFromArrays } from 'apache-arrow';
import { Strata, DatabaseError } from '../../packages/server/src/index.js';

let db: Strata;
beforeEach(async () => {
  db = await Strata.create();
});
afterEach(async () => {
  await db.close();
});

describe('query results', () => {
  it('has the shape node-postgres gives', async () => {
    const r = await db.query('SELECT $1::int + 1 AS x', [41]);
    expect(r.rows).toEqual([{ x: 42 }]);
    expect(r.command).toBe('SELECT');
    expect(r.rowCount).toBe(1);
    expect(r.fields).toEqual([{ name: 'x', tableID: 0, columnID: 0, dataTypeID: 23, dataTypeSize: 4, dataTypeModifier: -1, format: 'text' }]);
  });

  it('maps SQL types to the JS values node-postgres uses', async () => {
    const r = await db.query(`SELECT 1::int2 AS a, 2::int4 AS b, 3::int8 AS c, 1.10::numeric AS d, 0.5::float8 AS e, 1.5::float4 AS f,
      true AS g, 'x'::text AS h, TIMESTAMPTZ '2024-01-02 03:04:05.678+00' AS i, '{"k": [1, 2]}'::jsonb AS j, NULL::int AS k,
      ARRAY[1, 2] AS l, INTERVAL '1 day 02:00:03' AS m`);
    const row = r.rows[0]!;
    expect(row).toMatchObject({ a: 1, b: 2, c: '3', d: '1.10', e: 0.5, f: 1.5, g: true, h: 'x', j: { k: [1, 2] }, k: null, l: [1, 2] });
    expect(row.i).toEqual(new Date('2024-01-02T03:04:05.678Z'));
    expect(row.m).toEqual({ days: 1, hours: 2, seconds: 3 });
    expect(r.fields.map((f) => f.dataTypeID)).toEqual([21, 23, 20, 1700, 701, 700, 16, 25, 1184, 3802, 23, 1007, 1186]);
  });

  it('returns arrays or PostgreSQL text on request', async () => {
    expect((await db.query('SELECT 1 AS a, 2.5::float8 AS b', [], { rowMode: 'array' })).rows).toEqual([[1, 2.5]]);
    const t = await db.query("SELECT 1 AS a, true AS b, TIMESTAMPTZ '2024-01-02 00:00:00+00' AS c, NULL::text AS d", [], { rowMode: 'text' });
    expect(t.rows).toEqual([['1', 't', '2024-01-02 00:00:00+00', null]]);
  });

  it('reports DML tags and counts', async () => {
    await db.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
    const ins = await db.query("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
    expect([ins.command, ins.rowCount]).toEqual(['INSERT', 2]);
    const upd = await db.query("UPDATE t SET v = 'z' WHERE id = 1 RETURNING id, v");
    expect([upd.command, upd.rowCount, upd.rows]).toEqual(['UPDATE', 1, [{ id: 1, v: 'z' }]]);
    const del = await db.query('DELETE FROM t');
    expect([del.command, del.rowCount]).toEqual(['DELETE', 2]);
  });

  it('accepts parameters of several JS types', async () => {
    const when = new Date('2024-05-06T07:08:09.010Z');
    const r = await db.query('SELECT $1::timestamptz AS a, $2::bool AS b, $3::numeric AS c, $4::text AS d, $5::jsonb AS e, $6::int8 AS f', [when, false, '12.340', 'hi', { x: 1 }, 9007199254740991n]);
    expect(r.rows[0]).toEqual({ a: when, b: false, c: '12.340', d: 'hi', e: { x: 1 }, f: '9007199254740991' });
  });

  it('infers untyped parameter types from their use', async () => {
    await db.query('CREATE TABLE p (a int, b text)');
    await db.query('INSERT INTO p VALUES ($1, $2)', ['7', 'seven']);
    expect((await db.query('SELECT b FROM p WHERE a = $1', [7])).rows).toEqual([{ b: 'seven' }]);
  });
});

describe('errors', () => {
  it('are DatabaseErrors with SQLSTATE, message and position', async () => {
    const e = await db.query('SELECT nope FROM (SELECT 1 AS x) s').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DatabaseError);
    expect(e).toMatchObject({ code: '42703', message: 'column "nope" does not exist', position: '8' });
    const s = await db.query('SELECT 1 +').catch((x: unknown) => x);
    expect(s).toMatchObject({ code: '42601', message: 'syntax error at end of input' });
    const d = await db.query('SELECT 1 / 0').catch((x: unknown) => x);
    expect(d).toMatchObject({ code: '22012', message: 'division by zero' });
  });

  it('positions count from the start of a multi-statement string', async () => {
    const e = await db.exec('SELECT 1; SELECT nope').catch((x: unknown) => x);
    expect(e).toMatchObject({ code: '42703', position: '18' });
  });

  it('unique and not-null violations carry details', async () => {
    await db.query('CREATE TABLE u (id int PRIMARY KEY, v text NOT NULL)');
    await db.query("INSERT INTO u VALUES (1, 'a')");
    await expect(db.query("INSERT INTO u VALUES (1, 'b')")).rejects.toMatchObject({ code: '23505', detail: 'Key (id)=(1) already exists.' });
    await expect(db.query('INSERT INTO u VALUES (2, NULL)')).rejects.toMatchObject({ code: '23502' });
  });

  it('refuses several statements with parameters', async () => {
    await expect(db.query('SELECT $1::int; SELECT 2', [1])).rejects.toMatchObject({ code: '42601' });
  });
});

describe('scripts and transactions', () => {
  it('exec runs several statements and returns each result', async () => {
    const rs = await db.exec('CREATE TABLE s (a int); INSERT INTO s VALUES (1), (2); SELECT sum(a) AS total FROM s');
    expect(rs.map((r) => r.command)).toEqual(['CREATE', 'INSERT', 'SELECT']);
    expect(rs[2]!.rows).toEqual([{ total: '3' }]);
  });

  it('a failing script without BEGIN leaves no trace (one implicit transaction)', async () => {
    await db.query('CREATE TABLE s (a int PRIMARY KEY)');
    await expect(db.exec('INSERT INTO s VALUES (1); INSERT INTO s VALUES (1)')).rejects.toMatchObject({ code: '23505' });
    expect((await db.query('SELECT count(*) AS n FROM s')).rows).toEqual([{ n: '0' }]);
  });

  it('rolls back data and DDL', async () => {
    await db.query('CREATE TABLE r (a int)');
    await db.exec('BEGIN; INSERT INTO r VALUES (1); CREATE TABLE r2 (b int); ALTER TABLE r ADD COLUMN c text; ROLLBACK');
    expect((await db.query('SELECT * FROM r')).fields.map((f) => f.name)).toEqual(['a']);
    await expect(db.query('SELECT * FROM r2')).rejects.toMatchObject({ code: '42P01' });
  });

  it('after an error inside BEGIN only ROLLBACK is accepted', async () => {
    await db.query('BEGIN');
    await expect(db.query('SELECT 1/0')).rejects.toMatchObject({ code: '22012' });
    await expect(db.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
    expect((await db.query('COMMIT')).command).toBe('ROLLBACK');
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('sessions are isolated until commit', async () => {
    await db.query('CREATE TABLE iso (a int)');
    const other = db.connect();
    await db.query('BEGIN');
    await db.query('INSERT INTO iso VALUES (1)');
    expect((await other.query('SELECT count(*) AS n FROM iso')).rows).toEqual([{ n: '0' }]);
    await db.query('COMMIT');
    expect((await other.query('SELECT count(*) AS n FROM iso')).rows).toEqual([{ n: '1' }]);
    other.close();
  });

  it('settings are per session and SET inside a rolled-back transaction is undone', async () => {
    const other = db.connect();
    await db.query("SET TimeZone = 'Europe/Berlin'");
    expect((await db.query('SHOW TimeZone')).rows).toEqual([{ TimeZone: 'Europe/Berlin' }]);
    expect((await other.query('SHOW TimeZone')).rows).toEqual([{ TimeZone: 'UTC' }]);
    await db.exec("BEGIN; SET TimeZone = 'Asia/Tokyo'; ROLLBACK");
    expect((await db.query("SELECT TIMESTAMPTZ '2024-01-01 00:00:00+00'", [], { rowMode: 'text' })).rows).toEqual([['2024-01-01 01:00:00+01']]);
    other.close();
  });
});

describe('bulk insert', () => {
  beforeEach(async () => {
    await db.query('CREATE TABLE m (id serial, time timestamptz NOT NULL, host text, v float8, n int DEFAULT 7)');
  });

  it('takes arrays of row arrays; columns past the arrays get their DEFAULT', async () => {
    const t = new Date('2024-01-01T00:00:00Z');
    await db.insert('m', [[10, t, 'a', 1.5]]);
    expect((await db.query('SELECT id, host, v, n FROM m')).rows).toEqual([{ id: 10, host: 'a', v: 1.5, n: 7 }]);
    await expect(db.insert('m', [[null, t, 'b', 1]])).rejects.toMatchObject({ code: '23502' });
  });

  it('takes objects by column name; missing columns get their DEFAULT (serials count up)', async () => {
    const t = new Date('2024-01-01T00:00:00Z');
    const res = await db.insert('m', [{ time: t, host: 'a', v: 1 }, { time: t, host: 'b', v: 2 }]);
    expect(res.rowCount).toBe(2);
    expect((await db.query('SELECT id, host, n FROM m ORDER BY id')).rows).toEqual([{ id: 1, host: 'a', n: 7 }, { id: 2, host: 'b', n: 7 }]);
  });

  it('takes an Apache Arrow table', async () => {
    const table = tableFromArrays({
      time: [new Date('2024-01-01T00:00:00Z'), new Date('2024-01-01T00:00:10Z')],
      host: ['x', 'y'],
      v: Float64Array.from([0.25, 0.75]),
    });
    await db.insert('m', table);
    const r = await db.query('SELECT host, v, time FROM m ORDER BY host', [], { rowMode: 'text' });
    expect(r.rows).toEqual([['x', '0.25', '2024-01-01 00:00:00+00'], ['y', '0.75', '2024-01-01 00:00:10+00']]);
  });

  it('is atomic: a bad row rejects the whole call', async () => {
    const t = new Date();
    await expect(db.insert('m', [{ time: t, v: 1 }, { time: null, v: 2 }])).rejects.toMatchObject({ code: '23502' });
    expect((await db.query('SELECT count(*) AS n FROM m')).rows).toEqual([{ n: '0' }]);
    await expect(db.insert('m', [{ time: t, nope: 1 }])).rejects.toMatchObject({ code: '42703' });
    await expect(db.insert('nope', [])).rejects.toMatchObject({ code: '42P01' });
  });
});

describe('long identifiers', () => {
  it('are truncated to 63 bytes with PostgreSQL\'s notice, every time the text runs', async () => {
    const long = `t_${'x'.repeat(70)}`;
    const cut = long.slice(0, 63);
    const notice = ['NOTICE', '42622', `identifier "${long}" will be truncated to "${cut}"`];
    const created = await db.query(`CREATE TABLE ${long} (a int)`);
    expect(created.notices.map((n) => [n.severity, n.code, n.message])).toEqual([notice]);
    for (let i = 0; i < 2; i++) {
      // the fast INSERT path leaves such names to the parser, which raises the notice
      const inserted = await db.query(`INSERT INTO ${long} VALUES (${i})`);
      expect(inserted.notices.map((n) => [n.severity, n.code, n.message])).toEqual([notice]);
    }
    expect((await db.query(`SELECT count(*) AS n FROM ${cut}`)).rows).toEqual([{ n: '2' }]);
  });
});

describe('foreign keys', () => {
  it('are accepted (schemas written for PostgreSQL load) with a notice that they are not enforced', async () => {
    await db.exec('CREATE TABLE parent (id int PRIMARY KEY)');
    const created = await db.query('CREATE TABLE child (id int, p int REFERENCES parent (id), q int, CONSTRAINT child_q FOREIGN KEY (q) REFERENCES parent (id))');
    expect(created.notices.map((n) => [n.severity, n.message])).toEqual([
      ['NOTICE', 'foreign key constraint "child_p_fkey" is accepted but not enforced'],
      ['NOTICE', 'foreign key constraint "child_q" is accepted but not enforced'],
    ]);
    const altered = await db.query('ALTER TABLE child ADD FOREIGN KEY (id) REFERENCES parent (id)');
    expect(altered.notices.map((n) => n.message)).toEqual(['foreign key constraint "child_id_fkey" is accepted but not enforced']);
    // not enforced: a row without a parent is stored
    await db.exec('INSERT INTO child VALUES (1, 99, 99)');
    expect((await db.query('SELECT count(*)::int AS n FROM child')).rows).toEqual([{ n: 1 }]);
  });
});
