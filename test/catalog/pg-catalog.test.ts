/**
 * pg_catalog / information_schema relations and the system information
 * functions on the embedded engine. Expected values are PostgreSQL 15's for
 * the same schema (test/catalog/schema.sql) unless a comment says otherwise.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Strata } from '../../packages/server/src/index.js';
import { SCHEMA_FILE } from './fixtures.js';

let db: Strata;
const rows = async (sql: string, params: unknown[] = []) => (await db.query<(string | null)[]>(sql, params, { rowMode: 'text' })).rows;
const one = async (sql: string) => (await rows(sql))[0]!;

beforeAll(async () => {
  db = await Strata.create();
  await db.query(readFileSync(SCHEMA_FILE, 'utf8'));
});
afterAll(() => db.close());

describe('name resolution', () => {
  it('finds pg_catalog relations unqualified, before the search path', async () => {
    expect(await rows(`SELECT relname FROM pg_class WHERE relname = 'conditions'`)).toEqual([['conditions']]);
    expect(await rows(`SELECT count(*) > 0 FROM pg_catalog.pg_type`)).toEqual([['t']]);
  });
  it('does not find information_schema relations unqualified', async () => {
    await expect(db.query('SELECT * FROM tables')).rejects.toMatchObject({ code: '42P01' });
  });
  it('reads a serial sequence as a relation', async () => {
    expect(await rows('SELECT last_value, log_cnt, is_called FROM conditions_id_seq')).toEqual([['1', '0', 'f']]);
  });
});

describe('regclass', () => {
  it('resolves names to OIDs at bind time', async () => {
    const [oid] = await one(`SELECT oid FROM pg_class WHERE relname = 'conditions'`);
    expect(await one(`SELECT 'conditions'::regclass::oid, 'public.conditions'::regclass::oid, '"conditions"'::regclass::oid`)).toEqual([oid, oid, oid]);
    expect(await one(`SELECT 'pg_catalog.pg_extension'::regclass::oid, 'pg_class'::regclass::oid`)).toEqual(['3079', '1259']);
  });
  it('raises 42P01 for a missing relation', async () => {
    await expect(db.query(`SELECT 'nope'::regclass`)).rejects.toMatchObject({ code: '42P01', message: 'relation "nope" does not exist' });
  });
  it('prints OIDs as names through ::text, qualified when not visible', async () => {
    expect(await rows(`SELECT c.oid::regclass::text FROM pg_class c WHERE c.relnamespace = 2200 AND c.relkind = 'r' ORDER BY 1`)).toEqual([['conditions'], ['devices']]);
    expect(await one(`SELECT 'pg_catalog.pg_class'::regclass::text, 'information_schema.tables'::regclass::text`)).toEqual(['pg_class', 'information_schema.tables']);
  });
  it('to_regclass returns NULL for a missing relation', async () => {
    expect(await one(`SELECT to_regclass('nope'), to_regclass('devices')::text`)).toEqual([null, 'devices']);
  });
  it('nextval accepts a regclass, as column defaults spell it', async () => {
    expect(await one(`SELECT nextval('conditions_id_seq'::regclass)`)).toEqual(['1']);
  });
});

describe('pg_catalog relations', () => {
  it('pg_class lists tables, views, indexes and sequences with their kinds', async () => {
    expect(await rows(`SELECT c.relname, c.relkind, c.relhasindex, c.relnatts, c.relchecks, am.amname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_am am ON am.oid = c.relam WHERE n.nspname = 'public' ORDER BY 1`)).toEqual([
      ['conditions', 'r', 't', '6', '1', 'heap'],
      ['conditions_device_time_key', 'i', 'f', '2', '0', 'btree'],
      ['conditions_id_seq', 'S', 'f', '3', '0', null],
      ['conditions_pkey', 'i', 'f', '1', '0', 'btree'],
      ['conditions_time_idx', 'i', 'f', '1', '0', 'btree'],
      ['devices', 'r', 't', '4', '0', 'heap'],
      ['devices_pkey', 'i', 'f', '1', '0', 'btree'],
      ['hot', 'v', 'f', '2', '0', null],
    ]);
  });
  it('pg_attribute carries PostgreSQL typmods and defaults', async () => {
    expect(await rows(`SELECT attname, atttypid, atttypmod, attnotnull, atthasdef, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'conditions'::regclass AND attnum > 0 ORDER BY attnum`)).toEqual([
      ['id', '23', '-1', 't', 't', 'integer'],
      ['time', '1184', '-1', 't', 'f', 'timestamp with time zone'],
      ['device', '1043', '36', 't', 'f', 'character varying(32)'],
      ['temperature', '1700', '393222', 'f', 't', 'numeric(6,2)'],
      ['humidity', '701', '-1', 'f', 'f', 'double precision'],
      ['note', '25', '-1', 'f', 'f', 'text'],
    ]);
  });
  it('pg_attrdef and pg_get_expr print defaults as PostgreSQL does', async () => {
    expect(await rows(`SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum ORDER BY d.adrelid, d.adnum`)).toEqual([
      ['id', "nextval('conditions_id_seq'::regclass)"],
      ['temperature', '20.5'],
      ['location', "'lab'::character varying"],
      ['active', 'true'],
    ]);
  });
  it('pg_constraint and pg_get_constraintdef', async () => {
    expect(await rows(`SELECT conname, contype, conkey, pg_get_constraintdef(oid), pg_get_constraintdef(oid, true) FROM pg_constraint WHERE conrelid = 'conditions'::regclass ORDER BY conname`)).toEqual([
      ['conditions_device_time_key', 'u', '{3,2}', 'UNIQUE (device, "time")', 'UNIQUE (device, "time")'],
      ['conditions_humidity_check', 'c', '{5}', 'CHECK ((humidity >= (0)::double precision))', 'CHECK (humidity >= 0::double precision)'],
      ['conditions_pkey', 'p', '{1}', 'PRIMARY KEY (id)', 'PRIMARY KEY (id)'],
    ]);
  });
  it('pg_index and pg_get_indexdef', async () => {
    expect(await rows(`SELECT c.relname, i.indisunique, i.indisprimary, array_to_string(i.indkey, ' '), pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'conditions'::regclass ORDER BY 1`)).toEqual([
      ['conditions_device_time_key', 't', 'f', '3 2', 'CREATE UNIQUE INDEX conditions_device_time_key ON public.conditions USING btree (device, "time")'],
      ['conditions_pkey', 't', 't', '1', 'CREATE UNIQUE INDEX conditions_pkey ON public.conditions USING btree (id)'],
      ['conditions_time_idx', 'f', 'f', '2', 'CREATE INDEX conditions_time_idx ON public.conditions USING btree ("time")'],
    ]);
  });
  it('pg_type has real OIDs with their array types', async () => {
    expect(await rows(`SELECT typname, oid, typlen, typtype, typcategory, typelem, typarray, typinput FROM pg_type WHERE typname IN ('int4', '_int4', 'timestamptz', 'numeric', 'text') ORDER BY oid`)).toEqual([
      ['int4', '23', '4', 'b', 'N', '0', '1007', 'int4in'],
      ['text', '25', '-1', 'b', 'S', '0', '1009', 'textin'],
      ['_int4', '1007', '-1', 'b', 'A', '23', '0', 'array_in'],
      ['timestamptz', '1184', '8', 'b', 'D', '0', '1185', 'timestamptz_in'],
      ['numeric', '1700', '-1', 'b', 'N', '0', '1231', 'numeric_in'],
    ]);
  });
  it('pg_tables, pg_views, pg_indexes, pg_sequences', async () => {
    expect(await rows(`SELECT tablename, tableowner, hasindexes FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).toEqual([['conditions', 'strata', 't'], ['devices', 'strata', 't']]);
    expect(await rows(`SELECT viewname FROM pg_views WHERE schemaname = 'public'`)).toEqual([['hot']]);
    expect(await rows(`SELECT indexname FROM pg_indexes WHERE tablename = 'devices'`)).toEqual([['devices_pkey']]);
    expect(await rows(`SELECT sequencename, data_type, max_value FROM pg_sequences`)).toEqual([['conditions_id_seq', 'integer', '2147483647']]);
  });
  it('roles, databases, settings, extensions', async () => {
    expect(await rows(`SELECT rolname, rolsuper, rolcanlogin FROM pg_roles WHERE oid = 10`)).toEqual([['strata', 't', 't']]);
    expect(await rows(`SELECT usename, usesuper FROM pg_user`)).toEqual([['strata', 't']]);
    expect(await rows(`SELECT datname, pg_encoding_to_char(encoding), datcollate FROM pg_database`)).toEqual([['strata', 'UTF8', 'C']]);
    expect(await rows(`SELECT name, setting, context, source FROM pg_settings WHERE name IN ('TimeZone', 'server_version') ORDER BY 1`)).toEqual([['TimeZone', 'UTC', 'user', 'default'], ['server_version', '15.0', 'internal', 'default']]);
    expect(await rows(`SELECT extname, extversion FROM pg_extension ORDER BY 1`)).toEqual([['plpgsql', '1.0'], ['timescaledb', '2.13.0']]);
    expect(await rows(`SELECT count(*) FROM pg_stat_activity`)).toEqual([['1']]);
  });
  it('\\df-style pg_proc queries find functions with their signatures', async () => {
    expect(await rows(`SELECT p.prokind, pg_get_function_result(p.oid), pg_get_function_arguments(p.oid) FROM pg_proc p WHERE p.proname = 'time_bucket' ORDER BY 3 LIMIT 1`)).toHaveLength(1);
    expect(await rows(`SELECT DISTINCT prokind FROM pg_proc WHERE proname IN ('sum', 'row_number', 'lower') ORDER BY 1`)).toEqual([['a'], ['f'], ['w']]);
  });
  it('reflects DDL and its rollback', async () => {
    await db.query('BEGIN');
    await db.query('CREATE TABLE tmp_t (a int)');
    expect(await rows(`SELECT count(*) FROM pg_class WHERE relname = 'tmp_t'`)).toEqual([['1']]);
    await db.query('ROLLBACK');
    expect(await rows(`SELECT count(*) FROM pg_class WHERE relname = 'tmp_t'`)).toEqual([['0']]);
  });
});

describe('information_schema', () => {
  it('table_constraints and key_column_usage', async () => {
    expect(await rows(`SELECT constraint_name, constraint_type FROM information_schema.table_constraints WHERE table_name = 'conditions' AND constraint_type <> 'CHECK' ORDER BY 1`)).toEqual([
      ['conditions_device_time_key', 'UNIQUE'],
      ['conditions_pkey', 'PRIMARY KEY'],
    ]);
    expect(await rows(`SELECT constraint_name, column_name, ordinal_position FROM information_schema.key_column_usage WHERE table_name = 'conditions' ORDER BY 1, 3`)).toEqual([
      ['conditions_device_time_key', 'device', '1'],
      ['conditions_device_time_key', 'time', '2'],
      ['conditions_pkey', 'id', '1'],
    ]);
  });
  it('views and columns', async () => {
    expect(await rows(`SELECT table_name FROM information_schema.views WHERE table_schema = 'public'`)).toEqual([['hot']]);
    expect(await rows(`SELECT column_name, column_default, is_nullable, data_type, character_maximum_length FROM information_schema.columns WHERE table_name = 'devices' ORDER BY ordinal_position`)).toEqual([
      ['name', null, 'NO', 'text', null],
      ['location', "'lab'::character varying", 'YES', 'character varying', '64'],
      ['active', 'true', 'NO', 'boolean', null],
      ['installed', null, 'YES', 'date', null],
    ]);
  });
});

describe('system information functions', () => {
  it('pg_size_pretty follows PostgreSQL 15', async () => {
    expect(await one(`SELECT pg_size_pretty(10239::int8), pg_size_pretty(10240::int8), pg_size_pretty(1000000::int8), pg_size_pretty(10000000000::int8), pg_size_pretty(-123456789::int8), pg_size_pretty(123456789012345678::numeric)`)).toEqual(['10239 bytes', '10 kB', '977 kB', '9537 MB', '-118 MB', '110 PB']);
  });
  it('format_type', async () => {
    expect(await one(`SELECT format_type(1043, 36), format_type(1042, -1), format_type(18, -1), format_type(1700, 393222), format_type(1007, -1), format_type(2276, -1), format_type(12345, -1), format_type(NULL, 1)`)).toEqual(['character varying(32)', 'bpchar', '"char"', 'numeric(6,2)', 'integer[]', '"any"', '???', null]);
  });
  it('relation sizes come from the table store', async () => {
    await db.query(`INSERT INTO devices (name) SELECT 'd' || g FROM generate_series(1, 100) g`);
    const [size, total] = await one(`SELECT pg_relation_size('devices'), pg_total_relation_size('devices'::regclass)`);
    expect(Number(size)).toBeGreaterThan(0);
    expect(Number(total)).toBeGreaterThanOrEqual(Number(size));
  });
  it('visibility, owners, privileges, descriptions', async () => {
    expect(await one(`SELECT pg_table_is_visible('conditions'::regclass), pg_get_userbyid(10), pg_get_userbyid(6171), has_table_privilege('conditions', 'SELECT'), has_schema_privilege('public', 'USAGE'), pg_has_role('strata', 'MEMBER'), obj_description(2200, 'pg_namespace'), col_description('conditions'::regclass, 1)`)).toEqual([
      't', 'strata', 'pg_database_owner', 't', 't', 't', 'standard public schema', null,
    ]);
    expect(await one(`SELECT pg_get_serial_sequence('conditions', 'id'), pg_get_serial_sequence('conditions', 'note')`)).toEqual(['public.conditions_id_seq', null]);
  });
});
