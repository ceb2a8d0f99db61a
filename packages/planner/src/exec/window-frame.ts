/**
 * Window frame boundaries. Everything here works on the operator's sorted
 * row order: partitions and peer groups are contiguous index ranges, so a
 * frame is [start, end) minus an optional exclusion, i.e. at most three
 * contiguous segments.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { Interval } from '../../../storage/src/types/values.js';
import { isInterval, MICROS_PER_DAY } from '../../../storage/src/types/values.js';
import type { Vector } from '../../../storage/src/vector.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { compareNumbers } from '../../../storage/src/kernels/compare.js';
import { addToTimestamp, addToTimestamptz, intervalMicros } from '../../../storage/src/functions/dt.js';

export type BoundKind = 'unbounded_preceding' | 'preceding' | 'current_row' | 'following' | 'unbounded_following';
export interface FrameBound {
  kind: BoundKind;
  /** For preceding/following: a constant evaluated by the planner (number, or Interval for RANGE over date/time keys). */
  offset?: number | Interval | null;
}
export interface FrameSpec {
  mode: 'rows' | 'range' | 'groups';
  start: FrameBound;
  end: FrameBound;
  exclude?: 'no others' | 'current row' | 'group' | 'ties';
}

/** PostgreSQL's default: RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW. */
export const DEFAULT_FRAME: FrameSpec = { mode: 'range', start: { kind: 'unbounded_preceding' }, end: { kind: 'current_row' } };

/** Partitions and peer groups of the sorted rows: group k spans [starts[k], starts[k+1]). */
export interface PartitionLayout {
  n: number;
  partOf: Int32Array;
  partStarts: Int32Array;
  peerOf: Int32Array;
  peerStarts: Int32Array;
}

/** The single ORDER BY key of a RANGE frame with offsets, in sorted order. */
export interface RangeKey {
  vector: Vector;
  desc: boolean;
  nullsFirst: boolean;
  timeZone: string;
}

const hasOffset = (b: FrameBound) => b.kind === 'preceding' || b.kind === 'following';

export function validateFrame(frame: FrameSpec): void {
  for (const [b, which] of [[frame.start, 'starting'], [frame.end, 'ending']] as const) {
    if (!hasOffset(b)) continue;
    const off = b.offset;
    if (off === null || off === undefined) throw new SqlError(SQLSTATE.nullValueNotAllowed, `frame ${which} offset must not be null`);
    if (frame.mode === 'range') {
      const neg = isInterval(off) ? intervalMicros(off) < 0 : typeof off === 'number' ? off < 0 || Number.isNaN(off) : Number(String(off)) < 0;
      if (neg) throw new SqlError(SQLSTATE.invalidPrecedingOrFollowingSize, 'invalid preceding or following size in window function');
    } else if (typeof off !== 'number' || off < 0) {
      throw new SqlError(SQLSTATE.invalidPrecedingOrFollowingSize, `frame ${which} offset must not be negative`);
    }
  }
}

/** True when every row's frame is its whole partition (aggregate once per partition). */
export function isWholePartition(frame: FrameSpec, hasOrderBy: boolean): boolean {
  if (frame.exclude && frame.exclude !== 'no others') return false;
  if (frame.start.kind !== 'unbounded_preceding') return false;
  if (frame.end.kind === 'unbounded_following') return true;
  // without ORDER BY every row is a peer of every other: RANGE/GROUPS … CURRENT ROW covers the partition
  return !hasOrderBy && frame.mode !== 'rows' && frame.end.kind === 'current_row';
}

/** Per row: frame start (inclusive) and end (exclusive), before exclusion. */
export function computeFrameBounds(layout: PartitionLayout, frame: FrameSpec, rangeKey: RangeKey | null): { start: Int32Array; end: Int32Array } {
  const { n, partOf, partStarts, peerOf, peerStarts } = layout;
  const start = new Int32Array(n);
  const end = new Int32Array(n);
  const needRange = frame.mode === 'range' && (hasOffset(frame.start) || hasOffset(frame.end));
  const rk = needRange ? rangeAccess(rangeKey) : null;

  for (let i = 0; i < n; i++) {
    const p = partOf[i]!;
    const ps = partStarts[p]!, pe = partStarts[p + 1]!;
    const g = peerOf[i]!;
    for (const which of [0, 1] as const) {
      const b = which === 0 ? frame.start : frame.end;
      let pos: number;
      switch (b.kind) {
        case 'unbounded_preceding': pos = ps; break;
        case 'unbounded_following': pos = pe; break;
        case 'current_row':
          if (frame.mode === 'rows') pos = which === 0 ? i : i + 1;
          else pos = which === 0 ? peerStarts[g]! : peerStarts[g + 1]!;
          break;
        default: {
          const following = b.kind === 'following';
          if (frame.mode === 'rows') {
            const k = b.offset as number;
            const row = following ? i + k : i - k;
            pos = which === 0 ? row : row + 1;
          } else if (frame.mode === 'groups') {
            const k = b.offset as number;
            const g0 = peerOf[ps]!, g1 = peerOf[pe - 1]!;
            const tg = following ? g + k : g - k;
            if (which === 0) pos = tg < g0 ? ps : tg > g1 ? pe : peerStarts[tg]!;
            else pos = tg < g0 ? ps : tg > g1 ? pe : peerStarts[tg + 1]!;
          } else {
            pos = rk!.position(i, ps, pe, b.offset!, following, which === 0);
          }
        }
      }
      if (pos < ps) pos = ps;
      if (pos > pe) pos = pe;
      if (which === 0) start[i] = pos;
      else end[i] = pos;
    }
  }
  return { start, end };
}

/**
 * The frame of row i as segments [out[2k], out[2k+1]); returns the segment
 * count. Exclusion splits the frame around the current row or its peers.
 */
export function frameSegments(layout: PartitionLayout, exclude: FrameSpec['exclude'], s: number, e: number, i: number, out: Int32Array): number {
  if (!exclude || exclude === 'no others') {
    if (s >= e) return 0;
    out[0] = s; out[1] = e;
    return 1;
  }
  let xa: number, xb: number, keep = -1;
  if (exclude === 'current row') { xa = i; xb = i + 1; }
  else {
    const g = layout.peerOf[i]!;
    xa = layout.peerStarts[g]!; xb = layout.peerStarts[g + 1]!;
    if (exclude === 'ties') keep = i;
  }
  let k = 0;
  const a1 = Math.min(e, xa);
  if (s < a1) { out[k++] = s; out[k++] = a1; }
  if (keep >= s && keep < e) { out[k++] = keep; out[k++] = keep + 1; }
  const b0 = Math.max(s, xb);
  if (b0 < e) { out[k++] = b0; out[k++] = e; }
  return k >> 1;
}

interface RangeAccess {
  position(i: number, ps: number, pe: number, offset: number | Interval, following: boolean, isStart: boolean): number;
}

/**
 * RANGE offset PRECEDING/FOLLOWING over one sort key. Keys become doubles
 * (dates and timestamps as µs) so a bound is a binary search. A NULL current
 * row's offset bounds select its NULL peers; a non-NULL row never reaches
 * NULL rows through an offset bound (PostgreSQL's update_frameheadpos).
 */
function rangeAccess(rk: RangeKey | null): RangeAccess {
  if (!rk) throw new SqlError(SQLSTATE.windowingError, 'RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column');
  const v = rk.vector;
  if (v.tag !== 'number') throw new SqlError(SQLSTATE.featureNotSupported, `RANGE with offset PRECEDING/FOLLOWING is not supported for column type ${v.type.id}`);
  const type: SqlType = v.type;
  const isDate = type.id === 'date';
  const vals = isDate ? v.values.map((d) => d * MICROS_PER_DAY) : v.values;
  const nulls = v.nulls;
  const isNull = (r: number) => nulls !== null && nulls[r] === 1;
  const dir = rk.desc ? -1 : 1;
  const shift = (x: number, off: number | Interval, sgn: 1 | -1): number => {
    if (typeof off === 'number') return x + sgn * off;
    if (type.id === 'timestamptz') return addToTimestamptz(x, off, rk.timeZone, sgn);
    if (type.id === 'time') return x + sgn * (off.days * MICROS_PER_DAY + off.micros);
    return addToTimestamp(x, off, sgn);
  };
  return {
    position(i, ps, pe, offset, following, isStart) {
      // non-NULL run of the partition
      let a = ps, b = pe;
      if (nulls !== null) {
        if (rk.nullsFirst) while (a < b && isNull(a)) a++;
        else while (b > a && isNull(b - 1)) b--;
      }
      if (isNull(i)) return rk.nullsFirst ? (isStart ? ps : a) : (isStart ? b : pe);
      // PRECEDING moves against the sort direction
      const sgn = ((following ? 1 : -1) * dir) as 1 | -1;
      const bound = shift(vals[i]!, offset, sgn);
      // first r in [a,b) with oriented(v[r], bound) >= 0 (start) or > 0 (end)
      let lo = a, hi = b;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const c = dir * compareNumbers(vals[mid]!, bound);
        if (isStart ? c < 0 : c <= 0) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    },
  };
}
