/** Mathematical functions: float8 versions in floating point, numeric versions exact (Decimal), int versions in int. */
import { SqlError, SQLSTATE } from '../errors.js';
import { Decimal } from '../types/numeric.js';
import type { Value } from '../types/values.js';
import { alias, fn, type ScalarFn } from './catalog.js';
import { floatPower, sqrtFloat } from './ops-numeric.js';
import { checkInt, divByZero, floatOverflow, outOfRange, type IntKind } from './util.js';
import { numberMap } from './vector-kernels.js';

const D = (v: Value): Decimal => v as Decimal;
const N = (v: Value): number => v as number;

function fl(sig: string, f: (x: number) => number): void {
  const scalar: ScalarFn = (a) => f(N(a[0]!));
  fn(sig, scalar, { vector: numberMap(f, scalar) });
}

for (const t of ['int2', 'int4', 'int8'] as IntKind[]) {
  fl(`abs(${t}) -> ${t}`, (x) => checkInt(t, Math.abs(x)));
}
fl('abs(float4) -> float4', Math.abs);
fl('abs(float8) -> float8', Math.abs);
fn('abs(numeric) -> numeric', (a) => D(a[0]!).abs());

fl('sign(float8) -> float8', (x) => (Number.isNaN(x) ? NaN : x > 0 ? 1 : x < 0 ? -1 : 0));
fn('sign(numeric) -> numeric', (a) => {
  const d = D(a[0]!);
  return d.isNaN() ? d : Decimal.fromInt(d.sign());
});

/** rint(): round half to even, as PostgreSQL's round(float8). */
export function rint(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  const res = Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
  return res === 0 && x < 0 ? -0 : res;
}

fl('round(float8) -> float8', rint);
fn('round(numeric) -> numeric', (a) => D(a[0]!).round(0));
fn('round(numeric, int4) -> numeric', (a) => D(a[0]!).round(N(a[1]!)));
fl('trunc(float8) -> float8', Math.trunc);
fn('trunc(numeric) -> numeric', (a) => D(a[0]!).trunc(0));
fn('trunc(numeric, int4) -> numeric', (a) => D(a[0]!).trunc(N(a[1]!)));
fl('ceil(float8) -> float8', Math.ceil);
fn('ceil(numeric) -> numeric', (a) => D(a[0]!).ceil());
alias('ceiling', 'ceil');
fl('floor(float8) -> float8', Math.floor);
fn('floor(numeric) -> numeric', (a) => D(a[0]!).floor());
fl('sqrt(float8) -> float8', sqrtFloat);
fn('sqrt(numeric) -> numeric', (a) => D(a[0]!).sqrt());
fl('cbrt(float8) -> float8', Math.cbrt);
fn('power(float8, float8) -> float8', (a) => floatPower(N(a[0]!), N(a[1]!)));
fn('power(numeric, numeric) -> numeric', (a) => D(a[0]!).pow(D(a[1]!)));
alias('pow', 'power');

fl('exp(float8) -> float8', (x) => {
  const r = Math.exp(x);
  if (r === Infinity && Number.isFinite(x)) throw floatOverflow();
  if (r === 0 && Number.isFinite(x)) throw outOfRange('value out of range: underflow');
  return r;
});
fn('exp(numeric) -> numeric', (a) => D(a[0]!).exp());

function logArg(x: number): number {
  if (x === 0) throw new SqlError(SQLSTATE.invalidArgumentForLogarithm, 'cannot take logarithm of zero');
  if (x < 0) throw new SqlError(SQLSTATE.invalidArgumentForLogarithm, 'cannot take logarithm of a negative number');
  return x;
}
fl('ln(float8) -> float8', (x) => Math.log(logArg(x)));
fn('ln(numeric) -> numeric', (a) => D(a[0]!).ln());
fl('log(float8) -> float8', (x) => Math.log10(logArg(x)));
fn('log(numeric) -> numeric', (a) => D(a[0]!).log(Decimal.fromInt(10)));
fn('log(numeric, numeric) -> numeric', (a) => D(a[1]!).log(D(a[0]!)));
fl('log10(float8) -> float8', (x) => Math.log10(logArg(x)));
fn('log10(numeric) -> numeric', (a) => D(a[0]!).log(Decimal.fromInt(10)));

for (const t of ['int2', 'int4', 'int8'] as IntKind[]) {
  fn(`mod(${t}, ${t}) -> ${t}`, (a) => {
    if (N(a[1]!) === 0) throw divByZero();
    return checkInt(t, N(a[0]!) % N(a[1]!));
  });
}
fn('mod(numeric, numeric) -> numeric', (a) => D(a[0]!).mod(D(a[1]!)));
fn('div(numeric, numeric) -> numeric', (a) => D(a[0]!).intDiv(D(a[1]!)));

fn('pi() -> float8', () => Math.PI);
fl('degrees(float8) -> float8', (x) => x * (180 / Math.PI));
fl('radians(float8) -> float8', (x) => x * (Math.PI / 180));

function domain(f: (x: number) => number, ok: (x: number) => boolean): (x: number) => number {
  return (x) => {
    if (Number.isNaN(x)) return NaN;
    if (!ok(x)) throw new SqlError(SQLSTATE.numericValueOutOfRange, 'input is out of range');
    return f(x);
  };
}
fl('sin(float8) -> float8', domain(Math.sin, Number.isFinite));
fl('cos(float8) -> float8', domain(Math.cos, Number.isFinite));
fl('tan(float8) -> float8', domain(Math.tan, Number.isFinite));
fl('cot(float8) -> float8', domain((x) => 1 / Math.tan(x), Number.isFinite));
fl('asin(float8) -> float8', domain(Math.asin, (x) => x >= -1 && x <= 1));
fl('acos(float8) -> float8', domain(Math.acos, (x) => x >= -1 && x <= 1));
fl('atan(float8) -> float8', Math.atan);
fn('atan2(float8, float8) -> float8', (a) => Math.atan2(N(a[0]!), N(a[1]!)));
for (const [name, f] of [['sinh', Math.sinh], ['cosh', Math.cosh], ['tanh', Math.tanh], ['asinh', Math.asinh], ['acosh', Math.acosh], ['atanh', Math.atanh]] as const) {
  fl(`${name}(float8) -> float8`, f);
}

fn('random() -> float8', (_a, ctx) => (ctx.session ? ctx.session.random() : Math.random()), { volatility: 'volatile' });
fn('setseed(float8) -> text', (a, ctx) => {
  const s = N(a[0]!);
  if (!(s >= -1 && s <= 1)) throw outOfRange(`setseed parameter ${s} is out of allowed range [-1,1]`);
  ctx.session?.setSeed?.(s);
  return null;
}, { volatility: 'volatile' });

function bucketErr(msg: string): SqlError {
  return new SqlError('2201G', msg);
}
fn('width_bucket(float8, float8, float8, int4) -> int4', (a) => {
  const [x, lo, hi, n] = [N(a[0]!), N(a[1]!), N(a[2]!), N(a[3]!)];
  if (n <= 0) throw bucketErr('count must be greater than zero');
  if (lo === hi) throw bucketErr('lower bound cannot equal upper bound');
  if (Number.isNaN(x) || Number.isNaN(lo) || Number.isNaN(hi)) throw bucketErr('operand, lower bound, and upper bound cannot be NaN');
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw bucketErr('lower and upper bounds must be finite');
  if (lo < hi) {
    if (x < lo) return 0;
    if (x >= hi) return checkInt('int4', n + 1);
    return Math.min(n, Math.floor((n * (x - lo)) / (hi - lo)) + 1);
  }
  if (x > lo) return 0;
  if (x <= hi) return checkInt('int4', n + 1);
  return Math.min(n, Math.floor((n * (lo - x)) / (lo - hi)) + 1);
});
fn('width_bucket(numeric, numeric, numeric, int4) -> int4', (a) => {
  const [x, lo, hi] = [D(a[0]!), D(a[1]!), D(a[2]!)];
  const n = N(a[3]!);
  if (n <= 0) throw bucketErr('count must be greater than zero');
  if (lo.cmp(hi) === 0) throw bucketErr('lower bound cannot equal upper bound');
  if (x.isNaN() || lo.isNaN() || hi.isNaN()) throw bucketErr('operand, lower bound, and upper bound cannot be NaN');
  if (!lo.isFinite() || !hi.isFinite()) throw bucketErr('lower and upper bounds must be finite');
  const N_ = Decimal.fromInt(n);
  if (lo.lt(hi)) {
    if (x.lt(lo)) return 0;
    if (x.cmp(hi) >= 0) return checkInt('int4', n + 1);
    return Math.min(n, N_.mul(x.sub(lo)).intDiv(hi.sub(lo)).toNumber() + 1);
  }
  if (x.gt(lo)) return 0;
  if (x.cmp(hi) <= 0) return checkInt('int4', n + 1);
  return Math.min(n, N_.mul(lo.sub(x)).intDiv(lo.sub(hi)).toNumber() + 1);
});

function bigGcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
}
for (const t of ['int4', 'int8'] as IntKind[]) {
  fn(`gcd(${t}, ${t}) -> ${t}`, (a) => checkInt(t, Number(bigGcd(BigInt(N(a[0]!)), BigInt(N(a[1]!))))));
  fn(`lcm(${t}, ${t}) -> ${t}`, (a) => {
    const x = BigInt(N(a[0]!));
    const y = BigInt(N(a[1]!));
    if (x === 0n || y === 0n) return 0;
    const r = (x / bigGcd(x, y)) * y;
    return checkInt(t, Number(r < 0n ? -r : r));
  });
}
function decGcd(a: Decimal, b: Decimal): Decimal {
  a = a.abs();
  b = b.abs();
  while (!b.isZero()) [a, b] = [b, a.mod(b)];
  return a;
}
fn('gcd(numeric, numeric) -> numeric', (a) => {
  const x = D(a[0]!);
  const y = D(a[1]!);
  if (x.isNaN() || y.isNaN()) return Decimal.NaN;
  return decGcd(x, y);
});
fn('lcm(numeric, numeric) -> numeric', (a) => {
  const x = D(a[0]!);
  const y = D(a[1]!);
  if (x.isNaN() || y.isNaN()) return Decimal.NaN;
  if (x.isZero() || y.isZero()) return Decimal.ZERO.round(Math.max(x.scale, y.scale));
  return x.mul(y).abs().div(decGcd(x, y)).trunc(Math.max(x.scale, y.scale));
});
fn('factorial(int8) -> numeric', (a) => {
  const n = N(a[0]!);
  if (n < 0) throw outOfRange('factorial of a negative number is undefined');
  if (n > 32177) throw outOfRange('value overflows numeric format');
  let r = 1n;
  for (let i = 2n; i <= BigInt(n); i++) r *= i;
  return Decimal.fromInt(r);
});
fn('scale(numeric) -> int4', (a) => (D(a[0]!).isFinite() ? D(a[0]!).scale : null));
fn('min_scale(numeric) -> int4', (a) => (D(a[0]!).isFinite() ? D(a[0]!).trimScale().scale : null));
fn('trim_scale(numeric) -> numeric', (a) => D(a[0]!).trimScale());
