/**
 * Regenerates test/catalog/psql-queries/expected.json: runs every captured
 * psql query against a throwaway PostgreSQL 15 holding test/catalog/schema.sql
 * and stores the rows as PostgreSQL's text output.
 *
 *   npx tsx test/catalog/generate-expected.ts
 *
 * The queries themselves were captured with `log_statement=all` while psql 15
 * ran \d, \dt, \d conditions, \d+ conditions, \d hot, \d+ hot, \dn, \l, \df, \dv, \di, \dx.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { startPostgres } from '../harness/postgres.js';
import { fixtureQueries, substituteOid, EXPECTED_FILE, SCHEMA_FILE, type Expected } from './fixtures.js';

const server = await startPostgres();
try {
  await server.query('CREATE ROLE strata SUPERUSER LOGIN');
  await server.query('CREATE DATABASE strata OWNER strata');
  const client = await server.connect('strata');
  await client.query('SET ROLE strata');
  // Strata always has this schema; create it so \dn lists the same names
  await client.query('CREATE SCHEMA timescaledb_information');
  await client.query(readFileSync(SCHEMA_FILE, 'utf8'));
  const out: Record<string, Expected> = {};
  for (const q of fixtureQueries()) {
    let sql = q.sql;
    if (q.table) {
      const r = await client.query({ text: `SELECT oid::int8 FROM pg_class WHERE relname = $1`, values: [q.table], rowMode: 'array' });
      sql = substituteOid(sql, String(r.rows[0][0]));
    }
    const r = await client.query({ text: sql, rowMode: 'array' });
    out[q.file] = { columns: r.fields.map((f) => f.name), rows: r.rows as (string | null)[][] };
  }
  await client.end();
  writeFileSync(EXPECTED_FILE, JSON.stringify(out, null, 1) + '\n');
  console.log(`wrote ${Object.keys(out).length} results to ${EXPECTED_FILE}`);
} finally {
  await server.stop();
}
