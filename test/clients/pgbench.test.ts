/**
 * pgbench (shipped with PostgreSQL) against the `strata` binary: a custom script
 * of INSERT and SELECT with \set random variables, 8 clients, in each query mode.
 * No transaction may fail, and every transaction's row must be in the table.
 * docs/BENCHMARKS.md records the tps of the same script run for 10 s.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPgbench, run, startStrata, type StrataProcess } from './helpers.js';

const pgbench = findPgbench();

/** The script docs/BENCHMARKS.md quotes; keep them the same. */
const PGBENCH_SCRIPT = `\\set host random(1, 100)
\\set v random(1, 1000000)
INSERT INTO bench (host, v, t) VALUES (:host, :v, now());
SELECT count(*), max(v) FROM bench WHERE host = :host;
`;

describe.skipIf(!pgbench)('pgbench', () => {
  let strata: StrataProcess;
  let dir = '';
  let script = '';
  let client: pg.Client;

  beforeAll(async () => {
    strata = await startStrata(['--log-level', 'warn']);
    dir = mkdtempSync(join(tmpdir(), 'strata-pgbench-'));
    script = join(dir, 'script.sql');
    writeFileSync(script, PGBENCH_SCRIPT);
    client = new pg.Client({ host: '127.0.0.1', port: strata.port, user: 'strata', database: 'strata' });
    await client.connect();
    await client.query('CREATE TABLE bench (host int NOT NULL, v int, t timestamptz)');
  });
  afterAll(async () => {
    await client?.end().catch(() => {});
    expect(await strata?.stop()).toBe(0);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const bench = async (mode: string, seconds: number) => {
    const r = await run(pgbench!, ['-h', '127.0.0.1', '-p', String(strata.port), '-U', 'strata', '-n', '-M', mode, '-f', script, '-c', '8', '-T', String(seconds), 'strata'], {
      env: { PGPASSWORD: '', PGCONNECT_TIMEOUT: '10' },
      timeoutMs: (seconds + 30) * 1000,
    });
    expect(r.stderr.replace(/pgbench \(.*\)\n/, '')).toBe('');
    expect(r.code).toBe(0);
    const processed = Number(/number of transactions actually processed: (\d+)/.exec(r.stdout)?.[1]);
    const failed = Number(/number of failed transactions: (\d+)/.exec(r.stdout)?.[1]);
    const tps = Number(/tps = ([\d.]+)/.exec(r.stdout)?.[1]);
    return { processed, failed, tps, stdout: r.stdout };
  };

  it('runs the custom script for 5 s with 8 clients (simple protocol) without failures', async () => {
    const before = Number((await client.query('SELECT count(*) AS n FROM bench')).rows[0].n);
    const r = await bench('simple', 5);
    expect(r.failed).toBe(0);
    expect(r.processed).toBeGreaterThan(100);
    expect(r.tps).toBeGreaterThan(20);
    // every processed transaction inserted exactly one row
    expect(Number((await client.query('SELECT count(*) AS n FROM bench')).rows[0].n) - before).toBe(r.processed);
  }, 60_000);

  it('runs it with the extended and prepared protocols too', async () => {
    for (const mode of ['extended', 'prepared']) {
      const before = Number((await client.query('SELECT count(*) AS n FROM bench')).rows[0].n);
      const r = await bench(mode, 2);
      expect(r.failed, mode).toBe(0);
      expect(r.processed, mode).toBeGreaterThan(20);
      expect(Number((await client.query('SELECT count(*) AS n FROM bench')).rows[0].n) - before, mode).toBe(r.processed);
    }
  }, 60_000);
});
