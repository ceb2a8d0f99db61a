import { describe, expect, it } from 'vitest';
import { canCoerce, castValue, commonSupertype, parseTypeName, typeCategory } from './casts.js';
import { formatText, parseText } from './text-io.js';
import { T, arrayOf, formatType, withTypmod } from './sql-type.js';
import type { FormatContext } from './values.js';

const ty = (s: string) => {
  const m = /^(\w+(?: \w+)*?)(?:\((\d+)(?:,(\d+))?\))?(\[\])?$/.exec(s)!;
  return parseTypeName(m[1]!, m[2] ? [Number(m[2]), ...(m[3] ? [Number(m[3])] : [])] : [], m[4] ? 1 : 0);
};
const ctx: FormatContext = { timeZone: 'America/New_York', dateStyle: 'ISO, MDY', intervalStyle: 'postgres', extraFloatDigits: 1 };
const cast = (v: string, f: string, t: string) => {
  const ft = ty(f);
  const tt = ty(t);
  return formatText(tt, castValue(parseText(ft, v, ctx), ft, tt, ctx, true), ctx);
};

// Expected values generated from PostgreSQL 15.18 (psql shows the target type's output).
describe('castValue', () => {
  it('explicit casts', () => {
    expect(cast("2.5", "numeric", "int4"), "'2.5'::numeric::int4").toBe("3");
    expect(cast("-2.5", "numeric", "int4"), "'-2.5'::numeric::int4").toBe("-3");
    expect(cast("2.5", "float8", "int4"), "'2.5'::float8::int4").toBe("2");
    expect(cast("3.5", "float8", "int4"), "'3.5'::float8::int4").toBe("4");
    expect(cast("-2.5", "float8", "int2"), "'-2.5'::float8::int2").toBe("-2");
    expect(() => cast("40000", "int4", "int2"), "'40000'::int4::int2").toThrow("smallint out of range");
    expect(() => cast("1e10", "float8", "int4"), "'1e10'::float8::int4").toThrow("integer out of range");
    expect(() => cast("nan", "numeric", "int4"), "'nan'::numeric::int4").toThrow("cannot convert NaN to integer");
    expect(() => cast("inf", "float8", "int8"), "'inf'::float8::int8").toThrow("bigint out of range");
    expect(() => cast("3000000000", "int8", "int4"), "'3000000000'::int8::int4").toThrow("integer out of range");
    expect(cast("1.23456789012345678", "float8", "numeric"), "'1.23456789012345678'::float8::numeric").toBe("1.23456789012346");
    expect(cast("0.1", "float4", "numeric"), "'0.1'::float4::numeric").toBe("0.1");
    expect(cast("0.1", "float4", "float8"), "'0.1'::float4::float8").toBe("0.10000000149011612");
    expect(() => cast("1e300", "float8", "float4"), "'1e300'::float8::float4").toThrow("value out of range: overflow");
    expect(() => cast("12345.678", "numeric", "numeric(6,2)"), "'12345.678'::numeric::numeric(6,2)").toThrow("numeric field overflow");
    expect(() => cast("12345.678", "numeric", "numeric(5,2)"), "'12345.678'::numeric::numeric(5,2)").toThrow("numeric field overflow");
    expect(cast("abcdef", "text", "varchar(3)"), "'abcdef'::text::varchar(3)").toBe("abc");
    expect(cast("ab   ", "bpchar(5)", "text"), "'ab   '::bpchar(5)::text").toBe("ab");
    expect(cast("ab", "text", "bpchar(4)"), "'ab'::text::bpchar(4)").toBe("ab  ");
    expect(cast("t", "bool", "text"), "'t'::bool::text").toBe("true");
    expect(cast("t", "bool", "int4"), "'t'::bool::int4").toBe("1");
    expect(cast("0", "int4", "bool"), "'0'::int4::bool").toBe("f");
    expect(cast("5", "int4", "bool"), "'5'::int4::bool").toBe("t");
    expect(cast("abc", "text", "char"), "'abc'::text::char").toBe("a");
    expect(cast("2016-01-01 12:34:56.789+00", "timestamptz", "date"), "'2016-01-01 12:34:56.789+00'::timestamptz::date").toBe("2016-01-01");
    expect(cast("2016-01-01 12:34:56.789+00", "timestamptz", "timestamp"), "'2016-01-01 12:34:56.789+00'::timestamptz::timestamp").toBe("2016-01-01 07:34:56.789");
    expect(cast("2016-01-01 12:34:56.789", "timestamp", "timestamptz"), "'2016-01-01 12:34:56.789'::timestamp::timestamptz").toBe("2016-01-01 12:34:56.789-05");
    expect(cast("2016-01-01", "date", "timestamptz"), "'2016-01-01'::date::timestamptz").toBe("2016-01-01 00:00:00-05");
    expect(cast("2016-01-01 12:34:56.789+00", "timestamptz", "time"), "'2016-01-01 12:34:56.789+00'::timestamptz::time").toBe("07:34:56.789");
    expect(cast("2016-01-01 12:34:56.789", "timestamp", "time(0)"), "'2016-01-01 12:34:56.789'::timestamp::time(0)").toBe("12:34:57");
    expect(cast("1 day 25:00:00", "interval", "time"), "'1 day 25:00:00'::interval::time").toBe("01:00:00");
    expect(cast("-01:00", "interval", "time"), "'-01:00'::interval::time").toBe("23:00:00");
    expect(cast("01:02:03", "time", "interval"), "'01:02:03'::time::interval").toBe("01:02:03");
    expect(cast("{\"a\": 1}", "json", "jsonb"), "'{\"a\": 1}'::json::jsonb").toBe("{\"a\": 1}");
    expect(cast("{\"a\": 1}", "jsonb", "text"), "'{\"a\": 1}'::jsonb::text").toBe("{\"a\": 1}");
    expect(cast("12.5", "jsonb", "numeric"), "'12.5'::jsonb::numeric").toBe("12.5");
    expect(cast("12.5", "jsonb", "int4"), "'12.5'::jsonb::int4").toBe("13");
    expect(() => cast("\"x\"", "jsonb", "int4"), "'\"x\"'::jsonb::int4").toThrow("cannot cast jsonb string to type integer");
    expect(cast("true", "jsonb", "bool"), "'true'::jsonb::bool").toBe("t");
    expect(() => cast("[1]", "jsonb", "float8"), "'[1]'::jsonb::float8").toThrow("cannot cast jsonb array to type double precision");
    expect(() => cast("1", "int4", "date"), "'1'::int4::date").toThrow("cannot cast type integer to date");
    expect(() => cast("2016-01-01", "date", "int4"), "'2016-01-01'::date::int4").toThrow("cannot cast type date to integer");
    expect(cast("{1,2}", "int4[]", "text[]"), "'{1,2}'::int4[]::text[]").toBe("{1,2}");
    expect(cast("{1.5,2.5}", "numeric[]", "int4[]"), "'{1.5,2.5}'::numeric[]::int4[]").toBe("{2,3}");
    expect(cast("{1,2}", "int4[]", "text"), "'{1,2}'::int4[]::text").toBe("{1,2}");
    expect(cast("1 day", "interval", "text"), "'1 day'::interval::text").toBe("1 day");
    expect(cast("5", "int8", "oid"), "'5'::int8::oid").toBe("5");
    expect(cast("123", "text", "int4"), "'123'::text::int4").toBe("123");
    expect(cast(" 1.5", "text", "numeric"), "' 1.5'::text::numeric").toBe("1.5");
    expect(cast("12:00", "text", "interval"), "'12:00'::text::interval").toBe("12:00:00");
    expect(cast("1.5", "float8", "text"), "'1.5'::float8::text").toBe("1.5");
    expect(cast("2016-01-01 00:00+00", "timestamptz", "text"), "'2016-01-01 00:00+00'::timestamptz::text").toBe("2015-12-31 19:00:00-05");
  });
  it('assignment to varchar(n) raises 22001, explicit truncates', () => {
    const v3 = ty('varchar(3)');
    expect(castValue('abcd', T.text, v3, ctx, true)).toBe('abc');
    expect(() => castValue('abcd', T.text, v3, ctx, false)).toThrow('value too long for type character varying(3)');
    expect(castValue('ab  ', T.text, v3, ctx, false)).toBe('ab ');
    expect(castValue('ab', T.text, ty('bpchar(4)'), ctx, false)).toBe('ab  ');
    expect(() => castValue(1, T.int4, T.date, ctx, true)).toThrow('cannot cast type integer to date');
  });
});

describe('coercion rules', () => {
  it('canCoerce follows pg_cast and the I/O casts', () => {
    expect(canCoerce(T.int4, T.int8, 'implicit')).toBe(true);
    expect(canCoerce(T.int8, T.int4, 'implicit')).toBe(false);
    expect(canCoerce(T.int8, T.int4, 'assignment')).toBe(true);
    expect(canCoerce(T.int4, T.bool, 'assignment')).toBe(false);
    expect(canCoerce(T.int4, T.bool, 'explicit')).toBe(true);
    expect(canCoerce(T.int4, T.text, 'implicit')).toBe(false);
    expect(canCoerce(T.int4, T.text, 'assignment')).toBe(true);
    expect(canCoerce(T.text, T.int4, 'assignment')).toBe(false);
    expect(canCoerce(T.text, T.int4, 'explicit')).toBe(true);
    expect(canCoerce(T.unknown, T.int4, 'implicit')).toBe(true);
    expect(canCoerce(T.timestamp, T.timestamptz, 'implicit')).toBe(true);
    expect(canCoerce(T.timestamptz, T.timestamp, 'implicit')).toBe(false);
    expect(canCoerce(T.date, T.timestamptz, 'implicit')).toBe(true);
    expect(canCoerce(T.varchar, T.text, 'implicit')).toBe(true);
    expect(canCoerce(T.numeric, T.float8, 'implicit')).toBe(true);
    expect(canCoerce(T.float8, T.numeric, 'implicit')).toBe(false);
    expect(canCoerce(arrayOf(T.int4), arrayOf(T.int8), 'implicit')).toBe(true);
    expect(canCoerce(T.int4, T.interval, 'explicit')).toBe(false);
    expect(typeCategory(T.timestamptz)).toBe('D');
    expect(typeCategory(T.varchar)).toBe('S');
  });
  it('commonSupertype implements select_common_type', () => {
    const f = (ts: ReturnType<typeof ty>[], what = 'UNION') => formatType(commonSupertype(ts, what));
    expect(f([T.unknown, T.unknown])).toBe('text');
    expect(f([T.int4, T.int8])).toBe('bigint');
    expect(f([T.int8, T.int4])).toBe('bigint');
    expect(f([T.int4, T.numeric])).toBe('numeric');
    expect(f([T.numeric, T.float8])).toBe('double precision');
    expect(f([T.float8, T.numeric])).toBe('double precision');
    expect(f([T.text, T.varchar])).toBe('text');
    expect(f([T.varchar, T.text])).toBe('character varying'); // PG 15: varchar first stays varchar (text→varchar is implicit too)
    expect(f([T.timestamp, T.timestamptz])).toBe('timestamp with time zone');
    expect(f([T.date, T.timestamp])).toBe('timestamp without time zone');
    expect(f([T.unknown, T.int4])).toBe('integer');
    expect(f([T.int2, T.float4, T.int8])).toBe('real');
    expect(f([ty('varchar(5)'), ty('varchar(5)')])).toBe('character varying(5)');
    expect(f([ty('varchar(5)'), ty('varchar(6)')])).toBe('character varying');
    expect(() => f([T.text, T.int4])).toThrow('UNION types text and integer cannot be matched');
    expect(() => f([T.int4, T.bool], 'CASE')).toThrow('CASE types integer and boolean cannot be matched');
  });
  it('parseTypeName', () => {
    expect(ty('numeric(10,2)').typmod).toBe((10 << 16) | 2);
    expect(formatType(ty('numeric(10,2)'))).toBe('numeric(10,2)');
    expect(formatType(ty('varchar(3)'))).toBe('character varying(3)');
    expect(formatType(ty('bpchar'))).toBe('character(1)');
    expect(formatType(parseTypeName('bpchar', [], 0, 'cast'))).toBe('character');
    expect(formatType(ty('timestamptz(3)'))).toBe('timestamp(3) with time zone');
    expect(formatType(ty('int4[]'))).toBe('integer[]');
    expect(formatType(parseTypeName('integer', [], 2))).toBe('integer[]');
    expect(() => ty('foo')).toThrow('type "foo" does not exist');
    expect(() => ty('numeric(0)')).toThrow('NUMERIC precision 0 must be between 1 and 1000');
    expect(() => ty('varchar(0)')).toThrow('length for type varchar must be at least 1');
    expect(withTypmod(T.int4, -1)).toBe(T.int4);
  });
});
