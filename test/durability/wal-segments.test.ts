/**
 * A log spread over many segments (the engine with 64 KiB segments, so the
 * rotation paths run without writing 64 MiB): recovery reads across segment
 * boundaries; damage in an earlier segment, or a missing one, refuses the
 * start naming the segment; a torn last segment is cut; automatic checkpoints
 * keep the number of segments bounded and recovery exact.
 *
 * In-process: simulateCrash() stops the engine like kill -9 (WAL appends are
 * synchronous OS writes, so the files hold exactly what a killed process
 * leaves), and the small segment size is an engine option the CLI lacks.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Strata } from '../../packages/server/src/engine/strata.js';
import type { DurabilityOptions } from '../../packages/server/src/engine/durable/durability.js';
import { Xorshift32 } from './prng.js';
import { cleanupDurabilityResources, copyDataDir, makeTempDir } from './server-process.js';
import { RECORD_HEADER_BYTES, scanWal, walEnd } from './wal-files.js';

afterAll(cleanupDurabilityResources);

const SEGMENT_BYTES = 64 * 1024;
const STATEMENTS = 400;
const ROWS_PER_STATEMENT = 8;

function randomText(rng: Xorshift32, chars: number): string {
  let s = '';
  while (s.length < chars) s += rng.nextU32().toString(36);
  return s.slice(0, chars);
}

/** Statement i inserts rows i*100+0 … i*100+7 with incompressible text: about 1 KiB of log. */
function statementSql(i: number, rng: Xorshift32): string {
  const rows: string[] = [];
  for (let r = 0; r < ROWS_PER_STATEMENT; r++) rows.push(`(${i * 100 + r}, '${randomText(rng, 120)}')`);
  return `INSERT INTO t (id, note) VALUES ${rows.join(', ')}`;
}

function expectedIds(statements: number): number[] {
  const out: number[] = [];
  for (let i = 1; i <= statements; i++) for (let r = 0; r < ROWS_PER_STATEMENT; r++) out.push(i * 100 + r);
  return out;
}

async function ids(db: Strata): Promise<number[]> {
  return (await db.query<{ id: string }>('SELECT id FROM t ORDER BY id')).rows.map((r) => Number(r.id));
}

/** Runs the workload; returns where the log ended after each acknowledged statement. */
async function writeWorkload(dataDir: string, durability: DurabilityOptions): Promise<{ segment: string; end: number }[]> {
  const db = await Strata.create({ dataDir, durability });
  await db.query('CREATE TABLE t (id bigint PRIMARY KEY, note text)');
  const rng = new Xorshift32(0x5e9_0001);
  const ends: { segment: string; end: number }[] = [];
  for (let i = 1; i <= STATEMENTS; i++) {
    await db.query(statementSql(i, rng));
    const end = walEnd(dataDir);
    ends.push({ segment: end.name, end: end.end });
  }
  db.core.durability!.simulateCrash();
  return ends;
}

async function expectRefusal(dataDir: string, mustName: string): Promise<void> {
  let error: unknown;
  await Strata.create({ dataDir, durability: { segmentBytes: SEGMENT_BYTES } }).then(
    (db) => db.close(),
    (e: unknown) => (error = e),
  );
  expect(error, 'the engine opened a data directory with a damaged log').toBeDefined();
  expect(['XX001', '58P01']).toContain((error as { code?: string }).code);
  expect((error as Error).message).toContain(mustName);
}

describe('a log over many segments', { timeout: 120_000 }, () => {
  const source = makeTempDir('segments-src');
  let ends: { segment: string; end: number }[] = [];

  it('recovers every acknowledged statement across segment boundaries', async () => {
    ends = await writeWorkload(source, { segmentBytes: SEGMENT_BYTES, checkpointWalBytes: 1 << 30 });
    const segments = scanWal(source);
    expect(segments.length).toBeGreaterThanOrEqual(4);
    for (const s of segments.slice(0, -1)) expect(s.trailingBytes, `${s.name} has bytes after its last valid record`).toBe(0);
    const dir = copyDataDir(source, 'segments-ok');
    const db = await Strata.create({ dataDir: dir, durability: { segmentBytes: SEGMENT_BYTES } });
    expect(await ids(db)).toEqual(expectedIds(STATEMENTS));
    await db.close();
  });

  it('a flipped byte in an earlier segment refuses the start, naming that segment', async () => {
    const segments = scanWal(source);
    const victim = segments[1]!;
    const record = victim.records[Math.floor(victim.records.length / 2)]!;
    const dir = copyDataDir(source, 'segments-flip');
    const path = join(dir, 'wal', victim.name);
    const bytes = readFileSync(path);
    bytes[record.offset + RECORD_HEADER_BYTES + Math.floor(record.payloadLength / 2)]! ^= 0x21;
    writeFileSync(path, bytes);
    await expectRefusal(dir, victim.name);
  });

  it('a missing segment in the middle refuses the start, naming where the log is missing', async () => {
    const segments = scanWal(source);
    const dir = copyDataDir(source, 'segments-gap');
    unlinkSync(join(dir, 'wal', segments[2]!.name));
    // the file is gone, so the message names the gap: its start LSN (the missing file's name in decimal)
    await expectRefusal(dir, String(segments[2]!.startLsn));
  });

  it('a torn last segment is cut at its last whole record', async () => {
    const last = ends[ends.length - 1]!;
    const previous = ends[ends.length - 2]!;
    expect(previous.segment, 'the last two statements should share a segment').toBe(last.segment);
    const dir = copyDataDir(source, 'segments-torn');
    truncateSync(join(dir, 'wal', last.segment), Math.floor((previous.end + last.end) / 2));
    const db = await Strata.create({ dataDir: dir, durability: { segmentBytes: SEGMENT_BYTES } });
    expect(await ids(db)).toEqual(expectedIds(STATEMENTS - 1));
    await db.close();
  });
});

describe('automatic checkpoints with small segments', { timeout: 120_000 }, () => {
  it('keep the log bounded (old segments removed) and recovery exact', async () => {
    const dir = makeTempDir('segments-ckpt');
    await writeWorkload(dir, { segmentBytes: SEGMENT_BYTES, checkpointWalBytes: 128 * 1024 });
    const segments = scanWal(dir);
    // about 400 KiB of log in 64 KiB segments; with a checkpoint every 128 KiB at most ~3 segments are still needed
    expect(segments.length, `segments left: ${segments.map((s) => s.name).join(', ')}`).toBeLessThanOrEqual(4);
    const db = await Strata.create({ dataDir: dir, durability: { segmentBytes: SEGMENT_BYTES, checkpointWalBytes: 128 * 1024 } });
    expect(db.recovery!.checkpointLsn).not.toBeNull();
    const present = new Set(await ids(db));
    const missing = expectedIds(STATEMENTS).filter((id) => !present.has(id));
    expect(missing, `acknowledged rows missing after recovery from checkpoint at LSN ${db.recovery!.checkpointLsn}`).toEqual([]);
    expect(present.size).toBe(STATEMENTS * ROWS_PER_STATEMENT);
    await db.close();
  });
});
