/**
 * The data directory lock: `strata.pid` holds the owner's pid and start time,
 * so two servers never append to one WAL. The file is written complete under
 * a temporary name and link()ed into place, which fails if a lock exists and
 * never shows a half-written file. A lock whose pid is dead is stale; taking
 * it over renames it aside (only one contender can move a given file) and
 * checks that what was moved is the stale lock that was judged, restoring it
 * when a live lock was moved by mistake.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SqlError } from '../errors.js';

const LOCK_FILE = 'strata.pid';
const OBJECT_IN_USE = '55006';
const IO_ERROR = '58030';
const MAX_ATTEMPTS = 10;

export interface DataDirLock {
  readonly path: string;
  /** The pid of a dead server whose stale lock was taken over, if one was. */
  readonly tookOverFromPid: number | null;
  /** Deletes the lock file (only if it still is ours). Idempotent. */
  release(): void;
}

/** Lock files this process holds, so a second lock from the same process fails too. */
const heldByThisProcess = new Set<string>();

export interface LockDataDirOptions {
  /**
   * Called after a lock was judged stale and before it is removed: the window
   * in which a contender may take it over first. For tests of that race.
   */
  beforeStaleRemoval?: (stalePid: number) => void;
}

export function lockDataDir(dir: string, opts: LockDataDirOptions = {}): DataDirLock {
  fs.mkdirSync(dir, { recursive: true });
  const lockPath = path.join(fs.realpathSync(dir), LOCK_FILE);
  if (heldByThisProcess.has(lockPath)) throw inUse(dir, process.pid);
  const content = `${process.pid}\n${new Date(Date.now() - process.uptime() * 1000).toISOString()}\n`;
  const tempPath = `${lockPath}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  fs.writeFileSync(tempPath, content, { flag: 'wx', mode: 0o600 });
  let tookOverFromPid: number | null = null;
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (tryLink(tempPath, lockPath)) {
        if (readOrNull(lockPath) !== content) continue; // replaced under us by a confused contender: judge again
        heldByThisProcess.add(lockPath);
        return makeLock(lockPath, content, tookOverFromPid);
      }
      const existing = readOrNull(lockPath);
      if (existing === null) continue; // released in between
      const pid = parsePid(existing);
      if (pid === null) {
        throw new SqlError(OBJECT_IN_USE, `lock file "${lockPath}" is not a Strata lock file`, {
          hint: `Remove "${lockPath}" if you are sure no Strata server uses the data directory.`,
        });
      }
      if (pid !== process.pid && isAlive(pid)) throw inUse(dir, pid);
      opts.beforeStaleRemoval?.(pid);
      if (removeStale(lockPath, existing)) tookOverFromPid = pid;
    }
    throw new SqlError(OBJECT_IN_USE, `could not acquire lock file "${lockPath}": it keeps changing`, {
      hint: 'Another process is starting a Strata server on the same data directory.',
    });
  } finally {
    try {
      fs.unlinkSync(tempPath);
    } catch {
      // already gone
    }
  }
}

function makeLock(lockPath: string, content: string, tookOverFromPid: number | null): DataDirLock {
  let released = false;
  return {
    path: lockPath,
    tookOverFromPid,
    release(): void {
      if (released) return;
      released = true;
      heldByThisProcess.delete(lockPath);
      if (readOrNull(lockPath) !== content) return; // not ours any more: leave the owner's file alone
      try {
        fs.unlinkSync(lockPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    },
  };
}

function inUse(dir: string, pid: number): SqlError {
  return new SqlError(OBJECT_IN_USE, `data directory "${dir}" is in use by another Strata server (PID ${pid})`, {
    hint: `Is another server running on this data directory? If you are sure none is, remove "${path.join(dir, LOCK_FILE)}".`,
  });
}

function tryLink(from: string, to: string): boolean {
  try {
    fs.linkSync(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new SqlError(IO_ERROR, `could not create lock file "${to}": ${(err as Error).message}`);
  }
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function parsePid(content: string): number | null {
  const first = content.split('\n', 1)[0]!.trim();
  if (!/^[1-9][0-9]*$/.test(first)) return null;
  return Number(first);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else — alive all the same.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Moves the stale lock aside and deletes it. Returns whether the file moved
 * was the stale one judged; if a contender's fresh lock was moved instead, it
 * is put back (link, so a third contender's lock is never overwritten).
 */
function removeStale(lockPath: string, staleContent: string): boolean {
  const asidePath = `${lockPath}.stale.${process.pid}.${Math.random().toString(36).slice(2)}`;
  try {
    fs.renameSync(lockPath, asidePath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  try {
    if (readOrNull(asidePath) === staleContent) return true;
    tryLink(asidePath, lockPath);
    return false;
  } finally {
    fs.unlinkSync(asidePath);
  }
}
