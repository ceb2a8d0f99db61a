import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RECORD_HEADER_BYTES, listSegments, segmentFileName } from './segment-files.js';
import { WriteAheadLog } from './wal.js';
import { recoverWal } from './wal-recovery.js';
import { nodeWalFs } from './wal-fs.js';
import { FaultyWalFs, collector, payloadFor, tempDirsPerTest } from './wal-test-helpers.js';

const newDir = tempDirsPerTest();

function caught(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('expected an error');
}

describe('WAL on a full disk', () => {
  // Small records go out in one write, a 100 KB one in several: cover both,
  // failing inside the record header, inside the payload, and at its last byte.
  for (const payloadBytes of [50, 100_000]) {
    const recordBytes = RECORD_HEADER_BYTES + payloadBytes;
    for (const budget of [0, 1, 8, RECORD_HEADER_BYTES, RECORD_HEADER_BYTES + 1, Math.floor(recordBytes / 2), recordBytes - 1]) {
      it(`a ${payloadBytes}-byte record failing after ${budget} bytes leaves no partial record (53100)`, async () => {
        const dir = newDir();
        const faulty = new FaultyWalFs();
        const log = WriteAheadLog.open(dir, { fs: faulty });
        const before = log.append(1, payloadFor(1, 30));
        await log.flush(before);

        faulty.writeBudget = budget;
        const err = caught(() => log.append(2, payloadFor(2, payloadBytes)));
        expect(err.code).toBe('53100');
        expect(err.message).toBe(`could not write to file "${dir}/${segmentFileName(0)}": No space left on device`);
        expect(log.writtenLsn).toBe(before);
        expect(fs.statSync(`${dir}/${segmentFileName(0)}`).size).toBe(before);
        // Still full: fails the same way, still no partial record.
        expect(caught(() => log.append(2, payloadFor(2, payloadBytes))).code).toBe('53100');
        expect(fs.statSync(`${dir}/${segmentFileName(0)}`).size).toBe(before);

        faulty.writeBudget = null; // space freed
        const after = log.append(3, payloadFor(3, payloadBytes));
        await log.flush(after);
        await log.close();

        const { records, onRecord } = collector();
        const report = recoverWal(dir, 0, onRecord);
        expect(report.cutAt).toBeUndefined();
        expect(records.map((r) => r.type)).toEqual([1, 3]);
        expect(Buffer.from(records[1]!.payload).equals(Buffer.from(payloadFor(3, payloadBytes)))).toBe(true);
      });
    }
  }

  // a record in many parts goes out as one writev: a short one is finished part by part or cut off
  const manyParts = (seed: number): Uint8Array[] => {
    const whole = payloadFor(seed, 100_000);
    const parts: Uint8Array[] = [];
    for (let at = 0, k = 0; at < whole.length; k++) {
      const n = k % 7 === 3 ? 0 : 997 + (k % 5) * 311;
      parts.push(whole.subarray(at, Math.min(whole.length, at + n)));
      at += n;
    }
    return parts;
  };
  for (const budget of [0, 5, RECORD_HEADER_BYTES + 1, 40_000, RECORD_HEADER_BYTES + 100_000 - 1]) {
    it(`a record in ${manyParts(4).length} parts failing after ${budget} bytes leaves no partial record (53100)`, async () => {
      const dir = newDir();
      const faulty = new FaultyWalFs();
      const log = WriteAheadLog.open(dir, { fs: faulty });
      const before = log.append(1, payloadFor(1, 30));
      faulty.writeBudget = budget;
      expect(caught(() => log.append(2, manyParts(2))).code).toBe('53100');
      expect(log.writtenLsn).toBe(before);
      expect(fs.statSync(`${dir}/${segmentFileName(0)}`).size).toBe(before);
      faulty.writeBudget = null;
      const callsBefore = faulty.writevCalls;
      const after = log.append(3, manyParts(4));
      expect(faulty.writevCalls).toBe(callsBefore + 1);
      await log.flush(after);
      await log.close();
      const { records, onRecord } = collector();
      recoverWal(dir, 0, onRecord);
      expect(records.map((r) => r.type)).toEqual([1, 3]);
      expect(Buffer.from(records[1]!.payload).equals(Buffer.from(payloadFor(4, 100_000)))).toBe(true);
    });
  }

  it('short writevs without an error are finished: the record is whole', async () => {
    const dir = newDir();
    const faulty = new FaultyWalFs();
    faulty.writevLimit = 3001;
    const log = WriteAheadLog.open(dir, { fs: faulty });
    const end = log.append(3, manyParts(5));
    expect(faulty.writevCalls).toBeGreaterThan(30);
    await log.flush(end);
    await log.close();
    const { records, onRecord } = collector();
    expect(recoverWal(dir, 0, onRecord).endLsn).toBe(end);
    expect(Buffer.from(records[0]!.payload).equals(Buffer.from(payloadFor(5, 100_000)))).toBe(true);
  });

  it('EDQUOT is a full disk too', async () => {
    const faulty = new FaultyWalFs();
    const log = WriteAheadLog.open(newDir(), { fs: faulty });
    faulty.writeBudget = 3;
    faulty.writeFailure = 'EDQUOT';
    expect(caught(() => log.append(1, payloadFor(0, 10))).code).toBe('53100');
    faulty.writeBudget = null;
    expect(log.append(1, payloadFor(0, 10))).toBeGreaterThan(0);
    await log.close();
  });

  it('a full disk while creating the next segment keeps appending to the old one once space is back', async () => {
    const dir = newDir();
    const faulty = new FaultyWalFs();
    const log = WriteAheadLog.open(dir, { fs: faulty, segmentBytes: 256 });
    const first = log.append(1, payloadFor(0, 300)); // fills the first segment
    faulty.writeBudget = 5; // the new segment's header does not fit
    expect(caught(() => log.append(1, payloadFor(1, 10))).code).toBe('53100');
    expect(listSegments(nodeWalFs, dir).length).toBe(1);
    expect(log.writtenLsn).toBe(first);
    faulty.writeBudget = null;
    log.append(1, payloadFor(1, 10));
    expect(listSegments(nodeWalFs, dir).length).toBe(2);
    await log.close();
    expect(recoverWal(dir, 0, () => {}).records).toBe(2);
  });
});

describe('WAL on failing I/O', () => {
  it('EIO from fdatasync rejects every waiter with 58030 and refuses later appends', async () => {
    const faulty = new FaultyWalFs();
    const log = WriteAheadLog.open(newDir(), { fs: faulty });
    faulty.fdatasyncFailure = 'EIO';
    const waits = Array.from({ length: 5 }, (_, i) => log.flush(log.append(1, payloadFor(i, 20))));
    const results = await Promise.allSettled(waits);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: '58030' });
    }
    expect(log.flushedLsn).toBeLessThan(log.writtenLsn);
    expect(caught(() => log.append(1, payloadFor(9, 20))).code).toBe('58030');
    await expect(log.flush(log.writtenLsn)).rejects.toMatchObject({ code: '58030' });
    expect(caught(() => log.flushSync(log.writtenLsn)).code).toBe('58030');
    await log.close(); // closing a failed log still releases its files
  });

  it('EIO from a write fails the log rather than cutting', async () => {
    const faulty = new FaultyWalFs();
    const log = WriteAheadLog.open(newDir(), { fs: faulty });
    faulty.writeBudget = 4;
    faulty.writeFailure = 'EIO';
    const err = caught(() => log.append(1, payloadFor(0, 20)));
    expect(err.code).toBe('58030');
    faulty.writeBudget = null;
    expect(caught(() => log.append(1, payloadFor(0, 20))).code).toBe('58030');
    await log.close();
  });

  it('a failing flushSync fails the log', async () => {
    const faulty = new FaultyWalFs();
    const log = WriteAheadLog.open(newDir(), { fs: faulty });
    const lsn = log.append(1, payloadFor(0, 20));
    faulty.fdatasyncFailure = 'EIO';
    expect(caught(() => log.flushSync(lsn)).code).toBe('58030');
    expect(caught(() => log.append(1, payloadFor(0, 20))).code).toBe('58030');
    await log.close();
  });
});
