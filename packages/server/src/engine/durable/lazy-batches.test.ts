import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Strata } from '../strata.js';
import { tempDirsPerTest } from '../../../../storage/src/wal/wal-test-helpers.js';
import { storesOf } from '../../../../planner/src/catalog/persist.js';
import type { SealedBatch } from '../../../../storage/src/table/sealed-batch.js';

const tempDir = tempDirsPerTest();

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

/** Two days of rows every 0.5 s over 2 hosts: a 1-day chunk per node holds 86,400 rows, one sealed batch and a tail. */
async function load(dir: string): Promise<Strata> {
  const db = await Strata.create({ dataDir: dir });
  for (const n of ['dn1', 'dn2']) await db.query(`SELECT add_data_node('${n}')`);
  await db.exec('CREATE TABLE m (time timestamptz NOT NULL, host text, v float8)');
  await db.query(`SELECT create_distributed_hypertable('m', 'time', 'host', chunk_time_interval => interval '1 day')`);
  const rows = Array.from({ length: 2 * 2 * 86_400 }, (_, i) => ({ time: new Date(T0 + Math.floor(i / 2) * 1000), host: `h${i % 2}`, v: i * 0.25 }));
  for (let i = 0; i < rows.length; i += 50_000) await db.insert('m', rows.slice(i, i + 50_000));
  return db;
}

/** Sealed batches of the chunks of `m`, by chunk time range start, and whether each is in memory. */
function batchesByDay(db: Strata): Map<number, SealedBatch[]> {
  const out = new Map<number, SealedBatch[]>();
  const table = db.core.catalog.listHypertables().find((t) => t.name === 'm')!;
  const stores = new Set(storesOf(db.core.catalog).values());
  for (const c of table.hypertable!.chunks) {
    for (const store of c.stores.values()) {
      expect(stores.has(store)).toBe(true);
      for (const snap of store.imageState().version.snaps) {
        const list = out.get(c.timeStart) ?? [];
        list.push(...snap.chunk.batches.slice(0, snap.nBatches));
        out.set(c.timeStart, list);
      }
    }
  }
  return out;
}

const perHost = 'SELECT host, count(*)::int AS n, sum(v) AS s, min(time) AS lo, max(time) AS hi FROM m GROUP BY host ORDER BY host';
const dayOne = `SELECT count(*)::int AS n, sum(v) AS s FROM m WHERE time >= '2024-01-01' AND time < '2024-01-02'`;

describe('a restart reads sealed batch files when queries need them', () => {
  it('restores without reading batch files; a time-range query reads only its chunks\' batches', async () => {
    const dir = tempDir();
    let db = await load(dir);
    const before = [(await db.query(perHost)).rows, (await db.query(dayOne)).rows];
    await db.close();
    db = await Strata.create({ dataDir: dir });
    const days = batchesByDay(db);
    expect([...days.keys()].length).toBe(2);
    for (const list of days.values()) {
      expect(list.length).toBeGreaterThanOrEqual(2);
      expect(list.filter((b) => b.loaded)).toEqual([]);
    }
    expect((await db.query(dayOne)).rows).toEqual(before[1]);
    const [first, second] = [...days.entries()].sort((a, b) => a[0] - b[0]).map(([, l]) => l);
    expect(first!.every((b) => b.loaded)).toBe(true);
    expect(second!.some((b) => b.loaded)).toBe(false);
    expect((await db.query(perHost)).rows).toEqual(before[0]);
    await db.close();
  });

  it('a checkpoint after the restart takes over the unread files before the old checkpoint is removed', async () => {
    const dir = tempDir();
    let db = await load(dir);
    const before = (await db.query(perHost)).rows;
    await db.close();
    db = await Strata.create({ dataDir: dir });
    await db.insert('m', [{ time: new Date(T0 + DAY / 2), host: 'h9', v: 1 }]);
    await db.exec('CHECKPOINT');
    // only the new checkpoint is left, and nothing was read for it
    expect(fs.readdirSync(path.join(dir, 'checkpoint')).filter((n) => !n.endsWith('.tmp'))).toHaveLength(1);
    expect([...batchesByDay(db).values()].flat().filter((b) => b.loaded)).toEqual([]);
    const after = (await db.query(perHost)).rows;
    expect(after.slice(0, 2)).toEqual(before);
    expect(after[2]).toMatchObject({ host: 'h9', n: 1 });
    db.core.durability!.simulateCrash();
    db = await Strata.create({ dataDir: dir });
    expect((await db.query(perHost)).rows).toEqual(after);
    await db.close();
  });

  it('a damaged batch file: the server starts, the queries that need it fail with XX001 naming it, the others work', async () => {
    const dir = tempDir();
    let db = await load(dir);
    const dayOneBefore = (await db.query(dayOne)).rows;
    await db.close();
    // the first sealed batch of the second day's chunk on one node
    db = await Strata.create({ dataDir: dir });
    const chunks = db.core.catalog.listHypertables().find((t) => t.name === 'm')!.hypertable!.chunks;
    const secondDay = [...chunks].sort((a, b) => b.timeStart - a.timeStart)[0]!;
    db.core.durability!.simulateCrash();
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name));
        else if (new RegExp(`^chunk${secondDay.id}\\.c\\d+\\.b0\\.arrow$`).test(e.name)) files.push(path.join(d, e.name));
      }
    };
    walk(path.join(dir, 'checkpoint'));
    expect(files.length).toBeGreaterThan(0);
    const victim = files[0]!;
    const bytes = fs.readFileSync(victim);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x40;
    fs.writeFileSync(victim, bytes);
    db = await Strata.create({ dataDir: dir });
    expect((await db.query(dayOne)).rows).toEqual(dayOneBefore);
    for (let k = 0; k < 2; k++) {
      await expect(db.query('SELECT count(*) FROM m')).rejects.toMatchObject({
        code: 'XX001',
        message: expect.stringContaining(`could not read data file "${victim}": checksum mismatch`),
      });
    }
    db.core.durability!.simulateCrash();
  });
});
