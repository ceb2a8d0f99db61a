import { describe, expect, it } from 'vitest';
import { Strata } from '../strata.js';
import { tempDirsPerTest } from '../../../../storage/src/wal/wal-test-helpers.js';

const tempDir = tempDirsPerTest();

async function sqlState(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

async function reopen(db: Strata, dir: string): Promise<Strata> {
  db.core.durability!.simulateCrash();
  return Strata.create({ dataDir: dir });
}

async function names(db: Strata): Promise<string[]> {
  const r = await db.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
  return r.rows.map((x) => x.table_name);
}

describe("another transaction's uncommitted DDL never reaches the log", () => {
  it('a commit that would log a catalog image waits for it (55P03), so a crash neither loses a table it dropped nor keeps one it created', async () => {
    const dir = tempDir();
    const db = await Strata.create({ dataDir: dir });
    await db.exec('CREATE TABLE t (x int)');
    await db.exec('CREATE TABLE s (x int)');
    await db.exec('INSERT INTO t VALUES (1), (2)');
    const a = db.connect();
    await a.exec('BEGIN');
    await a.exec('DROP TABLE t');
    await a.exec('CREATE TABLE v (z int)');
    // DDL of another session, and a checkpoint, would write the shared catalog with a's changes in it
    expect(await sqlState(db.exec('CREATE TABLE u (y int)'))).toBe('55P03');
    expect(await sqlState(db.exec('CHECKPOINT'))).toBe('55P03');
    // writes that log no catalog image go on
    await db.exec('INSERT INTO s VALUES (7)');
    const crashed = await reopen(db, dir);
    expect(await names(crashed)).toEqual(['s', 't']);
    expect((await crashed.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 2 }]);
    expect((await crashed.query('SELECT count(*)::int AS n FROM s')).rows).toEqual([{ n: 1 }]);
    await crashed.close();
  });

  it('once the other transaction ends, the waiting DDL commits; a commit writing into a table another transaction altered waits too', async () => {
    const dir = tempDir();
    const db = await Strata.create({ dataDir: dir });
    await db.exec('CREATE TABLE t (x int)');
    const a = db.connect();
    await a.exec('BEGIN');
    await a.exec('ALTER TABLE t ADD COLUMN w int');
    expect(await sqlState(db.exec('INSERT INTO t (x) VALUES (1)'))).toBe('55P03');
    await a.exec('ROLLBACK');
    await db.exec('INSERT INTO t (x) VALUES (1)');
    await db.exec('CREATE TABLE u (y int)');
    await a.exec('BEGIN');
    await a.exec('CREATE TABLE v (z int)');
    await a.exec('COMMIT');
    await db.exec('CHECKPOINT');
    const crashed = await reopen(db, dir);
    expect(await names(crashed)).toEqual(['t', 'u', 'v']);
    const cols = await crashed.query<{ column_name: string }>("SELECT column_name FROM information_schema.columns WHERE table_name = 't' ORDER BY 1");
    expect(cols.rows.map((r) => r.column_name)).toEqual(['x']);
    expect((await crashed.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 1 }]);
    await crashed.close();
  });
});
