/**
 * Batch router: groups a batch's rows by the chunk TimescaleDB would put them in
 * (open time slice × closed space slice), without building an object per row.
 *
 * Per row it computes an int32 chunk id: the time slice comes from the last
 * slice seen (rows usually arrive in time order) or a Map keyed by slice start,
 * each slice holding a small Int32Array of chunk ids indexed by space slice.
 * A counting sort by id then lays the row indexes out chunk by chunk in one
 * Int32Array, which `rowsByChunk` views without copying.
 *
 * Semantics (timescaledb src/dimension.c ts_hyperspace_calculate_point,
 * src/partitioning.c ts_partitioning_func_apply_slot):
 *  - a NULL time value raises 23502 `NULL value in column "…" violates not-null
 *    constraint` — the whole batch fails, as the statement would;
 *  - a NULL space value is not hashed: its coordinate is 0, i.e. space slice 0;
 *  - the space coordinate is the type's PostgreSQL hash & 0x7fffffff
 *    (ts_get_partition_hash, the default partitioning function in 2.x).
 */
import { SqlError, SQLSTATE } from '../errors.js';
import type { Value } from '../types/values.js';
import type { Vector } from '../vector.js';
import { closedSliceInterval, DEFAULT_CHUNK_TIME_INTERVAL, nullTimeError, openSliceFor, timeValueToInternal, type TimeColumnType } from './dimension.js';
import { hashbool, hashDictionary, hashFloat8Column, hashfloat4, hashInt4Column, hashInt8Column, hashtime, hashTimestampColumn, hashdate, pgHashFunction } from './hash.js';

export interface ChunkKey {
  /** Open time slice [timeStart, timeEnd) in internal units (Unix µs for timestamp types); ±Infinity for MINVALUE/MAXVALUE. */
  timeStart: number;
  timeEnd: number;
  /** Closed slice ordinal 0..numPartitions-1 (0 without a space dimension). */
  spaceIndex: number;
}

export interface RoutedBatch {
  /** Distinct chunks, in order of first appearance in the batch. */
  chunkKeys: ChunkKey[];
  /** Row indexes per chunk, ascending; views into one shared buffer. */
  rowsByChunk: Int32Array[];
  /** Chunk id (index into chunkKeys) of every row. */
  chunkOfRow: Int32Array;
}

export interface RouteSpec {
  /** Time column name, for the NOT NULL error. */
  timeColumn: string;
  /** chunk_time_interval in internal units; defaults to 7 days for time types. */
  chunkInterval?: number;
  /** Number of closed slices of the space dimension; ignored without a space column. */
  numPartitions?: number;
}

const TIME_TYPES = new Set<string>(['timestamptz', 'timestamp', 'date', 'int2', 'int4', 'int8']);

function timeType(v: Vector): TimeColumnType {
  const id = v.type.id;
  if (!TIME_TYPES.has(id)) throw new SqlError(SQLSTATE.datatypeMismatch, `invalid type for dimension "${id}"`);
  return id as TimeColumnType;
}

/** Internal time values of the time column: a copy only when the type needs converting or the layout is not numeric. */
function internalTimes(time: Vector, type: TimeColumnType, column: string, n: number): Float64Array {
  if (time.tag === 'number') {
    if (time.nulls !== null) {
      const nl = time.nulls;
      for (let i = 0; i < n; i++) if (nl[i] === 1) throw nullTimeError(column);
    }
    const src = time.values;
    if (type === 'date') {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = timeValueToInternal(src[i]!, 'date');
      return out;
    }
    return src;
  }
  if (time.tag === 'object') {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const x = time.values[i];
      if (x === null || x === undefined) throw nullTimeError(column);
      out[i] = timeValueToInternal(x as number, type);
    }
    return out;
  }
  throw new SqlError(SQLSTATE.datatypeMismatch, `invalid type for dimension "${type}"`);
}

/** PostgreSQL hash per row for the space column; NULL rows get coordinate 0 via `nulls`. */
function spaceHashes(space: Vector, n: number): Int32Array {
  const id = space.type.id;
  switch (space.tag) {
    case 'dict': {
      const dh = hashDictionary(space.dict, id === 'bpchar');
      const out = new Int32Array(n);
      const codes = space.codes;
      for (let i = 0; i < n; i++) out[i] = dh[codes[i]!]!;
      return out;
    }
    case 'number': {
      const v = space.values;
      switch (id) {
        case 'int2': case 'int4': case 'oid': case 'regclass': return hashInt4Column(v, n);
        case 'int8': return hashInt8Column(v, n);
        case 'float8': return hashFloat8Column(v, n);
        case 'timestamp': case 'timestamptz': return hashTimestampColumn(v, n);
        default: {
          const f = id === 'float4' ? hashfloat4 : id === 'date' ? hashdate : id === 'time' ? hashtime : null;
          if (f === null) throw noHash(id);
          const out = new Int32Array(n);
          for (let i = 0; i < n; i++) out[i] = f(v[i]!);
          return out;
        }
      }
    }
    case 'bool': {
      const out = new Int32Array(n);
      const h0 = hashbool(false);
      const h1 = hashbool(true);
      for (let i = 0; i < n; i++) out[i] = space.values[i] === 1 ? h1 : h0;
      return out;
    }
    case 'object': {
      const f = pgHashFunction(id);
      if (f === null) throw noHash(id);
      const out = new Int32Array(n);
      // strings not dictionary-encoded: hash each distinct one once
      const seen = new Map<Value, number>();
      for (let i = 0; i < n; i++) {
        const x = space.values[i] ?? null;
        if (x === null) continue;
        let h = typeof x === 'string' ? seen.get(x) : undefined;
        if (h === undefined) {
          h = f(x);
          if (typeof x === 'string') seen.set(x, h);
        }
        out[i] = h;
      }
      return out;
    }
  }
}

function noHash(type: string): SqlError {
  return new SqlError(SQLSTATE.undefinedFunction, `could not find hash function for type ${type}`);
}

/** Slice ordinal of a hash: floor((hash & 0x7fffffff) / interval), capped at the last slice. */
function sliceOfHash(h: number, interval: number, last: number): number {
  const s = Math.floor((h & 0x7fffffff) / interval);
  return s < last ? s : last;
}

/**
 * Space slice per dictionary entry, per dictionary array and slice count. Entries are
 * only ever appended to a dictionary array (a chunk's live one grows), so a cached
 * list is extended, never recomputed; an Arrow dictionary reused by every part of a
 * load is hashed once for the whole load.
 */
const dictSlices = new WeakMap<readonly string[], Map<number, Int32Array>>();

function slicesOfDictionary(dict: readonly string[], bpchar: boolean, numPartitions: number): Int32Array {
  const key = bpchar ? -numPartitions : numPartitions;
  let byCount = dictSlices.get(dict);
  if (byCount === undefined) dictSlices.set(dict, (byCount = new Map()));
  const have = byCount.get(key);
  if (have !== undefined && have.length === dict.length) return have;
  const from = have?.length ?? 0;
  const out = new Int32Array(dict.length);
  if (have !== undefined) out.set(have);
  const hashes = hashDictionary(from === 0 ? dict : dict.slice(from), bpchar);
  const interval = closedSliceInterval(numPartitions);
  for (let i = 0; i < hashes.length; i++) out[from + i] = sliceOfHash(hashes[i]!, interval, numPartitions - 1);
  byCount.set(key, out);
  return out;
}

/** Space slice ordinal per row: floor((hash & 0x7fffffff) / interval), capped at n - 1; NULL → 0. */
function spaceSlices(space: Vector, numPartitions: number, n: number): Int32Array {
  if (space.tag === 'dict') {
    // one lookup per row through the per-entry slices
    const perEntry = slicesOfDictionary(space.dict, space.type.id === 'bpchar', numPartitions);
    const out = new Int32Array(n);
    const codes = space.codes;
    const nulls = space.nulls;
    if (nulls === null) for (let i = 0; i < n; i++) out[i] = perEntry[codes[i]!]!;
    else for (let i = 0; i < n; i++) out[i] = nulls[i] === 1 ? 0 : perEntry[codes[i]!]!;
    return out;
  }
  const hashes = spaceHashes(space, n);
  const interval = closedSliceInterval(numPartitions);
  const last = numPartitions - 1;
  for (let i = 0; i < n; i++) {
    const s = Math.floor((hashes[i]! & 0x7fffffff) / interval);
    hashes[i] = s < last ? s : last;
  }
  const nulls = space.tag === 'object' ? null : space.nulls;
  if (nulls !== null) for (let i = 0; i < n; i++) if (nulls[i] === 1) hashes[i] = 0;
  if (space.tag === 'object') for (let i = 0; i < n; i++) if (space.values[i] === null) hashes[i] = 0;
  return hashes;
}

/**
 * Route a batch: `time` is the time column (timestamp/timestamptz in Unix µs, date in
 * days, or an integer), `space` the optional space-partitioning column in any layout.
 */
export function routeBatch(time: Vector, space: Vector | null, spec: RouteSpec): RoutedBatch {
  const n = time.length;
  const type = timeType(time);
  const interval = spec.chunkInterval ?? DEFAULT_CHUNK_TIME_INTERVAL;
  if (!(interval >= 1)) throw new SqlError(SQLSTATE.invalidParameterValue, 'invalid interval: must be between 1 and 9223372036854775807');
  const parts = space === null ? 1 : (spec.numPartitions ?? 1);
  if (space !== null) closedSliceInterval(parts); // validates the count before any work
  const times = internalTimes(time, type, spec.timeColumn, n);
  const sp = space === null || parts === 1 ? null : spaceSlices(space, parts, n);

  const chunkKeys: ChunkKey[] = [];
  const chunkOfRow = new Int32Array(n);
  let counts = new Int32Array(16);
  const slices = new Map<number, Int32Array>();
  let curStart = NaN;
  let curEnd = NaN;
  let curIds: Int32Array = new Int32Array(0);
  const safe = Number.MAX_SAFE_INTEGER - interval;
  for (let i = 0; i < n; i++) {
    const v = times[i]!;
    if (!(v >= curStart && v < curEnd)) {
      let start: number;
      let end: number;
      if (v >= 0 && v <= safe) {
        start = v - (v % interval);
        end = start + interval;
      } else if (v < 0 && v >= -safe) {
        const v1 = v + 1;
        end = v1 - (v1 % interval);
        start = end - interval;
      } else {
        ({ start, end } = openSliceFor(v, interval));
      }
      curStart = start;
      curEnd = end;
      let ids = slices.get(start);
      if (ids === undefined) {
        ids = new Int32Array(parts).fill(-1);
        slices.set(start, ids);
      }
      curIds = ids;
    }
    const s = sp === null ? 0 : sp[i]!;
    let id = curIds[s]!;
    if (id < 0) {
      id = chunkKeys.length;
      curIds[s] = id;
      chunkKeys.push({ timeStart: curStart, timeEnd: curEnd, spaceIndex: s });
      if (id >= counts.length) {
        const grown = new Int32Array(counts.length * 2);
        grown.set(counts);
        counts = grown;
      }
    }
    chunkOfRow[i] = id;
    counts[id]!++;
  }

  // counting sort of row indexes by chunk id; rows stay ascending within a chunk
  const k = chunkKeys.length;
  const order = new Int32Array(n);
  const offsets = new Int32Array(k + 1);
  for (let c = 0; c < k; c++) offsets[c + 1] = offsets[c]! + counts[c]!;
  const fill = offsets.slice(0, k);
  for (let i = 0; i < n; i++) order[fill[chunkOfRow[i]!]!++] = i;
  const rowsByChunk: Int32Array[] = new Array(k);
  for (let c = 0; c < k; c++) rowsByChunk[c] = order.subarray(offsets[c]!, offsets[c + 1]!);
  return { chunkKeys, rowsByChunk, chunkOfRow };
}
