/** The wire server through node-postgres: queries, parameters, prepared statements, errors, transactions, concurrency. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startServer, type TestServer } from './helpers.js';

let ts: TestServer;

beforeAll(async () => {
  ts = await startServer();
});
afterAll(async () => {
  await ts.close();
});

describe('simple queries', () => {
  it('SELECT with types decoded by pg', async () => {
    const c = await ts.client();
    const r = await c.query("SELECT 1 AS i, 2.5::float8 AS f, 'x'::text AS t, true AS b, NULL::int AS n, 9007199254740991::int8 AS big, TIMESTAMPTZ '2024-01-02 03:04:05+00' AS ts");
    expect(r.rows).toEqual([{ i: 1, f: 2.5, t: 'x', b: true, n: null, big: '9007199254740991', ts: new Date('2024-01-02T03:04:05Z') }]);
    expect(r.fields.map((f) => f.dataTypeID)).toEqual([23, 701, 25, 16, 23, 20, 1184]);
    expect(r.command).toBe('SELECT');
    expect(r.rowCount).toBe(1);
  });

  it('multi-statement query string gives one result per statement', async () => {
    const c = await ts.client();
    const rs = (await c.query('CREATE TABLE ms (a int, b text); INSERT INTO ms VALUES (1, $$x$$), (2, $$y$$); UPDATE ms SET b = $$z$$ WHERE a = 2; SELECT * FROM ms ORDER BY a; DELETE FROM ms WHERE a = 1')) as unknown as pg.QueryResult[];
    expect(rs.map((r) => r.command)).toEqual(['CREATE', 'INSERT', 'UPDATE', 'SELECT', 'DELETE']);
    expect(rs.map((r) => r.rowCount)).toEqual([null, 2, 1, 2, 1]);
    expect(rs[3]!.rows).toEqual([{ a: 1, b: 'x' }, { a: 2, b: 'z' }]);
  });

  it('a failing statement in a multi-statement string rolls back the implicit transaction', async () => {
    const c = await ts.client();
    await c.query('CREATE TABLE imp (a int)');
    await expect(c.query('INSERT INTO imp VALUES (1); SELECT 1/0; INSERT INTO imp VALUES (2)')).rejects.toMatchObject({ code: '22012' });
    expect((await c.query('SELECT count(*)::int AS n FROM imp')).rows[0].n).toBe(0);
  });

  it('empty query', async () => {
    const c = await ts.client();
    const r = await c.query('');
    expect(r.rows).toEqual([]);
    const r2 = await c.query(';');
    expect(r2.rows).toEqual([]);
  });

  it('notices reach the client', async () => {
    const c = await ts.client();
    const notices: unknown[] = [];
    c.on('notice', (n) => notices.push(n));
    await c.query('COMMIT');
    expect(notices[0]).toMatchObject({ severity: 'WARNING', code: '25P01', message: 'there is no transaction in progress' });
  });

  it('SET of a reported setting sends ParameterStatus', async () => {
    const c = await ts.client();
    const statuses: Record<string, string> = {};
    (c as unknown as { connection: { on(e: string, f: (m: { parameterName: string; parameterValue: string }) => void): void } }).connection.on('parameterStatus', (m) => (statuses[m.parameterName] = m.parameterValue));
    await c.query("SET TimeZone = 'Europe/Berlin'");
    expect(statuses.TimeZone).toBe('Europe/Berlin');
    await c.query("SET application_name = 'wire-test'");
    expect(statuses.application_name).toBe('wire-test');
    const r = await c.query("SELECT TIMESTAMPTZ '2024-06-01 12:00:00+00'::text AS t");
    expect(r.rows[0].t).toBe('2024-06-01 14:00:00+02');
  });

  it('start-up options and application_name become session settings', async () => {
    const c = await ts.client({ application_name: 'my-app', options: '-c search_path=public -c extra_float_digits=0' } as pg.ClientConfig);
    const r = await c.query("SELECT current_setting('application_name') AS a, current_setting('extra_float_digits') AS e");
    expect(r.rows[0]).toEqual({ a: 'my-app', e: '0' });
  });

  it('server_version is reported as PostgreSQL 15', async () => {
    const c = await ts.client();
    const r = await c.query('SHOW server_version');
    expect(r.rows[0].server_version).toMatch(/^15/);
  });
});

describe('extended protocol through pg', () => {
  it('parameters: text values of several types', async () => {
    const c = await ts.client();
    const r = await c.query('SELECT $1::int + 1 AS a, $2::text AS b, $3::float8 * 2 AS c, $4::timestamptz AS d, $5::bool AS e, $6::int AS f', [41, 'hi', 1.25, new Date('2024-01-01T00:00:00Z'), true, null]);
    expect(r.rows).toEqual([{ a: 42, b: 'hi', c: 2.5, d: new Date('2024-01-01T00:00:00Z'), e: true, f: null }]);
  });

  it('parameter types are inferred from context', async () => {
    const c = await ts.client();
    await c.query('CREATE TABLE inf (a int, b timestamptz, c text)');
    await c.query('INSERT INTO inf VALUES ($1, $2, $3)', ['7', '2024-01-01 00:00:00+00', 'x']);
    const r = await c.query('SELECT a + $1 AS s FROM inf WHERE c = $2', [1, 'x']);
    expect(r.rows).toEqual([{ s: 8 }]);
  });

  it('named prepared statements are parsed once and reused', async () => {
    const c = await ts.client();
    await c.query('CREATE TABLE prep (a int)');
    for (let i = 0; i < 5; i++) await c.query({ name: 'ins', text: 'INSERT INTO prep VALUES ($1)', values: [i] });
    const q = { name: 'sum', text: 'SELECT sum(a)::int AS s, count(*)::int AS n FROM prep WHERE a >= $1' };
    expect((await c.query({ ...q, values: [0] })).rows).toEqual([{ s: 10, n: 5 }]);
    expect((await c.query({ ...q, values: [3] })).rows).toEqual([{ s: 7, n: 2 }]);
  });

  it('rowMode array', async () => {
    const c = await ts.client();
    const r = await c.query({ text: 'SELECT 1 AS a, $1::text AS b', values: ['x'], rowMode: 'array' });
    expect(r.rows).toEqual([[1, 'x']]);
    expect(r.fields.map((f) => f.name)).toEqual(['a', 'b']);
  });
  // binary parameters and result columns: pg decodes DataRow fields as UTF-8 text even in binary mode,
  // so they are tested with raw protocol messages in protocol.test.ts
});

describe('errors', () => {
  it('error code, message, position and detail; the connection stays usable', async () => {
    const c = await ts.client();
    const e = await c.query('SELEC 1').then(() => { throw new Error('expected an error'); }, (x: unknown) => x as pg.DatabaseError);
    expect(e).toMatchObject({ code: '42601' });
    expect(Number(e.position)).toBeGreaterThan(0);
    const e2 = await c.query('SELECT * FROM does_not_exist').then(() => { throw new Error('expected an error'); }, (x: unknown) => x as pg.DatabaseError);
    expect(e2).toMatchObject({ code: '42P01', message: 'relation "does_not_exist" does not exist', severity: 'ERROR' });
    await c.query('CREATE TABLE uq (a int PRIMARY KEY)');
    await c.query('INSERT INTO uq VALUES (1)');
    const e3 = await c.query('INSERT INTO uq VALUES (1)').then(() => { throw new Error('expected an error'); }, (x: unknown) => x as pg.DatabaseError);
    expect(e3.code).toBe('23505');
    expect(e3.detail).toBe('Key (a)=(1) already exists.');
    expect((await c.query('SELECT 2 AS x')).rows).toEqual([{ x: 2 }]);
  });

  it('errors in the extended protocol (Parse and Execute) leave the connection usable', async () => {
    const c = await ts.client();
    await expect(c.query('SELECT $1::int / 0', [1])).rejects.toMatchObject({ code: '22012' });
    await expect(c.query('SELECT * FROM nope WHERE a = $1', [1])).rejects.toMatchObject({ code: '42P01' });
    await expect(c.query('SELECT $1::int', ['abc'])).rejects.toMatchObject({ code: '22P02' });
    expect((await c.query('SELECT $1::int AS x', [5])).rows).toEqual([{ x: 5 }]);
  });

  it('transaction status across BEGIN / error / ROLLBACK (25P02)', async () => {
    const c = await ts.client();
    await c.query('CREATE TABLE tx (a int)');
    await c.query('BEGIN');
    await c.query('INSERT INTO tx VALUES (1)');
    await expect(c.query('SELECT 1/0')).rejects.toMatchObject({ code: '22012' });
    await expect(c.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
    await expect(c.query('SELECT $1::int', [1])).rejects.toMatchObject({ code: '25P02' });
    await c.query('ROLLBACK');
    expect((await c.query('SELECT count(*)::int AS n FROM tx')).rows[0].n).toBe(0);
    await c.query('BEGIN');
    await c.query('INSERT INTO tx VALUES ($1)', [2]);
    await c.query('COMMIT');
    expect((await c.query('SELECT count(*)::int AS n FROM tx')).rows[0].n).toBe(1);
  });

  it('statements of other sessions do not see uncommitted rows; a destroyed client leaves no trace', async () => {
    const a = await ts.client();
    const b = await ts.client();
    await a.query('CREATE TABLE gone (a int)');
    await a.query('BEGIN');
    await a.query('INSERT INTO gone VALUES (1), (2)');
    expect((await b.query('SELECT count(*)::int AS n FROM gone')).rows[0].n).toBe(0);
    const before = ts.server.connectionCount;
    (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(ts.server.connectionCount).toBe(before - 1);
    expect((await b.query('SELECT count(*)::int AS n FROM gone')).rows[0].n).toBe(0);
    await b.query('INSERT INTO gone VALUES (3)');
    expect((await b.query('SELECT count(*)::int AS n FROM gone')).rows[0].n).toBe(1);
  });
});

describe('concurrency', () => {
  it('a pool of 20 clients doing inserts and selects', async () => {
    const setup = await ts.client();
    await setup.query('CREATE TABLE pooled (worker int, i int, v float8)');
    const pool = new pg.Pool({ host: '127.0.0.1', port: ts.port, user: 'strata', database: 'strata', max: 20 });
    const workers = Array.from({ length: 20 }, async (_, w) => {
      for (let i = 0; i < 25; i++) {
        await pool.query('INSERT INTO pooled VALUES ($1, $2, $3)', [w, i, w * 0.5]);
        if (i % 5 === 0) {
          const r = await pool.query('SELECT count(*)::int AS n FROM pooled WHERE worker = $1', [w]);
          expect(r.rows[0].n).toBe(i + 1);
        }
      }
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('INSERT INTO pooled VALUES ($1, 100, 0)', [w]);
        await client.query(w % 2 === 0 ? 'COMMIT' : 'ROLLBACK');
      } finally {
        client.release();
      }
    });
    await Promise.all(workers);
    const r = await pool.query('SELECT count(*)::int AS n, sum(i)::int AS s, count(DISTINCT worker)::int AS w FROM pooled');
    expect(r.rows[0]).toEqual({ n: 20 * 25 + 10, s: 20 * 300 + 10 * 100, w: 20 });
    expect(ts.server.connectionCount).toBeGreaterThanOrEqual(20);
    await pool.end();
  });

  it('--max-connections: the extra client gets 53300 and the others keep working', async () => {
    const small = await startServer({ maxConnections: 2 });
    try {
      const a = await small.client();
      await small.client();
      const extra = new pg.Client({ host: '127.0.0.1', port: small.port, user: 'strata', database: 'strata' });
      extra.on('error', () => {});
      await expect(extra.connect()).rejects.toMatchObject({ code: '53300', message: 'sorry, too many clients already' });
      expect((await a.query('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
    } finally {
      await small.close();
    }
  });

  it('an unknown database is refused with 3D000', async () => {
    const c = new pg.Client({ host: '127.0.0.1', port: ts.port, user: 'strata', database: 'other' });
    c.on('error', () => {});
    await expect(c.connect()).rejects.toMatchObject({ code: '3D000' });
  });
});
