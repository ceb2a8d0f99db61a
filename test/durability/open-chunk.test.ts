/**
 * A chunk created by a transaction that is still open, and a row another
 * session commits into that chunk meanwhile (autocommit: acknowledged). The
 * committed row must survive whatever the creating transaction does next —
 * roll back, commit, or commit after a checkpoint was taken — and a crash.
 * (Found by the crash rounds: a client's DELETE of its own acknowledged row
 * reported 0 rows.) In-process, so the interleaving is exact.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Strata, type StrataSession } from '../../packages/server/src/engine/strata.js';
import { cleanupDurabilityResources, makeTempDir } from './server-process.js';

afterAll(cleanupDurabilityResources);

const CREATE = {
  distributed: "SELECT create_distributed_hypertable('conditions', 'time', 'device', chunk_time_interval => interval '1 hour')",
  local: "SELECT create_hypertable('conditions', 'time', chunk_time_interval => interval '1 hour')",
};

async function ids(s: StrataSession): Promise<number[]> {
  return (await s.query<{ id: string }>('SELECT id FROM conditions ORDER BY id')).rows.map((r) => Number(r.id));
}

async function chunkCount(s: StrataSession): Promise<number> {
  return (await s.query<{ n: number }>("SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'conditions'")).rows[0]!.n;
}

/** Session a opens a transaction that creates the 10:00 chunk; session b commits a row into it. */
async function openChunkWithForeignRow(kind: keyof typeof CREATE): Promise<{ db: Strata; a: StrataSession; b: StrataSession; dataDir: string }> {
  const dataDir = makeTempDir('open-chunk');
  const db = await Strata.create({ dataDir });
  if (kind === 'distributed') for (const n of ['dn1', 'dn2', 'dn3']) await db.query(`SELECT add_data_node('${n}')`);
  await db.exec('CREATE TABLE conditions (time timestamptz NOT NULL, device text, id bigint, v double precision)');
  await db.query(CREATE[kind]);
  const a = db.connect();
  const b = db.connect();
  await a.query('BEGIN');
  await a.query("INSERT INTO conditions VALUES ('2024-01-01 10:00:00+00', 'd1', 1, 1)");
  await b.query("INSERT INTO conditions VALUES ('2024-01-01 10:05:00+00', 'd1', 2, 2)");
  return { db, a, b, dataDir };
}

async function crashAndReopen(db: Strata, dataDir: string): Promise<Strata> {
  db.core.durability!.simulateCrash();
  return Strata.create({ dataDir });
}

describe('a row committed into a chunk whose creating transaction is still open', () => {
  for (const kind of ['distributed', 'local'] as const) {
    it(`${kind}: survives the creating transaction's ROLLBACK, and a crash after it`, async () => {
      const { a, b, dataDir, ...opened } = await openChunkWithForeignRow(kind);
      let db = opened.db;
      await a.query('ROLLBACK');
      expect(await ids(b), 'the committed row after the other transaction rolled back').toEqual([2]);
      db = await crashAndReopen(db, dataDir);
      expect(await ids(db), 'the committed row after a crash').toEqual([2]);
      expect(await chunkCount(db)).toBe(1);
      await db.close();
    });

    it(`${kind}: survives the creating transaction's COMMIT and a crash (log replay only)`, async () => {
      const { a, dataDir, ...opened } = await openChunkWithForeignRow(kind);
      let db = opened.db;
      await a.query('COMMIT');
      expect(await ids(db)).toEqual([1, 2]);
      db = await crashAndReopen(db, dataDir);
      expect(await ids(db), 'both committed rows after a crash').toEqual([1, 2]);
      await db.close();
    });

    it(`${kind}: survives a CHECKPOINT taken before the creating transaction commits, and a crash after it`, async () => {
      const { a, b, dataDir, ...opened } = await openChunkWithForeignRow(kind);
      let db = opened.db;
      await b.query('CHECKPOINT');
      await a.query('COMMIT');
      expect(await ids(db)).toEqual([1, 2]);
      db = await crashAndReopen(db, dataDir);
      expect(await ids(db), 'both committed rows after a crash').toEqual([1, 2]);
      expect(await chunkCount(db)).toBe(1);
      await db.close();
    });
  }
});
