import { describe, expect, it } from 'vitest';
import type { AlterSettingStmt } from './ast.js';
import { parseOne } from './index.js';

const p = (sql: string): AlterSettingStmt => parseOne(sql) as AlterSettingStmt;

describe('ALTER SYSTEM', () => {
  it('SET with = and TO, value lists, numbers and signs', () => {
    expect(p("ALTER SYSTEM SET work_mem = '8MB'")).toEqual({ kind: 'alter_setting', database: null, change: { kind: 'set', name: 'work_mem', values: ['8MB'] } });
    expect(p('ALTER SYSTEM SET search_path TO a, "B", public')).toMatchObject({ change: { kind: 'set', name: 'search_path', values: ['a', 'B', 'public'] } });
    expect(p('ALTER SYSTEM SET extra_float_digits = -2')).toMatchObject({ change: { values: ['-2'] } });
    expect(p('alter system set TimeZone to "Europe/Berlin"')).toMatchObject({ change: { name: 'timezone', values: ['Europe/Berlin'] } });
    expect(p('ALTER SYSTEM SET timescaledb.enable_chunk_append = off')).toMatchObject({ change: { name: 'timescaledb.enable_chunk_append' } });
  });
  it('TO DEFAULT and RESET are the same change; RESET ALL', () => {
    expect(p('ALTER SYSTEM SET work_mem TO DEFAULT')).toEqual({ kind: 'alter_setting', database: null, change: { kind: 'reset', name: 'work_mem' } });
    expect(p('ALTER SYSTEM SET work_mem = DEFAULT')).toMatchObject({ change: { kind: 'reset', name: 'work_mem' } });
    expect(p('ALTER SYSTEM RESET work_mem')).toMatchObject({ change: { kind: 'reset', name: 'work_mem' } });
    expect(p('ALTER SYSTEM RESET ALL')).toEqual({ kind: 'alter_setting', database: null, change: { kind: 'reset_all' } });
  });
  it('syntax errors: no value, no operator, FROM CURRENT (ALTER DATABASE only), trailing junk', () => {
    for (const sql of ['ALTER SYSTEM SET work_mem', 'ALTER SYSTEM SET work_mem 8', 'ALTER SYSTEM SET work_mem FROM CURRENT', 'ALTER SYSTEM RESET', 'ALTER SYSTEM work_mem = 1', 'ALTER SYSTEM RESET ALL x']) {
      expect(() => parseOne(sql), sql).toThrow(expect.objectContaining({ code: '42601' }));
    }
  });
});

describe('ALTER DATABASE … SET / RESET', () => {
  it('names the database (quoted names keep their case)', () => {
    expect(p("ALTER DATABASE strata SET statement_timeout = '5s'")).toEqual({ kind: 'alter_setting', database: 'strata', change: { kind: 'set', name: 'statement_timeout', values: ['5s'] } });
    expect(p('ALTER DATABASE "My DB" RESET ALL')).toEqual({ kind: 'alter_setting', database: 'My DB', change: { kind: 'reset_all' } });
    expect(p('ALTER DATABASE Strata RESET DateStyle')).toMatchObject({ database: 'strata', change: { kind: 'reset', name: 'datestyle' } });
  });
  it('FROM CURRENT, TIME ZONE, TO DEFAULT', () => {
    expect(p('ALTER DATABASE d SET application_name FROM CURRENT')).toMatchObject({ change: { kind: 'set_current', name: 'application_name' } });
    expect(p("ALTER DATABASE d SET TIME ZONE 'Asia/Tokyo'")).toMatchObject({ change: { kind: 'set', name: 'timezone', values: ['Asia/Tokyo'] } });
    expect(p('ALTER DATABASE d SET TIME ZONE LOCAL')).toMatchObject({ change: { kind: 'reset', name: 'timezone' } });
    expect(p('ALTER DATABASE d SET work_mem TO DEFAULT')).toMatchObject({ change: { kind: 'reset', name: 'work_mem' } });
  });
  it('other ALTER DATABASE forms are still unsupported', () => {
    expect(() => parseOne('ALTER DATABASE d RENAME TO e')).toThrow(expect.objectContaining({ code: '42601' }));
    expect(() => parseOne('ALTER ROLE r SET work_mem = 1')).toThrow(expect.objectContaining({ code: '0A000' }));
  });
});
