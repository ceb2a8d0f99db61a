/**
 * Simple-query results leave while the query runs (wire/results.ts): the messages a client sees
 * must stay PostgreSQL's. Runs of DataRows are collapsed to `D×n` or, where the number of rows
 * before an error depends on batch sizes, `D…`. Every scenario also runs against PostgreSQL 15
 * when its binaries are installed, with the same expectations unless noted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPostgresBinDir, startPostgres, type PostgresServer } from '../harness/postgres.js';
import { RawClient, dataRow, errorFields, fe, startServer, type TestServer } from './helpers.js';

type Message = { type: string; body: Buffer };

/** T, D×n, C(tag), E(code), Z, COPY's H d… c; with `fuzzyRows` a run of DataRows before an ErrorResponse is `D…`. */
function transcript(msgs: readonly Message[], fuzzyRows: boolean): string {
  const out: string[] = [];
  let run = 0;
  const endRun = (next: string) => {
    if (run > 0) out.push(fuzzyRows && next.startsWith('E') ? 'D…' : `D×${run}`);
    run = 0;
  };
  for (const m of msgs) {
    if (m.type === 'S' || m.type === 'N') continue;
    if (m.type === 'D') {
      run++;
      continue;
    }
    // COPY's framing of rows into CopyData messages is not the subject here
    if (m.type === 'd' && out[out.length - 1] === 'd…') continue;
    if (m.type === 'd') {
      endRun('d');
      out.push('d…');
      continue;
    }
    const text = m.type === 'E' ? `E(${errorFields(m.body).C})` : m.type === 'C' ? `C(${m.body.toString('utf8', 0, m.body.length - 1)})` : m.type;
    endRun(text);
    out.push(text);
  }
  return out.join(' ');
}

const SETUP = [
  'DROP TABLE IF EXISTS big',
  // more rows than one sealed batch (65,536), so a scan yields several batches
  'CREATE TABLE big (x int8 NOT NULL)',
  'INSERT INTO big SELECT g FROM generate_series(1, 200000) g',
];

interface Scenario {
  name: string;
  sql: string;
  expect: string;
  /** what PostgreSQL sends, when it differs (documented difference) */
  postgres?: string;
}

const SCENARIOS: Scenario[] = [
  { name: 'a large result, every row once', sql: 'SELECT x FROM big', expect: 'T D×200000 C(SELECT 200000) Z' },
  { name: 'an empty result still has its RowDescription', sql: 'SELECT x FROM big WHERE x < 0', expect: 'T C(SELECT 0) Z' },
  {
    name: 'an error after rows were sent: RowDescription, the rows so far, the error',
    sql: 'SELECT 1 / (x - 150000) FROM big',
    expect: 'T D… E(22012) Z',
  },
  { name: 'an error before any row: the error alone', sql: 'SELECT 1 / 0', expect: 'E(22012) Z' },
  {
    name: 'the second query of a string fails after rows: the first one is complete',
    sql: 'SELECT x FROM big WHERE x <= 3; SELECT 1 / (x - 150000) FROM big',
    expect: 'T D×3 C(SELECT 3) T D… E(22012) Z',
  },
  {
    name: 'a query after a failed one in the same string never runs',
    sql: 'SELECT 1 / (x - 150000) FROM big; SELECT x FROM big WHERE x <= 3',
    expect: 'T D… E(22012) Z',
  },
  {
    // PostgreSQL sends RowDescription when execution starts; Strata with the first batch
    name: 'an error in the first batch',
    sql: 'SELECT 1 / (x - 2) FROM big',
    expect: 'E(22012) Z',
    postgres: 'T D… E(22012) Z',
  },
  { name: 'COPY in the same string keeps its own path', sql: 'SELECT x FROM big WHERE x = 7; COPY (SELECT x FROM big WHERE x <= 2) TO STDOUT', expect: 'T D×1 C(SELECT 1) H d… c C(COPY 2) Z' },
];

async function transcripts(port: number, user: string, fuzzy: boolean): Promise<string[]> {
  const c = await RawClient.startup(port, { user, database: user });
  try {
    for (const sql of SETUP) {
      c.write(fe.query(sql));
      await c.until('Z');
    }
    const got: string[] = [];
    for (const s of SCENARIOS) {
      c.write(fe.query(s.sql));
      got.push(transcript(await c.until('Z'), fuzzy));
    }
    return got;
  } finally {
    c.end();
  }
}

describe('streamed simple-query results on Strata', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer();
  });
  afterAll(async () => {
    await ts.close();
  });

  it('keep PostgreSQL message sequences', async () => {
    expect(await transcripts(ts.port, 'strata', true)).toEqual(SCENARIOS.map((s) => s.expect));
  });

  it('send every row of a large result in order, and the row count', async () => {
    const c = await RawClient.startup(ts.port);
    try {
      for (const sql of SETUP) {
        c.write(fe.query(sql));
        await c.until('Z');
      }
      c.write(fe.query('SELECT x, x * 2 AS y FROM big'));
      const msgs = await c.until('Z');
      let expectX = 1;
      let ok = true;
      for (const m of msgs) {
        if (m.type !== 'D') continue;
        const [x, y] = dataRow(m.body).map((b) => Number(b!.toString()));
        if (x !== expectX || y !== 2 * expectX) ok = false;
        expectX++;
      }
      expect(ok).toBe(true);
      expect(expectX - 1).toBe(200000);
      expect(msgs.filter((m) => m.type === 'T')).toHaveLength(1);
    } finally {
      c.end();
    }
  });

  it('a failed row stream leaves the session usable and the transaction rolled back', async () => {
    const c = await RawClient.startup(ts.port);
    try {
      for (const sql of [...SETUP, 'CREATE TABLE IF NOT EXISTS marks (k int)']) {
        c.write(fe.query(sql));
        await c.until('Z');
      }
      c.write(fe.query('INSERT INTO marks VALUES (1); SELECT 1 / (x - 150000) FROM big'));
      expect(transcript(await c.until('Z'), true)).toBe('C(INSERT 0 1) T D… E(22012) Z');
      c.write(fe.query('SELECT count(*) FROM marks'));
      expect(transcript(await c.until('Z'), false)).toBe('T D×1 C(SELECT 1) Z');
      c.write(fe.query('SELECT count(*) AS n FROM marks'));
      const rows = (await c.until('Z')).filter((m) => m.type === 'D').map((m) => dataRow(m.body)[0]!.toString());
      expect(rows).toEqual(['0']);
    } finally {
      c.end();
    }
  });
});

describe.skipIf(!findPostgresBinDir())('the same sequences on PostgreSQL', () => {
  let pg: PostgresServer;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
  });

  it('match the expectations', async () => {
    expect(await transcripts(pg.port, 'postgres', true)).toEqual(SCENARIOS.map((s) => s.postgres ?? s.expect));
  });
});
