/**
 * The differential suite: for each table configuration, every query of the catalog must
 * return what the same data in a plain table returns (and, once per suite, the plain table
 * must return what PostgreSQL 15 returns).
 *
 * Layout (so a failure names the plan that broke):
 *   describe(<suite>)
 *     describe('plain table = PostgreSQL 15')    it(<query>) …, it('write: …') …, it(<re-query>) …
 *     describe(<configuration>)                  it(<query>) …, it('write: …') …, it(<re-query>) …
 * The reference (plain table in a fresh Strata) is computed once in the suite's beforeAll:
 * all read queries, then the writes in order, then the re-queries.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { findPostgresBinDir, startPostgres, type PostgresServer } from '../harness/postgres.js';
import { rewriteForPostgres } from '../harness/slt.js';
import { compareRows, type Rows } from './compare.js';
import { configName, copyText, cpuCreateSql, createLoadedStrata, TAGS_CREATE_SQL, type Db, type TableConfig, type TimeType } from './configs.js';
import { generateDataset, tagRows, type Dataset } from './data.js';
import type { Mutation, QueryCase } from './queries.js';

export type Outcome = { ok: true; rows: Rows; rowCount: number | null } | { ok: false; code: string | undefined; message: string };

export interface SuiteSpec {
  title: string;
  time: TimeType;
  configs: TableConfig[];
  queries: QueryCase[];
  mutations: Mutation[];
  requeries: QueryCase[];
  /** also compare the plain table with PostgreSQL 15 */
  postgres: boolean;
  data?: { hosts: number; hours: number; seed: number };
}

/** The now() base for rows placed relative to now: a whole minute at (or just before) module load. */
export const NOW_BASE_MS = Math.floor(Date.now() / 60_000) * 60_000;

export const DEFAULT_DATA = { hosts: 8, hours: 14, seed: 42 };

let datasetCache: Map<string, Dataset> | undefined;
export function dataset(d = DEFAULT_DATA): Dataset {
  datasetCache ??= new Map();
  const key = JSON.stringify(d);
  let ds = datasetCache.get(key);
  if (!ds) {
    ds = generateDataset({ ...d, nowBaseMs: NOW_BASE_MS });
    datasetCache.set(key, ds);
  }
  return ds;
}

export async function runStrata(db: Db, sql: string, params?: unknown[]): Promise<Outcome> {
  try {
    const r = await db.query(sql, params ?? [], { rowMode: 'text' });
    return { ok: true, rows: r.rows as unknown as Rows, rowCount: r.rowCount };
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return { ok: false, code: err.code, message: String(err.message ?? e) };
  }
}

async function runPg(client: pg.Client, sql: string, params?: unknown[]): Promise<Outcome> {
  try {
    const r = await client.query({ text: sql, values: params as unknown[] | undefined, rowMode: 'array' });
    return { ok: true, rows: r.rows as Rows, rowCount: r.rowCount };
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return { ok: false, code: err.code, message: String(err.message ?? e) };
  }
}

function describeQuery(q: { sql: string; params?: unknown[] }): string {
  const sql = q.sql
    .split('\n')
    .map((l) => '    ' + l.trim())
    .filter((l) => l.trim())
    .join('\n');
  return `${sql}${q.params ? `\n    params: ${JSON.stringify(q.params)}` : ''}`;
}

const errText = (o: Outcome) => (o.ok ? 'ok' : `ERROR ${o.code ?? '?'}: ${o.message}`);

/**
 * Compares one query's outcome on a configuration with the reference. Throws a readable error
 * naming the configuration, the SQL and the diff.
 */
export function checkQuery(
  q: QueryCase,
  ref: Outcome,
  actual: Outcome,
  where: string,
  labels: [string, string] = ['plain', 'hypertable'],
  refUnlimited?: Outcome,
): void {
  const head = `[${where}] ${q.name}\n${describeQuery(q)}\n`;
  if (!ref.ok) {
    if (!actual.ok && actual.code === ref.code) return;
    throw new Error(`${head}${labels[0]} failed (${errText(ref)}) but ${labels[1]} gave ${errText(actual)}`);
  }
  if (!actual.ok) throw new Error(`${head}${labels[1]} failed: ${errText(actual)}`);
  let limitCount: number | undefined;
  let expected = ref.rows;
  if (q.order === 'limit') {
    if (!refUnlimited?.ok) throw new Error(`${head}the unlimited query failed on ${labels[0]}: ${refUnlimited ? errText(refUnlimited) : 'not run'}`);
    limitCount = ref.rows.length;
    expected = refUnlimited.rows;
  }
  const diff = compareRows(expected, actual.rows, q.order, labels, limitCount);
  if (diff) throw new Error(`${head}${diff}`);
}

interface Reference {
  queries: Map<string, Outcome>;
  unlimited: Map<string, Outcome>;
  mutations: Map<string, Outcome>;
  requeries: Map<string, Outcome>;
}

async function computeReference(spec: SuiteSpec, data: Dataset): Promise<Reference> {
  const db = await createLoadedStrata({ kind: 'plain', time: spec.time }, data);
  const ref: Reference = { queries: new Map(), unlimited: new Map(), mutations: new Map(), requeries: new Map() };
  try {
    for (const q of spec.queries) {
      ref.queries.set(q.name, await runStrata(db, q.sql, q.params));
      if (q.unlimited) ref.unlimited.set(q.name, await runStrata(db, q.unlimited, q.params));
    }
    for (const m of spec.mutations) ref.mutations.set(m.name, await runStrata(db, m.sql));
    for (const q of spec.requeries) ref.requeries.set(q.name, await runStrata(db, q.sql, q.params));
  } finally {
    await db.close();
  }
  return ref;
}

function checkMutation(m: Mutation, ref: Outcome, actual: Outcome, where: string, labels: [string, string]): void {
  const head = `[${where}] write: ${m.name}\n    ${m.sql}\n`;
  if (!ref.ok) throw new Error(`${head}${labels[0]} failed: ${errText(ref)}`);
  if (!actual.ok) throw new Error(`${head}${labels[1]} failed: ${errText(actual)}`);
  if (actual.rowCount !== ref.rowCount) throw new Error(`${head}row count: ${labels[0]} ${ref.rowCount}, ${labels[1]} ${actual.rowCount}`);
}

/** Defines the whole suite (call at the top level of a test file). */
export function defineDifferentialSuite(spec: SuiteSpec): void {
  describe(spec.title, () => {
    const data = dataset(spec.data);
    let ref: Reference | undefined;
    beforeAll(async () => {
      ref = await computeReference(spec, data);
    });

    if (spec.postgres) definePostgresBlock(spec, data, () => ref!);

    for (const config of spec.configs) {
      const name = configName(config);
      describe(name, () => {
        let db: Db | undefined;
        let loadError: unknown;
        let writeFailed: string | undefined;
        beforeAll(async () => {
          try {
            db = await createLoadedStrata(config, data);
          } catch (e) {
            loadError = e;
          }
        });
        afterAll(async () => {
          await db?.close();
        });
        const engine = (): Db => {
          if (!db) throw new Error(`[${name}] could not create/load the hypertable: ${(loadError as Error)?.message ?? loadError}`);
          return db;
        };
        for (const q of spec.queries) {
          it(q.name, async () => {
            const actual = await runStrata(engine(), q.sql, q.params);
            checkQuery(q, ref!.queries.get(q.name)!, actual, name, ['plain', 'hypertable'], ref!.unlimited.get(q.name));
          });
        }
        for (const m of spec.mutations) {
          it(`write: ${m.name}`, async (ctx) => {
            if (writeFailed) ctx.skip(`an earlier write differed (${writeFailed}); the data has diverged`);
            const actual = await runStrata(engine(), m.sql);
            try {
              checkMutation(m, ref!.mutations.get(m.name)!, actual, name, ['plain', 'hypertable']);
            } catch (e) {
              writeFailed = m.name; // the data has diverged: later writes and re-queries are skipped
              throw e;
            }
          });
        }
        for (const q of spec.requeries) {
          it(q.name, async (ctx) => {
            if (writeFailed) ctx.skip(`the write '${writeFailed}' differed; the data has diverged`);
            const actual = await runStrata(engine(), q.sql, q.params);
            checkQuery(q, ref!.requeries.get(q.name)!, actual, name);
          });
        }
      });
    }
  });
}

const binDir = findPostgresBinDir();
let pgSeq = 0;

function definePostgresBlock(spec: SuiteSpec, data: Dataset, getRef: () => Reference): void {
  const title = 'plain table = PostgreSQL 15';
  if (!binDir) {
    const msg = 'PostgreSQL binaries not found (install postgresql-15 or set STRATA_PG_BINDIR)';
    if (process.env.CI) {
      describe(title, () => it('needs PostgreSQL binaries', () => {
        throw new Error(msg);
      }));
    } else {
      console.warn(`\n!!! SKIPPING '${spec.title} › ${title}': ${msg}\n`);
      describe.skip(title, () => it('skipped', () => {}));
    }
    return;
  }
  describe(title, () => {
    let server: PostgresServer | undefined;
    let client: pg.Client | undefined;
    const dbName = `ht_diff_${process.pid}_${pgSeq++}`;
    beforeAll(async () => {
      server = await startPostgres();
      await server.createDatabase(dbName);
      client = await server.connect(dbName);
      await client.query(cpuCreateSql(spec.time));
      await client.query(TAGS_CREATE_SQL);
      const tags = tagRows(data.hostnames.length - 1);
      await client.query(`INSERT INTO tags VALUES ${tags.map((_, i) => `($${3 * i + 1}, $${3 * i + 2}, $${3 * i + 3})`).join(', ')}`, tags.flat());
      const stream = client.query(copyFrom('COPY cpu FROM STDIN'));
      await pipeline(Readable.from([Buffer.from(copyText(data, spec.time))]), stream);
      // TSBS's indexes, plus one that lets PostgreSQL answer the correlated max() subquery quickly
      await client.query('CREATE INDEX ON cpu (hostname, time DESC); CREATE INDEX ON cpu (time DESC); CREATE INDEX ON cpu (hostname, usage_user); ANALYZE');
    });
    afterAll(async () => {
      await client?.end().catch(() => {});
      await server?.stop();
    });
    const pgSql = (q: QueryCase) => rewriteForPostgres(typeof q.pg === 'string' ? q.pg : q.sql);
    const labels: [string, string] = ['postgres', 'strata plain'];
    const pgUnlimited = new Map<string, Outcome>();
    for (const q of spec.queries) {
      if (q.pg === false) {
        it.skip(`${q.name} (TimescaleDB-only function, not in PostgreSQL)`, () => {});
        continue;
      }
      it(q.name, async () => {
        const out = await runPg(client!, pgSql(q), q.params);
        if (q.unlimited) pgUnlimited.set(q.name, await runPg(client!, rewriteForPostgres(q.unlimited), q.params));
        checkQuery({ ...q, sql: pgSql(q) }, out, getRef().queries.get(q.name)!, 'plain table vs PostgreSQL 15', labels, pgUnlimited.get(q.name));
      });
    }
    let writeFailed: string | undefined;
    for (const m of spec.mutations) {
      it(`write: ${m.name}`, async (ctx) => {
        if (writeFailed) ctx.skip(`an earlier write differed (${writeFailed}); the data has diverged`);
        const out = await runPg(client!, m.sql);
        try {
          checkMutation(m, out, getRef().mutations.get(m.name)!, 'plain table vs PostgreSQL 15', labels);
        } catch (e) {
          writeFailed = m.name;
          throw e;
        }
      });
    }
    for (const q of spec.requeries) {
      it(q.name, async (ctx) => {
        if (writeFailed) ctx.skip(`the write '${writeFailed}' differed; the data has diverged`);
        const out = await runPg(client!, pgSql(q), q.params);
        checkQuery({ ...q, sql: pgSql(q) }, out, getRef().requeries.get(q.name)!, 'plain table vs PostgreSQL 15', labels);
      });
    }
  });
}
