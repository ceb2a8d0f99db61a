/**
 * psycopg2 (Debian's python3-psycopg2, installed by .ci/run) against the wire
 * server: execute, executemany, copy_expert both ways, the Python types values
 * arrive as, and errors with pgcode. The script is psycopg2_client.py.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgServer } from '../../packages/server/src/wire/index.js';
import { pythonWithPsycopg2, run } from './helpers.js';

const python = pythonWithPsycopg2();
const script = fileURLToPath(new URL('./psycopg2_client.py', import.meta.url));

describe.skipIf(!python)('psycopg2', () => {
  let server: PgServer;
  let port = 0;
  beforeAll(async () => {
    server = new PgServer();
    port = (await server.listen(0, '127.0.0.1')).port;
  });
  afterAll(() => server.shutdown());

  it('runs the client script', async () => {
    const r = await run(python!, [script, String(port)], { env: { PGPASSWORD: '' } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.server_version).toBeGreaterThanOrEqual(150000);
    expect(out.rowcount_insert).toBe(1);
    expect(out.count_after_executemany).toEqual([101, 5151]);
    expect(out.types).toEqual(['int', 'float', 'Decimal', 'datetime', 'bool', 'str', 'NoneType', 'int']);
    expect(out.values).toEqual([1, 1.5, '12.345', '2024-03-01T12:30:15.250000+00:00', true, 'host_1', null, 20]);
    expect(out.description).toEqual([
      ['id', 23], ['value', 701], ['price', 1700], ['time', 1184], ['ok', 16], ['host', 25], ['note', 25], ['?column?', 20],
    ]);
    expect(out.fetchmany).toEqual([1, 2, 3]);
    expect(out.fetchall_len).toBe(98);
    expect(out.dict_rows).toEqual([{ host: 'host_0', n: 33 }, { host: 'host_1', n: 34 }, { host: 'host_2', n: 34 }]);
    expect(out.copy_in_rowcount).toBe(500);
    expect(out.copy_out).toBe('id,host,note\n1000,copy_host,"quoted, text"\n1001,copy_host,"quoted, text"\n1002,copy_host,"quoted, text"\n');
    expect(out.errors).toEqual({
      undefined_table: ['42P01', 'relation "nope" does not exist'],
      unique: ['23505', 'duplicate key value violates unique constraint "metrics_pkey"'],
      division: ['22012', 'division by zero'],
      syntax: ['42601', 'syntax error at or near "SELEC"'],
    });
    expect(out.aborted).toBe('25P02');
    expect(out.after_rollback).toBe(42);
    expect(out.berlin).toBe('2024-01-01T13:00:00+01:00');
  });
});
