import { describe, expect, it } from 'vitest';
import { formatIsoOffset, getTimeZone, localToUtc, utcToLocal } from './timezone.js';

const H = 3_600_000_000;
const utc = (s: string) => Date.parse(s) * 1000;

describe('time zones', () => {
  it('IANA offsets, including LMT and DST (PostgreSQL 15.18 output)', () => {
    const ny = getTimeZone('America/New_York');
    expect(ny.offsetAtUtc(utc('2021-01-01T00:00:00Z'))).toBe(-5 * 3600);
    expect(ny.offsetAtUtc(utc('2021-07-01T00:00:00Z'))).toBe(-4 * 3600);
    expect(formatIsoOffset(ny.offsetAtUtc(utc('1880-01-01T05:00:00Z')))).toBe('-04:56:02');
    expect(formatIsoOffset(getTimeZone('Asia/Kolkata').offsetAtUtc(utc('1900-01-01T00:00:00Z')))).toBe('+05:21:10');
    // Lord Howe: 30-minute DST, transition at 15:00 UTC
    const lh = getTimeZone('Australia/Lord_Howe');
    expect(lh.offsetAtUtc(utc('2021-04-03T14:45:00Z'))).toBe(11 * 3600);
    expect(lh.offsetAtUtc(utc('2021-04-03T15:15:00Z'))).toBe(10.5 * 3600);
  });
  it('gap uses the pre-transition offset, overlap the post-transition one', () => {
    const ny = getTimeZone('America/New_York');
    // '2021-03-14 02:30' → 2021-03-14 03:30:00-04
    expect(localToUtc(utc('2021-03-14T02:30:00Z'), ny)).toBe(utc('2021-03-14T07:30:00Z'));
    // '2021-11-07 01:30' → 2021-11-07 01:30:00-05
    expect(localToUtc(utc('2021-11-07T01:30:00Z'), ny)).toBe(utc('2021-11-07T06:30:00Z'));
    expect(localToUtc(utc('2021-04-04T01:45:00Z'), getTimeZone('Australia/Lord_Howe'))).toBe(utc('2021-04-03T15:15:00Z'));
  });
  it('POSIX and fixed offsets', () => {
    expect(getTimeZone('UTC+3').fixedOffset).toBe(-3 * 3600);
    expect(getTimeZone('+05:30').fixedOffset).toBe(-(5.5 * 3600));
    expect(getTimeZone('GMT').fixedOffset).toBe(0);
    expect(getTimeZone('PST').fixedOffset).toBe(-8 * 3600);
    expect(() => getTimeZone('PST', false)).toThrow('time zone "PST" not recognized');
    expect(() => getTimeZone('Foo/Bar')).toThrow('time zone "Foo/Bar" not recognized');
    expect(formatIsoOffset(0)).toBe('+00');
    expect(formatIsoOffset(19800)).toBe('+05:30');
  });
  it('converts a million local times quickly', () => {
    const z = getTimeZone('Europe/Berlin');
    const start = utc('2021-01-01T00:00:00Z');
    const t0 = performance.now();
    let acc = 0;
    for (let i = 0; i < 1e6; i++) {
      const local = start + i * 31_000_000; // ~1 year span
      acc += localToUtc(local, z) - utcToLocal(local, z);
    }
    expect(Number.isFinite(acc)).toBe(true);
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(H).toBeGreaterThan(0);
  });
});
