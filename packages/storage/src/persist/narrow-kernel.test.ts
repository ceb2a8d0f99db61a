import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { narrowInJs, narrowKernelLoaded, narrowToInt8, offsetsInJs, TILE_VALUES as TILE, wholeRange, wholeRangeInJs, writeOffsets } from './narrow-kernel.js';
import { compileNarrowKernel } from './narrow-kernel-wat.js';

/** A deterministic generator of numbers in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
}

const edgeValues = [0, -0, 1, -1, 127, -128, 128, -129, 0.5, -0.5, 1e-300, NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31), 2 ** 31 - 1, 1e300, 100.00000000000001, 99.99999999999999, Number.MIN_VALUE];

function expected(x: number): boolean {
  return Number.isInteger(x) && x >= -128 && x <= 127 && !Object.is(x, -0);
}

/** Both implementations, compared: same verdict, and the same bytes when they accept. */
function bothAgree(views: Float64Array[]): boolean {
  const n = views.reduce((s, v) => s + v.length, 0);
  const fromKernel = new Int8Array(n);
  const fromJs = new Int8Array(n);
  const ok = narrowToInt8(views, fromKernel);
  expect(narrowInJs(views, fromJs)).toBe(ok);
  if (ok) {
    expect(fromKernel).toEqual(fromJs);
    let k = 0;
    for (const v of views) for (const x of v) expect(fromKernel[k++]).toBe(x);
  }
  return ok;
}

describe('narrow kernel', () => {
  it('embeds narrow-kernel.wat as compiled', async () => {
    const source = fs.readFileSync(new URL('./narrow-kernel.ts', import.meta.url), 'utf8');
    const embedded = /const KERNEL_BASE64 =\n {2}'([^']*)';/.exec(source)?.[1];
    expect(embedded).toBe(Buffer.from(await compileNarrowKernel()).toString('base64'));
  });

  it('runs as WebAssembly on this Node', () => {
    expect(narrowKernelLoaded).toBe(true);
  });

  it('accepts exactly the whole numbers -128..127 other than -0, at every place in a step of eight and in a padded tail', () => {
    for (const x of edgeValues) {
      for (const length of [1, 7, 8, 9, 23]) {
        for (let at = 0; at < length; at++) {
          const v = new Float64Array(length).fill(-7);
          v[at] = x;
          expect(bothAgree([v])).toBe(expected(x));
        }
      }
    }
  });

  it('writes every byte of many views, over tile boundaries and from offsets inside their buffers', () => {
    const random = lcg(7);
    const buffer = new Float64Array(3 * TILE + 100);
    for (let i = 0; i < buffer.length; i++) buffer[i] = Math.floor(random() * 256) - 128;
    const views = [buffer.subarray(3, TILE + 5), buffer.subarray(TILE + 5, TILE + 5), buffer.subarray(TILE + 9, 3 * TILE + 99), buffer.subarray(0, 1)];
    expect(bothAgree(views)).toBe(true);
    // one value out of range in any view turns the whole answer down; outside them it changes nothing
    for (const [at, inView] of [[0, true], [1, false], [TILE - 1, true], [TILE, true], [TILE + 6, false], [2 * TILE + 1, true], [buffer.length - 2, true], [buffer.length - 1, false]] as const) {
      const saved = buffer[at]!;
      buffer[at] = 128;
      expect(bothAgree(views)).toBe(!inView);
      buffer[at] = saved;
    }
  });

  it('agrees with the JavaScript loop on random columns', () => {
    const random = lcg(11);
    for (let round = 0; round < 300; round++) {
      const v = new Float64Array(1 + Math.floor(random() * 300));
      for (let i = 0; i < v.length; i++) v[i] = Math.floor(random() * 256) - 128;
      // a third of the columns get one value from the edge cases
      if (round % 3 === 0) v[Math.floor(random() * v.length)] = edgeValues[Math.floor(random() * edgeValues.length)]!;
      bothAgree([v]);
    }
  });

  it('finds the range of whole numbers below 2^53 exactly as the JavaScript loop does, and nothing for any other value', () => {
    const edges = [...edgeValues, 2 ** 53, -(2 ** 53), 2 ** 53 - 1, -(2 ** 53) + 1, 1_451_606_400_000, 2 ** 32, 4.5e15 + 0.5];
    for (const x of edges) {
      for (const length of [1, 3, 4, 5, 9, 23]) {
        for (let at = 0; at < length; at++) {
          const v = new Float64Array(length).fill(1_000_000);
          v[at] = x;
          const whole = Number.isInteger(x) && Math.abs(x) < 2 ** 53 && !Object.is(x, -0);
          const got = wholeRange([v]);
          expect(got).toEqual(wholeRangeInJs([v]));
          expect(got).toEqual(whole ? { min: Math.min(...v), max: Math.max(...v) } : null);
        }
      }
    }
  });

  it('writes offsets from a base in 1, 2 and 4 bytes over many views and tile boundaries, as the JavaScript loop does', () => {
    const random = lcg(13);
    for (const [width, span] of [[1, 255], [2, 65_535], [4, 2 ** 32 - 1]] as const) {
      const base = 1_451_606_400_000 - Math.floor(random() * 1e9);
      const buffer = new Float64Array(2 * TILE + 77);
      for (let i = 0; i < buffer.length; i++) buffer[i] = base + Math.floor(random() * (span + 1));
      buffer[5] = base;
      buffer[6] = base + span;
      const views = [buffer.subarray(1, TILE + 3), buffer.subarray(TILE + 3, TILE + 3), buffer.subarray(TILE + 3, buffer.length), buffer.subarray(0, 1)];
      const n = views.reduce((s, v) => s + v.length, 0);
      expect(wholeRange(views)).toEqual({ min: base, max: base + span });
      const make = () => (width === 1 ? new Uint8Array(n) : width === 2 ? new Uint16Array(n) : new Uint32Array(n));
      const fromKernel = make();
      const fromJs = make();
      writeOffsets(views, base, fromKernel);
      offsetsInJs(views, base, fromJs);
      expect(fromKernel).toEqual(fromJs);
      let k = 0;
      for (const v of views) for (const x of v) expect(base + fromKernel[k++]!).toBe(x);
    }
  });
});
