/**
 * TimescaleDB's dimension-slice arithmetic: which time range (open dimension)
 * and which hash range (closed dimension) a value falls in, and which data
 * nodes hold a closed slice.
 *
 * Sources (timescale/timescaledb, 2.x):
 *  - src/dimension.c: calculate_open_range_default, calculate_closed_range_default,
 *    dimension_interval_to_internal, ts_hyperspace_calculate_point.
 *  - src/dimension_slice.h: DIMENSION_SLICE_MINVALUE/MAXVALUE = INT64 min/max,
 *    DIMENSION_SLICE_CLOSED_MAX = INT32_MAX.
 *  - src/ts_catalog/dimension_partition.c: ts_dimension_partition_info_recreate,
 *    get_replica_nodes.
 *  - src/utils.c ts_time_value_to_internal, src/time_utils.h: the internal time is
 *    µs since the UNIX epoch (not PostgreSQL's 2000 epoch), which is exactly how
 *    Strata stores timestamps. That is why default 7-day chunks start on a
 *    Thursday: 1970-01-01 was one.
 *
 * Numbers: internal values are int64 in TimescaleDB. The `number` functions are
 * exact while values stay within ±2^53 (all real timestamps); past that, and
 * for ±Infinity, they fall back to the BigInt ports and report
 * DIMENSION_SLICE_MINVALUE / MAXVALUE as -Infinity / +Infinity.
 */
import { SqlError, SQLSTATE } from '../errors.js';
import { MICROS_PER_DAY, type Interval } from '../types/values.js';

export const DIMENSION_SLICE_MINVALUE = -9223372036854775808n;
export const DIMENSION_SLICE_MAXVALUE = 9223372036854775807n;
/** Partitioning functions return a non-negative int32, so the closed space ends here. */
export const DIMENSION_SLICE_CLOSED_MAX = 2147483647;
/** DEFAULT_CHUNK_TIME_INTERVAL: 7 days in µs (timestamp, timestamptz and date columns). */
export const DEFAULT_CHUNK_TIME_INTERVAL = 7 * MICROS_PER_DAY;
/** num_slices is an int16 in _timescaledb_catalog.dimension. */
export const MAX_NUM_PARTITIONS = 32767;

/** A slice [start, end); -Infinity / +Infinity stand for DIMENSION_SLICE_MINVALUE / MAXVALUE. */
export interface SliceRange {
  start: number;
  end: number;
}

export interface BigSliceRange {
  start: bigint;
  end: bigint;
}

export interface ClosedSlice extends SliceRange {
  /** Ordinal of the slice among the dimension's num_slices, 0-based. */
  index: number;
}

export type TimeColumnType = 'timestamptz' | 'timestamp' | 'date' | 'int2' | 'int4' | 'int8';

const SAFE = Number.MAX_SAFE_INTEGER;

function toNumber(x: bigint): number {
  if (x === DIMENSION_SLICE_MINVALUE) return -Infinity;
  if (x === DIMENSION_SLICE_MAXVALUE) return Infinity;
  return Number(x);
}

/** calculate_open_range_default, in int64 exactly as dimension.c (C division truncates, as BigInt's does). */
export function calculateOpenRangeDefault(value: bigint, interval: bigint): BigSliceRange {
  if (value < 0n) {
    // (value + 1) / interval truncates toward zero, giving floor semantics for negatives
    const end = ((value + 1n) / interval) * interval;
    const start = DIMENSION_SLICE_MINVALUE - end > -interval ? DIMENSION_SLICE_MINVALUE : end - interval;
    return { start, end };
  }
  const start = (value / interval) * interval;
  const end = DIMENSION_SLICE_MAXVALUE - start < interval ? DIMENSION_SLICE_MAXVALUE : start + interval;
  return { start, end };
}

/**
 * The chunk time range holding internal time `value` (µs since the Unix epoch for
 * timestamp types, the integer itself for integer columns): multiples of
 * `interval` counted from 0, floor semantics for negative values.
 */
export function openSliceFor(value: number, interval: number): SliceRange {
  if (value >= -SAFE && value <= SAFE && interval <= SAFE - Math.abs(value)) {
    if (value >= 0) {
      const start = value - (value % interval);
      return { start, end: start + interval };
    }
    const v1 = value + 1;
    const end = v1 - (v1 % interval); // JS % truncates like C's
    return { start: end - interval, end };
  }
  const v = value === -Infinity ? DIMENSION_SLICE_MINVALUE : value === Infinity ? DIMENSION_SLICE_MAXVALUE : BigInt(value);
  const r = calculateOpenRangeDefault(v, BigInt(interval));
  return { start: toNumber(r.start), end: toNumber(r.end) };
}

function checkNumSlices(numSlices: number): void {
  if (!Number.isInteger(numSlices) || numSlices < 1 || numSlices > MAX_NUM_PARTITIONS)
    throw new SqlError(SQLSTATE.invalidParameterValue, `invalid number of partitions: must be between 1 and ${MAX_NUM_PARTITIONS}`);
}

/** Width of every closed slice but the last: INT32_MAX / n, integer division. */
export function closedSliceInterval(numSlices: number): number {
  checkNumSlices(numSlices);
  return Math.floor(DIMENSION_SLICE_CLOSED_MAX / numSlices);
}

/** calculate_closed_range_default, exactly as dimension.c: the first slice starts at MINVALUE, the last ends at MAXVALUE. */
export function calculateClosedRangeDefault(value: bigint, numSlices: number): BigSliceRange {
  const interval = BigInt(closedSliceInterval(numSlices));
  const lastStart = interval * BigInt(numSlices - 1);
  if (value < 0n) throw new SqlError(SQLSTATE.internalError, `invalid value ${value} for closed dimension`);
  let start: bigint;
  let end: bigint;
  if (value >= lastStart) {
    // the remainder of the integer division goes to the last slice
    start = lastStart;
    end = DIMENSION_SLICE_MAXVALUE;
  } else {
    start = (value / interval) * interval;
    end = start + interval;
  }
  if (start === 0n) start = DIMENSION_SLICE_MINVALUE;
  return { start, end };
}

/** Slice ordinal for a partition hash (0..INT32_MAX): floor(hash / interval), capped at n - 1. */
export function partitionForHash(hash: number, numSlices: number): number {
  const i = Math.floor(hash / closedSliceInterval(numSlices));
  return i < numSlices ? i : numSlices - 1;
}

/** The closed slice a partition hash falls in, with the range TimescaleDB records for it. */
export function closedSliceFor(hash: number, numSlices: number): ClosedSlice {
  if (!(hash >= 0)) throw new SqlError(SQLSTATE.internalError, `invalid value ${hash} for closed dimension`);
  const index = partitionForHash(hash, numSlices);
  return { index, ...closedSliceRange(index, numSlices) };
}

/** Range of closed slice `index` as calculate_closed_range_default records it. */
export function closedSliceRange(index: number, numSlices: number): SliceRange {
  const interval = closedSliceInterval(numSlices);
  return {
    start: index === 0 ? -Infinity : index * interval,
    end: index === numSlices - 1 ? Infinity : (index + 1) * interval,
  };
}

/**
 * get_replica_nodes (dimension_partition.c): partition i lives on nodes
 * (i + k) mod nodeCount for k < min(replicationFactor, nodeCount), in the order of
 * the hypertable's data node list. This holds whatever number_partitions is, so
 * with more partitions than nodes the nodes repeat round-robin, and with fewer
 * some nodes get no partition as primary.
 */
export function replicaNodes<T>(dataNodes: readonly T[], index: number, replicationFactor: number): T[] {
  const n = dataNodes.length;
  if (n === 0) return [];
  const replicas = Math.min(replicationFactor, n);
  const out: T[] = [];
  for (let k = 0; k < replicas; k++) out.push(dataNodes[(index + k) % n]!);
  return out;
}

export interface DimensionPartition<T> extends SliceRange {
  index: number;
  dataNodes: T[];
}

/**
 * ts_dimension_partition_info_recreate: the partition table of the first closed
 * dimension. Ranges are the same as the closed slices (first from MINVALUE);
 * the last ends at DIMENSION_SLICE_CLOSED_MAX in the catalog rows, which
 * ts_dimension_partition_info_get reads back as MAXVALUE (reported as +Infinity here).
 */
export function dimensionPartitions<T>(numPartitions: number, dataNodes: readonly T[], replicationFactor: number): DimensionPartition<T>[] {
  const out: DimensionPartition<T>[] = [];
  for (let i = 0; i < numPartitions; i++) out.push({ index: i, ...closedSliceRange(i, numPartitions), dataNodes: replicaNodes(dataNodes, i, replicationFactor) });
  return out;
}

/** Data nodes for the closed slice a partition hash falls in (ts_hypertable_assign_chunk_data_nodes). */
export function dataNodesForHash<T>(hash: number, numPartitions: number, dataNodes: readonly T[], replicationFactor: number): T[] {
  return replicaNodes(dataNodes, partitionForHash(hash, numPartitions), replicationFactor);
}

// ---- time values and intervals --------------------------------------------------------

const USECS_PER_DAY = MICROS_PER_DAY;
/** TS_TIMESTAMP_INTERNAL_MIN / _END (time_utils.h): PostgreSQL's timestamp range moved to the Unix epoch. */
export const TS_TIMESTAMP_INTERNAL_MIN = -211813488000000000 + 946684800000000;
export const TS_TIMESTAMP_INTERNAL_END = 9223371331200000000;

function outOfRange(): SqlError {
  return new SqlError(SQLSTATE.datetimeFieldOverflow, 'timestamp out of range');
}

/**
 * ts_time_value_to_internal for a Strata value: timestamps are already Unix µs
 * (timestamp without time zone is taken as if at UTC, as TimescaleDB does), dates
 * become midnight in µs, integers stay as they are. ±Infinity stay ±Infinity
 * (TS_TIME_NOBEGIN / NOEND).
 */
export function timeValueToInternal(value: number, type: TimeColumnType): number {
  switch (type) {
    case 'int2':
    case 'int4':
    case 'int8':
      return value;
    case 'date':
      if (value === Infinity || value === -Infinity) return value;
      value *= USECS_PER_DAY;
      break;
    case 'timestamp':
    case 'timestamptz':
      if (value === Infinity || value === -Infinity) return value;
      break;
  }
  if (value < TS_TIMESTAMP_INTERNAL_MIN || value >= TS_TIMESTAMP_INTERNAL_END) throw outOfRange();
  return value;
}

const INT_TYPE_MAX: Record<TimeColumnType, number> = {
  int2: 32767,
  int4: 2147483647,
  int8: 9223372036854775807,
  date: 9223372036854775807,
  timestamp: 9223372036854775807,
  timestamptz: 9223372036854775807,
};

const INT_MAX_TEXT: Record<TimeColumnType, string> = {
  int2: '32767',
  int4: '2147483647',
  int8: '9223372036854775807',
  date: '9223372036854775807',
  timestamp: '9223372036854775807',
  timestamptz: '9223372036854775807',
};

function isIntegerType(t: TimeColumnType): boolean {
  return t === 'int2' || t === 'int4' || t === 'int8';
}

/**
 * dimension_interval_to_internal: chunk_time_interval for a column type.
 * `interval` is undefined (use the default), an integer (µs for time types,
 * units of the column for integer types) or an Interval (time types only;
 * a month counts as 30 days).
 */
export function chunkIntervalToInternal(type: TimeColumnType, interval?: number | Interval): number {
  if (interval === undefined) {
    if (isIntegerType(type)) throw new SqlError(SQLSTATE.invalidParameterValue, 'integer dimensions require an explicit interval');
    return DEFAULT_CHUNK_TIME_INTERVAL;
  }
  let us: number;
  if (typeof interval === 'number') {
    if (!Number.isInteger(interval) || interval < 1 || interval > INT_TYPE_MAX[type])
      throw new SqlError(SQLSTATE.invalidParameterValue, `invalid interval: must be between 1 and ${INT_MAX_TEXT[type]}`);
    us = interval;
  } else {
    if (isIntegerType(type)) throw new SqlError(SQLSTATE.invalidParameterValue, 'invalid interval: must be an integer type for integer dimensions');
    us = (interval.months * 30 + interval.days) * USECS_PER_DAY + interval.micros;
  }
  if (type === 'date' && (us <= 0 || us % USECS_PER_DAY !== 0))
    throw new SqlError(SQLSTATE.invalidParameterValue, 'invalid interval: must be multiples of one day');
  if (us <= 0) throw new SqlError(SQLSTATE.invalidParameterValue, `invalid interval: must be between 1 and ${INT_MAX_TEXT[type]}`);
  return us;
}

/**
 * The error ts_hyperspace_calculate_point raises for a NULL time value: the time
 * column is NOT NULL on every hypertable. (A NULL space value is not an error:
 * the partitioning function is not called and the coordinate is 0, the first slice.)
 */
export function nullTimeError(column: string): SqlError {
  return new SqlError(SQLSTATE.notNullViolation, `NULL value in column "${column}" violates not-null constraint`, {
    hint: 'Columns used for time partitioning cannot be NULL.',
    column,
  });
}
