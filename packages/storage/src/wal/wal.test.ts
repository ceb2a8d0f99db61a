import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors.js';
import { SEGMENT_HEADER_BYTES, listSegments, segmentFileName } from './segment-files.js';
import { WriteAheadLog } from './wal.js';
import { recoverWal } from './wal-recovery.js';
import { nodeWalFs } from './wal-fs.js';
import { FaultyWalFs, collector, payloadFor, seededRandom, tempDirsPerTest } from './wal-test-helpers.js';

const SEGMENT = 4096;
const newDir = tempDirsPerTest();

interface Written {
  lsn: number;
  endLsn: number;
  type: number;
  payload: Uint8Array;
}

function appendRandom(log: WriteAheadLog, count: number, seed: number, firstIndex = 0): Written[] {
  const random = seededRandom(seed);
  const written: Written[] = [];
  for (let i = 0; i < count; i++) {
    const r = random();
    // Mostly small, some empty, some larger than a whole segment.
    const length = r < 0.1 ? 0 : r < 0.9 ? Math.floor(random() * 300) : Math.floor(SEGMENT + random() * 2 * SEGMENT);
    const payload = payloadFor(firstIndex + i, length);
    const type = 1 + ((firstIndex + i) % 255);
    const before = log.writtenLsn;
    const endLsn = log.append(type, payload);
    expect(endLsn).toBe(log.writtenLsn);
    written.push({ lsn: endLsn - 9 - length, endLsn, type, payload });
    expect(endLsn - 9 - length).toBeGreaterThanOrEqual(before);
  }
  return written;
}

function expectSameRecords(actual: Written[], expected: Written[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(actual[i]!.lsn).toBe(expected[i]!.lsn);
    expect(actual[i]!.endLsn).toBe(expected[i]!.endLsn);
    expect(actual[i]!.type).toBe(expected[i]!.type);
    expect(Buffer.from(actual[i]!.payload).equals(Buffer.from(expected[i]!.payload))).toBe(true);
  }
}

describe('WriteAheadLog append and recovery', () => {
  it('round-trips records of random sizes across rotated segments', async () => {
    const dir = newDir();
    const log = WriteAheadLog.open(dir, { segmentBytes: SEGMENT });
    expect(log.writtenLsn).toBe(SEGMENT_HEADER_BYTES);
    const written = appendRandom(log, 400, 7);
    await log.close();

    const segments = listSegments(nodeWalFs, dir);
    expect(segments.length).toBeGreaterThan(10);
    // Each segment starts exactly where the previous one ends, and only a
    // segment that reached the size was rotated away from.
    for (let k = 0; k + 1 < segments.length; k++) {
      const size = fs.statSync(`${dir}/${segments[k]!.name}`).size;
      expect(segments[k]!.startLsn + size).toBe(segments[k + 1]!.startLsn);
      expect(size).toBeGreaterThanOrEqual(SEGMENT);
    }
    // No record is split: every record lies inside one segment.
    for (const w of written) {
      const holder = segments.filter((s) => s.startLsn <= w.lsn).pop()!;
      const size = fs.statSync(`${dir}/${holder.name}`).size;
      expect(w.endLsn).toBeLessThanOrEqual(holder.startLsn + size);
    }

    const { records, onRecord } = collector();
    const report = recoverWal(dir, 0, onRecord);
    expectSameRecords(records, written);
    expect(report.records).toBe(400);
    expect(report.endLsn).toBe(written[written.length - 1]!.endLsn);
    expect(report.cutAt).toBeUndefined();
    expect(report.bytes).toBe(written.reduce((sum, w) => sum + (w.endLsn - w.lsn), 0));
  });

  it('recovers from a middle LSN, including one at a segment boundary', async () => {
    const dir = newDir();
    const log = WriteAheadLog.open(dir, { segmentBytes: SEGMENT });
    const written = appendRandom(log, 200, 11);
    await log.close();
    for (const from of [written[57]!.lsn, written[150]!.lsn]) {
      const { records, onRecord } = collector();
      recoverWal(dir, from, onRecord);
      expectSameRecords(records, written.filter((w) => w.lsn >= from));
    }
    const boundary = listSegments(nodeWalFs, dir)[3]!.startLsn;
    const { records, onRecord } = collector();
    recoverWal(dir, boundary, onRecord);
    expectSameRecords(records, written.filter((w) => w.lsn >= boundary));
    expect(records[0]!.lsn).toBe(boundary + SEGMENT_HEADER_BYTES);
  });

  it('appends after recovery continue the log seamlessly', async () => {
    const dir = newDir();
    const first = WriteAheadLog.open(dir, { segmentBytes: SEGMENT });
    const written = appendRandom(first, 80, 3);
    await first.close();

    const replayed = collector();
    const { log, report } = WriteAheadLog.recover(dir, 0, replayed.onRecord, { segmentBytes: SEGMENT });
    expect(report.records).toBe(80);
    expect(log.writtenLsn).toBe(report.endLsn);
    written.push(...appendRandom(log, 80, 4, 80));
    await log.close();

    // open() without endLsn recovers by itself and lands on the same end.
    const reopened = WriteAheadLog.open(dir, { segmentBytes: SEGMENT });
    expect(reopened.writtenLsn).toBe(written[written.length - 1]!.endLsn);
    await reopened.close();

    const { records, onRecord } = collector();
    recoverWal(dir, 0, onRecord);
    expectSameRecords(records, written);
  });

  it('writes a record given in parts exactly like the concatenated payload', async () => {
    const dir = newDir();
    const log = WriteAheadLog.open(dir);
    const parts = [payloadFor(1, 10), new Uint8Array(0), payloadFor(2, 100_000), payloadFor(3, 5)];
    log.append(9, parts);
    await log.close();
    const { records, onRecord } = collector();
    recoverWal(dir, 0, onRecord);
    expect(records.length).toBe(1);
    expect(Buffer.from(records[0]!.payload).equals(Buffer.concat(parts))).toBe(true);
  });

  it('rejects record types outside 1..255 and refuses appends after close', async () => {
    const log = WriteAheadLog.open(newDir());
    for (const type of [0, 256, 1.5, -1]) {
      expect(() => log.append(type, new Uint8Array(1))).toThrowError(expect.objectContaining({ code: '22023' }));
    }
    await log.close();
    expect(() => log.append(1, new Uint8Array(1))).toThrowError(expect.objectContaining({ code: '55000' }));
  });

  it('open with an endLsn that does not match the segments refuses', async () => {
    const dir = newDir();
    const log = WriteAheadLog.open(dir);
    const end = log.append(1, payloadFor(0, 50));
    await log.close();
    expect(() => WriteAheadLog.open(dir, { endLsn: end - 1 })).toThrowError(expect.objectContaining({ code: 'XX001' }));
    const reopened = WriteAheadLog.open(dir, { endLsn: end });
    expect(reopened.writtenLsn).toBe(end);
    await reopened.close();
  });

  it('recovering from an LSN whose segment was removed reports 58P01', async () => {
    const dir = newDir();
    const log = WriteAheadLog.open(dir, { segmentBytes: SEGMENT });
    appendRandom(log, 100, 5);
    const segments = log.segments().slice();
    const removed = log.truncateBefore(segments[3]!);
    expect(removed).toBe(3);
    expect(listSegments(nodeWalFs, dir).map((s) => s.startLsn)).toEqual(segments.slice(3));
    await log.close();
    expect(() => recoverWal(dir, 0, () => {})).toThrowError(expect.objectContaining({ code: '58P01' }));
    expect(recoverWal(dir, segments[3]!, () => {}).records).toBeGreaterThan(0);
  });

  it('truncateBefore keeps a segment that ends after the LSN and always the current one', async () => {
    const dir = newDir();
    const log = WriteAheadLog.open(dir, { segmentBytes: SEGMENT });
    appendRandom(log, 100, 6);
    const segments = log.segments().slice();
    expect(log.truncateBefore(segments[2]! - 1)).toBe(1);
    expect(log.truncateBefore(Number.MAX_SAFE_INTEGER)).toBe(segments.length - 2);
    expect(listSegments(nodeWalFs, dir).map((s) => s.name)).toEqual([segmentFileName(segments[segments.length - 1]!)]);
    const end = log.append(1, payloadFor(1, 10));
    await log.close();
    expect(recoverWal(dir, segments[segments.length - 1]!, () => {}).endLsn).toBe(end);
  });
});

describe('WriteAheadLog flush (group commit)', () => {
  it('serves 50 concurrent committers with far fewer fdatasyncs', async () => {
    const faulty = new FaultyWalFs();
    const log = WriteAheadLog.open(newDir(), { fs: faulty });
    const before = faulty.fdatasyncCalls + faulty.fdatasyncSyncCalls;
    let violations = 0;
    const committers = Array.from({ length: 50 }, async (_, i) => {
      await Promise.resolve();
      const lsn = log.append(1, payloadFor(i, 100));
      await log.flush(lsn);
      if (log.flushedLsn < lsn) violations++;
      if (log.flushedLsn > log.writtenLsn) violations++;
      return lsn;
    });
    const lsns = await Promise.all(committers);
    expect(violations).toBe(0);
    const syncs = faulty.fdatasyncCalls + faulty.fdatasyncSyncCalls - before;
    expect(syncs).toBeGreaterThanOrEqual(1);
    expect(syncs).toBeLessThanOrEqual(3);
    expect(log.flushedLsn).toBe(Math.max(...lsns));
    await log.close();
  });

  it('flushing an already-flushed LSN is immediate and costs no fdatasync', async () => {
    const faulty = new FaultyWalFs();
    const log = WriteAheadLog.open(newDir(), { fs: faulty });
    const lsn = log.append(2, payloadFor(0, 10));
    await log.flush(lsn);
    const calls = faulty.fdatasyncCalls;
    let resolved = false;
    void log.flush(lsn).then(() => (resolved = true));
    await Promise.resolve();
    expect(resolved).toBe(true);
    expect(faulty.fdatasyncCalls).toBe(calls);
    await log.close();
  });

  it('a flush beyond writtenLsn syncs what is written; flushSync works without the event loop', async () => {
    const faulty = new FaultyWalFs();
    const log = WriteAheadLog.open(newDir(), { fs: faulty });
    const lsn = log.append(3, payloadFor(0, 10));
    await log.flush(Number.MAX_SAFE_INTEGER);
    expect(log.flushedLsn).toBe(lsn);
    const next = log.append(3, payloadFor(1, 10));
    log.flushSync(next);
    expect(log.flushedLsn).toBe(next);
    expect(faulty.fdatasyncSyncCalls).toBeGreaterThan(0);
    await log.close();
  });

  it('flushInBackground flushes without a waiter, with one timer', async () => {
    const faulty = new FaultyWalFs();
    const log = WriteAheadLog.open(newDir(), { fs: faulty });
    const lsn = log.append(1, payloadFor(0, 10));
    const calls = faulty.fdatasyncCalls;
    log.flushInBackground(5);
    log.flushInBackground(5);
    log.append(1, payloadFor(1, 10));
    log.flushInBackground(5);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(faulty.fdatasyncCalls).toBe(calls + 1);
    expect(log.flushedLsn).toBeGreaterThan(lsn);
    expect(log.flushedLsn).toBe(log.writtenLsn);
    await log.close();
  });

  it('close flushes everything written', async () => {
    const faulty = new FaultyWalFs();
    const log = WriteAheadLog.open(newDir(), { fs: faulty });
    log.append(1, payloadFor(0, 10));
    const calls = faulty.fdatasyncCalls;
    await log.close();
    expect(faulty.fdatasyncCalls).toBe(calls + 1);
    expect(log.flushedLsn).toBe(log.writtenLsn);
    await expect(log.flush(log.writtenLsn)).resolves.toBeUndefined();
    await expect(log.flush(log.writtenLsn + 1)).rejects.toMatchObject({ code: '55000' });
  });

  it('errors carry SQLSTATEs as SqlError', () => {
    const log = WriteAheadLog.open(newDir());
    try {
      log.append(0, new Uint8Array(0));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SqlError);
    }
    void log.close();
  });
});
