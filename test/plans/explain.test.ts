/**
 * Optimizer rules checked through EXPLAIN text (one expectation per rule):
 * filter push-down, WHERE equalities becoming hash-join keys, column pruning,
 * identity projections removed, ORDER BY … LIMIT as a top-N sort.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Strata } from '../../packages/server/src/index.js';

let db: Strata;
beforeAll(async () => {
  db = await Strata.create();
  await db.exec(`CREATE TABLE cpu (time timestamptz, hostname text, usage_user float8, usage_system float8);
                 CREATE TABLE tags (id int, hostname text, region text);`);
});

async function explain(sql: string): Promise<string> {
  const r = await db.query<string[]>(`EXPLAIN ${sql}`, [], { rowMode: 'array' });
  return r.rows.map((x) => x[0]).join('\n');
}

describe('EXPLAIN', () => {
  it('pushes WHERE into the scan and reads only the columns used', async () => {
    expect(await explain("SELECT hostname, max(usage_user) FROM cpu WHERE usage_user > 90 AND hostname = 'h1' GROUP BY hostname")).toBe(
      [
        'HashAggregate',
        '  Group Key: cpu.hostname',
        '  Aggregates: max(cpu.usage_user)',
        '  ->  Seq Scan on cpu',
        '        Output: cpu.hostname, cpu.usage_user',
        "        Filter: ((cpu.usage_user > 90) AND (cpu.hostname = 'h1'))",
      ].join('\n'),
    );
  });

  it('turns a WHERE equality over a comma join into a hash join and filters each side early', async () => {
    expect(await explain("SELECT c.time, t.region FROM cpu c, tags t WHERE c.hostname = t.hostname AND t.region = 'eu'")).toBe(
      [
        'Project',
        '  Output: c.time, t.region',
        '  ->  Hash Inner Join',
        '        Hash Cond: c.hostname = t.hostname',
        '        ->  Seq Scan on cpu c',
        '              Output: c.time, c.hostname',
        '        ->  Seq Scan on tags t',
        '              Output: t.hostname, t.region',
        "              Filter: (t.region = 'eu')",
      ].join('\n'),
    );
  });

  it('keeps a left join\'s right-side WHERE above the join', async () => {
    const plan = await explain('SELECT c.time FROM cpu c LEFT JOIN tags t ON c.hostname = t.hostname WHERE t.id IS NULL');
    expect(plan).toContain('Hash Left Join');
    expect(plan).toMatch(/^ *->  Filter\n *Filter: \(t\.id IS NULL\)/m);
  });

  it('uses a top-N sort for ORDER BY … LIMIT and no projection for SELECT *', async () => {
    expect(await explain('SELECT * FROM cpu ORDER BY time DESC LIMIT 5')).toBe(
      [
        'Limit',
        '  ->  Top-N Sort (limit 5)',
        '        Sort Key: cpu.time DESC',
        '        ->  Seq Scan on cpu',
        '              Output: cpu.time, cpu.hostname, cpu.usage_user, cpu.usage_system',
      ].join('\n'),
    );
  });

  it('shows subplans', async () => {
    const plan = await explain('SELECT hostname FROM cpu WHERE usage_user > (SELECT avg(usage_user) FROM cpu)');
    expect(plan).toContain('Filter: (cpu.usage_user > (SubPlan 1))');
    expect(plan).toContain('SubPlan 1\n  Aggregate\n    Aggregates: avg(cpu.usage_user)');
  });

  it('EXPLAIN ANALYZE runs the query and reports rows and time', async () => {
    const plan = await explain('ANALYZE SELECT count(*) FROM cpu');
    expect(plan).toMatch(/Rows: 1\nExecution Time: \d+\.\d{3} ms/);
  });
});
