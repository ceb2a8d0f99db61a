/**
 * psql typing the TimescaleDB multi-node walkthrough verbatim against the
 * `strata` binary, logged in the way the TimescaleDB docs do (`psql -U postgres`,
 * no database named: PostgreSQL's "postgres" database), with \timing on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCommand, run, startStrata, type StrataProcess } from './helpers.js';

const hasPsql = hasCommand('psql');

const WALKTHROUGH = `\\timing on
SELECT add_data_node('dn1');
SELECT add_data_node('dn2');
SELECT add_data_node('dn3');
CREATE TABLE conditions (time TIMESTAMPTZ NOT NULL, temperature DOUBLE PRECISION, hostname TEXT);
SELECT create_distributed_hypertable('conditions', 'time', 'hostname');
INSERT INTO conditions VALUES ('2020-12-14 13:45', 1, '1.2.3.4');
SELECT * FROM conditions;
`;

/** What psql prints; every "Time:" line is checked against TIME and replaced by it. */
const EXPECTED = `Timing is on.
           add_data_node           
-----------------------------------
 (dn1,localhost,5432,strata,t,t,t)
(1 row)

Time: <t> ms
           add_data_node           
-----------------------------------
 (dn2,localhost,5432,strata,t,t,t)
(1 row)

Time: <t> ms
           add_data_node           
-----------------------------------
 (dn3,localhost,5432,strata,t,t,t)
(1 row)

Time: <t> ms
CREATE TABLE
Time: <t> ms
 create_distributed_hypertable 
-------------------------------
 (1,public,conditions,t)
(1 row)

Time: <t> ms
INSERT 0 1
Time: <t> ms
          time          | temperature | hostname 
------------------------+-------------+----------
 2020-12-14 13:45:00+00 |           1 | 1.2.3.4
(1 row)

Time: <t> ms
`;

const TIME = /^Time: \d+\.\d{3} ms(?: \(\d{2}:\d{2}(?::\d{2})?\.\d{3}\))?$/;

describe.skipIf(!hasPsql)('psql: the TimescaleDB multi-node walkthrough', () => {
  let strata: StrataProcess;
  beforeAll(async () => {
    strata = await startStrata(['--log-level', 'warn']);
  });
  afterAll(async () => {
    expect(await strata.stop()).toBe(0);
  });

  it('prints what TimescaleDB prints (times aside)', async () => {
    const r = await run('psql', ['-X', '-h', '127.0.0.1', '-p', String(strata.port), '-U', 'postgres', '-v', 'ON_ERROR_STOP=1'], {
      input: WALKTHROUGH,
      env: { PGPASSWORD: '', PGCONNECT_TIMEOUT: '10', PAGER: 'cat', PGDATABASE: '', PGUSER: '' },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const times = lines.filter((l) => l.startsWith('Time:'));
    expect(times.length).toBe(7);
    for (const t of times) expect(t).toMatch(TIME);
    expect(lines.map((l) => (l.startsWith('Time:') ? 'Time: <t> ms' : l)).join('\n')).toBe(EXPECTED);
  });

  it('psql -U postgres is trusted and lands in the one database', async () => {
    const r = await run('psql', ['-X', '-A', '-t', '-h', '127.0.0.1', '-p', String(strata.port), '-U', 'postgres', '-c', "SELECT current_setting('session_authorization'), current_database(), count(*) FROM conditions"], {
      env: { PGPASSWORD: '', PGCONNECT_TIMEOUT: '10', PGDATABASE: '', PGUSER: '' },
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('postgres|strata|1\n');
  });
});
