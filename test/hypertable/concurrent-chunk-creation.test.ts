/**
 * Chunks are created and dropped in place in the shared catalog, by transactions that may still roll
 * back, while other transactions write. A concurrent transaction finds a new chunk and writes into it
 * before its creator ends: the creator's rollback must not take the chunk away from under those rows
 * (a row committed that way was acknowledged, then invisible, and gone after a restart). And the
 * rollback of a drop must neither collide with a chunk created meanwhile for the same range nor
 * remove chunks created meanwhile for other ranges.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Strata } from '../../packages/server/src/index.js';

let db: Strata;
beforeEach(async () => {
  db = await Strata.create();
  for (const n of ['dn1', 'dn2', 'dn3']) await db.query(`SELECT add_data_node('${n}')`);
  await db.exec(`CREATE TABLE conditions (time timestamptz NOT NULL, device text, v float8)`);
  await db.query(`SELECT create_distributed_hypertable('conditions', 'time', 'device', chunk_time_interval => interval '1 hour')`);
  await db.query(`INSERT INTO conditions VALUES ('2024-01-01 00:10+00', 'd1', 0)`);
});
afterEach(async () => {
  await db.close();
});

async function values(): Promise<string[]> {
  return (await db.query<{ v: number }>('SELECT v FROM conditions ORDER BY v')).rows.map((r) => String(r.v));
}

async function chunkCount(): Promise<number> {
  return Number((await db.query(`SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'conditions'`)).rows[0]!.n);
}

const HOUR3 = (minute: number) => `'2024-01-01 03:${String(minute).padStart(2, '0')}+00'`;
/** A row of the 03:00 chunk's range (device d3: one space partition). */
const insertAt3 = (minute: number, v: number) => `INSERT INTO conditions VALUES (${HOUR3(minute)}, 'd3', ${v})`;

describe('a chunk created by one transaction and written by another', () => {
  it('creator rolls back, the other commits: its row stays visible in the chunk', async () => {
    const creator = db.connect();
    const other = db.connect();
    await creator.exec(`BEGIN; ${insertAt3(10, 1)}`);
    await other.exec(`BEGIN; ${insertAt3(20, 2)}`);
    await creator.exec('ROLLBACK');
    expect(await chunkCount()).toBe(2);
    await other.exec('COMMIT');
    expect(await values()).toEqual(['0', '2']);
    expect(await chunkCount()).toBe(2);
    // the chunk is an ordinary one now: later writes and a rollback of them leave it alone
    await db.exec(`BEGIN; ${insertAt3(30, 3)}; ROLLBACK`);
    await db.query(insertAt3(40, 4));
    expect(await values()).toEqual(['0', '2', '4']);
    expect(await chunkCount()).toBe(2);
  });

  it('autocommit statements of the other session commit into the chunk while the creator is open', async () => {
    const creator = db.connect();
    await creator.exec(`BEGIN; ${insertAt3(10, 1)}`);
    await db.query(insertAt3(20, 2));
    await creator.exec('ROLLBACK');
    expect(await values()).toEqual(['0', '2']);
    expect(await chunkCount()).toBe(2);
  });

  it('both roll back: the chunk goes with the last of them', async () => {
    const creator = db.connect();
    const other = db.connect();
    await creator.exec(`BEGIN; ${insertAt3(10, 1)}`);
    await other.exec(`BEGIN; ${insertAt3(20, 2)}`);
    await creator.exec('ROLLBACK');
    expect(await chunkCount()).toBe(2);
    await other.exec('ROLLBACK');
    expect(await chunkCount()).toBe(1);
    expect(await values()).toEqual(['0']);
    // and the range gets a new chunk when written again
    await db.query(insertAt3(30, 3));
    expect(await values()).toEqual(['0', '3']);
    expect(await chunkCount()).toBe(2);
  });

  it('a third transaction joining after the creator rolled back keeps the chunk until it ends too', async () => {
    const creator = db.connect();
    const second = db.connect();
    const third = db.connect();
    await creator.exec(`BEGIN; ${insertAt3(10, 1)}`);
    await second.exec(`BEGIN; ${insertAt3(20, 2)}`);
    await creator.exec('ROLLBACK');
    await third.exec(`BEGIN; ${insertAt3(30, 3)}`);
    await second.exec('ROLLBACK');
    expect(await chunkCount()).toBe(2);
    await third.exec('COMMIT');
    expect(await values()).toEqual(['0', '3']);
    expect(await chunkCount()).toBe(2);
  });

  it('the other transaction went back to a savepoint before its rows: the chunk goes with the creator', async () => {
    const creator = db.connect();
    const other = db.connect();
    await creator.exec(`BEGIN; ${insertAt3(10, 1)}`);
    await other.exec(`BEGIN; SAVEPOINT s; ${insertAt3(20, 2)}; ROLLBACK TO SAVEPOINT s`);
    await creator.exec('ROLLBACK');
    expect(await chunkCount()).toBe(1);
    await other.exec('COMMIT');
    expect(await values()).toEqual(['0']);
  });

  it('the creator rolls back to a savepoint while the other still writes: the other commit keeps its row', async () => {
    const creator = db.connect();
    const other = db.connect();
    await creator.exec(`BEGIN; SAVEPOINT s; ${insertAt3(10, 1)}`);
    await other.exec(`BEGIN; ${insertAt3(20, 2)}`);
    await creator.exec('ROLLBACK TO SAVEPOINT s');
    await other.exec('COMMIT');
    await creator.exec('COMMIT');
    expect(await values()).toEqual(['0', '2']);
    expect(await chunkCount()).toBe(2);
  });
});

describe('chunks dropped by an open transaction', () => {
  const dropOld = `SELECT drop_chunks('conditions', older_than => '2024-01-01 03:00+00'::timestamptz)`;

  it('a write into a range an open transaction dropped gets 55P03 until that transaction ends', async () => {
    const dropper = db.connect();
    await dropper.exec(`BEGIN; ${dropOld}`);
    await expect(db.query(`INSERT INTO conditions VALUES ('2024-01-01 00:20+00', 'd1', 1)`)).rejects.toMatchObject({ code: '55P03' });
    await dropper.exec('ROLLBACK');
    await db.query(`INSERT INTO conditions VALUES ('2024-01-01 00:20+00', 'd1', 1)`);
    expect(await values()).toEqual(['0', '1']);
    expect(await chunkCount()).toBe(1);
    await dropper.exec(`BEGIN; ${dropOld}; COMMIT`);
    await db.query(`INSERT INTO conditions VALUES ('2024-01-01 00:30+00', 'd1', 2)`);
    expect(await values()).toEqual(['2']);
    expect(await chunkCount()).toBe(1);
  });

  it('TRUNCATE reserves the ranges the same way', async () => {
    const truncator = db.connect();
    await truncator.exec('BEGIN; TRUNCATE conditions');
    await expect(db.query(`INSERT INTO conditions VALUES ('2024-01-01 00:20+00', 'd1', 1)`)).rejects.toMatchObject({ code: '55P03' });
    await truncator.exec('ROLLBACK');
    expect(await values()).toEqual(['0']);
  });

  it('a chunk another transaction created meanwhile survives the rollback of the drop', async () => {
    const dropper = db.connect();
    await dropper.exec(`BEGIN; ${dropOld}`);
    await db.query(`INSERT INTO conditions VALUES ('2024-01-01 07:20+00', 'd1', 7)`);
    await dropper.exec('ROLLBACK');
    expect(await values()).toEqual(['0', '7']);
    expect(await chunkCount()).toBe(2);
  });

  it('the dropping transaction itself writes into the range: a new chunk, gone again with its rollback', async () => {
    const dropper = db.connect();
    await dropper.exec(`BEGIN; ${dropOld}; INSERT INTO conditions VALUES ('2024-01-01 00:20+00', 'd1', 1)`);
    expect((await dropper.query<{ v: number }>('SELECT v FROM conditions')).rows).toEqual([{ v: 1 }]);
    await dropper.exec('ROLLBACK');
    expect(await values()).toEqual(['0']);
    await dropper.exec(`BEGIN; ${dropOld}; INSERT INTO conditions VALUES ('2024-01-01 00:20+00', 'd1', 1); COMMIT`);
    expect(await values()).toEqual(['1']);
    expect(await chunkCount()).toBe(1);
  });

  it('ROLLBACK TO SAVEPOINT of the drop frees the range', async () => {
    const dropper = db.connect();
    await dropper.exec(`BEGIN; SAVEPOINT s; ${dropOld}; ROLLBACK TO SAVEPOINT s`);
    await db.query(`INSERT INTO conditions VALUES ('2024-01-01 00:20+00', 'd1', 1)`);
    await dropper.exec('COMMIT');
    expect(await values()).toEqual(['0', '1']);
  });
});
