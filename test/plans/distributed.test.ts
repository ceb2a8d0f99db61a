/**
 * Distributed planning decisions, asserted through EXPLAIN: chunk exclusion on
 * time and space, full aggregation on the data nodes when grouping by the
 * space column, partial + finalize otherwise, top-N and LIMIT per node.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Strata } from '../../packages/server/src/index.js';

let db: Strata;
async function explain(sql: string, params: unknown[] = []): Promise<string> {
  const r = await db.query<string[]>(`EXPLAIN ${sql}`, params, { rowMode: 'array' });
  return r.rows.map((x) => x[0]).join('\n');
}

beforeAll(async () => {
  db = await Strata.create();
  await db.exec(`SELECT add_data_node('dn1'); SELECT add_data_node('dn2'); SELECT add_data_node('dn3');
    CREATE TABLE cpu (time timestamptz NOT NULL, hostname text, usage_user float8);
    SELECT create_distributed_hypertable('cpu', 'time', 'hostname', chunk_time_interval => INTERVAL '1 day');
    INSERT INTO cpu SELECT TIMESTAMPTZ '2016-01-01' + (i / 4) * INTERVAL '1 hour', 'host_' || (i % 4), i FROM generate_series(0, 4 * 72 - 1) i;`);
});

describe('distributed EXPLAIN', () => {
  it('groups by the space column: full aggregation on each node, the access node only appends', async () => {
    const plan = await explain('SELECT hostname, max(usage_user) FROM cpu GROUP BY hostname');
    expect(plan).not.toContain('Finalize');
    expect(plan).not.toContain('Partial');
    expect(plan.match(/HashAggregate \(Group Key: cpu\.hostname\): max\(cpu\.usage_user\)/g)?.length).toBe(plan.match(/Data node:/g)?.length);
  });

  it('groups by time: partial aggregates on the nodes, finalize on the access node', async () => {
    const plan = await explain("SELECT time_bucket('1 hour', time) AS h, avg(usage_user) FROM cpu GROUP BY h");
    expect(plan.split('\n')[0]).toBe('Finalize HashAggregate');
    expect(plan).toContain("Partial HashAggregate (Group Key: time_bucket('01:00:00'::interval, cpu.time)): avg(cpu.usage_user)");
  });

  it('excludes chunks outside a time range (3 days of 1-day chunks, one day asked)', async () => {
    const all = await explain('SELECT count(*) FROM cpu');
    const oneDay = await explain("SELECT count(*) FROM cpu WHERE time >= '2016-01-02' AND time < '2016-01-03'");
    const chunkCount = (p: string) => p.split('\n').filter((l) => l.includes('Chunks:')).reduce((n, l) => n + l.split(',').length, 0);
    expect(chunkCount(oneDay) * 3).toBe(chunkCount(all));
  });

  it('excludes chunks by the space column: one hostname reaches one node', async () => {
    const plan = await explain("SELECT count(*) FROM cpu WHERE hostname = 'host_1'");
    expect(plan.match(/Data node:/g)?.length).toBe(1);
    const inList = await explain("SELECT count(*) FROM cpu WHERE hostname IN ('host_1', 'host_2')");
    expect(inList.match(/Data node:/g)!.length).toBeLessThanOrEqual(2);
  });

  it('pushes ORDER BY … LIMIT to every node as a top-N and keeps a top-N on the access node', async () => {
    const plan = await explain('SELECT time, usage_user FROM cpu ORDER BY time DESC LIMIT 5');
    expect(plan.split('\n').slice(0, 3)).toEqual(['Limit', '  ->  Top-N Sort (limit 5)', '        Sort Key: cpu.time DESC']);
    expect(plan).toContain('Merge Append');
    expect(plan.match(/Top-N Sort \(limit 5\): cpu\.time DESC/g)?.length).toBe(plan.match(/Data node:/g)?.length);
  });

  it('pushes LIMIT without ORDER BY so nodes stop early', async () => {
    expect(await explain('SELECT * FROM cpu LIMIT 7 OFFSET 3')).toContain('Limit: 10');
  });

  it('EXPLAIN ANALYZE reports actual rows per data node', async () => {
    const plan = await explain('ANALYZE SELECT hostname, count(*) FROM cpu GROUP BY hostname');
    const actual = [...plan.matchAll(/Actual rows: (\d+)/g)].map((m) => Number(m[1]));
    expect(actual.reduce((a, b) => a + b, 0)).toBe(4);
  });

  it('distributed results equal the same data in a plain table', async () => {
    await db.query('CREATE TABLE plain AS SELECT * FROM cpu');
    for (const q of [
      "SELECT hostname, max(usage_user), count(*) FROM $ WHERE time >= '2016-01-02' GROUP BY hostname ORDER BY 1",
      "SELECT time_bucket('6 hours', time) AS b, min(usage_user), max(usage_user) FROM $ GROUP BY b ORDER BY b",
      'SELECT time, hostname FROM $ ORDER BY time DESC, hostname LIMIT 6',
      "SELECT count(*) FROM $ WHERE hostname = $1 AND time < $2",
    ]) {
      const params = q.includes('$1') ? ['host_3', '2016-01-02 06:00+00'] : [];
      const a = await db.query(q.replaceAll('$ ', 'cpu ').replace('$ W', 'cpu W'), params, { rowMode: 'text' });
      const b = await db.query(q.replaceAll('$ ', 'plain ').replace('$ W', 'plain W'), params, { rowMode: 'text' });
      expect(a.rows).toEqual(b.rows);
    }
  });

  it('ships a small table to the nodes when an aggregate above makes that cheaper (cost model)', async () => {
    await db.exec(`CREATE TABLE tags (id int, hostname text, region text);
      INSERT INTO tags SELECT i, 'host_' || i, CASE WHEN i % 2 = 0 THEN 'eu' ELSE 'us' END FROM generate_series(0, 3) i;`);
    const plan = await explain('SELECT t.region, max(c.usage_user) FROM cpu c JOIN tags t ON c.hostname = t.hostname GROUP BY t.region');
    expect(plan.split('\n')[0]).toBe('Finalize HashAggregate');
    expect(plan).toContain('Hash Join with shipped rows (Hash Cond: c.hostname = t.hostname)');
    expect(plan).toMatch(/Join strategy: broadcast, cost \d+ < access-node join \d+/);
  });

  it('keeps a join that does not reduce rows on the access node, and says why', async () => {
    const plan = await explain('SELECT c.time, t.region FROM cpu c JOIN tags t ON c.hostname = t.hostname');
    expect(plan).toMatch(/Join strategy: access node, cost \d+ <= broadcast \d+/);
    expect(plan).not.toContain('shipped rows');
  });

  it('stops shipping when the "small" table is as large as the hypertable', async () => {
    await db.exec(`CREATE TABLE big (hostname text, region text);
      INSERT INTO big SELECT 'host_' || (i % 4), 'r' || i FROM generate_series(1, 5000) i;`);
    const plan = await explain('SELECT b.region, max(c.usage_user) FROM cpu c JOIN big b ON c.hostname = b.hostname GROUP BY b.region');
    expect(plan).not.toContain('shipped rows');
    expect(plan).toMatch(/Join strategy: access node/);
  });

  it('shipped joins return what the same join on a plain table returns', async () => {
    const q = (t: string) => `SELECT t.region, count(*), max(c.usage_user) FROM ${t} c JOIN tags t ON c.hostname = t.hostname GROUP BY t.region ORDER BY 1`;
    expect((await db.query(q('cpu'), [], { rowMode: 'text' })).rows).toEqual((await db.query(q('plain'), [], { rowMode: 'text' })).rows);
  });

  it('ORDER BY time … LIMIT reads chunks in time order and stops early', async () => {
    const plan = await explain('SELECT time, usage_user FROM cpu ORDER BY time DESC LIMIT 5');
    expect(plan).toContain('Chunks in time order: stops at the first chunk that cannot improve the top-N');
    const byValue = await explain('SELECT time, usage_user FROM cpu ORDER BY usage_user DESC LIMIT 5');
    expect(byValue).not.toContain('Chunks in time order');
    const q = (t: string) => `SELECT time, hostname FROM ${t} ORDER BY time DESC, hostname LIMIT 7`;
    expect((await db.query(q('cpu'), [], { rowMode: 'text' })).rows).toEqual((await db.query(q('plain'), [], { rowMode: 'text' })).rows);
  });
});
