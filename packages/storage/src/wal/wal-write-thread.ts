/**
 * The log's writer thread: checksums and writes large records off the event loop, so a bulk load's
 * commit publishes its rows while its log record goes to disk (PostgreSQL's walwriter, minus the
 * shared buffers). The committing thread copies a record's payload into a shared ring — a memcpy,
 * several times cheaper than the CRC and the write it replaces there — or, for parts it encoded
 * into shared memory it leaves alone until the thread is done (a commit's deltas, ByteArena), only
 * names where they are; and the thread writes the records in the order they came, each at its own
 * offset, so the file always holds a prefix of the log plus at most one torn record: what recovery
 * expects after a crash.
 *
 * Only records that cannot meet a full disk come here (wal.ts decides: they end within a zero-filled
 * segment, or the disk has a wide margin free), so ENOSPC does not have to reach a committer that
 * already published. Any failure leaves the log failed, as a failed write on the committing thread does.
 *
 * When the committer asks for a sync and the thread writes the last record handed to it, the thread
 * fdatasyncs right after the write, so the commit's wait for durability overlaps its publication.
 *
 * Requests go through shared memory too (a slot per record, then Atomics.notify), and the thread
 * posts a message only when the event loop has a use for it: after a sync, when it has nothing
 * left to write, when the committer asked (a flush is waiting), or on failure. A message per record
 * cost the committer more than the copy into the ring (structured clone, waking the thread's loop,
 * and dispatching the replies).
 */
import { Worker, MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

/** Ring bytes shared with the thread. */
const RING_BYTES = 16 * 1024 * 1024;
/** The largest payload the thread takes: two fit in the ring, so one can be written while the next is copied in. */
export const WAL_THREAD_MAX_PAYLOAD = RING_BYTES >> 1;
/** A thread that has not answered in this long is taken as dead (a sync wait blocks the event loop). */
const STALL_MS = 60_000;
/** Request slots: more than the ring can hold records of WAL_THREAD_MIN_PAYLOAD (wal.ts), so slots never run out first in practice. */
const SLOTS = 128;
/** Float64 fields of a request slot. */
const SLOT = { fd: 0, position: 1, lsn: 2, endLsn: 3, type: 4, ranges: 5, length: 6, fields: 8 } as const;
/**
 * Pieces a record's payload may come in (each a range of the ring or of a shared buffer, three
 * float64s: buffer id, offset, length); a record of more is copied into the ring whole.
 */
const MAX_RANGES = 64;
/** Buffer id of the ring in a range (shared buffers are numbered from 1). */
const RING_ID = 0;

const NO_BUFFERS: ReadonlySet<SharedArrayBuffer> = new Set();

/** Cells of the control block shared with the thread (Int32 indexes, then a float64 at a byte offset). */
const CTRL = {
  done: 0, // seq of the last record the thread finished (written, or failed)
  submitted: 1, // seq of the last record handed to the thread
  syncWanted: 2, // 1: fdatasync after writing the last submitted record
  failed: 3, // 1: a write or sync failed; every later record is skipped
  progressWanted: 4, // 1: post progress after the next record (a flush waits on the event loop)
  stop: 5, // 1: leave the loop (terminate)
  ints: 6,
  syncedAtByte: 24, // float64: LSN through which the thread's own fdatasync made the log durable
  slots: SLOTS,
  slot: SLOT,
  maxRanges: MAX_RANGES,
} as const;
type CtrlLayout = typeof CTRL;

export interface WalThreadFailure {
  /** what failed: the record's write or the fdatasync after it */
  readonly what: 'write' | 'sync';
  readonly code: string | undefined;
  readonly message: string;
}

type ThreadMessage = { kind: 'progress' } | ({ kind: 'failed' } & WalThreadFailure);
/** What the committer tells the thread: a shared buffer records may name from now on, or no more. */
type BufferMessage = { kind: 'share'; id: number; buffer: SharedArrayBuffer } | { kind: 'forget'; id: number };

interface QueuedRecord {
  readonly seq: number;
  readonly lsn: number;
  readonly ringStart: number;
  readonly ringEnd: number;
  /** ids of the shared buffers the thread reads this record's payload from */
  readonly shared: readonly number[];
}

/** The thread's body, run from its source text: it may use nothing from this module's scope. */
function walWriteThreadMain(): void {
  const fs = require('node:fs') as typeof import('node:fs');
  const zlib = require('node:zlib') as typeof import('node:zlib');
  const threads = require('node:worker_threads') as typeof import('node:worker_threads');
  const data = threads.workerData as {
    ring: SharedArrayBuffer;
    ctrl: SharedArrayBuffer;
    requests: SharedArrayBuffer;
    ranges: SharedArrayBuffer;
    layout: CtrlLayout;
    port: MessagePort;
    delayMs: number;
  };
  const L = data.layout;
  const S = L.slot;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const ring = new Uint8Array(data.ring);
  const ctrl = new Int32Array(data.ctrl, 0, L.ints);
  const synced = new Float64Array(data.ctrl, L.syncedAtByte, 1);
  const requests = new Float64Array(data.requests);
  const ranges = new Float64Array(data.ranges);
  const port = data.port;
  const buffers = new Map<number, Uint8Array>();
  /** Takes the committer's buffer messages that have arrived. */
  const takeBufferMessages = (): void => {
    for (let m = threads.receiveMessageOnPort(port); m !== undefined; m = threads.receiveMessageOnPort(port)) {
      const b = m.message as BufferMessage;
      if (b.kind === 'share') buffers.set(b.id, new Uint8Array(b.buffer));
      else buffers.delete(b.id);
    }
  };
  /** Buffer `id`: its message was posted before the record naming it was handed over. */
  const bufferOf = (id: number): Uint8Array => {
    if (id === 0) return ring; // RING_ID
    for (let waited = 0; ; waited++) {
      const b = buffers.get(id);
      if (b !== undefined) return b;
      if (waited >= 5000) throw new Error(`shared buffer ${id} of a WAL record never arrived`);
      takeBufferMessages();
      if (!buffers.has(id)) Atomics.wait(sleeper, 0, 0, 1);
    }
  };
  const header = new Uint8Array(9);
  const headerView = new DataView(header.buffer);
  const typeByte = new Uint8Array(1);
  const lsnBytes = new Uint8Array(8);
  const lsnView = new DataView(lsnBytes.buffer);
  let failed = false;

  const writeFully = (fd: number, parts: Uint8Array[], position: number): void => {
    let at = position;
    while (parts.length > 0) {
      let n = fs.writevSync(fd, parts, at);
      if (n === 0) n = fs.writeSync(fd, parts[0]!, 0, parts[0]!.length, at); // reports the error
      at += n;
      while (n > 0 && parts.length > 0) {
        if (n >= parts[0]!.length) {
          n -= parts[0]!.length;
          parts.shift();
        } else {
          parts[0] = parts[0]!.subarray(n);
          n = 0;
        }
      }
    }
  };

  /** Writes record `seq` (its fields in its slot, its payload in ranges of the ring and shared buffers); true when it also synced. */
  const writeRecord = (seq: number): boolean => {
    const base = (seq % L.slots) * S.fields;
    const fd = requests[base + S.fd]!;
    const position = requests[base + S.position]!;
    const lsn = requests[base + S.lsn]!;
    const endLsn = requests[base + S.endLsn]!;
    const type = requests[base + S.type]!;
    const rangeCount = requests[base + S.ranges]!;
    const length = requests[base + S.length]!;
    let what: 'write' | 'sync' = 'write';
    try {
      takeBufferMessages();
      // the record's CRC: type byte, payload, then the LSN as u64 (segment-files.ts recordCrc)
      typeByte[0] = type;
      let crc = zlib.crc32(typeByte);
      const parts: Uint8Array[] = [header];
      const at = (seq % L.slots) * L.maxRanges * 3;
      for (let r = 0; r < rangeCount; r++) {
        const id = ranges[at + 3 * r]!;
        const from = ranges[at + 3 * r + 1]!;
        const piece = bufferOf(id).subarray(from, from + ranges[at + 3 * r + 2]!);
        crc = zlib.crc32(piece, crc);
        parts.push(piece);
      }
      lsnView.setUint32(0, lsn >>> 0, true);
      lsnView.setUint32(4, Math.floor(lsn / 0x1_0000_0000) >>> 0, true);
      crc = zlib.crc32(lsnBytes, crc);
      headerView.setUint32(0, length, true);
      headerView.setUint32(4, crc, true);
      header[8] = type;
      writeFully(fd, parts, position);
      if (Atomics.load(ctrl, L.submitted) === seq && Atomics.load(ctrl, L.syncWanted) === 1) {
        what = 'sync';
        Atomics.store(ctrl, L.syncWanted, 0);
        fs.fdatasyncSync(fd);
        synced[0] = endLsn;
        return true;
      }
    } catch (e) {
      failed = true;
      Atomics.store(ctrl, L.failed, 1);
      const err = e as NodeJS.ErrnoException;
      port.postMessage({ kind: 'failed', what, code: err.code, message: err.message });
    }
    return false;
  };

  for (let next = 1; ; ) {
    if (Atomics.load(ctrl, L.stop) === 1) break;
    const submitted = Atomics.load(ctrl, L.submitted);
    if (next > submitted) {
      // the timeout only bounds how long a missed stop could go unseen
      Atomics.wait(ctrl, L.submitted, submitted, 1000);
      continue;
    }
    if (data.delayMs > 0) Atomics.wait(sleeper, 0, 0, data.delayMs);
    const didSync = failed ? false : writeRecord(next);
    Atomics.store(ctrl, L.done, next);
    Atomics.notify(ctrl, L.done);
    // the event loop hears of it only when that helps: a sync, nothing left to write, or a waiting flush
    if (didSync || Atomics.load(ctrl, L.submitted) === next || Atomics.exchange(ctrl, L.progressWanted, 0) === 1) port.postMessage({ kind: 'progress' });
    next++;
  }
  port.close();
}

export class WalWriteThread {
  private readonly ring: Uint8Array;
  private readonly ctrl: Int32Array;
  private readonly requests: Float64Array;
  private readonly ranges: Float64Array;
  private readonly synced: Float64Array;
  /** shared buffers the thread has been told of, by id */
  private readonly sharedIds = new Map<SharedArrayBuffer, number>();
  private nextSharedId = RING_ID + 1;
  private readonly port: MessagePort;
  private readonly worker: Worker;
  /** records handed to the thread and not yet seen finished, oldest first */
  private queue: QueuedRecord[] = [];
  private seq = 0;
  private failure: WalThreadFailure | null = null;
  private exited = false;

  constructor(
    /** runs on the event loop after the thread finished records, synced, or failed */
    private readonly onProgress: () => void,
    /** tests: the thread sleeps this long before each record, so a test sees the log while records wait */
    delayMsForTesting = 0,
  ) {
    this.ring = new Uint8Array(new SharedArrayBuffer(RING_BYTES));
    const ctrl = new SharedArrayBuffer(CTRL.syncedAtByte + 8);
    this.ctrl = new Int32Array(ctrl, 0, CTRL.ints);
    this.synced = new Float64Array(ctrl, CTRL.syncedAtByte, 1);
    this.requests = new Float64Array(new SharedArrayBuffer(SLOTS * SLOT.fields * 8));
    this.ranges = new Float64Array(new SharedArrayBuffer(SLOTS * MAX_RANGES * 3 * 8));
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    // transpilers (esbuild under tsx and vitest) may wrap named functions in __name()/__name2()
    const source = `const __name = (target) => target, __name2 = __name;\n(${walWriteThreadMain.toString()})();`;
    this.worker = new Worker(source, {
      eval: true,
      name: 'strata-wal-writer',
      workerData: { ring: this.ring.buffer, ctrl, requests: this.requests.buffer, ranges: this.ranges.buffer, layout: CTRL, port: port2, delayMs: delayMsForTesting },
      transferList: [port2],
    });
    this.worker.unref();
    this.worker.on('error', (e) => this.noteFailure({ what: 'write', code: undefined, message: `the WAL writer thread failed: ${e.message}` }));
    this.worker.on('exit', () => {
      this.exited = true;
      if (this.queue.length > 0) this.noteFailure({ what: 'write', code: undefined, message: 'the WAL writer thread exited' });
    });
    port1.on('message', (m: ThreadMessage) => {
      this.take(m);
      this.onProgress();
    });
    port1.unref();
  }

  /** Whether records handed to the thread are still being written. */
  get busy(): boolean {
    this.absorb();
    return this.queue.length > 0;
  }

  /** The LSN of the oldest record not yet written (everything before it is), or null when none is pending. */
  oldestPendingLsn(): number | null {
    this.absorb();
    return this.queue.length > 0 ? this.queue[0]!.lsn : null;
  }

  /** The LSN through which the thread's own fdatasyncs made the log durable. */
  get syncedLsn(): number {
    return this.synced[0]!;
  }

  /** The first failure, once the thread reported it (the log is to be failed then). */
  failed(): WalThreadFailure | null {
    if (this.failure === null && Atomics.load(this.ctrl, CTRL.failed) === 1) this.drainMessages();
    return this.failure;
  }

  /**
   * Hands a record to the thread. Parts in a buffer of `inPlace` are read by the thread where they
   * are (the caller leaves them alone until holds() says the thread is done with that buffer); the
   * others are copied into the ring (waiting for space, which only the thread's progress frees), so
   * the caller may reuse them at once.
   */
  submit(
    fd: number,
    position: number,
    lsn: number,
    endLsn: number,
    type: number,
    parts: readonly Uint8Array[],
    payloadBytes: number,
    inPlace: ReadonlySet<SharedArrayBuffer> = NO_BUFFERS,
  ): void {
    const readInPlace = (part: Uint8Array): boolean => inPlace.size > 0 && part.buffer instanceof SharedArrayBuffer && inPlace.has(part.buffer);
    let copied = 0;
    let pieces = 0;
    let last: ArrayBufferLike | null = null;
    let lastEnd = -1;
    for (const part of parts) {
      if (part.length === 0) continue;
      const shared = readInPlace(part);
      // consecutive parts that follow each other in one buffer are one range, and so are those copied
      if (shared) {
        if (part.buffer !== last || part.byteOffset !== lastEnd) pieces++;
        last = part.buffer;
        lastEnd = part.byteOffset + part.length;
      } else {
        if (last !== this.ring.buffer) pieces++;
        last = this.ring.buffer;
        copied += part.length;
      }
    }
    const whole = pieces > MAX_RANGES;
    const ringStart = this.reserve(whole ? payloadBytes : copied);
    const seq = ++this.seq;
    const at = (seq % SLOTS) * MAX_RANGES * 3;
    const ranges = this.ranges;
    const sharedIds: number[] = [];
    let count = 0;
    let ringAt = ringStart;
    for (const part of parts) {
      if (part.length === 0) continue;
      const shared = !whole && readInPlace(part);
      const id = shared ? this.idOf(part.buffer as SharedArrayBuffer) : RING_ID;
      const from = shared ? part.byteOffset : ringAt;
      if (!shared) {
        this.ring.set(part, ringAt);
        ringAt += part.length;
      } else if (!sharedIds.includes(id)) sharedIds.push(id);
      const prev = at + 3 * (count - 1);
      if (count > 0 && ranges[prev] === id && ranges[prev + 1]! + ranges[prev + 2]! === from) ranges[prev + 2]! += part.length;
      else {
        ranges[at + 3 * count] = id;
        ranges[at + 3 * count + 1] = from;
        ranges[at + 3 * count + 2] = part.length;
        count++;
      }
    }
    const base = (seq % SLOTS) * SLOT.fields;
    const r = this.requests;
    r[base + SLOT.fd] = fd;
    r[base + SLOT.position] = position;
    r[base + SLOT.lsn] = lsn;
    r[base + SLOT.endLsn] = endLsn;
    r[base + SLOT.type] = type;
    r[base + SLOT.ranges] = count;
    r[base + SLOT.length] = payloadBytes;
    this.queue.push({ seq, lsn, ringStart, ringEnd: ringAt, shared: sharedIds });
    // the store publishes the slot's fields to the thread (Atomics are sequentially consistent)
    Atomics.store(this.ctrl, CTRL.submitted, seq);
    Atomics.notify(this.ctrl, CTRL.submitted);
    if (this.queue.length === 1) this.port.ref(); // a process awaiting a commit stays alive until it is written
  }

  /** Whether a record the thread has not finished reads from `buffer` in place. */
  holds(buffer: SharedArrayBuffer): boolean {
    const id = this.sharedIds.get(buffer);
    if (id === undefined) return false;
    this.absorb();
    for (const q of this.queue) if (q.shared.includes(id)) return true;
    return false;
  }

  /** The thread lets go of `buffer` (no record still to write may name it). */
  forget(buffer: SharedArrayBuffer): void {
    const id = this.sharedIds.get(buffer);
    if (id === undefined) return;
    this.sharedIds.delete(buffer);
    this.port.postMessage({ kind: 'forget', id } satisfies BufferMessage);
  }

  /** The id records name `buffer` by; the thread is sent the buffer before the first record naming it. */
  private idOf(buffer: SharedArrayBuffer): number {
    let id = this.sharedIds.get(buffer);
    if (id === undefined) {
      this.sharedIds.set(buffer, (id = this.nextSharedId++));
      this.port.postMessage({ kind: 'share', id, buffer } satisfies BufferMessage);
    }
    return id;
  }

  /** Asks the thread to report its next finished record on the event loop (a flush waits for it). */
  wantProgress(): void {
    Atomics.store(this.ctrl, CTRL.progressWanted, 1);
  }

  /** Asks the thread to fdatasync once it has written the last record handed to it. */
  requestSync(): void {
    Atomics.store(this.ctrl, CTRL.syncWanted, 1);
  }

  /** Blocks until every record handed over is written (or failed): before a rotation, a sync flush, a close. */
  drainSync(): void {
    for (;;) {
      this.absorb();
      if (this.queue.length === 0) return;
      this.waitForThread();
    }
  }

  /** Stops the thread; records not yet written are not written (the log is closed or failed). */
  terminate(): Promise<void> {
    Atomics.store(this.ctrl, CTRL.stop, 1);
    Atomics.notify(this.ctrl, CTRL.submitted);
    this.port.close();
    return this.worker.terminate().then(() => undefined);
  }

  private reserve(n: number): number {
    for (;;) {
      this.absorb();
      // a free slot too: the thread may still read the oldest one's fields
      const at = this.queue.length < SLOTS - 1 ? this.freeAt(n) : -1;
      if (at >= 0) return at;
      this.waitForThread();
    }
  }

  /** Where `n` contiguous ring bytes are free, or -1. The queue's records sit in ring order (those with no bytes in it anywhere). */
  private freeAt(n: number): number {
    const q = this.queue;
    let first = 0;
    while (first < q.length && q[first]!.ringEnd === q[first]!.ringStart) first++;
    if (first === q.length) return 0;
    let last = q.length - 1;
    while (q[last]!.ringEnd === q[last]!.ringStart) last--;
    const tail = q[first]!.ringStart;
    const head = q[last]!.ringEnd;
    if (head > tail) {
      if (head + n <= this.ring.length) return head;
      return n < tail ? 0 : -1; // strictly below the oldest, so a full ring is never taken for an empty one
    }
    return head + n < tail ? head : -1;
  }

  /** Drops the records the thread has finished from the queue. */
  private absorb(): void {
    const done = Atomics.load(this.ctrl, CTRL.done);
    let k = 0;
    while (k < this.queue.length && this.queue[k]!.seq <= done) k++;
    if (k > 0) this.queue = this.queue.slice(k);
    if (this.queue.length === 0) this.port.unref();
  }

  /** Blocks until the thread finishes another record, unless it finished one since the queue was last absorbed. */
  private waitForThread(): void {
    const done = Atomics.load(this.ctrl, CTRL.done);
    // the thread may have finished the last record between absorb() and the load above: waiting for
    // `done` to move past it would then wait for a record that never comes (until the stall timeout)
    if (this.queue.length > 0 && this.queue[0]!.seq <= done) return;
    if (this.exited) throw new Error('the WAL writer thread exited with records still to write');
    if (Atomics.wait(this.ctrl, CTRL.done, done, STALL_MS) === 'timed-out') {
      throw new Error(`the WAL writer thread has not finished a record in ${STALL_MS / 1000} s`);
    }
  }

  /** Takes the messages waiting on the port now (a sync wait cannot receive them as events). */
  private drainMessages(): void {
    for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) this.take(m.message as ThreadMessage);
  }

  private take(m: ThreadMessage): void {
    if (m.kind === 'failed') this.noteFailure(m);
  }

  private noteFailure(f: WalThreadFailure): void {
    if (this.failure === null) this.failure = { what: f.what, code: f.code, message: f.message };
  }
}
