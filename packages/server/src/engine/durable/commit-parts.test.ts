import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Strata } from '../strata.js';
import { FaultyWalFs, tempDirsPerTest } from '../../../../storage/src/wal/wal-test-helpers.js';

const tempDir = tempDirsPerTest();

describe('large commits: deltas logged as parts ahead of the commit record', () => {
  it('a multi-store commit whose deltas are parts replays exactly', async () => {
    const dir = tempDir();
    const durability = { partBytes: 2048 };
    let db = await Strata.create({ dataDir: dir, durability });
    for (const n of ['dn1', 'dn2']) await db.query(`SELECT add_data_node('${n}')`);
    await db.exec(`CREATE TABLE m (time timestamptz NOT NULL, host text, v float8)`);
    await db.query(`SELECT create_distributed_hypertable('m', 'time', 'host', chunk_time_interval => interval '1 hour')`);
    await db.exec(`CREATE TABLE plain (a int, b text)`);
    await db.exec(`BEGIN;
      INSERT INTO m SELECT '2024-01-01'::timestamptz + g * interval '1 s', 'h' || (g % 9), g FROM generate_series(1, 20000) g;
      INSERT INTO plain SELECT g, repeat('x', g % 50) FROM generate_series(1, 3000) g;
      INSERT INTO plain VALUES (-1, 'small');
      COMMIT`);
    const q = `SELECT host, count(*), sum(v) FROM m GROUP BY host ORDER BY host`;
    const before = [(await db.query(q, [], { rowMode: 'text' })).rows, (await db.query('SELECT count(*), sum(a) FROM plain', [], { rowMode: 'text' })).rows];
    db.core.durability!.simulateCrash();
    db = await Strata.create({ dataDir: dir, durability });
    expect([(await db.query(q, [], { rowMode: 'text' })).rows, (await db.query('SELECT count(*), sum(a) FROM plain', [], { rowMode: 'text' })).rows]).toEqual(before);
    await db.close();
  });

  it('parts written before a full disk stopped the commit record are ignored at recovery', async () => {
    const dir = tempDir();
    const walFs = new FaultyWalFs();
    let db = await Strata.create({ dataDir: dir, durability: { partBytes: 1024, walFs } });
    await db.exec(`CREATE TABLE a (x int, y text); CREATE TABLE b (x int, y text)`);
    await db.query(`INSERT INTO a VALUES (1, 'kept')`);
    // enough room for the first part (table a's delta), not for the second or the commit record
    walFs.writeBudget = 100_000;
    const walDir = path.join(dir, 'wal');
    // bytes up to the last non-zero one: segments are preallocated with zeros
    const usedBytes = (file: string) => {
      const bytes = fs.readFileSync(path.join(walDir, file));
      let end = bytes.length;
      while (end > 0 && bytes[end - 1] === 0) end--;
      return end;
    };
    const walBytes = () => fs.readdirSync(walDir).filter((f) => f.endsWith('.wal')).reduce((n, f) => n + usedBytes(f), 0);
    const sizeBefore = walBytes();
    await expect(db.exec(`BEGIN; INSERT INTO a SELECT g, 'row-' || g || repeat('y', 40) FROM generate_series(1, 1500) g; INSERT INTO b SELECT g, 'row-' || g || repeat('z', 40) FROM generate_series(1, 1500) g; COMMIT`)).rejects.toMatchObject({ code: '53100' });
    walFs.writeBudget = null;
    // the first part (> 60 kB) made it into the log: recovery must skip it
    expect(walBytes() - sizeBefore).toBeGreaterThan(60_000);
    expect((await db.query('SELECT count(*)::int AS n FROM a')).rows).toEqual([{ n: 1 }]);
    await db.query(`INSERT INTO b VALUES (2, 'after')`);
    db.core.durability!.simulateCrash();
    db = await Strata.create({ dataDir: dir });
    expect((await db.query('SELECT x, y FROM a ORDER BY x')).rows).toEqual([{ x: 1, y: 'kept' }]);
    expect((await db.query('SELECT x, y FROM b ORDER BY x')).rows).toEqual([{ x: 2, y: 'after' }]);
    await db.close();
  });
});
