/**
 * Proleptic Gregorian calendar arithmetic on plain integers (no Date objects).
 * Years are astronomical: 0 = 1 BC, -1 = 2 BC.
 */
import { MICROS_PER_DAY } from './values.js';

/** Days since 1970-01-01 for y-m-d (month 1..12); out-of-range days roll over. */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Scratch result of civilFromDays (reused to avoid allocation on hot paths). */
export interface Ymd {
  y: number;
  m: number;
  d: number;
}

export function civilFromDays(z: number, out: Ymd = { y: 0, m: 0, d: 0 }): Ymd {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  out.y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  out.m = m;
  out.d = d;
  return out;
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const MDAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
export function daysInMonth(y: number, m: number): number {
  return m === 2 && isLeapYear(y) ? 29 : MDAYS[m - 1]!;
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

/** Day of year, 1-based. */
export function dayOfYear(y: number, m: number, d: number): number {
  return daysFromCivil(y, m, d) - daysFromCivil(y, 1, 1) + 1;
}

/** ISO 8601 week-numbering year and week of a day number. */
export function isoWeek(days: number): { isoYear: number; week: number } {
  const dow = (dayOfWeek(days) + 6) % 7; // Monday = 0
  const thursday = days - dow + 3;
  const { y } = civilFromDays(thursday);
  const jan1 = daysFromCivil(y, 1, 1);
  return { isoYear: y, week: Math.floor((thursday - jan1) / 7) + 1 };
}

/** Monday of ISO week 1 of an ISO year. */
export function isoYearStart(isoYear: number): number {
  const jan4 = daysFromCivil(isoYear, 1, 4);
  return jan4 - ((dayOfWeek(jan4) + 6) % 7);
}

/** Split µs into whole days (floor) and µs of the day. */
export function splitMicros(us: number): { days: number; tod: number } {
  const days = Math.floor(us / MICROS_PER_DAY);
  return { days, tod: us - days * MICROS_PER_DAY };
}

/** Julian day number of a day (days since 1970-01-01). */
export function julianDay(days: number): number {
  return days + 2440588;
}
