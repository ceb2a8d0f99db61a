/**
 * Wire targets the scenarios run against: a Strata server spawned as its own
 * process, a throwaway PostgreSQL 15 (test/harness/postgres.ts) and any
 * PostgreSQL-wire endpoint given with --peer. Also the memory probes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startPostgres, type PostgresServer } from '../../../test/harness/postgres.js';

export type Dialect = 'strata' | 'postgres';

export interface Target {
  /** label in reports: "strata-1dn", "strata-3dn", "postgres-15", "peer:…" */
  name: string;
  dialect: Dialect;
  /** data nodes (Strata) */
  dataNodes?: number;
  connect(): Promise<pg.Client>;
  /** pid of the process whose memory we report for this client's work (undefined: not measurable) */
  serverPid(client: pg.Client): Promise<number | undefined>;
  stop(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => res(port));
    });
  });
}

function client(config: pg.ClientConfig): () => Promise<pg.Client> {
  return async () => {
    const c = new pg.Client(config);
    c.on('error', () => undefined);
    await c.connect();
    return c;
  };
}

/**
 * Spawns `strata --in-memory --data-nodes N` (node --import tsx, so the pid is the server's);
 * `durable`: with a fresh data directory instead (WAL + checkpoints, synchronous_commit on).
 */
export async function startStrataServer(dataNodes: number, opts: { durable?: boolean } = {}): Promise<Target> {
  const port = await freePort();
  const dataDir = opts.durable ? mkdtempSync(resolve(tmpdir(), 'strata-bench-')) : undefined;
  const child: ChildProcess = spawn(
    process.execPath,
    ['--max-old-space-size=16384', '--import', 'tsx', resolve(repoRoot, 'packages/server/src/cli/strata.ts'),
      '--port', String(port), ...(dataDir ? ['--data-dir', dataDir] : ['--in-memory']), '--data-nodes', String(dataNodes), '--log-level', 'warn'],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`strata did not start within 60 s:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('Strata listening')) {
        clearTimeout(timer);
        res();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`strata exited with ${code}:\n${out}`));
    });
  });
  child.removeAllListeners('exit');
  const pid = child.pid!;
  return {
    name: `strata-${dataNodes}dn${dataDir ? '-durable' : ''}`,
    dialect: 'strata',
    dataNodes,
    connect: client({ host: '127.0.0.1', port, user: 'strata', database: 'strata' }),
    serverPid: async () => pid,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      // nothing left to flush (every acknowledged commit is on disk already): a graceful stop gets
      // 1 s, then kill — a durable server's final checkpoint is not part of any measurement
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 1_000);
      await exited;
      clearTimeout(t);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Throwaway PostgreSQL (initdb + pg_ctl); null with the reason when unavailable. */
export async function startPostgresTarget(): Promise<Target | string> {
  let srv: PostgresServer;
  try {
    srv = await startPostgres();
  } catch (e) {
    return (e as Error).message.split('\n')[0]!;
  }
  const connect = client({ host: srv.host, port: srv.port, user: 'postgres', database: 'postgres' });
  const version = (await srv.query('SHOW server_version')).rows[0]![0]!;
  return {
    name: `postgres-${version.split(/[ .]/)[0]}`,
    dialect: 'postgres',
    connect,
    serverPid: async (c) => Number((await c.query('SELECT pg_backend_pid() AS p')).rows[0].p),
    stop: () => srv.stop(),
  };
}

/** Any PostgreSQL-wire endpoint (e.g. TimescaleDB); memory is not measured. */
export function peerTarget(url: string): Target {
  const u = new URL(url);
  return {
    name: `peer:${u.hostname}:${u.port || 5432}`,
    dialect: 'postgres',
    connect: client({ connectionString: url }),
    serverPid: async () => undefined,
    stop: async () => undefined,
  };
}

/** Resets a process's peak RSS (VmHWM) when allowed (Linux, same user or root). */
export function resetPeakRss(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** VmHWM of a process in bytes (Linux), or undefined. */
export function peakRss(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
