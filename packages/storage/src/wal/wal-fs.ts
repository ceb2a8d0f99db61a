/**
 * The file-system seam of the WAL: exactly the calls the log and its
 * recovery make, so tests can inject ENOSPC, EIO and torn writes at any
 * point without touching a real disk's failure modes. The default is node:fs.
 */
import * as nodeFs from 'node:fs';

export interface WalFs {
  openSync(path: string, flags: string, mode?: number): number;
  closeSync(fd: number): void;
  /** pread: bytes read, 0 at end of file. */
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** pwrite: may write fewer bytes than asked; the caller loops. */
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** Runs on the libuv thread pool so the event loop keeps serving while the disk syncs. */
  fdatasync(fd: number, callback: (err: NodeJS.ErrnoException | null) => void): void;
  fdatasyncSync(fd: number): void;
  /** Used on directories, where fdatasync is not enough to persist entries. */
  fsyncSync(fd: number): void;
  ftruncateSync(fd: number, length: number): void;
  fstatSync(fd: number): { size: number };
  readdirSync(path: string): string[];
  unlinkSync(path: string): void;
  mkdirSync(path: string, options: { recursive: true }): void;
}

export const nodeWalFs: WalFs = {
  openSync: (path, flags, mode) => nodeFs.openSync(path, flags, mode),
  closeSync: (fd) => nodeFs.closeSync(fd),
  readSync: (fd, buffer, offset, length, position) => nodeFs.readSync(fd, buffer, offset, length, position),
  writeSync: (fd, buffer, offset, length, position) => nodeFs.writeSync(fd, buffer, offset, length, position),
  fdatasync: (fd, callback) => nodeFs.fdatasync(fd, callback),
  fdatasyncSync: (fd) => nodeFs.fdatasyncSync(fd),
  fsyncSync: (fd) => nodeFs.fsyncSync(fd),
  ftruncateSync: (fd, length) => nodeFs.ftruncateSync(fd, length),
  fstatSync: (fd) => nodeFs.fstatSync(fd),
  readdirSync: (path) => nodeFs.readdirSync(path),
  unlinkSync: (path) => nodeFs.unlinkSync(path),
  mkdirSync: (path, options) => {
    nodeFs.mkdirSync(path, options);
  },
};

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
