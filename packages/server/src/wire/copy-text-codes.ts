/**
 * A text column's field bytes → code in the current batch's dictionary, for
 * COPY FROM. Values recur across batches (host names, tags), so the table
 * outlives batches: each entry keeps its decoded string and the code it got
 * in the batch that last used it (a stamp says which batch), and a value's
 * first use in a batch appends its string to that batch's dictionary — no
 * decoding and no Map lookup after the first time a value is seen.
 *
 * Open addressing with linear probing over byte keys kept in one arena (no
 * object per entry). It replaced a direct-mapped cache, which with 1,000
 * distinct hosts in 4,096 slots missed a quarter of the time (a colliding
 * pair evicts each other on every round of hosts).
 *
 * Bounded: keys of at most MAX_KEY bytes, at most MAX_ENTRIES entries. When
 * full it takes no new values until the next batch starts (when it is
 * cleared): meanwhile `code` answers -1 and the caller codes the value
 * through its own string map. A value is thus coded by this table for a
 * whole batch or not at all, so a batch's dictionary never repeats a string.
 */
import { decodeText } from './copy-fields.js';

const MAX_KEY = 64;
const MAX_ENTRIES = 1 << 16;
const FIRST_ENTRIES = 256;

export class TextCodeTable {
  /** entry + 1 per slot, 0 for empty; twice as many slots as entries at most */
  private slots = new Int32Array(FIRST_ENTRIES * 2);
  private hashes = new Int32Array(FIRST_ENTRIES);
  private starts = new Int32Array(FIRST_ENTRIES);
  private lengths = new Int32Array(FIRST_ENTRIES);
  private batchCodes = new Int32Array(FIRST_ENTRIES);
  private stamps = new Int32Array(FIRST_ENTRIES);
  private strings: string[] = [];
  private arena = new Uint8Array(FIRST_ENTRIES * 16);
  private arenaUsed = 0;
  private count = 0;

  /** Longest field this table keeps (callers hash only fields up to this length). */
  static readonly maxKey = MAX_KEY;

  /**
   * The code of src[s, e) in batch `batch`'s dictionary `dict` (its string is
   * appended on the value's first use in the batch), or -1: not kept here.
   * `hash` is the field's FNV-1a hash. Throws TypeError on invalid UTF-8.
   */
  code(src: Uint8Array, s: number, e: number, hash: number, batch: number, dict: string[]): number {
    const n = e - s;
    if (n > MAX_KEY) return -1;
    hash |= 0; // the seed alone (an empty field) is not an int32 until mixed
    const mask = this.slots.length - 1;
    let slot = (hash ^ (hash >>> 15)) & mask;
    for (;;) {
      const entry = this.slots[slot]! - 1;
      if (entry < 0) break;
      if (this.hashes[entry] === hash && this.lengths[entry] === n && this.sameBytes(entry, src, s, n)) {
        if (this.stamps[entry] === batch) return this.batchCodes[entry]!;
        const code = dict.length;
        dict.push(this.strings[entry]!);
        this.stamps[entry] = batch;
        this.batchCodes[entry] = code;
        return code;
      }
      slot = (slot + 1) & mask;
    }
    if (this.count >= MAX_ENTRIES) return -1;
    const str = decodeText(src, s, e);
    const entry = this.count;
    if (entry === this.hashes.length) {
      this.growEntries();
      return this.insertAfterGrowth(src, s, e, hash, batch, dict, str);
    }
    return this.insert(entry, slot, src, s, n, hash, batch, dict, str);
  }

  /** At a batch boundary: a table that filled up starts over (values of the new batch get their place). */
  startBatch(): void {
    if (this.count < MAX_ENTRIES) return;
    this.slots.fill(0);
    this.strings = [];
    this.count = 0;
    this.arenaUsed = 0;
  }

  private sameBytes(entry: number, src: Uint8Array, s: number, n: number): boolean {
    const a = this.arena;
    const at = this.starts[entry]!;
    for (let i = 0; i < n; i++) if (a[at + i] !== src[s + i]) return false;
    return true;
  }

  private insert(entry: number, slot: number, src: Uint8Array, s: number, n: number, hash: number, batch: number, dict: string[], str: string): number {
    if (this.arenaUsed + n > this.arena.length) {
      const bigger = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + n));
      bigger.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = bigger;
    }
    this.arena.set(src.subarray(s, s + n), this.arenaUsed);
    this.starts[entry] = this.arenaUsed;
    this.arenaUsed += n;
    this.lengths[entry] = n;
    this.hashes[entry] = hash;
    this.strings[entry] = str;
    const code = dict.length;
    dict.push(str);
    this.stamps[entry] = batch;
    this.batchCodes[entry] = code;
    this.slots[slot] = entry + 1;
    this.count++;
    return code;
  }

  /** Entry arrays and slots doubled, entries placed again by their hashes. */
  private growEntries(): void {
    const cap = this.hashes.length * 2;
    const widen = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.hashes = widen(this.hashes);
    this.starts = widen(this.starts);
    this.lengths = widen(this.lengths);
    this.batchCodes = widen(this.batchCodes);
    this.stamps = widen(this.stamps);
    const slots = new Int32Array(cap * 2);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.count; entry++) {
      const h = this.hashes[entry]!;
      let slot = (h ^ (h >>> 15)) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
  }

  private insertAfterGrowth(src: Uint8Array, s: number, e: number, hash: number, batch: number, dict: string[], str: string): number {
    const mask = this.slots.length - 1;
    let slot = (hash ^ (hash >>> 15)) & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    return this.insert(this.count, slot, src, s, e - s, hash, batch, dict, str);
  }
}
