/**
 * The `strata` server as a child process for the durability tests: start it on
 * a data directory, wait for its "listening" line, kill -9 it, restart it on
 * the same directory, and clean up temp directories afterwards.
 *
 * The child is `node packages/server/bin/strata.mjs` (tsx registered in-process)
 * rather than `npx tsx …`: npx runs npm, which runs tsx, which runs node, and a
 * SIGKILL to the outer process would leave the actual server running. Here the
 * pid we signal is the pid that owns the data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
/** STRATA_DURABILITY_SERVER_ROOT runs the server from another checkout (e.g. a clean export while this tree is mid-edit). */
const SERVER_ROOT = process.env.STRATA_DURABILITY_SERVER_ROOT ?? REPO_ROOT;
const STRATA_BIN = join(SERVER_ROOT, 'packages/server/bin/strata.mjs');

/** Cap on captured output per stream: a long crash run must not hold megabytes of INFO lines. */
const MAX_CAPTURE = 256 * 1024;
const LISTENING = /Strata listening on (\S+):(\d+) — connect with/;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartOptions {
  dataDir: string;
  /** only matters at the first start: data nodes live in the catalog afterwards */
  dataNodes?: number;
  extraArgs?: string[];
  env?: Record<string, string>;
  /** how long to wait for the listening line (recovery included) */
  startTimeoutMs?: number;
}

class OutputBuffer {
  private text = '';
  private dropped = 0;

  append(chunk: Buffer): void {
    this.text += chunk.toString('utf8');
    if (this.text.length > MAX_CAPTURE * 2) {
      // keep the head (start-up, recovery) and the most recent tail
      const head = this.text.slice(0, MAX_CAPTURE / 2);
      const tail = this.text.slice(-MAX_CAPTURE);
      this.dropped += this.text.length - head.length - tail.length;
      this.text = `${head}\n[… ${this.dropped} characters dropped …]\n${tail}`;
    }
  }

  toString(): string {
    return this.text;
  }
}

const running = new Set<ChildProcess>();
const tempDirs: string[] = [];

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // STRATA_IN_MEMORY from the caller's environment would override --data-dir: start from a clean slate
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('STRATA_')) env[k] = v;
  return { ...env, ...extra };
}

function serverArgs(opts: StartOptions): string[] {
  const args = ['--data-dir', opts.dataDir, '--port', '0', '--host', '127.0.0.1', '--log-level', 'info'];
  if (opts.dataNodes !== undefined) args.push('--data-nodes', String(opts.dataNodes));
  return [...args, ...(opts.extraArgs ?? [])];
}

function spawnStrata(opts: StartOptions): { proc: ChildProcess; stdout: OutputBuffer; stderr: OutputBuffer; exited: Promise<ExitStatus> } {
  const proc = spawn(process.execPath, [STRATA_BIN, ...serverArgs(opts)], { cwd: SERVER_ROOT, env: childEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(proc);
  const stdout = new OutputBuffer();
  const stderr = new OutputBuffer();
  proc.stdout!.on('data', (d: Buffer) => stdout.append(d));
  proc.stderr!.on('data', (d: Buffer) => stderr.append(d));
  const exited = new Promise<ExitStatus>((res) =>
    proc.on('exit', (code, signal) => {
      running.delete(proc);
      res({ code, signal });
    }),
  );
  return { proc, stdout, stderr, exited };
}

export class ServerProcess {
  private constructor(
    private readonly proc: ChildProcess,
    private readonly out: OutputBuffer,
    private readonly err: OutputBuffer,
    readonly exited: Promise<ExitStatus>,
    readonly options: StartOptions,
    readonly port: number,
    /** wall time from spawn to the listening line: process start + recovery */
    readonly startMs: number,
  ) {}

  /** Starts a server and resolves once it prints its listening line (after recovery). */
  static async start(options: StartOptions): Promise<ServerProcess> {
    const t0 = performance.now();
    const { proc, stdout, stderr, exited } = spawnStrata(options);
    const timeoutMs = options.startTimeoutMs ?? 90_000;
    const port = await new Promise<number>((res, rej) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        rej(new Error(`strata on ${options.dataDir} ${why}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`));
      };
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        fail(`printed no listening line within ${timeoutMs} ms`);
      }, timeoutMs);
      const onData = () => {
        const m = LISTENING.exec(stdout.toString());
        if (!m) return;
        clearTimeout(timer);
        proc.stdout!.off('data', onData);
        res(Number(m[2]));
      };
      proc.stdout!.on('data', onData);
      void exited.then((s) => fail(`exited before listening (code ${s.code}, signal ${s.signal})`));
    });
    return new ServerProcess(proc, stdout, stderr, exited, options, port, performance.now() - t0);
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  stdout(): string {
    return this.out.toString();
  }

  stderr(): string {
    return this.err.toString();
  }

  /** The lines the server printed about recovery before it listened (the spec'd recovery summary). */
  recoveryLines(): string[] {
    const all = `${this.stdout()}\n${this.stderr()}`.split('\n');
    return all.filter((l) => /recover|replay|checkpoint|wal/i.test(l) && !LISTENING.test(l)).map((l) => l.trim());
  }

  connectionConfig(): pg.ClientConfig {
    return { host: '127.0.0.1', port: this.port, user: 'strata', database: 'strata', connectionTimeoutMillis: 15_000 };
  }

  /**
   * A connected client. Its 'error' events are swallowed: after kill -9 every open
   * client emits one, and an unhandled 'error' event would take the test worker down.
   * The query that was running rejects, which is where the tests look.
   */
  async connect(): Promise<pg.Client> {
    const client = new pg.Client(this.connectionConfig());
    client.on('error', () => {});
    await client.connect();
    return client;
  }

  /** kill -9: no shutdown code runs, whatever is in flight stays in flight. */
  async kill9(): Promise<ExitStatus> {
    if (this.alive) this.proc.kill('SIGKILL');
    return this.exited;
  }

  /** A clean stop (SIGTERM: the server's shutdown path, a final checkpoint). */
  async terminate(timeoutMs = 30_000): Promise<ExitStatus> {
    if (!this.alive) return this.exited;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    const status = await this.exited;
    clearTimeout(timer);
    return status;
  }

  /** kill -9, then start again on the same data directory with the same options. */
  async crashAndRestart(): Promise<ServerProcess> {
    await this.kill9();
    return ServerProcess.start({ ...this.options, dataNodes: undefined });
  }
}

export interface FailedStart {
  status: ExitStatus;
  /** true when the server printed its listening line (it should not have) */
  listened: boolean;
  stdout: string;
  stderr: string;
}

/** Starts a server that is expected to refuse to start; if it listens after all, it is killed. */
export async function startExpectingFailure(options: StartOptions, timeoutMs = 90_000): Promise<FailedStart> {
  const { proc, stdout, stderr, exited } = spawnStrata(options);
  let listened = false;
  const onData = () => {
    if (!listened && LISTENING.test(stdout.toString())) {
      listened = true;
      proc.kill('SIGKILL');
    }
  };
  proc.stdout!.on('data', onData);
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  const status = await exited;
  clearTimeout(timer);
  return { status, listened, stdout: stdout.toString(), stderr: stderr.toString() };
}

/**
 * Starts a server and SIGKILLs it `afterMs` later, whatever it is doing: with the
 * right delay, in the middle of recovery. Says whether it got as far as listening.
 */
export async function startAndKillAfter(options: StartOptions, afterMs: number): Promise<{ listened: boolean; status: ExitStatus }> {
  const { proc, stdout, exited } = spawnStrata(options);
  const timer = setTimeout(() => proc.kill('SIGKILL'), afterMs);
  const status = await exited;
  clearTimeout(timer);
  return { listened: LISTENING.test(stdout.toString()), status };
}

/** A fresh temp directory, removed by cleanupDurabilityResources (unless STRATA_KEEP_DATA_DIRS=1). */
export function makeTempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `strata-durability-${label}-`));
  tempDirs.push(dir);
  return dir;
}

/** A copy of a (stopped) data directory, so one workload can be damaged in several ways. */
export function copyDataDir(source: string, label: string): string {
  const dir = makeTempDir(label);
  cpSync(source, dir, { recursive: true });
  return dir;
}

/** afterAll: kill servers still running, remove temp directories. */
export async function cleanupDurabilityResources(): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const p of running) {
    waits.push(new Promise((res) => p.once('exit', res)));
    p.kill('SIGKILL');
  }
  await Promise.all(waits);
  const keep = process.env.STRATA_KEEP_DATA_DIRS === '1';
  for (const dir of tempDirs.splice(0)) {
    if (keep) process.stderr.write(`kept data dir ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
