/**
 * A chunk created by a transaction that later rolls back, and a row another
 * session committed into that chunk meanwhile: the committed row must stay,
 * before and after a crash. (Found by the crash rounds: a client's DELETE of
 * its own acknowledged row reported 0 rows.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Strata } from '../../packages/server/src/engine/strata.js';
import { cleanupDurabilityResources, makeTempDir } from './server-process.js';

afterAll(cleanupDurabilityResources);

const CREATE = {
  distributed: "SELECT create_distributed_hypertable('conditions', 'time', 'device', chunk_time_interval => interval '1 hour')",
  local: "SELECT create_hypertable('conditions', 'time', chunk_time_interval => interval '1 hour')",
};

describe('a chunk whose creating transaction rolls back', () => {
  for (const kind of ['distributed', 'local'] as const) {
    it(`${kind} hypertable: a row committed into it by another session survives the rollback and a crash`, async () => {
      const dataDir = makeTempDir('chunk-rollback');
      let db = await Strata.create({ dataDir });
      if (kind === 'distributed') for (const n of ['dn1', 'dn2', 'dn3']) await db.query(`SELECT add_data_node('${n}')`);
      await db.exec('CREATE TABLE conditions (time timestamptz NOT NULL, device text, id bigint, v double precision)');
      await db.query(CREATE[kind]);
      const a = db.connect();
      const b = db.connect();
      await a.query('BEGIN');
      await a.query("INSERT INTO conditions VALUES ('2024-01-01 10:00:00+00', 'd1', 1, 1)");
      // autocommit: acknowledged, so it must survive whatever a does next
      await b.query("INSERT INTO conditions VALUES ('2024-01-01 10:05:00+00', 'd1', 2, 2)");
      await a.query('ROLLBACK');
      const ids = async (s: { query: Strata['query'] }) => (await s.query<{ id: string }>('SELECT id FROM conditions ORDER BY id')).rows.map((r) => Number(r.id));
      expect(await ids(b), 'the committed row after the other transaction rolled back').toEqual([2]);
      db.core.durability!.simulateCrash();
      db = await Strata.create({ dataDir });
      expect(await ids(db), 'the committed row after a crash').toEqual([2]);
      expect((await db.query("SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'conditions'")).rows).toEqual([{ n: 1 }]);
      await db.close();
    });
  }
});
