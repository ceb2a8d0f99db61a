/** Arithmetic, comparison and bitwise operators on int2/int4/int8/float4/float8/numeric. */
import { SqlError, SQLSTATE } from '../errors.js';
import { Decimal } from '../types/numeric.js';
import type { Value } from '../types/values.js';
import { op, type ScalarFn } from './catalog.js';
import type { ArithOp, CmpOp } from './vector-kernels.js';
import { cmpResult, floatCmp, numberArith, numberCompare } from './vector-kernels.js';
import type { IntKind } from './util.js';
import { INT_RANGE, checkFloat, checkInt, divByZero, floatOverflow, outOfRange } from './util.js';

const INTS: IntKind[] = ['int2', 'int4', 'int8'];
const WIDTH: Record<IntKind, number> = { int2: 0, int4: 1, int8: 2 };
const wider = (a: IntKind, b: IntKind): IntKind => (WIDTH[a] >= WIDTH[b] ? a : b);

function intDiv(a: number, b: number): number {
  if (b === 0) throw divByZero();
  return Math.abs(a) < 4503599627370496 ? Math.trunc(a / b) : Number(BigInt(a) / BigInt(b));
}

function intOp(o: ArithOp, kind: IntKind): ScalarFn {
  const [lo, hi, msg] = INT_RANGE[kind];
  const chk = (r: number): number => {
    if (!(r >= lo && r <= hi)) throw outOfRange(msg);
    return r === 0 ? 0 : r;
  };
  switch (o) {
    case '+': return (a) => chk((a[0] as number) + (a[1] as number));
    case '-': return (a) => chk((a[0] as number) - (a[1] as number));
    case '*': return (a) => chk((a[0] as number) * (a[1] as number));
    case '/': return (a) => chk(intDiv(a[0] as number, a[1] as number));
    case '%': return (a) => {
      const d = a[1] as number;
      if (d === 0) throw divByZero();
      return chk((a[0] as number) % d);
    };
  }
}

const ARITH: ArithOp[] = ['+', '-', '*', '/'];
const CMPS: CmpOp[] = ['=', '<>', '<', '>', '<=', '>='];

// integer arithmetic for every int pair; the result is the wider type (int4 + int8 → int8)
for (const l of INTS) {
  for (const r of INTS) {
    const res = wider(l, r);
    const [min, max, msg] = INT_RANGE[res];
    for (const o of ARITH) {
      const scalar = intOp(o, res);
      op(`${o}(${l}, ${r}) -> ${res}`, scalar, {
        vector: numberArith(o, { min, max, overflow: () => outOfRange(msg), integer: true, divByZero }, scalar),
      });
    }
    for (const c of CMPS) {
      const scalar: ScalarFn = (a) => cmpResult(c, (a[0] as number) - (a[1] as number));
      op(`${c}(${l}, ${r}) -> bool`, scalar, { vector: numberCompare(c, false, scalar) });
    }
  }
  const [min, max, msg] = INT_RANGE[l];
  const mod = intOp('%', l);
  op(`%(${l}, ${l}) -> ${l}`, mod, {
    vector: numberArith('%', { min, max, overflow: () => outOfRange(msg), integer: true, divByZero }, mod),
  });
  op(`-(${l}) -> ${l}`, (a) => checkInt(l, -(a[0] as number)));
  op(`+(${l}) -> ${l}`, (a) => a[0]!);
  op(`@(${l}) -> ${l}`, (a) => checkInt(l, Math.abs(a[0] as number)));
  // bitwise: int8 values beyond 2^31 need BigInt, JS bit operators are 32-bit
  const big = (f: (x: bigint, y: bigint) => bigint): ScalarFn => (a) => checkInt(l, Number(BigInt.asIntN(64, f(BigInt(a[0] as number), BigInt(a[1] as number)))));
  op(`&(${l}, ${l}) -> ${l}`, big((x, y) => x & y));
  op(`|(${l}, ${l}) -> ${l}`, big((x, y) => x | y));
  op(`#(${l}, ${l}) -> ${l}`, big((x, y) => x ^ y));
  op(`~(${l}) -> ${l}`, (a) => checkInt(l, -(a[0] as number) - 1));
  const bits = l === 'int2' ? 16 : l === 'int4' ? 32 : 64;
  const shift = (left: boolean): ScalarFn => (a) => {
    const x = BigInt(a[0] as number);
    const n = BigInt((a[1] as number) & (bits - 1));
    const r = left ? BigInt.asIntN(bits, x << n) : x >> n;
    return checkInt(l, Number(r));
  };
  op(`<<(${l}, int4) -> ${l}`, shift(true));
  op(`>>(${l}, int4) -> ${l}`, shift(false));
}

// float arithmetic: float4 op float4 stays float4, anything with float8 is float8
const FLOATS = ['float4', 'float8'] as const;
for (const l of FLOATS) {
  for (const r of FLOATS) {
    const res = l === 'float4' && r === 'float4' ? 'float4' : 'float8';
    const f4 = res === 'float4';
    for (const o of ARITH) {
      const raw = (x: number, y: number): number => (o === '+' ? x + y : o === '-' ? x - y : o === '*' ? x * y : x / y);
      const scalar: ScalarFn = (a) => {
        const x = a[0] as number;
        const y = a[1] as number;
        const r0 = raw(x, y);
        return checkFloat(o, x, y, f4 ? Math.fround(r0) : r0);
      };
      op(`${o}(${l}, ${r}) -> ${res}`, scalar, {
        vector: numberArith(o, { overflow: floatOverflow, integer: false, float: res, divByZero }, scalar),
      });
    }
    for (const c of CMPS) {
      const scalar: ScalarFn = (a) => cmpResult(c, floatCmp(a[0] as number, a[1] as number));
      op(`${c}(${l}, ${r}) -> bool`, scalar, { vector: numberCompare(c, true, scalar) });
    }
  }
  op(`-(${l}) -> ${l}`, (a) => -(a[0] as number));
  op(`+(${l}) -> ${l}`, (a) => a[0]!);
  op(`@(${l}) -> ${l}`, (a) => Math.abs(a[0] as number));
}

export function floatPower(x: number, y: number): number {
  // float.c's dpow: the cases where C's pow() would signal a domain error
  if (x === 0 && y < 0) throw new SqlError(SQLSTATE.invalidArgumentForPowerFunction, 'zero raised to a negative power is undefined');
  if (x < 0 && Number.isFinite(x) && !Number.isInteger(y) && Number.isFinite(y))
    throw new SqlError(SQLSTATE.invalidArgumentForPowerFunction, 'a negative number raised to a non-integer power yields a complex result');
  if (Number.isNaN(x)) return y === 0 ? 1 : NaN;
  if (Number.isNaN(y)) return x === 1 ? 1 : NaN;
  if (x === -1 && !Number.isFinite(y)) return 1;
  const r = Math.pow(x, y);
  if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y)) throw floatOverflow();
  if (r === 0 && x !== 0 && Number.isFinite(x) && Number.isFinite(y) && Math.abs(x) !== 1) {
    // C's pow underflows silently to 0 for large negative exponents; PostgreSQL reports it
    throw new SqlError(SQLSTATE.numericValueOutOfRange, 'value out of range: underflow');
  }
  return r;
}

export function sqrtFloat(x: number): number {
  if (x < 0) throw new SqlError(SQLSTATE.invalidArgumentForPowerFunction, 'cannot take square root of a negative number');
  return Math.sqrt(x);
}

op('^(float8, float8) -> float8', (a) => floatPower(a[0] as number, a[1] as number));
op('|/(float8) -> float8', (a) => sqrtFloat(a[0] as number));
op('||/(float8) -> float8', (a) => Math.cbrt(a[0] as number));

// numeric
const D = (v: Value): Decimal => v as Decimal;
op('+(numeric, numeric) -> numeric', (a) => D(a[0]!).add(D(a[1]!)));
op('-(numeric, numeric) -> numeric', (a) => D(a[0]!).sub(D(a[1]!)));
op('*(numeric, numeric) -> numeric', (a) => D(a[0]!).mul(D(a[1]!)));
op('/(numeric, numeric) -> numeric', (a) => D(a[0]!).div(D(a[1]!)));
op('%(numeric, numeric) -> numeric', (a) => D(a[0]!).mod(D(a[1]!)));
op('^(numeric, numeric) -> numeric', (a) => D(a[0]!).pow(D(a[1]!)));
op('-(numeric) -> numeric', (a) => D(a[0]!).neg());
op('+(numeric) -> numeric', (a) => a[0]!);
op('@(numeric) -> numeric', (a) => D(a[0]!).abs());
for (const c of CMPS) op(`${c}(numeric, numeric) -> bool`, (a) => cmpResult(c, D(a[0]!).cmp(D(a[1]!))));
