import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { lockDataDir } from './data-dir-lock.js';
import { tempDir } from './wal-test-helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../../..');

const dirs: string[] = [];
const children: ChildProcess[] = [];
function newDir(): string {
  const dir = tempDir('strata-lock-');
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

interface ChildResult {
  ok: boolean;
  pid: number;
  code?: string;
  message?: string;
  tookOverFromPid?: number | null;
}

/** A script that locks argv[2], prints the outcome as JSON, and holds the lock until stdin closes. */
function childScript(dir: string): string {
  const script = path.join(dir, 'lock-child.mts');
  fs.writeFileSync(
    script,
    `import { lockDataDir } from ${JSON.stringify(path.join(here, 'data-dir-lock.ts'))};
try {
  const lock = lockDataDir(process.argv[2]);
  console.log(JSON.stringify({ ok: true, pid: process.pid, tookOverFromPid: lock.tookOverFromPid }));
  process.stdin.resume();
  process.stdin.on('end', () => { lock.release(); process.exit(0); });
} catch (err) {
  console.log(JSON.stringify({ ok: false, pid: process.pid, code: err.code, message: err.message }));
  process.exit(0);
}
`,
  );
  return script;
}

/** Starts a child locking `dataDir`; resolves with its outcome while it keeps running. */
function startChild(script: string, dataDir: string): Promise<{ child: ChildProcess; result: ChildResult }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0]!;
      if (out.includes('\n')) resolve({ child, result: JSON.parse(line) as ChildResult });
    });
    child.on('exit', (code) => {
      if (!out.includes('\n')) reject(new Error(`lock child exited with ${code} before reporting`));
    });
  });
}

function exitAndWait(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.on('exit', () => resolve());
    child.kill(signal);
  });
}

function deadPid(): number {
  const done = spawnSync(process.execPath, ['-e', 'console.log(process.pid)']);
  return Number(done.stdout.toString().trim());
}

describe('lockDataDir', () => {
  it('refuses a second server from another process while the lock is held (55006)', async () => {
    const dataDir = newDir();
    const script = childScript(newDir());
    const lock = lockDataDir(dataDir);
    try {
      const { result } = await startChild(script, dataDir);
      expect(result.ok).toBe(false);
      expect(result.code).toBe('55006');
      expect(result.message).toBe(`data directory "${dataDir}" is in use by another Strata server (PID ${process.pid})`);
    } finally {
      lock.release();
    }
    expect(fs.existsSync(path.join(dataDir, 'strata.pid'))).toBe(false);
  });

  it('refuses while a child holds it, and takes it over once the child was killed', async () => {
    const dataDir = newDir();
    const script = childScript(newDir());
    const { child, result } = await startChild(script, dataDir);
    expect(result.ok).toBe(true);
    expect(() => lockDataDir(dataDir)).toThrowError(expect.objectContaining({ code: '55006', message: expect.stringContaining(`PID ${result.pid}`) }));
    await exitAndWait(child, 'SIGKILL'); // kill -9: the lock file stays behind
    expect(fs.readFileSync(path.join(dataDir, 'strata.pid'), 'utf8').split('\n')[0]).toBe(String(result.pid));
    const lock = lockDataDir(dataDir);
    expect(lock.tookOverFromPid).toBe(result.pid);
    expect(fs.readFileSync(path.join(dataDir, 'strata.pid'), 'utf8').split('\n')[0]).toBe(String(process.pid));
    lock.release();
  });

  it('takes over a stale lock of an exited process', () => {
    const dataDir = newDir();
    const pid = deadPid();
    fs.writeFileSync(path.join(dataDir, 'strata.pid'), `${pid}\n2020-01-01T00:00:00.000Z\n`);
    const lock = lockDataDir(dataDir);
    expect(lock.tookOverFromPid).toBe(pid);
    lock.release();
    // No temporary or set-aside files are left behind.
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it('a contender that took the stale lock over first keeps it', () => {
    const dataDir = newDir();
    const lockFile = path.join(dataDir, 'strata.pid');
    const stalePid = deadPid();
    fs.writeFileSync(lockFile, `${stalePid}\n2020-01-01T00:00:00.000Z\n`);
    // While we hold our verdict "stale", a live server (our parent process
    // stands in for it) replaces the stale lock with its own.
    const contender = `${process.ppid}\n2026-01-01T00:00:00.000Z\n`;
    let judged = 0;
    expect(() =>
      lockDataDir(dataDir, {
        beforeStaleRemoval: (pid) => {
          judged++;
          expect(pid).toBe(stalePid);
          fs.unlinkSync(lockFile);
          fs.writeFileSync(lockFile, contender);
        },
      }),
    ).toThrowError(expect.objectContaining({ code: '55006', message: expect.stringContaining(`PID ${process.ppid}`) }));
    expect(judged).toBe(1);
    expect(fs.readFileSync(lockFile, 'utf8')).toBe(contender);
    expect(fs.readdirSync(dataDir)).toEqual(['strata.pid']);
  });

  it('refuses a second lock in the same process, and locks again after release', () => {
    const dataDir = newDir();
    const lock = lockDataDir(dataDir);
    expect(lock.tookOverFromPid).toBeNull();
    expect(() => lockDataDir(dataDir)).toThrowError(expect.objectContaining({ code: '55006' }));
    lock.release();
    lock.release();
    const again = lockDataDir(dataDir);
    again.release();
  });

  it('a lock file with our own pid left by an earlier incarnation is stale', () => {
    const dataDir = newDir();
    fs.writeFileSync(path.join(dataDir, 'strata.pid'), `${process.pid}\n2020-01-01T00:00:00.000Z\n`);
    const lock = lockDataDir(dataDir);
    expect(lock.tookOverFromPid).toBe(process.pid);
    lock.release();
  });

  it('refuses a lock file it cannot read as one, and release leaves a file that is not ours', () => {
    const dataDir = newDir();
    const lockFile = path.join(dataDir, 'strata.pid');
    fs.writeFileSync(lockFile, 'garbage');
    expect(() => lockDataDir(dataDir)).toThrowError(expect.objectContaining({ code: '55006' }));
    fs.unlinkSync(lockFile);
    const lock = lockDataDir(dataDir);
    fs.writeFileSync(lockFile, '1\n');
    lock.release();
    expect(fs.readFileSync(lockFile, 'utf8')).toBe('1\n');
  });
});
