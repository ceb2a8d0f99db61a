/**
 * show_chunks and drop_chunks (TimescaleDB 2.13 signatures).
 *
 * Time arguments (older_than / newer_than) follow ts_time_value_from_arg
 * (src/utils.c): an untyped literal is read as the hypertable's time type; an
 * INTERVAL means `now() - interval` (only for timestamp/date time columns); a
 * value of another type must be implicitly convertible to the time type. The
 * cut-offs are compared with the chunks' open-dimension slice: older_than
 * selects chunks whose range END is ≤ the value (all their data is older),
 * newer_than chunks whose range START is ≥ the value; both together select the
 * intersection, and older_than must then be greater than newer_than.
 *
 * created_before / created_after (chunk creation time) are rejected with
 * 0A000: Strata's catalog does not record when a chunk was created.
 */
import { T, formatType } from '../../../storage/src/types/sql-type.js';
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import { isInterval, MICROS_PER_DAY } from '../../../storage/src/types/values.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { parseText } from '../../../storage/src/types/text-io.js';
import { sessionZone } from '../../../storage/src/types/datetime-parse.js';
import { utcToLocal } from '../../../storage/src/types/timezone.js';
import { timestampMinusInterval, timestamptzMinusInterval } from '../../../storage/src/types/datetime.js';
import { timeValueToInternal, type TimeColumnType } from '../../../storage/src/partitioning/dimension.js';
import type { TableInfo } from '../catalog/catalog.js';
import type { ChunkInfo } from '../catalog/hypertable.js';
import { openDimension } from '../catalog/hypertable.js';
import type { StatementSession } from '../statement/session.js';
import { defineProcedure, type ProcedureContext } from './procedure.js';
import { relationArg } from './api-util.js';

/** `"x" is not a hypertable or a continuous aggregate` (TS001), as ts_resolve_hypertable_from_table_or_cagg says. */
export function hypertableOrCagg(session: StatementSession, v: Value): TableInfo {
  const t = relationArg(session, v, 'hypertable');
  if (!t.hypertable) {
    throw new SqlError('TS001', `"${t.name}" is not a hypertable or a continuous aggregate`, { hint: 'The operation is only possible on a hypertable or continuous aggregate.' });
  }
  return t;
}

export function timeColumnType(table: TableInfo): SqlType {
  const open = openDimension(table.hypertable!);
  return table.columns.find((c) => c.id === open.columnId)!.type;
}

const INTEGER_TYPES = new Set(['int2', 'int4', 'int8']);
const TIME_TYPES = new Set(['timestamp', 'timestamptz', 'date']);

/** The bound type of an argument; without it a number is taken to be a value of the time column's own type. */
function argTypeOf(ctx: ProcedureContext, index: number): SqlType | undefined {
  return ctx.argTypes?.[index];
}

function invalidArgType(arg: SqlType, time: SqlType): SqlError {
  return new SqlError(SQLSTATE.invalidParameterValue, `invalid time argument type "${formatType(arg)}"`, { hint: `Try casting the argument to "${formatType(time)}".` });
}

/** ts_time_value_from_arg: a cut-off in the open dimension's internal unit (µs for time types). */
export function timeArgToInternal(v: Value, argType: SqlType | undefined, timeType: SqlType, ctx: ProcedureContext): number {
  const tt = timeType.id as TimeColumnType;
  const settings = ctx.eval.settings;
  if (isInterval(v)) {
    if (INTEGER_TYPES.has(tt)) throw new SqlError(SQLSTATE.invalidParameterValue, 'can only use an INTERVAL for TIMESTAMP, TIMESTAMPTZ, and DATE types');
    const now = ctx.eval.transactionTime;
    if (tt === 'timestamptz') return timeValueToInternal(timestamptzMinusInterval(now, v, settings), tt);
    const local = timestampMinusInterval(utcToLocal(now, sessionZone(settings)), v);
    if (tt === 'timestamp') return timeValueToInternal(local, tt);
    return timeValueToInternal(Math.floor(local / MICROS_PER_DAY), 'date');
  }
  if (typeof v === 'string' && (argType === undefined || argType.id === 'unknown' || argType.id === 'text')) {
    return timeValueToInternal(parseText(timeType, v, settings) as number, tt);
  }
  if (typeof v !== 'number') throw invalidArgType(argType ?? T.text, timeType);
  if (argType === undefined || argType.id === tt) return timeValueToInternal(v, tt);
  // implicit casts PostgreSQL allows between the time types (int2 → int4 → int8, date → timestamp(tz))
  if (INTEGER_TYPES.has(tt) && INTEGER_TYPES.has(argType.id)) return v;
  if (TIME_TYPES.has(tt) && argType.id === 'date') return timeValueToInternal(v, 'date');
  if (TIME_TYPES.has(tt) && tt !== 'date' && (argType.id === 'timestamp' || argType.id === 'timestamptz')) return v;
  throw invalidArgType(argType, timeType);
}

export interface ChunkFilter {
  olderThan?: number;
  newerThan?: number;
}

/** The 2nd..5th arguments of show_chunks / drop_chunks as a filter on the open dimension. */
function chunkFilter(table: TableInfo, args: Value[], ctx: ProcedureContext, slots: { older: number; newer: number; createdBefore: number; createdAfter: number }): ChunkFilter {
  if (args[slots.createdBefore] !== null || args[slots.createdAfter] !== null) {
    throw new SqlError(SQLSTATE.featureNotSupported, 'created_before and created_after are not supported yet: Strata does not record chunk creation times', { hint: 'Use older_than / newer_than, which compare with the chunks\' time ranges.' });
  }
  const timeType = timeColumnType(table);
  const f: ChunkFilter = {};
  if (args[slots.older] !== null) f.olderThan = timeArgToInternal(args[slots.older]!, argTypeOf(ctx, slots.older), timeType, ctx);
  if (args[slots.newer] !== null) f.newerThan = timeArgToInternal(args[slots.newer]!, argTypeOf(ctx, slots.newer), timeType, ctx);
  if (f.olderThan !== undefined && f.newerThan !== undefined && f.olderThan <= f.newerThan) {
    throw new SqlError(SQLSTATE.invalidParameterValue, 'invalid time range', { hint: 'The start of the time range must be before the end.' });
  }
  return f;
}

/** Chunks matching the filter, in chunk id order. */
export function selectChunks(table: TableInfo, f: ChunkFilter): ChunkInfo[] {
  return table.hypertable!.chunks
    .filter((c) => (f.olderThan === undefined || c.timeEnd <= f.olderThan) && (f.newerThan === undefined || c.timeStart >= f.newerThan))
    .sort((a, b) => a.id - b.id);
}

export function chunkRegclass(c: ChunkInfo): string {
  return `${c.schema}.${c.name}`;
}

defineProcedure({
  name: 'show_chunks',
  params: [
    { name: 'relation', type: T.unknown },
    { name: 'older_than', type: T.unknown, default: null },
    { name: 'newer_than', type: T.unknown, default: null },
    { name: 'created_before', type: T.unknown, default: null },
    { name: 'created_after', type: T.unknown, default: null },
  ],
  // setof regclass in TimescaleDB; chunks have no OID here, so the qualified name is returned as text
  returns: [{ name: 'show_chunks', type: T.text }],
  setReturning: true,
  run(args, ctx) {
    const table = hypertableOrCagg(ctx.session, args[0]!);
    const f = chunkFilter(table, args, ctx, { older: 1, newer: 2, createdBefore: 3, createdAfter: 4 });
    return selectChunks(table, f).map((c) => [chunkRegclass(c)]);
  },
});

defineProcedure({
  name: 'drop_chunks',
  params: [
    { name: 'relation', type: T.unknown },
    { name: 'older_than', type: T.unknown, default: null },
    { name: 'newer_than', type: T.unknown, default: null },
    { name: 'verbose', type: T.bool, default: false },
    { name: 'created_before', type: T.unknown, default: null },
    { name: 'created_after', type: T.unknown, default: null },
  ],
  returns: [{ name: 'drop_chunks', type: T.text }],
  setReturning: true,
  run(args, ctx) {
    const table = hypertableOrCagg(ctx.session, args[0]!);
    if (args[1] === null && args[2] === null && args[4] === null && args[5] === null) {
      throw new SqlError(SQLSTATE.invalidParameterValue, 'invalid time range for dropping chunks', { hint: 'At least one of older_than and newer_than must be provided.' });
    }
    const f = chunkFilter(table, args, ctx, { older: 1, newer: 2, createdBefore: 4, createdAfter: 5 });
    const chunks = selectChunks(table, f);
    if (chunks.length === 0) return [];
    // the stores leave their data nodes now; the undo action re-attaches them on ROLLBACK
    ctx.session.catalog.dropChunks(table, chunks, ctx.session.undo, (f) => ctx.session.onCommit(f));
    if (args[3] === true) for (const c of chunks) ctx.notice(`dropping chunk ${chunkRegclass(c)}`);
    return chunks.map((c) => [chunkRegclass(c)]);
  },
});
