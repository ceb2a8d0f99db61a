/**
 * A small function catalog and castValue for the compiler's tests (used via
 * vi.mock('./deps.js')), independent of the real catalog.
 */
import { SqlError, SQLSTATE } from '../errors.js';
import type { ScalarFunctionImpl } from '../functions/registry.js';
import type { SqlType } from '../types/sql-type.js';
import { T } from '../types/sql-type.js';
import type { FormatContext, Value } from '../types/values.js';
import type { Vector } from '../vector.js';
import { compareValues } from '../kernels/compare.js';

function rint(x: number): number {
  const r = Math.round(x);
  return (r - x === 0.5 && r % 2 !== 0 ? r - 1 : r) + 0;
}

let randomCounter = 0;
export const calls = { lower: 0 };

function cmp(name: string, test: (c: number) => boolean, vector = false): ScalarFunctionImpl {
  const impl: ScalarFunctionImpl = {
    id: name,
    name,
    strict: true,
    volatility: 'immutable',
    scalar: (a) => test(compareValues(a[0]!, a[1]!)),
    ...(vector
      ? {
          vector: (args: Vector[], n: number, _ctx: unknown, rt: SqlType): Vector => {
            const [x, y] = args as [Vector, Vector];
            if (x.tag !== 'number' || y.tag !== 'number') throw new Error('numbers only');
            const values = new Uint8Array(n);
            let nulls: Uint8Array | null = null;
            for (let i = 0; i < n; i++) {
              if ((x.nulls && x.nulls[i]) || (y.nulls && y.nulls[i])) (nulls ??= new Uint8Array(n))[i] = 1;
              else values[i] = test(compareValues(x.values[i]!, y.values[i]!)) ? 1 : 0;
            }
            return { tag: 'bool', type: rt, length: n, values, nulls };
          },
        }
      : {}),
  };
  return impl;
}

export const FAKE_FUNCTIONS: Record<string, ScalarFunctionImpl> = {
  add: {
    id: 'add',
    name: '+',
    strict: true,
    volatility: 'immutable',
    scalar: (a) => (a[0] as number) + (a[1] as number),
    vector: (args, n, _ctx, rt) => {
      const [x, y] = args as [Vector, Vector];
      if (x.tag !== 'number' || y.tag !== 'number') throw new Error('numbers only');
      const values = new Float64Array(n);
      let nulls: Uint8Array | null = null;
      for (let i = 0; i < n; i++) {
        values[i] = x.values[i]! + y.values[i]!;
        if ((x.nulls && x.nulls[i]) || (y.nulls && y.nulls[i])) (nulls ??= new Uint8Array(n))[i] = 1;
      }
      return { tag: 'number', type: rt, length: n, values, nulls };
    },
  },
  div: {
    id: 'div',
    name: '/',
    strict: true,
    volatility: 'immutable',
    scalar: (a) => {
      if (a[1] === 0) throw new SqlError(SQLSTATE.divisionByZero, 'division by zero');
      return (a[0] as number) / (a[1] as number);
    },
  },
  nz: { id: 'nz', name: 'nz', strict: true, volatility: 'immutable', scalar: (a) => (a[0] === 0 ? null : a[0]!) },
  eq: cmp('eq', (c) => c === 0),
  lt: cmp('lt', (c) => c < 0),
  gt: cmp('gt', (c) => c > 0, true),
  lower: {
    id: 'lower',
    name: 'lower',
    strict: true,
    volatility: 'immutable',
    scalar: (a) => {
      calls.lower++;
      return (a[0] as string).toLowerCase();
    },
  },
  concat2: {
    id: 'concat2',
    name: 'concat',
    strict: false,
    volatility: 'immutable',
    scalar: (a) => String(a[0] ?? '') + String(a[1] ?? ''),
  },
  rand: { id: 'rand', name: 'random', strict: true, volatility: 'volatile', scalar: () => ++randomCounter },
  // time_bucket stand-in: floor(ts / width) * width, width constant
  bucket: {
    id: 'bucket',
    name: 'time_bucket',
    strict: true,
    volatility: 'immutable',
    scalar: (a) => Math.floor((a[1] as number) / (a[0] as number)) * (a[0] as number),
    vector: (args, n, _ctx, rt) => {
      const [w, t] = args as [Vector, Vector];
      if (w.tag !== 'number' || t.tag !== 'number') throw new Error('numbers only');
      const width = w.values[0]!;
      const src = t.values;
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = Math.floor(src[i]! / width) * width;
      return { tag: 'number', type: rt, length: n, values, nulls: t.nulls };
    },
  },
  now: { id: 'now', name: 'now', strict: true, volatility: 'stable', scalar: (_a, ctx) => ctx.statementTime },
};

export function getFunctionImpl(id: string): ScalarFunctionImpl {
  const f = FAKE_FUNCTIONS[id];
  if (!f) throw new SqlError(SQLSTATE.undefinedFunction, `function id ${id} does not exist`);
  return f;
}

const INT: Record<string, [number, number, string]> = {
  int2: [-32768, 32767, 'smallint'],
  int4: [-2147483648, 2147483647, 'integer'],
  int8: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'bigint'],
};

/** PostgreSQL's rules for the casts the tests use. */
export function castValue(v: Value, from: SqlType, to: SqlType, _ctx: FormatContext, _explicit: boolean): Value {
  if (v === null) return null;
  const range = INT[to.id];
  if (typeof v === 'number' && range) {
    const r = from.id === 'float4' || from.id === 'float8' ? rint(v) : v;
    if (Number.isNaN(r) || r < range[0] || r > range[1]) throw new SqlError(SQLSTATE.numericValueOutOfRange, `${range[2]} out of range`);
    return r;
  }
  if (typeof v === 'number' && to.id === 'float4') {
    const r = Math.fround(v);
    if (!Number.isFinite(r) && Number.isFinite(v)) throw new SqlError(SQLSTATE.numericValueOutOfRange, 'value out of range: overflow');
    if (r === 0 && v !== 0) throw new SqlError(SQLSTATE.numericValueOutOfRange, 'value out of range: underflow');
    return r;
  }
  if (typeof v === 'number' && to.id === 'float8') return v;
  if (typeof v === 'number' && to.id === 'text') return String(v);
  if (typeof v === 'string' && (to.id === 'float8' || range)) {
    const x = Number(v);
    if (v.trim() === '' || Number.isNaN(x)) throw new SqlError(SQLSTATE.invalidTextRepresentation, `invalid input syntax for type ${to.id}: "${v}"`);
    return range ? castValue(x, T.float8, to, _ctx, _explicit) : x;
  }
  if (typeof v === 'string' && to.id === 'text') return v;
  throw new SqlError(SQLSTATE.cannotCoerce, `cannot cast ${from.id} to ${to.id}`);
}
