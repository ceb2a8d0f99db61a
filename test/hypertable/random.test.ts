/**
 * Randomised property (issue 3): for a random hypertable configuration (local or distributed:
 * nodes, number_partitions, replication_factor, chunk_time_interval) and a random query
 * composed from a grammar of filter / grouping / aggregate / ordering / limit pieces
 * (random-query.ts), the hypertable returns what the plain table returns.
 *
 * 100 cases, seeded: case i uses seed BASE + i (BASE = $STRATA_HT_SEED, default below). A
 * failure prints the seed, the configuration and the SQL; rerun one case with
 *   STRATA_HT_SEED=<base> npx vitest run test/hypertable/random.test.ts -t "case <i> "
 * Engines are cached per configuration within the file (same data, read-only queries).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { compareRows } from './compare.js';
import { configName, createLoadedStrata, type Db } from './configs.js';
import { randomCase } from './random-query.js';
import { dataset, runStrata } from './suite.js';

const BASE_SEED = Number(process.env.STRATA_HT_SEED ?? 20160101);
const CASES = Number(process.env.STRATA_HT_CASES ?? 100);
/** 6 hosts, 8 hours from 2016-01-01 18:00 (crosses midnight), plus the edge-case rows */
const DATA = { hosts: 6, hours: 8, seed: 7 };

describe(`random hypertable vs plain (base seed ${BASE_SEED})`, () => {
  const data = dataset(DATA);
  let plain: Db | undefined;
  const engines = new Map<string, Promise<Db>>();
  beforeAll(async () => {
    plain = await createLoadedStrata({ kind: 'plain', time: 'timestamptz' }, data);
  });
  afterAll(async () => {
    await plain?.close();
    for (const e of engines.values()) await (await e.catch(() => null))?.close();
  });

  for (let i = 0; i < CASES; i++) {
    const c = randomCase(BASE_SEED + i);
    const name = configName(c.config);
    it(`case ${i} (seed ${c.seed}): ${name}`, async () => {
      let engine = engines.get(name);
      if (!engine) {
        engine = createLoadedStrata(c.config, data);
        engines.set(name, engine);
      }
      const db = await engine;
      const expected = await runStrata(plain!, c.sql);
      const actual = await runStrata(db, c.sql);
      const head =
        `random case ${i}, seed ${c.seed} (rerun: STRATA_HT_SEED=${BASE_SEED} npx vitest run test/hypertable/random.test.ts -t "case ${i} ")\n` +
        `  configuration: ${name}\n  SQL: ${c.sql}\n`;
      if (!expected.ok) {
        if (!actual.ok && actual.code === expected.code) return;
        throw new Error(`${head}plain failed (${expected.code}: ${expected.message}), hypertable: ${actual.ok ? 'ok' : `${actual.code}: ${actual.message}`}`);
      }
      if (!actual.ok) throw new Error(`${head}hypertable failed: ${actual.code}: ${actual.message}`);
      const diff = compareRows(expected.rows, actual.rows, c.order);
      if (diff) throw new Error(head + diff);
    });
  }
});
