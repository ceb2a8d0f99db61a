import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RECORD_HEADER_BYTES, SEGMENT_HEADER_BYTES, encodeSegmentHeader, listSegments, segmentFileName } from './segment-files.js';
import { WriteAheadLog } from './wal.js';
import { recoverWal } from './wal-recovery.js';
import { nodeWalFs } from './wal-fs.js';
import { collector, payloadFor, tempDirsPerTest } from './wal-test-helpers.js';

const SEGMENT = 4096;
const newDir = tempDirsPerTest();

/** A log of `count` records of 40..139 bytes; returns the record start LSNs and the end. */
async function buildLog(dir: string, count: number): Promise<{ lsns: number[]; end: number }> {
  const log = WriteAheadLog.open(dir, { segmentBytes: SEGMENT });
  const lsns: number[] = [];
  for (let i = 0; i < count; i++) {
    const length = 40 + (i % 100);
    const end = log.append(1 + (i % 7), payloadFor(i, length));
    lsns.push(end - RECORD_HEADER_BYTES - length);
  }
  const end = log.writtenLsn;
  await log.close();
  return { lsns, end };
}

function lastSegmentPath(dir: string): { path: string; startLsn: number } {
  const last = listSegments(nodeWalFs, dir).pop()!;
  return { path: `${dir}/${last.name}`, startLsn: last.startLsn };
}

function flipByteAt(dir: string, lsn: number): string {
  const segment = listSegments(nodeWalFs, dir).filter((s) => s.startLsn <= lsn).pop()!;
  const path = `${dir}/${segment.name}`;
  const bytes = fs.readFileSync(path);
  bytes[lsn - segment.startLsn] ^= 0x40;
  fs.writeFileSync(path, bytes);
  return segment.name;
}

function recoverThrowing(dir: string): { code: string; message: string } {
  try {
    recoverWal(dir, 0, () => {});
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('recovery was expected to fail');
}

describe('WAL recovery of a torn tail', () => {
  it('cuts at every byte offset inside the last record and stays appendable', async () => {
    const dir = newDir();
    const { lsns, end } = await buildLog(dir, 30);
    const { path, startLsn } = lastSegmentPath(dir);
    const original = fs.readFileSync(path);
    const lastLsn = lsns[lsns.length - 1]!;
    expect(lastLsn).toBeGreaterThan(startLsn); // the last record is not alone in its segment
    for (let cut = lastLsn; cut < end; cut++) {
      fs.writeFileSync(path, original.subarray(0, cut - startLsn));
      const { records, onRecord } = collector();
      const report = recoverWal(dir, 0, onRecord);
      expect(records.map((r) => r.lsn)).toEqual(lsns.slice(0, -1));
      expect(report.endLsn).toBe(lastLsn);
      if (cut === lastLsn) {
        expect(report.cutAt).toBeUndefined(); // a clean end, nothing torn
      } else {
        expect(report.cutAt).toBe(lastLsn);
        expect(report.cutBytes).toBe(cut - lastLsn);
      }
      expect(fs.statSync(path).size).toBe(lastLsn - startLsn);

      const log = WriteAheadLog.open(dir, { segmentBytes: SEGMENT, endLsn: report.endLsn });
      const newEnd = log.append(200, payloadFor(999, 17));
      await log.close();
      const after = collector();
      expect(recoverWal(dir, 0, after.onRecord).endLsn).toBe(newEnd);
      expect(after.records.length).toBe(lsns.length);
      expect(after.records[after.records.length - 1]!.type).toBe(200);
    }
  });

  it('cuts a last record with any one byte flipped', async () => {
    const dir = newDir();
    const { lsns, end } = await buildLog(dir, 30);
    const { path } = lastSegmentPath(dir);
    const original = fs.readFileSync(path);
    const lastLsn = lsns[lsns.length - 1]!;
    for (let at = lastLsn; at < end; at++) {
      fs.writeFileSync(path, original);
      flipByteAt(dir, at);
      const report = recoverWal(dir, 0, () => {});
      expect(report.records).toBe(lsns.length - 1);
      expect(report.cutAt).toBe(lastLsn);
      expect(report.endLsn).toBe(lastLsn);
    }
  });

  it('deletes a new segment whose header was torn', async () => {
    const dir = newDir();
    const { lsns, end } = await buildLog(dir, 30);
    const header = encodeSegmentHeader(end);
    const torn = `${dir}/${segmentFileName(end)}`;
    for (let length = 0; length < SEGMENT_HEADER_BYTES; length++) {
      fs.writeFileSync(torn, header.subarray(0, length));
      const report = recoverWal(dir, 0, () => {});
      expect(report.records).toBe(lsns.length);
      expect(report.endLsn).toBe(end);
      expect(report.cutAt).toBe(end);
      expect(fs.existsSync(torn)).toBe(false);
    }
  });

  it('drops bytes of an older log at the same offset: the LSN in the CRC rejects them', async () => {
    const dir = newDir();
    const { lsns } = await buildLog(dir, 30);
    const { path, startLsn } = lastSegmentPath(dir);
    const original = fs.readFileSync(path);
    // Rename the segment to a different start: every record is intact but
    // sits at another LSN now, as a recycled or misplaced file would.
    const shifted = startLsn + 1_000_000;
    const moved = Buffer.from(original);
    moved.set(encodeSegmentHeader(shifted), 0);
    fs.rmSync(dir, { recursive: true });
    fs.mkdirSync(dir);
    fs.writeFileSync(`${dir}/${segmentFileName(shifted)}`, moved);
    const report = recoverWal(dir, shifted, () => {});
    expect(report.records).toBe(0);
    expect(report.cutAt).toBe(shifted + SEGMENT_HEADER_BYTES);
    expect(lsns.length).toBe(30);
  });
});

describe('WAL recovery of corruption before the end', () => {
  it('refuses with XX001 naming the segment when valid records follow a bad one', async () => {
    const dir = newDir();
    const { lsns } = await buildLog(dir, 120);
    for (const index of [0, 10, 64]) {
      const copy = newDir();
      fs.cpSync(dir, copy, { recursive: true });
      const name = flipByteAt(copy, lsns[index]! + RECORD_HEADER_BYTES + 3);
      const sizes = listSegments(nodeWalFs, copy).map((s) => fs.statSync(`${copy}/${s.name}`).size);
      const err = recoverThrowing(copy);
      expect(err.code).toBe('XX001');
      expect(err.message).toContain(`invalid WAL record at ${lsns[index]} in segment "${name}"`);
      expect(err.message).toMatch(/; [1-9]\d* valid records follow it/);
      // Nothing was cut.
      expect(listSegments(nodeWalFs, copy).map((s) => fs.statSync(`${copy}/${s.name}`).size)).toEqual(sizes);
    }
  });

  it('refuses when only the length field of a middle record is damaged', async () => {
    const dir = newDir();
    const { lsns } = await buildLog(dir, 20);
    flipByteAt(dir, lsns[5]!);
    expect(recoverThrowing(dir).code).toBe('XX001');
  });

  it('refuses when a middle segment is missing', async () => {
    const dir = newDir();
    await buildLog(dir, 200);
    const segments = listSegments(nodeWalFs, dir);
    expect(segments.length).toBeGreaterThan(4);
    fs.unlinkSync(`${dir}/${segments[2]!.name}`);
    const err = recoverThrowing(dir);
    expect(err.code).toBe('XX001');
    expect(err.message).toContain(`missing WAL at ${segments[2]!.startLsn} after segment "${segments[1]!.name}"`);
  });

  it('refuses a foreign file in the middle of the log', async () => {
    const dir = newDir();
    await buildLog(dir, 200);
    const segments = listSegments(nodeWalFs, dir);
    const victim = `${dir}/${segments[1]!.name}`;
    const bytes = fs.readFileSync(victim);
    bytes.write('NOTAWAL!', 0, 'latin1');
    fs.writeFileSync(victim, bytes);
    const err = recoverThrowing(dir);
    expect(err.code).toBe('XX001');
    expect(err.message).toContain(`segment "${segments[1]!.name}": not a Strata WAL segment`);
  });

  it('a missing last segment is an ordinary end; a torn record with a later empty segment is a cut', async () => {
    const dir = newDir();
    const { lsns } = await buildLog(dir, 200);
    const segments = listSegments(nodeWalFs, dir);
    const last = segments[segments.length - 1]!;
    fs.unlinkSync(`${dir}/${last.name}`);
    const report = recoverWal(dir, 0, () => {});
    expect(report.endLsn).toBe(last.startLsn);
    expect(report.cutAt).toBeUndefined();
    expect(report.records).toBe(lsns.filter((l) => l < last.startLsn).length);

    // Tear the (now) last record and add a header-only segment after it:
    // no valid record follows the tear, so both go.
    const { path, startLsn } = lastSegmentPath(dir);
    const size = fs.statSync(path).size;
    const lastLsn = lsns.filter((l) => l < last.startLsn).pop()!;
    fs.truncateSync(path, size - 5);
    const emptyNext = `${dir}/${segmentFileName(startLsn + size)}`;
    fs.writeFileSync(emptyNext, encodeSegmentHeader(startLsn + size));
    const torn = recoverWal(dir, 0, () => {});
    expect(torn.cutAt).toBe(lastLsn);
    expect(torn.cutBytes).toBe(size - 5 - (lastLsn - startLsn) + SEGMENT_HEADER_BYTES);
    expect(fs.existsSync(emptyNext)).toBe(false);
  });

  it('streams a log far larger than its read buffer with a record larger than it', async () => {
    const dir = newDir();
    const log = WriteAheadLog.open(dir, { segmentBytes: 1024 * 1024 });
    const big = payloadFor(1, 3 * 1024 * 1024 + 17);
    for (let i = 0; i < 20; i++) log.append(5, payloadFor(i, 200_000));
    log.append(6, big);
    log.append(7, payloadFor(2, 3));
    await log.close();
    const seen: number[] = [];
    let bigMatches = false;
    const report = recoverWal(dir, 0, (r) => {
      seen.push(r.type);
      if (r.type === 6) bigMatches = Buffer.from(r.payload).equals(Buffer.from(big));
    });
    expect(report.records).toBe(22);
    expect(seen.slice(-2)).toEqual([6, 7]);
    expect(bigMatches).toBe(true);
  });
});
