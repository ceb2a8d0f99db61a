/** Overload resolution: how mixed-type calls type, as PostgreSQL 15 types them. */
import { describe, expect, test } from 'vitest';
import { SqlError } from '../errors.js';
import type { SqlType } from '../types/sql-type.js';
import { T, arrayOf, formatType, withTypmod } from '../types/sql-type.js';
import { functionExists, functionParamInfo, getFunctionImpl, resolveFunction, resolveOperator } from './index.js';

const ty = (t: SqlType) => formatType(t);

function op(o: string, l: SqlType | null, r: SqlType): string {
  const res = resolveOperator(o, l, r);
  return `${res.argTypes.map(ty).join(', ')} -> ${ty(res.returnType)}`;
}
function fn(name: string, ...args: SqlType[]): string {
  const res = resolveFunction(name, args);
  return `${res.argTypes.map(ty).join(', ')} -> ${ty(res.returnType)}`;
}
function err(f: () => unknown): SqlError {
  try {
    f();
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('operators', () => {
  test.each([
    ['+', T.unknown, T.int4, 'integer, integer -> integer'],
    ['+', T.int4, T.int8, 'integer, bigint -> bigint'],
    ['+', T.int2, T.int2, 'smallint, smallint -> smallint'],
    ['/', T.int4, T.int4, 'integer, integer -> integer'],
    ['+', T.int4, T.numeric, 'numeric, numeric -> numeric'],
    ['*', T.numeric, T.float8, 'double precision, double precision -> double precision'],
    ['+', T.int8, T.float4, 'double precision, real -> double precision'], // float84pl, as EXPLAIN VERBOSE shows
    ['+', T.float4, T.float4, 'real, real -> real'],
    ['^', T.int4, T.int4, 'double precision, double precision -> double precision'],
    ['^', T.numeric, T.int4, 'numeric, numeric -> numeric'],
    ['%', T.int8, T.int2, 'bigint, bigint -> bigint'],
    ['<', T.int4, T.float8, 'double precision, double precision -> boolean'],
    ['=', T.int4, T.numeric, 'numeric, numeric -> boolean'],
    ['=', T.int2, T.int8, 'smallint, bigint -> boolean'],
    ['<', T.unknown, T.timestamptz, 'timestamp with time zone, timestamp with time zone -> boolean'],
    ['<', T.timestamp, T.unknown, 'timestamp without time zone, timestamp without time zone -> boolean'],
    ['=', T.date, T.timestamptz, 'date, timestamp with time zone -> boolean'],
    ['=', T.varchar, T.unknown, 'text, text -> boolean'],
    ['=', T.varchar, T.varchar, 'text, text -> boolean'],
    ['=', T.bpchar, T.unknown, 'character, character -> boolean'],
    ['||', T.unknown, T.unknown, 'text, text -> text'],
    ['||', T.text, T.int4, 'text, integer -> text'],
    ['||', T.unknown, T.int4, 'text, integer -> text'],
    ['||', T.varchar, T.varchar, 'text, text -> text'],
    ['||', arrayOf(T.int4), T.int4, 'integer[], integer -> integer[]'],
    ['||', arrayOf(T.int4), arrayOf(T.int8), 'bigint[], bigint[] -> bigint[]'],
    ['-', T.timestamptz, T.timestamptz, 'timestamp with time zone, timestamp with time zone -> interval'],
    ['-', T.timestamp, T.timestamp, 'timestamp without time zone, timestamp without time zone -> interval'],
    ['+', T.timestamptz, T.interval, 'timestamp with time zone, interval -> timestamp with time zone'],
    ['-', T.timestamptz, T.unknown, 'timestamp with time zone, timestamp with time zone -> interval'],
    ['+', T.date, T.int4, 'date, integer -> date'],
    ['-', T.date, T.date, 'date, date -> integer'],
    ['+', T.date, T.interval, 'date, interval -> timestamp without time zone'],
    ['*', T.interval, T.int4, 'interval, double precision -> interval'],
    ['~~', T.varchar, T.unknown, 'text, text -> boolean'],
    ['like', T.text, T.unknown, 'text, text -> boolean'],
    ['not ilike', T.text, T.unknown, 'text, text -> boolean'],
    ['~', T.name, T.unknown, 'text, text -> boolean'],
    ['->>', T.jsonb, T.unknown, 'jsonb, text -> text'],
    ['->', T.jsonb, T.int4, 'jsonb, integer -> jsonb'],
    ['@>', T.jsonb, T.unknown, 'jsonb, jsonb -> boolean'],
    ['=', arrayOf(T.text), arrayOf(T.text), 'text[], text[] -> boolean'],
  ] as const)('%s (%o, %o)', (o, l, r, expected) => {
    expect(op(o, l, r)).toBe(expected);
  });

  test('prefix operators', () => {
    expect(op('-', null, T.int4)).toBe('integer -> integer');
    expect(op('-', null, T.numeric)).toBe('numeric -> numeric');
    expect(op('@', null, T.float4)).toBe('real -> real');
    expect(op('|/', null, T.int4)).toBe('double precision -> double precision');
    expect(op('-', null, T.interval)).toBe('interval -> interval');
  });

  test('typmods of the inputs do not matter and exact types are kept', () => {
    const r = resolveOperator('+', withTypmod(T.numeric, (10 << 16) | 2), T.numeric);
    expect(r.fnId).toBe('+(numeric,numeric)');
    expect(r.argTypes[0]!.typmod).toBe((10 << 16) | 2);
  });

  test('errors name the types and carry the hint', () => {
    let e = err(() => resolveOperator('=', T.int4, T.text));
    expect(e.code).toBe('42883');
    expect(e.message).toBe('operator does not exist: integer = text');
    expect(e.hint).toBe('No operator matches the given name and argument types. You might need to add explicit type casts.');
    e = err(() => resolveOperator('-', null, T.unknown));
    expect(e.code).toBe('42725');
    expect(e.message).toBe('operator is not unique: - unknown');
    e = err(() => resolveOperator('+', withTypmod(T.varchar, 5), T.bool));
    expect(e.message).toBe('operator does not exist: character varying + boolean');
  });

  test('volatility follows the session-zone dependence', () => {
    expect(resolveOperator('+', T.timestamptz, T.interval).volatility).toBe('stable');
    expect(resolveOperator('+', T.timestamp, T.interval).volatility).toBe('immutable');
    expect(resolveOperator('<', T.date, T.timestamptz).volatility).toBe('stable');
  });
});

describe('functions', () => {
  test.each([
    ['round', [T.int4], 'double precision -> double precision'],
    ['round', [T.numeric, T.int4], 'numeric, integer -> numeric'],
    ['round', [T.unknown], 'double precision -> double precision'],
    ['round', [T.numeric], 'numeric -> numeric'],
    ['abs', [T.int2], 'smallint -> smallint'],
    ['abs', [T.float4], 'real -> real'],
    ['mod', [T.int2, T.int4], 'integer, integer -> integer'],
    ['log', [T.int4], 'double precision -> double precision'],
    ['power', [T.int4, T.numeric], 'numeric, numeric -> numeric'],
    ['lower', [T.varchar], 'text -> text'],
    ['length', [T.bpchar], 'character -> integer'],
    ['length', [T.unknown], 'text -> integer'],
    ['concat', [T.unknown, T.int4, T.timestamptz], 'unknown, integer, timestamp with time zone -> text'],
    ['format', [T.unknown, T.int4], 'text, integer -> text'],
    ['time_bucket', [T.unknown, T.timestamptz], 'interval, timestamp with time zone -> timestamp with time zone'],
    ['time_bucket', [T.interval, T.timestamp], 'interval, timestamp without time zone -> timestamp without time zone'],
    ['time_bucket', [T.interval, T.date], 'interval, date -> date'],
    ['time_bucket', [T.int4, T.int8], 'bigint, bigint -> bigint'],
    ['time_bucket', [T.interval, T.timestamptz, T.unknown], 'interval, timestamp with time zone, text -> timestamp with time zone'],
    ['time_bucket', [T.interval, T.timestamptz, T.interval], 'interval, timestamp with time zone, interval -> timestamp with time zone'],
    ['time_bucket_offset', [T.interval, T.timestamptz, T.interval], 'interval, timestamp with time zone, interval -> timestamp with time zone'],
    ['date_trunc', [T.unknown, T.timestamptz], 'text, timestamp with time zone -> timestamp with time zone'],
    ['date_trunc', [T.unknown, T.date], 'text, timestamp with time zone -> timestamp with time zone'],
    ['date_trunc', [T.unknown, T.timestamp], 'text, timestamp without time zone -> timestamp without time zone'],
    ['date_part', [T.unknown, T.date], 'text, date -> double precision'],
    ['extract', [T.unknown, T.timestamptz], 'text, timestamp with time zone -> numeric'],
    ['now', [], ' -> timestamp with time zone'],
    ['current_timestamp', [], ' -> timestamp with time zone'],
    ['current_date', [], ' -> date'],
    ['to_timestamp', [T.int4], 'double precision -> timestamp with time zone'],
    ['make_interval', [T.int4, T.int4], 'integer, integer -> interval'],
    ['pg_typeof', [T.unknown], 'unknown -> text'],
    ['array_length', [arrayOf(T.int4), T.int4], 'integer[], integer -> integer'],
    ['array_position', [arrayOf(T.int8), T.int4], 'bigint[], bigint -> integer'],
    ['array_append', [arrayOf(T.int4), T.unknown], 'integer[], integer -> integer[]'],
    ['array_to_string', [arrayOf(T.float8), T.unknown], 'double precision[], text -> text'],
    ['to_jsonb', [T.int4], 'integer -> jsonb'],
    ['num_nulls', [T.int4, T.unknown, T.text], 'integer, unknown, text -> integer'],
    ['date_bin', [T.interval, T.timestamptz, T.unknown], 'interval, timestamp with time zone, timestamp with time zone -> timestamp with time zone'],
    ['current_database', [], ' -> name'],
  ] as const)('%s%o', (name, args, expected) => {
    expect(fn(name, ...args)).toBe(expected);
  });

  test('names are case-insensitive', () => {
    expect(fn('LOWER', T.text)).toBe('text -> text');
    expect(functionExists('Time_Bucket')).toBe(true);
    expect(functionExists('coalesce')).toBe(false);
  });

  test('missing functions: 42883 with PostgreSQL message and hint', () => {
    const e = err(() => resolveFunction('foo', [T.int4, T.text]));
    expect(e.code).toBe('42883');
    expect(e.message).toBe('function foo(integer, text) does not exist');
    expect(e.hint).toBe('No function matches the given name and argument types. You might need to add explicit type casts.');
    expect(err(() => resolveFunction('lower', [T.int4])).message).toBe('function lower(integer) does not exist');
    expect(err(() => resolveFunction('concat', [])).code).toBe('42883'); // VARIADIC needs one argument
  });

  test('specialised ids carry the argument types and rebuild the same implementation', () => {
    const r = resolveFunction('concat', [T.unknown, T.int4, arrayOf(T.text)]);
    expect(r.fnId).toBe('concat(...any)[unknown,int4,text[]->text]');
    const impl = getFunctionImpl(r.fnId);
    expect(impl.strict).toBe(false);
    expect(impl.volatility).toBe('stable');
    expect(getFunctionImpl(r.fnId)).toBe(impl);
    const ctx = { params: [], settings: { timeZone: 'UTC', dateStyle: 'ISO, MDY', intervalStyle: 'postgres', extraFloatDigits: 1 }, statementTime: 0, transactionTime: 0, correlated: [] };
    expect(impl.scalar(['a', 1, ['x', null]], ctx)).toBe('a1{x,NULL}');
    expect(() => getFunctionImpl('nope(int4)')).toThrow(SqlError);
  });

  test('parameter names for named-argument calls', () => {
    expect(functionParamInfo('make_interval')!.names).toEqual(['years', 'months', 'weeks', 'days', 'hours', 'mins', 'secs']);
    expect(functionParamInfo('lower')).toBeUndefined();
  });

  test('volatility and strictness flags', () => {
    expect(resolveFunction('random', []).volatility).toBe('volatile');
    expect(resolveFunction('clock_timestamp', []).volatility).toBe('volatile');
    expect(resolveFunction('now', []).volatility).toBe('stable');
    expect(resolveFunction('lower', [T.text]).volatility).toBe('immutable');
    expect(getFunctionImpl(resolveFunction('concat_ws', [T.text, T.text]).fnId).strict).toBe(false);
    expect(getFunctionImpl(resolveFunction('lower', [T.text]).fnId).strict).toBe(true);
    expect(getFunctionImpl(resolveFunction('num_nulls', [T.int4]).fnId).strict).toBe(false);
  });
});
