/**
 * Little-endian byte writer and reader for the persistence formats. The writer
 * grows by doubling; `align` pads so typed arrays can be copied in and viewed
 * out at their natural alignment.
 */
import { SqlError } from '../errors.js';

/** PostgreSQL's data_corrupted: what a damaged or inconsistent data file or record raises. */
export const DATA_CORRUPTED = 'XX001';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Whoever reads an arena's output after `reset` (the WAL's writer thread, reading a record's parts
 * where they are instead of copying them into its ring).
 */
export interface ArenaReader {
  /** views of `buffer` may be read in place from now on */
  share(buffer: SharedArrayBuffer): void;
  /** ...no more (nothing holds it) */
  unshare(buffer: SharedArrayBuffer): void;
  /** whether something still reads `buffer` */
  holds(buffer: SharedArrayBuffer): boolean;
}

/** Buffers a shared arena keeps for reuse besides the one in use. */
const SPARE_BUFFERS = 2;
/** Buffers the reader may hold at once; beyond, the arena hands out unshared memory (which the WAL copies into its ring, bounded). */
const MAX_HELD_BUFFERS = 4;

/**
 * A reusable buffer that writers carve their space from, for output that is consumed before the next
 * `reset` (the deltas of one WAL record, written out synchronously): a commit then allocates no
 * ArrayBuffers, whose external memory would drive V8 into extra garbage collections. What does not
 * fit is allocated as usual, and the arena grows to that size at the next reset.
 *
 * With a `reader`, the buffers are shared memory the reader may still be reading after `reset` (the
 * WAL's writer thread writing a record from them): reset then moves on to a buffer nobody holds.
 */
export class ByteArena {
  /** allocated at the first take (a reader may not be ready to share before) */
  private buf: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  private used = 0;
  private wanted: number;
  /** earlier buffers (shared ones only), reused once nobody holds them */
  private spares: Uint8Array<SharedArrayBuffer>[] = [];

  constructor(
    bytes = 1 << 20,
    /** the arena never grows beyond this; larger output is allocated each time */
    private readonly maxBytes = 64 << 20,
    private readonly reader?: ArenaReader,
  ) {
    this.wanted = bytes;
  }

  private allocate(n: number): Uint8Array<ArrayBufferLike> {
    if (this.reader === undefined) return new Uint8Array(n);
    const buffer = new SharedArrayBuffer(n);
    this.reader.share(buffer);
    return new Uint8Array(buffer);
  }

  /**
   * `n` bytes starting 8-aligned in their ArrayBuffer, holding anything: a ByteWriter writes every
   * byte it hands out (zeroing a record's worth per commit cost 5 ns a TSBS row).
   */
  take(n: number): Uint8Array<ArrayBufferLike> {
    if (this.buf.length === 0 && this.used === 0 && this.wanted > 0) this.reset();
    const at = (this.used + 7) & ~7;
    if (at + n > this.buf.length) {
      this.wanted = Math.max(this.wanted, at + n);
      return new Uint8Array(n);
    }
    this.used = at + n;
    return this.buf.subarray(at, at + n);
  }

  /** Everything taken is free again: no view of it may be used any more (but the reader's). */
  reset(): void {
    this.used = 0;
    const size = this.wanted > this.buf.length ? Math.min(this.maxBytes, Math.max(this.wanted, this.buf.length * 2)) : this.buf.length;
    this.wanted = 0;
    const reader = this.reader;
    if (reader === undefined) {
      if (size > this.buf.length) this.buf = new Uint8Array(size);
      return;
    }
    const current = this.buf.buffer instanceof SharedArrayBuffer ? (this.buf as Uint8Array<SharedArrayBuffer>) : null;
    if (current !== null && size === current.length && !reader.holds(current.buffer)) return;
    if (current !== null) this.spares.push(current);
    let next: Uint8Array<SharedArrayBuffer> | undefined;
    const kept: Uint8Array<SharedArrayBuffer>[] = [];
    let held = 0;
    for (const b of this.spares) {
      if (reader.holds(b.buffer)) {
        kept.push(b);
        held++;
      } else if (next === undefined && b.length === size) next = b;
      else if (kept.length < SPARE_BUFFERS) kept.push(b);
      else reader.unshare(b.buffer);
    }
    this.spares = kept;
    this.buf = next ?? (held >= MAX_HELD_BUFFERS ? new Uint8Array(size) : this.allocate(size));
  }
}

export class ByteWriter {
  buf: Uint8Array;
  private view: DataView;
  pos = 0;
  /** Start of the bytes not yet handed out by cutView; earlier ones belong to their views. */
  private cutAt = 0;

  constructor(
    capacity = 256,
    /** where the buffer comes from (fresh allocations without one) */
    private readonly arena?: ByteArena,
  ) {
    this.buf = this.alloc(Math.max(16, capacity));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  private alloc(n: number): Uint8Array {
    return this.arena !== undefined ? this.arena.take(n) : new Uint8Array(n);
  }

  /** A view of `buf` for typed access at its positions (`buf` may start anywhere in its ArrayBuffer). */
  dataView(): DataView {
    return this.view;
  }

  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    const next = this.alloc(Math.max(need, this.buf.length * 2));
    // at the same offsets, so positions taken before the growth (and alignment) stay valid
    next.set(this.buf.subarray(this.cutAt, this.pos), this.cutAt);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  align(n: number): void {
    const pad = (n - (this.pos % n)) % n;
    this.ensure(pad);
    this.buf.fill(0, this.pos, this.pos + pad);
    this.pos += pad;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.pos, v, true);
    this.pos += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  i32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.pos, v, true);
    this.pos += 4;
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** Unsigned LEB128. */
  varuint(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** varuint byte length, then UTF-8. */
  string(s: string): void {
    const n = s.length;
    if (n < 0x80) {
      // ASCII (tags, most text) written char by char: a TextEncoder call costs more than a short string
      this.ensure(1 + n);
      const buf = this.buf;
      const at = this.pos + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[at + i] = c;
      }
      if (i === n) {
        buf[this.pos] = n;
        this.pos = at + n;
        return;
      }
    }
    if (s.length < 64) {
      // short strings (tags, most text): encode in place behind a one-byte length
      this.ensure(1 + s.length * 3);
      const w = encoder.encodeInto(s, this.buf.subarray(this.pos + 1, this.pos + 1 + s.length * 3)).written;
      if (w < 0x80) {
        this.buf[this.pos] = w;
        this.pos += 1 + w;
        return;
      }
    }
    const b = encoder.encode(s);
    this.varuint(b.length);
    this.bytes(b);
  }

  /** Reserve `n` bytes at an `alignment`-aligned offset; returns the offset. */
  reserve(n: number, alignment: number): number {
    this.align(alignment);
    this.ensure(n);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /**
   * The bytes written, without copying: for output that is written out and
   * dropped at once (a WAL record), where copying ~100 bytes per row to shed
   * the spare capacity costs more than the spare capacity does.
   */
  finishView(): Uint8Array {
    return this.buf.subarray(this.cutAt, this.pos);
  }

  /**
   * The bytes written since the last cut, without copying (as finishView); writing goes on after
   * them in the same buffer, so output interleaved with borrowed views (a WAL record's float
   * columns) needs one buffer rather than one per piece.
   */
  cutView(): Uint8Array {
    const v = this.buf.subarray(this.cutAt, this.pos);
    this.cutAt = this.pos;
    return v;
  }
}

export class ByteReader {
  pos: number;
  private readonly view: DataView;

  constructor(readonly buf: Uint8Array, private readonly what: string, pos = 0) {
    this.pos = pos;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  corrupt(reason: string): SqlError {
    return new SqlError(DATA_CORRUPTED, `${this.what} is corrupt: ${reason}`);
  }

  need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) throw this.corrupt(`truncated at byte ${this.pos}`);
  }

  align(n: number): void {
    this.pos += (n - (this.pos % n)) % n;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  varuint(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 0x80;
    }
    throw this.corrupt('bad varint');
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  string(): string {
    const n = this.varuint();
    try {
      return decoder.decode(this.bytes(n));
    } catch (e) {
      if (e instanceof SqlError) throw e;
      throw this.corrupt('invalid UTF-8');
    }
  }

  /** `n` bytes at an `alignment`-aligned offset, copied into a fresh (aligned) buffer. */
  copyAligned(n: number, alignment: number): ArrayBuffer {
    this.align(alignment);
    const b = this.bytes(n);
    const out = new Uint8Array(n);
    out.set(b);
    return out.buffer;
  }
}
