/**
 * psql 15 against the wire server: backslash commands print what they print
 * on PostgreSQL 15 for the same schema. psql-output/*.txt are PostgreSQL's
 * output (l.txt and dx.txt are Strata's: one database, TimescaleDB installed).
 */
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgServer } from '../../packages/server/src/wire/index.js';
import { SCHEMA_FILE } from './fixtures.js';

const run = promisify(execFile);
const hasPsql = spawnSync('psql', ['--version']).status === 0;

const COMMANDS: [string, string][] = [
  ['\\d', 'd'],
  ['\\dt', 'dt'],
  ['\\dv', 'dv'],
  ['\\di', 'di'],
  ['\\dn', 'dn'],
  ['\\df', 'df'],
  ['\\l', 'l'],
  ['\\dx', 'dx'],
  ['\\d conditions', 'd-conditions'],
  ['\\d+ conditions', 'd-plus-conditions'],
  ['\\d devices', 'd-devices'],
  ['\\d hot', 'd-hot'],
];

const expected = (name: string) => readFileSync(new URL(`./psql-output/${name}.txt`, import.meta.url), 'utf8');

describe.skipIf(!hasPsql)('psql against the wire server', () => {
  let server: PgServer;
  let port = 0;

  const psql = async (command: string): Promise<string> => {
    // async: the server runs in this process, a synchronous child would block it
    const r = await run('psql', ['-X', '-h', '127.0.0.1', '-p', String(port), '-U', 'strata', '-d', 'strata', '-v', 'ON_ERROR_STOP=1', '-c', command], {
      env: { ...process.env, PGCONNECT_TIMEOUT: '10', PGPASSWORD: '', PAGER: 'cat' },
    });
    return r.stdout;
  };

  beforeAll(async () => {
    server = new PgServer();
    port = (await server.listen(0)).port;
    await psql(readFileSync(SCHEMA_FILE, 'utf8'));
  });
  afterAll(async () => {
    await server.shutdown();
  });

  for (const [command, file] of COMMANDS) {
    it(command, async () => expect(await psql(command)).toBe(expected(file)));
  }

});
