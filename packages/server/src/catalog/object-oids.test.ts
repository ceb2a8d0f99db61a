/**
 * OIDs of constraints, sequences and column defaults are given at creation and kept in the catalog
 * image, so pg_constraint.oid, a serial's pg_class.oid and pg_attrdef.oid survive a restart, both
 * from the log alone (a crash) and from a checkpoint.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Strata, type StrataSession } from '../engine/strata.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-oids-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function rows(s: StrataSession, sql: string): Promise<unknown[][]> {
  return (await s.query(sql, [], { rowMode: 'array' })).rows as unknown as unknown[][];
}

/** Every OID a client can see for the objects of table t, by name. */
async function oids(s: StrataSession): Promise<unknown[][]> {
  return [
    ...(await rows(s, `SELECT 'constraint ' || conname, oid::int8 FROM pg_constraint WHERE conrelid = 't'::regclass ORDER BY conname`)),
    ...(await rows(s, `SELECT 'relation ' || relname, oid::int8 FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY relname`)),
    ...(await rows(s, `SELECT 'default ' || a.attname, d.oid::int8 FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = 't'::regclass ORDER BY a.attname`)),
  ];
}

describe('OIDs of constraints, sequences and column defaults', () => {
  it('are the same after a crash (from the log) and after a clean restart (from a checkpoint)', async () => {
    const dir = tempDir();
    let db = await Strata.create({ dataDir: dir });
    await db.exec(`CREATE TABLE t (id serial PRIMARY KEY, code text UNIQUE, n int DEFAULT 7 CHECK (n > 0), note text DEFAULT 'none')`);
    const before = await oids(db);
    expect(before.map((r) => r[0])).toEqual([
      'constraint t_code_key', 'constraint t_n_check', 'constraint t_pkey',
      'relation t', 'relation t_code_key', 'relation t_id_seq', 'relation t_pkey',
      'default id', 'default n', 'default note',
    ]);
    const values = before.map((r) => Number(r[1]));
    // all from the catalog's own counter, all distinct
    expect(values.every((v) => v >= 16_384 && v < 1_000_000)).toBe(true);
    expect(new Set(values).size).toBe(values.length);
    db.core.durability!.simulateCrash();

    db = await Strata.create({ dataDir: dir });
    expect(db.recovery!.checkpointLsn).toBeNull();
    expect(await oids(db)).toEqual(before);
    await db.close();

    db = await Strata.create({ dataDir: dir });
    expect(db.recovery!.checkpointLsn).not.toBeNull();
    expect(await oids(db)).toEqual(before);
    await db.close();
  });

  it('a new default gets a new pg_attrdef OID; ROLLBACK brings the old one back; DROP DEFAULT removes the row', async () => {
    const db = await Strata.create();
    await db.exec(`CREATE TABLE t (a int DEFAULT 1, b int)`);
    const attrdef = async () => rows(db, `SELECT adnum, oid::int8, pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 't'::regclass ORDER BY adnum`);
    const first = await attrdef();
    expect(first.map((r) => [r[0], r[2]])).toEqual([[1, '1']]);
    await db.exec(`BEGIN; ALTER TABLE t ALTER COLUMN a SET DEFAULT 2; ROLLBACK`);
    expect(await attrdef()).toEqual(first);
    await db.exec(`ALTER TABLE t ALTER COLUMN a SET DEFAULT 2`);
    const second = await attrdef();
    expect(second.map((r) => [r[0], r[2]])).toEqual([[1, '2']]);
    expect(second[0]![1]).not.toEqual(first[0]![1]);
    await db.exec(`ALTER TABLE t ALTER COLUMN a DROP DEFAULT`);
    expect(await attrdef()).toEqual([]);
    await db.close();
  });
});
