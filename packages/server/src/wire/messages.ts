/**
 * PostgreSQL v3 protocol framing: splitting the byte stream from a client into
 * messages (`FrameReader`), reading their fields (`MessageReader`), and building
 * backend messages (`BackendWriter`).
 *
 * A frame is `type byte | int32 length (including itself) | body`; the first
 * frame of a connection (startup, SSLRequest, CancelRequest) has no type byte.
 */
import { isAscii } from 'node:buffer';
import type { SqlError } from '../../../storage/src/errors.js';

/** Largest message body accepted (PostgreSQL's PQ_LARGE_MESSAGE_LIMIT is 1 GiB - 1). */
export const MAX_MESSAGE_LENGTH = 0x3fffffff;
/** Largest startup packet (PostgreSQL's MAX_STARTUP_PACKET_LENGTH). */
export const MAX_STARTUP_LENGTH = 10_000;

export const PROTOCOL_V3 = 196608;
export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;

export interface Frame {
  /** message type byte as a character; '' for the untyped startup-phase frames */
  type: string;
  body: Buffer;
}

/** Thrown for a framing error; the connection answers 08P01 and closes. */
export class ProtocolError extends Error {}

/**
 * Accumulates socket chunks and yields complete frames. Large frames are
 * collected as a list of chunks and concatenated once, so a 100 MB message
 * arriving in 64 kB pieces costs O(n), not O(n²).
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** the next frame has no type byte (startup phase) */
  untyped = true;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  get pendingBytes(): number {
    return this.buffered;
  }

  /** The next complete frame, or null when more bytes are needed. Throws ProtocolError on bad lengths. */
  next(): Frame | null {
    const headerLen = this.untyped ? 4 : 5;
    if (this.buffered < headerLen) return null;
    const head = this.peek(headerLen);
    const type = this.untyped ? '' : String.fromCharCode(head[0]!);
    const len = head.readInt32BE(this.untyped ? 0 : 1);
    if (this.untyped) {
      if (len < 8 || len > MAX_STARTUP_LENGTH) throw new ProtocolError('invalid length of startup packet');
    } else if (len < 4 || len > MAX_MESSAGE_LENGTH) {
      throw new ProtocolError(`invalid message length ${len}`);
    }
    const total = (this.untyped ? 0 : 1) + len;
    if (this.buffered < total) return null;
    const all = this.take(total);
    return { type, body: all.subarray(headerLen) };
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first;
    this.gather(n);
    return this.chunks[0]!;
  }

  /** Make the first chunk n bytes long by copying exactly those bytes (not the whole chunks they end in). */
  private gather(n: number): void {
    const out = Buffer.allocUnsafe(n);
    let have = 0;
    while (have < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - have);
      c.copy(out, have, 0, k);
      have += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.chunks.unshift(out);
  }

  private take(n: number): Buffer {
    let first = this.chunks[0]!;
    if (first.length < n) {
      this.gather(n);
      first = this.chunks[0]!;
    }
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return out;
  }
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** Sequential reader over a message body. Throws ProtocolError when the body is too short. */
export class MessageReader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new ProtocolError('invalid message format');
  }
  int8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  /** A NUL-terminated string; invalid UTF-8 → InvalidUtf8Error. */
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new ProtocolError('invalid string in message');
    const s = decodeUtf8(this.buf.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }
  get remaining(): number {
    return this.buf.length - this.pos;
  }
}

/** Invalid UTF-8 in a string of a message: PostgreSQL answers 22021 and keeps the connection. */
export class InvalidUtf8Error extends Error {
  constructor(readonly bytes: Buffer) {
    super('invalid byte sequence for encoding "UTF8"');
  }
}

export function decodeUtf8(b: Buffer): string {
  // ASCII (nearly every statement): a one-byte string; isAscii is native (a JS loop took 0.25 ms for a
  // 150 KB INSERT of 1,000 TSBS rows)
  if (isAscii(b)) return b.toString('latin1');
  try {
    return utf8Strict.decode(b);
  } catch {
    throw new InvalidUtf8Error(b);
  }
}

/** Error or notice fields beyond SqlError's (PostgreSQL's `W` context line). */
export interface WireErrorExtra {
  where?: string;
  severity?: string;
}

/**
 * Builds backend messages into one growing buffer; `flush()` hands the bytes to
 * the socket in one write.
 */
/** Big-endian int32 without Buffer's range checks (callers have ensured the room). */
function putInt32(buf: Buffer, at: number, v: number): void {
  buf[at] = (v >>> 24) & 0xff;
  buf[at + 1] = (v >>> 16) & 0xff;
  buf[at + 2] = (v >>> 8) & 0xff;
  buf[at + 3] = v & 0xff;
}

/** Buffers a writer keeps for reuse, and the largest it keeps (larger ones were one big message). */
const SPARE_BUFFERS = 4;
const RECYCLE_MAX = 1 << 20;

export class BackendWriter {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private readonly spare: Buffer<ArrayBuffer>[] = [];
  private len = 0;
  private msgStart = -1;

  get size(): number {
    return this.len;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = Buffer.allocUnsafe(cap);
    this.buf.copy(nb, 0, 0, this.len);
    this.buf = nb;
  }

  begin(type: string): this {
    this.ensure(5);
    this.buf[this.len] = type.charCodeAt(0);
    this.msgStart = this.len + 1;
    this.len += 5;
    return this;
  }
  end(): this {
    putInt32(this.buf, this.msgStart, this.len - this.msgStart);
    this.msgStart = -1;
    return this;
  }
  int8(v: number): this {
    this.ensure(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }
  int16(v: number): this {
    this.ensure(2);
    this.buf[this.len] = (v >> 8) & 0xff;
    this.buf[this.len + 1] = v & 0xff;
    this.len += 2;
    return this;
  }
  int32(v: number): this {
    this.ensure(4);
    putInt32(this.buf, this.len, v | 0);
    this.len += 4;
    return this;
  }
  cstring(s: string): this {
    const n = Buffer.byteLength(s);
    this.ensure(n + 1);
    this.buf.write(s, this.len, 'utf8');
    this.len += n;
    this.buf[this.len++] = 0;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }
  /** a string as raw UTF-8 (no terminator) */
  text(s: string): this {
    const n = Buffer.byteLength(s);
    this.ensure(n);
    this.buf.write(s, this.len, 'utf8');
    this.len += n;
    return this;
  }
  /** int32 length-prefixed UTF-8 string (DataRow field) */
  lenText(s: string): this {
    // a UTF-8 string takes at most 3 bytes per UTF-16 unit
    const m = s.length;
    this.ensure(4 + m * 3);
    const buf = this.buf;
    const at = this.len;
    // short ASCII (numbers, timestamps, tags: most DataRow fields) is copied here: cheaper than
    // a call into the UTF-8 encoder per field
    if (m <= 64) {
      let p = at + 4;
      let i = 0;
      for (; i < m; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p++] = c;
      }
      if (i === m) {
        putInt32(buf, at, m);
        this.len = p;
        return this;
      }
    }
    const n = buf.write(s, at + 4, 'utf8');
    putInt32(buf, at, n);
    this.len = at + 4 + n;
    return this;
  }

  /** int32 length-prefixed decimal digits of an integer of magnitude below 2^53 (DataRow field) */
  lenInteger(x: number): this {
    this.ensure(4 + 17);
    const buf = this.buf;
    const at = this.len;
    let p = at + 4;
    let v = x;
    if (v < 0) {
      buf[p++] = 45; // '-'
      v = -v;
    }
    let digits = 1;
    for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
    for (let j = digits - 1; j >= 0; j--) {
      const q = Math.floor(v / 10);
      buf[p + j] = 48 + (v - q * 10);
      v = q;
    }
    p += digits;
    putInt32(buf, at, p - at - 4);
    this.len = p;
    return this;
  }

  /**
   * Take the bytes written so far (a copy-free view; the writer starts afresh, in a buffer
   * handed back by `recycle` when there is one).
   */
  take(): Buffer {
    const out = this.buf.subarray(0, this.len);
    this.buf = this.spare.pop() ?? Buffer.allocUnsafe(this.buf.length > RECYCLE_MAX ? 64 * 1024 : this.buf.length);
    this.len = 0;
    return out;
  }

  /**
   * The socket has written bytes `take` returned: their buffer can take new messages. A large
   * result is hundreds of 256 kB writes; allocating a fresh buffer for each made its ArrayBuffers
   * (not its JS objects) what drove the server's garbage collection.
   */
  recycle(taken: Buffer): void {
    const whole = taken.buffer;
    if (this.spare.length >= SPARE_BUFFERS || !(whole instanceof ArrayBuffer) || taken.byteOffset !== 0 || whole.byteLength < 64 * 1024 || whole.byteLength > RECYCLE_MAX) return;
    this.spare.push(Buffer.from(whole, 0, whole.byteLength));
  }

  // ---- backend messages -------------------------------------------------

  authentication(code: number, extra?: Uint8Array): this {
    this.begin('R').int32(code);
    if (extra) this.bytes(extra);
    return this.end();
  }
  parameterStatus(name: string, value: string): this {
    return this.begin('S').cstring(name).cstring(value).end();
  }
  backendKeyData(pid: number, key: number): this {
    return this.begin('K').int32(pid).int32(key).end();
  }
  readyForQuery(status: string): this {
    return this.begin('Z').int8(status.charCodeAt(0)).end();
  }
  commandComplete(tag: string): this {
    return this.begin('C').cstring(tag).end();
  }
  emptyQueryResponse(): this {
    return this.begin('I').end();
  }
  parseComplete(): this {
    return this.begin('1').end();
  }
  bindComplete(): this {
    return this.begin('2').end();
  }
  closeComplete(): this {
    return this.begin('3').end();
  }
  noData(): this {
    return this.begin('n').end();
  }
  portalSuspended(): this {
    return this.begin('s').end();
  }
  parameterDescription(oids: readonly number[]): this {
    this.begin('t').int16(oids.length);
    for (const o of oids) this.int32(o);
    return this.end();
  }
  rowDescription(fields: readonly { name: string; tableID: number; columnID: number; dataTypeID: number; dataTypeSize: number; dataTypeModifier: number }[], formats: readonly number[]): this {
    this.begin('T').int16(fields.length);
    fields.forEach((f, i) => {
      this.cstring(f.name).int32(f.tableID).int16(f.columnID).int32(f.dataTypeID).int16(f.dataTypeSize).int32(f.dataTypeModifier).int16(formats[i] ?? 0);
    });
    return this.end();
  }
  copyInResponse(format: number, columnFormats: readonly number[]): this {
    return this.copyResponse('G', format, columnFormats);
  }
  copyOutResponse(format: number, columnFormats: readonly number[]): this {
    return this.copyResponse('H', format, columnFormats);
  }
  private copyResponse(type: string, format: number, columnFormats: readonly number[]): this {
    this.begin(type).int8(format).int16(columnFormats.length);
    for (const f of columnFormats) this.int16(f);
    return this.end();
  }
  copyDone(): this {
    return this.begin('c').end();
  }

  errorResponse(e: SqlError, extra: WireErrorExtra = {}): this {
    return this.errorOrNotice('E', extra.severity ?? e.severity ?? 'ERROR', e, extra);
  }

  notice(severity: string, code: string, message: string, detail?: string, hint?: string): this {
    this.begin('N');
    this.field('S', severity).field('V', severity).field('C', code).field('M', message);
    if (detail) this.field('D', detail);
    if (hint) this.field('H', hint);
    return this.int8(0).end();
  }

  private errorOrNotice(type: string, severity: string, e: SqlError, extra: WireErrorExtra): this {
    this.begin(type);
    this.field('S', severity).field('V', severity).field('C', e.code || 'XX000').field('M', e.message);
    if (e.detail) this.field('D', e.detail);
    if (e.hint) this.field('H', e.hint);
    if (e.position !== undefined) this.field('P', String(e.position));
    if (extra.where) this.field('W', extra.where);
    if (e.schema) this.field('s', e.schema);
    if (e.table) this.field('t', e.table);
    if (e.column) this.field('c', e.column);
    if (e.dataType) this.field('d', e.dataType);
    if (e.constraint) this.field('n', e.constraint);
    return this.int8(0).end();
  }

  private field(code: string, value: string): this {
    return this.int8(code.charCodeAt(0)).cstring(value.replace(/\0/g, ''));
  }
}
