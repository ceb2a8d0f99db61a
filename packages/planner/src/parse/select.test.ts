import { describe, expect, it } from 'vitest';
import type { Expr, FromItem, SelectCore, SelectStmt } from './ast.js';
import { parseOne } from './index.js';

const strip = <T>(v: T): T => JSON.parse(JSON.stringify(v, (k, x) => (k === 'position' ? undefined : x)));
const sel = (sql: string): SelectStmt => strip(parseOne(sql) as SelectStmt);
const core = (sql: string): SelectCore => sel(sql).body as SelectCore;
const from = (sql: string): FromItem[] => core(sql).from;
const col = (name: string, ...qualifier: string[]): Expr => ({ kind: 'column', qualifier, name });
const int = (value: string): Expr => ({ kind: 'literal', literalType: 'integer', value });
const table = (name: string, extra: object = {}): FromItem => ({ kind: 'table', name: { name }, ...extra }) as FromItem;

describe('select list', () => {
  it('aliases with and without AS, quoted aliases', () => {
    expect(core('SELECT a AS x, b y, c "Z", d AS "from" FROM t').targets).toEqual([
      { kind: 'expr', expr: col('a'), alias: 'x' },
      { kind: 'expr', expr: col('b'), alias: 'y' },
      { kind: 'expr', expr: col('c'), alias: 'Z' },
      { kind: 'expr', expr: col('d'), alias: 'from' },
    ]);
  });
  it('SELECT without FROM, DISTINCT, DISTINCT ON', () => {
    expect(core('SELECT 1').from).toEqual([]);
    expect(core('SELECT DISTINCT a FROM t').distinct).toEqual({ on: [] });
    expect(core('SELECT DISTINCT ON (a, b) a FROM t').distinct).toEqual({ on: [col('a'), col('b')] });
    expect(core('SELECT ALL a FROM t').distinct).toBeUndefined();
    expect(core('SELECT FROM t').targets).toEqual([]);
  });
});

describe('FROM', () => {
  it('tables: schema-qualified, aliases, column aliases, quoted names keep case', () => {
    expect(from('SELECT * FROM public.t AS x(a, b)')).toEqual([{ kind: 'table', name: { schema: 'public', name: 't' }, alias: 'x', columnAliases: ['a', 'b'] }]);
    expect(from('SELECT * FROM "MyTable" m')).toEqual([table('MyTable', { alias: 'm' })]);
    expect(from('SELECT * FROM ONLY t')).toEqual([table('t', { only: true })]);
    expect(from('SELECT * FROM a, b')).toEqual([table('a'), table('b')]);
  });
  it('table positions are 1-based offsets into the statement', () => {
    const st = parseOne('SELECT * FROM  cpu') as SelectStmt;
    expect((st.body as SelectCore).from[0]).toMatchObject({ position: 16 });
  });
  it('subqueries, LATERAL, VALUES in FROM', () => {
    expect(from('SELECT * FROM (SELECT 1) AS s(x)')).toEqual([
      { kind: 'subquery', query: sel('SELECT 1'), alias: 's', columnAliases: ['x'], lateral: false },
    ]);
    expect(from("SELECT * FROM (VALUES (1,'a'),(2,'b')) AS v(a,b)")[0]).toMatchObject({
      kind: 'subquery', alias: 'v', columnAliases: ['a', 'b'], query: { body: { kind: 'values', rows: [[int('1'), { value: 'a' }], [int('2'), { value: 'b' }]] } },
    });
    expect(from('SELECT * FROM t, LATERAL (SELECT t.a) s')[1]).toMatchObject({ kind: 'subquery', lateral: true, alias: 's' });
  });
  it('functions in FROM', () => {
    expect(from('SELECT * FROM generate_series(1,10) AS g(x)')).toEqual([{
      kind: 'function', lateral: false, alias: 'g', columnAliases: ['x'],
      call: { kind: 'func', name: 'generate_series', args: [int('1'), int('10')], namedArgs: [], distinct: false, star: false, orderBy: [], withinGroup: [] },
    }]);
    expect(from("SELECT * FROM generate_series('2020-01-01'::timestamptz, '2020-01-02', '1 hour') g")[0]).toMatchObject({
      kind: 'function', alias: 'g', call: { name: 'generate_series', args: [{ kind: 'cast', type: { name: 'timestamptz' } }, { value: '2020-01-02' }, { value: '1 hour' }] },
    });
    expect(from('SELECT * FROM unnest(ARRAY[1,2]) WITH ORDINALITY')[0]).toMatchObject({ kind: 'function', withOrdinality: true, call: { name: 'unnest' } });
    expect(from('SELECT * FROM unnest(ARRAY[1,2]) WITH ORDINALITY AS u(v, n)')[0]).toMatchObject({ withOrdinality: true, alias: 'u', columnAliases: ['v', 'n'] });
  });
  it('joins of every kind', () => {
    const on = { kind: 'binary', op: '=', left: col('x', 'a'), right: col('x', 'b') };
    expect(from('SELECT * FROM a JOIN b ON a.x = b.x')).toEqual([{ kind: 'join', joinType: 'inner', left: table('a'), right: table('b'), on, natural: false }]);
    expect(from('SELECT * FROM a INNER JOIN b ON a.x = b.x')[0]).toMatchObject({ joinType: 'inner' });
    expect(from('SELECT * FROM a LEFT JOIN b ON a.x = b.x')[0]).toMatchObject({ joinType: 'left', on });
    expect(from('SELECT * FROM a LEFT OUTER JOIN b ON a.x = b.x')[0]).toMatchObject({ joinType: 'left' });
    expect(from('SELECT * FROM a RIGHT OUTER JOIN b ON a.x = b.x')[0]).toMatchObject({ joinType: 'right' });
    expect(from('SELECT * FROM a FULL JOIN b ON a.x = b.x')[0]).toMatchObject({ joinType: 'full' });
    expect(from('SELECT * FROM a CROSS JOIN b')).toEqual([{ kind: 'join', joinType: 'cross', left: table('a'), right: table('b'), natural: false }]);
    expect(from('SELECT * FROM a NATURAL JOIN b')).toEqual([{ kind: 'join', joinType: 'inner', left: table('a'), right: table('b'), natural: true }]);
    expect(from('SELECT * FROM a NATURAL LEFT JOIN b')[0]).toMatchObject({ joinType: 'left', natural: true });
    expect(from('SELECT * FROM a JOIN b USING (x, y)')).toEqual([{ kind: 'join', joinType: 'inner', left: table('a'), right: table('b'), using: ['x', 'y'], natural: false }]);
  });
  it('join chains are left-deep; parentheses nest', () => {
    const f = from('SELECT * FROM a JOIN b ON true LEFT JOIN c ON true');
    expect(f[0]).toMatchObject({ joinType: 'left', left: { joinType: 'inner', left: table('a'), right: table('b') }, right: table('c') });
    const g = from('SELECT * FROM a JOIN (b JOIN c ON true) ON true');
    expect(g[0]).toMatchObject({ joinType: 'inner', left: table('a'), right: { kind: 'join', left: table('b'), right: table('c') } });
    const h = from('SELECT * FROM ((a CROSS JOIN b)) CROSS JOIN c');
    expect(h[0]).toMatchObject({ joinType: 'cross', left: { joinType: 'cross' }, right: table('c') });
    const k = from('SELECT * FROM a t1 JOIN (SELECT 1 AS x) s ON true');
    expect(k[0]).toMatchObject({ left: table('a', { alias: 't1' }), right: { kind: 'subquery', alias: 's' } });
  });
});

describe('clauses', () => {
  it('WHERE, GROUP BY (exprs, ordinals, aliases), HAVING', () => {
    const c = core('SELECT a, count(*) AS n FROM t WHERE b > 1 GROUP BY 1, a, lower(c) HAVING count(*) > 2');
    expect(c.where).toEqual({ kind: 'binary', op: '>', left: col('b'), right: int('1') });
    expect(c.groupBy).toEqual([int('1'), col('a'), expect.objectContaining({ kind: 'func', name: 'lower' })]);
    expect(c.having).toMatchObject({ op: '>', left: { name: 'count', star: true } });
  });
  it('ORDER BY with directions and NULLS', () => {
    expect(sel('SELECT a FROM t ORDER BY a DESC NULLS LAST, 2, b + 1 ASC NULLS FIRST').orderBy).toEqual([
      { expr: col('a'), direction: 'desc', nulls: 'last' },
      { expr: int('2'), direction: 'asc' },
      { expr: { kind: 'binary', op: '+', left: col('b'), right: int('1') }, direction: 'asc', nulls: 'first' },
    ]);
  });
  it('LIMIT / OFFSET / FETCH FIRST', () => {
    expect(sel('SELECT 1 LIMIT 5 OFFSET 10')).toMatchObject({ limit: int('5'), offset: int('10') });
    expect(sel('SELECT 1 OFFSET 10 LIMIT 5')).toMatchObject({ limit: int('5'), offset: int('10') });
    expect(sel('SELECT 1 LIMIT ALL').limit).toBeUndefined();
    expect(sel('SELECT 1 OFFSET 3 ROWS FETCH FIRST 2 ROWS ONLY')).toMatchObject({ limit: int('2'), offset: int('3') });
    expect(sel('SELECT 1 FETCH NEXT ROW ONLY').limit).toEqual(int('1'));
    expect(sel('SELECT 1 LIMIT $1').limit).toEqual({ kind: 'param', index: 1 });
    expect(() => parseOne('SELECT 1 LIMIT 1, 2')).toThrow(/LIMIT #,# syntax is not supported/);
  });
  it('FOR UPDATE is recorded and otherwise ignored', () => {
    expect(sel('SELECT * FROM t FOR UPDATE').locking).toBe('update');
    expect(sel('SELECT * FROM t WHERE a = 1 FOR SHARE OF t SKIP LOCKED').locking).toBe('share');
  });
  it('WINDOW clause', () => {
    const c = core('SELECT sum(x) OVER w FROM t WINDOW w AS (PARTITION BY a ORDER BY b)');
    expect(c.windows).toEqual([{ name: 'w', spec: { partitionBy: [col('a')], orderBy: [{ expr: col('b'), direction: 'asc' }] } }]);
  });
});

describe('set operations, VALUES, WITH', () => {
  it('UNION/INTERSECT/EXCEPT precedence; trailing ORDER BY/LIMIT apply to the whole', () => {
    const s = sel('SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 ORDER BY 1 LIMIT 2');
    expect(s.body).toMatchObject({ kind: 'setop', op: 'union', all: false, right: { kind: 'setop', op: 'intersect' } });
    expect(s.orderBy).toHaveLength(1);
    expect(s.limit).toEqual(int('2'));
    const t = sel('SELECT 1 UNION ALL SELECT 2 EXCEPT SELECT 3');
    expect(t.body).toMatchObject({ op: 'except', left: { op: 'union', all: true } });
  });
  it('parenthesised branches keep their own ORDER BY / LIMIT', () => {
    const s = sel('(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL (SELECT b FROM u) ORDER BY 1');
    expect(s.body).toMatchObject({ kind: 'setop', left: { kind: 'select', limit: int('1') }, right: { kind: 'core' } });
    expect(s.orderBy).toHaveLength(1);
    expect(sel('(SELECT 1)').body.kind).toBe('core');
    expect(sel('(SELECT a FROM t) ORDER BY a')).toMatchObject({ body: { kind: 'core' }, orderBy: [{ expr: col('a') }] });
  });
  it('VALUES as a statement', () => {
    expect(sel("VALUES (1,'a'),(2,'b') ORDER BY 1")).toMatchObject({
      body: { kind: 'values', rows: [[int('1'), { value: 'a' }], [int('2'), { value: 'b' }]] }, orderBy: [{ expr: int('1') }],
    });
  });
  it('WITH: RECURSIVE, column lists, multiple CTEs, MATERIALIZED, CTE in a join', () => {
    const s = sel(`WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5),
      x AS MATERIALIZED (SELECT 2 AS m)
      SELECT * FROM r JOIN x ON true`);
    expect(s.with?.recursive).toBe(true);
    expect(s.with?.ctes.map((c) => [c.name, c.columnNames, c.materialized])).toEqual([['r', ['n'], undefined], ['x', undefined, true]]);
    expect(s.with?.ctes[0]!.query).toMatchObject({ kind: 'select', body: { kind: 'setop', all: true } });
    expect((s.body as SelectCore).from[0]).toMatchObject({ kind: 'join', left: table('r'), right: table('x') });
  });
  it('TABLE t is SELECT * FROM t', () => {
    expect(core('TABLE t')).toMatchObject({ targets: [{ kind: 'star', qualifier: [] }], from: [table('t')] });
  });
});
