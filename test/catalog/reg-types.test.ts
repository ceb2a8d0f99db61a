/**
 * The OID alias types psql's \d needs (regclass, regtype, regnamespace) and
 * `x op ANY/ALL (array expression)`. Expected values are PostgreSQL 15's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Strata } from '../../packages/server/src/index.js';
import { startServer, type TestServer } from '../wire/helpers.js';

let db: Strata;
const rows = async (sql: string, params: unknown[] = []) => (await db.query<(string | null)[]>(sql, params, { rowMode: 'text' })).rows;
const one = async (sql: string, params: unknown[] = []) => (await rows(sql, params))[0]!;

beforeAll(async () => {
  db = await Strata.create();
  await db.exec(`CREATE TABLE t (id int, arr int[], ts text[]);
    INSERT INTO t VALUES (1, '{1,2,3}', '{a,b}'), (2, '{4,NULL}', '{c}'), (3, NULL, '{}'), (4, '{}', NULL);
    CREATE SCHEMA s1;`);
});
afterAll(() => db.close());

describe('regtype and regnamespace', () => {
  it('print names as PostgreSQL does', async () => {
    expect(await one(`SELECT 't'::regclass, 0::regclass, 'int4'::regtype, 1184::regtype, 'pg_catalog.varchar(10)'::regtype, 'integer[]'::regtype, 0::regtype, 'public'::regnamespace, 11::regnamespace::text, 'char'::regtype, 'bpchar'::regtype, 1043::regtype::text`)).toEqual(
      ['t', '-', 'integer', 'timestamp with time zone', 'character varying', 'integer[]', '-', 'public', 'pg_catalog', 'character', 'character', 'character varying'],
    );
    expect(await one(`SELECT '1'::regtype, 999999::regtype`)).toEqual(['1', '999999']);
  });
  it('name a schema made with CREATE SCHEMA in the output', async () => {
    const [oid] = await one(`SELECT oid FROM pg_namespace WHERE nspname = 's1'`);
    expect(await one(`SELECT ${oid}::regnamespace`)).toEqual(['s1']);
  });
  it('round-trip through oid and compare', async () => {
    expect(await one(`SELECT 'int8'::regtype::oid, 'timestamptz'::regtype = 1184, c.reloftype::regtype::text FROM pg_class c WHERE relname = 't'`)).toEqual(['20', 't', '-']);
  });
  it('raise PostgreSQL errors for unknown names', async () => {
    await expect(db.query(`SELECT 'nope'::regtype`)).rejects.toMatchObject({ code: '42704', message: 'type "nope" does not exist' });
    await expect(db.query(`SELECT 'nope'::regnamespace`)).rejects.toMatchObject({ code: '3F000', message: 'schema "nope" does not exist' });
  });
  it('arrays of regclass print names', async () => {
    expect(await one(`SELECT ARRAY['t'::regclass, 'pg_class'::regclass]`)).toEqual(['{t,pg_class}']);
  });
});

describe('x op ANY/ALL (array expression)', () => {
  it('follows SQL NULL semantics over columns', async () => {
    expect(await rows(`SELECT id, 2 = ANY(arr), 4 = ANY(arr), 5 = ANY(arr), 5 <> ALL(arr), 1 <> ALL(arr), 'a' = ANY(ts), 'a' LIKE ANY(ts) FROM t ORDER BY id`)).toEqual([
      ['1', 't', 'f', 'f', 't', 'f', 't', 't'],
      ['2', null, 't', null, null, null, 'f', 'f'],
      ['3', null, null, null, null, null, 'f', 'f'],
      ['4', 'f', 'f', 'f', 't', 't', null, null],
    ]);
    expect(await rows(`SELECT 1.5 = ANY(arr) FROM t ORDER BY id`)).toEqual([['f'], [null], [null], ['f']]);
  });
  it('takes parameters, casts and NULL arrays', async () => {
    expect(await rows(`SELECT id FROM t WHERE id = ANY($1) ORDER BY id`, [[1, 3]])).toEqual([['1'], ['3']]);
    expect(await rows(`SELECT id FROM t WHERE id <> ALL($1::int[]) ORDER BY id`, [[1, 3]])).toEqual([['2'], ['4']]);
    expect(await one(`SELECT 1 = ANY('{1,2}'), NULL::int = ANY(ARRAY[1]), 1 = ANY(NULL::int[]), 1 = ANY('{}'::int[]), 1 = ALL('{}'::int[]), 'x' = ANY(NULL::text[])`)).toEqual(['t', null, null, 'f', 't', null]);
    expect(await rows(`SELECT relname FROM pg_class WHERE oid = ANY(ARRAY(SELECT 't'::regclass::oid))`)).toEqual([['t']]);
  });
  it('rejects a right side that is not an array, at the operator', async () => {
    await expect(db.query(`SELECT 1 = ANY(5)`)).rejects.toMatchObject({ code: '42809', message: 'op ANY/ALL (array) requires array on right side', position: '10' });
  });
});

describe('over the wire', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
    const c = await server.client();
    await c.query(`CREATE TABLE w (id int)`);
  });
  afterAll(() => server.close());

  it('regclass prints the relation name; x = ANY($1) binds an array parameter', async () => {
    const c = await server.client();
    expect((await c.query(`SELECT 'w'::regclass AS r, 'int4'::regtype AS t, 'public'::regnamespace AS n`)).rows).toEqual([{ r: 'w', t: 'integer', n: 'public' }]);
    await c.query(`INSERT INTO w VALUES (1), (2), (3)`);
    expect((await c.query(`SELECT id FROM w WHERE id = ANY($1) ORDER BY id`, [[1, 3]])).rows).toEqual([{ id: 1 }, { id: 3 }]);
    expect((await c.query(`SELECT id FROM w WHERE id <> ALL($1) ORDER BY id`, [[1, 3]])).rows).toEqual([{ id: 2 }]);
  });
});
