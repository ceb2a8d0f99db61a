import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c.js';
import { RECORD_HEADER_BYTES, SEGMENT_HEADER_BYTES, listSegments, segmentFileName, writeU64 } from './segment-files.js';
import { WriteAheadLog } from './wal.js';
import { recoverWal } from './wal-recovery.js';
import { nodeWalFs } from './wal-fs.js';
import { FaultyWalFs, collector, payloadFor, tempDirsPerTest } from './wal-test-helpers.js';

const SEGMENT = 64 * 1024;
const newDir = tempDirsPerTest();

const sizeOf = (dir: string, name: string): number => fs.statSync(`${dir}/${name}`).size;
const segmentNames = (dir: string): string[] => listSegments(nodeWalFs, dir).map((s) => s.name);

describe('preallocated WAL segments', () => {
  it('prepares a zero-filled segment in the background and moves into it early, then segment by segment', async () => {
    const dir = newDir();
    const wfs = new FaultyWalFs();
    const log = WriteAheadLog.open(dir, { segmentBytes: SEGMENT, fs: wfs, preallocateAfterBytes: 0 });
    // opening does not wait for zeros: the first segment is plain
    const first = segmentNames(dir)[0]!;
    expect(sizeOf(dir, first)).toBe(SEGMENT_HEADER_BYTES);
    const ends: number[] = [log.append(1, payloadFor(0, 100))];
    expect(await log.nextSegmentPrepared()).toBe(true);
    expect(sizeOf(dir, 'next-segment.prep')).toBe(SEGMENT);
    // the next append moves into the prepared segment although the plain one is far from full
    for (let i = 1; i <= 20; i++) ends.push(log.append(1, payloadFor(i, 3000)));
    let segments = segmentNames(dir);
    expect(segments.length).toBe(2);
    expect(listSegments(nodeWalFs, dir)[1]!.startLsn).toBe(ends[0]);
    expect(sizeOf(dir, segments[0]!)).toBe(ends[0]! - listSegments(nodeWalFs, dir)[0]!.startLsn);
    expect(sizeOf(dir, segments[1]!)).toBe(SEGMENT);
    // from then on, a full preallocated segment is followed by the next prepared one
    expect(await log.nextSegmentPrepared()).toBe(true);
    for (let i = 21; i <= 35; i++) ends.push(log.append(1, payloadFor(i, 3000)));
    segments = segmentNames(dir);
    expect(segments.length).toBe(3);
    const starts = listSegments(nodeWalFs, dir).map((s) => s.startLsn);
    expect(starts[2]).toBe(starts[1]! + sizeOf(dir, segments[1]!));
    expect(sizeOf(dir, segments[2]!)).toBe(SEGMENT);
    await log.close();

    const { records, onRecord } = collector();
    const report = recoverWal(dir, 0, onRecord);
    expect(records.length).toBe(36);
    expect(report.endLsn).toBe(ends[ends.length - 1]);
    // the zeros after the last record are the end of the log, not a torn tail
    expect(report.cutAt).toBeUndefined();
    expect(sizeOf(dir, segments[2]!)).toBe(SEGMENT);

    // reopening removes the stale prepared file and appends where the records end
    const reopened = WriteAheadLog.recover(dir, 0, () => {}, { segmentBytes: SEGMENT }).log;
    expect(fs.existsSync(`${dir}/next-segment.prep`)).toBe(false);
    expect(reopened.writtenLsn).toBe(ends[ends.length - 1]);
    const more = reopened.append(2, payloadFor(99, 10));
    await reopened.close();
    const again = collector();
    expect(recoverWal(dir, 0, again.onRecord).endLsn).toBe(more);
    expect(again.records.length).toBe(37);
  });

  it('a log that stays small never writes a zero-filled segment; past the threshold it does', async () => {
    const dir = newDir();
    const wfs = new FaultyWalFs();
    const log = WriteAheadLog.open(dir, { segmentBytes: SEGMENT, fs: wfs, preallocateAfterBytes: 20_000 });
    for (let i = 0; i < 6; i++) log.append(1, payloadFor(i, 3000));
    expect(await log.nextSegmentPrepared()).toBe(false);
    expect(wfs.preallocateCalls).toBe(0);
    log.append(1, payloadFor(6, 3000));
    expect(await log.nextSegmentPrepared()).toBe(true);
    expect(wfs.preallocateCalls).toBe(1);
    await log.close();
  });

  it('a torn record inside a preallocated segment is cut, and appending goes on after the cut', async () => {
    const dir = newDir();
    const log = WriteAheadLog.open(dir, { segmentBytes: SEGMENT, preallocateAfterBytes: 0 });
    log.append(1, payloadFor(100, 10));
    expect(await log.nextSegmentPrepared()).toBe(true);
    const ends: number[] = [];
    for (let i = 0; i < 5; i++) ends.push(log.append(1, payloadFor(i, 500)));
    await log.close();
    const name = segmentNames(dir)[1]!;
    expect(sizeOf(dir, name)).toBe(SEGMENT);
    const start = listSegments(nodeWalFs, dir)[1]!.startLsn;
    // half of the last record's payload never reached the disk
    const bytes = fs.readFileSync(`${dir}/${name}`);
    bytes.fill(0, ends[3]! - start + RECORD_HEADER_BYTES + 250, ends[4]! - start);
    fs.writeFileSync(`${dir}/${name}`, bytes);
    const { log: reopened, report } = WriteAheadLog.recover(dir, 0, () => {}, { segmentBytes: SEGMENT });
    expect(report.records).toBe(5);
    expect(report.cutAt).toBe(ends[3]);
    expect(reopened.writtenLsn).toBe(ends[3]);
    const end = reopened.append(3, payloadFor(7, 100));
    await reopened.close();
    expect(recoverWal(dir, 0, () => {}).endLsn).toBe(end);
  });

  it('a valid record far behind a long zero run is still found: corruption, not a tail', async () => {
    const dir = newDir();
    const log = WriteAheadLog.open(dir, { segmentBytes: SEGMENT, preallocateAfterBytes: 0 });
    log.append(1, payloadFor(100, 10));
    expect(await log.nextSegmentPrepared()).toBe(true);
    const ends: number[] = [];
    for (let i = 0; i < 3; i++) ends.push(log.append(1, payloadFor(i, 20_000)));
    await log.close();
    const name = segmentNames(dir)[1]!;
    const start = listSegments(nodeWalFs, dir)[1]!.startLsn;
    // the second record's bytes were lost (zeros), the third one is intact
    const bytes = fs.readFileSync(`${dir}/${name}`);
    bytes.fill(0, ends[0]! - start, ends[1]! - start);
    fs.writeFileSync(`${dir}/${name}`, bytes);
    expect(() => recoverWal(dir, 0, () => {})).toThrowError(expect.objectContaining({ code: 'XX001', message: expect.stringContaining('1 valid records follow') }));
  });

  it('without space to zero-fill, the log runs unpreallocated and rotation still works', async () => {
    const dir = newDir();
    const wfs = new FaultyWalFs();
    wfs.writeBudget = 4096; // the first segment's header and a little more
    const log = WriteAheadLog.open(dir, { segmentBytes: SEGMENT, fs: wfs, preallocateAfterBytes: 0 });
    expect(await log.nextSegmentPrepared()).toBe(false);
    expect(wfs.preallocateCalls).toBe(1);
    expect(fs.existsSync(`${dir}/next-segment.prep`)).toBe(false);
    wfs.writeBudget = null;
    // not retried within the segment: a nearly full disk is not filled with zeros on every commit
    for (let i = 0; i < 15; i++) log.append(1, payloadFor(i, 3000));
    expect(wfs.preallocateCalls).toBe(1);
    expect(segmentNames(dir).length).toBe(1);
    // the rotation creates a plain segment itself, and preparing is tried again from there
    for (let i = 15; i < 30; i++) log.append(1, payloadFor(i, 3000));
    expect(segmentNames(dir).length).toBe(2);
    expect(wfs.preallocateCalls).toBe(2);
    expect(await log.nextSegmentPrepared()).toBe(true);
    await log.close();
    expect(recoverWal(dir, 0, () => {}).records).toBe(30);
  });

  it('still reads version 1 segments (CRC-32C); appends after them go into a new version 2 segment', async () => {
    const dir = newDir();
    // a version 1 segment written from the format: header then two records
    const header = new Uint8Array(SEGMENT_HEADER_BYTES);
    header.set(new TextEncoder().encode('STRATAWL'));
    const view = new DataView(header.buffer);
    view.setUint32(8, 1, true);
    writeU64(header, 12, 0);
    view.setUint32(20, crc32c(header.subarray(0, 20)), true);
    const parts: Uint8Array[] = [header];
    let lsn = SEGMENT_HEADER_BYTES;
    for (const [type, payload] of [[3, payloadFor(1, 100)], [4, payloadFor(2, 7)]] as const) {
      const rec = new Uint8Array(RECORD_HEADER_BYTES + payload.length);
      const rv = new DataView(rec.buffer);
      rv.setUint32(0, payload.length, true);
      rec[8] = type;
      rec.set(payload, RECORD_HEADER_BYTES);
      const lsnBytes = new Uint8Array(8);
      writeU64(lsnBytes, 0, lsn);
      let crc = crc32c(Uint8Array.of(type));
      crc = crc32c(payload, crc);
      rv.setUint32(4, crc32c(lsnBytes, crc), true);
      parts.push(rec);
      lsn += rec.length;
    }
    fs.writeFileSync(`${dir}/${segmentFileName(0)}`, Buffer.concat(parts));
    const { records, onRecord } = collector();
    const report = recoverWal(dir, 0, onRecord);
    expect(records.map((r) => r.type)).toEqual([3, 4]);
    expect(report.endLsn).toBe(lsn);
    expect(Buffer.from(records[0]!.payload).equals(Buffer.from(payloadFor(1, 100)))).toBe(true);
    const original = fs.readFileSync(`${dir}/${segmentFileName(0)}`);
    const { log } = WriteAheadLog.recover(dir, 0, () => {}, { segmentBytes: SEGMENT });
    const end = log.append(5, payloadFor(3, 40));
    await log.close();
    expect(segmentNames(dir)).toEqual([segmentFileName(0), segmentFileName(lsn)]);
    expect(fs.readFileSync(`${dir}/${segmentFileName(0)}`).equals(original)).toBe(true);
    const all = collector();
    expect(recoverWal(dir, 0, all.onRecord).endLsn).toBe(end);
    expect(all.records.map((r) => r.type)).toEqual([3, 4, 5]);
    fs.unlinkSync(`${dir}/${segmentFileName(lsn)}`);
    // a flipped payload byte in the old format is still caught
    const bytes = fs.readFileSync(`${dir}/${segmentFileName(0)}`);
    bytes[SEGMENT_HEADER_BYTES + RECORD_HEADER_BYTES + 50] ^= 1;
    fs.writeFileSync(`${dir}/${segmentFileName(0)}`, bytes);
    expect(() => recoverWal(dir, 0, () => {})).toThrowError(expect.objectContaining({ code: 'XX001' }));
  });

  it('zero-fills in steps of what its pacer allows (whole chunks), each on disk before the next is asked for', async () => {
    const dir = newDir();
    const fill = (offer: number | undefined): Promise<number[]> =>
      new Promise((resolve, reject) => {
        const asked: number[] = [];
        nodeWalFs.preallocate(
          `${dir}/f`,
          2 * 1024 * 1024,
          (err) => (err ? reject(err) : resolve(asked)),
          (done, proceed) => {
            asked.push(done);
            proceed(true, offer);
          },
        );
      });
    // a chunk (256 KiB) a step without an allowance, else as much as allowed
    expect(await fill(undefined)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((k) => k * 256 * 1024));
    expect(fs.readFileSync(`${dir}/f`).every((b) => b === 0)).toBe(true);
    expect(await fill(1024 * 1024)).toEqual([0, 1024 * 1024]);
    // an allowance below a chunk still writes one; one not a whole number of chunks is rounded down
    expect(await fill(1000)).toHaveLength(8);
    expect(await fill(700 * 1024)).toEqual([0, 512, 1024, 1536].map((k) => k * 1024));
    expect(sizeOf(dir, 'f')).toBe(2 * 1024 * 1024);
  });
});
