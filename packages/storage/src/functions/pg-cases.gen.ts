/**
 * Regenerates pg-cases.fixture.json from a running PostgreSQL 15:
 *   PGHOST=/tmp/pg PGPORT=5432 PGUSER=postgres npx tsx packages/storage/src/functions/pg-cases.gen.ts
 * Results are read as raw text (the output functions), so they compare with
 * what Strata's wire layer would send.
 */
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { CASES, ZONE_CASES, type Case } from './pg-cases.js';

export interface FixtureRow {
  zone: string;
  call: Case;
  sql: string;
  value?: string | null;
  type?: string;
  error?: string;
}

function sqlArg(a: string): string {
  const bar = a.indexOf('|');
  const type = a.slice(0, bar);
  const lit = a.slice(bar + 1);
  if (lit === 'NULL') return `NULL::${type}`;
  const q = `'${lit.replace(/'/g, "''")}'`;
  return type === 'unknown' ? q : `${q}::${type}`;
}

export function caseSql(c: Case): string {
  const [callee, ...args] = c;
  const sa = args.map(sqlArg);
  if (callee!.startsWith('op:')) {
    const o = callee!.slice(3);
    return sa.length === 1 ? `${o} (${sa[0]})` : `(${sa[0]}) ${o} (${sa[1]})`;
  }
  // grammar-level spellings the parser rewrites into these calls
  if (callee === 'position') return `position(${sa[1]} IN ${sa[0]})`;
  if (callee === 'extract') return `extract(${args[0]!.slice(args[0]!.indexOf('|') + 1)} FROM ${sa[1]})`;
  return `${callee}(${sa.join(', ')})`;
}

async function main(): Promise<void> {
  const client = new pg.Client({ types: { getTypeParser: () => (v: string) => v } });
  await client.connect();
  const rows: FixtureRow[] = [];
  const all: [string, Case][] = [...CASES.map((c) => ['UTC', c] as [string, Case]), ...ZONE_CASES.map(([z, c]) => [z, c] as [string, Case])];
  for (const [zone, c] of all) {
    const expr = caseSql(c);
    await client.query(`SET TimeZone = '${zone}'`);
    try {
      const r = await client.query(`SELECT ${expr} AS v, pg_typeof(${expr})::text AS t`);
      rows.push({ zone, call: c, sql: expr, value: r.rows[0].v, type: r.rows[0].t });
    } catch (e) {
      rows.push({ zone, call: c, sql: expr, error: (e as { code: string }).code });
    }
  }
  await client.end();
  writeFileSync(new URL('./pg-cases.fixture.json', import.meta.url), JSON.stringify(rows, null, 1) + '\n');
  console.log(`${rows.length} cases`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) await main();
