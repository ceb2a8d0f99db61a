/**
 * drop_chunks and DROP TABLE free their checkpoint data files once the next
 * checkpoint is written, and dropped data stays dropped across kill -9 —
 * whether the drop reached a checkpoint or only the log.
 *
 * Files are identified by content, not by the engine's naming: the dropped
 * rows carry marker strings, and no `.arrow` file may contain them afterwards
 * (while a control marker in kept rows is still found, so the scan is not
 * vacuous, e.g. if the files were compressed).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type pg from 'pg';
import { ServerProcess, cleanupDurabilityResources, makeTempDir } from './server-process.js';

afterAll(cleanupDurabilityResources);

const OLD_MARKER = 'dropped-chunk-marker';
const KEEP_MARKER = 'kept-chunk-marker';
const TABLE_MARKER = 'dropped-table-marker';
const NEW_TABLE_MARKER = 'recreated-table-row';
const HOURS = 6;
const DROPPED_HOURS = 3;
const ROWS_PER_HOUR = 300;

function arrowFiles(dataDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.arrow')) out.push(join(dir, e.name));
    }
  };
  walk(dataDir);
  return out;
}

/** .arrow files (relative paths) whose bytes contain the marker. */
function filesContaining(dataDir: string, marker: string): string[] {
  const needle = Buffer.from(marker, 'utf8');
  return arrowFiles(dataDir)
    .filter((f) => readFileSync(f).includes(needle))
    .map((f) => relative(dataDir, f));
}

function arrowBytes(dataDir: string): number {
  return arrowFiles(dataDir).reduce((n, f) => n + statSync(f).size, 0);
}

async function setUp(server: ServerProcess): Promise<void> {
  const db = await server.connect();
  try {
    await db.query('CREATE TABLE metrics (time timestamptz NOT NULL, device text, note text, v double precision)');
    await db.query("SELECT create_distributed_hypertable('metrics', 'time', 'device', chunk_time_interval => interval '1 hour')");
    // hours 0-2 are dropped later, 3-5 kept; the padding makes the files worth freeing
    await db.query(
      `INSERT INTO metrics SELECT '2024-01-01'::timestamptz + g * interval '${3600 / ROWS_PER_HOUR} seconds', 'd' || (g % 5),
         CASE WHEN g < ${DROPPED_HOURS * ROWS_PER_HOUR} THEN '${OLD_MARKER}-' ELSE '${KEEP_MARKER}-' END || g || repeat('x', 100), g
       FROM generate_series(0, ${HOURS * ROWS_PER_HOUR - 1}) g`,
    );
    await db.query('CREATE TABLE scratch (id int, note text)');
    await db.query(`INSERT INTO scratch SELECT g, '${TABLE_MARKER}-' || g || repeat('y', 100) FROM generate_series(1, 500) g`);
    await db.query('CHECKPOINT');
  } finally {
    await db.end();
  }
}

async function chunkNames(db: pg.Client): Promise<string[]> {
  const res = await db.query<{ chunk_name: string }>("SELECT chunk_name FROM timescaledb_information.chunks WHERE hypertable_name = 'metrics' ORDER BY chunk_name");
  return res.rows.map((r) => r.chunk_name);
}

async function dropEverythingOld(db: pg.Client): Promise<string[]> {
  const dropped = await db.query<{ drop_chunks: string }>(`SELECT drop_chunks('metrics', older_than => '2024-01-01 0${DROPPED_HOURS}:00:00+00'::timestamptz)`);
  await db.query('DROP TABLE scratch');
  // the same name again: a new table that must not inherit the old one's files or rows
  await db.query('CREATE TABLE scratch (id int, note text)');
  await db.query(`INSERT INTO scratch VALUES (1, '${NEW_TABLE_MARKER}')`);
  return dropped.rows.map((r) => r.drop_chunks);
}

/** After restart: only kept rows, only surviving chunks, the recreated table with its one row. */
async function expectDroppedStaysDropped(server: ServerProcess, survivingChunks: string[]): Promise<void> {
  const db = await server.connect();
  try {
    const counts = await db.query<{ old: string; kept: string }>(
      `SELECT count(*) FILTER (WHERE note LIKE '${OLD_MARKER}%') AS old, count(*) FILTER (WHERE note LIKE '${KEEP_MARKER}%') AS kept FROM metrics`,
    );
    expect(counts.rows[0]).toEqual({ old: '0', kept: String((HOURS - DROPPED_HOURS) * ROWS_PER_HOUR) });
    expect(await chunkNames(db)).toEqual(survivingChunks);
    expect((await db.query('SELECT id, note FROM scratch')).rows).toEqual([{ id: 1, note: NEW_TABLE_MARKER }]);
  } finally {
    await db.end();
  }
}

describe('drop_chunks and DROP TABLE free their files', { timeout: 170_000 }, () => {
  it('after the next CHECKPOINT the dropped data is in no .arrow file; kill -9 and restart keep it dropped', async () => {
    const dir = makeTempDir('drop-ckpt');
    let server = await ServerProcess.start({ dataDir: dir, dataNodes: 3 });
    await setUp(server);
    // control: the markers are findable in the checkpoint files before the drop
    expect(filesContaining(dir, OLD_MARKER).length).toBeGreaterThan(0);
    expect(filesContaining(dir, TABLE_MARKER).length).toBeGreaterThan(0);
    expect(filesContaining(dir, KEEP_MARKER).length).toBeGreaterThan(0);
    const bytesBefore = arrowBytes(dir);

    const db = await server.connect();
    const chunksBefore = await chunkNames(db);
    const dropped = await dropEverythingOld(db);
    expect(dropped.length).toBeGreaterThanOrEqual(DROPPED_HOURS);
    const surviving = await chunkNames(db);
    expect(surviving.length).toBe(chunksBefore.length - dropped.length);
    await db.query('CHECKPOINT');
    await db.end();

    expect(filesContaining(dir, OLD_MARKER), 'files still holding dropped chunks').toEqual([]);
    expect(filesContaining(dir, TABLE_MARKER), 'files still holding the dropped table').toEqual([]);
    expect(filesContaining(dir, KEEP_MARKER).length).toBeGreaterThan(0);
    expect(filesContaining(dir, NEW_TABLE_MARKER).length).toBeGreaterThan(0);
    // half the hypertable and the whole padded table are gone: the files shrink accordingly
    expect(arrowBytes(dir)).toBeLessThan(bytesBefore * 0.6);

    server = await server.crashAndRestart();
    await expectDroppedStaysDropped(server, surviving);
    // a later checkpoint must not bring anything back either
    const again = await server.connect();
    await again.query('CHECKPOINT');
    await again.end();
    expect(filesContaining(dir, OLD_MARKER)).toEqual([]);
    server = await server.crashAndRestart();
    await expectDroppedStaysDropped(server, surviving);
    await server.terminate();
  });

  it('a drop that only reached the log (crash before the next checkpoint) stays dropped, and the next checkpoint frees the files', async () => {
    const dir = makeTempDir('drop-wal');
    let server = await ServerProcess.start({ dataDir: dir, dataNodes: 3 });
    await setUp(server);
    const db = await server.connect();
    await dropEverythingOld(db);
    const surviving = await chunkNames(db);
    await db.end();
    // the checkpoint still holds the dropped data; replaying the log must drop it again
    expect(filesContaining(dir, OLD_MARKER).length).toBeGreaterThan(0);
    server = await server.crashAndRestart();
    await expectDroppedStaysDropped(server, surviving);
    const admin = await server.connect();
    await admin.query('CHECKPOINT');
    await admin.end();
    expect(filesContaining(dir, OLD_MARKER)).toEqual([]);
    expect(filesContaining(dir, TABLE_MARKER)).toEqual([]);
    server = await server.crashAndRestart();
    await expectDroppedStaysDropped(server, surviving);
    await server.terminate();
  });
});
