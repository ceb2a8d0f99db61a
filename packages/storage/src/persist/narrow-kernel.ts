/**
 * Float columns to bytes for the log (delta-encode.ts, writeNarrow): every value is checked to be
 * a whole number in -128..127 that is not -0, and written as an int8 while it is checked.
 *
 * Per value, the check in JavaScript costs about three times a native copy: it was the largest
 * part of what a durable bulk load adds on the main thread (6 ns a value in place, 120-160 ms per
 * 2M TSBS rows). A WebAssembly SIMD kernel (narrow-kernel.wat) does it eight values a step, at the
 * cost of copying each tile into its memory, about as fast as an unchecked native conversion.
 * Where WebAssembly SIMD is missing, the JavaScript loop does the same work.
 */

/** narrow-kernel.wat, compiled (narrow-kernel.build.ts writes it; narrow-kernel.test.ts checks it) */
const KERNEL_BASE64 =
  'AGFzbQEAAAABEAJgA39/fwF/YAV/f39/fAADBAMAAAEFAwEAAQclBAZtZW1vcnkCAAduYXJyb3c4AAAEc2NhbgABB29mZnNldHMAAgqZCAP7AwIBfw17IAAgAkEDdGohA/0M/////////////////////yEE/QwAAAAAAAAAAAAAAAAAAAAAIQX9DAAAAAAAAAAAAAAAAAAAAAAhBv0MAAAAAAAAAAAAAAAAAAAAACEHAkADQCAAIANPDQEgAP0ABAAhCCAA/QAEECEJIAD9AAQgIQogAP0ABDAhCyAI/fwBIQwgCf38ASENIAr9/AEhDiAL/fwBIQ8gBCAIIAz9/gH9RyAJIA39/gH9R/1OIAogDv3+Af1HIAsgD/3+Af1H/U79Tv1OIQQgBSAI/QwAAAAAAAAAgAAAAAAAAACA/dYBIAn9DAAAAAAAAACAAAAAAAAAAID91gH9UCAK/QwAAAAAAAAAgAAAAAAAAACA/dYBIAv9DAAAAAAAAACAAAAAAAAAAID91gH9UP1Q/VAhBSAMIA39DQABAgMEBQYHEBESExQVFhchECAGIBD9tgEhBiAHIBD9uAEhByAOIA/9DQABAgMEBQYHEBESExQVFhchDCAGIAz9tgEhBiAHIAz9uAEhByAQIAz9hQEhECABIBAgEP1l/VsDAAAgAEHAAGohACABQQhqIQEMAAsLIAT9wwEgBf1TRXEgBv0MgP///4D///+A////gP////05/VNFIAf9DH8AAAB/AAAAfwAAAH8AAAD9O/1TRXFxC7UCAgF/BnsgACABQQN0aiED/Qz/////////////////////IQT9DAAAAAAAAAAAAAAAAAAAAAAhBSAA/QAEACEGIAYhBwJAA0AgACADTw0BIAD9AAQAIQggAP0ABBAhCSAEIAggCP16/UcgCSAJ/Xr9R/1OIAj97AH9DAAAAAAAAEBDAAAAAAAAQEP9SSAJ/ewB/QwAAAAAAABAQwAAAAAAAEBD/Un9Tv1O/U4hBCAFIAj9DAAAAAAAAACAAAAAAAAAAID91gEgCf0MAAAAAAAAAIAAAAAAAAAAgP3WAf1Q/VAhBSAGIAggCf30Af30ASEGIAcgCCAJ/fUB/fUBIQcgAEEgaiEADAALCyACIAb9IQAgBv0hAaQ5AwAgAiAH/SEAIAf9IQGlOQMIIAT9wwEgBf1TRXEL4gECAX8DeyAAIAJBA3RqIQUgBP0UIQYCQANAIAAgBU8NASAA/QAEACAG/fEB/f0BIAD9AAQQIAb98QH9/QH9DQABAgMEBQYHEBESExQVFhchByAA/QAEICAG/fEB/f0BIAD9AAQwIAb98QH9/QH9DQABAgMEBQYHEBESExQVFhchCCADQQRGBEAgASAH/QsEACABIAj9CwQQIAFBIGohAQUgByAI/YYBIQcgA0ECRgRAIAEgB/0LBAAgAUEQaiEBBSABIAcgB/1m/VsDAAAgAUEIaiEBCwsgAEHAAGohAAwACwsL';

/** Values per kernel call: a tile's doubles (64 KiB) and bytes stay in the core's caches. */
export const TILE_VALUES = 8192;
const TILE_IN = 0;
const TILE_OUT = TILE_VALUES * 8;
/** where scan leaves a tile's minimum and maximum (after the widest output, 4 bytes a value) */
const SCAN_OUT = TILE_OUT + TILE_VALUES * 4;
const PAGE_BYTES = 65536;

interface Kernel {
  readonly memory: Uint8Array;
  readonly narrow8: (src: number, dst: number, n: number) => number;
  readonly scan: (src: number, n: number, out: number) => number;
  readonly offsets: (src: number, dst: number, n: number, width: number, base: number) => void;
}

function loadKernel(): Kernel | null {
  try {
    const bytes = Buffer.from(KERNEL_BASE64, 'base64');
    if (!WebAssembly.validate(bytes)) return null;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    const memory = instance.exports.memory as WebAssembly.Memory;
    const pages = Math.ceil((SCAN_OUT + 16) / PAGE_BYTES);
    if (memory.buffer.byteLength < pages * PAGE_BYTES) memory.grow(pages - memory.buffer.byteLength / PAGE_BYTES);
    const e = instance.exports;
    return { memory: new Uint8Array(memory.buffer), narrow8: e.narrow8 as Kernel['narrow8'], scan: e.scan as Kernel['scan'], offsets: e.offsets as Kernel['offsets'] };
  } catch {
    return null;
  }
}

const kernel = loadKernel();

/** Whether the WebAssembly kernel runs here (else narrowToInt8 runs its JavaScript loop). */
export const narrowKernelLoaded = kernel !== null;

/**
 * Writes the values of `views` (in order, `out.length` of them in all) to `out` as int8 when every
 * one is a whole number in -128..127 other than -0, and returns true; else returns false, with
 * `out` holding anything.
 */
export function narrowToInt8(views: readonly Float64Array[], out: Int8Array): boolean {
  return kernel !== null ? narrowWithKernel(kernel, views, out) : narrowInJs(views, out);
}

/**
 * Copies `views` into the kernel's memory a tile at a time, each padded to whole steps of `step`
 * values with `pad(view, tileStart)`, and calls `fn(n, padded, at)` per tile (`at`: the values
 * before it); stops, returning false, once `fn` does.
 */
function eachTile(k: Kernel, views: readonly Float64Array[], step: number, pad: (v: Float64Array, s: number) => number, fn: (n: number, padded: number, at: number) => boolean): boolean {
  const mem = k.memory;
  let at = 0;
  for (const v of views) {
    const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    for (let s = 0; s < v.length; s += TILE_VALUES) {
      const n = Math.min(TILE_VALUES, v.length - s);
      const padded = Math.ceil(n / step) * step;
      mem.set(bytes.subarray(s * 8, (s + n) * 8), TILE_IN);
      if (padded > n) new Float64Array(mem.buffer, TILE_IN, padded).fill(pad(v, s), n);
      if (!fn(n, padded, at)) return false;
      at += n;
    }
  }
  return true;
}

function narrowWithKernel(k: Kernel, views: readonly Float64Array[], out: Int8Array): boolean {
  // the tail is padded with zeros, whose bytes are not kept
  return eachTile(k, views, 8, () => 0, (n, padded, at) => {
    if (k.narrow8(TILE_IN, TILE_OUT, padded) !== 1) return false;
    out.set(new Int8Array(k.memory.buffer, TILE_OUT, n), at);
    return true;
  });
}

/** The same, one value at a time (no WebAssembly SIMD, and the reference the kernel is tested against). */
export function narrowInJs(views: readonly Float64Array[], out: Int8Array): boolean {
  let k = 0;
  for (const v of views) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      const b = x | 0;
      if (b !== x || b < -128 || b > 127 || (b === 0 && 1 / x < 0)) return false;
      out[k++] = b;
    }
  }
  return true;
}

/** The smallest and largest of a column's values. */
export interface WholeRange {
  readonly min: number;
  readonly max: number;
}

/**
 * The range of `views`' values (in order, at least one in all) when every one is a whole number of
 * magnitude below 2^53 other than -0 (so NaN and ±Infinity are not), else null: a column a base and
 * small offsets from it hold exactly (timestamps, ids), see writeOffsets.
 */
export function wholeRange(views: readonly Float64Array[]): WholeRange | null {
  return kernel !== null ? wholeRangeWithKernel(kernel, views) : wholeRangeInJs(views);
}

/**
 * Writes each value of `views` minus `base` into `out` as an unsigned integer of `out`'s width; every
 * value must be a whole number with 0 <= value - base < 2^(8 × width) (wholeRange tells).
 */
export function writeOffsets(views: readonly Float64Array[], base: number, out: Uint8Array | Uint16Array | Uint32Array): void {
  if (kernel !== null) offsetsWithKernel(kernel, views, base, out);
  else offsetsInJs(views, base, out);
}

function wholeRangeWithKernel(k: Kernel, views: readonly Float64Array[]): WholeRange | null {
  const range = new Float64Array(k.memory.buffer, SCAN_OUT, 2);
  let min = Infinity;
  let max = -Infinity;
  // the tail repeats the tile's first value, which changes neither answer
  const whole = eachTile(k, views, 4, (v, s) => v[s]!, (_n, padded) => {
    if (k.scan(TILE_IN, padded, SCAN_OUT) !== 1) return false;
    if (range[0]! < min) min = range[0]!;
    if (range[1]! > max) max = range[1]!;
    return true;
  });
  return whole && min <= max ? { min, max } : null;
}

function offsetsWithKernel(k: Kernel, views: readonly Float64Array[], base: number, out: Uint8Array | Uint16Array | Uint32Array): void {
  const width = out.BYTES_PER_ELEMENT;
  const outBytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  // the tail is padded with the base, whose offsets are not kept
  eachTile(k, views, 8, () => base, (n, padded, at) => {
    k.offsets(TILE_IN, TILE_OUT, padded, width, base);
    outBytes.set(k.memory.subarray(TILE_OUT, TILE_OUT + n * width), at * width);
    return true;
  });
}

/** The same as the kernel's scan, one value at a time (no WebAssembly SIMD, and the tests' reference). */
export function wholeRangeInJs(views: readonly Float64Array[]): WholeRange | null {
  let min = Infinity;
  let max = -Infinity;
  for (const v of views) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      if (!(Math.abs(x) < 2 ** 53) || Math.trunc(x) !== x || Object.is(x, -0)) return null;
      if (x < min) min = x;
      if (x > max) max = x;
    }
  }
  return min <= max ? { min, max } : null;
}

export function offsetsInJs(views: readonly Float64Array[], base: number, out: Uint8Array | Uint16Array | Uint32Array): void {
  let k = 0;
  for (const v of views) for (let i = 0; i < v.length; i++) out[k++] = v[i]! - base;
}
