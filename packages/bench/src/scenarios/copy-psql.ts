/**
 * The headline measurement: `psql \copy cpu (…) FROM 'file' (FORMAT csv)`, the way users
 * load a CSV file. The TSBS rows are written to a temporary file before the clock starts (TSBS
 * loads pre-generated files too); the time is psql's whole run: connect, read the file, COPY.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { COLUMN_LIST, toCsv } from '../tsbs-format.js';
import type { IngestMethod, Part } from './ingest-method.js';

/** psql on PATH or from the PostgreSQL installation; null when there is none. */
export function findPsql(): string | null {
  for (const p of ['psql', '/usr/lib/postgresql/15/bin/psql', '/usr/bin/psql']) {
    if (spawnSync(p, ['--version'], { stdio: 'ignore' }).status === 0) return p;
  }
  return null;
}

let stagedDir: string | null = null;

export const copyPsql: IngestMethod<string> = {
  id: 'psql-copy-csv',
  label: 'psql \\copy CSV',
  chunkRows: 65_536,
  encode: (chunk) => toCsv(chunk),
  // one file for all parts; the staged "part" carries its path
  async stage(parts: Iterable<Part<string>>): Promise<Part<string>[]> {
    stagedDir = mkdtempSync(join(tmpdir(), 'strata-psql-copy-'));
    const file = join(stagedDir, 'cpu.csv');
    writeFileSync(file, '');
    let rows = 0;
    for (const p of parts) {
      appendFileSync(file, p.data);
      rows += p.rows;
    }
    return [{ rows, data: file }];
  },
  unstage(): void {
    if (stagedDir) rmSync(stagedDir, { recursive: true, force: true });
    stagedDir = null;
  },
  async send(c: pg.Client, parts: Iterable<Part<string>>, onRows: (n: number) => void): Promise<void> {
    const psql = findPsql();
    if (!psql) throw new Error('psql not found (install postgresql-client)');
    const conn = c as unknown as { host: string; port: number; user: string; database: string; password?: string };
    for (const p of parts) {
      const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', conn.host, '-p', String(conn.port), '-U', conn.user, '-d', conn.database,
        '-c', `\\copy cpu (${COLUMN_LIST}) FROM '${p.data}' WITH (FORMAT csv)`];
      await new Promise<void>((resolve, reject) => {
        const child = spawn(psql, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PGPASSWORD: conn.password ?? '' } });
        let err = '';
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`psql exited with ${code}: ${err.trim()}`))));
      });
      onRows(p.rows);
    }
  },
};
