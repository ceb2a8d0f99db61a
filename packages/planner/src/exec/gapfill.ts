/**
 * TimescaleDB's GapFill node (tsl/src/nodes/gapfill/gapfill_exec.c, locf.c, interpolate.c),
 * row at a time over the aggregate's output sorted by (other group keys…, time bucket).
 *
 * Per group, with `next` starting at the aligned start:
 *   - a row before start is passed through;
 *   - a row at `next` is passed through and `next` advances one bucket;
 *   - otherwise, while next < finish, a gap row is emitted at `next` (time, the group's key
 *     values, NULL elsewhere) and `next` advances; then the row is passed through;
 *   - after the group's last row, gap rows fill up to finish.
 * Groups exist only where the data has rows: with other group keys and no rows there is no
 * output; with only the time bucket every bucket is emitted.
 *
 * locf: a passed-through row sets the carried value (NULL included, unless
 * treat_null_as_missing, where a NULL row takes the carried value instead); a gap row shows
 * the carried value; `prev` is evaluated for a gap row at start when nothing is carried yet.
 * interpolate: a passed-through row keeps its value; a gap row is
 * y = (y0·(x1−x) + y1·(x−x0)) / (x1−x0) between the last passed-through row and the next
 * fetched row of the group (NULL if either is missing or NULL); `before` is looked up for a gap
 * row at start, `after` for gap rows after the group's last row. Integer results round half
 * away from zero (TimescaleDB computes in numeric); floats with y0 = y1 return y0.
 */
import { T } from '../../../storage/src/types/sql-type.js';
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { Interval, Value } from '../../../storage/src/types/values.js';
import { MICROS_PER_DAY } from '../../../storage/src/types/values.js';
import type { Batch } from '../../../storage/src/vector.js';
import { getValue, vectorFromValues } from '../../../storage/src/vector.js';
import type { CompiledExpr, EvalContext, ExprNode } from '../../../storage/src/expr/expr.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import type { GapfillBound, GapfillMarker } from '../plan/nodes.js';
import { compileExpr } from './deps.js';
import type { BatchSource } from './types.js';
import { collectRows, rowsToBatch } from './rows.js';
import { chunks } from './batch.js';

export interface GapfillSpec {
  inputTypes: SqlType[];
  types: SqlType[];
  timeIndex: number;
  groupIndexes: number[];
  bucket: Extract<ExprNode, { k: 'call' }>;
  start: GapfillBound[];
  finish: GapfillBound[];
  advanceFn?: string;
  advanceType: SqlType;
  markers: GapfillMarker[];
}

interface Sample {
  time: number;
  value: Value;
}

const HINT = 'Specify start and finish as arguments or in the WHERE clause.';
const invalid = (msg: string, hint?: string) => new SqlError(SQLSTATE.invalidParameterValue, `invalid time_bucket_gapfill argument: ${msg}`, hint ? { hint } : {});

function keyOf(v: Value): string {
  if (v === null) return '\u0000';
  if (typeof v === 'object') return `o${JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x))}`;
  return `${typeof v}:${String(v)}`;
}

/** round(n / d) half away from zero, exactly */
function divRound(n: bigint, d: bigint): bigint {
  if (d === 0n) throw new SqlError('22012', 'division by zero');
  if (d < 0n) [n, d] = [-n, -d];
  const q = n / d;
  const r = n % d;
  const twice = (r < 0n ? -r : r) * 2n;
  return twice >= d ? q + (n < 0n ? -1n : 1n) : q;
}

function interpolate(x: number, p: Sample, n: Sample, type: SqlType): Value {
  const [x0, x1] = [p.time, n.time];
  const [y0, y1] = [p.value as number, n.value as number];
  switch (type.id) {
    case 'int2':
    case 'int4':
    case 'int8': {
      const num = BigInt(y0) * BigInt(x1 - x) + BigInt(y1) * BigInt(x - x0);
      return Number(divRound(num, BigInt(x1 - x0)));
    }
    case 'float4': {
      if (y0 === y1) return y0;
      const f = Math.fround;
      return f(f(f(y0 * f(x1 - x)) + f(y1 * f(x - x0))) / f(x1 - x0));
    }
    default:
      if (y0 === y1) return y0;
      return (y0 * (x1 - x) + y1 * (x - x0)) / (x1 - x0);
  }
}

export function gapfillOp(input: BatchSource, spec: GapfillSpec): BatchSource {
  const W = spec.inputTypes.length;
  const compileOpt = (e?: ExprNode) => (e ? compileExpr(e) : undefined);
  const lookups = spec.markers.map((m) => ({
    prev: compileOpt(m.prev),
    before: m.before ? { time: compileExpr(m.before.time), value: compileExpr(m.before.value) } : undefined,
    after: m.after ? { time: compileExpr(m.after.time), value: compileExpr(m.after.value) } : undefined,
  }));
  const tsType = spec.bucket.args[1]!.type;

  return function* gapfill(ctx: EvalContext): Generator<Batch> {
    const evalConst = (e: ExprNode): Value => getValue(compileExpr(e)({ length: 1, columns: [] }, ctx), 0);
    const evalOn = (f: CompiledExpr, row: Value[]): Value => getValue(f(rowsToBatch([row], spec.inputTypes), ctx), 0);

    const bucketAt = (v: number): Value => evalConst({ ...spec.bucket, args: [spec.bucket.args[0]!, { k: 'const', type: tsType, value: v }, ...spec.bucket.args.slice(2)] });
    // bucket width
    const width = evalConst(spec.bucket.args[0]!);
    if (width === null) throw invalid('bucket_width cannot be NULL');
    let advance: (t: number) => number;
    if (typeof width === 'number') {
      if (width <= 0) throw invalid('bucket_width must be greater than 0');
      advance = (t) => t + width;
    } else {
      const iv = width as Interval;
      if (iv.micros < 0 || iv.days < 0 || iv.months < 0 || iv.micros + iv.days + iv.months === 0) throw invalid('bucket_width must be greater than 0');
      const zoned = spec.bucket.args.length > 2;
      const isDate = spec.advanceType.id === 'date';
      if (zoned) {
        // the next boundary of time_bucket(width, ts, zone): probe from this bucket's shortest possible
        // length (28-day months, 23-hour days) in steps shorter than any bucket, then align.
        // TimescaleDB 2.13 added the width in UTC / the session zone instead, which leaves
        // time_bucket's grid across DST changes (timescale/timescaledb#6344, #6788, fixed later).
        const nominal = (iv.months * 28 + iv.days) * MICROS_PER_DAY + iv.micros;
        const hour = 3_600_000_000;
        const stride = Math.max(1, Math.min(hour, Math.floor(nominal / 2)));
        advance = (t) => {
          let probe = t + Math.max(1, nominal - hour);
          for (let i = 0; i < 10_000; i++, probe += stride) {
            const b = bucketAt(probe) as number;
            if (b > t) return b;
          }
          return t;
        };
      } else if (iv.months === 0) {
        const step = iv.days * MICROS_PER_DAY + iv.micros;
        advance = isDate ? (t) => Math.floor((t * MICROS_PER_DAY + step) / MICROS_PER_DAY) : (t) => t + step;
      } else {
        // month widths: timestamp + interval (UTC for timestamptz, as time_bucket buckets it)
        const plus = compileExpr({
          k: 'call',
          type: isDate ? T.timestamp : spec.advanceType,
          fn: spec.advanceFn!,
          args: [{ k: 'col', type: spec.advanceType, index: 0 }, { k: 'const', type: T.interval, value: iv }],
        });
        advance = (t) => {
          const r = getValue(plus({ length: 1, columns: [vectorFromValues(spec.advanceType, [t])] }, ctx), 0) as number;
          return isDate ? Math.floor(r / MICROS_PER_DAY) : r;
        };
      }
    }
    const bound = (bounds: GapfillBound[], which: 'start' | 'finish'): number => {
      const vals = bounds.map((b) => {
        const v = evalConst(b.expr);
        if (v === null) throw invalid(`${which} cannot be NULL`, HINT);
        return (v as number) + (b.plusOne ? 1 : 0);
      });
      return which === 'start' ? Math.max(...vals) : Math.min(...vals);
    };
    // start is aligned with the bucket grid; finish (exclusive) is not
    const rawStart = bound(spec.start, 'start');
    const aligned = bucketAt(rawStart);
    if (aligned === null) throw invalid('start cannot be NULL', HINT);
    const start = aligned as number;
    const end = bound(spec.finish, 'finish');

    const rows = collectRows(input, ctx);
    const out: Value[][] = [];
    const sampleOf = (t: number, v: Value): Sample | null => (v === null ? null : { time: t, value: v });
    const fetchSample = (l: { time: CompiledExpr; value: CompiledExpr }, row: Value[]): Sample | null => {
      const t = evalOn(l.time, row);
      const v = evalOn(l.value, row);
      return t === null || v === null ? null : { time: t as number, value: v };
    };
    const timeOf = (r: Value[]): number => {
      const t = r[spec.timeIndex];
      if (t === null || t === undefined) throw invalid('ts cannot be NULL');
      return t as number;
    };

    const fillGroup = (group: Value[][]) => {
      const locf = spec.markers.map(() => ({ value: null as Value, isNull: true }));
      const prev: (Sample | null)[] = spec.markers.map(() => null);
      const next: (Sample | null)[] = spec.markers.map(() => null);
      const keyRow = group[0];
      let fetchedLast = false;
      const gap = (t: number) => {
        const row: Value[] = new Array(W).fill(null);
        row[spec.timeIndex] = t;
        if (keyRow) for (const i of spec.groupIndexes) row[i] = keyRow[i]!;
        const vals = spec.markers.map((m, j): Value => {
          const l = lookups[j]!;
          if (m.kind === 'locf') {
            if (locf[j]!.isNull && l.prev && t === start) {
              const v = evalOn(l.prev, row);
              locf[j] = { value: v, isNull: v === null };
            }
            return locf[j]!.isNull ? null : locf[j]!.value;
          }
          if (!prev[j] && l.before && t === start) prev[j] = fetchSample(l.before, row);
          if (!next[j] && l.after && fetchedLast) next[j] = fetchSample(l.after, row);
          return prev[j] && next[j] ? interpolate(t, prev[j]!, next[j]!, m.type) : null;
        });
        out.push([...row, ...vals]);
      };
      const pass = (r: Value[], t: number) => {
        const vals = spec.markers.map((m, j): Value => {
          const v = r[m.argIndex] ?? null;
          if (m.kind === 'locf') {
            if (v === null && m.treatNullAsMissing) {
              const l = lookups[j]!;
              if (locf[j]!.isNull && l.prev && t === start) {
                const pv = evalOn(l.prev, r.slice(0, W));
                locf[j] = { value: pv, isNull: pv === null };
              }
              return locf[j]!.isNull ? null : locf[j]!.value;
            }
            locf[j] = { value: v, isNull: v === null };
            return v;
          }
          next[j] = null;
          prev[j] = sampleOf(t, v);
          return v;
        });
        out.push([...r.slice(0, W), ...vals]);
      };
      let cur = start;
      for (const r of group) {
        const t = timeOf(r);
        spec.markers.forEach((m, j) => {
          if (m.kind === 'interpolate') next[j] = sampleOf(t, r[m.argIndex] ?? null);
        });
        for (;;) {
          if (t < start) break;
          if (t === cur) {
            cur = advance(cur);
            break;
          }
          if (cur < end) {
            gap(cur);
            cur = advanceChecked(cur);
            continue;
          }
          break;
        }
        pass(r, t);
      }
      fetchedLast = true;
      while (cur < end) {
        gap(cur);
        cur = advanceChecked(cur);
      }
    };
    const advanceChecked = (t: number): number => {
      const n = advance(t);
      if (!(n > t)) throw invalid('bucket_width must be greater than 0');
      return n;
    };

    if (spec.groupIndexes.length === 0) {
      fillGroup(rows);
    } else {
      let i = 0;
      while (i < rows.length) {
        const key = spec.groupIndexes.map((c) => keyOf(rows[i]![c]!)).join('\u0001');
        let j = i + 1;
        while (j < rows.length && spec.groupIndexes.map((c) => keyOf(rows[j]![c]!)).join('\u0001') === key) j++;
        fillGroup(rows.slice(i, j));
        i = j;
      }
    }
    if (out.length > 0) yield* chunks(rowsToBatch(out, spec.types));
  };
}
