/**
 * A chunk: the self-contained unit later issues partition hypertables into,
 * checkpoint as Arrow IPC and compress. It owns one dictionary per text column,
 * its sealed batches (all exactly `sealRows` long, so a row's position
 * batch * sealRows + offset never changes when its buffer is sealed), and one
 * append buffer. Which of its rows a reader sees is the business of ChunkSnap.
 */
import type { Value } from '../types/values.js';
import { AppendBuffer, type FillOf } from './append-buffer.js';
import { StringDict } from './dict.js';
import type { ColData, ColumnLayout, Piece } from './layout.js';
import { SealedBatch } from './sealed-batch.js';
import { computeColStats, type ColumnStats } from './stats.js';

export class Chunk {
  readonly batches: SealedBatch[] = [];
  buffer: AppendBuffer;
  private readonly dicts = new Map<number, StringDict>();
  private layouts: ColumnLayout[];
  readonly dictOf = (id: number): StringDict => {
    let d = this.dicts.get(id);
    if (d === undefined) {
      d = new StringDict();
      this.dicts.set(id, d);
    }
    return d;
  };

  /** `dicts`: dictionaries text was interned into before the chunk existed (they become its own). */
  constructor(
    readonly id: number, layouts: readonly ColumnLayout[], readonly sealRows: number, readonly maxRows: number,
    dicts?: ReadonlyMap<number, StringDict>,
  ) {
    if (dicts) for (const [cid, d] of dicts) this.dicts.set(cid, d);
    this.layouts = layouts.slice();
    this.buffer = new AppendBuffer(this.layouts, this.dictOf, sealRows);
  }

  /**
   * A chunk rebuilt from a checkpoint: its sealed batches (built in `dicts` space) and
   * the rows of its append buffer, so positions are those of the imaged chunk.
   */
  static restore(
    id: number, layouts: readonly ColumnLayout[], sealRows: number, maxRows: number,
    dicts: ReadonlyMap<number, StringDict>, batches: readonly SealedBatch[], bufferRows: Piece | null, fillOf: FillOf,
  ): Chunk {
    const c = new Chunk(id, layouts, sealRows, maxRows, dicts);
    c.batches.push(...batches);
    if (bufferRows !== null && bufferRows.length > 0) c.buffer.append(bufferRows, 0, bufferRows.length, fillOf);
    return c;
  }

  /** The dictionary of a text column when the chunk has one (without creating it). */
  existingDict(id: number): StringDict | undefined {
    return this.dicts.get(id);
  }

  get storedRows(): number {
    return this.batches.length * this.sealRows + this.buffer.length;
  }

  get full(): boolean {
    return this.storedRows >= this.maxRows;
  }

  /**
   * Append rows [from, to) of `src` until the chunk is full; returns how many were
   * taken. A run of ≥ sealRows rows meeting an empty buffer is sealed straight
   * from the source, skipping the buffer copy. `adopt`: `src` is a private piece
   * nobody writes again, so its arrays may become the sealed batch's.
   */
  append(src: Piece, from: number, to: number, fillOf: FillOf, adopt = false): number {
    let pos = from;
    while (pos < to && this.storedRows < this.maxRows) {
      const room = this.maxRows - this.storedRows;
      if (this.buffer.length === 0 && to - pos >= this.sealRows && room >= this.sealRows) {
        // a private piece is never written again, so every sealRows-long view of it can be adopted
        // (subarrays: the sealed batches of one large insert share its buffers, no second copy)
        this.sealDirect(src, pos, pos + this.sealRows, fillOf, adopt);
        pos += this.sealRows;
        continue;
      }
      const k = Math.min(to - pos, this.sealRows - this.buffer.length, room);
      this.buffer.append(src, pos, pos + k, fillOf);
      pos += k;
      if (this.buffer.length === this.sealRows) this.sealBuffer();
    }
    return pos - from;
  }

  private sealBuffer(): void {
    const b = this.buffer;
    const cols = new Map<number, ColData>();
    for (const l of b.active) cols.set(l.id, b.cols.get(l.id)!);
    this.batches.push(SealedBatch.build(b.active, cols, b.length, this.dictOf, b.stats, true));
    this.buffer = new AppendBuffer(this.layouts, this.dictOf, this.sealRows);
  }

  /** `adopt`: src will not be written again, so views of its typed arrays can be taken over. */
  private sealDirect(src: Piece, from: number, to: number, fillOf: FillOf, adopt: boolean): void {
    const n = to - from;
    const cols = new Map<number, ColData>();
    const stats = new Map<number, ColumnStats>();
    for (const l of this.layouts) {
      const s = src.cols.get(l.id);
      let c: ColData;
      if (s !== undefined && sameSpace(s, l, this.dictOf)) c = sliceCol(s, from, to);
      else {
        // Other dictionary or a column the source predates: materialise through a scratch buffer.
        const tmp = new AppendBuffer([l], this.dictOf, n);
        tmp.append({ length: src.length, cols: s ? new Map([[l.id, s]]) : new Map() }, from, to, fillOf);
        c = tmp.cols.get(l.id)!;
      }
      cols.set(l.id, c);
      stats.set(l.id, computeColStats(c, 0, n));
    }
    this.batches.push(SealedBatch.build(this.layouts, cols, n, this.dictOf, stats, adopt));
  }

  addColumn(l: ColumnLayout, fill: Value): void {
    this.layouts = [...this.layouts, l];
    this.buffer.addColumn(l, fill);
  }

  dropColumn(id: number): void {
    this.layouts = this.layouts.filter((l) => l.id !== id);
    this.buffer.dropColumn(id);
  }

  dictBytes(): number {
    let b = 0;
    for (const d of this.dicts.values()) b += d.bytes();
    return b;
  }
}

function sameSpace(s: ColData, l: ColumnLayout, dictOf: (id: number) => StringDict): boolean {
  if (s.kind === 'dict') return l.kind === 'dict' && s.dict === dictOf(l.id);
  return s.kind === l.kind;
}

function sliceCol(c: ColData, from: number, to: number): ColData {
  switch (c.kind) {
    case 'num': return { kind: 'num', values: c.values.subarray(from, to), nulls: c.nulls ? c.nulls.subarray(from, to) : null };
    case 'bool': return { kind: 'bool', values: c.values.subarray(from, to), nulls: c.nulls ? c.nulls.subarray(from, to) : null };
    case 'dict': return { kind: 'dict', codes: c.codes.subarray(from, to), nulls: c.nulls ? c.nulls.subarray(from, to) : null, dict: c.dict };
    default: return { kind: c.kind, values: c.values.slice(from, to) };
  }
}

