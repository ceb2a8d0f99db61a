/**
 * Behaviour the PostgreSQL fixture cannot show: session hooks, current time,
 * TimescaleDB's time_bucket, jsonb normalisation agreeing with the jsonb type's input.
 */
import { describe, expect, test } from 'vitest';
import { SqlError } from '../errors.js';
import type { SessionHooks } from '../expr/expr.js';
import type { SqlType } from '../types/sql-type.js';
import { T } from '../types/sql-type.js';
import { normalizeJsonb as typesNormalize } from '../types/json.js';
import type { Value } from '../types/values.js';
import { normalizeJsonb } from './json.js';
import { evalCall, lit, makeCtx, show } from './testing.js';

function call(name: string, args: [SqlType, string][], zone = 'UTC', session?: SessionHooks): string | null {
  const ctx = makeCtx(zone, session);
  const r = evalCall('fn', name, args.map((a) => a[0]), args.map(([t, s]) => (t.id === 'unknown' ? s : lit(t, s, zone))), ctx);
  return show(r.value, r.type, zone);
}
function raw(name: string, args: [SqlType, Value][], session?: SessionHooks): Value {
  return evalCall('fn', name, args.map((a) => a[0]), args.map((a) => a[1]), makeCtx('UTC', session)).value;
}

describe('session-dependent functions', () => {
  test('now() and friends read the statement context', () => {
    expect(call('now', [])).toBe('2020-09-13 12:26:40+00');
    expect(call('current_timestamp', [])).toBe('2020-09-13 12:26:40+00');
    expect(call('statement_timestamp', [])).toBe('2020-09-13 12:26:40+00');
    expect(call('current_date', [], 'Pacific/Auckland')).toBe('2020-09-14');
    expect(call('localtimestamp', [], 'America/New_York')).toBe('2020-09-13 08:26:40');
    const c = raw('clock_timestamp', []) as number;
    expect(Math.abs(c - Date.now() * 1000)).toBeLessThan(5_000_000);
  });

  test('random() and setseed() use the session generator when there is one', () => {
    let seed = 0;
    const session: SessionHooks = { random: () => 0.25, setSeed: (s) => (seed = s) };
    expect(raw('random', [], session)).toBe(0.25);
    const r = raw('random', []) as number;
    expect(r >= 0 && r < 1).toBe(true);
    expect(raw('setseed', [[T.float8, 0.5]], session)).toBe(null);
    expect(seed).toBe(0.5);
    expect(() => raw('setseed', [[T.float8, 2]], session)).toThrow(/out of allowed range/);
  });

  test('current_setting / set_config go through the session hooks', () => {
    const settings = new Map<string, string>([['application_name', 'psql']]);
    const session: SessionHooks = {
      random: Math.random,
      getSetting: (n) => settings.get(n) ?? null,
      setSetting: (n, v) => void settings.set(n, v),
      currentUser: 'alice',
      currentDatabase: 'tsbs',
    };
    expect(raw('current_setting', [[T.text, 'application_name']], session)).toBe('psql');
    expect(raw('current_setting', [[T.text, 'TimeZone']], session)).toBe('UTC');
    expect(raw('current_setting', [[T.text, 'server_version_num']], session)).toBe('150000');
    expect(raw('current_setting', [[T.text, 'my.custom'], [T.bool, true]], session)).toBe(null);
    expect(raw('set_config', [[T.text, 'my.custom'], [T.text, 'x'], [T.bool, false]], session)).toBe('x');
    expect(raw('current_setting', [[T.text, 'my.custom']], session)).toBe('x');
    expect(raw('current_user', [], session)).toBe('alice');
    expect(raw('session_user', [], session)).toBe('alice');
    expect(raw('current_database', [], session)).toBe('tsbs');
    expect(raw('current_schema', [], session)).toBe('public');
    expect(raw('current_user', [])).toBe('postgres');
    expect(raw('version', [])).toMatch(/^PostgreSQL 15\.0 \(Strata 0\.1\.0\) on x86_64-pc-linux-gnu/);
  });

  test('gen_random_uuid', () => {
    expect(raw('gen_random_uuid', [])).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('time_bucket (TimescaleDB semantics)', () => {
  const I = T.interval;
  test('fixed widths align to 2000-01-03 (a Monday) and floor before the origin', () => {
    expect(call('time_bucket', [[I, '1 week'], [T.timestamp, '2020-05-20 10:00']])).toBe('2020-05-18 00:00:00');
    expect(call('time_bucket', [[I, '5 minutes'], [T.timestamptz, '2020-05-20 10:07:59.9+00']])).toBe('2020-05-20 10:05:00+00');
    expect(call('time_bucket', [[I, '1 hour'], [T.timestamp, '1999-12-31 23:30']])).toBe('1999-12-31 23:00:00');
    expect(call('time_bucket', [[I, '1 day'], [T.date, '2020-05-20']])).toBe('2020-05-20');
    expect(call('time_bucket', [[I, '1 week'], [T.date, '2020-05-20']])).toBe('2020-05-18');
    expect(call('time_bucket', [[I, '1 hour'], [T.timestamp, 'infinity']])).toBe('infinity');
  });
  test('timestamptz buckets are UTC unless a zone is given', () => {
    expect(call('time_bucket', [[I, '1 day'], [T.timestamptz, '2020-05-20 03:00+00']], 'America/New_York')).toBe('2020-05-19 20:00:00-04');
    expect(call('time_bucket', [[I, '1 day'], [T.timestamptz, '2020-05-20 03:00+00'], [T.text, 'America/New_York']])).toBe('2020-05-19 04:00:00+00');
  });
  test('month widths, origins and offsets', () => {
    expect(call('time_bucket', [[I, '1 month'], [T.timestamp, '2020-05-20 10:00']])).toBe('2020-05-01 00:00:00');
    expect(call('time_bucket', [[I, '3 months'], [T.date, '2020-05-20']])).toBe('2020-04-01');
    expect(call('time_bucket', [[I, '1 hour'], [T.timestamp, '2020-05-20 10:20'], [T.timestamp, '2020-01-01 00:30']])).toBe('2020-05-20 09:30:00');
    expect(call('time_bucket', [[I, '1 hour'], [T.timestamp, '2020-05-20 10:20'], [I, '30 minutes']])).toBe('2020-05-20 09:30:00');
    expect(call('time_bucket_offset', [[I, '1 day'], [T.date, '2020-05-20'], [I, '1 day']])).toBe('2020-05-20');
  });
  test('integer widths', () => {
    expect(call('time_bucket', [[T.int4, '10'], [T.int4, '-3']])).toBe('-10');
    expect(call('time_bucket', [[T.int8, '10'], [T.int8, '27'], [T.int8, '5']])).toBe('25');
    expect(() => call('time_bucket', [[T.int4, '0'], [T.int4, '3']])).toThrow(SqlError);
  });
  test('invalid widths', () => {
    expect(() => call('time_bucket', [[I, '1 month 1 day'], [T.timestamp, '2020-01-01']])).toThrow(/month intervals cannot have day or time component/);
    expect(() => call('time_bucket', [[I, '0 seconds'], [T.timestamp, '2020-01-01']])).toThrow(/period must be greater than 0/);
  });
});

describe('jsonb', () => {
  test("results are normalised exactly like the jsonb type's input function", () => {
    for (const s of ['{"b": 1, "a": [1, 2.50, {"y": null, "x": true}], "aa": "q\\"uote"}', '[1e2, -0.0, "\\u00e9"]', '{"a":1,"a":2}', '"x"', 'null']) {
      expect(normalizeJsonb(s)).toBe(typesNormalize(s));
    }
  });
  test('operators on stored jsonb values', () => {
    const j = typesNormalize('{"tags": {"host": "h1", "region": "eu"}, "v": [1, 2]}');
    expect(evalCall('op', '->>', [T.jsonb, T.unknown], [j, 'tags'], makeCtx()).value).toBe('{"host": "h1", "region": "eu"}');
    expect(evalCall('op', '#>>', [T.jsonb, T.unknown], [j, '{tags,host}'], makeCtx()).value).toBe('h1');
    expect(evalCall('op', '@>', [T.jsonb, T.jsonb], [j, typesNormalize('{"tags": {"host": "h1"}}')], makeCtx()).value).toBe(true);
    expect(evalCall('op', '=', [T.jsonb, T.jsonb], [typesNormalize('{"a":1, "b":2}'), typesNormalize('{"b":2,"a":1}')], makeCtx()).value).toBe(true);
  });
});
