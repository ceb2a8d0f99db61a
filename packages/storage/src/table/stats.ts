/**
 * Per-batch and per-chunk column statistics for chunk and batch exclusion.
 * Bounds cover every stored row, deleted ones included, so they are conservative
 * for any snapshot.
 */
import type { Value } from '../types/values.js';
import type { ColData, ColumnLayout } from './layout.js';

export interface ColumnStats {
  /**
   * Smallest / largest non-NULL value: numbers for number types (NaN excluded),
   * strings for text (JS code-unit order), booleans for bool. null when the
   * column has no such value or the type keeps no bounds (numeric, interval,
   * json, arrays): check `ordered`.
   */
  readonly min: number | string | boolean | null;
  readonly max: number | string | boolean | null;
  readonly nullCount: number;
  /** PostgreSQL sorts NaN above every number; min/max leave it out, so a range test must consult this. */
  readonly hasNaN: boolean;
  /** false when min/max are not maintained for the type; never exclude on bounds then. */
  readonly ordered: boolean;
}

export interface BatchStats {
  /** Stored rows, deleted ones included. */
  readonly rowCount: number;
  /** Approximate bytes of column data. */
  readonly bytes: number;
  /** Stats of a column by id; undefined only for ids unknown to the table. */
  column(id: number): ColumnStats | undefined;
}

export const UNORDERED_EMPTY: ColumnStats = Object.freeze({ min: null, max: null, nullCount: 0, hasNaN: false, ordered: false });

export function computeColStats(c: ColData, from: number, to: number): ColumnStats {
  switch (c.kind) {
    case 'num':
      return c.nulls === null ? numStatsDense(c.values, from, to) : numStatsNullable(c.values, c.nulls, from, to);
    case 'bool': {
      let t = false;
      let f = false;
      let nulls = 0;
      for (let i = from; i < to; i++) {
        if (c.nulls !== null && c.nulls[i] === 1) nulls++;
        else if (c.values[i] === 1) t = true;
        else f = true;
      }
      return { min: f ? false : t ? true : null, max: t ? true : f ? false : null, nullCount: nulls, hasNaN: false, ordered: true };
    }
    case 'dict': {
      const codes = c.codes;
      const dict = c.dict.values;
      const nl = c.nulls;
      // Rows cycling through many values (a tag per host) would compare strings per row:
      // mark the codes present, then compare each distinct string once.
      if (to - from >= 64 && dict.length <= 4 * (to - from)) return dictStatsByCode(codes, dict, nl, from, to);
      let min: string | null = null;
      let max: string | null = null;
      let nulls = 0;
      let last = -1;
      for (let i = from; i < to; i++) {
        if (nl !== null && nl[i] === 1) {
          nulls++;
          continue;
        }
        const code = codes[i]!;
        if (code === last) continue;
        last = code;
        const s = dict[code]!;
        if (min === null || s < min) min = s;
        if (max === null || s > max) max = s;
      }
      return { min, max, nullCount: nulls, hasNaN: false, ordered: true };
    }
    default: {
      let nulls = 0;
      for (let i = from; i < to; i++) if (c.values[i] === null || c.values[i] === undefined) nulls++;
      return { min: null, max: null, nullCount: nulls, hasNaN: false, ordered: false };
    }
  }
}

function dictStatsByCode(codes: Int32Array, dict: readonly string[], nl: Uint8Array | null, from: number, to: number): ColumnStats {
  const present = new Uint8Array(dict.length);
  let nulls = 0;
  if (nl === null) for (let i = from; i < to; i++) present[codes[i]!] = 1;
  else {
    for (let i = from; i < to; i++) {
      if (nl[i] === 1) nulls++;
      else present[codes[i]!] = 1;
    }
  }
  let min: string | null = null;
  let max: string | null = null;
  for (let code = 0; code < present.length; code++) {
    if (present[code] === 0) continue;
    const s = dict[code]!;
    if (min === null || s < min) min = s;
    if (max === null || s > max) max = s;
  }
  return { min, max, nullCount: nulls, hasNaN: false, ordered: true };
}

export // Separate, monomorphic loops: this runs over every appended value.
function numStatsDense(v: Float64Array, from: number, to: number): ColumnStats {
  let min = Infinity;
  let max = -Infinity;
  let nan = false;
  for (let i = from; i < to; i++) {
    const x = v[i]!;
    if (x < min) min = x;
    if (x > max) max = x;
    if (x !== x) nan = true;
  }
  // NaN fails every comparison, so min <= max exactly when a non-NaN value was seen.
  const seen = min <= max;
  return { min: seen ? min : null, max: seen ? max : null, nullCount: 0, hasNaN: nan, ordered: true };
}

function numStatsNullable(v: Float64Array, nl: Uint8Array, from: number, to: number): ColumnStats {
  let min = Infinity;
  let max = -Infinity;
  let nulls = 0;
  let nan = false;
  for (let i = from; i < to; i++) {
    if (nl[i] === 1) {
      nulls++;
      continue;
    }
    const x = v[i]!;
    if (x < min) min = x;
    if (x > max) max = x;
    if (x !== x) nan = true;
  }
  const seen = min <= max;
  return { min: seen ? min : null, max: seen ? max : null, nullCount: nulls, hasNaN: nan, ordered: true };
}

export function mergeColStats(a: ColumnStats, b: ColumnStats): ColumnStats {
  if (!a.ordered || !b.ordered) {
    return { min: null, max: null, nullCount: a.nullCount + b.nullCount, hasNaN: a.hasNaN || b.hasNaN, ordered: false };
  }
  return {
    min: a.min === null ? b.min : b.min === null ? a.min : b.min < a.min ? b.min : a.min,
    max: a.max === null ? b.max : b.max === null ? a.max : b.max > a.max ? b.max : a.max,
    nullCount: a.nullCount + b.nullCount,
    hasNaN: a.hasNaN || b.hasNaN,
    ordered: true,
  };
}

/** Stats of `n` rows that all hold `v` (a column added after the rows were written). */
export function constantColStats(layout: ColumnLayout, v: Value, n: number): ColumnStats {
  if (v === null) return { min: null, max: null, nullCount: n, hasNaN: false, ordered: layout.kind !== 'obj' && layout.kind !== 'str' };
  if (layout.kind === 'num') {
    const x = v as number;
    if (x !== x) return { min: null, max: null, nullCount: 0, hasNaN: true, ordered: true };
    return { min: x, max: x, nullCount: 0, hasNaN: false, ordered: true };
  }
  if (layout.kind === 'bool' || layout.kind === 'dict') {
    const x = layout.kind === 'bool' ? Boolean(v) : String(v);
    return { min: x, max: x, nullCount: 0, hasNaN: false, ordered: true };
  }
  return { min: null, max: null, nullCount: 0, hasNaN: false, ordered: false };
}

/**
 * Immutable stats of one batch: a column map plus a fallback for columns the
 * batch predates (their rows read as the column's fill value).
 */
export class BatchStatsImpl implements BatchStats {
  constructor(
    readonly rowCount: number,
    readonly bytes: number,
    readonly cols: ReadonlyMap<number, ColumnStats>,
    private readonly missing: ((id: number, rows: number) => ColumnStats | undefined) | null = null,
  ) {}

  column(id: number): ColumnStats | undefined {
    return this.cols.get(id) ?? this.missing?.(id, this.rowCount);
  }

  withMissing(missing: (id: number, rows: number) => ColumnStats | undefined): BatchStatsImpl {
    return new BatchStatsImpl(this.rowCount, this.bytes, this.cols, missing);
  }
}

export function mergeBatchStats(parts: readonly BatchStats[], ids: readonly number[]): BatchStatsImpl {
  let rows = 0;
  let bytes = 0;
  const cols = new Map<number, ColumnStats>();
  for (const p of parts) {
    rows += p.rowCount;
    bytes += p.bytes;
    for (const id of ids) {
      const s = p.column(id);
      if (s === undefined) continue;
      const prev = cols.get(id);
      cols.set(id, prev === undefined ? s : mergeColStats(prev, s));
    }
  }
  return new BatchStatsImpl(rows, bytes, cols);
}
