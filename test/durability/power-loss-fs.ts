/**
 * A WalFs over node:fs that also keeps what a power cut would leave of the log:
 * a file's data as of its last fdatasync/fsync (an async fdatasync counts the
 * bytes written before the call, once it completes), and a directory's entries
 * as of its last fsync (a created, renamed or removed file is not durable in
 * its directory before that). `cut()` freezes that state; `materialize()` writes
 * it out as a directory the next start recovers from. Unsynced writes are all
 * lost — the harshest case the kernel allows — and a file whose directory entry
 * was never synced is gone.
 */
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { nodeWalFs, type WalFs } from '../../packages/storage/src/wal/wal-fs.js';

interface Inode {
  /** bytes a power cut keeps; null: none synced yet (an empty file) */
  synced: Uint8Array | null;
  /** order of the sync call `synced` comes from: an async sync finishing after a later one must not undo it */
  syncedBy: number;
}

export class PowerLossFs implements WalFs {
  /** path → inode as the running process sees the namespace */
  private readonly live = new Map<string, Inode>();
  /** directory → (name → inode) as of the directory's last fsync */
  private readonly durableDirs = new Map<string, Map<string, Inode>>();
  private readonly fdInode = new Map<number, Inode>();
  private readonly dirFds = new Map<number, string>();
  private frozen = false;
  private syncCalls = 0;
  syncs = 0;

  constructor(private readonly root: string) {}

  /** The power goes: nothing from here on becomes durable. */
  cut(): void {
    this.frozen = true;
  }

  /** Writes what survived the cut under `target` (same layout below `root`). */
  materialize(target: string): number {
    let files = 0;
    for (const [dir, entries] of this.durableDirs) {
      const rel = path.relative(this.root, dir);
      nodeFs.mkdirSync(path.join(target, rel), { recursive: true });
      for (const [name, inode] of entries) {
        nodeFs.writeFileSync(path.join(target, rel, name), inode.synced ?? new Uint8Array(0));
        files++;
      }
    }
    return files;
  }

  private inodeOf(p: string): Inode {
    let inode = this.live.get(p);
    if (inode === undefined) {
      // a file from before this fs was in use: taken as durable, entry included
      inode = { synced: nodeFs.existsSync(p) ? new Uint8Array(nodeFs.readFileSync(p)) : null, syncedBy: 0 };
      this.live.set(p, inode);
      this.durableEntries(path.dirname(p)).set(path.basename(p), inode);
    }
    return inode;
  }

  private durableEntries(dir: string): Map<string, Inode> {
    let m = this.durableDirs.get(dir);
    if (m === undefined) this.durableDirs.set(dir, (m = new Map()));
    return m;
  }

  private contentOf(fd: number): Uint8Array {
    const size = nodeWalFs.fstatSync(fd).size;
    const out = new Uint8Array(size);
    let done = 0;
    while (done < size) {
      const n = nodeWalFs.readSync(fd, out, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
    return out.subarray(0, done);
  }

  openSync(p: string, flags: string, mode?: number): number {
    const existed = nodeFs.existsSync(p);
    const fd = nodeWalFs.openSync(p, flags, mode);
    if (nodeFs.fstatSync(fd).isDirectory()) {
      this.dirFds.set(fd, p);
      return fd;
    }
    if (!existed) this.live.set(p, { synced: null, syncedBy: 0 });
    this.fdInode.set(fd, this.inodeOf(p));
    return fd;
  }

  closeSync(fd: number): void {
    this.fdInode.delete(fd);
    this.dirFds.delete(fd);
    nodeWalFs.closeSync(fd);
  }

  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
    return nodeWalFs.readSync(fd, buffer, offset, length, position);
  }

  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
    return nodeWalFs.writeSync(fd, buffer, offset, length, position);
  }

  writevSync(fd: number, buffers: readonly Uint8Array[], position: number): number {
    return nodeWalFs.writevSync(fd, buffers, position);
  }

  private synced(inode: Inode, content: Uint8Array, call: number): void {
    if (this.frozen || call < inode.syncedBy) return;
    inode.synced = content;
    inode.syncedBy = call;
    this.syncs++;
  }

  fdatasync(fd: number, callback: (err: NodeJS.ErrnoException | null) => void): void {
    const inode = this.fdInode.get(fd);
    const content = inode === undefined ? null : this.contentOf(fd);
    const call = ++this.syncCalls;
    nodeWalFs.fdatasync(fd, (err) => {
      if (!err && inode !== undefined) this.synced(inode, content!, call);
      callback(err);
    });
  }

  fdatasyncSync(fd: number): void {
    nodeWalFs.fdatasyncSync(fd);
    const inode = this.fdInode.get(fd);
    if (inode !== undefined) this.synced(inode, this.contentOf(fd), ++this.syncCalls);
  }

  fsyncSync(fd: number): void {
    nodeWalFs.fsyncSync(fd);
    if (this.frozen) return;
    const dir = this.dirFds.get(fd);
    if (dir === undefined) {
      const inode = this.fdInode.get(fd);
      if (inode !== undefined) this.synced(inode, this.contentOf(fd), ++this.syncCalls);
      return;
    }
    const entries = new Map<string, Inode>();
    for (const [p, inode] of this.live) if (path.dirname(p) === dir) entries.set(path.basename(p), inode);
    this.durableDirs.set(dir, entries);
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
    this.live.delete(p);
  }

  renameSync(from: string, to: string): void {
    const inode = this.inodeOf(from);
    nodeWalFs.renameSync(from, to);
    this.live.delete(from);
    this.live.set(to, inode);
  }

  preallocate(p: string, bytes: number, callback: (err: NodeJS.ErrnoException | null) => void): void {
    nodeWalFs.preallocate(p, bytes, (err) => {
      // the zeros were synced; the entry is not (nothing syncs the directory for a prepared file)
      if (!err) this.live.set(p, { synced: this.frozen ? null : new Uint8Array(bytes), syncedBy: ++this.syncCalls });
      callback(err);
    });
  }

  mkdirSync(p: string, options: { recursive: true }): void {
    nodeWalFs.mkdirSync(p, options);
    this.durableEntries(p);
  }
}
