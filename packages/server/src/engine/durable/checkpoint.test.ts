/**
 * Incremental checkpoints through the engine: chunk files of hypertable chunks nobody wrote
 * since the last checkpoint are hard links to that checkpoint's files (same inode), also for
 * the first checkpoint after a restart, and every state restores exactly.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Strata } from '../strata.js';
import type { WrittenCheckpoint } from './checkpoint.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function checkpoint(db: Strata): Promise<WrittenCheckpoint> {
  const written = await db.core.durability!.checkpoint();
  if (written === null) throw new Error('no checkpoint was written');
  return written;
}

/** Inode of every store chunk file of a checkpoint, by its name in the manifest. */
function chunkInodes(cp: WrittenCheckpoint): Map<string, number> {
  const out = new Map<string, number>();
  for (const files of Object.values(cp.manifest.stores)) {
    for (const f of files) if (!f.name.endsWith('.meta.arrow')) out.set(f.name, fs.statSync(path.join(cp.dir, f.name)).ino);
  }
  return out;
}

/** Chunk files of the data node replicas of hypertable chunk `chunkId`. */
function filesOfChunk(cp: WrittenCheckpoint, chunkId: number): string[] {
  return Object.entries(cp.manifest.stores)
    .filter(([key]) => key.endsWith(`:${chunkId}`) && key.startsWith('c:'))
    .flatMap(([, files]) => files.filter((f) => !f.name.endsWith('.meta.arrow')).map((f) => f.name));
}

describe('CHECKPOINT while a checkpoint runs', () => {
  it('shares it when nothing was logged since, and otherwise takes the next one after it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-incr-'));
    dirs.push(dir);
    const db = await Strata.create({ dataDir: dir });
    const durability = db.core.durability!;
    await db.exec(`CREATE TABLE t (a int)`);
    await db.exec(`INSERT INTO t SELECT g FROM generate_series(1, 1000) g`);
    const running = durability.checkpoint();
    expect(durability.checkpoint()).toBe(running);
    await db.exec(`INSERT INTO t VALUES (-1)`);
    const after = durability.writtenLsn;
    const next = await durability.checkpoint();
    const first = (await running)!;
    expect(first.manifest.lsn).toBeLessThan(after);
    expect(next!.manifest.lsn).toBe(after);
    durability.simulateCrash();
    const again = await Strata.create({ dataDir: dir });
    expect(again.recovery!.records).toBe(0);
    expect((await again.query(`SELECT count(*)::int AS n FROM t`)).rows).toEqual([{ n: 1001 }]);
    await again.close();
  });
});

describe('incremental checkpoints', () => {
  it('link the files of unchanged chunks, rewrite changed ones, and restore exactly (also after a restart)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-incr-'));
    dirs.push(dir);
    let db = await Strata.create({ dataDir: dir });
    for (const n of ['dn1', 'dn2', 'dn3']) await db.query(`SELECT add_data_node('${n}')`);
    await db.exec(`CREATE TABLE m (time timestamptz NOT NULL, device text, v double precision)`);
    await db.query(`SELECT create_distributed_hypertable('m', 'time', chunk_time_interval => interval '1 day')`);
    await db.exec(`INSERT INTO m SELECT '2024-01-01'::timestamptz + g * interval '1 min', 'd' || (g % 7), g FROM generate_series(0, 3 * 1440 - 1) g`);
    const chunkIds = (await db.query(`SELECT chunk_name FROM timescaledb_information.chunks ORDER BY range_start`)).rows.map((r) =>
      Number(/_(\d+)_chunk$/.exec(String((r as { chunk_name: string }).chunk_name))![1]),
    );
    expect(chunkIds.length).toBe(3);
    const first = await checkpoint(db);
    expect(first.linkedFiles).toBe(0);
    const inodes1 = chunkInodes(first);

    // day 1 gets a delete, day 3 an insert: day 2 is untouched
    await db.exec(`DELETE FROM m WHERE time = '2024-01-01 00:10:00+00'`);
    await db.exec(`INSERT INTO m VALUES ('2024-01-03 12:00:30+00', 'late', -1)`);
    const second = await checkpoint(db);
    const inodes2 = chunkInodes(second);
    const [day1, day2, day3] = chunkIds as [number, number, number];
    expect(filesOfChunk(second, day2).length).toBeGreaterThan(0);
    for (const f of filesOfChunk(second, day2)) expect(inodes2.get(f)).toBe(inodes1.get(f));
    for (const f of [...filesOfChunk(second, day1), ...filesOfChunk(second, day3)]) expect(inodes2.get(f)).not.toBe(inodes1.get(f));
    expect(second.linkedFiles).toBe(filesOfChunk(second, day2).length);
    // the first checkpoint's directory is gone; its linked data is not
    expect(fs.existsSync(first.dir)).toBe(false);

    const q = `SELECT device, count(*), sum(v), min(time), max(time) FROM m GROUP BY device ORDER BY device`;
    const before = (await db.query(q, [], { rowMode: 'text' })).rows;
    await db.close();

    // restart: the restored stores know their files, so the first checkpoint links again
    db = await Strata.create({ dataDir: dir });
    expect(db.recovery!.records).toBe(0);
    expect((await db.query(q, [], { rowMode: 'text' })).rows).toEqual(before);
    const closing = chunkInodes(second);
    await db.exec(`INSERT INTO m VALUES ('2024-01-01 23:59:30+00', 'late', -2)`);
    const third = await checkpoint(db);
    for (const f of [...filesOfChunk(third, day2), ...filesOfChunk(third, day3)]) expect(chunkInodes(third).get(f)).toBe(closing.get(f));
    for (const f of filesOfChunk(third, day1)) expect(chunkInodes(third).get(f)).not.toBe(closing.get(f));
    const after = (await db.query(q, [], { rowMode: 'text' })).rows;
    db.core.durability!.simulateCrash();

    db = await Strata.create({ dataDir: dir });
    expect(db.recovery!.records).toBe(0);
    expect((await db.query(q, [], { rowMode: 'text' })).rows).toEqual(after);
    await db.close();
  });
});
