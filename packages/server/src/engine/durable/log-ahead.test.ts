import { describe, expect, it } from 'vitest';
import { Strata, type StrataSession } from '../strata.js';
import { FaultyWalFs, tempDirsPerTest } from '../../../../storage/src/wal/wal-test-helpers.js';
import { readCurrentCheckpoint } from './checkpoint.js';

const tempDir = tempDirsPerTest();

// every bulk insert of 100 rows or more goes to the log before its commit
const durability = { aheadRows: 100 };

function rows(from: number, n: number, tag: string): { x: number; y: string }[] {
  return Array.from({ length: n }, (_, i) => ({ x: from + i, y: `${tag}-${from + i}` }));
}

/** Inserts `list` in two pushes: the second sends the first's rows to the log ahead of the commit. */
async function bulk(db: StrataSession, list: { x: number; y: string }[], table = 't'): Promise<void> {
  await db.insert(table, list.slice(0, -1));
  await db.insert(table, list.slice(-1));
}

async function snapshot(db: StrataSession, table = 't'): Promise<unknown> {
  return (await db.query(`SELECT count(*)::text AS n, coalesce(sum(x), 0)::text AS s, min(y) AS lo, max(y) AS hi FROM ${table}`)).rows;
}

async function crashAndReopen(db: Strata, dir: string, opts: object = durability): Promise<Strata> {
  db.core.durability!.simulateCrash();
  return Strata.create({ dataDir: dir, durability: opts });
}

/** WAL records replayed at the last open. */
function replayedRecords(db: Strata): number {
  return db.recovery?.records ?? 0;
}

describe('bulk loads log their rows ahead of the commit', () => {
  it('a transaction of several bulk inserts recovers exactly, from parts its commit record names', async () => {
    const dir = tempDir();
    let db = await Strata.create({ dataDir: dir, durability });
    await db.exec('CREATE TABLE t (x int, y text)');
    await db.insert('t', rows(1, 10, 'before'));
    await db.exec('BEGIN');
    for (let k = 0; k < 4; k++) await db.insert('t', rows(1000 + k * 500, 500, 'bulk'));
    await db.insert('t', rows(5000, 20, 'small'));
    await db.exec('COMMIT');
    const before = await snapshot(db);
    const sum = (from: number, n: number) => n * from + (n * (n - 1)) / 2;
    const expected = sum(1, 10) + [0, 1, 2, 3].reduce((a, k) => a + sum(1000 + k * 500, 500), 0) + sum(5000, 20);
    expect(before).toEqual([{ n: '2030', s: String(expected), lo: 'before-1', hi: 'small-5019' }]);
    db = await crashAndReopen(db, dir);
    // create table, 10 rows, 4 parts, the commit record
    expect(replayedRecords(db)).toBe(7);
    expect(await snapshot(db)).toEqual(before);
    await db.close();
  });

  it('a distributed hypertable: chunks created by the transaction, parts per chunk and node', async () => {
    const dir = tempDir();
    let db = await Strata.create({ dataDir: dir, durability });
    for (const n of ['dn1', 'dn2']) await db.query(`SELECT add_data_node('${n}')`);
    await db.exec('CREATE TABLE m (time timestamptz NOT NULL, host text, v float8)');
    await db.query(`SELECT create_distributed_hypertable('m', 'time', 'host', chunk_time_interval => interval '1 hour')`);
    await db.exec('BEGIN');
    for (let k = 0; k < 3; k++) {
      const batch = Array.from({ length: 3000 }, (_, i) => ({ time: new Date(Date.UTC(2024, 0, 1) + (k * 3000 + i) * 2000), host: `h${i % 7}`, v: i * 0.5 }));
      await db.insert('m', batch);
    }
    await db.exec('COMMIT');
    const q = 'SELECT host, count(*), sum(v), min(time), max(time) FROM m GROUP BY host ORDER BY host';
    const before = (await db.query(q, [], { rowMode: 'text' })).rows;
    db = await crashAndReopen(db, dir);
    expect((await db.query(q, [], { rowMode: 'text' })).rows).toEqual(before);
    expect((await db.query('SELECT count(*)::int AS n FROM m')).rows).toEqual([{ n: 9000 }]);
    await db.close();
  });

  it('rows logged ahead by a transaction that rolls back, or never commits, are not recovered', async () => {
    const dir = tempDir();
    let db = await Strata.create({ dataDir: dir, durability });
    await db.exec('CREATE TABLE t (x int, y text)');
    await db.insert('t', rows(1, 5, 'kept'));
    await db.exec('BEGIN');
    await bulk(db, rows(100, 1000, 'rolled-back'));
    await db.exec('ROLLBACK');
    await db.insert('t', rows(10, 5, 'kept'));
    await db.exec('BEGIN');
    await bulk(db, rows(2000, 1000, 'open-at-crash'));
    db = await crashAndReopen(db, dir);
    expect((await db.query('SELECT x FROM t ORDER BY x')).rows.map((r) => r.x)).toEqual([1, 2, 3, 4, 5, 10, 11, 12, 13, 14]);
    await db.insert('t', rows(20, 200, 'after'));
    db = await crashAndReopen(db, dir);
    expect((await db.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 210 }]);
    await db.close();
  });

  it('deleting, updating or rolling back to before rows logged ahead: the commit logs every row itself', async () => {
    const dir = tempDir();
    let db = await Strata.create({ dataDir: dir, durability });
    await db.exec('CREATE TABLE t (x int, y text)');
    await db.insert('t', rows(1, 50, 'base'));
    // own rows deleted and updated after they went to the log
    await db.exec('BEGIN');
    await bulk(db, rows(100, 400, 'a'));
    await db.exec('DELETE FROM t WHERE x BETWEEN 150 AND 199');
    await db.exec(`UPDATE t SET y = 'updated' WHERE x BETWEEN 300 AND 309`);
    await db.insert('t', rows(1000, 300, 'b'));
    await db.exec('COMMIT');
    // savepoints: rows before the savepoint stay logged ahead, rows after it are rolled back
    await db.exec('BEGIN');
    await bulk(db, rows(2000, 200, 'c'));
    await db.exec('SAVEPOINT s');
    await bulk(db, rows(3000, 200, 'rolled-back'));
    await db.exec('ROLLBACK TO SAVEPOINT s');
    await db.insert('t', rows(4000, 200, 'd'));
    await db.exec('COMMIT');
    // a savepoint before everything logged ahead
    await db.exec('BEGIN');
    await db.exec('SAVEPOINT s');
    await bulk(db, rows(5000, 200, 'rolled-back'));
    await db.exec('ROLLBACK TO SAVEPOINT s');
    await db.insert('t', rows(6000, 200, 'e'));
    await db.exec('COMMIT');
    const q = 'SELECT x, y FROM t ORDER BY x';
    const before = (await db.query(q)).rows;
    expect(before.length).toBe(50 + 350 + 300 + 200 + 200 + 200);
    expect(before.filter((r) => r.y === 'updated').length).toBe(10);
    expect(before.some((r) => String(r.y).startsWith('rolled-back'))).toBe(false);
    db = await crashAndReopen(db, dir);
    expect((await db.query(q)).rows).toEqual(before);
    await db.close();
  });

  it('TRUNCATE or ALTER TABLE after rows were logged ahead', async () => {
    const dir = tempDir();
    let db = await Strata.create({ dataDir: dir, durability });
    await db.exec('CREATE TABLE t (x int, y text)');
    await db.insert('t', rows(1, 50, 'base'));
    await db.exec('BEGIN');
    await bulk(db, rows(100, 300, 'gone'));
    await db.exec('TRUNCATE t');
    await db.insert('t', rows(1000, 300, 'after-truncate'));
    await db.exec('COMMIT');
    await db.exec('BEGIN');
    await bulk(db, rows(2000, 300, 'before-alter'));
    await db.exec('ALTER TABLE t ADD COLUMN z int DEFAULT 7');
    await db.insert('t', rows(3000, 300, 'after-alter'));
    await db.exec('UPDATE t SET z = x WHERE x >= 3000');
    await db.exec('COMMIT');
    const q = 'SELECT x, y, z FROM t ORDER BY x';
    const before = (await db.query(q)).rows;
    expect(before.length).toBe(900);
    expect(before[0]).toEqual({ x: 1000, y: 'after-truncate-1000', z: 7 });
    db = await crashAndReopen(db, dir);
    expect((await db.query(q)).rows).toEqual(before);
    await db.close();
  });

  it('a checkpoint while a transaction has rows logged ahead keeps its parts for its commit', async () => {
    const dir = tempDir();
    // small segments, so the checkpoint would remove the one holding the early part
    const opts = { ...durability, segmentBytes: 64 * 1024 };
    let db = await Strata.create({ dataDir: dir, durability: opts });
    await db.exec('CREATE TABLE t (x int, y text)');
    await db.insert('t', rows(1, 10, 'base'));
    const loader = db.connect();
    await loader.exec('BEGIN');
    await loader.insert('t', rows(100, 1000, 'early'));
    // a batch goes to the log when the next one comes
    await loader.insert('t', rows(1100, 1, 'early'));
    // enough other commits that the segment holding the early part would be removed by a checkpoint
    for (let k = 0; k < 5; k++) await db.insert('t', rows(10_000 + k * 2000, 2000, 'other'));
    await db.exec('CHECKPOINT');
    const cp = readCurrentCheckpoint(dir)!;
    expect(cp.manifest.replayFrom).toBeLessThan(cp.manifest.lsn);
    await loader.insert('t', rows(5000, 1000, 'late'));
    await loader.exec('COMMIT');
    const before = await snapshot(db);
    expect(before).toEqual([expect.objectContaining({ n: String(10 + 2001 + 10_000) })]);
    db = await crashAndReopen(db, dir, opts);
    expect(await snapshot(db)).toEqual(before);
    // with nothing open, the next checkpoint covers everything and replays from its own position
    await db.exec('CHECKPOINT');
    expect(readCurrentCheckpoint(dir)!.manifest.replayFrom).toBeUndefined();
    db = await crashAndReopen(db, dir, opts);
    expect(await snapshot(db)).toEqual(before);
    await db.close();
  });

  it('a checkpoint while a transaction has rows logged ahead, then a crash before its commit', async () => {
    const dir = tempDir();
    let db = await Strata.create({ dataDir: dir, durability });
    await db.exec('CREATE TABLE t (x int, y text)');
    await db.insert('t', rows(1, 10, 'base'));
    const loader = db.connect();
    await loader.exec('BEGIN');
    await loader.insert('t', rows(100, 1000, 'never-committed'));
    await loader.insert('t', rows(1100, 1, 'never-committed'));
    await db.insert('t', rows(20, 10, 'committed'));
    await db.exec('CHECKPOINT');
    await db.insert('t', rows(40, 10, 'after-checkpoint'));
    db = await crashAndReopen(db, dir);
    expect((await db.query('SELECT count(*)::int AS n, max(x) AS hi FROM t')).rows).toEqual([{ n: 30, hi: 49 }]);
    await db.close();
  });

  it('a full disk while logging ahead fails the load with 53100 and nothing of it survives', async () => {
    const dir = tempDir();
    const walFs = new FaultyWalFs();
    let db = await Strata.create({ dataDir: dir, durability: { ...durability, walFs } });
    await db.exec('CREATE TABLE t (x int, y text)');
    await db.insert('t', rows(1, 10, 'kept'));
    await db.exec('BEGIN');
    await db.insert('t', rows(100, 500, 'first'));
    walFs.writeBudget = 1000;
    await expect(db.insert('t', rows(1000, 500, 'second'))).rejects.toMatchObject({ code: '53100' });
    walFs.writeBudget = null;
    await expect(db.exec('COMMIT')).resolves.toBeDefined();
    expect((await db.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 10 }]);
    await db.insert('t', rows(50, 5, 'after'));
    db = await crashAndReopen(db, dir, {});
    expect((await db.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 15 }]);
    await db.close();
  });
});
