/** Shared helpers for the real-client tests: find an external tool, run it without blocking the in-process server. */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The first python3 that can import psycopg2 (Debian's python3-psycopg2 lives under /usr/bin/python3). */
export function pythonWithPsycopg2(): string | null {
  for (const p of ['/usr/bin/python3', 'python3']) {
    if (p.startsWith('/') && !existsSync(p)) continue;
    if (spawnSync(p, ['-c', 'import psycopg2'], { stdio: 'ignore' }).status === 0) return p;
  }
  return null;
}

export function hasCommand(cmd: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.status === 0;
}

/** pgbench on PATH or in PostgreSQL's bin directory. */
export function findPgbench(): string | null {
  if (hasCommand('pgbench')) return 'pgbench';
  for (const v of ['17', '16', '15', '14', '13']) {
    const p = `/usr/lib/postgresql/${v}/bin/pgbench`;
    if (existsSync(p)) return p;
  }
  return null;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a child asynchronously (the server runs in this process: a synchronous child would block it). */
export function run(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, cwd: options.cwd },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: unknown }).code as number | null) ?? 1 : 0;
        resolve({ code: typeof code === 'number' ? code : 1, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const STRATA_BIN = join(ROOT, 'packages/server/bin/strata.mjs');

export interface StrataProcess {
  proc: ChildProcess;
  port: number;
  output: () => string;
  stop(): Promise<number | null>;
}

/** Start the `strata` binary on an ephemeral port and wait for its start-up line. */
export async function startStrata(args: string[] = []): Promise<StrataProcess> {
  const proc = spawn(process.execPath, [STRATA_BIN, '--port', '0', '--in-memory', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  const port = await new Promise<number>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`no start-up line: ${out}`)), 30_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Strata listening on [\d.]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(Number(m[1]));
      }
    });
    proc.on('exit', () => rej(new Error(`strata exited early: ${out}`)));
  });
  return {
    proc,
    port,
    output: () => out,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}
