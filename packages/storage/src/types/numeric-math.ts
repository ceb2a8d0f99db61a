/**
 * BigInt helpers for numeric.ts: powers of ten, rounding division, integer
 * square root, and fixed-point ln/exp used by ln/log/exp/power.
 */
export const POW10: bigint[] = [];
for (let i = 0, p = 1n; i < 64; i++, p *= 10n) POW10.push(p);
export function pow10(n: number): bigint {
  return n < 64 ? POW10[n]! : 10n ** BigInt(n);
}

export function absBig(x: bigint): bigint {
  return x < 0n ? -x : x;
}
export function digitCount(x: bigint): number {
  if (x < 0n) x = -x;
  if (x < POW10[18]!) {
    let d = 1;
    while (d < 18 && x >= POW10[d]!) d++;
    return d;
  }
  return x.toString().length;
}
/** n / d rounded half away from zero. */
export function roundDiv(n: bigint, d: bigint): bigint {
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const q = n / d;
  const r = n - q * d;
  if (r === 0n) return q;
  if (absBig(r) * 2n >= d) return n < 0n ? q - 1n : q + 1n;
  return q;
}
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x: bigint;
  if (n < 4503599627370496n) x = BigInt(Math.floor(Math.sqrt(Number(n)))) + 1n;
  else x = 1n << BigInt((n.toString(2).length >> 1) + 1); // ≥ sqrt(n)
  // Newton from above: decreases monotonically to floor(sqrt(n))
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  while (x * x > n) x--;
  return x;
}

const ln10Cache = new Map<number, bigint>();
function ln10Fixed(W: number): bigint {
  let v = ln10Cache.get(W);
  if (v === undefined) {
    // ln(10) = 3 ln 2 + ln 1.25
    v = 3n * lnNear1(2n * pow10(W), W) + lnNear1(125n * pow10(W - 2), W);
    ln10Cache.set(W, v);
  }
  return v;
}

/** ln(m / 10^W) * 10^W for m / 10^W in roughly [0.1, 10], by square roots then atanh series. */
function lnNear1(m: bigint, W: number): bigint {
  const G = 30;
  const WW = W + G;
  const one = pow10(WW);
  let x = m * pow10(G);
  let k = 0;
  const lo = one - one / 100n;
  const hi = one + one / 100n;
  while (x < lo || x > hi) {
    x = isqrt(x * one);
    k++;
  }
  const z = ((x - one) * one) / (x + one);
  const z2 = (z * z) / one;
  let term = z;
  let sum = 0n;
  for (let n = 1n; term !== 0n; n += 2n) {
    sum += term / n;
    term = (term * z2) / one;
  }
  return ((2n * sum) << BigInt(k)) / pow10(G);
}

/** ln(coef / 10^scale) as a fixed-point number with W fractional digits. */
export function lnFixed(coef: bigint, scale: number, W: number): bigint {
  const d = digitCount(coef);
  const e = d - scale; // value = 0.m * 10^e, m in [0.1, 1)
  const WW = W + 4;
  let m = d <= WW ? coef * pow10(WW - d) : coef / pow10(d - WW); // m / 10^WW in [0.1, 1)
  let e2 = e;
  if (m < (3n * pow10(WW)) / 10n) {
    m *= 10n;
    e2 -= 1;
  }
  let r = lnNear1(m, WW);
  if (e2 !== 0) r += BigInt(e2) * ln10Fixed(WW + Math.ceil(Math.log10(Math.abs(e2) + 1)) + 1) / pow10(Math.ceil(Math.log10(Math.abs(e2) + 1)) + 1);
  return r / 10000n;
}

/** exp(x / 10^W) * 10^W. */
export function expFixed(x: bigint, W: number): bigint {
  const mag = Math.abs(Number(x / pow10(W)));
  let k = 8;
  while (2 ** k < mag * 1000) k++;
  const G = Math.ceil(k * 0.302) + 10;
  const WW = W + G;
  const one = pow10(WW);
  const r = (x * pow10(G)) >> BigInt(k);
  let term = one;
  let sum = one;
  for (let n = 1n; term !== 0n; n++) {
    term = (term * r) / one / n;
    sum += term;
  }
  for (let i = 0; i < k; i++) sum = (sum * sum) / one;
  return sum / pow10(G);
}

