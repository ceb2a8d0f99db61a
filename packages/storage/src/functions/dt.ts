/**
 * The calendar, zone and interval arithmetic the function modules use, as thin
 * wrappers over ../types (calendar, timezone, interval, datetime) so that the
 * catalog computes exactly what casts and text I/O compute.
 *
 * Zone arguments: a session's FormatContext (SET TIME ZONE rules), or a zone
 * name given in SQL (AT TIME ZONE rules, abbreviations allowed).
 */
import { civilFromDays as civil, daysFromCivil, daysInMonth, isLeapYear } from '../types/calendar.js';
import type { ZoneArg } from '../types/datetime.js';
import { resolveZone, timestampPlusInterval, timestamptzPlusInterval } from '../types/datetime.js';
import {
  addIntervals, compareIntervals, divInterval, justifyDays, justifyHours, justifyInterval, mulInterval, negInterval, subIntervals,
} from '../types/interval.js';
import { getTimeZone, localToUtc as tzLocalToUtc, utcToLocal as tzUtcToLocal } from '../types/timezone.js';
import type { Interval } from '../types/values.js';
import { MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND } from '../types/values.js';

export type { ZoneArg };
export { daysFromCivil, daysInMonth, justifyDays, justifyHours, justifyInterval };
export { MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND };

export function civilFromDays(z: number): { y: number; m: number; d: number } {
  const r = civil(z);
  return { y: r.y, m: r.m, d: r.d };
}

export const isLeap = isLeapYear;

export function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

export function mod(a: number, b: number): number {
  const r = a % b;
  return r < 0 ? r + b : r;
}

/** Throws 22023 `time zone "x" not recognized` for an unknown zone name. */
export function checkZone(zone: string): void {
  getTimeZone(zone, true);
}

export function utcToLocal(utc: number, zone: ZoneArg): number {
  return Number.isFinite(utc) ? tzUtcToLocal(utc, resolveZone(zone)) : utc;
}

export function localToUtc(local: number, zone: ZoneArg): number {
  return Number.isFinite(local) ? tzLocalToUtc(local, resolveZone(zone)) : local;
}

const negate = (iv: Interval): Interval => negInterval(iv);

/** Wall-clock timestamp ± interval (months clamp the day of month). */
export function addToTimestamp(ts: number, iv: Interval, sign = 1): number {
  return timestampPlusInterval(ts, sign < 0 ? negate(iv) : iv);
}

/** timestamptz ± interval: months and days move the wall clock in `zone`, the time part the instant. */
export function addToTimestamptz(tstz: number, iv: Interval, zone: ZoneArg, sign = 1): number {
  return timestamptzPlusInterval(tstz, sign < 0 ? negate(iv) : iv, zone);
}

export const intervalCmp = compareIntervals;

export function intervalAdd(a: Interval, b: Interval, sign = 1): Interval {
  return sign < 0 ? subIntervals(a, b) : addIntervals(a, b);
}

export const intervalMul = mulInterval;
export const intervalDiv = divInterval;

/** An interval as µs with a month as 30 days (interval_cmp_value; window frame offsets, generate_series steps). */
export function intervalMicros(iv: Interval): number {
  return (iv.months * 30 + iv.days) * MICROS_PER_DAY + iv.micros;
}
