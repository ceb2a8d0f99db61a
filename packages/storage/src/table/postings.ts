/**
 * Posting lists of a sealed batch's dictionary column: the row positions of
 * every code, so `col IN ('a', 'b')` reads the few rows holding those codes
 * instead of testing all 65,536. A sealed batch never changes, so its lists
 * are built once and kept in a byte-budgeted LRU cache rather than in the
 * stored batch: they cost memory only for columns queries actually filter by
 * equality (≈ 2 bytes/row).
 *
 * They are built by the SECOND scan that restricts a batch's column: building
 * costs about five passes over the codes (maximum, counts, scatter), a scan
 * without them one. A batch read once (a query over a time range nobody asks
 * for again: most of TSBS's single-host queries, each on a random hour) gets
 * the single pass; one read again gets lists that make every later read cheap.
 */
import type { Data } from 'apache-arrow';

/** The rows of a batch holding some codes. */
export interface RowsByCode {
  /** Rows holding any of `codes`, increasing (codes outside the batch match nothing). */
  rowsOf(codes: readonly number[]): Int32Array;
}

/** Row positions grouped by code: rows of code c are positions[offsets[c] .. offsets[c + 1]), increasing. */
export class Postings implements RowsByCode {
  constructor(
    private readonly offsets: Int32Array,
    private readonly positions: Uint16Array | Int32Array,
  ) {}

  get bytes(): number {
    return this.offsets.byteLength + this.positions.byteLength;
  }

  /** Rows holding any of `codes`, increasing (codes outside the batch match nothing). */
  rowsOf(codes: readonly number[]): Int32Array {
    const offs = this.offsets;
    const maxCode = offs.length - 2;
    let n = 0;
    const wanted: number[] = [];
    for (const c of codes) {
      if (c < 0 || c > maxCode || wanted.includes(c)) continue;
      const k = offs[c + 1]! - offs[c]!;
      if (k > 0) {
        wanted.push(c);
        n += k;
      }
    }
    const out = new Int32Array(n);
    if (wanted.length === 1) {
      const c = wanted[0]!;
      const from = offs[c]!;
      for (let i = 0; i < n; i++) out[i] = this.positions[from + i]!;
      return out;
    }
    // several codes: concatenate, then sort (each list is short; typed-array sort is numeric)
    let k = 0;
    for (const c of wanted) for (let i = offs[c]!, e = offs[c + 1]!; i < e; i++) out[k++] = this.positions[i]!;
    return out.sort();
  }

  /** Counting sort of the codes; rows whose `isNull` is set are left out (NULL equals nothing). */
  static build(codes: Int32Array, isNull: ((row: number) => boolean) | null): Postings {
    const n = codes.length;
    let maxCode = -1;
    for (let i = 0; i < n; i++) if (codes[i]! > maxCode) maxCode = codes[i]!;
    const offsets = new Int32Array(maxCode + 2);
    for (let i = 0; i < n; i++) if (isNull === null || !isNull(i)) offsets[codes[i]! + 1]!++;
    for (let c = 0; c <= maxCode; c++) offsets[c + 1]! += offsets[c]!;
    const total = offsets[maxCode + 1] ?? 0;
    const positions = n <= 65536 ? new Uint16Array(total) : new Int32Array(total);
    const fill = offsets.slice(0, maxCode + 1);
    for (let i = 0; i < n; i++) {
      if (isNull !== null && isNull(i)) continue;
      positions[fill[codes[i]!]!++] = i;
    }
    return new Postings(offsets, positions);
  }
}

/** One pass over the codes (a batch without posting lists yet). */
export class CodeScan implements RowsByCode {
  constructor(
    private readonly codes: Int32Array,
    private readonly isNull: ((row: number) => boolean) | null,
  ) {}

  rowsOf(wanted: readonly number[]): Int32Array {
    let top = -1;
    for (const c of wanted) if (c > top) top = c;
    if (top < 0) return new Int32Array(0);
    const codes = this.codes;
    const n = codes.length;
    if (scratch.length < n) scratch = new Int32Array(n);
    const out = scratch;
    let k = 0;
    if (wanted.length === 1) {
      const c = wanted[0]!;
      for (let i = 0; i < n; i++) if (codes[i] === c) out[k++] = i;
    } else {
      const member = new Uint8Array(top + 1);
      for (const c of wanted) if (c >= 0) member[c] = 1;
      for (let i = 0; i < n; i++) {
        const c = codes[i]!;
        if (c <= top && member[c] === 1) out[k++] = i;
      }
    }
    const isNull = this.isNull;
    if (isNull === null) return out.slice(0, k);
    // NULL equals nothing (its code slot holds a placeholder): few rows match, so test only those
    let m = 0;
    for (let j = 0; j < k; j++) if (!isNull(out[j]!)) out[m++] = out[j]!;
    return out.slice(0, m);
  }
}

/** Matching positions before they are copied out (one scan at a time: scans are synchronous). */
let scratch = new Int32Array(65536);

/** Batches scanned once, without lists (a second scan builds them). Weak: a dropped batch leaves no entry. */
const scannedOnce = new WeakSet<Data>();

const cache = new Map<Data, Postings>();
let cachedBytes = 0;
let budget = 64 * 1024 * 1024;

/** Bytes of posting lists kept across scans (0 disables them: scans test every row). */
export function setPostingsCacheBytes(bytes: number): void {
  budget = Math.max(0, bytes);
  evict();
}

/** Bytes the cached posting lists hold now. */
export function postingsCacheBytes(): number {
  return cachedBytes;
}

export function postingsEnabled(): boolean {
  return budget > 0;
}

function evict(): void {
  for (const [k, v] of cache) {
    if (cachedBytes <= budget) break;
    cache.delete(k);
    cachedBytes -= v.bytes;
  }
}

/**
 * The rows by code of an immutable dictionary-coded Arrow column: its posting lists, built by the
 * second call for the same column (the first gets a single pass over `codes`).
 */
export function postingsOf(d: Data, codes: Int32Array, isNull: ((row: number) => boolean) | null): RowsByCode {
  let p = cache.get(d);
  if (p !== undefined) {
    cache.delete(d);
    cache.set(d, p);
    return p;
  }
  if (!scannedOnce.has(d)) {
    scannedOnce.add(d);
    return new CodeScan(codes, isNull);
  }
  p = Postings.build(codes, isNull);
  cache.set(d, p);
  cachedBytes += p.bytes;
  evict();
  return p;
}
