/**
 * Table functions in FROM: generate_series, unnest and information_schema._pg_expandarray
 * [WITH ORDINALITY].
 * Arguments are evaluated once per execution (a LATERAL use re-executes with
 * the left row's values in ctx.correlated), and rows are produced lazily in
 * batches so `generate_series(…) LIMIT n` over a huge range stays cheap.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { Interval, Value } from '../../../storage/src/types/values.js';
import type { Batch, Vector } from '../../../storage/src/vector.js';
import { getValue, vectorFromValues } from '../../../storage/src/vector.js';
import type { EvalContext, ExprNode } from '../../../storage/src/expr/expr.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { checkDeadline } from '../../../storage/src/expr/deadline.js';
import { Decimal, isDecimal } from '../../../storage/src/types/numeric.js';
import { addToTimestamp, addToTimestamptz, intervalMicros } from '../../../storage/src/functions/dt.js';
import { compileExpr } from './deps.js';
import { BATCH_ROWS, type BatchSource } from './types.js';
import { expandArrayBatches } from './expand-array.js';

export interface FunctionScanSpec {
  /** 'generate_series' | 'unnest' | '_pg_expandarray' */
  name: string;
  /**
   * generate_series(start, stop [, step]): int4/int8/numeric (step of the same
   * type) or timestamp/timestamptz with an interval step (dates are cast to
   * timestamp by the planner). unnest(array [, array …]): several arrays are
   * zipped, shorter ones padded with NULL.
   */
  args: ExprNode[];
  /** Output column types, including the trailing int8 ordinality column when withOrdinality. */
  types: SqlType[];
  withOrdinality?: boolean;
}

const ONE_ROW: Batch = { length: 1, columns: [] };
const invalid = (msg: string) => new SqlError(SQLSTATE.invalidParameterValue, msg);

export function functionScanOp(spec: FunctionScanSpec): BatchSource {
  const args = spec.args.map(compileExpr);
  const ord = spec.withOrdinality === true;
  const valueTypes = ord ? spec.types.slice(0, -1) : spec.types;
  const ordType = ord ? spec.types[spec.types.length - 1]! : null;
  const name = spec.name.toLowerCase();
  if (name !== 'generate_series' && name !== 'unnest' && name !== '_pg_expandarray') {
    throw new SqlError(SQLSTATE.featureNotSupported, `table function ${spec.name} is not supported`);
  }

  /** Columns from value columns plus the ordinality numbers starting at `first`. */
  const emit = (cols: Vector[], length: number, first: number): Batch => {
    if (!ordType) return { length, columns: cols };
    const o = new Float64Array(length);
    for (let i = 0; i < length; i++) o[i] = first + i;
    return { length, columns: [...cols, { tag: 'number', type: ordType, length, values: o, nulls: null }] };
  };

  return function* functionScan(ctx: EvalContext): Generator<Batch> {
    const vals = args.map((f) => getValue(f(ONE_ROW, ctx), 0));
    if (name === '_pg_expandarray') {
      yield* expandArrayBatches(vals[0] ?? null, valueTypes[0]!, emit);
      return;
    }
    if (name === 'unnest') {
      const arrays = vals.map((v) => (v === null ? [] : (v as Value[])));
      const n = Math.max(0, ...arrays.map((a) => a.length));
      for (let s = 0; s < n; s += BATCH_ROWS) {
        checkDeadline(ctx);
        const e = Math.min(n, s + BATCH_ROWS);
        const cols = arrays.map((a, k) => {
          const part = new Array<Value>(e - s);
          for (let i = s; i < e; i++) part[i - s] = i < a.length ? (a[i] ?? null) : null;
          return vectorFromValues(valueTypes[k]!, part);
        });
        yield emit(cols, e - s, s + 1);
      }
      return;
    }
    yield* generateSeries(vals, spec.args, valueTypes[0]!, ctx, emit);
  };
}

function* generateSeries(vals: Value[], argNodes: ExprNode[], type: SqlType, ctx: EvalContext, emit: (cols: Vector[], length: number, first: number) => Batch): Generator<Batch> {
  if (vals.some((v) => v === null)) return; // strict: NULL argument → no rows
  const startType = argNodes[0]!.type.id;

  if (startType === 'timestamp' || startType === 'timestamptz' || startType === 'date') {
    if (vals.length < 3) throw new SqlError(SQLSTATE.undefinedFunction, 'function generate_series(timestamp, timestamp) does not exist');
    let cur = vals[0] as number, stop = vals[1] as number;
    if (startType === 'date') { cur *= 86_400_000_000; stop *= 86_400_000_000; }
    const step = vals[2] as Interval;
    const span = intervalMicros(step);
    if (span === 0) throw invalid('step size cannot equal zero');
    const zone = ctx.settings.timeZone;
    const tz = type.id === 'timestamptz';
    let ordinal = 1;
    for (;;) {
      checkDeadline(ctx);
      const buf = new Float64Array(BATCH_ROWS);
      let k = 0;
      while (k < BATCH_ROWS && (span > 0 ? cur <= stop : cur >= stop)) {
        buf[k++] = cur;
        // PostgreSQL adds the step to the previous value (month steps clamp cumulatively)
        cur = tz ? addToTimestamptz(cur, step, zone) : addToTimestamp(cur, step);
      }
      if (k > 0) yield emit([{ tag: 'number', type, length: k, values: buf.subarray(0, k), nulls: null }], k, ordinal);
      ordinal += k;
      if (k < BATCH_ROWS) return;
    }
  }

  if (startType === 'numeric' || isDecimal(vals[0])) {
    const toDec = (v: Value) => (isDecimal(v) ? v : Decimal.fromNumber(v as number));
    let cur = toDec(vals[0]!);
    const stop = toDec(vals[1]!);
    const step = vals.length > 2 ? toDec(vals[2]!) : Decimal.ONE;
    for (const [d, what] of [[cur, 'start value'], [stop, 'stop value'], [step, 'step size']] as const) {
      if (d.isNaN()) throw invalid(`${what} cannot be NaN`);
      if (d.isInfinite()) throw invalid(`${what} cannot be infinity`);
    }
    if (step.isZero()) throw invalid('step size cannot equal zero');
    const up = step.sign() > 0;
    let ordinal = 1;
    for (;;) {
      checkDeadline(ctx);
      const out: Value[] = [];
      while (out.length < BATCH_ROWS && (up ? cur.cmp(stop) <= 0 : cur.cmp(stop) >= 0)) {
        out.push(cur);
        cur = cur.add(step);
      }
      if (out.length > 0) yield emit([vectorFromValues(type, out)], out.length, ordinal);
      ordinal += out.length;
      if (out.length < BATCH_ROWS) return;
    }
  }

  // int4 / int8 (exact as doubles within ±2^53)
  const cur = vals[0] as number;
  const stop = vals[1] as number;
  const step = vals.length > 2 ? (vals[2] as number) : 1;
  if (step === 0) throw invalid('step size cannot equal zero');
  const count = step > 0 ? (stop >= cur ? Math.floor((stop - cur) / step) + 1 : 0) : cur >= stop ? Math.floor((cur - stop) / -step) + 1 : 0;
  for (let s = 0; s < count; s += BATCH_ROWS) {
    // a series is a source like a scan: it checks statement_timeout / cancel per batch
    checkDeadline(ctx);
    const k = Math.min(BATCH_ROWS, count - s);
    const buf = new Float64Array(k);
    for (let i = 0; i < k; i++) buf[i] = cur + (s + i) * step;
    yield emit([{ tag: 'number', type, length: k, values: buf, nulls: null }], k, s + 1);
  }
}
