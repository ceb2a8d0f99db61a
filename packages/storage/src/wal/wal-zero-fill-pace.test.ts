import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WriteAheadLog } from './wal.js';
import { recoverWal } from './wal-recovery.js';
import type { ZeroFillPacer } from './wal-fs.js';
import { FaultyWalFs, payloadFor, tempDirsPerTest } from './wal-test-helpers.js';

const SEGMENT = 256 * 1024;
/** The slack the log allows a zero-fill: an eighth of a segment this small. */
const SLACK = SEGMENT / 8;
const CHUNK = 4096;
const newDir = tempDirsPerTest();

/** Zero-fills in small chunks through the log's pacer, and counts what it wrote. */
class PacedFillFs extends FaultyWalFs {
  filled = 0;
  cancelled = 0;
  /** bytes written per step (a step writes what the pacer allows, in whole chunks, at least one) */
  steps: number[] = [];
  override preallocate(p: string, bytes: number, callback: (err: NodeJS.ErrnoException | null) => void, pace?: ZeroFillPacer): void {
    this.preallocateCalls++;
    this.filled = 0;
    const fd = fs.openSync(p, 'w');
    const zeros = new Uint8Array(CHUNK);
    const step = (): void => {
      if (this.filled >= bytes) {
        fs.closeSync(fd);
        callback(null);
        return;
      }
      const go = (ok: boolean, upTo?: number): void => {
        if (!ok) {
          this.cancelled++;
          fs.closeSync(fd);
          fs.unlinkSync(p);
          callback(Object.assign(new Error('zero-fill given up'), { code: 'ECANCELED' }));
          return;
        }
        const n = Math.min(bytes - this.filled, Math.max(CHUNK, Math.floor((upTo ?? CHUNK) / CHUNK) * CHUNK));
        for (let at = 0; at < n; at += CHUNK) fs.writeSync(fd, zeros, 0, CHUNK, this.filled + at);
        this.filled += n;
        this.steps.push(n);
        setImmediate(step);
      };
      if (pace) pace(this.filled, go);
      else go(true);
    };
    setImmediate(step);
  }
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once `condition` holds (polled), or fails after 10 s: no assumption on how fast a loaded machine runs the fill. */
async function until(condition: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 10_000; !condition(); await settle(2)) {
    if (Date.now() > deadline) throw new Error('condition not reached in 10 s');
  }
}

/** A log moved into its first prepared segment (filled at full speed from the plain one); `start`: the LSN after its first record there. */
async function inPreparedSegment(dir: string, wfs: PacedFillFs, zeroFillQuietMs: number): Promise<{ log: WriteAheadLog; start: number }> {
  const log = WriteAheadLog.open(dir, { segmentBytes: SEGMENT, fs: wfs, preallocateAfterBytes: 0, zeroFillQuietMs });
  log.append(1, payloadFor(0, 100));
  // the first segment is plain: its zero-fill does not wait for anything
  expect(await log.nextSegmentPrepared()).toBe(true);
  expect(wfs.filled).toBe(SEGMENT);
  const start = log.append(1, payloadFor(1, 100));
  await log.flush(start);
  return { log, start };
}

describe('zero-filling the next WAL segment at the pace of the log', () => {
  it('from a plain segment it fills at full speed; from a preallocated one, only as fast as the log grows while commits sync', async () => {
    const dir = newDir();
    const wfs = new PacedFillFs();
    // a quiet period far longer than the test: only the log's own progress lets the fill go on
    const { log, start } = await inPreparedSegment(dir, wfs, 60_000);
    // the next segment's fill started at the rotation and stops at its head start
    expect(wfs.preallocateCalls).toBe(2);
    await until(() => wfs.filled >= SLACK);
    await settle(20);
    expect(wfs.filled).toBeLessThanOrEqual(SLACK + CHUNK);

    // commits of 8 KiB, each synced: the fill goes on between the syncs, two bytes of zeros per byte of log
    let end = start;
    for (let i = 0; i < 6; i++) {
      end = log.append(1, payloadFor(2 + i, 8192));
      await log.flush(end);
      await until(() => wfs.filled >= 2 * (end - start));
      expect(wfs.filled).toBeLessThanOrEqual(2 * (end - start) + SLACK + CHUNK);
    }
    expect(await Promise.race([log.nextSegmentPrepared(), settle(50).then(() => 'still filling')])).toBe('still filling');

    // appends without syncs (a bulk load): the fill keeps within its slack of the pace
    for (let i = 0; i < 3; i++) end = log.append(1, payloadFor(20 + i, 8192));
    await until(() => wfs.filled >= 2 * (end - start));
    await settle(20);
    expect(wfs.filled).toBeLessThanOrEqual(2 * (end - start) + SLACK + CHUNK);

    // a statement that writes more than a chunk between two turns of the event loop (a bulk load's):
    // the fill catches up with the pace in one step, not a chunk per turn
    const behind = wfs.filled;
    const stepsBefore = wfs.steps.length;
    end = log.append(1, payloadFor(30, 6 * CHUNK));
    await log.flush(end);
    await until(() => wfs.filled >= 2 * (end - start));
    expect(wfs.filled).toBeLessThanOrEqual(2 * (end - start) + SLACK + CHUNK);
    expect(Math.max(...wfs.steps.slice(stepsBefore))).toBeGreaterThanOrEqual(Math.min(2 * (end - start) - behind, SEGMENT - behind) - CHUNK);

    // close gives the parked fill up instead of writing the rest of the segment's zeros
    await log.close();
    expect(wfs.cancelled).toBe(1);
    expect(fs.existsSync(`${dir}/next-segment.prep`)).toBe(false);
    expect(recoverWal(dir, 0, () => {}).endLsn).toBe(end);
  });

  it('a log that goes quiet lets the fill finish at full speed, and the next rotation takes it', async () => {
    const dir = newDir();
    const wfs = new PacedFillFs();
    const { log, start } = await inPreparedSegment(dir, wfs, 15);
    // nothing appended from here on: once the log has been quiet for 15 ms, the fill runs to the end
    expect(await log.nextSegmentPrepared()).toBe(true);
    expect(wfs.filled).toBe(SEGMENT);
    const before = log.segments().length;
    let end = start;
    for (let i = 0; end - start < SEGMENT; i++) end = log.append(1, payloadFor(2 + i, 8192));
    log.append(1, payloadFor(99, 10));
    expect(log.segments().length).toBe(before + 1);
    // the fill of the segment after it began at the rotation; close gives that one up
    expect(wfs.preallocateCalls).toBe(3);
    await log.close();
    expect(wfs.cancelled).toBe(1);
  });
});
