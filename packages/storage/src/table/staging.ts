/**
 * A transaction's bulk inserts into one table, gathered straight from the
 * statement's batches (a COPY's routed parts) into blocks laid out the way a
 * chunk seals them, so that commit can adopt whole blocks as sealed batches
 * instead of copying every row through an append buffer.
 *
 * Block boundaries fall at multiples of sealRows counted from the
 * transaction's first staged row. Small inserts stay small (4,096 + 4,096 +
 * 8,192 + 16,384 + 32,768, then 65,536 each); one large insert gets a block
 * of its own size up to the next boundary, since every row it brings is
 * already known (fewer, larger blocks: less allocation, fewer pieces to
 * publish, and a seal-sized block whenever it spans one), so when the target chunk's
 * append buffer is empty at commit — a new chunk, or one whose rows end on a
 * seal boundary — every full block is sealed in place, zero copies after the
 * gather. Otherwise commit copies, as for any other rows.
 *
 * Each insert hands out pieces that are views of a block; rows are only ever
 * written past the fill point, so a view (a snapshot's private segment) never
 * sees later writes. Uncommitted rows live nowhere else: no second copy is
 * held until commit, so memory is the table's own data.
 */
import type { Vector } from '../vector.js';
import type { StringDict } from './dict.js';
import type { ColData, ColumnLayout, Piece } from './layout.js';
import type { LiveRun } from '../persist/delta-encode.js';

const FIRST_BLOCK_ROWS = 4096;

interface Block {
  readonly cap: number;
  filled: number;
  /** the whole block as one piece (length = cap; only runs below `filled` are ever read) */
  readonly piece: Piece;
  readonly cols: Map<number, ColData>;
}

/** Where staging stood before an insert, to undo it when the insert's checks fail. */
export interface StagingMark {
  readonly block: Block | null;
  readonly filled: number;
  readonly staged: number;
}

export class StagingBlocks {
  private block: Block | null = null;
  /** rows staged so far, failed inserts excluded */
  private staged = 0;
  private readonly origin = new WeakMap<Piece, { block: Block; at: number }>();

  constructor(private readonly sealRows: number) {}

  /** Whether every column can be gathered directly (typed layouts fed by vectors of the same shape). */
  static supports(layouts: readonly ColumnLayout[], columns: readonly Vector[]): boolean {
    for (let i = 0; i < layouts.length; i++) {
      const l = layouts[i]!;
      const v = columns[i]!;
      if (l.kind === 'num' ? v.tag !== 'number' : l.kind === 'bool' ? v.tag !== 'bool' : l.kind === 'dict' ? v.tag !== 'dict' : true) return false;
    }
    return true;
  }

  mark(): StagingMark {
    return { block: this.block, filled: this.block?.filled ?? 0, staged: this.staged };
  }

  /** Forget everything written since `m` (NULL marks included: the next gather writes only NULLs). */
  rewind(m: StagingMark): void {
    const b = m.block;
    if (b !== null) {
      for (const c of b.cols.values()) if ((c.kind === 'num' || c.kind === 'bool' || c.kind === 'dict') && c.nulls) c.nulls.fill(0, m.filled, b.filled);
      b.filled = m.filled;
    }
    this.block = b;
    this.staged = m.staged;
  }

  /**
   * Rows `rows[0..n)` of `columns` (all rows in order when `rows` is null), one vector per
   * layout, gathered into blocks; returns the new rows as pieces (one per block touched).
   * Text is interned into `dictOf(columnId)`; a block holds codes of one dictionary only.
   */
  gather(layouts: readonly ColumnLayout[], columns: readonly Vector[], rows: Int32Array | null, n: number, dictOf: (id: number) => StringDict): Piece[] {
    const pieces: Piece[] = [];
    let done = 0;
    while (done < n) {
      let b = this.block;
      if (b === null || b.filled === b.cap || !sameColumns(b, layouts, dictOf)) b = this.block = this.newBlock(layouts, dictOf, n - done);
      const k = Math.min(n - done, b.cap - b.filled);
      const at = b.filled;
      for (let i = 0; i < layouts.length; i++) gatherColumn(b, layouts[i]!, columns[i]!, rows, done, k, at);
      b.filled += k;
      this.staged += k;
      const piece = viewPiece(b, at, at + k);
      this.origin.set(piece, { block: b, at });
      pieces.push(piece);
      done += k;
    }
    return pieces;
  }

  private newBlock(layouts: readonly ColumnLayout[], dictOf: (id: number) => StringDict, rowsWaiting: number): Block {
    const sr = this.sealRows;
    const into = this.staged % sr;
    // double up to the seal size, ending exactly on the next seal boundary; rows already
    // waiting (one large insert) get one block of their size instead of a series of doublings
    const cap = this.staged >= sr ? sr - into : Math.min(sr - into, Math.max(FIRST_BLOCK_ROWS, into, rowsWaiting));
    const cols = new Map<number, ColData>();
    for (const l of layouts) {
      if (l.kind === 'num') cols.set(l.id, { kind: 'num', values: new Float64Array(cap), nulls: null });
      else if (l.kind === 'bool') cols.set(l.id, { kind: 'bool', values: new Uint8Array(cap), nulls: null });
      else cols.set(l.id, { kind: 'dict', codes: new Int32Array(cap), nulls: null, dict: dictOf(l.id) });
    }
    return { cap, filled: 0, cols, piece: { length: cap, cols } };
  }

  /**
   * Runs over the same block that follow each other without a gap become one run over
   * the whole block's piece, so commit can seal sealRows of them without copying.
   */
  mergeRuns(runs: readonly LiveRun[]): LiveRun[] {
    const out: LiveRun[] = [];
    let cur: { block: Block; from: number; to: number } | null = null;
    const push = () => {
      if (cur) out.push({ piece: cur.block.piece, from: cur.from, to: cur.to });
      cur = null;
    };
    for (const r of runs) {
      const o = this.origin.get(r.piece);
      if (o === undefined) {
        push();
        out.push(r);
        continue;
      }
      const from = o.at + r.from;
      const to = o.at + r.to;
      if (cur !== null && cur.block === o.block && cur.to === from) cur.to = to;
      else {
        push();
        cur = { block: o.block, from, to };
      }
    }
    push();
    return out;
  }
}

/** The block was laid out for these columns (no ALTER TABLE since) and these dictionaries. */
function sameColumns(b: Block, layouts: readonly ColumnLayout[], dictOf: (id: number) => StringDict): boolean {
  if (b.cols.size !== layouts.length) return false;
  for (const l of layouts) {
    const c = b.cols.get(l.id);
    if (c === undefined || c.kind !== l.kind) return false;
    if (c.kind === 'dict' && c.dict !== dictOf(l.id)) return false;
  }
  return true;
}

function viewPiece(b: Block, from: number, to: number): Piece {
  const cols = new Map<number, ColData>();
  for (const [id, c] of b.cols) {
    if (c.kind === 'num') cols.set(id, { kind: 'num', values: c.values.subarray(from, to), nulls: c.nulls ? c.nulls.subarray(from, to) : null });
    else if (c.kind === 'bool') cols.set(id, { kind: 'bool', values: c.values.subarray(from, to), nulls: c.nulls ? c.nulls.subarray(from, to) : null });
    else if (c.kind === 'dict') cols.set(id, { kind: 'dict', codes: c.codes.subarray(from, to), nulls: c.nulls ? c.nulls.subarray(from, to) : null, dict: c.dict });
  }
  return { length: to - from, cols };
}

/** Rows rows[from..from+k) (or from..from+k) of `v` into the block's column at `at`. */
function gatherColumn(b: Block, l: ColumnLayout, v: Vector, rows: Int32Array | null, from: number, k: number, at: number): void {
  const c = b.cols.get(l.id)!;
  let sn: Uint8Array | null = null;
  if (c.kind === 'num' && v.tag === 'number') {
    const dst = c.values;
    const src = v.values;
    if (rows === null) dst.set(src.subarray(from, from + k), at);
    else for (let i = 0; i < k; i++) dst[at + i] = src[rows[from + i]!]!;
    sn = v.nulls;
  } else if (c.kind === 'bool' && v.tag === 'bool') {
    const dst = c.values;
    const src = v.values;
    if (rows === null) dst.set(src.subarray(from, from + k), at);
    else for (let i = 0; i < k; i++) dst[at + i] = src[rows[from + i]!]!;
    sn = v.nulls;
  } else if (c.kind === 'dict' && v.tag === 'dict') {
    const d = c.dict;
    const map = d.remapFrom(v.dict);
    const dst = c.codes;
    const src = v.codes;
    const vn = v.nulls;
    for (let i = 0; i < k; i++) {
      const r = rows === null ? from + i : rows[from + i]!;
      if (vn !== null && vn[r] === 1) continue; // its NULL mark below; the code is never read
      const code = src[r]!;
      let m = map[code]!;
      if (m < 0) m = map[code] = d.intern(v.dict[code]!);
      dst[at + i] = m;
    }
    sn = vn;
  } else throw new Error(`staging: column ${l.id} cannot take a ${v.tag} vector`);
  if (sn !== null) gatherNulls(c, sn, b.cap, rows, from, k, at);
}

function gatherNulls(c: { nulls: Uint8Array | null }, sn: Uint8Array, cap: number, rows: Int32Array | null, from: number, k: number, at: number): void {
  for (let i = 0; i < k; i++) {
    if (sn[rows === null ? from + i : rows[from + i]!] === 1) (c.nulls ??= new Uint8Array(cap))[at + i] = 1;
  }
}
