/** The statements TSBS and psql actually send (see /work/shared/TSBS.md). */
import { describe, expect, it } from 'vitest';
import type { Expr, FuncCallExpr, SelectCore, SelectStmt } from './ast.js';
import { parseOne, parseSql } from './index.js';

const strip = <T>(v: T): T => JSON.parse(JSON.stringify(v, (k, x) => (k === 'position' ? undefined : x)));
const sel = (sql: string): SelectStmt => strip(parseOne(sql) as SelectStmt);
const target0 = (s: SelectStmt): Expr => ((s.body as SelectCore).targets[0] as { expr: Expr }).expr;
const col = (name: string, ...qualifier: string[]): Expr => ({ kind: 'column', qualifier, name });
const str = (value: string): Expr => ({ kind: 'literal', literalType: 'string', value });
const ty = (name: string) => ({ name, modifiers: [], arrayDims: 0 });

const START = "'2016-01-01 05:23:11.646325 +0000'";
const END = "'2016-01-01 06:23:11.646325 +0000'";
const HOSTS_TAGS = "tags_id IN (SELECT id FROM tags WHERE hostname IN ('host_9','host_3'))";

describe('TSBS schema', () => {
  it('runs the multi-node setup script as one multi-statement string', () => {
    const script = `DROP TABLE IF EXISTS tags;
      CREATE TABLE tags(id SERIAL PRIMARY KEY, hostname TEXT, region TEXT, datacenter TEXT, rack TEXT,
        os TEXT, arch TEXT, team TEXT, service TEXT, service_version TEXT, service_environment TEXT);
      CREATE UNIQUE INDEX uniq1 ON tags(hostname,region,datacenter,rack,os,arch,team,service,service_version,service_environment);
      CREATE INDEX ON tags(hostname);
      DROP TABLE IF EXISTS cpu;
      CREATE TABLE cpu (time timestamptz, tags_id integer, hostname TEXT,
        usage_user DOUBLE PRECISION, usage_system DOUBLE PRECISION, usage_idle DOUBLE PRECISION, usage_nice DOUBLE PRECISION,
        usage_iowait DOUBLE PRECISION, usage_irq DOUBLE PRECISION, usage_softirq DOUBLE PRECISION, usage_steal DOUBLE PRECISION,
        usage_guest DOUBLE PRECISION, usage_guest_nice DOUBLE PRECISION, additional_tags JSONB DEFAULT NULL);
      CREATE INDEX ON cpu(hostname, "time" DESC);
      CREATE INDEX ON cpu("time" DESC);
      CREATE EXTENSION IF NOT EXISTS timescaledb CASCADE;
      SELECT create_hypertable('cpu'::regclass, 'time'::name, partitioning_column => 'hostname'::name,
        replication_factor => 1::smallint, chunk_time_interval => 43200000000, create_default_indexes=>FALSE);`;
    const stmts = parseSql(script);
    expect(stmts.map((s) => s.statement.kind)).toEqual([
      'drop', 'create_table', 'create_index', 'create_index', 'drop', 'create_table', 'create_index', 'create_index', 'noop', 'select',
    ]);
    const ch = strip(target0(stmts[9]!.statement as SelectStmt)) as FuncCallExpr;
    expect(ch.name).toBe('create_hypertable');
    expect(ch.args).toEqual([{ kind: 'cast', expr: str('cpu'), type: ty('regclass') }, { kind: 'cast', expr: str('time'), type: ty('name') }]);
    expect(ch.namedArgs).toEqual([
      { name: 'partitioning_column', expr: { kind: 'cast', expr: str('hostname'), type: ty('name') } },
      { name: 'replication_factor', expr: { kind: 'cast', expr: { kind: 'literal', literalType: 'integer', value: '1' }, type: ty('int2') } },
      { name: 'chunk_time_interval', expr: { kind: 'literal', literalType: 'integer', value: '43200000000' } },
      { name: 'create_default_indexes', expr: { kind: 'literal', literalType: 'bool', value: 'false' } },
    ]);
    // statement texts and offsets point back into the script
    expect(stmts[0]!.text).toBe('DROP TABLE IF EXISTS tags');
    expect(script.slice(stmts[3]!.offset, stmts[3]!.offset + stmts[3]!.text.length)).toBe('CREATE INDEX ON tags(hostname)');
  });
  it('TimescaleDB multi-node calls', () => {
    expect(target0(sel("SELECT create_distributed_hypertable('conditions', 'time', 'hostname')"))).toMatchObject({ name: 'create_distributed_hypertable', args: [str('conditions'), str('time'), str('hostname')] });
    expect(target0(sel("SELECT add_data_node('dn1', host => 'localhost')"))).toMatchObject({ args: [str('dn1')], namedArgs: [{ name: 'host', expr: str('localhost') }] });
    expect(target0(sel("SELECT create_hypertable('cpu', 'time', replication_factor => NULL)"))).toMatchObject({ namedArgs: [{ name: 'replication_factor', expr: { literalType: 'null' } }] });
  });
});

describe('TSBS queries (section 3.3)', () => {
  it('single-groupby with time_bucket and tags subquery', () => {
    const s = sel(`SELECT time_bucket('60 seconds', time) AS minute,
        max(usage_user) as max_usage_user, max(usage_system) as max_usage_system
        FROM cpu
        WHERE ${HOSTS_TAGS} AND time >= ${START} AND time < ${END}
        GROUP BY minute ORDER BY minute ASC`);
    const c = s.body as SelectCore;
    expect(c.targets.map((t) => (t as { alias?: string }).alias)).toEqual(['minute', 'max_usage_user', 'max_usage_system']);
    expect(c.where).toMatchObject({ op: 'and', left: { op: 'and', left: { kind: 'in_subquery' } }, right: { op: '<' } });
    expect(c.groupBy).toEqual([col('minute')]);
    expect(s.orderBy).toEqual([{ expr: col('minute'), direction: 'asc' }]);
  });
  it('plain-PostgreSQL bucket expression', () => {
    const s = sel(`SELECT to_timestamp(((extract(epoch from time)::int)/3600)*3600) AS hour, max(usage_user) FROM cpu
        WHERE hostname IN ('host_9','host_3') AND time >= ${START} AND time < ${END} GROUP BY hour ORDER BY hour`);
    expect(target0(s)).toMatchObject({
      name: 'to_timestamp',
      args: [{ op: '*', left: { op: '/', left: { kind: 'cast', expr: { name: 'extract', args: [str('epoch'), col('time')] }, type: ty('int4') } } }],
    });
  });
  it('double-groupby with WITH … JOIN tags', () => {
    const s = sel(`
        WITH cpu_avg AS (
          SELECT time_bucket('3600 seconds', time) as hour, tags_id,
          avg(usage_user) as mean_usage_user
          FROM cpu
          WHERE time >= ${START} AND time < ${END}
          GROUP BY 1, 2
        )
        SELECT hour, tags.hostname, mean_usage_user
        FROM cpu_avg JOIN tags ON cpu_avg.tags_id = tags.id
        ORDER BY hour, tags.hostname`);
    expect(s.with?.ctes[0]).toMatchObject({ name: 'cpu_avg', query: { body: { groupBy: [{ value: '1' }, { value: '2' }] } } });
    expect((s.body as SelectCore).from[0]).toMatchObject({ kind: 'join', joinType: 'inner', on: { left: col('tags_id', 'cpu_avg'), right: col('id', 'tags') } });
    expect(s.orderBy.map((o) => o.expr)).toEqual([col('hour'), col('hostname', 'tags')]);
  });
  it('double-groupby without tags (blank line before ORDER BY)', () => {
    const s = sel(`WITH cpu_avg AS (SELECT time_bucket('3600 seconds', time) as hour, hostname, avg(usage_user) as mean_usage_user
        FROM cpu WHERE time >= ${START} AND time < ${END} GROUP BY 1, 2)
        SELECT hour, hostname, mean_usage_user
        FROM cpu_avg

        ORDER BY hour, hostname`);
    expect(s.orderBy).toHaveLength(2);
  });
  it('high-cpu (with the trailing space of high-cpu-all)', () => {
    const s = sel(`SELECT * FROM cpu WHERE usage_user > 90.0 and time >= ${START} AND time < ${END} AND ${HOSTS_TAGS}`);
    expect((s.body as SelectCore).where).toMatchObject({ op: 'and', left: { op: 'and', left: { op: 'and', left: { op: '>', right: { literalType: 'numeric', value: '90.0' } } } } });
    expect(sel(`SELECT * FROM cpu WHERE usage_user > 90.0 and time >= ${START} AND time < ${END} `).body).toMatchObject({ kind: 'core' });
  });
  it('lastpoint with LATERAL', () => {
    const s = sel('SELECT DISTINCT ON (t.hostname) * FROM tags t INNER JOIN LATERAL(SELECT * FROM cpu c WHERE c.tags_id = t.id ORDER BY time DESC LIMIT 1) AS b ON true ORDER BY t.hostname, b.time DESC');
    const c = s.body as SelectCore;
    expect(c.distinct).toEqual({ on: [col('hostname', 't')] });
    expect(c.from[0]).toMatchObject({
      kind: 'join', joinType: 'inner', left: { kind: 'table', name: { name: 'tags' }, alias: 't' },
      right: { kind: 'subquery', lateral: true, alias: 'b', query: { limit: { value: '1' }, orderBy: [{ direction: 'desc' }] } },
      on: { kind: 'literal', literalType: 'bool', value: 'true' },
    });
    expect(s.orderBy).toEqual([{ expr: col('hostname', 't'), direction: 'asc' }, { expr: col('time', 'b'), direction: 'desc' }]);
    expect(sel('SELECT DISTINCT ON (hostname) * FROM cpu ORDER BY hostname, time DESC').body).toMatchObject({ distinct: { on: [col('hostname')] } });
    expect(sel("SELECT DISTINCT ON (t.tagset->>'hostname') * FROM tags t").body).toMatchObject({ distinct: { on: [{ op: '->>' }] } });
  });
  it('groupby-orderby-limit', () => {
    const s = sel(`SELECT time_bucket('60 seconds', time) AS minute, max(usage_user)
        FROM cpu
        WHERE time < ${END}
        GROUP BY minute
        ORDER BY minute DESC
        LIMIT 5`);
    expect(s).toMatchObject({ orderBy: [{ direction: 'desc' }], limit: { value: '5' } });
  });
  it('JSON tags filter', () => {
    const s = sel(`SELECT * FROM cpu WHERE tags_id IN (SELECT id FROM tags WHERE tagset @> '{"hostname": "host_9"}' OR tagset @> '{"hostname": "host_3"}')`);
    expect((s.body as SelectCore).where).toMatchObject({ kind: 'in_subquery', query: { body: { where: { op: 'or', left: { op: '@>' } } } } });
  });
});

describe('psql introspection', () => {
  it('\\dt', () => {
    const s = sel(`SELECT n.nspname as "Schema", c.relname as "Name", CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' END as "Type", pg_catalog.pg_get_userbyid(c.relowner) as "Owner" FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p','') AND n.nspname <> 'pg_catalog' AND n.nspname !~ '^pg_toast' AND n.nspname <> 'information_schema' AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1,2;`);
    const c = s.body as SelectCore;
    expect(c.targets.map((t) => (t as { alias?: string }).alias)).toEqual(['Schema', 'Name', 'Type', 'Owner']);
    expect(c.targets[3]).toMatchObject({ expr: { kind: 'func', schema: 'pg_catalog', name: 'pg_get_userbyid' } });
    expect(c.from[0]).toMatchObject({
      kind: 'join', joinType: 'left',
      left: { kind: 'table', name: { schema: 'pg_catalog', name: 'pg_class' }, alias: 'c' },
      right: { kind: 'table', name: { schema: 'pg_catalog', name: 'pg_namespace' }, alias: 'n' },
    });
    expect(c.where).toMatchObject({ op: 'and', right: { kind: 'func', name: 'pg_table_is_visible' } });
    expect(JSON.stringify(c.where)).toContain('"op":"!~"');
    expect(s.orderBy.map((o) => o.expr)).toEqual([{ kind: 'literal', literalType: 'integer', value: '1' }, { kind: 'literal', literalType: 'integer', value: '2' }]);
  });
  it('\\d conditions', () => {
    const s = sel(`SELECT c.oid,
  n.nspname,
  c.relname
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relname OPERATOR(pg_catalog.~) '^(conditions)$' COLLATE pg_catalog.default
  AND pg_catalog.pg_table_is_visible(c.oid)
ORDER BY 2, 3;`);
    expect((s.body as SelectCore).where).toMatchObject({ op: 'and', left: { op: '~', left: col('relname', 'c'), right: str('^(conditions)$') } });
  });
  it('\\d+ column query with casts to regclass and format_type', () => {
    const s = sel(`SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),
  (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true) FROM pg_catalog.pg_attrdef d
   WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef),
  a.attnotnull, (SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t
   WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollation <> t.typcollation) AS attcollation
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = '16384'::pg_catalog.oid AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum;`);
    const c = s.body as SelectCore;
    expect(c.targets[2]).toMatchObject({ expr: { kind: 'subquery' } });
    expect(c.where).toMatchObject({ left: { left: { right: { kind: 'cast', type: ty('oid') } } }, right: { kind: 'unary', op: 'not' } });
  });
  it('\\d table details: array(subquery), chained casts, LEFT JOIN ON (parenthesised)', () => {
    const s = sel(`SELECT c.relchecks, pg_catalog.array_to_string(c.reloptions || array(select 'toast.' || x from pg_catalog.unnest(tc.reloptions) x), ', ')
, CASE WHEN c.reloftype = 0 THEN '' ELSE c.reloftype::pg_catalog.regtype::pg_catalog.text END, am.amname
FROM pg_catalog.pg_class c
 LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid)
LEFT JOIN pg_catalog.pg_am am ON (c.relam = am.oid)
WHERE c.oid = '16384';`);
    const c = s.body as SelectCore;
    expect(c.targets[1]).toMatchObject({ expr: { name: 'array_to_string', args: [{ op: '||', right: { kind: 'subquery', array: true } }, str(', ')] } });
    expect(c.targets[2]).toMatchObject({ expr: { kind: 'case', else: { kind: 'cast', type: ty('text'), expr: { kind: 'cast', type: ty('regtype') } } } });
    expect(c.from[0]).toMatchObject({ joinType: 'left', left: { joinType: 'left' }, right: { alias: 'am' } });
  });
  it('tab completion: UNION with scalar subqueries and schema-qualified count(*)', () => {
    const s = sel(`SELECT pg_catalog.quote_ident(c.relname) FROM pg_catalog.pg_class c WHERE substring(pg_catalog.quote_ident(c.relname),1,3)='cpu'
UNION
SELECT pg_catalog.quote_ident(n.nspname) || '.' FROM pg_catalog.pg_namespace n WHERE (SELECT pg_catalog.count(*) FROM pg_catalog.pg_namespace) > 1
LIMIT 1000`);
    expect(s).toMatchObject({ body: { kind: 'setop', op: 'union' }, limit: { value: '1000' } });
    expect(s.body).toMatchObject({
      right: { where: { left: { kind: 'subquery', query: { body: { targets: [{ expr: { name: 'count', schema: 'pg_catalog', star: true } }] } } } } },
    });
  });
});

