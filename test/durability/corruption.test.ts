/**
 * A damaged data directory after kill -9: a torn or corrupt log tail is cut
 * at the last valid record (and the log stays appendable after the cut);
 * corruption before the end of the log, or in a checkpoint data file, makes
 * the server refuse to start, naming the file, without touching it; a second
 * server on a running server's directory is refused.
 *
 * The workload is sequential autocommit INSERTs, one row each, and the log's
 * end is recorded after each acknowledgement: statement i's records occupy
 * [end(i-1), end(i)) of the last segment, so a cut at byte X must keep exactly
 * the statements with end(i) <= X.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Strata } from '../../packages/server/src/engine/strata.js';
import { SCHEMA } from './crash-rounds.js';
import { timestampLiteral, TIME_BASE_MS } from './crash-workload.js';
import { ServerProcess, cleanupDurabilityResources, copyDataDir, makeTempDir, startExpectingFailure } from './server-process.js';
import { RECORD_HEADER_BYTES, scanWal, walEnd } from './wal-files.js';

afterAll(cleanupDurabilityResources);

const STATEMENTS = 40;

/** Statement i (1-based) inserts one row with id i: into conditions for every third i, ledger otherwise. */
function insertSql(i: number): string {
  return i % 3 === 0
    ? `INSERT INTO conditions (time, device, client, id, v) VALUES ('${timestampLiteral(TIME_BASE_MS + i * 600_000)}', 'd${i % 7}', 1, ${i}, ${i / 4})`
    : `INSERT INTO ledger (id, client, v) VALUES (${i}, 1, ${i / 4})`;
}

async function runStatements(server: ServerProcess, from: number, to: number, dataDir: string): Promise<{ segment: string; end: number }[]> {
  const db = await server.connect();
  const ends: { segment: string; end: number }[] = [];
  try {
    for (let i = from; i <= to; i++) {
      await db.query(insertSql(i));
      const { name, end } = walEnd(dataDir);
      ends.push({ segment: name, end });
    }
  } finally {
    await db.end();
  }
  return ends;
}

/** ids present in both tables, sorted; the values are checked too (v = id / 4). */
async function presentIds(server: ServerProcess): Promise<number[]> {
  const db = await server.connect();
  try {
    const res = await db.query<{ id: string; v: number }>('SELECT id, v FROM ledger UNION ALL SELECT id, v FROM conditions');
    for (const r of res.rows) if (r.v !== Number(r.id) / 4) throw new Error(`row ${r.id} has v = ${r.v}, expected ${Number(r.id) / 4}`);
    return res.rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  } finally {
    await db.end();
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, k) => from + k);
}

function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  if (offset < 0 || offset >= bytes.length) throw new Error(`offset ${offset} outside ${path} (${bytes.length} bytes)`);
  bytes[offset] = bytes[offset]! ^ 0x5a;
  writeFileSync(path, bytes);
}

/** The LSN the current checkpoint covers (0 without one): CURRENT names `checkpoint/<16 hex digits of it>`. */
function currentCheckpointLsn(dataDir: string): number {
  const current = join(dataDir, 'CURRENT');
  if (!existsSync(current)) return 0;
  const m = /([0-9a-f]{16})\s*$/.exec(readFileSync(current, 'utf8'));
  if (!m) throw new Error(`unexpected CURRENT: ${readFileSync(current, 'utf8')}`);
  return Number.parseInt(m[1]!, 16);
}

function listFiles(dir: string, suffix: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(p, suffix));
    else if (entry.name.endsWith(suffix)) out.push(p);
  }
  return out;
}

describe('WAL damage after kill -9', { timeout: 170_000 }, () => {
  let pristine: string;
  let segmentName: string;
  /** end offset of statement i in the last segment, at index i - 1 */
  let ends: number[];

  beforeAll(async () => {
    pristine = makeTempDir('corrupt-src');
    const server = await ServerProcess.start({ dataDir: pristine, dataNodes: 3 });
    const db = await server.connect();
    for (const sql of SCHEMA) await db.query(sql);
    await db.end();
    const recorded = await runStatements(server, 1, STATEMENTS, pristine);
    await server.kill9();
    segmentName = recorded[recorded.length - 1]!.segment;
    // the cut arithmetic needs the last few statements in one segment
    expect(recorded.slice(-8).every((r) => r.segment === segmentName)).toBe(true);
    ends = recorded.map((r) => r.end);
  });

  function segmentPath(dataDir: string): string {
    return join(dataDir, 'wal', segmentName);
  }

  /** How many statements survive a cut of the last segment at byte `cut`. */
  function survivorsOfCut(cut: number): number {
    return ends.filter((e) => e <= cut).length;
  }

  it('the undamaged copy recovers every acknowledged row (control)', async () => {
    const dir = copyDataDir(pristine, 'corrupt-control');
    const server = await ServerProcess.start({ dataDir: dir });
    expect(await presentIds(server)).toEqual(range(1, STATEMENTS));
    await server.kill9();
  });

  it('a log truncated inside its last records is cut at the last whole record; appends after the cut survive the next crash', async () => {
    const n = STATEMENTS;
    const cuts = [
      { why: 'last byte missing', at: ends[n - 1]! - 1 },
      { why: 'inside the last statement’s first record header', at: ends[n - 2]! + 4 },
      { why: 'just after a record header', at: ends[n - 3]! + RECORD_HEADER_BYTES },
      { why: 'in the middle of a statement', at: Math.floor((ends[n - 4]! + ends[n - 3]!) / 2) },
      { why: 'exactly at a statement boundary', at: ends[n - 5]! },
    ];
    for (const cut of cuts) {
      const dir = copyDataDir(pristine, 'corrupt-cut');
      truncateSync(segmentPath(dir), cut.at);
      const keep = survivorsOfCut(cut.at);
      expect(keep, cut.why).toBeLessThan(n);
      let server = await ServerProcess.start({ dataDir: dir });
      expect(await presentIds(server), `cut at ${cut.at} (${cut.why})`).toEqual(range(1, keep));
      // the torn bytes must really be gone: records appended now follow the cut and replay next time
      await runStatements(server, 1001, 1003, dir);
      server = await server.crashAndRestart();
      expect(await presentIds(server), `after the cut at ${cut.at} (${cut.why}) and 3 more inserts`).toEqual([...range(1, keep), 1001, 1002, 1003]);
      await server.kill9();
    }
  });

  it('a flipped byte in the last record cuts that record (and its statement) off', async () => {
    const scan = scanWal(pristine);
    const segment = scan[scan.length - 1]!;
    expect(segment.name).toBe(segmentName);
    expect(segment.trailingZeros).toBe(true);
    const last = segment.records[segment.records.length - 1]!;
    expect(last.end).toBe(ends[STATEMENTS - 1]);
    expect(last.offset).toBeGreaterThanOrEqual(ends[STATEMENTS - 2]!);
    const flips = [
      { why: 'payload byte', at: last.offset + RECORD_HEADER_BYTES + Math.floor(last.payloadLength / 2) },
      { why: 'CRC byte', at: last.offset + 5 },
      { why: 'type byte', at: last.offset + 8 },
      { why: 'high byte of the length', at: last.offset + 3 },
    ];
    for (const flip of flips) {
      const dir = copyDataDir(pristine, 'corrupt-flip-tail');
      flipByte(segmentPath(dir), flip.at);
      let server = await ServerProcess.start({ dataDir: dir });
      expect(await presentIds(server), flip.why).toEqual(range(1, STATEMENTS - 1));
      await runStatements(server, 1001, 1001, dir);
      server = await server.crashAndRestart();
      expect(await presentIds(server), `${flip.why}, then one more insert`).toEqual([...range(1, STATEMENTS - 1), 1001]);
      await server.kill9();
    }
  });

  it('a flipped byte in an early record followed by valid ones: the server refuses to start, names the segment, leaves it alone', async () => {
    const scan = scanWal(pristine);
    const segment = scan[scan.length - 1]!;
    // a record of statement 5: well before the end, many valid records after it
    const victim = segment.records.find((r) => r.offset >= ends[3]! && r.end <= ends[4]!)!;
    expect(victim).toBeDefined();
    // records before the checkpoint LSN are never read again: damage there proves nothing
    expect(segment.startLsn + victim.offset).toBeGreaterThanOrEqual(currentCheckpointLsn(pristine));
    const dir = copyDataDir(pristine, 'corrupt-flip-middle');
    const path = segmentPath(dir);
    flipByte(path, victim.offset + RECORD_HEADER_BYTES + Math.floor(victim.payloadLength / 2));
    const damaged = readFileSync(path);
    const failed = await startExpectingFailure({ dataDir: dir });
    expect(failed.listened).toBe(false);
    expect(failed.status.code).not.toBe(0);
    expect(failed.status.code).not.toBeNull();
    expect(failed.stderr).toMatch(/^strata: /m);
    expect(failed.stderr).toContain(segmentName);
    // refusing must not "repair" by cutting: the evidence (and the valid records after it) stay
    expect(readFileSync(path).equals(damaged)).toBe(true);
    // and it keeps refusing
    const again = await startExpectingFailure({ dataDir: dir });
    expect(again.listened).toBe(false);
    expect(again.stderr).toContain(segmentName);
  });
});

describe('checkpoint data files', { timeout: 170_000 }, () => {
  let pristine: string;
  let arrowFiles: string[];

  beforeAll(async () => {
    pristine = makeTempDir('corrupt-ckpt-src');
    const server = await ServerProcess.start({ dataDir: pristine, dataNodes: 3 });
    const db = await server.connect();
    for (const sql of SCHEMA) await db.query(sql);
    await db.end();
    await runStatements(server, 1, 30, pristine);
    const admin = await server.connect();
    await admin.query('CHECKPOINT');
    await admin.end();
    // rows after the checkpoint: recovery must combine the checkpoint with the log
    await runStatements(server, 31, 40, pristine);
    await server.kill9();
    arrowFiles = listFiles(join(pristine, 'checkpoint'), '.arrow').map((p) => p.slice(pristine.length + 1));
    expect(arrowFiles.length).toBeGreaterThan(0);
  });

  /** The largest data file of a kind: the one that certainly holds rows. */
  function largest(files: string[]): string {
    return [...files].sort((a, b) => statSync(join(pristine, b)).size - statSync(join(pristine, a)).size)[0]!;
  }

  /** The largest file of the checkpoint, and the largest one of a data node's chunks (conditions rows). */
  function victims(): string[] {
    const out = [largest(arrowFiles)];
    const onDataNodes = arrowFiles.filter((f) => /(^|\/)nodes\//.test(f));
    expect(onDataNodes.length, `no data-node chunk file among ${arrowFiles.join(', ')}`).toBeGreaterThan(0);
    out.push(largest(onDataNodes));
    return [...new Set(out)];
  }

  it('the undamaged copy recovers the checkpoint plus the log after it (control)', async () => {
    const dir = copyDataDir(pristine, 'corrupt-ckpt-control');
    const server = await ServerProcess.start({ dataDir: dir });
    expect(await presentIds(server)).toEqual(range(1, 40));
    await server.kill9();
  });

  async function expectRefusalNaming(dir: string, file: string, what: string): Promise<void> {
    const failed = await startExpectingFailure({ dataDir: dir });
    expect(failed.listened, `started despite ${what} ${file}`).toBe(false);
    expect(failed.status.code, failed.stderr).not.toBe(0);
    expect(failed.stderr).toMatch(/^strata: /m);
    expect(failed.stderr).toContain(basename(file));
  }

  it('a flipped byte in an .arrow data file (plain table, data-node chunk): refuses to start, naming the file', async () => {
    for (const file of victims()) {
      const dir = copyDataDir(pristine, 'corrupt-ckpt-flip');
      flipByte(join(dir, file), Math.floor(statSync(join(dir, file)).size / 2));
      await expectRefusalNaming(dir, file, 'a damaged');
    }
  });

  it('a deleted .arrow data file (plain table, data-node chunk): refuses to start, naming the file', async () => {
    for (const file of victims()) {
      const dir = copyDataDir(pristine, 'corrupt-ckpt-missing');
      unlinkSync(join(dir, file));
      await expectRefusalNaming(dir, file, 'a missing');
    }
  });

  it('a flipped byte in the checkpoint’s catalog image: refuses to start, naming it', async () => {
    const catalogs = listFiles(join(pristine, 'checkpoint'), '.json').filter((f) => !f.endsWith('manifest.json'));
    expect(catalogs.length).toBe(1);
    const file = catalogs[0]!.slice(pristine.length + 1);
    const dir = copyDataDir(pristine, 'corrupt-ckpt-catalog');
    flipByte(join(dir, file), Math.floor(statSync(join(dir, file)).size / 2));
    await expectRefusalNaming(dir, file, 'a damaged');
  });
});

describe('data directory lock', { timeout: 120_000 }, () => {
  it('a second server on a running server’s directory is refused, naming the lock; the first keeps serving', async () => {
    const dir = makeTempDir('lock');
    const first = await ServerProcess.start({ dataDir: dir, dataNodes: 3 });
    const db = await first.connect();
    await db.query('CREATE TABLE t (x int)');
    await db.query('INSERT INTO t VALUES (1)');
    const second = await startExpectingFailure({ dataDir: dir });
    expect(second.listened).toBe(false);
    expect(second.status.code).not.toBe(0);
    expect(second.stderr).toMatch(/^strata: /m);
    expect(second.stderr.includes('strata.pid') || second.stderr.includes(String(first.pid))).toBe(true);
    expect(second.stderr).toMatch(/in use|lock/i);
    // the embedded engine is refused the same way, with SQLSTATE 55006
    await expect(Strata.create({ dataDir: dir })).rejects.toMatchObject({ code: '55006' });
    // the refused server must not have taken the lock file away from the owner
    expect(existsSync(join(dir, 'strata.pid'))).toBe(true);
    await db.query('INSERT INTO t VALUES (2)');
    expect((await db.query('SELECT count(*)::int AS n FROM t')).rows[0].n).toBe(2);
    await db.end();
    // kill -9 leaves a stale lock behind: the next start takes it over
    const restarted = await first.crashAndRestart();
    const db2 = await restarted.connect();
    expect((await db2.query('SELECT x FROM t ORDER BY x')).rows.map((r: { x: number }) => r.x)).toEqual([1, 2]);
    await db2.end();
    await restarted.terminate();
  });
});
