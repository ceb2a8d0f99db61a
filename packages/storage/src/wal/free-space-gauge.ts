/**
 * How much room the log's disk has, kept up to date cheaply for the decision whether a record that
 * extends a segment file may be written by the writer thread. Such a write can fail with ENOSPC
 * after its commit was published, which leaves the log failed until a restart (PostgreSQL PANICs
 * there); written by the committer instead, a full disk is a clean 53100 and the log stays usable.
 * So the thread takes those records only while the disk has a wide margin free: the last statfs
 * (refreshed in the background at most every REFRESH_MS) minus everything the log wrote since.
 */
import * as nodeFs from 'node:fs';

/** Below this much free space every extending write is the committer's. */
export const FREE_SPACE_MARGIN_BYTES = 1024 * 1024 * 1024;
const REFRESH_MS = 250;

export class FreeSpaceGauge {
  /** free bytes by the last statfs (0 when unknown: the committer writes), minus what was noted since it was asked for */
  private freeBytes = 0;
  private notedSinceAsked = 0;
  private asking = false;
  private askedAt = performance.now();

  constructor(private readonly dir: string) {
    try {
      const stats = nodeFs.statfsSync(dir);
      this.freeBytes = stats.bavail * stats.bsize;
    } catch {
      // unknown until the next refresh
    }
  }

  /** Whether `bytes` more leave the margin free, as far as is known. */
  allows(bytes: number): boolean {
    if (!this.asking && performance.now() - this.askedAt >= REFRESH_MS) this.refresh();
    return this.freeBytes - bytes >= FREE_SPACE_MARGIN_BYTES;
  }

  /** `bytes` were written (or are about to be). */
  note(bytes: number): void {
    this.freeBytes -= bytes;
    this.notedSinceAsked += bytes;
  }

  private refresh(): void {
    this.asking = true;
    this.askedAt = performance.now();
    this.notedSinceAsked = 0;
    nodeFs.statfs(this.dir, (err, stats) => {
      this.asking = false;
      // what was written while statfs ran may or may not be counted in its answer: take it as not
      this.freeBytes = err ? 0 : stats.bavail * stats.bsize - this.notedSinceAsked;
    });
  }
}
