/** The `strata` binary: --help, start-up line, psql scripts with \copy, SCRAM with psql, SIGTERM shutdown. */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'packages/server/bin/strata.mjs');
const PSQL = '/usr/bin/psql';

const running: ChildProcess[] = [];

afterEach(() => {
  for (const p of running.splice(0)) if (p.exitCode === null) p.kill('SIGKILL');
});

interface Started {
  proc: ChildProcess;
  port: number;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** A fresh data directory per start unless the args/env choose one (or --in-memory). */
async function startBinary(args: string[], env: Record<string, string> = {}): Promise<Started> {
  const chooses = args.includes('--in-memory') || args.includes('--data-dir') || env.STRATA_IN_MEMORY !== undefined || env.STRATA_DATA_DIR !== undefined;
  const dirArgs = chooses ? [] : ['--data-dir', mkdtempSync(join(tmpdir(), 'strata-cli-data-'))];
  const proc = spawn(process.execPath, [BIN, '--port', '0', ...dirArgs, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(proc);
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  const port = await new Promise<number>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`no start-up line; stdout: ${out} stderr: ${err}`)), 90_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Strata listening on 127\.0\.0\.1:(\d+) — connect with: psql "postgresql:\/\/[^@]+@127\.0\.0\.1:\d+\/strata"/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(Number(m[1]));
      }
    });
    proc.on('exit', () => rej(new Error(`exited early; stdout: ${out} stderr: ${err}`)));
  });
  return { proc, port, stdout: () => out, stderr: () => err, exited };
}

describe('strata binary', { timeout: 180_000 }, () => {
  it('--help documents the options; a bad option exits 2 with a hint', () => {
    const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    for (const opt of ['--host', '--port', '--data-dir', '--in-memory', '--data-nodes', '--user', '--password', '--auth', '--max-connections', '--log-level', 'STRATA_PORT']) expect(help.stdout).toContain(opt);
    const bad = spawnSync(process.execPath, [BIN, '--port', 'abc'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('invalid value for --port');
    expect(bad.stderr).toContain('strata --help');
  });

  it('prints the in-memory warning and the connect line; env vars work', async () => {
    const s = await startBinary([], { STRATA_DATA_NODES: '3', STRATA_LOG_LEVEL: 'warn', STRATA_IN_MEMORY: '1' });
    expect(s.stdout()).toContain('running with --in-memory: data is kept in memory only');
    expect(s.stdout()).toContain('3 in-process data nodes (dn1, dn2, dn3) ready for create_distributed_hypertable');
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('keeps serving, without spinning, once its stdout and stderr pipes are closed (`strata 2>&1 | head`)', async () => {
    const s = await startBinary(['--in-memory', '--log-level', 'debug']);
    s.proc.stdout!.destroy();
    s.proc.stderr!.destroy();
    const cpuMs = (): number => {
      const fields = readFileSync(`/proc/${s.proc.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    };
    // every connection logs (debug) into the closed pipe
    for (let i = 0; i < 5; i++) {
      const c = new pg.Client({ host: '127.0.0.1', port: s.port, user: 'strata', database: 'strata' });
      await c.connect();
      expect((await c.query('SELECT 1 + $1::int AS n', [i])).rows[0].n).toBe(1 + i);
      await c.end();
    }
    await new Promise((r) => setTimeout(r, 300));
    const before = cpuMs();
    await new Promise((r) => setTimeout(r, 1500));
    // an idle server: a loop of failed log writes took a whole core (~1,500 ms here)
    expect(cpuMs() - before).toBeLessThan(500);
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('psql -f script.sql with \\copy both ways gives PostgreSQL\'s output', async () => {
    const s = await startBinary([]);
    const dir = mkdtempSync(join(tmpdir(), 'strata-psql-'));
    writeFileSync(join(dir, 'in.csv'), '1,host_a,1.5\n2,host_b,\n3,"host,c",-2.25\n');
    writeFileSync(join(dir, 'script.sql'), [
      '\\timing off',
      'CREATE TABLE readings (id int, host text, v float8);',
      "INSERT INTO readings VALUES (0, 'zero', 0);",
      "\\copy readings FROM 'in.csv' WITH (FORMAT csv)",
      'SELECT id, host, v FROM readings ORDER BY id;',
      'SELECT count(*) AS n, sum(v) AS total FROM readings WHERE v IS NOT NULL;',
      'BEGIN;',
      'UPDATE readings SET v = v * 2 WHERE id = 1;',
      'COMMIT;',
      "\\copy (SELECT id, host, v FROM readings ORDER BY id) TO 'out.csv' WITH (FORMAT csv, HEADER)",
      "SELECT 'multi\nline' AS t, NULL AS n, true AS b;",
      '',
    ].join('\n'));
    const r = await new Promise<{ code: number | null; out: string; err: string }>((res) => {
      const p = spawn(PSQL, ['-X', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(s.port), '-U', 'strata', 'strata', '-f', 'script.sql'], { cwd: dir, env: { ...process.env, PGCONNECT_TIMEOUT: '10' } });
      let out = '';
      let err = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('exit', (code) => res({ code, out, err }));
    });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(`Timing is off.
CREATE TABLE
INSERT 0 1
COPY 3
 id |  host  |   v   
----+--------+-------
  0 | zero   |     0
  1 | host_a |   1.5
  2 | host_b |      
  3 | host,c | -2.25
(4 rows)

 n | total 
---+-------
 3 | -0.75
(1 row)

BEGIN
UPDATE 1
COMMIT
COPY 4
   t   | n | b 
-------+---+---
 multi+|   | t
 line  |   | 
(1 row)

`);
    expect(readFileSync(join(dir, 'out.csv'), 'utf8')).toBe('id,host,v\n0,zero,0\n1,host_a,3\n2,host_b,\n3,"host,c",-2.25\n');
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  }, 60_000);

  it('psql reports errors with SQLSTATE and position, and logs in with SCRAM', async () => {
    const s = await startBinary(['--user', 'strata', '--password', 'pw']);
    const run = (password: string, sql: string) => spawnSync(PSQL, ['-X', '-v', 'ON_ERROR_STOP=1', '-v', 'VERBOSITY=default', '-h', '127.0.0.1', '-p', String(s.port), '-U', 'strata', 'strata', '-c', sql], { encoding: 'utf8', env: { ...process.env, PGPASSWORD: password } });
    const ok = run('pw', 'SELECT 1 AS one');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain(' one \n-----\n   1\n(1 row)');
    const bad = run('nope', 'SELECT 1');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('password authentication failed for user "strata"');
    const err = run('pw', 'SELECT * FROM missing_table');
    expect(err.status).toBe(1);
    expect(err.stderr).toContain('ERROR:  relation "missing_table" does not exist');
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  }, 60_000);

  it('kill -9 while connections are being handed over: the postmaster exits with it and the port is free', async () => {
    // a StartupMessage, so the postmaster hands the socket over to the server process
    const params = Buffer.from('user\0strata\0database\0strata\0\0');
    const startup = Buffer.alloc(8 + params.length);
    startup.writeInt32BE(startup.length, 0);
    startup.writeInt32BE(196608, 4);
    params.copy(startup, 8);
    const childrenOf = (pid: number): number[] =>
      readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .filter((d) => {
          try {
            return Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === pid;
          } catch {
            return false;
          }
        })
        .map(Number);
    const gone = async (pid: number): Promise<boolean> => {
      for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
        try {
          // a zombie has exited: init reaps it when it gets to it
          if (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z')) return true;
        } catch {
          return true;
        }
      }
      return false;
    };
    // several rounds: the kill must land while a socket handed over awaits its acknowledgement
    for (let round = 0; round < 4; round++) {
      const s = await startBinary(['--in-memory']);
      const [postmaster] = childrenOf(s.proc.pid!);
      expect(postmaster).toBeDefined();
      const sockets: net.Socket[] = [];
      for (let i = 0; i < 60; i++) {
        const c = net.connect(s.port, '127.0.0.1', () => c.write(startup));
        c.on('error', () => {});
        c.resume(); // reads, so the end of the connection is seen
        sockets.push(c);
      }
      await new Promise((r) => setTimeout(r, 5 + round * 5));
      s.proc.kill('SIGKILL');
      await s.exited;
      expect(await gone(postmaster!), `postmaster ${postmaster} still running after its server was killed`).toBe(true);
      // nothing holds the port or the sockets handed over: every client sees its connection end
      await Promise.all(sockets.map((c) => (c.destroyed ? null : new Promise((r) => c.once('close', r)))));
      const refused = await new Promise<string>((resolve) => {
        const c = net.connect(s.port, '127.0.0.1', () => resolve('connected'));
        c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      });
      expect(refused).toBe('ECONNREFUSED');
    }
  }, 120_000);

  it('SIGTERM: clients get 57P01, open transactions are rolled back, exit code 0; a restart finds the committed data', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'strata-cli-data-'));
    const s = await startBinary(['--data-dir', dataDir, '--data-nodes', '2']);
    expect(s.stdout()).toContain(`new data directory`);
    const mk = async () => {
      const c = new pg.Client({ host: '127.0.0.1', port: s.port, user: 'strata', database: 'strata' });
      const errors: { code?: string }[] = [];
      c.on('error', (e) => errors.push(e as { code?: string }));
      await c.connect();
      return { c, errors };
    };
    const idle = await mk();
    const inTxn = await mk();
    await idle.c.query('CREATE TABLE t (a int)');
    await inTxn.c.query('BEGIN');
    await inTxn.c.query('INSERT INTO t VALUES (1)');
    const ended = Promise.all([idle, inTxn].map(({ c }) => new Promise<void>((r) => c.on('end', () => r()))));
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    await ended;
    expect(idle.errors.map((e) => e.code)).toContain('57P01');
    expect(inTxn.errors.map((e) => e.code)).toContain('57P01');
    expect(s.stderr()).toContain('shutdown complete');
    expect(existsSync(BIN)).toBe(true);
    // the clean shutdown wrote a checkpoint: the restart replays nothing and has the table, not the rolled-back row
    const again = await startBinary(['--data-dir', dataDir, '--data-nodes', '2']);
    expect(again.stdout()).toMatch(/recovered in \d+ ms: checkpoint at WAL position \d+ \(0 rows\), 0 log records/);
    const c = new pg.Client({ host: '127.0.0.1', port: again.port, user: 'strata', database: 'strata' });
    await c.connect();
    expect((await c.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 0 }]);
    expect((await c.query('SELECT node_name FROM timescaledb_information.data_nodes ORDER BY 1')).rows).toEqual([{ node_name: 'dn1' }, { node_name: 'dn2' }]);
    await c.end();
    // a second server on the same directory is refused
    const second = spawnSync(process.execPath, [BIN, '--port', '0', '--data-dir', dataDir], { encoding: 'utf8', timeout: 60_000 });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain('in use by another Strata server');
    again.proc.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  }, 60_000);
});
