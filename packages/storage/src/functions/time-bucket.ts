/**
 * SQL signatures of TimescaleDB's time_bucket (all variants) and PostgreSQL's
 * date_bin over the arithmetic in types/time-bucket.ts, plus a vector path for
 * the common shape: a constant fixed-width interval over a column.
 * `time_bucket_offset` is the name the binder uses for `offset => …` calls.
 */
import type { Interval, Value } from '../types/values.js';
import { MICROS_PER_DAY, PG_EPOCH_MICROS } from '../types/values.js';
import {
  dateBin, timeBucketDate, timeBucketDateOffset, timeBucketInt, timeBucketTimestamp, timeBucketTimestampOffset, timeBucketTimestamptz,
  timeBucketTimestamptzOffset, timeBucketTimestamptzZone,
} from '../types/time-bucket.js';
import type { NumberVector } from '../vector.js';
import { fn, type ScalarFn, type VectorFn } from './catalog.js';
import type { IntKind } from './util.js';
import { constantValue, rowwise, unionNulls } from './vector-kernels.js';

const DEFAULT_ORIGIN = PG_EPOCH_MICROS + 2 * MICROS_PER_DAY; // 2000-01-03, TimescaleDB's default

const n = (v: Value): number => v as number;
const ivl = (v: Value): Interval => v as Interval;

/**
 * Constant fixed-width interval (and constant origin, if any) over a number
 * column: floor((t - origin) / period) * period + origin per row. Month widths,
 * sub-day widths on dates and anything else go through the scalar function.
 */
function bucketVector(scalar: ScalarFn, dates: boolean): VectorFn {
  const fallback = rowwise(scalar);
  return (args, length, ctx, rt) => {
    const w = constantValue(args[0]!) as Interval | undefined;
    const col = args[1]!;
    const origin = args.length > 2 ? constantValue(args[2]!) : undefined;
    if (!w || w.months !== 0 || col.tag !== 'number' || (args.length > 2 && origin === undefined)) return fallback(args, length, ctx, rt);
    const period = w.days * MICROS_PER_DAY + w.micros;
    if (period <= 0 || (dates && period % MICROS_PER_DAY !== 0)) return fallback(args, length, ctx, rt);
    let o = DEFAULT_ORIGIN;
    if (origin !== undefined) {
      if (!Number.isFinite(origin as number)) return fallback(args, length, ctx, rt);
      o = dates ? (origin as number) * MICROS_PER_DAY : (origin as number);
    }
    const shift = o % period;
    const out = new Float64Array(length);
    const x = col.values;
    for (let i = 0; i < length; i++) {
      const v = dates ? x[i]! * MICROS_PER_DAY : x[i]!;
      if (!Number.isFinite(v)) out[i] = x[i]!;
      else {
        const r = Math.floor((v - shift) / period) * period + shift;
        out[i] = dates ? Math.floor(r / MICROS_PER_DAY) : r;
      }
    }
    const res: NumberVector = { tag: 'number', type: rt, length, values: out, nulls: col.nulls };
    return res;
  };
}

const both = ['time_bucket', 'time_bucket_offset'];
function def(sig: string, scalar: ScalarFn, opts: { vector?: 'ts' | 'date'; names?: string[]; stable?: boolean } = {}): void {
  for (const name of opts.names ?? ['time_bucket']) {
    fn(name + sig, scalar, {
      volatility: opts.stable ? 'stable' : 'immutable',
      ...(opts.vector ? { vector: bucketVector(scalar, opts.vector === 'date') } : {}),
    });
  }
}

def('(interval, timestamp) -> timestamp', (a) => timeBucketTimestamp(ivl(a[0]!), n(a[1]!)), { vector: 'ts' });
def('(interval, timestamp, timestamp) -> timestamp', (a) => timeBucketTimestamp(ivl(a[0]!), n(a[1]!), n(a[2]!)), { vector: 'ts' });
def('(interval, timestamp, interval) -> timestamp', (a) => timeBucketTimestampOffset(ivl(a[0]!), n(a[1]!), ivl(a[2]!)), { names: both });
// without a zone argument timestamptz buckets are computed in UTC, as TimescaleDB does
def('(interval, timestamptz) -> timestamptz', (a) => timeBucketTimestamptz(ivl(a[0]!), n(a[1]!)), { vector: 'ts' });
def('(interval, timestamptz, timestamptz) -> timestamptz', (a) => timeBucketTimestamptz(ivl(a[0]!), n(a[1]!), n(a[2]!)), { vector: 'ts' });
def('(interval, timestamptz, interval) -> timestamptz', (a, ctx) => timeBucketTimestamptzOffset(ivl(a[0]!), n(a[1]!), ivl(a[2]!), ctx.settings.timeZone), {
  names: both,
  stable: true,
});
def('(interval, date) -> date', (a) => timeBucketDate(ivl(a[0]!), n(a[1]!)), { vector: 'date' });
def('(interval, date, date) -> date', (a) => timeBucketDate(ivl(a[0]!), n(a[1]!), n(a[2]!)), { vector: 'date' });
def('(interval, date, interval) -> date', (a) => timeBucketDateOffset(ivl(a[0]!), n(a[1]!), ivl(a[2]!)), { names: both });

// the timezone variants: bucket the wall clock of that zone
def('(interval, timestamptz, text) -> timestamptz', (a) => timeBucketTimestamptzZone(ivl(a[0]!), n(a[1]!), a[2] as string));
def('(interval, timestamptz, text, timestamptz) -> timestamptz', (a) => timeBucketTimestamptzZone(ivl(a[0]!), n(a[1]!), a[2] as string, n(a[3]!)));
def('(interval, timestamptz, text, interval) -> timestamptz', (a) => timeBucketTimestamptzZone(ivl(a[0]!), n(a[1]!), a[2] as string, null, ivl(a[3]!)));
// TimescaleDB's full signature has origin and offset defaulting to NULL, so those may be NULL here
fn('time_bucket(interval, timestamptz, text, timestamptz, interval) -> timestamptz', (a) => {
  if (a[0] === null || a[1] === null) return null;
  return timeBucketTimestamptzZone(ivl(a[0]), n(a[1]), a[2] as string | null, a[3] as number | null, a[4] as Interval | null);
}, { strict: false });

// integer widths: floor((ts - offset) / width) * width + offset
for (const t of ['int2', 'int4', 'int8'] as IntKind[]) {
  const two: ScalarFn = (a) => timeBucketInt(n(a[0]!), n(a[1]!), 0, t);
  const fallback = rowwise(two);
  fn(`time_bucket(${t}, ${t}) -> ${t}`, two, {
    vector: (args, length, ctx, rt) => {
      const w = args[0]!;
      const col = args[1]!;
      if (w.tag !== 'number' || col.tag !== 'number') return fallback(args, length, ctx, rt);
      const nulls = unionNulls(w.nulls, col.nulls, length);
      const out = new Float64Array(length);
      for (let i = 0; i < length; i++) if (nulls === null || nulls[i] === 0) out[i] = timeBucketInt(w.values[i]!, col.values[i]!, 0, t);
      const res: NumberVector = { tag: 'number', type: rt, length, values: out, nulls };
      return res;
    },
  });
  for (const name of both) fn(`${name}(${t}, ${t}, ${t}) -> ${t}`, (a) => timeBucketInt(n(a[0]!), n(a[1]!), n(a[2]!), t));
}

fn('date_bin(interval, timestamp, timestamp) -> timestamp', (a) => dateBin(ivl(a[0]!), n(a[1]!), n(a[2]!)));
fn('date_bin(interval, timestamptz, timestamptz) -> timestamptz', (a) => dateBin(ivl(a[0]!), n(a[1]!), n(a[2]!)));
