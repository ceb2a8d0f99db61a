/**
 * Shared memory for the batches of one COPY in the parse thread: a few slots,
 * each one SharedArrayBuffer holding a batch's column arrays and NULL maps.
 * The thread fills a slot and posts only its number (plus the batch's text
 * dictionaries and which columns have NULLs); the main thread reads the
 * columns through views it made once, appends them, and marks the slot free
 * in a shared state array.
 *
 * Why: transferring a batch's ArrayBuffers there and back counts several
 * MB of new external memory per batch in each thread until the next full
 * collection, and V8 runs mark-compacts to bring it down (a third of the
 * main thread's collections during a large COPY). Shared slots are
 * allocated once per COPY. When every slot is taken the parser allocates as
 * before (transferred batches): slots are an optimisation, never a wait.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { Batch, Vector } from '../../../storage/src/vector.js';
import type { BatchArrays } from './copy-column-batch.js';

export type SlotColumnTag = 'number' | 'bool' | 'dict';

/** What the main thread needs to read the slots (posted once per COPY). */
export interface SharedSlotsSpec {
  tags: SlotColumnTag[];
  rows: number;
  buffers: SharedArrayBuffer[];
  /** Int32 per slot: 1 while the thread's batch in it is not appended yet */
  state: SharedArrayBuffer;
}

/** A batch in a slot, as posted. */
export interface SlotBatch {
  slot: number;
  length: number;
  /** per column: the batch's dictionary (text columns) */
  dicts: (readonly string[] | null)[];
  /** per column: whether its NULL map is in use */
  nulls: boolean[];
}

/** Shared memory for all slots of one COPY at most (fewer, larger batches get fewer slots). */
const SLOTS_BYTES = 32 << 20;
const MAX_SLOTS = 8;

const BYTES: Record<SlotColumnTag, number> = { number: 8, bool: 1, dict: 4 };

const align8 = (n: number) => (n + 7) & ~7;

/** Each column's array, then each column's NULL map, from the start of a slot's buffer (each array 8-aligned). */
function slotViews(tags: readonly SlotColumnTag[], rows: number, buffer: SharedArrayBuffer): BatchArrays {
  const out: BatchArrays = { num: [], bools: [], codes: [], nulls: [] };
  let at = 0;
  for (const tag of tags) {
    out.num.push(tag === 'number' ? new Float64Array(buffer, at, rows) : null);
    out.bools.push(tag === 'bool' ? new Uint8Array(buffer, at, rows) : null);
    out.codes.push(tag === 'dict' ? new Int32Array(buffer, at, rows) : null);
    at += align8(BYTES[tag] * rows);
  }
  for (let k = 0; k < tags.length; k++) out.nulls.push(new Uint8Array(buffer, at + k * rows, rows));
  return out;
}

function slotBytes(tags: readonly SlotColumnTag[], rows: number): number {
  let bytes = 0;
  for (const tag of tags) bytes += align8(BYTES[tag] * rows);
  return bytes + tags.length * rows;
}

/** The parse thread's side: hands free slots to the parser, names the slot of a finished batch. */
export class SharedSlotWriter {
  readonly spec: SharedSlotsSpec;
  private readonly views: BatchArrays[];
  private readonly slotOfBuffer = new Map<SharedArrayBuffer, number>();
  private readonly state: Int32Array;
  private next = 0;

  /** null when the columns cannot live in slots (a column through its input function). */
  static create(tags: readonly string[], rows: number): SharedSlotWriter | null {
    if (!tags.every((t): t is SlotColumnTag => t === 'number' || t === 'bool' || t === 'dict')) return null;
    const count = Math.min(MAX_SLOTS, Math.floor(SLOTS_BYTES / slotBytes(tags, rows)));
    return count >= 2 ? new SharedSlotWriter([...tags], rows, count) : null;
  }

  private constructor(tags: SlotColumnTag[], rows: number, count: number) {
    const buffers = Array.from({ length: count }, () => new SharedArrayBuffer(slotBytes(tags, rows)));
    this.spec = { tags, rows, buffers, state: new SharedArrayBuffer(4 * count) };
    this.state = new Int32Array(this.spec.state);
    this.views = buffers.map((b) => slotViews(tags, rows, b));
    buffers.forEach((b, i) => this.slotOfBuffer.set(b, i));
  }

  /** A free slot's arrays, now taken; null when all are in use. */
  take(): BatchArrays | null {
    const n = this.views.length;
    for (let tries = 0; tries < n; tries++) {
      const slot = this.next;
      this.next = (slot + 1) % n;
      if (Atomics.load(this.state, slot) === 0) {
        Atomics.store(this.state, slot, 1);
        return this.views[slot]!;
      }
    }
    return null;
  }

  /** The batch as a slot message, or null when its arrays are not in a slot. */
  describe(batch: Batch): SlotBatch | null {
    const first = batch.columns[0];
    const array = first === undefined ? null : first.tag === 'number' || first.tag === 'bool' ? first.values : first.tag === 'dict' ? first.codes : null;
    const slot = array !== null && array.buffer instanceof SharedArrayBuffer ? this.slotOfBuffer.get(array.buffer) : undefined;
    if (slot === undefined) return null;
    return {
      slot,
      length: batch.length,
      dicts: batch.columns.map((v) => (v.tag === 'dict' ? v.dict : null)),
      nulls: batch.columns.map((v) => (v.tag === 'number' || v.tag === 'bool' || v.tag === 'dict') && v.nulls !== null),
    };
  }
}

/** The main thread's side: a posted slot batch as a Batch over views of the slot, and its release. */
export class SharedSlotReader {
  private readonly views: BatchArrays[];
  private readonly state: Int32Array;

  constructor(private readonly spec: SharedSlotsSpec, private readonly types: readonly SqlType[]) {
    this.views = spec.buffers.map((b) => slotViews(spec.tags, spec.rows, b));
    this.state = new Int32Array(spec.state);
  }

  /** The batch in the slot; valid until release(). */
  batch(m: SlotBatch): Batch {
    const v = this.views[m.slot]!;
    const n = m.length;
    const cut = <T extends Float64Array | Int32Array | Uint8Array>(a: T): T => (n === a.length ? a : (a.subarray(0, n) as T));
    const columns: Vector[] = this.spec.tags.map((tag, k): Vector => {
      const type = this.types[k]!;
      const nulls = m.nulls[k] ? cut(v.nulls[k]!) : null;
      if (tag === 'number') return { tag, type, length: n, values: cut(v.num[k]!), nulls };
      if (tag === 'bool') return { tag, type, length: n, values: cut(v.bools[k]!), nulls };
      return { tag, type, length: n, codes: cut(v.codes[k]!), dict: m.dicts[k]!, nulls };
    });
    return { length: n, columns };
  }

  /** The slot's batch is appended: the thread may fill it again. */
  release(slot: number): void {
    Atomics.store(this.state, slot, 0);
  }
}
