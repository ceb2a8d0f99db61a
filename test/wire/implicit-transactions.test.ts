/**
 * PostgreSQL's implicit transactions, on raw protocol messages: the Executes of the extended
 * protocol up to Sync, and the statements of one multi-statement Query, commit together and are
 * rolled back together by an error. Every transcript below is PostgreSQL 15's; when PostgreSQL
 * binaries are installed the same scenarios also run against a real server, so the expectations
 * are checked against the oracle and not only against Strata.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Strata } from '../../packages/server/src/engine/strata.js';
import { PgServer } from '../../packages/server/src/wire/index.js';
import { findPostgresBinDir, startPostgres, type PostgresServer } from '../harness/postgres.js';
import { RawClient, dataRow, errorFields, fe, startServer, type TestServer } from './helpers.js';

type Message = { type: string; body: Buffer };

/** A compact transcript: ParseComplete '1', BindComplete '2', RowDescription 'T', … ; ParameterStatus left out. */
function transcript(msgs: readonly Message[]): string {
  return msgs
    .filter((m) => m.type !== 'S')
    .map((m) => {
      if (m.type === 'E' || m.type === 'N') {
        const f = errorFields(m.body);
        return `${m.type}(${f.C} ${f.M})`;
      }
      if (m.type === 'C') return `C(${m.body.toString('utf8', 0, m.body.length - 1)})`;
      if (m.type === 'Z') return `Z(${m.body.toString()})`;
      if (m.type === 'D') return `D(${dataRow(m.body).map((b) => (b === null ? 'NULL' : b.toString())).join(',')})`;
      return m.type;
    })
    .join(' ');
}

/** Parse, Bind, Execute of one statement on the unnamed statement and portal. */
const run = (sql: string): Buffer[] => [fe.parse('', sql), fe.bind('', '', [], [], []), fe.execute('')];
const sync = fe.sync();
const query = (sql: string): Buffer[] => [fe.query(sql)];

interface Step {
  /** 'other' runs the step on a second connection (visibility checks) */
  on?: 'other';
  send: Buffer[];
  expect: string;
}

interface Scenario {
  name: string;
  steps: Step[];
}

const DUPLICATE = 'E(23505 duplicate key value violates unique constraint "t_pkey")';
const NO_TXN = 'N(25P01 there is no transaction in progress)';
const COUNT = (n: number) => `T D(${n}) C(SELECT 1) Z(I)`;
const INSERTED = '1 2 C(INSERT 0 1)';

const SCENARIOS: Scenario[] = [
  {
    name: 'an error rolls back every Execute since the last Sync, the earlier ones too',
    steps: [
      { send: [...run('INSERT INTO t VALUES (1)'), ...run('INSERT INTO t VALUES (2)'), ...run('INSERT INTO t VALUES (1)'), ...run('INSERT INTO t VALUES (4)'), sync], expect: `${INSERTED} ${INSERTED} 1 2 ${DUPLICATE} Z(I)` },
      { send: query('SELECT count(*) FROM t'), expect: COUNT(0) },
    ],
  },
  {
    name: 'the Executes commit at Sync: other sessions do not see them before',
    steps: [
      { send: [...run('INSERT INTO t VALUES (1)'), ...run('INSERT INTO t VALUES (2)'), fe.flush()], expect: `${INSERTED} ${INSERTED}` },
      { on: 'other', send: query('SELECT count(*) FROM t'), expect: COUNT(0) },
      { send: [sync], expect: 'Z(I)' },
      { on: 'other', send: query('SELECT count(*) FROM t'), expect: COUNT(2) },
    ],
  },
  {
    name: 'several Syncs: each one commits its own batch, a later error leaves earlier batches alone',
    steps: [
      { send: [...run('INSERT INTO t VALUES (1)'), sync, ...run('INSERT INTO t VALUES (2)'), ...run('INSERT INTO t VALUES (1)'), sync, ...run('INSERT INTO t VALUES (3)'), sync], expect: `${INSERTED} Z(I) ${INSERTED} 1 2 ${DUPLICATE} Z(I) ${INSERTED} Z(I)` },
      { send: query('SELECT a FROM t ORDER BY a'), expect: 'T D(1) D(3) C(SELECT 2) Z(I)' },
    ],
  },
  {
    name: 'an error outside Execute (a Bind naming no statement) rolls the pipeline back too',
    steps: [
      { send: [...run('INSERT INTO t VALUES (1)'), fe.bind('', 'nope', [], [], []), sync], expect: `${INSERTED} E(26000 prepared statement "nope" does not exist) Z(I)` },
      { send: query('SELECT count(*) FROM t'), expect: COUNT(0) },
    ],
  },
  {
    name: 'a write by another session while a pipeline is open: both commit',
    steps: [
      { send: [...run('INSERT INTO t VALUES (1)'), fe.flush()], expect: INSERTED },
      { on: 'other', send: query('INSERT INTO t VALUES (2)'), expect: 'C(INSERT 0 1) Z(I)' },
      { send: [sync], expect: 'Z(I)' },
      { send: query('SELECT a FROM t ORDER BY a'), expect: 'T D(1) D(2) C(SELECT 2) Z(I)' },
    ],
  },
  {
    name: 'a Query inside a pipeline (before Sync) commits it, or rolls it back with its error',
    steps: [
      { send: [...run('INSERT INTO t VALUES (1)'), ...query('SELECT 1')], expect: `${INSERTED} T D(1) C(SELECT 1) Z(I)` },
      { on: 'other', send: query('SELECT count(*) FROM t'), expect: COUNT(1) },
      { send: [...run('INSERT INTO t VALUES (2)'), ...query('INSERT INTO t VALUES (3)')], expect: `${INSERTED} C(INSERT 0 1) Z(I)` },
      { on: 'other', send: query('SELECT count(*) FROM t'), expect: COUNT(3) },
      { send: [...run('INSERT INTO t VALUES (4)'), ...query('SELECT 1/0'), sync], expect: `${INSERTED} E(22012 division by zero) Z(I) Z(I)` },
      { on: 'other', send: query('SELECT count(*) FROM t'), expect: COUNT(3) },
    ],
  },
  {
    name: 'BEGIN inside a pipeline makes it a transaction block that includes the statements before it',
    steps: [
      { send: [...run('INSERT INTO t VALUES (1)'), ...run('BEGIN'), ...run('INSERT INTO t VALUES (2)'), sync], expect: `${INSERTED} 1 2 C(BEGIN) ${INSERTED} Z(T)` },
      { send: query('ROLLBACK'), expect: 'C(ROLLBACK) Z(I)' },
      { send: query('SELECT count(*) FROM t'), expect: COUNT(0) },
    ],
  },
  {
    name: 'an error after BEGIN in a pipeline leaves a failed transaction block',
    steps: [
      { send: [...run('INSERT INTO t VALUES (1)'), ...run('BEGIN'), ...run('INSERT INTO t VALUES (1)'), sync], expect: `${INSERTED} 1 2 C(BEGIN) 1 2 ${DUPLICATE} Z(E)` },
      { send: query('SELECT 1'), expect: 'E(25P02 current transaction is aborted, commands ignored until end of transaction block) Z(E)' },
      { send: query('ROLLBACK'), expect: 'C(ROLLBACK) Z(I)' },
      { send: query('SELECT count(*) FROM t'), expect: COUNT(0) },
    ],
  },
  {
    name: 'COMMIT inside a pipeline warns and commits what came before; the rest is a new implicit transaction',
    steps: [
      { send: [...run('INSERT INTO t VALUES (1)'), ...run('COMMIT'), ...run('INSERT INTO t VALUES (2)'), ...run('INSERT INTO t VALUES (2)'), sync], expect: `${INSERTED} 1 2 ${NO_TXN} C(COMMIT) ${INSERTED} 1 2 ${DUPLICATE} Z(I)` },
      { send: query('SELECT a FROM t ORDER BY a'), expect: 'T D(1) C(SELECT 1) Z(I)' },
    ],
  },
  {
    name: 'ROLLBACK inside a pipeline warns and rolls back what came before',
    steps: [
      { send: [...run('INSERT INTO t VALUES (1)'), ...run('ROLLBACK'), ...run('INSERT INTO t VALUES (2)'), sync], expect: `${INSERTED} 1 2 ${NO_TXN} C(ROLLBACK) ${INSERTED} Z(I)` },
      { send: query('SELECT a FROM t ORDER BY a'), expect: 'T D(2) C(SELECT 1) Z(I)' },
    ],
  },
  {
    name: 'VACUUM may open a pipeline but not follow another statement in it (25001), which is then rolled back',
    steps: [
      { send: [...run('VACUUM'), ...run('INSERT INTO t VALUES (1)'), sync], expect: `1 2 C(VACUUM) ${INSERTED} Z(I)` },
      { send: [...run('INSERT INTO t VALUES (2)'), ...run('VACUUM'), sync], expect: `${INSERTED} 1 2 E(25001 VACUUM cannot be executed within a pipeline) Z(I)` },
      { send: query('SELECT a FROM t ORDER BY a'), expect: 'T D(1) C(SELECT 1) Z(I)' },
      { send: [...run('SELECT 1'), ...run("ALTER SYSTEM SET work_mem = '5MB'"), sync], expect: '1 2 D(1) C(SELECT 1) 1 2 E(25001 ALTER SYSTEM cannot be executed within a pipeline) Z(I)' },
    ],
  },
  {
    name: 'a SET is undone with the pipeline it was in; SET LOCAL warns and lasts until Sync',
    steps: [
      { send: [...run("SET application_name = 'abc'"), ...run('INSERT INTO t VALUES (1)'), ...run('INSERT INTO t VALUES (1)'), sync], expect: `1 2 C(SET) ${INSERTED} 1 2 ${DUPLICATE} Z(I)` },
      { send: query('SHOW application_name'), expect: 'T D() C(SHOW) Z(I)' },
      { send: [...run("SET LOCAL application_name = 'loc'"), ...run('SHOW application_name'), sync], expect: '1 2 N(25P01 SET LOCAL can only be used in transaction blocks) C(SET) 1 2 D(loc) C(SHOW) Z(I)' },
      { send: query('SHOW application_name'), expect: 'T D() C(SHOW) Z(I)' },
    ],
  },
  {
    name: 'an error in Parse fails an explicit transaction (E), in either protocol',
    steps: [
      { send: query('BEGIN'), expect: 'C(BEGIN) Z(T)' },
      { send: [...run('SELEC 1'), sync], expect: 'E(42601 syntax error at or near "SELEC") Z(E)' },
      { send: query('ROLLBACK'), expect: 'C(ROLLBACK) Z(I)' },
      { send: query('BEGIN'), expect: 'C(BEGIN) Z(T)' },
      { send: query('SELEC 1'), expect: 'E(42601 syntax error at or near "SELEC") Z(E)' },
      { send: query('ROLLBACK'), expect: 'C(ROLLBACK) Z(I)' },
    ],
  },
  {
    name: 'several statements in one Query: an error rolls back the earlier ones',
    steps: [
      { send: query('INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); INSERT INTO t VALUES (1)'), expect: `C(INSERT 0 1) C(INSERT 0 1) ${DUPLICATE} Z(I)` },
      { send: query('SELECT count(*) FROM t'), expect: COUNT(0) },
    ],
  },
  {
    name: 'several statements in one Query: COMMIT and ROLLBACK inside end the implicit block so far',
    steps: [
      { send: query('INSERT INTO t VALUES (1); COMMIT; INSERT INTO t VALUES (2); SELECT 1/0'), expect: `C(INSERT 0 1) ${NO_TXN} C(COMMIT) C(INSERT 0 1) E(22012 division by zero) Z(I)` },
      { send: query('INSERT INTO t VALUES (3); ROLLBACK; INSERT INTO t VALUES (4)'), expect: `C(INSERT 0 1) ${NO_TXN} C(ROLLBACK) C(INSERT 0 1) Z(I)` },
      { send: query('SELECT a FROM t ORDER BY a'), expect: 'T D(1) D(4) C(SELECT 2) Z(I)' },
    ],
  },
  {
    name: 'several statements in one Query: VACUUM is refused wherever it stands, SET LOCAL applies without warning',
    steps: [
      { send: query('SELECT 1; VACUUM'), expect: 'T D(1) C(SELECT 1) E(25001 VACUUM cannot run inside a transaction block) Z(I)' },
      { send: query('VACUUM; SELECT 1'), expect: 'E(25001 VACUUM cannot run inside a transaction block) Z(I)' },
      { send: query("SET LOCAL application_name = 'x'; SHOW application_name"), expect: 'C(SET) T D(x) C(SHOW) Z(I)' },
      { send: query('SHOW application_name'), expect: 'T D() C(SHOW) Z(I)' },
    ],
  },
  {
    name: 'a Query with several statements after BEGIN: after COMMIT the rest is an implicit block again',
    steps: [
      { send: query('BEGIN'), expect: 'C(BEGIN) Z(T)' },
      { send: query('INSERT INTO t VALUES (1); COMMIT; INSERT INTO t VALUES (2); SELECT 1/0'), expect: 'C(INSERT 0 1) C(COMMIT) C(INSERT 0 1) E(22012 division by zero) Z(I)' },
      { send: query('SELECT a FROM t ORDER BY a'), expect: 'T D(1) C(SELECT 1) Z(I)' },
    ],
  },
];

interface Target {
  port: number;
  user: string;
  database: string;
}

/** Messages until `zs` ReadyForQuery arrived, or (no Sync/Query sent) until the last reply of a Flush. */
async function replies(c: RawClient, sent: readonly Buffer[]): Promise<Message[]> {
  const zs = sent.filter((b) => b[0] === 0x53 || b[0] === 0x51).length;
  const out: Message[] = [];
  if (zs === 0) {
    const executes = sent.filter((b) => b[0] === 0x45).length;
    let done = 0;
    while (done < executes) {
      const m = await c.next();
      if (!m) break;
      out.push(m);
      if (m.type === 'C' || m.type === 'E') done++;
    }
    return out;
  }
  for (let i = 0; i < zs; i++) out.push(...(await c.until('Z')));
  return out;
}

async function runScenario(target: Target, s: Scenario): Promise<string[]> {
  const params = { user: target.user, database: target.database };
  const setup = await RawClient.startup(target.port, params);
  setup.write(fe.query('DROP TABLE IF EXISTS t; CREATE TABLE t (a int PRIMARY KEY)'));
  await setup.until('Z');
  setup.end();
  const main = await RawClient.startup(target.port, params);
  const other = await RawClient.startup(target.port, params);
  try {
    const got: string[] = [];
    for (const step of s.steps) {
      const c = step.on === 'other' ? other : main;
      c.write(Buffer.concat(step.send));
      got.push(transcript(await replies(c, step.send)));
    }
    return got;
  } finally {
    main.end();
    other.end();
  }
}

describe('implicit transactions on Strata', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer();
  });
  afterAll(async () => {
    await ts.close();
  });
  for (const s of SCENARIOS) {
    it(s.name, async () => {
      expect(await runScenario({ port: ts.port, user: 'strata', database: 'strata' }, s)).toEqual(s.steps.map((x) => x.expect));
    });
  }
});

describe.skipIf(!findPostgresBinDir())('implicit transactions on PostgreSQL (the expectations above are its behaviour)', () => {
  let pg: PostgresServer;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
  });
  for (const s of SCENARIOS) {
    it(s.name, async () => {
      expect(await runScenario({ port: pg.port, user: 'postgres', database: 'postgres' }, s)).toEqual(s.steps.map((x) => x.expect));
    });
  }
});

describe('a pipeline on a server with a data directory', () => {
  it('logs one commit for all its Executes, at Sync', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-pipeline-'));
    const db = await Strata.create({ dataDir: dir });
    const server = new PgServer({ core: db.core });
    try {
      const { port } = await server.listen(0, '127.0.0.1');
      const c = await RawClient.startup(port);
      c.write(Buffer.concat([fe.query('CREATE TABLE t (a int PRIMARY KEY)'), fe.parse('ins', 'INSERT INTO t VALUES ($1)'), sync]));
      await c.until('Z');
      await c.until('Z');
      const durability = db.core.durability!;
      const logCommit = durability.logCommit.bind(durability);
      let commits = 0;
      durability.logCommit = (...args) => {
        commits++;
        return logCommit(...args);
      };
      const batch = Array.from({ length: 50 }, (_, i) => [fe.bind('', 'ins', [], [Buffer.from(String(i))], []), fe.execute('')]).flat();
      c.write(Buffer.concat([...batch, sync]));
      const msgs = await c.until('Z');
      expect(msgs.filter((m) => m.type === 'C')).toHaveLength(50);
      expect(commits).toBe(1);
      c.end();
    } finally {
      await server.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
