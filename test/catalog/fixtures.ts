/** The captured psql queries (psql-queries/*.sql) and PostgreSQL's answers to them. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
export const QUERY_DIR = join(here, 'psql-queries');
export const EXPECTED_FILE = join(QUERY_DIR, 'expected.json');
export const SCHEMA_FILE = join(here, 'schema.sql');

export interface Expected {
  columns: string[];
  rows: (string | null)[][];
}

export interface FixtureQuery {
  file: string;
  /** the psql command the query belongs to, from the file name (d-table.03.sql → d-table) */
  command: string;
  sql: string;
  /** the relation whose OID the query names as '{{oid}}' */
  table?: string;
}

const TABLE_OF: Record<string, string> = { 'd-table': 'conditions', 'd-plus-table': 'conditions', 'd-view': 'hot', 'd-plus-view': 'hot' };

export function fixtureQueries(): FixtureQuery[] {
  return readdirSync(QUERY_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => {
      const command = file.replace(/(\.\d+)?\.sql$/, '');
      return { file, command, sql: readFileSync(join(QUERY_DIR, file), 'utf8'), table: TABLE_OF[command] };
    });
}

export function substituteOid(sql: string, oid: string): string {
  return sql.replaceAll('{{oid}}', oid);
}
