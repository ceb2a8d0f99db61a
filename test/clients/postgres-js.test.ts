/**
 * postgres.js (the `postgres` npm package) against the wire server: tagged-template
 * queries, parameters of several types, transactions with sql.begin (commit and
 * rollback), savepoints, errors with SQLSTATE and position, and unsafe() scripts.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgServer } from '../../packages/server/src/wire/index.js';

describe('postgres.js', () => {
  let server: PgServer;
  let sql: postgres.Sql;

  beforeAll(async () => {
    server = new PgServer();
    const { port } = await server.listen(0, '127.0.0.1');
    sql = postgres({ host: '127.0.0.1', port, user: 'strata', database: 'strata', max: 4, onnotice: () => {} });
    await sql`CREATE TABLE readings (id int PRIMARY KEY, time timestamptz NOT NULL, host text, temp float8, load numeric(6,2), ok bool)`;
  });
  afterAll(async () => {
    await sql.end({ timeout: 5 });
    await server.shutdown();
  });

  it('runs tagged-template queries with typed parameters', async () => {
    const t = new Date('2024-01-02T03:04:05.678Z');
    await sql`INSERT INTO readings VALUES (${1}, ${t}, ${'host_1'}, ${21.5}, ${'1.25'}, ${true})`;
    await sql`INSERT INTO readings ${sql([{ id: 2, time: t, host: 'host_2', temp: -3, load: '0.5', ok: false }], 'id', 'time', 'host', 'temp', 'load', 'ok')}`;
    const rows = await sql`SELECT id, time, host, temp, load, ok FROM readings WHERE host = ${'host_1'} OR id = ${2} ORDER BY id`;
    expect(rows.length).toBe(2);
    expect(rows[0]).toEqual({ id: 1, time: t, host: 'host_1', temp: 21.5, load: '1.25', ok: true });
    expect(rows[1]).toEqual({ id: 2, time: t, host: 'host_2', temp: -3, load: '0.50', ok: false });
    expect(rows.count).toBe(2);
    expect(rows.command).toBe('SELECT');
    const [{ n }] = await sql`SELECT count(*)::int AS n FROM readings WHERE id = ANY(${[1, 2, 3]}::int[])`;
    expect(n).toBe(2);
  });

  it('handles NULL, dynamic identifiers and a large result', async () => {
    const [r] = await sql`SELECT ${null}::text AS a, ${sql('host')} FROM readings WHERE id = ${1}`;
    expect(r).toEqual({ a: null, host: 'host_1' });
    const many = await sql`SELECT g FROM generate_series(1, ${5000}) g`;
    expect(many.length).toBe(5000);
    expect(many.at(-1)).toEqual({ g: 5000 });
  });

  it('commits and rolls back with sql.begin, including savepoints', async () => {
    const result = await sql.begin(async (tx) => {
      await tx`INSERT INTO readings VALUES (10, now(), 'tx', 1, 1, true)`;
      await tx
        .savepoint(async (sp) => {
          await sp`INSERT INTO readings VALUES (11, now(), 'tx', 1, 1, true)`;
          throw new Error('undo the savepoint');
        })
        .catch(() => {});
      const [{ n }] = await tx`SELECT count(*)::int AS n FROM readings WHERE host = 'tx'`;
      return n;
    });
    expect(result).toBe(1);
    await expect(
      sql.begin(async (tx) => {
        await tx`INSERT INTO readings VALUES (20, now(), 'rolled back', 1, 1, true)`;
        await tx`SELECT 1/0`;
      }),
    ).rejects.toMatchObject({ code: '22012' });
    const rows = await sql`SELECT id FROM readings WHERE host IN ('tx', 'rolled back') ORDER BY id`;
    expect(rows.map((r) => r.id)).toEqual([10]);
  });

  it('reports errors with SQLSTATE, message and position', async () => {
    await expect(sql`SELECT * FROM nope`).rejects.toMatchObject({ code: '42P01', message: 'relation "nope" does not exist' });
    await expect(sql`INSERT INTO readings VALUES (1, now(), 'dup', 0, 0, true)`).rejects.toMatchObject({ code: '23505' });
    await expect(sql`SELECT nocolumn FROM readings`).rejects.toMatchObject({ code: '42703', position: '8' });
    await expect(sql`SELECT ${'abc'}::int`).rejects.toMatchObject({ code: '22P02' });
    // the connection is still usable afterwards
    expect((await sql`SELECT 1 AS one`)[0]).toEqual({ one: 1 });
  });

  it('runs simple-protocol scripts with unsafe()', async () => {
    const r = await sql.unsafe('CREATE TABLE u (x int); INSERT INTO u VALUES (1), (2); SELECT sum(x)::int AS s FROM u');
    expect(r.at(-1)).toEqual([{ s: 3 }]);
  });
});
