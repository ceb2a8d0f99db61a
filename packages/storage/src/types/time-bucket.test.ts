import { describe, expect, it } from 'vitest';
import * as dt from './datetime.js';
import { parseInterval as I } from './interval.js';
import type { FormatContext } from './values.js';

// Semantics of TimescaleDB 2.13's time_bucket (src/time_bucket.c and the SQL
// wrappers for "offset"/timezone); date_bin checked against PostgreSQL 15.18.
const ctx: FormatContext = { timeZone: 'UTC', dateStyle: 'ISO, MDY', intervalStyle: 'postgres', extraFloatDigits: 1 };
const TS = (s: string) => dt.parseTimestamp(s, ctx);
const TZ = (s: string) => dt.parseTimestamptz(s, ctx);
const D = (s: string) => dt.parseDate(s, ctx);
const fts = (v: number) => dt.formatTimestamp(v, ctx);
const ftz = (v: number) => dt.formatTimestamptz(v, ctx);
const fd = (v: number) => dt.formatDate(v, ctx);

describe('time_bucket', () => {
  it('buckets timestamps by day/time widths from the Monday 2000-01-03 origin', () => {
    expect(fts(dt.timeBucketTimestamp(I('5 minutes'), TS('2020-01-01 10:03:27')))).toBe('2020-01-01 10:00:00');
    expect(fts(dt.timeBucketTimestamp(I('1 hour'), TS('2020-01-01 10:59:59.999999')))).toBe('2020-01-01 10:00:00');
    expect(fts(dt.timeBucketTimestamp(I('1 week'), TS('2021-01-07 12:00')))).toBe('2021-01-04 00:00:00');
    expect(ftz(dt.timeBucketTimestamptz(I('1 week'), TZ('2021-01-03 12:00+00')))).toBe('2020-12-28 00:00:00+00');
    expect(fts(dt.timeBucketTimestamp(I('3 days'), TS('2000-01-05 00:00')))).toBe('2000-01-03 00:00:00');
    expect(fts(dt.timeBucketTimestamp(I('3 days'), TS('2000-01-06 00:00')))).toBe('2000-01-06 00:00:00');
  });
  it('uses floor semantics before the origin', () => {
    expect(fts(dt.timeBucketTimestamp(I('1 day'), TS('1999-12-31 23:00')))).toBe('1999-12-31 00:00:00');
    expect(fts(dt.timeBucketTimestamp(I('1 week'), TS('1999-12-31 23:00')))).toBe('1999-12-27 00:00:00');
    expect(fts(dt.timeBucketTimestamp(I('15 minutes'), TS('1969-12-31 23:59:59')))).toBe('1969-12-31 23:45:00');
  });
  it('aligns month widths to 2000-01-01', () => {
    expect(fd(dt.timeBucketDate(I('1 month'), D('2021-01-17')))).toBe('2021-01-01');
    expect(fd(dt.timeBucketDate(I('3 months'), D('2021-05-17')))).toBe('2021-04-01');
    expect(fd(dt.timeBucketDate(I('1 year'), D('2021-05-17')))).toBe('2021-01-01');
    expect(fd(dt.timeBucketDate(I('2 years'), D('2021-05-17')))).toBe('2020-01-01');
    expect(fd(dt.timeBucketDate(I('5 months'), D('1999-12-31')))).toBe('1999-08-01');
    expect(fts(dt.timeBucketTimestamp(I('1 month'), TS('2021-03-31 23:59')))).toBe('2021-03-01 00:00:00');
    // origin: only its year and month matter
    expect(fts(dt.timeBucketTimestamp(I('3 months'), TS('2021-05-17'), TS('2000-02-15')))).toBe('2021-05-01 00:00:00');
    // timestamptz month buckets are aligned on the UTC date
    expect(ftz(dt.timeBucketTimestamptz(I('1 month'), TZ('2021-03-01 02:00+00')))).toBe('2021-03-01 00:00:00+00');
  });
  it('date variant', () => {
    expect(fd(dt.timeBucketDate(I('1 week'), D('2021-01-07')))).toBe('2021-01-04');
    expect(fd(dt.timeBucketDate(I('2 days'), D('2021-01-07'), D('2021-01-01')))).toBe('2021-01-07');
    expect(() => dt.timeBucketDate(I('1 hour'), D('2021-01-07'))).toThrow('interval must not have sub-day precision');
    expect(() => dt.timeBucketDate(I('36 hours'), D('2021-01-07'))).toThrow('interval must be a multiple of a day');
    expect(dt.timeBucketDate(I('1 day'), Infinity)).toBe(Infinity);
  });
  it('origin and offset', () => {
    expect(fts(dt.timeBucketTimestamp(I('1 hour'), TS('2021-01-01 05:47'), TS('2000-01-01 00:30')))).toBe('2021-01-01 05:30:00');
    expect(fts(dt.timeBucketTimestamp(I('1 hour'), TS('2021-01-01 05:17'), TS('2030-01-01 00:30')))).toBe('2021-01-01 04:30:00');
    expect(fts(dt.timeBucketTimestampOffset(I('1 day'), TS('2021-01-01 05:00'), I('6 hours')))).toBe('2020-12-31 06:00:00');
    expect(fts(dt.timeBucketTimestampOffset(I('1 day'), TS('2021-01-01 05:00'), I('-2 hours')))).toBe('2020-12-31 22:00:00');
    expect(fd(dt.timeBucketDateOffset(I('1 month'), D('2021-01-01'), I('2 days')))).toBe('2020-12-03');
    expect(ftz(dt.timeBucketTimestamptzOffset(I('1 day'), TZ('2021-01-01 05:00+00'), I('6 hours'), 'UTC'))).toBe('2020-12-31 06:00:00+00');
  });
  it('timezone variant buckets the wall clock of the zone', () => {
    expect(ftz(dt.timeBucketTimestamptzZone(I('1 day'), TZ('2021-03-14 12:00+00'), 'America/New_York'))).toBe('2021-03-14 05:00:00+00');
    expect(ftz(dt.timeBucketTimestamptzZone(I('1 day'), TZ('2021-03-15 12:00+00'), 'America/New_York'))).toBe('2021-03-15 04:00:00+00');
    expect(ftz(dt.timeBucketTimestamptzZone(I('1 day'), TZ('2021-03-14 03:00+00'), 'Europe/Berlin'))).toBe('2021-03-13 23:00:00+00');
    expect(ftz(dt.timeBucketTimestamptzZone(I('1 month'), TZ('2021-03-14 12:00+00'), 'Europe/Berlin'))).toBe('2021-02-28 23:00:00+00');
    expect(ftz(dt.timeBucketTimestamptzZone(I('1 hour'), TZ('2021-03-14 12:34+00'), 'Asia/Kolkata'))).toBe('2021-03-14 12:30:00+00');
    expect(() => dt.timeBucketTimestamptzZone(I('1 day'), 0, 'UTC', 0, I('1 hour'))).toThrow('using origin and offset at the same time is not supported');
  });
  it('errors', () => {
    expect(() => dt.timeBucketTimestamp(I('1 month 1 day'), 0)).toThrow('month intervals cannot have day or time component');
    expect(() => dt.timeBucketTimestamp(I('0 days'), 0)).toThrow('period must be greater than 0');
    expect(() => dt.timeBucketTimestamp(I('-1 hour'), 0)).toThrow('period must be greater than 0');
    expect(dt.timeBucketTimestamp(I('1 hour'), -Infinity)).toBe(-Infinity);
  });
  it('integer variants', () => {
    expect(dt.timeBucketInt(10, 7)).toBe(0);
    expect(dt.timeBucketInt(10, -7)).toBe(-10);
    expect(dt.timeBucketInt(10, -10)).toBe(-10);
    expect(dt.timeBucketInt(10, 7, 5)).toBe(5);
    expect(dt.timeBucketInt(10, 3, 5)).toBe(-5);
    expect(dt.timeBucketInt(10, 3, -12)).toBe(-2);
    expect(() => dt.timeBucketInt(0, 3)).toThrow('period must be greater than 0');
    expect(() => dt.timeBucketInt(10, -32768, 0, 'int2')).toThrow('timestamp out of range');
  });
});

describe('date_bin', () => {
  it('matches PostgreSQL 15', () => {
    expect(fts(dt.dateBin(I('15 minutes'), TS('2020-02-11 15:44:17'), TS('2001-01-01')))).toBe('2020-02-11 15:30:00');
    expect(fts(dt.dateBin(I('1 hour'), TS('2020-01-01 00:00'), TS('2020-01-01 01:00')))).toBe('2020-01-01 00:00:00');
    expect(fts(dt.dateBin(I('1 hour'), TS('1990-02-11 15:44:17'), TS('2001-01-01 00:30')))).toBe('1990-02-11 15:30:00');
    expect(() => dt.dateBin(I('1 mon'), 0, 0)).toThrow('timestamps cannot be binned into intervals containing months or years');
  });
});
