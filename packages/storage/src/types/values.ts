/**
 * Run-time representation of SQL values (one value, outside a column vector).
 *
 *  SQL type                        JS value
 *  ------------------------------  ---------------------------------------------------------
 *  NULL (any type)                 null
 *  bool                            boolean
 *  int2, int4, int8, oid, regclass number (int8 is exact within ±2^53; outside → 22003)
 *  float4, float8                  number (NaN, ±Infinity allowed)
 *  numeric                         Decimal (types/numeric.ts)
 *  text, varchar, bpchar, name     string (bpchar is stored space-padded to its length)
 *  json, jsonb                     string (json: text as given; jsonb: normalised text)
 *  date                            number: days since 1970-01-01 (±Infinity for ±infinity)
 *  time                            number: microseconds since midnight
 *  timestamp                       number: microseconds since 1970-01-01 00:00 of the wall clock
 *  timestamptz                     number: microseconds since 1970-01-01 00:00 UTC
 *  interval                        Interval { months, days, micros }
 *  array                           Value[] (one-dimensional; elements by the same rules)
 *  record                          Value[] (fields in order)
 *
 * Timestamps in µs stay exact as doubles for ±285 years around 1970, well past
 * the range time-series data lives in; ±Infinity encodes 'infinity'.
 */
import type { Decimal } from './numeric.js';

export interface Interval {
  readonly months: number;
  readonly days: number;
  readonly micros: number;
}

export type Value = null | boolean | number | string | Decimal | Interval | Value[];

export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_MINUTE = 60_000_000;
export const MICROS_PER_HOUR = 3_600_000_000;
export const MICROS_PER_DAY = 86_400_000_000;
/** PostgreSQL epoch (2000-01-01) in Unix days and µs: needed by binary wire formats and time_bucket origins. */
export const PG_EPOCH_DAYS = 10_957;
export const PG_EPOCH_MICROS = PG_EPOCH_DAYS * MICROS_PER_DAY;

export function isInterval(v: unknown): v is Interval {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'months' in v && 'days' in v && 'micros' in v;
}

/**
 * Session settings that change how values are read from and written as text,
 * and how time-zone-dependent computations behave.
 */
export interface FormatContext {
  /** IANA zone name or a POSIX-style offset as SET TIME ZONE accepts; default 'UTC'. */
  readonly timeZone: string;
  /** e.g. 'ISO, MDY' (PostgreSQL's default), 'SQL, DMY', 'German', 'Postgres, MDY'. */
  readonly dateStyle: string;
  /** 'postgres' (default), 'iso_8601', 'sql_standard', 'postgres_verbose'. */
  readonly intervalStyle: string;
  /** extra_float_digits: 1 (default) → shortest exact output; ≤ 0 → rounded output. */
  readonly extraFloatDigits: number;
}

export const DEFAULT_FORMAT_CONTEXT: FormatContext = Object.freeze({
  timeZone: 'UTC',
  dateStyle: 'ISO, MDY',
  intervalStyle: 'postgres',
  extraFloatDigits: 1,
});
