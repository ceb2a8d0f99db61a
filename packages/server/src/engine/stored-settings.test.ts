/** ALTER SYSTEM / ALTER DATABASE … SET|RESET through the embedding API (and the wire startup path). */
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { Strata, type StrataSession } from './strata.js';
import { PgServer } from '../wire/index.js';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});

async function engine(opts: Parameters<typeof Strata.create>[0] = {}): Promise<Strata> {
  const db = await Strata.create(opts);
  open.push(db);
  return db;
}

async function show(s: StrataSession, name: string): Promise<string> {
  const r = await s.query(`SELECT current_setting('${name}') AS v`);
  return r.rows[0]!.v as string;
}

async function setting(s: StrataSession, name: string): Promise<{ setting: string; source: string; reset_val: string; boot_val: string }> {
  const r = await s.query(`SELECT setting, source, reset_val, boot_val FROM pg_settings WHERE name = $1`, [name]);
  return r.rows[0] as { setting: string; source: string; reset_val: string; boot_val: string };
}

describe('ALTER SYSTEM', () => {
  it('applies to sessions started afterwards, not to running ones', async () => {
    const db = await engine();
    const running = db.connect();
    expect((await db.query(`ALTER SYSTEM SET work_mem = '8MB'`)).command).toBe('ALTER');
    expect(await show(db, 'work_mem')).toBe('4MB');
    expect(await show(running, 'work_mem')).toBe('4MB');
    const fresh = db.connect();
    expect(await show(fresh, 'work_mem')).toBe('8MB');
    expect(await setting(fresh, 'work_mem')).toEqual({ setting: '8MB', source: 'configuration file', reset_val: '8MB', boot_val: '4MB' });
  });

  it('TO DEFAULT, RESET name and RESET ALL remove stored values', async () => {
    const db = await engine();
    await db.exec(`ALTER SYSTEM SET work_mem = '8MB'`);
    await db.exec(`ALTER SYSTEM SET lock_timeout = '2s'`);
    await db.exec(`ALTER SYSTEM SET application_name = 'app'`);
    await db.exec(`ALTER SYSTEM SET work_mem TO DEFAULT`);
    let s = db.connect();
    expect([await show(s, 'work_mem'), await show(s, 'lock_timeout'), await show(s, 'application_name')]).toEqual(['4MB', '2s', 'app']);
    await db.exec(`ALTER SYSTEM RESET lock_timeout`);
    s = db.connect();
    expect([await show(s, 'lock_timeout'), await show(s, 'application_name')]).toEqual(['0', 'app']);
    await db.exec(`ALTER SYSTEM RESET ALL`);
    s = db.connect();
    expect(await setting(s, 'application_name')).toMatchObject({ setting: '', source: 'default' });
  });

  it('cannot run inside a transaction block, explicit or implicit (25001)', async () => {
    const db = await engine();
    await db.exec('BEGIN');
    await expect(db.query(`ALTER SYSTEM SET work_mem = '8MB'`)).rejects.toMatchObject({ code: '25001', message: 'ALTER SYSTEM cannot run inside a transaction block' });
    // the error aborts the block, as any error does
    await expect(db.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
    await db.exec('ROLLBACK');
    await expect(db.exec(`SELECT 1; ALTER SYSTEM SET work_mem = '8MB'`)).rejects.toMatchObject({ code: '25001' });
    expect(await show(db.connect(), 'work_mem')).toBe('4MB');
  });

  it('validates like SET: 42704, 22023, 55P02; placeholders are refused (PostgreSQL 15)', async () => {
    const db = await engine();
    await expect(db.query('ALTER SYSTEM SET nope = 1')).rejects.toMatchObject({ code: '42704', message: 'unrecognized configuration parameter "nope"' });
    await expect(db.query('ALTER SYSTEM SET foo.bar = 1')).rejects.toMatchObject({ code: '42704' });
    await expect(db.query('ALTER SYSTEM RESET nope')).rejects.toMatchObject({ code: '42704' });
    await expect(db.query('ALTER SYSTEM SET synchronous_commit = maybe')).rejects.toMatchObject({ code: '22023', message: 'invalid value for parameter "synchronous_commit": "maybe"' });
    await expect(db.query(`ALTER SYSTEM SET TimeZone = 'Mars/Olympus'`)).rejects.toMatchObject({ code: '22023' });
    await expect(db.query('ALTER SYSTEM SET extra_float_digits = 9')).rejects.toMatchObject({ code: '22023' });
    await expect(db.query(`ALTER SYSTEM SET server_version = '1'`)).rejects.toMatchObject({ code: '55P02' });
    expect(db.core.catalog.listStoredSettings(null)).toEqual([]);
  });
});

describe('ALTER DATABASE … SET', () => {
  it('is transactional: ROLLBACK and ROLLBACK TO SAVEPOINT undo it', async () => {
    const db = await engine();
    await db.exec(`BEGIN; ALTER DATABASE strata SET work_mem = '1MB'; ROLLBACK`);
    expect(await show(db.connect(), 'work_mem')).toBe('4MB');
    await db.exec(`BEGIN; ALTER DATABASE strata SET work_mem = '2MB'; SAVEPOINT s; ALTER DATABASE strata SET work_mem = '3MB'; ALTER DATABASE strata RESET ALL; ROLLBACK TO s; COMMIT`);
    expect(await show(db.connect(), 'work_mem')).toBe('2MB');
    // an error later in the transaction takes the ALTER with it
    await db.exec(`BEGIN; ALTER DATABASE strata RESET work_mem`);
    await expect(db.query('SELECT 1/0')).rejects.toMatchObject({ code: '22012' });
    await db.exec('COMMIT');
    expect(await show(db.connect(), 'work_mem')).toBe('2MB');
  });

  it('precedence: default < ALTER SYSTEM < ALTER DATABASE < client settings < SET; RESET returns to the start value', async () => {
    const db = await engine({ settings: { lock_timeout: '7s' } });
    await db.exec(`ALTER SYSTEM SET statement_timeout = '10s'`);
    await db.exec(`ALTER SYSTEM SET lock_timeout = '10s'`);
    await db.exec(`ALTER SYSTEM SET work_mem = '10MB'`);
    await db.exec(`ALTER DATABASE strata SET statement_timeout = '20s'`);
    await db.exec(`ALTER DATABASE strata SET lock_timeout = '20s'`);
    const s = db.connect({ application_name: 'client-app' });
    expect(await setting(s, 'work_mem')).toMatchObject({ setting: '10MB', source: 'configuration file' });
    expect(await setting(s, 'statement_timeout')).toMatchObject({ setting: '20s', source: 'database' });
    expect(await setting(s, 'lock_timeout')).toMatchObject({ setting: '7s', source: 'client' });
    expect(await setting(s, 'application_name')).toMatchObject({ setting: 'client-app', source: 'client' });

    await s.exec(`SET statement_timeout = '30s'; SET lock_timeout = '30s'; SET work_mem = '30MB'`);
    expect(await setting(s, 'statement_timeout')).toEqual({ setting: '30s', source: 'session', reset_val: '20s', boot_val: '0' });
    await s.exec('RESET statement_timeout');
    await s.exec('SET lock_timeout TO DEFAULT');
    expect(await show(s, 'statement_timeout')).toBe('20s');
    expect(await show(s, 'lock_timeout')).toBe('7s');
    await s.exec('RESET ALL');
    expect(await setting(s, 'work_mem')).toMatchObject({ setting: '10MB', source: 'configuration file' });
    expect(await show(s, 'application_name')).toBe('client-app');
  });

  it('FROM CURRENT stores the session value; "postgres" names the same database; unknown databases are 3D000', async () => {
    const db = await engine();
    await db.exec(`SET application_name = 'from-here'`);
    await db.exec('ALTER DATABASE strata SET application_name FROM CURRENT');
    await db.exec(`ALTER DATABASE postgres SET TIME ZONE 'Asia/Tokyo'`);
    const s = db.connect();
    expect(await setting(s, 'application_name')).toMatchObject({ setting: 'from-here', source: 'database' });
    expect(await setting(s, 'TimeZone')).toMatchObject({ setting: 'Asia/Tokyo', source: 'database' });
    await expect(db.query(`ALTER DATABASE nope SET work_mem = '1MB'`)).rejects.toMatchObject({ code: '3D000', message: 'database "nope" does not exist' });
    await expect(db.query('ALTER DATABASE nope RESET ALL')).rejects.toMatchObject({ code: '3D000' });
    await expect(db.query('ALTER DATABASE strata SET nope = 1')).rejects.toMatchObject({ code: '42704' });
    await expect(db.query('ALTER DATABASE strata SET synchronous_commit = maybe')).rejects.toMatchObject({ code: '22023' });
    await expect(db.query('ALTER DATABASE strata SET server_version = 1')).rejects.toMatchObject({ code: '55P02' });
    // placeholders are fine per database, as in PostgreSQL
    expect((await db.query('ALTER DATABASE strata SET myapp.mode = fast')).command).toBe('ALTER');
    expect(await show(db.connect(), 'myapp.mode')).toBe('fast');
  });

  it('a stored value this build no longer accepts is skipped at session start', async () => {
    const db = await engine();
    await db.exec(`ALTER DATABASE strata SET TimeZone = 'Asia/Tokyo'`);
    db.core.catalog.setStoredSetting('strata', 'timezone', 'Mars/Olympus', []);
    db.core.catalog.setStoredSetting(null, 'timezone', 'Europe/Berlin', []);
    expect(await setting(db.connect(), 'TimeZone')).toMatchObject({ setting: 'Europe/Berlin', source: 'configuration file' });
  });
});

describe('wire sessions', () => {
  it('startup parameters sit above ALTER DATABASE; RESET returns to them; the server option sits below ALTER DATABASE', async () => {
    const server = new PgServer({ settings: { work_mem: '5MB', lock_timeout: '5s' } });
    const { port } = await server.listen(0, '127.0.0.1');
    open.push(server);
    const connect = async (config: pg.ClientConfig = {}) => {
      const c = new pg.Client({ host: '127.0.0.1', port, user: 'strata', database: 'strata', ...config });
      c.on('error', () => {});
      await c.connect();
      open.push({ close: () => c.end() });
      return c;
    };
    const admin = await connect();
    await admin.query(`ALTER SYSTEM SET work_mem = '1MB'`);
    await admin.query(`ALTER DATABASE strata SET lock_timeout = '6s'`);
    await admin.query(`ALTER DATABASE strata SET statement_timeout = '6s'`);
    const c = await connect({ options: '-c statement_timeout=8s' } as pg.ClientConfig);
    const rows = async () =>
      (await c.query(`SELECT name, setting, source FROM pg_settings WHERE name IN ('work_mem', 'lock_timeout', 'statement_timeout') ORDER BY name`)).rows;
    expect(await rows()).toEqual([
      { name: 'lock_timeout', setting: '6s', source: 'database' },
      { name: 'statement_timeout', setting: '8s', source: 'client' },
      { name: 'work_mem', setting: '5MB', source: 'command line' },
    ]);
    await c.query(`SET statement_timeout = '9s'`);
    await c.query('RESET statement_timeout');
    expect((await c.query('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '8s' }]);
  });
});
