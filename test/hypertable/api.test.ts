/**
 * TimescaleDB's chunk, size and information APIs, DDL on hypertables, and
 * replication / availability, through the embedding API. Every catalog change
 * is also checked to be undone by ROLLBACK.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Strata, DatabaseError } from '../../packages/server/src/index.js';

let db: Strata;
beforeEach(async () => {
  db = await Strata.create();
});
afterEach(async () => {
  await db.close();
});

type Row = (string | null)[];

async function rows(sql: string): Promise<Row[]> {
  return (await db.query(sql, [], { rowMode: 'text' })).rows as unknown as Row[];
}

async function col(sql: string): Promise<(string | null)[]> {
  return (await rows(sql)).map((r) => r[0]!);
}

async function one(sql: string): Promise<string | null> {
  return (await rows(sql))[0]![0]!;
}

async function fails(sql: string): Promise<DatabaseError> {
  try {
    await db.query(sql);
  } catch (e) {
    expect(e).toBeInstanceOf(DatabaseError);
    return e as DatabaseError;
  }
  throw new Error(`expected an error from: ${sql}`);
}

const HOSTS = ['a', 'b', 'c'];
/** 2024-01-01 .. 2024-01-05, one row per host and day: temp = day * 10 + host number */
function values(days = 5): string {
  const out: string[] = [];
  for (let d = 1; d <= days; d++) HOSTS.forEach((h, i) => out.push(`('2024-01-0${d} 12:00:00+00', '${h}', ${d * 10 + i})`));
  return out.join(', ');
}

/** conditions on dn1..dn3, 1-day chunks, space-partitioned on hostname; 15 rows. */
async function distributed(rf = 1): Promise<void> {
  for (const n of ['dn1', 'dn2', 'dn3']) await db.query(`SELECT add_data_node('${n}')`);
  await db.query('CREATE TABLE conditions (time timestamptz NOT NULL, hostname text, temp float8)');
  await db.query(`SELECT create_distributed_hypertable('conditions', 'time', 'hostname', replication_factor => ${rf}, chunk_time_interval => INTERVAL '1 day')`);
  await db.query(`INSERT INTO conditions VALUES ${values()}`);
}

/** A local hypertable with 1-day chunks and no space dimension: chunk i holds day i. */
async function local(): Promise<void> {
  await db.query('CREATE TABLE conditions (time timestamptz NOT NULL, hostname text, temp float8)');
  await db.query(`SELECT create_hypertable('conditions', 'time', chunk_time_interval => INTERVAL '1 day')`);
  await db.query(`INSERT INTO conditions VALUES ${values()}`);
}

function catalog() {
  return db.core.catalog;
}

function chunkCountOnNode(node: string): number {
  return catalog().nodeFor(node).chunkIds().length;
}

describe('show_chunks', () => {
  it('lists chunks as qualified names, filtered by older_than / newer_than', async () => {
    await local();
    const all = await col(`SELECT show_chunks('conditions')`);
    expect(all).toEqual([1, 2, 3, 4, 5].map((i) => `_timescaledb_internal._hyper_1_${i}_chunk`));
    // older_than: the chunk's range end ≤ the cut-off; newer_than: range start ≥ it
    expect(await col(`SELECT show_chunks('conditions', older_than => '2024-01-03')`)).toEqual(all.slice(0, 2));
    expect(await col(`SELECT show_chunks('conditions', older_than => '2024-01-03 00:00:01+00')`)).toEqual(all.slice(0, 2));
    expect(await col(`SELECT show_chunks('conditions', newer_than => '2024-01-03'::timestamptz)`)).toEqual(all.slice(2));
    expect(await col(`SELECT show_chunks('conditions', older_than => '2024-01-05', newer_than => '2024-01-02')`)).toEqual(all.slice(1, 4));
    expect(await col(`SELECT show_chunks('conditions', older_than => DATE '2024-01-02')`)).toEqual(all.slice(0, 1));
    expect(await col(`SELECT * FROM show_chunks('conditions', newer_than => '2024-01-05')`)).toEqual(all.slice(4));
    // an interval is relative to now(): all of 2024 is older than a day ago
    expect(await col(`SELECT show_chunks('conditions', older_than => INTERVAL '1 day')`)).toEqual(all);
    expect(await col(`SELECT show_chunks('conditions', newer_than => INTERVAL '1 day')`)).toEqual([]);
  });

  it('rejects bad arguments as TimescaleDB does', async () => {
    await local();
    await db.query('CREATE TABLE plain (t int)');
    expect((await fails(`SELECT show_chunks('plain')`)).code).toBe('TS001');
    expect((await fails(`SELECT show_chunks('nope')`)).code).toBe('42P01');
    const range = await fails(`SELECT show_chunks('conditions', older_than => '2024-01-02', newer_than => '2024-01-03')`);
    expect([range.code, range.message]).toEqual(['22023', 'invalid time range']);
    const type = await fails(`SELECT show_chunks('conditions', older_than => 5)`);
    expect([type.code, type.message, type.hint]).toEqual(['22023', 'invalid time argument type "integer"', 'Try casting the argument to "timestamp with time zone".']);
    expect((await fails(`SELECT show_chunks('conditions', created_before => now())`)).code).toBe('0A000');
  });

  it('works on integer time columns', async () => {
    await db.query('CREATE TABLE m (t int8 NOT NULL, v int)');
    await db.query(`SELECT create_hypertable('m', 't', chunk_time_interval => 10)`);
    await db.query('INSERT INTO m VALUES (1, 1), (12, 2), (25, 3)');
    expect(await col(`SELECT show_chunks('m', older_than => 20)`)).toEqual(['_timescaledb_internal._hyper_1_1_chunk', '_timescaledb_internal._hyper_1_2_chunk']);
    expect(await col(`SELECT show_chunks('m', newer_than => 10)`)).toEqual(['_timescaledb_internal._hyper_1_2_chunk', '_timescaledb_internal._hyper_1_3_chunk']);
    const iv = await fails(`SELECT show_chunks('m', older_than => INTERVAL '1 day')`);
    expect([iv.code, iv.message]).toEqual(['22023', 'can only use an INTERVAL for TIMESTAMP, TIMESTAMPTZ, and DATE types']);
  });
});

describe('drop_chunks', () => {
  it('drops whole chunks and their data on every replica; ROLLBACK brings them back', async () => {
    await distributed(2);
    const before = await col(`SELECT show_chunks('conditions')`);
    const onNodes = ['dn1', 'dn2', 'dn3'].map(chunkCountOnNode);
    await db.query('BEGIN');
    const dropped = await col(`SELECT drop_chunks('conditions', older_than => '2024-01-03')`);
    expect(dropped.length).toBeGreaterThan(0);
    expect(await one('SELECT count(*) FROM conditions')).toBe('9');
    expect(await col(`SELECT show_chunks('conditions')`)).toEqual(before.filter((c) => !dropped.includes(c)));
    await db.query('ROLLBACK');
    expect(await col(`SELECT show_chunks('conditions')`)).toEqual(before);
    expect(await one('SELECT count(*) FROM conditions')).toBe('15');
    expect(['dn1', 'dn2', 'dn3'].map(chunkCountOnNode)).toEqual(onNodes);

    const r = await db.query(`SELECT drop_chunks('conditions', newer_than => '2024-01-04', verbose => true)`, [], { rowMode: 'array' });
    expect(r.rows.length).toBeGreaterThan(0);
    expect(r.notices.map((n) => n.message)).toEqual((r.rows as unknown as string[][]).map((x) => `dropping chunk ${x[0]}`));
    expect(await one('SELECT count(*) FROM conditions')).toBe('9');
    expect(await one(`SELECT max(time) < '2024-01-04' FROM conditions`)).toBe('t');
    // the dropped stores left their data nodes
    const remaining = catalog().getTable(undefined, 'conditions').hypertable!.chunks.reduce((n, c) => n + c.nodes.length, 0);
    expect(['dn1', 'dn2', 'dn3'].map(chunkCountOnNode).reduce((a, b) => a + b)).toBe(remaining);
  });

  it('needs a cut-off and a hypertable', async () => {
    await local();
    const e = await fails(`SELECT drop_chunks('conditions')`);
    expect([e.code, e.message]).toEqual(['22023', 'invalid time range for dropping chunks']);
    expect(await col(`SELECT drop_chunks('conditions', older_than => '2000-01-01')`)).toEqual([]);
  });
});

describe('sizes and row counts', () => {
  it('report bytes per data node and per chunk replica', async () => {
    await distributed(2);
    const detailed = await rows(`SELECT * FROM hypertable_detailed_size('conditions') ORDER BY node_name`);
    expect(detailed.map((r) => r[4])).toEqual(['dn1', 'dn2', 'dn3', null]);
    for (const r of detailed) expect(Number(r[3])).toBe(Number(r[0]) + Number(r[1]) + Number(r[2]));
    const total = detailed.reduce((n, r) => n + Number(r[3]), 0);
    expect(Number(await one(`SELECT hypertable_size('conditions')`))).toBe(total);
    expect(total).toBeGreaterThan(0);
    const chunks = await rows(`SELECT chunk_schema, chunk_name, total_bytes, node_name FROM chunks_detailed_size('conditions')`);
    // one row per replica: every chunk twice
    const numChunks = Number(await one(`SELECT count(*) FROM show_chunks('conditions')`));
    expect(chunks.length).toBe(2 * numChunks);
    expect(chunks.reduce((n, r) => n + Number(r[2]), 0)).toBe(total);
    expect(await one(`SELECT approximate_row_count('conditions')`)).toBe('15');
  });

  it('on local hypertables and plain tables', async () => {
    await local();
    await db.query('CREATE TABLE plain (x int)');
    await db.query('INSERT INTO plain SELECT generate_series(1, 7)');
    const d = await rows(`SELECT * FROM hypertable_detailed_size('conditions')`);
    expect(d.length).toBe(1);
    expect(d[0]![4]).toBeNull();
    expect(await one(`SELECT hypertable_size('conditions')`)).toBe(d[0]![3]);
    expect(await one(`SELECT hypertable_size('plain')`)).toBeNull();
    expect(await rows(`SELECT * FROM hypertable_detailed_size('plain')`)).toEqual([]);
    expect((await rows(`SELECT * FROM chunks_detailed_size('conditions')`)).map((r) => r[6])).toEqual([null, null, null, null, null]);
    expect(await one(`SELECT approximate_row_count('plain')`)).toBe('7');
    expect(await one(`SELECT approximate_row_count('conditions')`)).toBe('15');
    await db.query('CREATE INDEX conditions_host_idx ON conditions (hostname)');
    expect(await one(`SELECT hypertable_index_size('conditions_host_idx')`)).toBe('0');
  });
});

describe('CALL distributed_exec', () => {
  it('accepts catalog statements as per-node no-ops and refuses data statements', async () => {
    await distributed();
    expect((await db.query(`CALL distributed_exec('CREATE TABLE foo (x int)')`)).command).toBe('CALL');
    await db.query(`CALL distributed_exec($$CREATE SCHEMA s$$, node_list => '{dn1,dn2}')`);
    const sel = await fails(`CALL distributed_exec('SELECT 1')`);
    expect(sel.code).toBe('0A000');
    expect(sel.message).toContain('SELECT');
    expect((await fails(`CALL distributed_exec('INSERT INTO conditions VALUES (now(), ''x'', 1)')`)).code).toBe('0A000');
    expect((await fails(`CALL distributed_exec('CREATE TABLE', '{dn1}')`)).code).toBe('42601');
    expect((await fails(`CALL distributed_exec('CREATE TABLE foo (x int)', '{dn9}')`)).code).toBe('42704');
    expect((await fails(`CALL no_such_procedure()`)).code).toBe('42883');
    await db.query('BEGIN');
    await db.query(`CALL distributed_exec('CREATE TABLE foo (x int)')`);
    await db.query('ROLLBACK');
  });
});

describe('timescaledb_information views', () => {
  it('hypertables, dimensions and data_nodes', async () => {
    await distributed(2);
    await db.query('CREATE TABLE m (t int NOT NULL, v int)');
    await db.query(`SELECT create_hypertable('m', 't', chunk_time_interval => 10)`);
    expect(await rows('SELECT * FROM timescaledb_information.hypertables ORDER BY hypertable_name')).toEqual([
      ['public', 'conditions', 'strata', '2', String((await col(`SELECT show_chunks('conditions')`)).length), 'f', 't', '2', '{dn1,dn2,dn3}', null],
      ['public', 'm', 'strata', '1', '0', 'f', 'f', null, null, null],
    ]);
    expect(await rows('SELECT * FROM timescaledb_information.dimensions ORDER BY hypertable_name, dimension_number')).toEqual([
      ['public', 'conditions', '1', 'time', 'timestamp with time zone', 'Time', '1 day', null, null, null],
      ['public', 'conditions', '2', 'hostname', 'text', 'Space', null, null, null, '3'],
      ['public', 'm', '1', 't', 'integer', 'Time', null, '10', null, null],
    ]);
    await db.query(`SELECT alter_data_node('dn3', available => false)`);
    expect(await rows('SELECT node_name, owner, options FROM timescaledb_information.data_nodes ORDER BY node_name')).toEqual([
      ['dn1', 'strata', '{host=localhost,port=5432,dbname=strata}'],
      ['dn2', 'strata', '{host=localhost,port=5432,dbname=strata}'],
      ['dn3', 'strata', '{host=localhost,port=5432,dbname=strata,available=false}'],
    ]);
    expect(await one(`SELECT count(*) FROM timescaledb_information.hypertables WHERE is_distributed`)).toBe('1');
  });

  it('chunks with time and integer ranges', async () => {
    await local();
    await db.query('CREATE TABLE m (t int NOT NULL, v int)');
    await db.query(`SELECT create_hypertable('m', 't', chunk_time_interval => 10)`);
    await db.query('INSERT INTO m VALUES (5, 1), (-3, 2)');
    expect(await rows(`SELECT * FROM timescaledb_information.chunks WHERE hypertable_name = 'conditions' AND range_start < '2024-01-03'`)).toEqual([
      ['public', 'conditions', '_timescaledb_internal', '_hyper_1_1_chunk', 'time', 'timestamp with time zone', '2024-01-01 00:00:00+00', '2024-01-02 00:00:00+00', null, null, 'f', null, null],
      ['public', 'conditions', '_timescaledb_internal', '_hyper_1_2_chunk', 'time', 'timestamp with time zone', '2024-01-02 00:00:00+00', '2024-01-03 00:00:00+00', null, null, 'f', null, null],
    ]);
    expect(await rows(`SELECT chunk_name, primary_dimension_type, range_start, range_start_integer, range_end_integer FROM timescaledb_information.chunks WHERE hypertable_name = 'm' ORDER BY range_start_integer`)).toEqual([
      ['_hyper_2_7_chunk', 'integer', null, '-10', '0'],
      ['_hyper_2_6_chunk', 'integer', null, '0', '10'],
    ]);
  });

  it('chunk_replication_status and per-chunk data nodes', async () => {
    await distributed(2);
    const status = await rows('SELECT * FROM timescaledb_experimental.chunk_replication_status');
    const chunks = await rows(`SELECT chunk_name, data_nodes FROM timescaledb_information.chunks`);
    expect(status.length).toBe(chunks.length);
    for (const [i, s] of status.entries()) {
      expect(s.slice(0, 3)).toEqual(['public', 'conditions', '_timescaledb_internal']);
      expect(s[3]).toBe(chunks[i]![0]);
      expect([s[4], s[5]]).toEqual(['2', '2']);
      const replicas = s[6]!.slice(1, -1).split(',');
      expect(`{${[...replicas].sort().join(',')}}`).toBe(chunks[i]![1]);
      expect(s[7]).toBe(`{${['dn1', 'dn2', 'dn3'].filter((n) => !replicas.includes(n)).join(',')}}`);
    }
  });
});

describe('DDL on hypertables', () => {
  it('ADD COLUMN reaches every chunk replica, with its DEFAULT for existing rows; ROLLBACK removes it', async () => {
    await distributed(2);
    await db.query('BEGIN');
    await db.query('ALTER TABLE conditions ADD COLUMN humidity int DEFAULT 7');
    await db.query(`INSERT INTO conditions VALUES ('2024-01-09', 'a', 1, 50)`);
    await db.query('ROLLBACK');
    expect(await fails('SELECT humidity FROM conditions')).toMatchObject({ code: '42703' });
    await db.query('ALTER TABLE conditions ADD COLUMN humidity int DEFAULT 7');
    await db.query(`INSERT INTO conditions VALUES ('2024-01-09', 'a', 1, 50)`);
    expect(await rows('SELECT humidity, count(*) FROM conditions GROUP BY 1 ORDER BY 1')).toEqual([['7', '15'], ['50', '1']]);
    for (const c of catalog().getTable(undefined, 'conditions').hypertable!.chunks) {
      for (const st of c.stores.values()) expect(st.columns.map((x) => x.name)).toEqual(['time', 'hostname', 'temp', 'humidity']);
    }
    expect((await fails('ALTER TABLE conditions ADD COLUMN x int NOT NULL')).code).toBe('23502');
    expect((await fails('ALTER TABLE conditions ADD COLUMN k int UNIQUE')).code).toBe('TS103');
  });

  it('DROP COLUMN removes the column from every replica at commit; ROLLBACK keeps its data', async () => {
    await distributed(2);
    await db.query('BEGIN');
    await db.query('ALTER TABLE conditions DROP COLUMN temp');
    expect((await fails('SELECT temp FROM conditions')).code).toBe('42703');
    await db.query('ROLLBACK');
    expect(await one('SELECT sum(temp) FROM conditions')).toBe('465');
    await db.query('ALTER TABLE conditions DROP COLUMN temp');
    await db.query(`INSERT INTO conditions VALUES ('2024-01-20', 'z')`);
    expect(await rows(`SELECT * FROM conditions WHERE hostname = 'z'`)).toEqual([['2024-01-20 00:00:00+00', 'z']]);
    for (const c of catalog().getTable(undefined, 'conditions').hypertable!.chunks) {
      for (const st of c.stores.values()) expect(st.columns.map((x) => x.name)).toEqual(['time', 'hostname']);
    }
    const e = await fails('ALTER TABLE conditions DROP COLUMN hostname');
    expect([e.code, e.message]).toEqual(['42P16', 'cannot drop column named in partition key']);
  });

  it('RENAME COLUMN, SET / DROP NOT NULL across chunks, each undone by ROLLBACK', async () => {
    await distributed(2);
    await db.query('BEGIN');
    await db.query('ALTER TABLE conditions RENAME COLUMN temp TO temperature');
    expect(await one('SELECT sum(temperature) FROM conditions')).toBe('465');
    await db.query('ROLLBACK');
    expect(await one('SELECT sum(temp) FROM conditions')).toBe('465');

    await db.query('BEGIN');
    await db.query('ALTER TABLE conditions ALTER COLUMN temp SET NOT NULL');
    expect((await fails(`INSERT INTO conditions VALUES ('2024-01-02', 'a', NULL)`)).code).toBe('23502');
    await db.query('ROLLBACK');
    await db.query(`INSERT INTO conditions VALUES ('2024-01-02', 'a', NULL)`);
    // a NULL in any chunk blocks SET NOT NULL
    expect((await fails('ALTER TABLE conditions ALTER COLUMN temp SET NOT NULL')).code).toBe('23502');
    const e = await fails('ALTER TABLE conditions ALTER COLUMN time DROP NOT NULL');
    expect([e.code, e.message]).toEqual(['TS101', 'cannot drop not-null constraint from a time-partitioned column']);
    await db.query('ALTER TABLE conditions ALTER COLUMN hostname SET NOT NULL');
    await db.query('ALTER TABLE conditions ALTER COLUMN hostname DROP NOT NULL');
    await db.query(`INSERT INTO conditions VALUES ('2024-01-02', NULL, 1)`);
  });

  it('UNIQUE indexes must include the partitioning columns and hold per chunk', async () => {
    await distributed(2);
    const e = await fails('CREATE UNIQUE INDEX ON conditions (time)');
    expect([e.code, e.message]).toEqual(['TS103', 'cannot create a unique index without the column "hostname" (used in partitioning)']);
    expect((await fails('ALTER TABLE conditions ADD PRIMARY KEY (hostname)')).code).toBe('TS103');
    await db.query('BEGIN');
    await db.query('CREATE UNIQUE INDEX conditions_uq ON conditions (time, hostname)');
    expect((await fails(`INSERT INTO conditions VALUES ('2024-01-01 12:00:00+00', 'a', 1)`)).code).toBe('23505');
    await db.query('ROLLBACK');
    // an existing duplicate (inside one chunk) blocks the index; dropping its chunk lifts that
    await db.query(`INSERT INTO conditions VALUES ('2024-01-01 12:00:00+00', 'a', 1)`);
    expect((await fails('CREATE UNIQUE INDEX conditions_uq ON conditions (time, hostname)')).code).toBe('23505');
    await db.query(`SELECT drop_chunks('conditions', older_than => '2024-01-02')`);
    await db.query('ALTER TABLE conditions ADD CONSTRAINT conditions_pk PRIMARY KEY (time, hostname)');
    expect((await fails(`INSERT INTO conditions VALUES ('2024-01-03 12:00:00+00', 'b', 1)`)).code).toBe('23505');
    // a chunk created afterwards gets the key too
    await db.query(`INSERT INTO conditions VALUES ('2024-02-01', 'b', 1)`);
    expect((await fails(`INSERT INTO conditions VALUES ('2024-02-01', 'b', 2)`)).code).toBe('23505');
    await db.query('CREATE INDEX ON conditions (temp)');
  });

  it('TRUNCATE drops all chunks; ROLLBACK restores them', async () => {
    await distributed(2);
    const chunks = await col(`SELECT show_chunks('conditions')`);
    await db.query('BEGIN');
    await db.query('TRUNCATE conditions');
    expect(await one('SELECT count(*) FROM conditions')).toBe('0');
    expect(await col(`SELECT show_chunks('conditions')`)).toEqual([]);
    await db.query('ROLLBACK');
    expect(await col(`SELECT show_chunks('conditions')`)).toEqual(chunks);
    expect(await one('SELECT count(*) FROM conditions')).toBe('15');
    await db.query('TRUNCATE conditions');
    expect(['dn1', 'dn2', 'dn3'].map(chunkCountOnNode)).toEqual([0, 0, 0]);
    // an aggregate without GROUP BY still returns its one row when no chunk is left
    expect(await rows('SELECT count(*) FROM conditions')).toEqual([['0']]);
    await db.query(`INSERT INTO conditions VALUES ('2024-01-01', 'a', 1)`);
    expect(await one('SELECT count(*) FROM conditions')).toBe('1');
  });

  it('DROP TABLE drops the chunks; ROLLBACK restores table, chunks and rows', async () => {
    await distributed(2);
    const onNodes = ['dn1', 'dn2', 'dn3'].map(chunkCountOnNode);
    await db.query('BEGIN');
    await db.query('DROP TABLE conditions');
    expect(['dn1', 'dn2', 'dn3'].map(chunkCountOnNode)).toEqual([0, 0, 0]);
    expect(await rows('SELECT * FROM timescaledb_information.hypertables')).toEqual([]);
    await db.query('ROLLBACK');
    expect(['dn1', 'dn2', 'dn3'].map(chunkCountOnNode)).toEqual(onNodes);
    expect(await one('SELECT count(*) FROM conditions')).toBe('15');
    await db.query('DROP TABLE conditions');
    expect(await rows('SELECT * FROM timescaledb_information.chunks')).toEqual([]);
    expect(['dn1', 'dn2', 'dn3'].map(chunkCountOnNode)).toEqual([0, 0, 0]);
  });

  it('DROP SCHEMA … CASCADE drops the chunks of its hypertables; ROLLBACK restores them', async () => {
    for (const n of ['dn1', 'dn2']) await db.query(`SELECT add_data_node('${n}')`);
    await db.query('CREATE SCHEMA s');
    await db.query('CREATE TABLE s.t (time timestamptz NOT NULL, v int)');
    await db.query(`SELECT create_distributed_hypertable('s.t', 'time')`);
    await db.query(`INSERT INTO s.t VALUES ('2024-01-01', 1), ('2024-02-01', 2)`);
    const onNodes = ['dn1', 'dn2'].map(chunkCountOnNode);
    expect(onNodes.reduce((a, b) => a + b)).toBe(2);
    await db.query('BEGIN');
    await db.query('DROP SCHEMA s CASCADE');
    expect(['dn1', 'dn2'].map(chunkCountOnNode)).toEqual([0, 0]);
    await db.query('ROLLBACK');
    expect(['dn1', 'dn2'].map(chunkCountOnNode)).toEqual(onNodes);
    expect(await one('SELECT sum(v) FROM s.t')).toBe('3');
  });

  it('DELETE and UPDATE change only the matching rows of the matching chunks', async () => {
    await local();
    const perChunk = () => catalog().getTable(undefined, 'conditions').hypertable!.chunks.map((c) => c.stores.get('')!.latest().rowCount);
    await db.query(`UPDATE conditions SET temp = -1 WHERE hostname = 'b'`);
    expect(await rows('SELECT hostname, min(temp), max(temp) FROM conditions GROUP BY 1 ORDER BY 1')).toEqual([['a', '10', '50'], ['b', '-1', '-1'], ['c', '12', '52']]);
    expect(perChunk()).toEqual([3, 3, 3, 3, 3]);
    await db.query(`DELETE FROM conditions WHERE time >= '2024-01-04' AND hostname = 'a'`);
    expect(perChunk()).toEqual([3, 3, 3, 2, 2]);
    await db.query(`DELETE FROM conditions WHERE temp = 22`);
    expect(perChunk()).toEqual([3, 2, 3, 2, 2]);
    expect(await one('SELECT count(*) FROM conditions')).toBe('12');
  });
});

describe('replication and availability', () => {
  it('replication_factor => 2 stores every row on two data nodes', async () => {
    await distributed(2);
    const ht = catalog().getTable(undefined, 'conditions').hypertable!;
    for (const c of ht.chunks) {
      expect(new Set(c.nodes).size).toBe(2);
      const counts = c.nodes.map((n) => c.stores.get(n)!.latest().rowCount);
      expect(counts[0]).toBe(counts[1]);
    }
    let stored = 0;
    for (const n of ['dn1', 'dn2', 'dn3']) for (const id of catalog().nodeFor(n).chunkIds()) stored += catalog().nodeFor(n).chunk(id).latest().rowCount;
    expect(stored).toBe(30);
    expect(await col('SELECT DISTINCT num_replicas FROM timescaledb_experimental.chunk_replication_status')).toEqual(['2']);
    const sizes = await rows(`SELECT node_name, total_bytes FROM hypertable_detailed_size('conditions') WHERE node_name IS NOT NULL`);
    const used = sizes.filter((r) => Number(r[1]) > 0).map((r) => r[0]);
    expect(used.length).toBeGreaterThanOrEqual(2);
  });

  it('an unavailable data node is skipped for reads when another replica exists', async () => {
    await distributed(2);
    const ht = catalog().getTable(undefined, 'conditions').hypertable!;
    // empty one node's replicas behind the catalog's back: reads that use that node now miss rows
    const node = ht.chunks[0]!.nodes[0]!;
    for (const c of ht.chunks) {
      if (!c.nodes.includes(node)) continue;
      const t = c.stores.get(node)!.begin();
      t.truncate();
      t.commit();
    }
    expect(Number(await one('SELECT count(*) FROM conditions'))).toBeLessThan(15);
    await db.query('BEGIN');
    await db.query(`SELECT alter_data_node('${node}', available => false)`);
    expect(await one('SELECT count(*) FROM conditions')).toBe('15');
    expect(await one(`SELECT sum(temp) FROM conditions WHERE hostname = 'a'`)).toBe('150');
    await db.query('ROLLBACK');
    expect(Number(await one('SELECT count(*) FROM conditions'))).toBeLessThan(15);
  });

  it('a chunk whose only replica is unavailable fails with an error naming the node', async () => {
    await distributed(1);
    await db.query(`SELECT alter_data_node('dn2', available => false)`);
    const e = await fails('SELECT count(*) FROM conditions');
    expect(e.code).toBe('TS420');
    expect(`${e.message} ${e.detail}`).toContain('"dn2"');
    await db.query(`SELECT alter_data_node('dn2', available => true)`);
    expect(await one('SELECT count(*) FROM conditions')).toBe('15');
  });
});
