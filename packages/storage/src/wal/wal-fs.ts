/**
 * The file-system seam of the WAL: exactly the calls the log and its
 * recovery make, so tests can inject ENOSPC, EIO and torn writes at any
 * point without touching a real disk's failure modes. The default is node:fs.
 */
import * as nodeFs from 'node:fs';
import { dirname } from 'node:path';

export interface WalFs {
  openSync(path: string, flags: string, mode?: number): number;
  closeSync(fd: number): void;
  /** pread: bytes read, 0 at end of file. */
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** pwrite: may write fewer bytes than asked; the caller loops. */
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** pwritev of whole buffers: may write fewer bytes than they hold; the caller goes on. */
  writevSync(fd: number, buffers: readonly Uint8Array[], position: number): number;
  /** Runs on the libuv thread pool so the event loop keeps serving while the disk syncs. */
  fdatasync(fd: number, callback: (err: NodeJS.ErrnoException | null) => void): void;
  fdatasyncSync(fd: number): void;
  /** Used on directories, where fdatasync is not enough to persist entries. */
  fsyncSync(fd: number): void;
  ftruncateSync(fd: number, length: number): void;
  fstatSync(fd: number): { size: number };
  readdirSync(path: string): string[];
  unlinkSync(path: string): void;
  renameSync(from: string, to: string): void;
  /**
   * Creates `path` holding `bytes` zero bytes, synced, off the event loop; on
   * failure (or when `pace` gives up) the partial file is removed before the callback runs.
   */
  preallocate(path: string, bytes: number, callback: (err: NodeJS.ErrnoException | null) => void, pace?: ZeroFillPacer): void;
  mkdirSync(path: string, options: { recursive: true }): void;
}

/**
 * Asked before each step of a zero-fill, with the bytes written so far: calls `proceed(true)` when
 * the next chunk may go, `proceed(true, bytes)` when up to `bytes` may go at once (in whole chunks,
 * at least one), or `proceed(false)` to give the file up (the log lets its zero-fill advance with its
 * own writes, wal.ts).
 */
export type ZeroFillPacer = (doneBytes: number, proceed: (go: boolean, bytes?: number) => void) => void;

export const nodeWalFs: WalFs = {
  openSync: (path, flags, mode) => nodeFs.openSync(path, flags, mode),
  closeSync: (fd) => nodeFs.closeSync(fd),
  readSync: (fd, buffer, offset, length, position) => nodeFs.readSync(fd, buffer, offset, length, position),
  writeSync: (fd, buffer, offset, length, position) => nodeFs.writeSync(fd, buffer, offset, length, position),
  writevSync: (fd, buffers, position) => nodeFs.writevSync(fd, buffers as NodeJS.ArrayBufferView[], position),
  fdatasync: (fd, callback) => nodeFs.fdatasync(fd, callback),
  fdatasyncSync: (fd) => nodeFs.fdatasyncSync(fd),
  fsyncSync: (fd) => nodeFs.fsyncSync(fd),
  ftruncateSync: (fd, length) => nodeFs.ftruncateSync(fd, length),
  fstatSync: (fd) => nodeFs.fstatSync(fd),
  readdirSync: (path) => nodeFs.readdirSync(path),
  unlinkSync: (path) => nodeFs.unlinkSync(path),
  renameSync: (from, to) => nodeFs.renameSync(from, to),
  preallocate: preallocateFile,
  mkdirSync: (path, options) => {
    nodeFs.mkdirSync(path, options);
  },
};

/** Small enough that a chunk's write-back fits between two commits' syncs (wal.ts paces the chunks). */
const PREALLOCATE_CHUNK_BYTES = 256 * 1024;
/**
 * The most one step writes (one writev) when the pacer allows more than a chunk: a commit's
 * fdatasync may queue behind a step's write-back.
 */
const PREALLOCATE_STEP_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Zero-fills only where the file system keeps at least as much free again: the
 * last free space of a nearly full disk belongs to commits and checkpoints.
 */
function preallocateFile(path: string, bytes: number, callback: (err: NodeJS.ErrnoException | null) => void, pace?: ZeroFillPacer): void {
  nodeFs.statfs(dirname(path), (statErr, stats) => {
    if (statErr) {
      callback(statErr);
      return;
    }
    if (stats.bavail * stats.bsize < 2 * bytes) {
      callback(Object.assign(new Error(`ENOSPC: less than twice ${bytes} bytes free, not preallocating`), { code: 'ENOSPC' }));
      return;
    }
    zeroFillFile(path, bytes, callback, pace);
  });
}

function zeroFillFile(path: string, bytes: number, callback: (err: NodeJS.ErrnoException | null) => void, pace?: ZeroFillPacer): void {
  // with O_DSYNC each write returns once its zeros are on disk: a step is one job of the thread pool
  // and one turn of the event loop (a bulk load turns it about once per statement), not two
  const dsync = nodeFs.constants.O_DSYNC;
  const flags = dsync === undefined ? 'w' : nodeFs.constants.O_WRONLY | nodeFs.constants.O_CREAT | nodeFs.constants.O_TRUNC | dsync;
  nodeFs.open(path, flags, 0o600, (openErr, fd) => {
    if (openErr) {
      callback(openErr);
      return;
    }
    const fail = (err: NodeJS.ErrnoException) => nodeFs.close(fd, () => nodeFs.unlink(path, () => callback(err)));
    const zeros = Buffer.alloc(Math.min(bytes, PREALLOCATE_CHUNK_BYTES));
    let done = 0;
    // synced step by step: a commit's fdatasync queues behind at most one step's write-back, never
    // behind the whole segment's (measured: p99 commit latency 2–5 ms with one sync at the end)
    const step = (): void => {
      if (done >= bytes) {
        nodeFs.close(fd, callback);
        return;
      }
      if (pace === undefined) writeStep(zeros.length);
      else pace(done, (go, upTo) => (go ? writeStep(upTo ?? zeros.length) : fail(Object.assign(new Error('zero-fill given up'), { code: 'ECANCELED' }))));
    };
    const writeStep = (upTo: number): void => {
      const chunks = Math.max(1, Math.min(Math.floor(upTo / zeros.length), PREALLOCATE_STEP_MAX_BYTES / zeros.length));
      const n = Math.min(chunks * zeros.length, bytes - done);
      const buffers: Buffer[] = [];
      for (let left = n; left > 0; left -= zeros.length) buffers.push(left >= zeros.length ? zeros : zeros.subarray(0, left));
      nodeFs.writev(fd, buffers, done, (writeErr, written) => {
        if (writeErr) {
          fail(writeErr);
          return;
        }
        done += written;
        if (dsync !== undefined) step();
        else nodeFs.fdatasync(fd, (syncErr) => (syncErr ? fail(syncErr) : step()));
      });
    };
    step();
  });
}

/**
 * Makes created or deleted directory entries durable: without it a crash
 * can lose a whole new segment file even though its contents were synced.
 */
export function syncDirectory(fs: WalFs, dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** errno code of an error thrown by node:fs (or by an injected fault). */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** Buffers per writev call: Linux's IOV_MAX. */
const MAX_IOV = 1024;

/**
 * writev of `buffers` (`total` bytes) at `position`, continuing after short writes; a write that
 * makes no progress is retried as a plain write of the next buffer, which reports the error.
 */
export function writevFully(fs: WalFs, fd: number, buffers: readonly Uint8Array[], total: number, position: number): void {
  let at = position;
  let i = 0;
  let skip = 0; // bytes of buffers[i] already written
  while (i < buffers.length) {
    const batch: Uint8Array[] = [];
    for (let k = i; k < buffers.length && batch.length < MAX_IOV; k++) batch.push(k === i ? buffers[k]!.subarray(skip) : buffers[k]!);
    let n = fs.writevSync(fd, batch, at);
    if (n === 0) n = fs.writeSync(fd, batch[0]!, 0, batch[0]!.length, at);
    at += n;
    while (n > 0) {
      const rest = buffers[i]!.length - skip;
      if (n < rest) {
        skip += n;
        n = 0;
      } else {
        n -= rest;
        i++;
        skip = 0;
      }
    }
  }
  if (at - position !== total) throw new Error(`WAL record write covered ${at - position} of ${total} bytes`);
}

export function writeFully(fs: WalFs, fd: number, data: Uint8Array, length: number, position: number): void {
  let done = 0;
  while (done < length) done += fs.writeSync(fd, data, done, length - done, position + done);
}
