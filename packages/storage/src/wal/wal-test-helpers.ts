/**
 * Test support for the WAL: a WalFs over node:fs that counts syncs and
 * injects the failures real disks produce (ENOSPC part-way through a write,
 * EIO from fdatasync), plus deterministic record payloads.
 */
import * as nodeFs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach } from 'vitest';
import { nodeWalFs, type WalFs, type ZeroFillPacer } from './wal-fs.js';

function errnoError(code: string, syscall: string): NodeJS.ErrnoException {
  const messages: Record<string, string> = {
    ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded',
    EIO: 'i/o error',
  };
  return Object.assign(new Error(`${code}: ${messages[code] ?? 'error'}, ${syscall}`), { code, syscall });
}

export class FaultyWalFs implements WalFs {
  fdatasyncCalls = 0;
  fdatasyncSyncCalls = 0;
  /** Bytes writes may still add before they fail with `writeFailure`; null: unlimited. */
  writeBudget: number | null = null;
  writeFailure = 'ENOSPC';
  /** The errno the next fdatasync (async or sync) fails with, once. */
  fdatasyncFailure: string | null = null;

  openSync(p: string, flags: string, mode?: number): number {
    return nodeWalFs.openSync(p, flags, mode);
  }
  closeSync(fd: number): void {
    nodeWalFs.closeSync(fd);
  }
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
    return nodeWalFs.readSync(fd, buffer, offset, length, position);
  }
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
    if (this.writeBudget === null) return nodeWalFs.writeSync(fd, buffer, offset, length, position);
    if (this.writeBudget <= 0) throw errnoError(this.writeFailure, 'write');
    // Like the kernel: a write that does not fit is partial, the next one fails.
    const allowed = Math.min(length, this.writeBudget);
    const written = nodeWalFs.writeSync(fd, buffer, offset, allowed, position);
    this.writeBudget -= written;
    return written;
  }
  /** Buffer by buffer through writeSync, so a budget cuts it short exactly as it would a pwrite. */
  writevSync(fd: number, buffers: readonly Uint8Array[], position: number): number {
    this.writevCalls++;
    let done = 0;
    for (const b of buffers) {
      let n: number;
      const limit = this.writevLimit === null ? b.length : Math.min(b.length, this.writevLimit - done);
      if (limit <= 0) break;
      try {
        n = this.writeSync(fd, b, 0, limit, position + done);
      } catch (err) {
        if (done > 0) return done; // like the kernel: the bytes so far, the error on the next call
        throw err;
      }
      done += n;
      if (n < b.length) break;
    }
    return done;
  }
  writevCalls = 0;
  /** At most this many bytes per writev call (a short write without an error); null: no limit. */
  writevLimit: number | null = null;
  fdatasync(fd: number, callback: (err: NodeJS.ErrnoException | null) => void): void {
    this.fdatasyncCalls++;
    const failure = this.takeFdatasyncFailure();
    if (failure) {
      setImmediate(() => callback(failure));
      return;
    }
    nodeWalFs.fdatasync(fd, callback);
  }
  fdatasyncSync(fd: number): void {
    this.fdatasyncSyncCalls++;
    const failure = this.takeFdatasyncFailure();
    if (failure) throw failure;
    nodeWalFs.fdatasyncSync(fd);
  }
  fsyncSync(fd: number): void {
    nodeWalFs.fsyncSync(fd);
  }
  ftruncateSync(fd: number, length: number): void {
    nodeWalFs.ftruncateSync(fd, length);
  }
  fstatSync(fd: number): { size: number } {
    return nodeWalFs.fstatSync(fd);
  }
  readdirSync(p: string): string[] {
    return nodeWalFs.readdirSync(p);
  }
  unlinkSync(p: string): void {
    nodeWalFs.unlinkSync(p);
  }
  renameSync(from: string, to: string): void {
    nodeWalFs.renameSync(from, to);
  }
  preallocateCalls = 0;
  /** Zero-filling counts against writeBudget, all or nothing, as a full disk refuses it. */
  preallocate(p: string, bytes: number, callback: (err: NodeJS.ErrnoException | null) => void, pace?: ZeroFillPacer): void {
    this.preallocateCalls++;
    if (this.writeBudget !== null) {
      if (bytes > this.writeBudget) {
        setImmediate(() => callback(errnoError(this.writeFailure, 'write')));
        return;
      }
      this.writeBudget -= bytes;
    }
    nodeWalFs.preallocate(p, bytes, callback, pace);
  }
  mkdirSync(p: string, options: { recursive: true }): void {
    nodeWalFs.mkdirSync(p, options);
  }

  private takeFdatasyncFailure(): NodeJS.ErrnoException | null {
    if (!this.fdatasyncFailure) return null;
    const err = errnoError(this.fdatasyncFailure, 'fdatasync');
    this.fdatasyncFailure = null;
    return err;
  }
}

export function tempDir(prefix = 'strata-wal-'): string {
  return nodeFs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A test file's maker of temporary directories, each removed after the test that made it. */
export function tempDirsPerTest(): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) nodeFs.rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = tempDir();
    dirs.push(dir);
    return dir;
  };
}

/** Deterministic payload for record `index`: its bytes tell which record it is. */
export function payloadFor(index: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = (index * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/** Small deterministic PRNG (mulberry32) for record sizes. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface CollectedRecord {
  lsn: number;
  endLsn: number;
  type: number;
  payload: Uint8Array;
}

/** onRecord that copies each record (recovery reuses the record and its buffer). */
export function collector(): { records: CollectedRecord[]; onRecord: (r: CollectedRecord) => void } {
  const records: CollectedRecord[] = [];
  return {
    records,
    onRecord: (r) => records.push({ lsn: r.lsn, endLsn: r.endLsn, type: r.type, payload: r.payload.slice() }),
  };
}
