/**
 * The PostgreSQL JDBC driver (Debian's libpostgresql-jdbc-java, installed by
 * .ci/run) against the wire server: JdbcClient.java is compiled with javac into
 * a temporary directory and run with java -cp. Covers batch inserts with a
 * PreparedStatement, ResultSet getters, DatabaseMetaData (which reads
 * pg_catalog heavily; getPrimaryKeys and getIndexInfo select fields of
 * information_schema._pg_expandarray records), SQLState on errors and the atomicity of an autocommit
 * executeBatch (one implicit transaction up to Sync).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgServer } from '../../packages/server/src/wire/index.js';
import { hasCommand, run } from './helpers.js';

const JAR = '/usr/share/java/postgresql.jar';
const available = existsSync(JAR) && hasCommand('javac', ['-version']) && hasCommand('java', ['-version']);
const source = fileURLToPath(new URL('./JdbcClient.java', import.meta.url));

describe.skipIf(!available)('JDBC', () => {
  let server: PgServer;
  let port = 0;
  let dir = '';
  beforeAll(async () => {
    server = new PgServer();
    port = (await server.listen(0, '127.0.0.1')).port;
    dir = mkdtempSync(join(tmpdir(), 'strata-jdbc-'));
    const c = await run('javac', ['-cp', JAR, '-d', dir, source], { timeoutMs: 120_000 });
    if (c.code !== 0) throw new Error(`javac failed: ${c.stderr}`);
  });
  afterAll(async () => {
    await server.shutdown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the client program', async () => {
    const r = await run('java', ['-cp', `${JAR}:${dir}`, 'JdbcClient', String(port)], { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const get = (k: string) => lines.filter((l) => l.startsWith(k + '=')).map((l) => l.slice(k.length + 1));
    expect(get('product')).toEqual(['PostgreSQL 15']);
    expect(get('batch')).toEqual(['500/500']);
    expect(get('getInt')).toEqual(['42']);
    expect(get('getLong')).toEqual(['10000000042']);
    expect(get('getDouble')).toEqual(['21.0']);
    expect(get('getBigDecimal')).toEqual(['0.4200']);
    expect(get('getString')).toEqual(['host_2']);
    expect(get('getTimestamp')).toEqual(['2024-05-01T00:42:00Z']);
    expect(get('getBoolean')).toEqual(['true']);
    expect(get('columnTypes')).toEqual(['int4,int8,float8,numeric,text,timestamptz,bool']);
    expect(get('aggregates')).toEqual(['500,5000000125250,125.25']);
    expect(get('nullInt')).toEqual(['0/true']);
    expect(get('nullString')).toEqual(['null']);
    expect(get('getTables')).toEqual(['public.jdbc_metrics:TABLE,public.jdbc_hot:VIEW']);
    expect(get('getColumns')).toEqual([
      'id:int4:4:NO,big:int8:-5:YES,time:timestamptz:93:NO,host:text:12:YES,value:float8:8:YES,price:numeric:2:YES,ok:bool:-7:YES',
    ]);
    // a composite key declared (b, a): KEY_SEQ follows the declaration, not the column order; a view has none
    expect(get('getPrimaryKeys')).toEqual(['jdbc_pk.b:1:jdbc_pk_pkey,jdbc_pk.a:2:jdbc_pk_pkey', 'jdbc_metrics.id:1:jdbc_metrics_pkey', '']);
    expect(get('getIndexInfo')).toEqual(['jdbc_pk_pkey:1:b:false:A,jdbc_pk_pkey:2:a:false:A']);
    // no foreign keys: the queries run (they read max_index_keys) and find none
    expect(get('getImportedKeys')).toEqual(['']);
    expect(get('getExportedKeys')).toEqual(['']);
    expect(get('getSchemas')[0]!.split(',')).toEqual(expect.arrayContaining(['information_schema', 'pg_catalog', 'public']));
    expect(get('error')).toEqual(['42P01', '23505', '22012', '42601']);
    expect(get('aborted')).toEqual(['25P02']);
    expect(get('afterRollback')).toEqual(['7']);
    // executeBatch in autocommit: one implicit transaction up to Sync, so the duplicate key keeps nothing
    expect(get('failedBatch')).toEqual(['23505']);
    expect(get('afterFailedBatch')).toEqual(['0']);
  });
});
