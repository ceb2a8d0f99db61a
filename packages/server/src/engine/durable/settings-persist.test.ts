/**
 * ALTER SYSTEM / ALTER DATABASE … SET survive a crash: the defaults live in the catalog, and a
 * transaction that changes only them must still log a catalog image (its undo log is not empty).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Strata, type StrataSession } from '../strata.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-settings-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** kill -9 of the engine: no checkpoint, no clean close. */
function crash(db: Strata): void {
  db.core.durability!.simulateCrash();
}

async function show(s: StrataSession, name: string): Promise<string> {
  const r = await s.query<Record<string, string>>(`SHOW ${name}`);
  return Object.values(r.rows[0]!)[0]!;
}

async function sources(s: StrataSession, names: string[]): Promise<string[][]> {
  const list = names.map((n) => `'${n}'`).join(', ');
  const r = await s.query(`SELECT name, setting, source FROM pg_settings WHERE name IN (${list}) ORDER BY name`, [], { rowMode: 'array' });
  return r.rows as unknown as string[][];
}

describe('stored settings after a crash', () => {
  it('ALTER SYSTEM and ALTER DATABASE values are replayed from the log; rolled-back ones are not', async () => {
    const dir = tempDir();
    let db = await Strata.create({ dataDir: dir });
    await db.exec(`ALTER SYSTEM SET work_mem = '8MB'`);
    await db.exec(`ALTER SYSTEM SET synchronous_commit = off`);
    await db.exec(`ALTER SYSTEM SET statement_timeout = '9s'`);
    await db.exec(`ALTER DATABASE strata SET TimeZone = 'Asia/Tokyo'`);
    await db.exec(`ALTER DATABASE strata SET statement_timeout = '5s'`);
    await db.exec(`BEGIN; ALTER DATABASE strata SET DateStyle = 'German'; ROLLBACK`);
    await db.exec(`ALTER SYSTEM SET extra_float_digits = 2`);
    await db.exec(`ALTER SYSTEM RESET extra_float_digits`);
    crash(db);

    db = await Strata.create({ dataDir: dir });
    expect(db.recovery!.checkpointLsn).toBeNull(); // everything came from log records
    expect(await sources(db, ['DateStyle', 'TimeZone', 'extra_float_digits', 'statement_timeout', 'synchronous_commit', 'work_mem'])).toEqual([
      ['DateStyle', 'ISO, MDY', 'default'],
      ['TimeZone', 'Asia/Tokyo', 'database'],
      ['extra_float_digits', '1', 'default'],
      // ALTER DATABASE wins over ALTER SYSTEM
      ['statement_timeout', '5s', 'database'],
      ['synchronous_commit', 'off', 'configuration file'],
      ['work_mem', '8MB', 'configuration file'],
    ]);
    await db.close();
  });

  it('a checkpoint holds them, and changes after it are replayed on top', async () => {
    const dir = tempDir();
    let db = await Strata.create({ dataDir: dir });
    await db.exec(`ALTER SYSTEM SET work_mem = '8MB'`);
    await db.exec(`ALTER DATABASE strata SET application_name = 'reporting'`);
    await db.exec('CHECKPOINT');
    await db.exec(`ALTER SYSTEM RESET ALL`);
    await db.exec(`ALTER SYSTEM SET lock_timeout = '3s'`);
    crash(db);

    db = await Strata.create({ dataDir: dir });
    expect(db.recovery!.checkpointLsn).not.toBeNull();
    expect(await show(db, 'work_mem')).toBe('4MB');
    expect(await show(db, 'lock_timeout')).toBe('3s');
    expect(await show(db, 'application_name')).toBe('reporting');
    // and a clean restart (final checkpoint, empty log) keeps them too
    await db.close();
    db = await Strata.create({ dataDir: dir });
    expect(db.recovery!.records).toBe(0);
    expect(await show(db, 'lock_timeout')).toBe('3s');
    expect(await show(db, 'application_name')).toBe('reporting');
    await db.close();
  });

  it('an ALTER DATABASE still open at the crash leaves no trace', async () => {
    const dir = tempDir();
    let db = await Strata.create({ dataDir: dir });
    await db.exec(`ALTER DATABASE strata SET work_mem = '2MB'`);
    const other = db.connect();
    await other.exec(`BEGIN; ALTER DATABASE strata SET work_mem = '16MB'`);
    crash(db);
    db = await Strata.create({ dataDir: dir });
    expect(await show(db, 'work_mem')).toBe('2MB');
    await db.close();
  });

  it('ALTER SYSTEM SET synchronous_commit = off: sessions started afterwards acknowledge before the log flush', async () => {
    const dir = tempDir();
    const db = await Strata.create({ dataDir: dir });
    const durability = db.core.durability!;
    await db.exec('CREATE TABLE t (a int)');
    const before = db.connect();
    await db.exec('ALTER SYSTEM SET synchronous_commit = off');
    const after = db.connect();

    await after.query('INSERT INTO t VALUES (1)');
    // acknowledged, written to the OS, not yet fdatasync'ed (the background flush is scheduled)
    expect(durability.writtenLsn).toBeGreaterThan(durability.flushedLsn);

    // a session that started before keeps synchronous_commit = on and waits for the flush
    await before.query('INSERT INTO t VALUES (2)');
    expect(durability.flushedLsn).toBe(durability.writtenLsn);
    expect(await show(before, 'synchronous_commit')).toBe('on');
    expect(await show(after, 'synchronous_commit')).toBe('off');
    // SET in the session still wins
    await after.exec('SET synchronous_commit = on');
    await after.query('INSERT INTO t VALUES (3)');
    expect(durability.flushedLsn).toBe(durability.writtenLsn);
    await db.close();
  });
});
