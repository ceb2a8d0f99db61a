import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { WriteAheadLog } from './wal.js';
import { recoverWal } from './wal-recovery.js';
import { listSegments } from './segment-files.js';
import { nodeWalFs } from './wal-fs.js';
import { collector, payloadFor, seededRandom, tempDirsPerTest } from './wal-test-helpers.js';

const newDir = tempDirsPerTest();
const LARGE = 300 * 1024;
const here = path.dirname(fileURLToPath(import.meta.url));

/** Record i's size: every third one large (the thread's), the rest small (queued behind it when it is busy). */
function sizeOf(i: number, random: () => number): number {
  return i % 3 === 0 ? LARGE + Math.floor(random() * 200_000) : 1 + Math.floor(random() * 5000);
}

function recoverAll(dir: string) {
  const { records, onRecord } = collector();
  const oldest = listSegments(nodeWalFs, dir)[0]!.startLsn;
  const report = recoverWal(dir, oldest, onRecord);
  return { records, report };
}

describe('the WAL writer thread', () => {
  it('writes large records and those queued behind them in log order, across rotations into plain and preallocated segments', async () => {
    const dir = newDir();
    const log = WriteAheadLog.open(dir, { segmentBytes: 2 * 1024 * 1024, preallocateAfterBytes: 0 });
    const random = seededRandom(7);
    const ends: number[] = [];
    const sizes: number[] = [];
    for (let i = 0; i < 60; i++) {
      sizes.push(sizeOf(i, random));
      ends.push(log.append(1 + (i % 5), payloadFor(i, sizes[i]!)));
      if (i % 10 === 9) await log.nextSegmentPrepared(); // some rotations land in zero-filled segments
    }
    expect(log.recordsByThread).toBeGreaterThanOrEqual(20);
    await log.flush(ends[ends.length - 1]!);
    expect(log.flushedLsn).toBe(log.writtenLsn);
    await log.close();
    expect(listSegments(nodeWalFs, dir).length).toBeGreaterThan(3);
    const { records, report } = recoverAll(dir);
    expect(report.cutBytes ?? 0).toBe(0);
    expect(records.map((r) => r.endLsn)).toEqual(ends);
    for (let i = 0; i < records.length; i++) {
      expect(records[i]!.type).toBe(1 + (i % 5));
      expect(Buffer.from(records[i]!.payload).equals(Buffer.from(payloadFor(i, sizes[i]!)))).toBe(true);
    }
  });

  it('resolves a flush only once the thread has written and synced the records before it', async () => {
    const dir = newDir();
    const log = WriteAheadLog.open(dir, { preallocate: false });
    const end = log.append(1, payloadFor(1, 4 * 1024 * 1024));
    const small = log.append(2, payloadFor(2, 100)); // queued behind the large one
    expect(log.recordsByThread).toBe(2);
    expect(log.flushedLsn).toBeLessThan(end);
    await log.flush(small);
    expect(log.flushedLsn).toBeGreaterThanOrEqual(small);
    // on disk at once, without close: recovery of the directory as it stands finds both
    const { records } = recoverAll(dir);
    expect(records.map((r) => r.endLsn)).toEqual([end, small]);
    await log.close();
  });

  it('a flush of records the thread has written resolves while more keep arriving (the thread never idle)', async () => {
    const dir = newDir();
    const log = WriteAheadLog.open(dir, { preallocate: false, writeThreadDelayMsForTesting: 40 });
    const first = log.append(1, payloadFor(1, LARGE));
    let flushedAt = -1;
    let appended = 1;
    const flushing = log.flush(first).then(() => (flushedAt = appended));
    // a stream of large records, each handed over before the thread finishes the one before
    while (flushedAt < 0 && appended < 40) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      log.append(1, payloadFor(++appended, LARGE));
    }
    await flushing;
    // answered as the thread went on, not once the stream ended (it reports a record when a flush waits)
    expect(flushedAt).toBeGreaterThan(0);
    expect(flushedAt).toBeLessThan(20);
    expect(log.flushedLsn).toBeGreaterThanOrEqual(first);
    await log.close();
  });

  it('while the thread holds a record, later ones wait behind it: the file as it stands is a prefix of the log (a crash now loses only unflushed records)', async () => {
    const dir = newDir();
    const log = WriteAheadLog.open(dir, { preallocate: false, writeThreadDelayMsForTesting: 300 });
    const first = log.append(1, payloadFor(1, 100));
    await log.flush(first);
    const large = log.append(1, payloadFor(2, LARGE));
    const small = log.append(2, payloadFor(3, 100));
    // what a crash would leave now: the flushed record, nothing after a hole (recovery would refuse XX001)
    expect(recoverAll(dir).records.map((r) => r.endLsn)).toEqual([first]);
    let flushed = false;
    const flushing = log.flush(small).then(() => (flushed = true));
    await new Promise((resolve) => setTimeout(resolve, 100)); // an fdatasync would have ended by now
    expect(flushed).toBe(false);
    expect(log.flushedLsn).toBe(first);
    // a sync flush waits for the thread too
    log.flushSync(small);
    expect(recoverAll(dir).records.map((r) => r.endLsn)).toEqual([first, large, small]);
    await flushing;
    expect(flushed).toBe(true);
    await log.close();
  });

  it('reads parts in shared buffers in place: the buffer is held until the record is written, and the log holds the bytes as they were', async () => {
    const dir = newDir();
    const log = WriteAheadLog.open(dir, { preallocate: false, writeThreadDelayMsForTesting: 200 });
    const shared = new Uint8Array(new SharedArrayBuffer(4 * LARGE));
    const other = new Uint8Array(new SharedArrayBuffer(LARGE)); // not shared with the log: copied
    log.shareBuffer(shared.buffer);
    shared.set(payloadFor(1, 4 * LARGE));
    other.set(payloadFor(2, LARGE));
    const plain = payloadFor(3, 1000);
    // adjacent pieces of the shared buffer, a copied piece between, an empty one
    const parts = [shared.subarray(0, 1000), shared.subarray(1000, LARGE), plain, new Uint8Array(0), shared.subarray(2 * LARGE, 3 * LARGE), other];
    const expected = Buffer.concat(parts.map((p) => Buffer.from(p)));
    const end = log.append(7, parts);
    expect(log.recordsByThread).toBe(1);
    expect(log.holdsBuffer(shared.buffer)).toBe(true);
    expect(log.holdsBuffer(other.buffer)).toBe(false);
    other.fill(0); // copied already
    // more pieces than a record may name in place: copied whole, the shared buffer not held by it
    const many = Array.from({ length: 100 }, (_, i) => shared.subarray(3 * LARGE + i * 1000 + (i % 2), 3 * LARGE + i * 1000 + 500));
    const manyExpected = Buffer.concat(many.map((p) => Buffer.from(p)));
    const manyEnd = log.append(8, many);
    log.flushSync(manyEnd);
    expect(log.holdsBuffer(shared.buffer)).toBe(false);
    shared.fill(0);
    log.unshareBuffer(shared.buffer);
    // the next record's parts in the buffer are copied (it is no longer shared)
    const after = log.append(9, [shared.subarray(0, LARGE)]);
    expect(log.holdsBuffer(shared.buffer)).toBe(false);
    await log.flush(after);
    await log.close();
    const { records } = recoverAll(dir);
    expect(records.map((r) => r.endLsn)).toEqual([end, manyEnd, after]);
    expect(Buffer.from(records[0]!.payload).equals(expected)).toBe(true);
    expect(Buffer.from(records[1]!.payload).equals(manyExpected)).toBe(true);
    expect(Buffer.from(records[2]!.payload).equals(Buffer.alloc(LARGE))).toBe(true);
  });

  it('the committer writes a small record itself once the thread is idle, and syncs its own', async () => {
    const dir = newDir();
    const log = WriteAheadLog.open(dir, { preallocate: false });
    await log.flush(log.append(1, payloadFor(1, LARGE)));
    expect(log.recordsByThread).toBe(1);
    const end = log.append(1, payloadFor(2, 10));
    expect(log.recordsByThread).toBe(1);
    log.flushSync(end);
    expect(log.flushedLsn).toBe(end);
    await log.close();
    expect(recoverAll(dir).records.length).toBe(2);
  });

  it('flushSync of a record the thread holds waits for the thread to write and sync it: no second fdatasync on the calling thread', async () => {
    const dir = newDir();
    // the thread sleeps before each record, so it still holds it when the sync is asked for
    const log = WriteAheadLog.open(dir, { preallocate: false, writeThreadDelayMsForTesting: 30 });
    const syncs = vi.spyOn(nodeWalFs, 'fdatasyncSync');
    try {
      for (let i = 0; i < 5; i++) {
        const end = log.append(1, payloadFor(i, LARGE));
        log.syncAfterThreadWrites();
        log.flushSync(end);
        expect(log.flushedLsn).toBe(end);
        expect((log as unknown as { thread: { syncedLsn: number } }).thread.syncedLsn).toBe(end);
      }
      expect(log.recordsByThread).toBe(5);
      expect(syncs).not.toHaveBeenCalled();
      // a record the thread wrote before anyone asked for a sync is synced here
      const end = log.append(2, payloadFor(9, LARGE));
      while (log.syncIdle && (log as unknown as { thread: { busy: boolean } }).thread.busy) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
      log.flushSync(end);
      expect(log.flushedLsn).toBe(end);
      expect(syncs).toHaveBeenCalledTimes(1);
    } finally {
      syncs.mockRestore();
    }
    await log.close();
    expect(recoverAll(dir).records.length).toBe(6);
  });

  it('a blocking drain returns when the thread finishes its last record between the drain looking and waiting', async () => {
    const dir = newDir();
    const log = WriteAheadLog.open(dir, { preallocate: false });
    const end = log.append(1, payloadFor(1, LARGE));
    expect(log.recordsByThread).toBe(1);
    const thread = (log as unknown as { thread: { absorb(): void; ctrl: Int32Array; seq: number } }).thread;
    const absorb = thread.absorb.bind(thread);
    let first = true;
    thread.absorb = () => {
      absorb();
      if (!first) return;
      first = false;
      // the thread finishes the record right after the drain saw it pending (CTRL.done is cell 0)
      while (Atomics.load(thread.ctrl, 0) < thread.seq) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    };
    const started = performance.now();
    log.flushSync(end); // drains the thread: before the fix it waited for a record that never came, 60 s
    expect(performance.now() - started).toBeLessThan(5000);
    expect(first).toBe(false);
    expect(log.flushedLsn).toBe(end);
    await log.close();
  }, 20_000);

  it('a failed write on the thread fails the log (58030): the waiting flush and every later append are refused', async () => {
    const dir = newDir();
    const log = WriteAheadLog.open(dir, { preallocate: false });
    // the segment's descriptor, closed under the log: the thread's write gets EBADF
    const fd = (log as unknown as { fd: number }).fd;
    fs.closeSync(fd);
    const end = log.append(1, payloadFor(1, LARGE));
    await expect(log.flush(end)).rejects.toMatchObject({ code: '58030' });
    expect(() => log.append(1, payloadFor(2, 10))).toThrow(/unusable after an earlier I\/O error/);
    await log.close().catch(() => {});
  });

  it('is not used with an injected file system (its faults are the committer’s to see)', async () => {
    const dir = newDir();
    const log = WriteAheadLog.open(dir, { preallocate: false, fs: { ...nodeWalFs } });
    await log.flush(log.append(1, payloadFor(1, LARGE)));
    expect(log.recordsByThread).toBe(0);
    await log.close();
  });

  it('kill -9 while the thread writes: recovery finds a prefix of the log holding every flushed record, and no corruption', async () => {
    for (const [seed, killAfterMs] of [
      [1, 150],
      [2, 400],
      [3, 800],
    ] as const) {
      const dir = newDir();
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'wal-write-thread.crash-child.ts'), dir, String(seed)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (out.includes('started')) {
            clearInterval(check);
            setTimeout(() => {
              child.kill('SIGKILL');
              resolve();
            }, killAfterMs);
          }
        }, 5);
      });
      await new Promise((resolve) => child.once('exit', resolve));
      const flushed = out
        .split('\n')
        .filter((l) => l.startsWith('flushed '))
        .map((l) => Number(l.slice(8)));
      expect(flushed.length, `seed ${seed}: the child flushed nothing before the kill`).toBeGreaterThan(0);
      const { records } = recoverAll(dir); // throws XX001 if anything valid followed a hole
      const random = seededRandom(seed);
      for (let i = 0; i < records.length; i++) {
        const size = sizeOf(i, random);
        expect(records[i]!.payload.length, `seed ${seed}, record ${i}`).toBe(size);
        expect(Buffer.from(records[i]!.payload).equals(Buffer.from(payloadFor(i, size))), `seed ${seed}, record ${i}`).toBe(true);
      }
      const lastFlushed = flushed[flushed.length - 1]!;
      expect(records.length, `seed ${seed}: a flushed record is missing`).toBeGreaterThanOrEqual(lastFlushed + 1);
    }
  }, 60_000);
});
