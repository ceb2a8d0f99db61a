/**
 * Stable sorts of row indexes. A single number / dictionary / bool key is
 * radix-sorted on a 64-bit order-preserving transform of its doubles (LSD
 * radix is stable and skips byte positions where all keys agree — the high
 * bytes of timestamps); other keys use a comparator with the row index as the
 * final tie-break.
 */
import type { Vector, Batch } from '../vector.js';
import { concatVectors, takeVector } from '../vector.js';
import { compareRowsAcross, dictRanks, makeRowComparator } from './compare.js';

const RADIX_MIN = 256;

/**
 * `interrupt` (statement_timeout, cancel) is called between radix passes and
 * every 64 Ki comparisons, so a sort of millions of rows can be stopped.
 */
export function sortIndices(keys: readonly Vector[], desc: readonly boolean[], nullsFirst: readonly boolean[], length: number, interrupt?: () => void): Int32Array {
  if (length <= 1 || keys.length === 0) return identity(length);
  if (keys.length === 1 && length >= RADIX_MIN && keys[0]!.tag !== 'object') return radixSortKey(keys[0]!, desc[0] ?? false, nullsFirst[0] ?? false, length, interrupt);
  const cmp = makeRowComparator(keys, desc, nullsFirst);
  if (!interrupt || length < INTERRUPT_EVERY) return identity(length).sort((a, b) => cmp(a, b) || a - b);
  let compares = 0;
  return identity(length).sort((a, b) => {
    if ((++compares & (INTERRUPT_EVERY - 1)) === 0) interrupt();
    return cmp(a, b) || a - b;
  });
}

const INTERRUPT_EVERY = 1 << 16;
const INTERRUPT_ROWS = 1 << 21;

function identity(n: number): Int32Array {
  const r = new Int32Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  return r;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function radixSortKey(v: Vector, desc: boolean, nullsFirst: boolean, length: number, interrupt?: () => void): Int32Array {
  const nulls = v.tag === 'object' ? null : v.nulls;
  let nullCount = 0;
  if (nulls !== null) for (let i = 0; i < length; i++) nullCount += nulls[i]!;
  const m = length - nullCount;
  let idx = new Int32Array(m);
  let hi = new Uint32Array(m);
  let lo = new Uint32Array(m);
  const nullIdx = new Int32Array(nullCount);
  const flip = desc ? 0xffffffff : 0;
  let k = 0;
  let nk = 0;
  if (v.tag === 'number') {
    const vals = v.values;
    // blocks of INTERRUPT_ROWS rows: the interrupt check costs nothing per row
    for (let i0 = 0; i0 < length; i0 += INTERRUPT_ROWS) {
      interrupt?.();
      for (let i = i0, i1 = Math.min(length, i0 + INTERRUPT_ROWS); i < i1; i++) {
        if (nulls !== null && nulls[i] === 1) {
          nullIdx[nk++] = i;
          continue;
        }
        const x = vals[i]!;
        f64[0] = x !== x ? NaN : x + 0;
        let h = u32[1]!;
        let l = u32[0]!;
        if (h & 0x80000000) {
          h = ~h;
          l = ~l;
        } else h ^= 0x80000000;
        idx[k] = i;
        hi[k] = h ^ flip;
        lo[k] = l ^ flip;
        k++;
      }
    }
  } else {
    // dictionary ranks / bools are small non-negative integers: the low word is enough
    const src = v.tag === 'dict' ? v.codes : (v as { values: Uint8Array }).values;
    const ranks = v.tag === 'dict' ? dictRanks(v.dict, v.type) : null;
    for (let i = 0; i < length; i++) {
      if (nulls !== null && nulls[i] === 1) {
        nullIdx[nk++] = i;
        continue;
      }
      idx[k] = i;
      lo[k] = (ranks !== null ? ranks[src[i]!]! : src[i]!) ^ flip;
      hi[k] = flip;
      k++;
    }
  }
  const counts = new Uint32Array(8 * 256);
  interrupt?.();
  for (let i = 0; i < m; i++) {
    const l = lo[i]!;
    const h = hi[i]!;
    counts[l & 255]!++;
    counts[256 + ((l >>> 8) & 255)]!++;
    counts[512 + ((l >>> 16) & 255)]!++;
    counts[768 + (l >>> 24)]!++;
    counts[1024 + (h & 255)]!++;
    counts[1280 + ((h >>> 8) & 255)]!++;
    counts[1536 + ((h >>> 16) & 255)]!++;
    counts[1792 + (h >>> 24)]!++;
  }
  let idx2 = new Int32Array(m);
  let hi2 = new Uint32Array(m);
  let lo2 = new Uint32Array(m);
  const off = new Uint32Array(256);
  for (let p = 0; p < 8; p++) {
    const base = p * 256;
    let trivial = false;
    for (let d = 0; d < 256; d++) {
      const c = counts[base + d]!;
      if (c === m) trivial = true;
    }
    if (trivial) continue;
    let sum = 0;
    for (let d = 0; d < 256; d++) {
      off[d] = sum;
      sum += counts[base + d]!;
    }
    const word = p < 4 ? lo : hi;
    const shift = (p & 3) * 8;
    const moveHi = p < 7;
    for (let i0 = 0; i0 < m; i0 += INTERRUPT_ROWS) {
      interrupt?.();
      for (let i = i0, i1 = Math.min(m, i0 + INTERRUPT_ROWS); i < i1; i++) {
        const d = (word[i]! >>> shift) & 255;
        const pos = off[d]!++;
        idx2[pos] = idx[i]!;
        lo2[pos] = lo[i]!;
        if (moveHi) hi2[pos] = hi[i]!;
      }
    }
    [idx, idx2] = [idx2, idx];
    [lo, lo2] = [lo2, lo];
    if (moveHi) [hi, hi2] = [hi2, hi];
  }
  if (nullCount === 0) return idx;
  const out = new Int32Array(length);
  if (nullsFirst) {
    out.set(nullIdx, 0);
    out.set(idx, nullCount);
  } else {
    out.set(idx, 0);
    out.set(nullIdx, m);
  }
  return out;
}

/**
 * The first `n` rows in sort order (stable), for ORDER BY … LIMIT: a bounded
 * max-heap keeps the best n seen so far, then they are sorted.
 */
export function topNIndices(keys: readonly Vector[], desc: readonly boolean[], nullsFirst: readonly boolean[], length: number, n: number): Int32Array {
  if (n <= 0) return new Int32Array(0);
  if (n * 4 >= length) return sortIndices(keys, desc, nullsFirst, length).slice(0, Math.min(n, length));
  const base = makeRowComparator(keys, desc, nullsFirst);
  const cmp = (a: number, b: number) => base(a, b) || a - b;
  const heap = new Int32Array(n);
  let size = 0;
  const siftUp = (i: number) => {
    const x = heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (cmp(heap[p]!, x) >= 0) break;
      heap[i] = heap[p]!;
      i = p;
    }
    heap[i] = x;
  };
  const siftDown = (i: number) => {
    const x = heap[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && cmp(heap[c + 1]!, heap[c]!) > 0) c++;
      if (cmp(heap[c]!, x) <= 0) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = x;
  };
  for (let r = 0; r < length; r++) {
    if (size < n) {
      heap[size] = r;
      siftUp(size++);
    } else if (cmp(r, heap[0]!) < 0) {
      heap[0] = r;
      siftDown(0);
    }
  }
  return heap.slice(0, size).sort(cmp);
}

/**
 * k-way merge of streams that are each sorted on `keyColumns`; ties go to the
 * earlier input, so merging stable sorts stays stable.
 */
export function* mergeSorted(
  inputs: readonly Iterable<Batch>[],
  keyColumns: readonly number[],
  desc: readonly boolean[],
  nullsFirst: readonly boolean[],
  batchSize = 65536,
): Generator<Batch> {
  interface Cursor {
    it: Iterator<Batch>;
    batch: Batch;
    keys: Vector[];
    row: number;
    input: number;
  }
  const advanceBatch = (c: Cursor): boolean => {
    for (;;) {
      const r = c.it.next();
      if (r.done) return false;
      if (r.value.length > 0) {
        c.batch = r.value;
        c.keys = keyColumns.map((k) => r.value.columns[k]!);
        c.row = 0;
        return true;
      }
    }
  };
  const heap: Cursor[] = [];
  const less = (a: Cursor, b: Cursor) => {
    const c = compareRowsAcross(a.keys, a.row, b.keys, b.row, desc, nullsFirst);
    return c < 0 || (c === 0 && a.input < b.input);
  };
  const down = (i: number) => {
    for (;;) {
      let m = i;
      const l = 2 * i + 1;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (l + 1 < heap.length && less(heap[l + 1]!, heap[m]!)) m = l + 1;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  const iterators: Iterator<Batch>[] = [];
  try {
    inputs.forEach((inp, input) => {
      const it = inp[Symbol.iterator]();
      iterators.push(it);
      const c: Cursor = { it, batch: { length: 0, columns: [] }, keys: [], row: 0, input };
      if (advanceBatch(c)) heap.push(c);
    });
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
    // output is assembled from runs: (batch, rows) segments gathered with takeVector
    let segs: { batch: Batch; rows: number[] }[] = [];
    let outRows = 0;
    const flush = (): Batch => {
      const ncol = segs[0]!.batch.columns.length;
      const columns = [];
      for (let c = 0; c < ncol; c++) {
        const parts = segs.map((s) => takeVector(s.batch.columns[c]!, s.rows));
        columns.push(concatVectors(parts[0]!.type, parts));
      }
      const b = { length: outRows, columns };
      segs = [];
      outRows = 0;
      return b;
    };
    while (heap.length > 0) {
      const top = heap[0]!;
      let seg = segs.length > 0 ? segs[segs.length - 1]! : null;
      if (seg === null || seg.batch !== top.batch) {
        seg = { batch: top.batch, rows: [] };
        segs.push(seg);
      }
      seg.rows.push(top.row);
      outRows++;
      top.row++;
      if (top.row >= top.batch.length && !advanceBatch(top)) {
        heap[0] = heap[heap.length - 1]!;
        heap.pop();
      }
      if (heap.length > 0) down(0);
      if (outRows >= batchSize) yield flush();
    }
    if (outRows > 0) yield flush();
  } finally {
    for (const it of iterators) it.return?.();
  }
}
