import { describe, expect, it } from 'vitest';
import type { Expr, SelectCore, SelectStmt } from './ast.js';
import { parseOne } from './index.js';

const strip = <T>(v: T): T => JSON.parse(JSON.stringify(v, (k, x) => (k === 'position' ? undefined : x)));
/** The first select-list expression of `SELECT <s>`, without positions. */
function e(s: string): Expr {
  const st = parseOne(`SELECT ${s}`) as SelectStmt;
  const t = (st.body as SelectCore).targets[0]!;
  if (t.kind !== 'expr') throw new Error('not an expr target');
  return strip(t.expr);
}
const col = (name: string, ...qualifier: string[]): Expr => ({ kind: 'column', qualifier, name });
const int = (value: string): Expr => ({ kind: 'literal', literalType: 'integer', value });
const num = (value: string): Expr => ({ kind: 'literal', literalType: 'numeric', value });
const str = (value: string): Expr => ({ kind: 'literal', literalType: 'string', value });
const bin = (op: string, left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right });
const fn = (name: string, args: Expr[], extra: object = {}): Expr =>
  ({ kind: 'func', name, args, namedArgs: [], distinct: false, star: false, orderBy: [], withinGroup: [], ...extra }) as Expr;
const ty = (name: string, modifiers: number[] = [], arrayDims = 0) => ({ name, modifiers, arrayDims });

describe('precedence', () => {
  it('AND binds tighter than OR; NOT tighter than AND', () => {
    expect(e('a = 1 OR b = 2 AND c = 3')).toEqual(bin('or', bin('=', col('a'), int('1')), bin('and', bin('=', col('b'), int('2')), bin('=', col('c'), int('3')))));
    expect(e('NOT a OR b')).toEqual(bin('or', { kind: 'unary', op: 'not', expr: col('a') }, col('b')));
    expect(e('NOT a = b')).toEqual({ kind: 'unary', op: 'not', expr: bin('=', col('a'), col('b')) });
  });
  it('unary minus binds tighter than ^ (so -2^2 = 4), ^ tighter than *', () => {
    expect(e('-2^2')).toEqual(bin('^', int('-2'), int('2')));
    expect(e('2*3^2')).toEqual(bin('*', int('2'), bin('^', int('3'), int('2'))));
    expect(e('-a^2')).toEqual(bin('^', { kind: 'unary', op: '-', expr: col('a') }, int('2')));
  });
  it('arithmetic, then || and other operators, then comparison', () => {
    expect(e("1 + 2 * 3 - 4 / 2 || 'x'")).toEqual(
      bin('||', bin('-', bin('+', int('1'), bin('*', int('2'), int('3'))), bin('/', int('4'), int('2'))), str('x')),
    );
    expect(e("a || b = 'xy'")).toEqual(bin('=', bin('||', col('a'), col('b')), str('xy')));
    expect(e('a % 2 = 0')).toEqual(bin('=', bin('%', col('a'), int('2')), int('0')));
  });
  it(':: binds tightest, even over unary minus', () => {
    expect(e('-x::int')).toEqual({ kind: 'unary', op: '-', expr: { kind: 'cast', expr: col('x'), type: ty('int4') } });
    expect(e('a + b::float8')).toEqual(bin('+', col('a'), { kind: 'cast', expr: col('b'), type: ty('float8') }));
  });
  it('IS and comparison levels', () => {
    expect(e('a = b IS TRUE')).toEqual({ kind: 'is', expr: bin('=', col('a'), col('b')), test: 'true', not: false });
    expect(e('a IS NOT NULL AND b ISNULL')).toEqual(
      bin('and', { kind: 'is', expr: col('a'), test: 'null', not: true }, { kind: 'is', expr: col('b'), test: 'null', not: false }),
    );
    expect(e('x NOTNULL')).toEqual({ kind: 'is', expr: col('x'), test: 'null', not: true });
    expect(e('x IS NOT UNKNOWN').kind).toBe('is');
    expect(e('x IS FALSE')).toMatchObject({ test: 'false', not: false });
  });
  it('numeric literal folding keeps the text', () => {
    expect(e('1.10')).toEqual(num('1.10'));
    expect(e('9223372036854775807')).toEqual(int('9223372036854775807'));
    expect(e('1e10')).toEqual(num('1e10'));
    expect(e('.5')).toEqual(num('.5'));
    expect(e('-2147483648')).toEqual(int('-2147483648'));
    expect(e('- -1')).toEqual(int('1'));
  });
});

describe('predicates', () => {
  it('LIKE family, regex operators, ESCAPE', () => {
    expect(e("a LIKE 'x%'")).toEqual(bin('like', col('a'), str('x%')));
    expect(e("a NOT ILIKE 'x%'")).toEqual(bin('not ilike', col('a'), str('x%')));
    expect(e("a SIMILAR TO 'x'")).toEqual(bin('similar to', col('a'), str('x')));
    expect(e("a NOT SIMILAR TO 'x'")).toEqual(bin('not similar to', col('a'), str('x')));
    expect(e("a LIKE 'x!%' ESCAPE '!'")).toEqual({ ...bin('like', col('a'), str('x!%')), escape: str('!') });
    for (const op of ['~', '~*', '!~', '!~*']) expect(e(`a ${op} 'x'`)).toEqual(bin(op, col('a'), str('x')));
    expect(e('a != b')).toEqual(bin('<>', col('a'), col('b')));
  });
  it('IN list, NOT IN, IN subquery', () => {
    expect(e('a IN (1, 2)')).toEqual({ kind: 'in_list', expr: col('a'), list: [int('1'), int('2')], not: false });
    expect(e("a NOT IN ('x')")).toEqual({ kind: 'in_list', expr: col('a'), list: [str('x')], not: true });
    const sub = e('a IN (SELECT id FROM t)');
    expect(sub.kind).toBe('in_subquery');
    expect(sub).toMatchObject({ not: false, query: { kind: 'select', body: { kind: 'core', from: [{ kind: 'table', name: { name: 't' } }] } } });
    expect(e('a NOT IN (SELECT 1)')).toMatchObject({ kind: 'in_subquery', not: true });
  });
  it('EXISTS, scalar subquery, ARRAY(SELECT)', () => {
    expect(e('EXISTS (SELECT 1)')).toMatchObject({ kind: 'exists', query: { kind: 'select' } });
    expect(e('NOT EXISTS (SELECT 1)')).toMatchObject({ kind: 'unary', op: 'not', expr: { kind: 'exists' } });
    expect(e('(SELECT max(x) FROM t) + 1')).toMatchObject({ kind: 'binary', op: '+', left: { kind: 'subquery' } });
    expect(e('((SELECT 1))')).toMatchObject({ kind: 'subquery' });
    expect(e('((1 + 2)) * 3')).toEqual(bin('*', bin('+', int('1'), int('2')), int('3')));
    expect(e('ARRAY(SELECT 1)')).toMatchObject({ kind: 'subquery', array: true });
  });
  it('ANY / ALL / SOME with subquery or array', () => {
    expect(e('a = ANY(ARRAY[1,2])')).toEqual({
      kind: 'quantified', op: '=', quantifier: 'any', expr: col('a'), array: { kind: 'array', elements: [int('1'), int('2')] },
    });
    expect(e('a > ALL (SELECT x FROM t)')).toMatchObject({ kind: 'quantified', op: '>', quantifier: 'all', query: { kind: 'select' } });
    expect(e('a <> SOME ($1)')).toEqual({ kind: 'quantified', op: '<>', quantifier: 'any', expr: col('a'), array: { kind: 'param', index: 1 } });
    expect(e("a NOT LIKE ALL (ARRAY['x'])")).toEqual({
      kind: 'quantified', op: 'not like', quantifier: 'all', expr: col('a'), array: { kind: 'array', elements: [str('x')] },
    });
  });
  it('BETWEEN [SYMMETRIC], NOT BETWEEN', () => {
    expect(e('a BETWEEN 1 AND 2')).toEqual({ kind: 'between', expr: col('a'), low: int('1'), high: int('2'), not: false, symmetric: false });
    expect(e('a NOT BETWEEN SYMMETRIC 2 AND 1 AND b')).toEqual(
      bin('and', { kind: 'between', expr: col('a'), low: int('2'), high: int('1'), not: true, symmetric: true }, col('b')),
    );
  });
  it('IS [NOT] DISTINCT FROM', () => {
    expect(e('a IS DISTINCT FROM b')).toEqual(bin('is distinct from', col('a'), col('b')));
    expect(e('a IS NOT DISTINCT FROM b + 1')).toEqual(bin('is not distinct from', col('a'), bin('+', col('b'), int('1'))));
  });
});

describe('primaries', () => {
  it('CASE both forms', () => {
    expect(e("CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' END")).toEqual({
      kind: 'case', operand: col('relkind', 'c'), whens: [{ when: str('r'), then: str('table') }, { when: str('v'), then: str('view') }],
    });
    expect(e('CASE WHEN a > 1 THEN 1 ELSE 0 END')).toEqual({ kind: 'case', whens: [{ when: bin('>', col('a'), int('1')), then: int('1') }], else: int('0') });
  });
  it('COALESCE / NULLIF / GREATEST / LEAST are plain calls', () => {
    expect(e('COALESCE(a, 0)')).toEqual(fn('coalesce', [col('a'), int('0')]));
    expect(e('NULLIF(a, 0)')).toEqual(fn('nullif', [col('a'), int('0')]));
    expect(e('GREATEST(1, 2)')).toEqual(fn('greatest', [int('1'), int('2')]));
    expect(e('LEAST(1, 2)')).toEqual(fn('least', [int('1'), int('2')]));
  });
  it('casts and type-name aliases', () => {
    const cast = (s: string) => (e(s) as { type: unknown }).type;
    expect(cast('CAST(x AS integer)')).toEqual(ty('int4'));
    expect(cast('x::timestamptz')).toEqual(ty('timestamptz'));
    expect(cast('x::timestamp with time zone')).toEqual(ty('timestamptz'));
    expect(cast('x::timestamp without time zone')).toEqual(ty('timestamp'));
    expect(cast('x::double precision')).toEqual(ty('float8'));
    expect(cast('x::varchar(10)')).toEqual(ty('varchar', [10]));
    expect(cast('x::character varying(5)')).toEqual(ty('varchar', [5]));
    expect(cast('x::numeric(10,2)')).toEqual(ty('numeric', [10, 2]));
    expect(cast('x::int[]')).toEqual(ty('int4', [], 1));
    expect(cast('x::text[][]')).toEqual(ty('text', [], 2));
    expect(cast('c.oid::pg_catalog.regclass')).toEqual(ty('regclass'));
    expect(cast('x::bigint')).toEqual(ty('int8'));
    expect(cast('x::smallint')).toEqual(ty('int2'));
    expect(cast('x::real')).toEqual(ty('float4'));
    expect(cast('x::boolean')).toEqual(ty('bool'));
    expect(cast('x::decimal')).toEqual(ty('numeric'));
    expect(cast('x::char(3)')).toEqual(ty('bpchar', [3]));
    expect(cast('x::"MyType"')).toEqual(ty('MyType'));
  });
  it('typed literals become casts of string literals', () => {
    const c = (name: string, value: string): Expr => ({ kind: 'cast', expr: str(value), type: ty(name) });
    expect(e("TIMESTAMPTZ '2020-01-01'")).toEqual(c('timestamptz', '2020-01-01'));
    expect(e("TIMESTAMP '2020-01-01'")).toEqual(c('timestamp', '2020-01-01'));
    expect(e("timestamp with time zone '2020-01-01'")).toEqual(c('timestamptz', '2020-01-01'));
    expect(e("DATE '2020-01-01'")).toEqual(c('date', '2020-01-01'));
    expect(e("TIME '10:00'")).toEqual(c('time', '10:00'));
    expect(e("INTERVAL '1 day'")).toEqual(c('interval', '1 day'));
    expect(e("INTERVAL '1' DAY")).toEqual(c('interval', '1 day'));
    expect(e(`JSONB '{"a":1}'`)).toEqual(c('jsonb', '{"a":1}'));
    expect(e("double precision '1.5'")).toEqual(c('float8', '1.5'));
    expect(e("now() - INTERVAL '5 minutes'")).toEqual(bin('-', fn('now', []), c('interval', '5 minutes')));
  });
  it('ARRAY constructors, subscripts, ROW', () => {
    expect(e('ARRAY[1,2]')).toEqual({ kind: 'array', elements: [int('1'), int('2')] });
    expect(e('ARRAY[[1],[2]]')).toEqual({ kind: 'array', elements: [{ kind: 'array', elements: [int('1')] }, { kind: 'array', elements: [int('2')] }] });
    expect(e('arr[1]')).toEqual({ kind: 'subscript', expr: col('arr'), index: int('1') });
    expect(e('(ARRAY[1,2])[2]')).toMatchObject({ kind: 'subscript', expr: { kind: 'array' }, index: int('2') });
    expect(e('ROW(1,2)')).toEqual({ kind: 'row', fields: [int('1'), int('2')] });
    expect(e('(1,2)')).toEqual({ kind: 'row', fields: [int('1'), int('2')] });
  });
  it('field selection from a composite: (expr).field, (expr).*, chained', () => {
    expect(e('(a).b')).toEqual({ kind: 'field', expr: col('a'), field: 'b', star: false });
    expect(e('(a).*')).toEqual({ kind: 'field', expr: col('a'), field: '*', star: true });
    expect(e('(f(x)).n + 1')).toMatchObject({ kind: 'binary', op: '+', left: { kind: 'field', expr: { kind: 'func', name: 'f' }, field: 'n' } });
    expect(e('((a).b).c')).toMatchObject({ kind: 'field', field: 'c', expr: { kind: 'field', field: 'b' } });
    expect(e('(a)."Quoted"')).toMatchObject({ kind: 'field', field: 'Quoted' });
    expect(() => e('(a).')).toThrow(expect.objectContaining({ code: '42601' }));
  });
  it('string literals: standard, E-escapes, dollar quoting, adjacent', () => {
    expect(e("'it''s'")).toEqual(str("it's"));
    expect(e("E'a\\nb\\''")).toEqual(str("a\nb'"));
    expect(e('$$x$$')).toEqual(str('x'));
    expect(e("$fn$ it's $$ $fn$")).toEqual(str(" it's $$ "));
    expect(e("'a\\nb'")).toEqual(str('a\\nb'));
    expect(e("'a'\n  'b'")).toEqual(str('ab'));
  });
  it('booleans, null, params', () => {
    expect(e('TRUE')).toEqual({ kind: 'literal', literalType: 'bool', value: 'true' });
    expect(e('false')).toEqual({ kind: 'literal', literalType: 'bool', value: 'false' });
    expect(e('NULL')).toEqual({ kind: 'literal', literalType: 'null', value: '' });
    expect(e('$1 + $12')).toEqual(bin('+', { kind: 'param', index: 1 }, { kind: 'param', index: 12 }));
  });
  it('column references: qualified, quoted, star', () => {
    expect(e('a.b.c')).toEqual(col('c', 'a', 'b'));
    expect(e('"MyTable"."MyCol"')).toEqual(col('MyCol', 'MyTable'));
    expect(e('MyCol')).toEqual(col('mycol'));
    const st = parseOne('SELECT t.*, *, s.t.* FROM t') as SelectStmt;
    expect((st.body as SelectCore).targets).toEqual([
      { kind: 'star', qualifier: ['t'] }, { kind: 'star', qualifier: [] }, { kind: 'star', qualifier: ['s', 't'] },
    ]);
  });
  it('COLLATE is dropped; OPERATOR(pg_catalog.~) becomes the operator', () => {
    expect(e('x COLLATE "C"')).toEqual(col('x'));
    expect(e("c.relname OPERATOR(pg_catalog.~) '^(conditions)$' COLLATE pg_catalog.default")).toEqual(
      bin('~', col('relname', 'c'), str('^(conditions)$')),
    );
  });
  it('AT TIME ZONE → timezone(zone, x)', () => {
    expect(e("t AT TIME ZONE 'UTC'")).toEqual(fn('timezone', [str('UTC'), col('t')]));
  });
  it('prefix operators', () => {
    expect(e('~5')).toEqual({ kind: 'unary', op: '~', expr: int('5') });
    expect(e('|/ 25')).toEqual({ kind: 'unary', op: '|/', expr: int('25') });
    expect(e('+a')).toEqual({ kind: 'unary', op: '+', expr: col('a') });
  });
  it('JSON operators', () => {
    expect(e("tags->>'hostname'")).toEqual(bin('->>', col('tags'), str('hostname')));
    expect(e(`tagset @> '{"hostname": "host_9"}'`)).toEqual(bin('@>', col('tagset'), str('{"hostname": "host_9"}')));
    expect(e("a #>> '{a,b}' = 'x'")).toEqual(bin('=', bin('#>>', col('a'), str('{a,b}')), str('x')));
  });
});

describe('function calls', () => {
  it('count(*), DISTINCT, ORDER BY inside, FILTER, WITHIN GROUP', () => {
    expect(e('count(*)')).toEqual(fn('count', [], { star: true }));
    expect(e('array_agg(DISTINCT x)')).toEqual(fn('array_agg', [col('x')], { distinct: true }));
    expect(e("string_agg(x, ',' ORDER BY y DESC)")).toEqual(fn('string_agg', [col('x'), str(',')], { orderBy: [{ expr: col('y'), direction: 'desc' }] }));
    expect(e('count(*) FILTER (WHERE x > 1)')).toEqual(fn('count', [], { star: true, filter: bin('>', col('x'), int('1')) }));
    expect(e('percentile_cont(0.5) WITHIN GROUP (ORDER BY x)')).toEqual(fn('percentile_cont', [num('0.5')], { withinGroup: [{ expr: col('x'), direction: 'asc' }] }));
  });
  it('window functions and frames', () => {
    expect(e('sum(x) OVER (PARTITION BY a ORDER BY b ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)')).toEqual(
      fn('sum', [col('x')], {
        over: {
          partitionBy: [col('a')], orderBy: [{ expr: col('b'), direction: 'asc' }],
          frame: { mode: 'rows', start: { kind: 'preceding', offset: int('2') }, end: { kind: 'current_row' } },
        },
      }),
    );
    expect((e('sum(x) OVER (ORDER BY t RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)') as { over: unknown }).over).toMatchObject({
      frame: { mode: 'range', start: { kind: 'unbounded_preceding' }, end: { kind: 'current_row' } },
    });
    expect((e('sum(x) OVER (ROWS UNBOUNDED PRECEDING)') as { over: unknown }).over).toEqual({
      partitionBy: [], orderBy: [], frame: { mode: 'rows', start: { kind: 'unbounded_preceding' }, end: { kind: 'current_row' } },
    });
    expect((e("avg(x) OVER (ORDER BY t RANGE BETWEEN INTERVAL '1 hour' PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE TIES)") as { over: unknown }).over).toMatchObject({
      frame: { mode: 'range', start: { kind: 'preceding', offset: { kind: 'cast' } }, end: { kind: 'unbounded_following' }, exclude: 'ties' },
    });
    expect((e('row_number() OVER w') as { over: unknown }).over).toEqual({ baseName: 'w', partitionBy: [], orderBy: [] });
    expect((e('rank() OVER (w ORDER BY x)') as { over: unknown }).over).toEqual({ baseName: 'w', partitionBy: [], orderBy: [{ expr: col('x'), direction: 'asc' }] });
  });
  it('SQL-standard forms map to plain functions', () => {
    expect(e('EXTRACT(epoch FROM t)')).toEqual(fn('extract', [str('epoch'), col('t')]));
    expect(e('EXTRACT(HOUR FROM t)')).toEqual(fn('extract', [str('hour'), col('t')]));
    expect(e("date_part('hour', t)")).toEqual(fn('date_part', [str('hour'), col('t')]));
    // PostgreSQL's gram.y builds position(string, substring), the order pg_catalog.position takes
    expect(e("POSITION('a' IN s)")).toEqual(fn('position', [col('s'), str('a')]));
    expect(e('SUBSTRING(s FROM 2 FOR 3)')).toEqual(fn('substring', [col('s'), int('2'), int('3')]));
    expect(e('SUBSTRING(s, 2, 3)')).toEqual(fn('substring', [col('s'), int('2'), int('3')]));
    expect(e('SUBSTRING(s FOR 3)')).toEqual(fn('substring', [col('s'), int('1'), int('3')]));
    expect(e('TRIM(s)')).toEqual(fn('btrim', [col('s')]));
    expect(e("TRIM(LEADING 'x' FROM s)")).toEqual(fn('ltrim', [col('s'), str('x')]));
    expect(e("TRIM(TRAILING FROM s)")).toEqual(fn('rtrim', [col('s')]));
    expect(e("TRIM(BOTH 'x' FROM s)")).toEqual(fn('btrim', [col('s'), str('x')]));
    expect(e("OVERLAY(s PLACING 'ab' FROM 2 FOR 1)")).toEqual(fn('overlay', [col('s'), str('ab'), int('2'), int('1')]));
    expect(e('CURRENT_TIMESTAMP')).toEqual(fn('current_timestamp', []));
    expect(e('CURRENT_DATE')).toEqual(fn('current_date', []));
    expect(e('LOCALTIMESTAMP')).toEqual(fn('localtimestamp', []));
    expect(e('now()')).toEqual(fn('now', []));
    expect(e('left(s, 2)')).toEqual(fn('left', [col('s'), int('2')]));
  });
  it('schema-qualified and TimescaleDB functions, named arguments', () => {
    expect(e('pg_catalog.pg_table_is_visible(c.oid)')).toEqual({ ...(fn('pg_table_is_visible', [col('oid', 'c')]) as object), schema: 'pg_catalog' });
    expect(e("time_bucket('5 minutes', time)")).toEqual(fn('time_bucket', [str('5 minutes'), col('time')]));
    expect(e('first(value, time)')).toEqual(fn('first', [col('value'), col('time')]));
    expect(e("add_data_node('dn1', host => 'localhost')")).toEqual(fn('add_data_node', [str('dn1')], { namedArgs: [{ name: 'host', expr: str('localhost') }] }));
    expect(e("f(a := 1)")).toEqual(fn('f', [], { namedArgs: [{ name: 'a', expr: int('1') }] }));
    expect(e("create_hypertable('t', by_range('time', INTERVAL '1 day'))")).toEqual(
      fn('create_hypertable', [str('t'), fn('by_range', [str('time'), { kind: 'cast', expr: str('1 day'), type: ty('interval') }])]),
    );
    expect(e('"MyFunc"(1)')).toEqual(fn('MyFunc', [int('1')]));
  });
});

describe('edge cases', () => {
  it('type keywords used as column names; no-arg SQL functions with ()', () => {
    expect(e('time')).toEqual(col('time'));
    expect(e('time + interval')).toEqual(bin('+', col('time'), col('interval')));
    expect(e('current_schema()')).toEqual(fn('current_schema', []));
    expect(e('CURRENT_TIME(3)')).toEqual(fn('current_time', [int('3')]));
    expect(e('user')).toEqual(fn('user', []));
  });
  it('bit-string constants are typed bit(n)', () => {
    expect(e("B'101'")).toEqual({ kind: 'cast', expr: str('101'), type: ty('bit', [3]) });
    expect(e("X'1F'")).toEqual({ kind: 'cast', expr: str('00011111'), type: ty('bit', [8]) });
  });
  it('positions: operators at the operator token, calls and columns at their first token', () => {
    const st = parseOne('SELECT a  +  f(b)') as SelectStmt;
    const t = (st.body as SelectCore).targets[0] as { expr: { position: number; left: { position: number }; right: { position: number; args: { position: number }[] } } };
    expect([t.expr.position, t.expr.left.position, t.expr.right.position, t.expr.right.args[0]!.position]).toEqual([11, 8, 14, 16]);
  });
  it('syntax that Strata does not support is 0A000', () => {
    expect(() => parseOne("SELECT U&'x'")).toThrow(expect.objectContaining({ code: '0A000' }));
    expect(() => parseOne('SELECT !! 5')).toThrow(expect.objectContaining({ code: '0A000' }));
  });
  it('positional argument after a named one is a syntax error', () => {
    expect(() => parseOne('SELECT f(a => 1, 2)')).toThrow(/positional argument cannot follow named argument/);
  });
});

