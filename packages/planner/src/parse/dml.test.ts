import { describe, expect, it } from 'vitest';
import type { DeleteStmt, Expr, InsertStmt, UpdateStmt } from './ast.js';
import { parseOne } from './index.js';

const strip = <T>(v: T): T => JSON.parse(JSON.stringify(v, (k, x) => (k === 'position' ? undefined : x)));
const ins = (sql: string) => strip(parseOne(sql) as InsertStmt);
const upd = (sql: string) => strip(parseOne(sql) as UpdateStmt);
const del = (sql: string) => strip(parseOne(sql) as DeleteStmt);
const col = (name: string, ...qualifier: string[]): Expr => ({ kind: 'column', qualifier, name });
const int = (value: string): Expr => ({ kind: 'literal', literalType: 'integer', value });
const str = (value: string): Expr => ({ kind: 'literal', literalType: 'string', value });

describe('INSERT', () => {
  it('VALUES rows with DEFAULT, column list', () => {
    expect(ins("INSERT INTO t (a, b) VALUES (1, DEFAULT), (2, 'x')")).toEqual({
      kind: 'insert', table: { name: 't' }, columns: ['a', 'b'],
      source: { kind: 'values', rows: [[int('1'), { kind: 'default' }], [int('2'), str('x')]] },
    });
  });
  it('schema-qualified, quoted, alias, no column list', () => {
    expect(ins('INSERT INTO s."T" AS x VALUES ($1, $2)')).toMatchObject({ table: { schema: 's', name: 'T' }, alias: 'x', source: { kind: 'values' } });
    expect(ins('INSERT INTO t VALUES (1)').columns).toBeUndefined();
  });
  it('INSERT … SELECT, parenthesised SELECT, DEFAULT VALUES', () => {
    expect(ins('INSERT INTO t (a) SELECT x FROM u WHERE x > 1').source).toMatchObject({ kind: 'select', query: { kind: 'select', body: { kind: 'core' } } });
    expect(ins('INSERT INTO t (SELECT 1)').source).toMatchObject({ kind: 'select' });
    expect(ins('INSERT INTO t DEFAULT VALUES').source).toEqual({ kind: 'default_values' });
    expect(ins('INSERT INTO t VALUES (1) UNION SELECT 2').source.kind).toBe('select');
  });
  it('ON CONFLICT forms', () => {
    expect(ins('INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING').onConflict).toEqual({ action: { kind: 'nothing' } });
    expect(ins('INSERT INTO t VALUES (1, 2) ON CONFLICT (a, b) DO UPDATE SET x = EXCLUDED.x, y = DEFAULT WHERE t.z > 1').onConflict).toEqual({
      target: ['a', 'b'],
      action: {
        kind: 'update', set: [{ column: 'x', value: col('x', 'excluded') }, { column: 'y', value: { kind: 'default' } }],
        where: { kind: 'binary', op: '>', left: col('z', 't'), right: int('1') },
      },
    });
    expect(ins('INSERT INTO t VALUES (1) ON CONFLICT ON CONSTRAINT t_pkey DO NOTHING').onConflict).toEqual({ constraint: 't_pkey', action: { kind: 'nothing' } });
  });
  it('RETURNING * and expressions; WITH … INSERT', () => {
    expect(ins('INSERT INTO t VALUES (1) RETURNING *').returning).toEqual([{ kind: 'star', qualifier: [] }]);
    expect(ins('INSERT INTO t VALUES (1) RETURNING id, a + 1 AS b').returning).toEqual([
      { kind: 'expr', expr: col('id') }, { kind: 'expr', expr: { kind: 'binary', op: '+', left: col('a'), right: int('1') }, alias: 'b' },
    ]);
    const w = ins('WITH s AS (SELECT 1 AS a) INSERT INTO t SELECT a FROM s');
    expect(w.with?.ctes[0]!.name).toBe('s');
    expect(w.source.kind).toBe('select');
  });
  it('TSBS tags insert', () => {
    const s = ins("INSERT INTO tags(hostname,region) VALUES ('host_0','eu-west-1'),('host_1','us-east-1') ON CONFLICT DO NOTHING RETURNING *");
    expect(s.columns).toEqual(['hostname', 'region']);
    expect(s.source).toMatchObject({ kind: 'values', rows: [[str('host_0'), str('eu-west-1')], [str('host_1'), str('us-east-1')]] });
    expect(s.onConflict).toEqual({ action: { kind: 'nothing' } });
    expect(s.returning).toEqual([{ kind: 'star', qualifier: [] }]);
  });
});

describe('UPDATE / DELETE', () => {
  it('UPDATE with alias, DEFAULT, FROM, WHERE, RETURNING', () => {
    expect(upd('UPDATE t AS x SET a = 1, b = DEFAULT FROM u WHERE x.id = u.id RETURNING x.a')).toEqual({
      kind: 'update', table: { name: 't' }, alias: 'x',
      set: [{ column: 'a', value: int('1') }, { column: 'b', value: { kind: 'default' } }],
      from: [{ kind: 'table', name: { name: 'u' } }],
      where: { kind: 'binary', op: '=', left: col('id', 'x'), right: col('id', 'u') },
      returning: [{ kind: 'expr', expr: col('a', 'x') }],
    });
    expect(upd('UPDATE t x SET a = a + 1').alias).toBe('x');
    expect(upd('UPDATE t SET a = 1').alias).toBeUndefined();
    expect(upd('UPDATE t SET (a, b) = (1, 2)').set).toEqual([{ column: 'a', value: int('1') }, { column: 'b', value: int('2') }]);
  });
  it('DELETE with USING, WHERE, RETURNING', () => {
    expect(del('DELETE FROM t USING u WHERE t.id = u.id RETURNING *')).toEqual({
      kind: 'delete', table: { name: 't' },
      using: [{ kind: 'table', name: { name: 'u' } }],
      where: { kind: 'binary', op: '=', left: col('id', 't'), right: col('id', 'u') },
      returning: [{ kind: 'star', qualifier: [] }],
    });
    expect(del('DELETE FROM t AS x WHERE x.a = 1').alias).toBe('x');
    expect(del('DELETE FROM t')).toEqual({ kind: 'delete', table: { name: 't' }, using: [] });
  });
  it('WITH … DELETE / UPDATE, data-modifying CTE', () => {
    expect(del('WITH d AS (SELECT 1) DELETE FROM t').with?.ctes).toHaveLength(1);
    expect(upd('WITH d AS (SELECT 1) UPDATE t SET a = 1').with?.ctes).toHaveLength(1);
    const s = strip(parseOne('WITH moved AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM moved') as InsertStmt);
    expect(s.with?.ctes[0]!.query.kind).toBe('delete');
  });
});
