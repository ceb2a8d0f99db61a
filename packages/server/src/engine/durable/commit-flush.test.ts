import { describe, expect, it } from 'vitest';
import { Strata } from '../strata.js';
import { FaultyWalFs, tempDirsPerTest } from '../../../../storage/src/wal/wal-test-helpers.js';

const tempDir = tempDirsPerTest();

async function open(dir: string, walFs: FaultyWalFs): Promise<Strata> {
  const db = await Strata.create({ dataDir: dir, durability: { walFs } });
  await db.exec('CREATE TABLE t (session int, n int)');
  return db;
}

async function countBySession(dir: string): Promise<string[][]> {
  const db = await Strata.create({ dataDir: dir });
  const rows = (await db.query('SELECT session, count(*) FROM t GROUP BY session ORDER BY session', [], { rowMode: 'text' })).rows.map((r) => Object.values(r).map(String));
  await db.close();
  return rows;
}

describe('how a commit waits for its fdatasync', () => {
  it('a session committing alone syncs in place when it replies: one fdatasync per commit, none on the thread pool', async () => {
    const dir = tempDir();
    const walFs = new FaultyWalFs();
    const db = await open(dir, walFs);
    const [inPlace, pooled] = [walFs.fdatasyncSyncCalls, walFs.fdatasyncCalls];
    for (let i = 0; i < 20; i++) await db.query('INSERT INTO t VALUES (1, $1)', [i]);
    expect(walFs.fdatasyncSyncCalls - inPlace).toBe(20);
    expect(walFs.fdatasyncCalls - pooled).toBe(0);
    // acknowledged means on disk: nothing is lost by a crash right after
    db.core.durability!.simulateCrash();
    expect(await countBySession(dir)).toEqual([['1', '20']]);
  });

  it('sessions committing at the same time share fdatasyncs on the thread pool (group commit), and each waits for its own', async () => {
    const dir = tempDir();
    const walFs = new FaultyWalFs();
    const db = await open(dir, walFs);
    const sessions = [db, db.connect(), db.connect()];
    const pooled = walFs.fdatasyncCalls;
    // every statement runs when it is issued; the replies wait for durability
    const replies: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++) sessions.forEach((s, k) => replies.push(s.query('INSERT INTO t VALUES ($1, $2)', [k, i])));
    await Promise.all(replies);
    const syncs = walFs.fdatasyncCalls - pooled;
    expect(syncs).toBeGreaterThan(0);
    expect(syncs).toBeLessThan(10);
    db.core.durability!.simulateCrash();
    expect(await countBySession(dir)).toEqual([['0', '10'], ['1', '10'], ['2', '10']]);
  });

  it('sessions taking turns do not sync in place: the next one to commit may share the sync', async () => {
    const dir = tempDir();
    const walFs = new FaultyWalFs();
    const db = await open(dir, walFs);
    const other = db.connect();
    const pooled = walFs.fdatasyncCalls;
    for (let i = 0; i < 5; i++) {
      await db.query('INSERT INTO t VALUES (0, $1)', [i]);
      await other.query('INSERT INTO t VALUES (1, $1)', [i]);
    }
    expect(walFs.fdatasyncCalls - pooled).toBeGreaterThanOrEqual(9);
    db.core.durability!.simulateCrash();
    expect(await countBySession(dir)).toEqual([['0', '5'], ['1', '5']]);
  });

  it('a failed fdatasync in place fails the statement with 58030 and leaves the log refusing writes, as a pooled one does', async () => {
    const dir = tempDir();
    const walFs = new FaultyWalFs();
    const db = await open(dir, walFs);
    await db.query('INSERT INTO t VALUES (1, 1)');
    walFs.fdatasyncFailure = 'EIO';
    const inPlace = walFs.fdatasyncSyncCalls;
    await expect(db.query('INSERT INTO t VALUES (1, 2)')).rejects.toMatchObject({ code: '58030' });
    expect(walFs.fdatasyncSyncCalls - inPlace).toBe(1);
    await expect(db.query('INSERT INTO t VALUES (1, 3)')).rejects.toMatchObject({ code: '58030' });
    // reads go on, in other sessions and in this one (over the wire, the failing session's connection
    // ends, as after a failed pooled sync)
    expect((await db.connect().query('SELECT count(*) AS n FROM t WHERE n = 1')).rows).toEqual([{ n: '1' }]);
    expect((await db.query('SELECT count(*) AS n FROM t WHERE n = 1')).rows).toEqual([{ n: '1' }]);
    await expect(db.query('INSERT INTO t VALUES (1, 4)')).rejects.toMatchObject({ code: '58030' });
    db.core.durability!.simulateCrash();
  });

  it('querySync: a failed fdatasync fails its statement with 58030, once; reads go on and writes are refused', async () => {
    const dir = tempDir();
    const walFs = new FaultyWalFs();
    const db = await open(dir, walFs);
    db.querySync('INSERT INTO t VALUES (1, 1)');
    walFs.fdatasyncFailure = 'EIO';
    expect(() => db.querySync('INSERT INTO t VALUES (1, 2)')).toThrow(expect.objectContaining({ code: '58030' }));
    expect(db.querySync('SELECT count(*) AS n FROM t').rows).toEqual([{ n: '2' }]);
    expect(() => db.querySync('INSERT INTO t VALUES (1, 3)')).toThrow(expect.objectContaining({ code: '58030' }));
    db.core.durability!.simulateCrash();
  });
});

