import { describe, expect, it } from 'vitest';
import type { CallStmt, CopyStmt, ExplainStmt, PrepareStmt, Statement } from './ast.js';
import { parseOne } from './index.js';

const strip = <T>(v: T): T => JSON.parse(JSON.stringify(v, (k, x) => (k === 'position' ? undefined : x)));
const p = <T extends Statement>(sql: string): T => strip(parseOne(sql) as T);

describe('transactions', () => {
  it('BEGIN / START TRANSACTION with modes', () => {
    expect(p('BEGIN')).toEqual({ kind: 'transaction', action: 'begin' });
    expect(p('BEGIN WORK')).toEqual({ kind: 'transaction', action: 'begin' });
    expect(p('START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY')).toEqual({
      kind: 'transaction', action: 'begin', options: ['isolation level repeatable read', 'read only'],
    });
    expect(p('BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE')).toMatchObject({ options: ['isolation level serializable'] });
  });
  it('COMMIT / END / ROLLBACK / ABORT', () => {
    for (const s of ['COMMIT', 'END', 'COMMIT WORK', 'END TRANSACTION']) expect(p(s)).toEqual({ kind: 'transaction', action: 'commit' });
    for (const s of ['ROLLBACK', 'ABORT', 'ROLLBACK TRANSACTION']) expect(p(s)).toEqual({ kind: 'transaction', action: 'rollback' });
  });
  it('savepoints', () => {
    expect(p('SAVEPOINT sp1')).toEqual({ kind: 'transaction', action: 'savepoint', savepoint: 'sp1' });
    expect(p('RELEASE SAVEPOINT sp1')).toEqual({ kind: 'transaction', action: 'release', savepoint: 'sp1' });
    expect(p('RELEASE sp1')).toEqual({ kind: 'transaction', action: 'release', savepoint: 'sp1' });
    expect(p('ROLLBACK TO SAVEPOINT sp1')).toEqual({ kind: 'transaction', action: 'rollback_to', savepoint: 'sp1' });
    expect(p('ROLLBACK TO sp1')).toEqual({ kind: 'transaction', action: 'rollback_to', savepoint: 'sp1' });
  });
});

describe('SET / SHOW / RESET', () => {
  it('SET forms', () => {
    expect(p('SET search_path TO "$user", public')).toEqual({ kind: 'set', name: 'search_path', values: ['$user', 'public'], isDefault: false, local: false });
    expect(p("SET LOCAL statement_timeout = '5s'")).toEqual({ kind: 'set', name: 'statement_timeout', values: ['5s'], isDefault: false, local: true });
    expect(p('SET SESSION work_mem TO DEFAULT')).toEqual({ kind: 'set', name: 'work_mem', values: [], isDefault: true, local: false });
    expect(p("SET TIME ZONE 'UTC'")).toEqual({ kind: 'set', name: 'timezone', values: ['UTC'], isDefault: false, local: false });
    expect(p('SET TIME ZONE LOCAL')).toMatchObject({ name: 'timezone', isDefault: true });
    expect(p('SET extra_float_digits = 3')).toMatchObject({ values: ['3'] });
    expect(p('SET x = -1.5')).toMatchObject({ values: ['-1.5'] });
    expect(p('SET timescaledb.enable_chunk_append = OFF')).toMatchObject({ name: 'timescaledb.enable_chunk_append', values: ['off'] });
    expect(p('SET DateStyle = ISO')).toMatchObject({ name: 'datestyle', values: ['iso'] });
    expect(p("SET client_encoding = 'UTF8'")).toMatchObject({ values: ['UTF8'] });
    expect(p('SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED')).toMatchObject({ name: 'transaction_isolation', values: ['read committed'] });
    expect(p("SET NAMES 'utf8'")).toMatchObject({ name: 'client_encoding', values: ['utf8'] });
  });
  it('SHOW and RESET', () => {
    expect(p('SHOW server_version')).toEqual({ kind: 'show', name: 'server_version' });
    expect(p('SHOW ALL')).toEqual({ kind: 'show', name: 'all' });
    expect(p('SHOW TIME ZONE')).toEqual({ kind: 'show', name: 'timezone' });
    expect(p('SHOW TRANSACTION ISOLATION LEVEL')).toEqual({ kind: 'show', name: 'transaction_isolation' });
    expect(p('RESET search_path')).toEqual({ kind: 'reset', name: 'search_path' });
    expect(p('RESET ALL')).toEqual({ kind: 'reset', name: 'all' });
  });
});

describe('EXPLAIN', () => {
  it('legacy and parenthesised options', () => {
    expect(p<ExplainStmt>('EXPLAIN SELECT 1')).toMatchObject({ analyze: false, verbose: false, costs: true, format: 'text', statement: { kind: 'select' } });
    expect(p<ExplainStmt>('EXPLAIN ANALYZE VERBOSE SELECT 1')).toMatchObject({ analyze: true, verbose: true });
    expect(p<ExplainStmt>('EXPLAIN (ANALYZE, VERBOSE, COSTS off, BUFFERS, FORMAT json) SELECT * FROM t')).toMatchObject({
      analyze: true, verbose: true, costs: false, format: 'json', statement: { kind: 'select' },
    });
    expect(p<ExplainStmt>('EXPLAIN (ANALYZE false) INSERT INTO t VALUES (1)')).toMatchObject({ analyze: false, statement: { kind: 'insert' } });
    expect(p<ExplainStmt>('EXPLAIN (SELECT 1)').statement.kind).toBe('select');
    expect(() => parseOne('EXPLAIN (FORMAT yaml) SELECT 1')).toThrow(expect.objectContaining({ code: '0A000' }));
  });
});

describe('COPY', () => {
  it('FROM STDIN with new-style options', () => {
    expect(p<CopyStmt>("COPY cpu (time, tags_id) FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER ',', NULL '')")).toEqual({
      kind: 'copy', table: { name: 'cpu' }, columns: ['time', 'tags_id'], direction: 'from', target: 'stdin',
      options: [{ name: 'format', value: 'csv' }, { name: 'header', value: 'true' }, { name: 'delimiter', value: ',' }, { name: 'null', value: '' }],
    });
    expect(p<CopyStmt>('COPY t FROM STDIN (FORMAT binary)').options).toEqual([{ name: 'format', value: 'binary' }]);
    expect(p<CopyStmt>('COPY t FROM STDIN').options).toEqual([]);
  });
  it('legacy CSV HEADER options', () => {
    expect(p<CopyStmt>("COPY t TO STDOUT CSV HEADER DELIMITER AS ';' NULL 'x'").options).toEqual([
      { name: 'format', value: 'csv' }, { name: 'header' }, { name: 'delimiter', value: ';' }, { name: 'null', value: 'x' },
    ]);
    expect(p<CopyStmt>('COPY t FROM STDIN WITH CSV').options).toEqual([{ name: 'format', value: 'csv' }]);
  });
  it('COPY (query) TO STDOUT and files', () => {
    expect(p<CopyStmt>('COPY (SELECT * FROM t WHERE a > 1) TO STDOUT WITH (FORMAT csv)')).toMatchObject({
      query: { kind: 'select' }, direction: 'to', target: 'stdout', options: [{ name: 'format', value: 'csv' }],
    });
    expect(p<CopyStmt>("COPY t TO '/tmp/x.csv'").target).toEqual({ file: '/tmp/x.csv' });
  });
});

describe('CALL / PREPARE / EXECUTE / DEALLOCATE / no-ops', () => {
  it('CALL', () => {
    expect(p<CallStmt>("CALL distributed_exec('SELECT 1', node_list => '{dn1}')").call).toMatchObject({
      name: 'distributed_exec', args: [{ value: 'SELECT 1' }], namedArgs: [{ name: 'node_list', expr: { value: '{dn1}' } }],
    });
  });
  it('PREPARE / EXECUTE / DEALLOCATE', () => {
    expect(p<PrepareStmt>('PREPARE q (int, text) AS SELECT * FROM t WHERE a = $1 AND b = $2')).toMatchObject({
      kind: 'prepare', name: 'q', paramTypes: [{ name: 'int4' }, { name: 'text' }], statement: { kind: 'select' },
    });
    expect(p<PrepareStmt>('PREPARE ins AS INSERT INTO t VALUES ($1)').statement.kind).toBe('insert');
    expect(p('EXECUTE q(1, \'x\')')).toEqual({ kind: 'execute', name: 'q', params: [{ kind: 'literal', literalType: 'integer', value: '1' }, { kind: 'literal', literalType: 'string', value: 'x' }] });
    expect(p('EXECUTE q')).toEqual({ kind: 'execute', name: 'q', params: [] });
    expect(p('DEALLOCATE PREPARE q')).toEqual({ kind: 'deallocate', name: 'q' });
    expect(p('DEALLOCATE ALL')).toEqual({ kind: 'deallocate' });
  });
  it('no-ops carry the command tag', () => {
    expect(p('ANALYZE cpu')).toEqual({ kind: 'noop', tag: 'ANALYZE' });
    expect(p('VACUUM (ANALYZE) cpu')).toEqual({ kind: 'noop', tag: 'VACUUM' });
    expect(p('DISCARD ALL')).toEqual({ kind: 'noop', tag: 'DISCARD ALL' });
    expect(p('LISTEN ch')).toEqual({ kind: 'noop', tag: 'LISTEN' });
    expect(p('UNLISTEN *')).toEqual({ kind: 'noop', tag: 'UNLISTEN' });
  });
  it('CHECKPOINT is a statement of its own (the data directory writes one)', () => {
    expect(p('CHECKPOINT')).toEqual({ kind: 'checkpoint' });
  });
});
