import { describe, expect, it } from 'vitest';
import type { AlterTableStmt, CreateIndexStmt, CreateTableStmt, CreateViewStmt, DropStmt, Expr, Statement, TruncateStmt } from './ast.js';
import { parseOne } from './index.js';

const strip = <T>(v: T): T => JSON.parse(JSON.stringify(v, (k, x) => (k === 'position' ? undefined : x)));
const p = <T extends Statement>(sql: string): T => strip(parseOne(sql) as T);
const col = (name: string, ...qualifier: string[]): Expr => ({ kind: 'column', qualifier, name });
const int = (value: string): Expr => ({ kind: 'literal', literalType: 'integer', value });
const ty = (name: string, modifiers: number[] = [], arrayDims = 0) => ({ name, modifiers, arrayDims });

describe('CREATE TABLE', () => {
  it('every column type spelling resolves to its canonical name', () => {
    const types: [string, object][] = [
      ['int', ty('int4')], ['integer', ty('int4')], ['bigint', ty('int8')], ['smallint', ty('int2')],
      ['serial', { ...ty('int4'), serial: true }], ['bigserial', { ...ty('int8'), serial: true }],
      ['real', ty('float4')], ['float', ty('float8')], ['float8', ty('float8')], ['float(10)', ty('float4')],
      ['double precision', ty('float8')], ['numeric(10,2)', ty('numeric', [10, 2])], ['decimal', ty('numeric')],
      ['boolean', ty('bool')], ['text', ty('text')], ['varchar(20)', ty('varchar', [20])],
      ['character varying(20)', ty('varchar', [20])], ['char(3)', ty('bpchar', [3])], ['character(2)', ty('bpchar', [2])],
      ['char', ty('bpchar', [1])], ['date', ty('date')], ['time', ty('time')], ['timestamp', ty('timestamp')],
      ['timestamp without time zone', ty('timestamp')], ['timestamptz', ty('timestamptz')],
      ['timestamp with time zone', ty('timestamptz')], ['timestamp(3) with time zone', ty('timestamptz', [3])],
      ['interval', ty('interval')], ['json', ty('json')], ['jsonb', ty('jsonb')], ['int[]', ty('int4', [], 1)],
      ['text ARRAY', ty('text', [], 1)], ['uuid', ty('uuid')],
    ];
    const sql = `CREATE TABLE t (${types.map(([t], i) => `c${i} ${t}`).join(', ')})`;
    const s = p<CreateTableStmt>(sql);
    expect(s.columns.map((c) => c.type)).toEqual(types.map(([, t]) => t));
  });
  it('column constraints', () => {
    const s = p<CreateTableStmt>(`CREATE TABLE IF NOT EXISTS s.t (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      a int NOT NULL DEFAULT -1,
      b text NULL DEFAULT 'x' UNIQUE,
      c timestamptz DEFAULT now() NOT NULL,
      d int CONSTRAINT pos CHECK (d > 0) REFERENCES other(id) ON DELETE CASCADE,
      e jsonb DEFAULT NULL
    )`);
    expect(s).toMatchObject({ name: { schema: 's', name: 't' }, ifNotExists: true, constraints: [] });
    expect(s.columns).toEqual([
      { name: 'id', type: ty('int8'), notNull: false, primaryKey: true, unique: false, identity: true },
      { name: 'a', type: ty('int4'), notNull: true, primaryKey: false, unique: false, default: int('-1') },
      { name: 'b', type: ty('text'), notNull: false, nullable: true, primaryKey: false, unique: true, default: { kind: 'literal', literalType: 'string', value: 'x' } },
      { name: 'c', type: ty('timestamptz'), notNull: true, primaryKey: false, unique: false, default: expect.objectContaining({ kind: 'func', name: 'now' }) },
      {
        name: 'd', type: ty('int4'), notNull: false, primaryKey: false, unique: false,
        check: { kind: 'binary', op: '>', left: col('d'), right: int('0') }, references: { table: { name: 'other' }, columns: ['id'] },
      },
      { name: 'e', type: ty('jsonb'), notNull: false, primaryKey: false, unique: false, default: { kind: 'literal', literalType: 'null', value: '' } },
    ]);
  });
  it('table constraints, TEMP, WITH options', () => {
    const s = p<CreateTableStmt>(`CREATE TEMP TABLE t (a int, b int, "Time" timestamptz,
      CONSTRAINT t_pk PRIMARY KEY (a, b), UNIQUE (b), CHECK (a < b), FOREIGN KEY (a) REFERENCES u (x))
      WITH (fillfactor = 70, timescaledb.compress)`);
    expect(s.temporary).toBe(true);
    expect(s.columns.map((c) => c.name)).toEqual(['a', 'b', 'Time']);
    expect(s.constraints).toEqual([
      { kind: 'primary_key', name: 't_pk', columns: ['a', 'b'] },
      { kind: 'unique', columns: ['b'] },
      { kind: 'check', expr: { kind: 'binary', op: '<', left: col('a'), right: col('b') } },
      { kind: 'foreign_key', columns: ['a'], refTable: { name: 'u' }, refColumns: ['x'] },
    ]);
    expect(s.options).toEqual([{ name: 'fillfactor', value: '70' }, { name: 'timescaledb.compress', value: 'true' }]);
  });
  it('CREATE TABLE … AS SELECT', () => {
    const s = p<CreateTableStmt>('CREATE TABLE t2 AS SELECT * FROM t WITH NO DATA');
    expect(s).toMatchObject({ kind: 'create_table', name: { name: 't2' }, columns: [], asQuery: { kind: 'select' } });
  });
  it('TSBS cpu table', () => {
    const s = p<CreateTableStmt>(`CREATE TABLE cpu (time timestamptz, tags_id integer, hostname TEXT,
      usage_user DOUBLE PRECISION, usage_system DOUBLE PRECISION, usage_guest_nice DOUBLE PRECISION,
      additional_tags JSONB DEFAULT NULL)`);
    expect(s.columns.map((c) => [c.name, c.type.name])).toEqual([
      ['time', 'timestamptz'], ['tags_id', 'int4'], ['hostname', 'text'], ['usage_user', 'float8'],
      ['usage_system', 'float8'], ['usage_guest_nice', 'float8'], ['additional_tags', 'jsonb'],
    ]);
    const tags = p<CreateTableStmt>('CREATE TABLE tags(id SERIAL PRIMARY KEY, hostname TEXT, region TEXT)');
    expect(tags.columns[0]).toMatchObject({ name: 'id', type: { name: 'int4', serial: true }, primaryKey: true });
  });
});

describe('views, indexes, schemas', () => {
  it('CREATE [OR REPLACE] VIEW keeps the query text', () => {
    const s = p<CreateViewStmt>('CREATE OR REPLACE VIEW v (x) AS SELECT a FROM t WHERE a > 1');
    expect(s).toMatchObject({ kind: 'create_view', name: { name: 'v' }, orReplace: true, columnNames: ['x'], queryText: 'SELECT a FROM t WHERE a > 1' });
    expect(s.query.body).toMatchObject({ kind: 'core' });
  });
  it('CREATE INDEX in all its forms', () => {
    expect(p<CreateIndexStmt>('CREATE INDEX ON cpu(hostname, "time" DESC)')).toEqual({
      kind: 'create_index', table: { name: 'cpu' }, unique: false, ifNotExists: false,
      keys: [{ expr: col('hostname'), direction: 'asc' }, { expr: col('time'), direction: 'desc' }],
    });
    expect(p<CreateIndexStmt>('CREATE UNIQUE INDEX uniq1 ON tags(hostname,region)')).toMatchObject({ name: 'uniq1', unique: true });
    const s = p<CreateIndexStmt>("CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON s.t USING btree (lower(a) DESC NULLS LAST, b) WHERE b > 0");
    expect(s).toMatchObject({ name: 'i', table: { schema: 's', name: 't' }, ifNotExists: true, method: 'btree', where: { op: '>' } });
    expect(s.keys).toEqual([{ expr: expect.objectContaining({ name: 'lower' }), direction: 'desc', nulls: 'last' }, { expr: col('b'), direction: 'asc' }]);
    expect(p<CreateIndexStmt>('CREATE INDEX ON tags USING gin (tagset jsonb_path_ops)')).toMatchObject({ method: 'gin', keys: [{ expr: col('tagset') }] });
  });
  it('CREATE SCHEMA, CREATE EXTENSION (no-op)', () => {
    expect(p('CREATE SCHEMA IF NOT EXISTS s')).toEqual({ kind: 'create_schema', name: 's', ifNotExists: true });
    expect(p('CREATE SCHEMA s')).toEqual({ kind: 'create_schema', name: 's', ifNotExists: false });
    expect(p('CREATE EXTENSION IF NOT EXISTS timescaledb CASCADE')).toEqual({ kind: 'noop', tag: 'CREATE EXTENSION' });
  });
});

describe('DROP / TRUNCATE / ALTER TABLE', () => {
  it('DROP with IF EXISTS, lists, CASCADE', () => {
    expect(p<DropStmt>('DROP TABLE IF EXISTS a, s.b CASCADE')).toEqual({ kind: 'drop', objectType: 'table', names: [{ name: 'a' }, { schema: 's', name: 'b' }], ifExists: true, cascade: true });
    expect(p<DropStmt>('DROP SCHEMA s RESTRICT')).toMatchObject({ objectType: 'schema', cascade: false, ifExists: false });
    expect(p<DropStmt>('DROP INDEX i')).toMatchObject({ objectType: 'index', names: [{ name: 'i' }] });
    expect(p<DropStmt>('DROP VIEW IF EXISTS v')).toMatchObject({ objectType: 'view', ifExists: true });
  });
  it('TRUNCATE', () => {
    expect(p<TruncateStmt>('TRUNCATE TABLE a, b RESTART IDENTITY CASCADE')).toEqual({ kind: 'truncate', tables: [{ name: 'a' }, { name: 'b' }], restartIdentity: true, cascade: true });
    expect(p<TruncateStmt>('TRUNCATE t')).toEqual({ kind: 'truncate', tables: [{ name: 't' }], restartIdentity: false, cascade: false });
  });
  it('ALTER TABLE actions', () => {
    const s = p<AlterTableStmt>(`ALTER TABLE IF EXISTS t
      ADD COLUMN IF NOT EXISTS c int NOT NULL DEFAULT 0,
      ADD d text,
      DROP COLUMN IF EXISTS e CASCADE,
      ALTER COLUMN f TYPE bigint USING f::bigint,
      ALTER g SET DATA TYPE text,
      ALTER COLUMN h SET DEFAULT now(),
      ALTER COLUMN h DROP DEFAULT,
      ALTER COLUMN i SET NOT NULL,
      ALTER COLUMN i DROP NOT NULL,
      ADD CONSTRAINT u UNIQUE (a, b),
      SET (timescaledb.compress, timescaledb.compress_segmentby = 'hostname')`);
    expect(s.ifExists).toBe(true);
    expect(s.actions.map((a) => a.kind)).toEqual([
      'add_column', 'add_column', 'drop_column', 'alter_column_type', 'alter_column_type', 'set_default', 'drop_default',
      'set_not_null', 'drop_not_null', 'add_constraint', 'set_options',
    ]);
    expect(s.actions[0]).toMatchObject({ ifNotExists: true, column: { name: 'c', notNull: true, default: int('0') } });
    expect(s.actions[2]).toEqual({ kind: 'drop_column', name: 'e', ifExists: true, cascade: true });
    expect(s.actions[3]).toEqual({ kind: 'alter_column_type', column: 'f', type: ty('int8'), using: { kind: 'cast', expr: col('f'), type: ty('int8') } });
    expect(s.actions[9]).toEqual({ kind: 'add_constraint', constraint: { kind: 'unique', name: 'u', columns: ['a', 'b'] } });
    expect(s.actions[10]).toEqual({ kind: 'set_options', options: [{ name: 'timescaledb.compress', value: 'true' }, { name: 'timescaledb.compress_segmentby', value: 'hostname' }] });
  });
  it('ALTER TABLE RENAME', () => {
    expect(p<AlterTableStmt>('ALTER TABLE t RENAME TO u').actions).toEqual([{ kind: 'rename_table', to: 'u' }]);
    expect(p<AlterTableStmt>('ALTER TABLE t RENAME COLUMN a TO "B"').actions).toEqual([{ kind: 'rename_column', from: 'a', to: 'B' }]);
    expect(p<AlterTableStmt>('ALTER TABLE t RENAME a TO b').actions).toEqual([{ kind: 'rename_column', from: 'a', to: 'b' }]);
  });
});
