import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Strata } from '../strata.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-durable-'));
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

async function dump(db: Strata, sql: string): Promise<unknown[]> {
  return (await db.query(sql, [], { rowMode: 'text' })).rows;
}

describe('data directory: recovery after a crash', () => {
  it('plain tables: committed inserts, updates, deletes survive; rolled-back work does not', async () => {
    const dir = tempDir();
    let db = await Strata.create({ dataDir: dir });
    expect(db.recovery!.created).toBe(true);
    await db.exec(`CREATE TABLE t (id int PRIMARY KEY, name text, v numeric, at timestamptz, tags text[], d interval)`);
    await db.exec(`INSERT INTO t SELECT g, 'n' || (g % 7), g * 1.5, '2024-01-01'::timestamptz + g * interval '1 min', ARRAY['a', 'b' || g], g * interval '1 hour' FROM generate_series(1, 5000) g`);
    await db.exec(`UPDATE t SET name = 'updated' WHERE id % 10 = 0`);
    await db.exec(`DELETE FROM t WHERE id % 3 = 0`);
    await db.exec(`BEGIN; INSERT INTO t VALUES (90001, 'rolled back', 1, now(), NULL, NULL); ROLLBACK`);
    await db.exec(`BEGIN; INSERT INTO t VALUES (90002, 'kept', 1, now(), NULL, NULL); SAVEPOINT s; INSERT INTO t VALUES (90003, 'undone', 1, now(), NULL, NULL); ROLLBACK TO s; COMMIT`);
    const before = await dump(db, 'SELECT * FROM t ORDER BY id');
    crash(db);
    db = await Strata.create({ dataDir: dir });
    expect(db.recovery!.created).toBe(false);
    expect(db.recovery!.records).toBeGreaterThan(0);
    expect(await dump(db, 'SELECT * FROM t ORDER BY id')).toEqual(before);
    expect((await db.query('SELECT count(*)::int AS n FROM t WHERE id >= 90000')).rows).toEqual([{ n: 1 }]);
    // the primary key index is rebuilt: a duplicate is still refused
    await expect(db.query(`INSERT INTO t (id) VALUES (1)`)).rejects.toMatchObject({ code: '23505' });
    await db.close();
  });

  it('an uncommitted transaction open at the crash leaves no trace', async () => {
    const dir = tempDir();
    let db = await Strata.create({ dataDir: dir });
    await db.exec('CREATE TABLE t (a int)');
    await db.query('INSERT INTO t VALUES (1)');
    const other = db.connect();
    await other.exec('BEGIN; INSERT INTO t VALUES (2); CREATE TABLE u (x int); INSERT INTO u VALUES (7)');
    await db.query('INSERT INTO t VALUES (3)'); // a commit while the other transaction is open
    crash(db);
    db = await Strata.create({ dataDir: dir });
    expect(await dump(db, 'SELECT a FROM t ORDER BY a')).toEqual([['1'], ['3']]);
    await expect(db.query('SELECT * FROM u')).rejects.toMatchObject({ code: '42P01' });
    await db.close();
  });

  it('ALTER TABLE on a populated table (ADD COLUMN … DEFAULT, DROP COLUMN), DROP TABLE, serial columns', async () => {
    const dir = tempDir();
    let db = await Strata.create({ dataDir: dir });
    await db.exec(`CREATE TABLE s (id serial PRIMARY KEY, a int, b text)`);
    await db.exec(`INSERT INTO s (a, b) SELECT g, 'x' || g FROM generate_series(1, 100) g`);
    await db.exec(`ALTER TABLE s ADD COLUMN c int DEFAULT 42`);
    await db.exec(`INSERT INTO s (a, b, c) VALUES (101, 'y', 7)`);
    await db.exec(`ALTER TABLE s DROP COLUMN b`);
    await db.exec(`INSERT INTO s (a) VALUES (102)`);
    await db.exec(`CREATE TABLE gone (x int); INSERT INTO gone VALUES (1); DROP TABLE gone`);
    await db.query(`INSERT INTO s (a) VALUES (103)`);
    const before = await dump(db, 'SELECT * FROM s ORDER BY id');
    crash(db);
    db = await Strata.create({ dataDir: dir });
    expect(await dump(db, 'SELECT * FROM s ORDER BY id')).toEqual(before);
    await expect(db.query('SELECT * FROM gone')).rejects.toMatchObject({ code: '42P01' });
    await db.query(`INSERT INTO s (a) VALUES (104)`);
    expect((await db.query(`SELECT id, c FROM s WHERE a = 104`)).rows).toEqual([{ id: 104, c: 42 }]);
    await db.close();
  });

  it('distributed hypertable on 3 data nodes with replication: chunks, data and drop_chunks survive', async () => {
    const dir = tempDir();
    let db = await Strata.create({ dataDir: dir });
    for (const n of ['dn1', 'dn2', 'dn3']) await db.query(`SELECT add_data_node('${n}')`);
    await db.exec(`CREATE TABLE conditions (time timestamptz NOT NULL, device text, temp double precision)`);
    await db.query(`SELECT create_distributed_hypertable('conditions', 'time', 'device', replication_factor => 2, chunk_time_interval => interval '1 day')`);
    await db.exec(`INSERT INTO conditions SELECT '2024-01-01'::timestamptz + g * interval '10 min', 'dev' || (g % 5), g * 0.25 FROM generate_series(0, 3000) g`);
    await db.query(`SELECT drop_chunks('conditions', older_than => '2024-01-03'::timestamptz)`);
    await db.exec(`DELETE FROM conditions WHERE device = 'dev1' AND time < '2024-01-10'`);
    const q = `SELECT device, count(*), sum(temp), min(time), max(time) FROM conditions GROUP BY device ORDER BY device`;
    const chunks = `SELECT chunk_name, range_start, range_end, data_nodes FROM timescaledb_information.chunks ORDER BY chunk_name`;
    const before = [await dump(db, q), await dump(db, chunks), await dump(db, 'SELECT node_name FROM timescaledb_information.data_nodes ORDER BY 1')];
    crash(db);
    db = await Strata.create({ dataDir: dir });
    expect([await dump(db, q), await dump(db, chunks), await dump(db, 'SELECT node_name FROM timescaledb_information.data_nodes ORDER BY 1')]).toEqual(before);
    // new chunks after recovery get fresh ids and land on the nodes
    await db.exec(`INSERT INTO conditions VALUES ('2025-06-01', 'dev9', 1)`);
    expect((await db.query(`SELECT count(*)::int AS n FROM conditions WHERE device = 'dev9'`)).rows).toEqual([{ n: 1 }]);
    await db.close();
  });

  // crash-more seed D lost acknowledged rows this way: a concurrent transaction's rollback took the chunk
  for (const checkpoint of [false, true]) {
    it(`a row committed into a chunk whose creator rolled back survives a crash${checkpoint ? ' after a checkpoint' : ''}`, async () => {
      const dir = tempDir();
      let db = await Strata.create({ dataDir: dir });
      for (const n of ['dn1', 'dn2', 'dn3']) await db.query(`SELECT add_data_node('${n}')`);
      await db.exec(`CREATE TABLE conditions (time timestamptz NOT NULL, device text, v float8)`);
      await db.query(`SELECT create_distributed_hypertable('conditions', 'time', 'device', chunk_time_interval => interval '1 hour')`);
      await db.query(`INSERT INTO conditions VALUES ('2024-01-01 00:10+00', 'd1', 0)`);
      const creator = db.connect();
      const other = db.connect();
      const gone = db.connect();
      await creator.exec(`BEGIN; INSERT INTO conditions VALUES ('2024-01-01 03:10+00', 'd3', 1), ('2024-01-01 05:10+00', 'd3', 10)`);
      await other.exec(`BEGIN; INSERT INTO conditions VALUES ('2024-01-01 03:20+00', 'd3', 2)`);
      await gone.exec(`BEGIN; INSERT INTO conditions VALUES ('2024-01-01 05:20+00', 'd3', 20)`);
      await creator.exec('ROLLBACK');
      await other.exec('COMMIT');
      await gone.exec('ROLLBACK');
      const q = 'SELECT v FROM conditions ORDER BY v';
      const chunks = `SELECT range_start FROM timescaledb_information.chunks ORDER BY 1`;
      const before = [await dump(db, q), await dump(db, chunks)];
      expect(before).toEqual([[['0'], ['2']], [['2024-01-01 00:00:00+00'], ['2024-01-01 03:00:00+00']]]);
      if (checkpoint) await db.exec('CHECKPOINT');
      crash(db);
      db = await Strata.create({ dataDir: dir });
      expect([await dump(db, q), await dump(db, chunks)]).toEqual(before);
      await db.close();
    });
  }

  it('checkpoint + log tail: state is the same, the log is cut, a clean close replays nothing', async () => {
    const dir = tempDir();
    let db = await Strata.create({ dataDir: dir });
    await db.exec(`CREATE TABLE t (a int, b text)`);
    await db.exec(`INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 20000) g`);
    await db.exec('CHECKPOINT');
    expect(fs.readFileSync(path.join(dir, 'CURRENT'), 'utf8').trim()).toMatch(/^[0-9a-f]{16}$/);
    await db.exec(`DELETE FROM t WHERE a % 2 = 0`);
    await db.exec(`INSERT INTO t VALUES (-1, 'after checkpoint')`);
    const before = await dump(db, 'SELECT * FROM t ORDER BY a');
    crash(db);
    db = await Strata.create({ dataDir: dir });
    expect(db.recovery!.checkpointLsn).not.toBeNull();
    expect(db.recovery!.checkpointRows).toBe(20000);
    expect(await dump(db, 'SELECT * FROM t ORDER BY a')).toEqual(before);
    await db.close();
    db = await Strata.create({ dataDir: dir });
    expect(db.recovery!.records).toBe(0);
    expect(await dump(db, 'SELECT * FROM t ORDER BY a')).toEqual(before);
    await db.close();
  });

  it('a second engine on the same directory is refused while the first runs', async () => {
    const dir = tempDir();
    const db = await Strata.create({ dataDir: dir });
    await expect(Strata.create({ dataDir: dir })).rejects.toMatchObject({ code: '55006' });
    await db.close();
    const again = await Strata.create({ dataDir: dir });
    await again.close();
  });
});
