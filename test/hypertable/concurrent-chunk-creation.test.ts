/**
 * A chunk is created by the first transaction that writes into its range, and the catalog is shared:
 * a concurrent transaction finds the new chunk and writes into it before its creator ends. The
 * creator's rollback must not take the chunk away from under those rows (before the fix, a row
 * committed that way was acknowledged and then invisible, and gone after a restart).
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

describe('a chunk created by one transaction and written by another', () => {
  it('creator rolls back, the other commits: its row stays visible in the chunk', async () => {
    const creator = db.connect();
    const other = db.connect();
    await creator.exec(`BEGIN; INSERT INTO conditions VALUES (${HOUR3(10)}, 'd3', 1)`);
    await other.exec(`BEGIN; INSERT INTO conditions VALUES (${HOUR3(20)}, 'd3', 2)`);
    await creator.exec('ROLLBACK');
    expect(await chunkCount()).toBe(2);
    await other.exec('COMMIT');
    expect(await values()).toEqual(['0', '2']);
    expect(await chunkCount()).toBe(2);
    // the chunk is an ordinary one now: later writes and a rollback of them leave it alone
    await db.exec(`BEGIN; INSERT INTO conditions VALUES (${HOUR3(30)}, 'd3', 3); ROLLBACK`);
    await db.query(`INSERT INTO conditions VALUES (${HOUR3(40)}, 'd3', 4)`);
    expect(await values()).toEqual(['0', '2', '4']);
    expect(await chunkCount()).toBe(2);
  });

  it('autocommit statements of the other session commit into the chunk while the creator is open', async () => {
    const creator = db.connect();
    await creator.exec(`BEGIN; INSERT INTO conditions VALUES (${HOUR3(10)}, 'd3', 1)`);
    await db.query(`INSERT INTO conditions VALUES (${HOUR3(20)}, 'd3', 2)`);
    await creator.exec('ROLLBACK');
    expect(await values()).toEqual(['0', '2']);
    expect(await chunkCount()).toBe(2);
  });

  it('both roll back: the chunk goes with the last of them', async () => {
    const creator = db.connect();
    const other = db.connect();
    await creator.exec(`BEGIN; INSERT INTO conditions VALUES (${HOUR3(10)}, 'd3', 1)`);
    await other.exec(`BEGIN; INSERT INTO conditions VALUES (${HOUR3(20)}, 'd3', 2)`);
    await creator.exec('ROLLBACK');
    expect(await chunkCount()).toBe(2);
    await other.exec('ROLLBACK');
    expect(await chunkCount()).toBe(1);
    expect(await values()).toEqual(['0']);
    // and the range gets a new chunk when written again
    await db.query(`INSERT INTO conditions VALUES (${HOUR3(30)}, 'd3', 3)`);
    expect(await values()).toEqual(['0', '3']);
    expect(await chunkCount()).toBe(2);
  });

  it('a third transaction joining after the creator rolled back keeps the chunk until it ends too', async () => {
    const creator = db.connect();
    const second = db.connect();
    const third = db.connect();
    await creator.exec(`BEGIN; INSERT INTO conditions VALUES (${HOUR3(10)}, 'd3', 1)`);
    await second.exec(`BEGIN; INSERT INTO conditions VALUES (${HOUR3(20)}, 'd3', 2)`);
    await creator.exec('ROLLBACK');
    await third.exec(`BEGIN; INSERT INTO conditions VALUES (${HOUR3(30)}, 'd3', 3)`);
    await second.exec('ROLLBACK');
    expect(await chunkCount()).toBe(2);
    await third.exec('COMMIT');
    expect(await values()).toEqual(['0', '3']);
    expect(await chunkCount()).toBe(2);
  });

  it('the other transaction went back to a savepoint before its rows: the chunk goes with the creator', async () => {
    const creator = db.connect();
    const other = db.connect();
    await creator.exec(`BEGIN; INSERT INTO conditions VALUES (${HOUR3(10)}, 'd3', 1)`);
    await other.exec(`BEGIN; SAVEPOINT s; INSERT INTO conditions VALUES (${HOUR3(20)}, 'd3', 2); ROLLBACK TO SAVEPOINT s`);
    await creator.exec('ROLLBACK');
    expect(await chunkCount()).toBe(1);
    await other.exec('COMMIT');
    expect(await values()).toEqual(['0']);
  });

  it('the creator rolls back to a savepoint while the other still writes: the other commit keeps its row', async () => {
    const creator = db.connect();
    const other = db.connect();
    await creator.exec(`BEGIN; SAVEPOINT s; INSERT INTO conditions VALUES (${HOUR3(10)}, 'd3', 1)`);
    await other.exec(`BEGIN; INSERT INTO conditions VALUES (${HOUR3(20)}, 'd3', 2)`);
    await creator.exec('ROLLBACK TO SAVEPOINT s');
    await other.exec('COMMIT');
    await creator.exec('COMMIT');
    expect(await values()).toEqual(['0', '2']);
    expect(await chunkCount()).toBe(2);
  });
});
