/**
 * Throwaway PostgreSQL server for tests (the oracle of the SQL corpus).
 *
 * startPostgres() runs `initdb` into a fresh temp directory and starts a server with
 * `pg_ctl` on a free loopback TCP port (its unix socket also lives in the temp dir, so
 * nothing outside the temp dir is touched). stop() shuts it down and deletes the dir.
 *
 * Running as root: initdb/postgres refuse to run as root, so the data directory is
 * chowned to an unprivileged account (env STRATA_PG_USER, else `nobody`, else a
 * `strata-test` user created with useradd) and every binary runs through
 * `runuser -u <user> --` (or `su -s /bin/sh <user> -c` when runuser is missing).
 *
 * Binaries: env STRATA_PG_BINDIR, else `pg_config --bindir`, else the newest
 * /usr/lib/postgresql/<v>/bin, /usr/local/pgsql/bin, /opt/homebrew/opt/postgresql@*\/bin.
 *
 * All values come back as PostgreSQL's raw text output (no type parsing).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PgQueryResult {
  rows: (string | null)[][];
  command: string;
  rowCount: number | null;
  fields: { name: string; dataTypeID: number }[];
}

export interface PostgresServer {
  url: string;
  host: string;
  port: number;
  /** data/socket directory */
  dir: string;
  /** Runs one query on the `postgres` database (rows in array mode, raw text values). */
  query(sql: string, params?: unknown[]): Promise<PgQueryResult>;
  /** A new connected client for `database` whose values are all raw text. Caller ends it. */
  connect(database?: string): Promise<pg.Client>;
  createDatabase(name: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** Type parsers that return PostgreSQL's text output unchanged. */
export const rawTextTypes = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;

export class PostgresUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PostgresUnavailableError';
  }
}

function isExecutable(p: string): boolean {
  return existsSync(p);
}

/** Directory holding initdb/pg_ctl/postgres, or null if none found. Synchronous (usable at collection time). */
export function findPostgresBinDir(): string | null {
  const ok = (d: string | undefined | null): d is string =>
    !!d && isExecutable(join(d, 'initdb')) && isExecutable(join(d, 'pg_ctl')) && isExecutable(join(d, 'postgres'));
  const env = process.env.STRATA_PG_BINDIR;
  if (env) return ok(env) ? env : null;
  try {
    const d = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (ok(d)) return d;
  } catch {
    /* no pg_config */
  }
  const candidates: string[] = [];
  for (const root of ['/usr/lib/postgresql', '/usr/local/lib/postgresql']) {
    try {
      const versions = readdirSync(root)
        .filter((v) => /^\d+(\.\d+)?$/.test(v))
        .sort((a, b) => Number(b) - Number(a));
      // Prefer 15 (the oracle version), then the newest.
      versions.sort((a, b) => (a === '15' ? -1 : b === '15' ? 1 : 0));
      for (const v of versions) candidates.push(join(root, v, 'bin'));
    } catch {
      /* absent */
    }
  }
  candidates.push('/usr/local/pgsql/bin', '/usr/pgsql-15/bin', '/opt/homebrew/opt/postgresql@15/bin', '/usr/local/opt/postgresql@15/bin');
  for (const d of candidates) if (ok(d)) return d;
  // Last resort: on PATH.
  try {
    const p = execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (p) {
      const d = p.replace(/\/initdb$/, '');
      if (ok(d)) return d;
    }
  } catch {
    /* not on PATH */
  }
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

interface RunAs {
  user: string | null;
  uid: number;
  gid: number;
}

function lookupUser(name: string): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    if (Number.isFinite(uid) && Number.isFinite(gid)) return { uid, gid };
  } catch {
    /* no such user */
  }
  return null;
}

function unprivilegedUser(): RunAs {
  if (!isRoot()) return { user: null, uid: -1, gid: -1 };
  const wanted = process.env.STRATA_PG_USER;
  const names = wanted ? [wanted] : ['nobody', 'strata-test'];
  for (const n of names) {
    const u = lookupUser(n);
    if (u && u.uid !== 0) return { user: n, ...u };
  }
  if (!wanted) {
    try {
      execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'strata-test'], { stdio: 'ignore' });
    } catch {
      /* fall through */
    }
    const u = lookupUser('strata-test');
    if (u) return { user: 'strata-test', ...u };
  }
  throw new PostgresUnavailableError(
    'running as root and no unprivileged user to run PostgreSQL as (tried ' + names.join(', ') + ', useradd strata-test); set STRATA_PG_USER',
  );
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Runs a binary (as the unprivileged user when we are root). Throws with output on failure. */
function run(runAs: RunAs, bin: string, args: string[], what: string): string {
  let cmd = bin;
  let argv = args;
  if (runAs.user) {
    if (existsSync('/usr/sbin/runuser') || existsSync('/sbin/runuser') || existsSync('/usr/bin/runuser')) {
      cmd = 'runuser';
      argv = ['-u', runAs.user, '--', bin, ...args];
    } else {
      cmd = 'su';
      argv = ['-s', '/bin/sh', runAs.user, '-c', [bin, ...args].map(shellQuote).join(' ')];
    }
  }
  const r = spawnSync(cmd, argv, {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C', LANG: 'C', PGTZ: 'UTC' },
    cwd: '/',
    timeout: 120_000,
  });
  if (r.error || r.status !== 0) {
    throw new PostgresUnavailableError(
      `${what} failed (${cmd} ${argv.join(' ')}): ${r.error?.message ?? `exit ${r.status}`}\n${r.stdout ?? ''}\n${r.stderr ?? ''}`,
    );
  }
  return r.stdout;
}

const SERVER_OPTIONS = [
  "-c fsync=off",
  "-c synchronous_commit=off",
  "-c full_page_writes=off",
  "-c TimeZone=UTC",
  "-c log_timezone=UTC",
  "-c DateStyle='ISO, MDY'",
  "-c IntervalStyle=postgres",
  "-c lc_messages=C",
  "-c max_connections=50",
  "-c shared_buffers=32MB",
  "-c listen_addresses=127.0.0.1",
  "-c log_min_messages=warning",
];

const live = new Set<() => void>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const f of live) {
      try {
        f();
      } catch {
        /* best effort */
      }
    }
  });
}

export async function startPostgres(): Promise<PostgresServer> {
  const bindir = findPostgresBinDir();
  if (!bindir) {
    throw new PostgresUnavailableError(
      'PostgreSQL binaries not found (looked at $STRATA_PG_BINDIR, `pg_config --bindir`, /usr/lib/postgresql/*/bin, /usr/local/pgsql/bin). ' +
        'Install PostgreSQL 15 (e.g. `apt-get install postgresql-15`) or set STRATA_PG_BINDIR.',
    );
  }
  const runAs = unprivilegedUser();
  const dir = mkdtempSync(join(tmpdir(), 'strata-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  let started = false;
  const cleanupDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    if (runAs.user) {
      chownSync(dir, runAs.uid, runAs.gid);
      chmodSync(dir, 0o700);
    }
    run(runAs, join(bindir, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'].filter(
      (a) => a !== '--no-instructions' || initdbSupportsNoInstructions(bindir),
    ), 'initdb');

    let port = 0;
    let lastErr: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      port = await freePort();
      const opts = [...SERVER_OPTIONS, `-p ${port}`, `-c unix_socket_directories=${dir}`].join(' ');
      try {
        writeFileSync(logFile, '');
        if (runAs.user) chownSync(logFile, runAs.uid, runAs.gid);
        run(runAs, join(bindir, 'pg_ctl'), ['-D', data, '-l', logFile, '-o', opts, '-w', '-t', '60', 'start'], 'pg_ctl start');
        started = true;
        break;
      } catch (e) {
        lastErr = e;
        let log = '';
        try {
          log = readFileSync(logFile, 'utf8');
        } catch {
          /* none */
        }
        if (!/could not bind|Address already in use/i.test(log)) {
          throw new PostgresUnavailableError(`${(e as Error).message}\nserver log:\n${log}`);
        }
      }
    }
    if (!started) throw lastErr;

    const host = '127.0.0.1';
    const url = `postgres://postgres@${host}:${port}/postgres`;
    const stopSync = () => {
      if (!started) return;
      started = false;
      try {
        run(runAs, join(bindir, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], 'pg_ctl stop');
      } catch {
        /* already gone */
      }
      cleanupDir();
    };
    live.add(stopSync);
    installExitHook();

    const connect = async (database = 'postgres'): Promise<pg.Client> => {
      const c = new pg.Client({ host, port, user: 'postgres', database, types: rawTextTypes });
      c.on('error', () => {
        /* server shutdown while idle; ignore */
      });
      await c.connect();
      return c;
    };
    const admin = await connect('postgres');

    const server: PostgresServer = {
      url,
      host,
      port,
      dir,
      async query(sql, params) {
        const r = await admin.query({ text: sql, values: params, rowMode: 'array' });
        return toResult(r);
      },
      connect,
      async createDatabase(name) {
        await admin.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0`);
      },
      async dropDatabase(name) {
        await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      },
      async stop() {
        try {
          await admin.end();
        } catch {
          /* ignore */
        }
        live.delete(stopSync);
        started = true; // allow stopSync to run once
        stopSync();
      },
    };
    return server;
  } catch (e) {
    if (started) {
      try {
        run(runAs, join(bindir, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], 'pg_ctl stop');
      } catch {
        /* ignore */
      }
    }
    cleanupDir();
    throw e;
  }
}

let noInstructionsCache: Map<string, boolean> | undefined;
function initdbSupportsNoInstructions(bindir: string): boolean {
  noInstructionsCache ??= new Map();
  let v = noInstructionsCache.get(bindir);
  if (v === undefined) {
    try {
      const help = execFileSync(join(bindir, 'initdb'), ['--help'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      v = help.includes('--no-instructions');
    } catch {
      v = false;
    }
    noInstructionsCache.set(bindir, v);
  }
  return v;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

// pg's QueryResult for a multi-statement simple query is an array; we use the last one.
export function toResult(r: pg.QueryResult | pg.QueryResult[]): PgQueryResult {
  const last = Array.isArray(r) ? r[r.length - 1]! : r;
  return {
    rows: (last.rows ?? []) as (string | null)[][],
    command: last.command,
    rowCount: last.rowCount,
    fields: (last.fields ?? []).map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
  };
}
