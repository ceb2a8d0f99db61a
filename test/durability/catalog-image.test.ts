/**
 * A catalog image of a catalog built by real SQL, restored onto a new engine
 * (packages/planner/src/catalog/persist.ts): the restored engine must answer
 * every query like the original — the data, pg_catalog / information_schema /
 * timescaledb_information, psql's \d queries, EXPLAIN of a distributed query —
 * and later DDL and inserts must allocate the same OIDs and chunk ids.
 *
 * Engine A is imaged and restored onto its own live stores (A'). Engine B ran
 * the same script and is never imaged: follow-up writes go to A' and B, which
 * share nothing, so each can be compared with the other.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineCore, Session, Strata, StrataSession } from '../../packages/server/src/index.js';
import { Catalog } from '../../packages/planner/src/catalog/catalog.js';
import { restoreCatalog, serializeCatalog, storesOf, type StoreKey } from '../../packages/planner/src/catalog/persist.js';
import { TableStore } from '../../packages/storage/src/table/index.js';
import { Decimal } from '../../packages/storage/src/types/numeric.js';
import { fixtureQueries, substituteOid } from '../catalog/fixtures.js';
import { readFileSync } from 'node:fs';
import { SCHEMA_FILE } from '../catalog/fixtures.js';

const SETUP = `
${readFileSync(SCHEMA_FILE, 'utf8')}
INSERT INTO conditions (time, device, temperature, humidity) VALUES ('2024-01-01 00:00+00', 'd1', 31.5, 40), ('2024-01-01 01:00+00', 'd2', 12, 55);
CREATE SCHEMA app;
CREATE TABLE app.kinds (
  id serial PRIMARY KEY,
  b bool DEFAULT true,
  i2 smallint DEFAULT -7,
  i4 integer NOT NULL DEFAULT 42,
  i8 bigint DEFAULT 9007199254740991,
  f4 real DEFAULT '-Infinity',
  f8 double precision DEFAULT 'NaN',
  fz double precision DEFAULT '-0',
  n numeric DEFAULT 'NaN',
  n2 numeric(10,3) DEFAULT 1.500,
  t text DEFAULT 'it''s',
  vc varchar(20) DEFAULT 'v',
  c char(5) DEFAULT 'ab',
  nm name DEFAULT 'nm',
  d date DEFAULT 'infinity',
  tm time DEFAULT '12:34:56.789',
  ts timestamp DEFAULT '-infinity',
  tz timestamptz DEFAULT now(),
  iv interval DEFAULT '1 mon 2 days 00:00:00.000003',
  js json DEFAULT '{"a": [1, 2]}',
  jb jsonb DEFAULT '{"b": null}',
  o oid DEFAULT 1259,
  ai integer[] DEFAULT '{1,NULL,3}',
  at text[] DEFAULT ARRAY['x', 'y'],
  an numeric[] DEFAULT '{1.50,NaN,-Infinity}',
  seqd bigint DEFAULT nextval('kinds_id_seq'),
  CHECK (i4 > 0 AND f8 <> 1.5),
  UNIQUE (t, vc)
);
INSERT INTO app.kinds (t) VALUES ('a'), ('b');
INSERT INTO app.kinds (t, i4, f8, n, an) VALUES ('c', 1, -0, 1.23456789012345678901234567890, '{0.000,Infinity}');
ALTER TABLE app.kinds ADD COLUMN extra int DEFAULT 7;
ALTER TABLE app.kinds DROP COLUMN b;
ALTER TABLE app.kinds RENAME COLUMN nm TO label;
ALTER TABLE app.kinds ALTER COLUMN i2 SET NOT NULL;
CREATE INDEX kinds_i4_idx ON app.kinds (i4);
CREATE UNIQUE INDEX kinds_i8_key ON app.kinds (i8, id);
CREATE TABLE old_name (k int PRIMARY KEY, v text NOT NULL DEFAULT 'x');
ALTER TABLE old_name RENAME TO renamed;
INSERT INTO renamed VALUES (1, 'one');
CREATE TABLE dropped (x int);
DROP TABLE dropped;
CREATE VIEW per_device AS
  SELECT c.device, d.location, count(*) AS n, avg(c.temperature) AS avg_temp
  FROM conditions c JOIN devices d ON d.name = c.device
  GROUP BY c.device, d.location;
CREATE VIEW app.named (kid, txt) AS SELECT id, t FROM app.kinds WHERE f8 IS NOT NULL;
INSERT INTO devices VALUES ('d1', 'roof', true, '2023-05-06'), ('d2', DEFAULT, false, NULL);
CREATE TABLE metrics (time timestamptz NOT NULL, dev text, v double precision, PRIMARY KEY (time, dev));
SELECT create_hypertable('metrics', 'time', chunk_time_interval => INTERVAL '1 day');
INSERT INTO metrics VALUES ('2024-03-01 10:00+00', 'a', 1), ('2024-03-02 10:00+00', 'b', 2), ('2024-03-03 10:00+00', 'a', 3), ('2024-03-04 10:00+00', 'c', 4);
SELECT drop_chunks('metrics', older_than => TIMESTAMPTZ '2024-03-02');
SELECT set_chunk_time_interval('metrics', INTERVAL '6 hours');
INSERT INTO metrics VALUES ('2024-03-05 01:00+00', 'a', 5), ('1969-12-31 23:00+00', 'z', -1);
CREATE TABLE ticks (t bigint NOT NULL, sym text, px numeric(12,4));
SELECT create_hypertable('ticks', 't', chunk_time_interval => 100);
INSERT INTO ticks VALUES (5, 'X', 1.5), (150, 'Y', 2.25), (-3, 'X', 'NaN'), (250, 'Z', 0);
SELECT add_data_node('dn1');
SELECT add_data_node('dn2', host => 'localhost', port => 5433, database => 'other');
SELECT add_data_node('dn3');
CREATE TABLE readings (time timestamptz NOT NULL, location text NOT NULL, temp double precision, hum numeric);
SELECT create_distributed_hypertable('readings', 'time', 'location', replication_factor => 2, chunk_time_interval => INTERVAL '1 day');
INSERT INTO readings SELECT TIMESTAMPTZ '2024-02-01 00:00+00' + i * INTERVAL '5 hours', 'loc' || (i % 5), i * 1.5, i / 7.0 FROM generate_series(0, 40) i;
SELECT drop_chunks('readings', older_than => TIMESTAMPTZ '2024-02-03');
SELECT alter_data_node('dn3', available => false);
`;

/** Read-only queries both engines must answer alike (oid columns included: OIDs are imaged). */
const QUERIES = [
  'SELECT * FROM conditions ORDER BY id',
  'SELECT * FROM app.kinds ORDER BY id',
  'SELECT * FROM renamed',
  'SELECT * FROM per_device ORDER BY device',
  'SELECT * FROM app.named ORDER BY kid',
  'SELECT * FROM devices ORDER BY name',
  'SELECT * FROM metrics ORDER BY time, dev',
  'SELECT * FROM ticks ORDER BY t',
  'SELECT location, count(*), sum(temp), max(hum) FROM readings GROUP BY location ORDER BY location',
  `SELECT c.oid, n.nspname, c.relname, c.relkind, c.relnatts FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'timescaledb_information') ORDER BY c.oid`,
  `SELECT attrelid, attname, atttypid, atttypmod, attnum, attnotnull, atthasdef FROM pg_attribute
     WHERE attrelid IN (SELECT oid FROM pg_class WHERE relnamespace <> 11) AND attnum > 0 ORDER BY attrelid, attnum`,
  `SELECT c.relname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid ORDER BY 1, 2`,
  `SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace <> 11 ORDER BY conname`,
  `SELECT indexrelid::regclass, indrelid::regclass, indisunique, indisprimary FROM pg_index ORDER BY 1::text`,
  'SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes ORDER BY 1, 2, 3',
  'SELECT schemaname, viewname, definition FROM pg_views WHERE schemaname NOT IN (\'pg_catalog\', \'information_schema\') ORDER BY 1, 2',
  'SELECT * FROM pg_sequences ORDER BY sequencename',
  'SELECT nspname, oid FROM pg_namespace ORDER BY oid',
  `SELECT table_schema, table_name, column_name, ordinal_position, column_default, is_nullable, data_type, character_maximum_length, numeric_precision, numeric_scale
     FROM information_schema.columns WHERE table_schema IN ('public', 'app') ORDER BY 1, 2, 4`,
  `SELECT table_schema, table_name, table_type FROM information_schema.tables WHERE table_schema IN ('public', 'app') ORDER BY 1, 2`,
  `SELECT table_schema, table_name, view_definition FROM information_schema.views WHERE table_schema IN ('public', 'app') ORDER BY 1, 2`,
  'SELECT * FROM information_schema.check_constraints ORDER BY constraint_name',
  'SELECT * FROM timescaledb_information.hypertables ORDER BY hypertable_name',
  'SELECT * FROM timescaledb_information.chunks ORDER BY hypertable_name, chunk_name',
  'SELECT * FROM timescaledb_information.dimensions ORDER BY hypertable_name, dimension_number',
  'SELECT * FROM timescaledb_information.data_nodes ORDER BY node_name',
  "SELECT show_chunks('metrics')",
  "SELECT show_chunks('readings')",
  "SELECT * FROM hypertable_detailed_size('metrics')",
  "SELECT chunk_name, node_name, total_bytes > 0 FROM chunks_detailed_size('readings') ORDER BY 1, 2",
  'EXPLAIN SELECT location, avg(temp) FROM readings WHERE time >= TIMESTAMPTZ \'2024-02-04\' GROUP BY location',
  "EXPLAIN SELECT * FROM metrics WHERE time > TIMESTAMPTZ '2024-03-03'",
  'EXPLAIN SELECT * FROM per_device',
];

/** Statements run on A' and on B after the restore; their results must agree (no now()-default columns shown). */
const FOLLOW_UP = [
  'CREATE TABLE later (a int PRIMARY KEY, b text)',
  "SELECT oid, relname FROM pg_class WHERE relname IN ('later', 'later_pkey') ORDER BY oid",
  "INSERT INTO app.kinds (t, vc) VALUES ('d', 'w') RETURNING id, seqd, i4, f8, n, an, extra",
  "INSERT INTO renamed VALUES (2, DEFAULT) RETURNING *",
  "INSERT INTO metrics VALUES ('2024-03-06 13:00+00', 'q', 6), ('2024-03-05 02:00+00', 'a', 7)",
  "INSERT INTO ticks VALUES (399, 'W', 3)",
  "SELECT alter_data_node('dn3', available => true)",
  "INSERT INTO readings VALUES ('2024-02-20 00:00+00', 'loc1', 1, 1), ('2024-02-20 00:00+00', 'loc2', 2, 2), ('2024-02-04 00:00+00', 'loc0', 3, 3)",
  'SELECT * FROM timescaledb_information.chunks ORDER BY hypertable_name, chunk_name',
  "SELECT show_chunks('readings')",
  'CREATE SCHEMA later_schema',
  'CREATE TABLE later_schema.t2 (x serial, y interval DEFAULT \'1 day\')',
  "SELECT oid, relname FROM pg_class WHERE relname IN ('t2', 'later_schema') UNION ALL SELECT oid, nspname FROM pg_namespace WHERE nspname = 'later_schema' ORDER BY 1",
  'CREATE TABLE later_ht (time timestamptz NOT NULL, v int)',
  "SELECT create_hypertable('later_ht', 'time')",
  "INSERT INTO later_ht VALUES ('2024-01-01', 1)",
  'SELECT * FROM timescaledb_information.dimensions ORDER BY hypertable_name, dimension_number',
  "SELECT show_chunks('later_ht')",
  "SELECT id, i2, c, label, ts, iv, an, seqd, extra, tz > TIMESTAMPTZ '2024-01-01' AS tz_is_now FROM app.kinds WHERE t = 'd'",
  'SELECT count(*), sum(temp) FROM readings',
  'ALTER TABLE readings ADD COLUMN note text',
  "INSERT INTO readings VALUES ('2024-02-21 00:00+00', 'loc3', 4, 4, 'n')",
  'SELECT location, note FROM readings WHERE note IS NOT NULL',
];

type Rows = { fields: string[]; rows: unknown[] };

function engineOn(catalog: Catalog): StrataSession {
  const core = new EngineCore({ catalog });
  const session = new Session(core, core.allocSessionId());
  core.sessions.add(session);
  return new StrataSession(session);
}

async function answer(db: StrataSession, sql: string): Promise<Rows | { error: string }> {
  try {
    const r = await db.query<unknown[]>(sql, [], { rowMode: 'text' });
    return { fields: r.fields.map((f) => `${f.name}:${f.dataTypeID}`), rows: r.rows };
  } catch (e) {
    return { error: `${(e as { code?: string }).code}: ${(e as Error).message}` };
  }
}

/**
 * Paths where two catalogs differ, walking every own field (private ones too):
 * stores must be the same objects, numerics equal by text and scale, -0 ≠ 0.
 */
function catalogDifferences(a: unknown, b: unknown, path = 'catalog', out: string[] = [], depth = 0): string[] {
  if (out.length > 20 || depth > 40) return out;
  if (a instanceof TableStore || b instanceof TableStore) {
    if (a !== b) out.push(`${path}: a different store`);
    return out;
  }
  if (a instanceof Decimal || b instanceof Decimal) {
    if (!(a instanceof Decimal && b instanceof Decimal && a.toString() === b.toString() && a.scale === b.scale)) out.push(`${path}: ${String(a)} vs ${String(b)}`);
    return out;
  }
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    if (!Object.is(a, b)) out.push(`${path}: ${String(a)} vs ${String(b)}`);
    return out;
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) {
    out.push(`${path}: different kinds of object`);
    return out;
  }
  if (a instanceof Map && b instanceof Map) {
    const ka = [...a.keys()];
    const kb = [...b.keys()];
    if (JSON.stringify(ka.map(String)) !== JSON.stringify(kb.map(String))) out.push(`${path}: keys ${ka.join(',')} vs ${kb.join(',')}`);
    else for (const k of ka) catalogDifferences(a.get(k), b.get(k), `${path}.get(${String(k)})`, out, depth + 1);
    return out;
  }
  const defined = (o: object) => Object.keys(o).filter((k) => (o as Record<string, unknown>)[k] !== undefined);
  const ka = defined(a);
  const kb = defined(b);
  if (ka.join(',') !== kb.join(',')) {
    out.push(`${path}: fields ${ka.join(',')} vs ${kb.join(',')}`);
    return out;
  }
  for (const k of ka) catalogDifferences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, out, depth + 1);
  return out;
}

describe('catalog image of a catalog built by SQL', () => {
  let a: Strata;
  let b: Strata;
  let restored: StrataSession;
  let restoredCatalog: Catalog;
  let doc: string;
  const asked: StoreKey[] = [];

  beforeAll(async () => {
    a = await Strata.create();
    b = await Strata.create();
    await a.exec(SETUP);
    await b.exec(SETUP);
    doc = serializeCatalog(a.core.catalog);
    const live = storesOf(a.core.catalog);
    restoredCatalog = restoreCatalog(doc, (key) => {
      asked.push(key);
      const s = live.get(key);
      if (!s) throw new Error(`no live store ${key}`);
      return s;
    });
    restored = engineOn(restoredCatalog);
  });

  it('images deterministically: serialize(restore(doc)) === doc, and the same script gives the same image', () => {
    expect(serializeCatalog(restoredCatalog)).toBe(doc);
    // B differs only in what now() returned for app.kinds.tz — and that is data, not catalog
    expect(serializeCatalog(b.core.catalog)).toBe(doc);
  });

  it('is structurally the same catalog, private counters and data node chunk maps included', () => {
    expect(restoredCatalog).not.toBe(a.core.catalog);
    expect(catalogDifferences(a.core.catalog, restoredCatalog)).toEqual([]);
    // the comparison sees a difference where there is one
    const other = restoreCatalog(doc, (_key, spec) => new TableStore(spec));
    expect(catalogDifferences(a.core.catalog, other)).toContain('catalog.tables.get(public\u0000conditions).store: a different store');
    const live = storesOf(a.core.catalog);
    const again = restoreCatalog(doc, (key) => live.get(key)!);
    again.allocOid();
    expect(catalogDifferences(a.core.catalog, again)).toEqual([`catalog.nextOid: ${again.parts().counters.nextOid - 1} vs ${again.parts().counters.nextOid}`]);
  });

  it('asks for every store exactly once', () => {
    const all = [...storesOf(a.core.catalog).keys()];
    expect([...asked].sort()).toEqual(all.sort());
    expect(new Set(asked).size).toBe(asked.length);
    // 8 tables with stores; metrics, ticks: local chunks; readings: chunks × 2 replicas
    expect(all.filter((k) => k.startsWith('c::')).length).toBeGreaterThan(3);
    expect(all.filter((k) => /^c:dn\d:/.test(k)).length % 2).toBe(0);
  });

  it.each(QUERIES)('answers like the original: %s', async (sql) => {
    const want = await answer(a, sql);
    expect('error' in want ? want.error : '').toBe('');
    expect(await answer(restored, sql)).toEqual(want);
  });

  it.each(fixtureQueries().map((q) => [q.file, q] as const))("answers psql's %s like the original", async (_file, q) => {
    const oidOf = async (db: StrataSession) => ((await db.query<string[]>('SELECT oid FROM pg_class WHERE relname = $1', [q.table], { rowMode: 'text' })).rows[0]![0]!);
    const sqlFor = async (db: StrataSession) => (q.table ? substituteOid(q.sql, await oidOf(db)) : q.sql);
    const want = await answer(a, await sqlFor(a));
    expect(await answer(restored, await sqlFor(restored))).toEqual(want);
  });

  it('allocates the same OIDs, chunk ids and sequence values afterwards as an engine that was never imaged', async () => {
    for (const sql of FOLLOW_UP) {
      const want = await answer(b, sql);
      expect('error' in want ? `${sql} → ${want.error}` : '').toBe('');
      expect(await answer(restored, sql), sql).toEqual(want);
    }
    expect(restoredCatalog.parts().counters).toEqual(b.core.catalog.parts().counters);
    // the ids really moved on (the follow-up allocated OIDs, hypertable, dimension and chunk ids)
    expect(restoredCatalog.parts().counters.nextOid).toBeGreaterThan(a.core.catalog.parts().counters.nextOid);
    expect(restoredCatalog.parts().counters.nextChunkId).toBeGreaterThan(a.core.catalog.parts().counters.nextChunkId);
  });
});

describe('catalog image with chunks left out and empty stores', () => {
  it('restores an image without an uncommitted chunk onto empty stores; the chunk slice is created anew with a fresh id', async () => {
    const db = await Strata.create();
    await db.exec(`
      CREATE TABLE m (time bigint NOT NULL, v int);
      SELECT create_hypertable('m', 'time', chunk_time_interval => 10);
      INSERT INTO m VALUES (1, 1), (15, 2);
    `);
    const other = db.connect();
    await other.query('BEGIN');
    await other.query('INSERT INTO m VALUES (25, 3)');
    const committed = new Set(['_hyper_1_1_chunk', '_hyper_1_2_chunk']);
    const doc = serializeCatalog(db.core.catalog, { includeChunk: (c) => committed.has(c.name) });
    await other.query('ROLLBACK');
    const restored = restoreCatalog(doc, (_key, spec) => new TableStore(spec));
    const s = engineOn(restored);
    expect((await s.query('SELECT count(*)::int AS n FROM m')).rows).toEqual([{ n: 0 }]);
    await s.query('INSERT INTO m VALUES (2, 1), (27, 4)');
    const chunks = await s.query<string[]>("SELECT chunk_name, range_start_integer, range_end_integer FROM timescaledb_information.chunks WHERE hypertable_name = 'm' ORDER BY 2", [], { rowMode: 'text' });
    // (2) lands in the restored chunk 1; (27) needs a new chunk, and id 3 was taken by the left-out one
    expect(chunks.rows).toEqual([['_hyper_1_1_chunk', '0', '10'], ['_hyper_1_2_chunk', '10', '20'], ['_hyper_1_4_chunk', '20', '30']]);
    expect((await s.query<number[]>('SELECT time::int, v FROM m ORDER BY time', [], { rowMode: 'array' })).rows).toEqual([[2, 1], [27, 4]]);
    await db.close();
  });
});
