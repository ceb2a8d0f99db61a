/**
 * The postmaster thread: owns the public listening socket so that a
 * CancelRequest is read even while the main thread is busy executing a
 * statement (the engine runs synchronously on the main event loop).
 *
 * Every connection's first packet is read here. A CancelRequest sets the
 * matching backend's flag in the shared `BackendTable` (Atomics) and the socket
 * is closed without an answer, as PostgreSQL does. SSLRequest / GSSENCRequest
 * are answered 'N' here, because clients may negotiate encryption before
 * sending a CancelRequest. Everything else is piped byte for byte to the main
 * thread's private listener (a Unix socket in a 0700 temporary directory),
 * after a header carrying the client's address for the logs.
 *
 * The thread's code is `postmasterMain`, started from its source text with
 * `eval: true`: it imports nothing, so no TypeScript loader is needed in the
 * worker (tsx, vitest and the bench all work the same).
 */
import { Worker } from 'node:worker_threads';
import type { Server, Socket } from 'node:net';
import type { MessagePort } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from './log.js';

/** Int32 cells per backend slot in the shared table. */
const SLOT_CELLS = 4;
const PID_CELL = 0;
const SECRET_CELL = 1;
const CANCEL_CELL = 2;

/**
 * The shared table of running backends: (pid, secret, cancel flag) per slot.
 * Only the main thread writes pid and secret; the postmaster only sets flags.
 */
export class BackendTable {
  readonly cells: Int32Array;
  private readonly freeSlots: number[] = [];

  constructor(readonly slots: number) {
    this.cells = new Int32Array(new SharedArrayBuffer(slots * SLOT_CELLS * 4));
    for (let s = slots - 1; s >= 0; s--) this.freeSlots.push(s);
  }

  /** Claim a slot for a backend (at BackendKeyData time); -1 when the table is full. */
  register(pid: number, secret: number): number {
    const slot = this.freeSlots.pop();
    if (slot === undefined) return -1;
    const base = slot * SLOT_CELLS;
    Atomics.store(this.cells, base + CANCEL_CELL, 0);
    Atomics.store(this.cells, base + SECRET_CELL, secret);
    // pid last: the postmaster matches on it, so the slot is complete once it is visible
    Atomics.store(this.cells, base + PID_CELL, pid);
    return slot;
  }

  release(slot: number): void {
    const base = slot * SLOT_CELLS;
    Atomics.store(this.cells, base + PID_CELL, 0);
    Atomics.store(this.cells, base + CANCEL_CELL, 0);
    this.freeSlots.push(slot);
  }

  /** A one-cell view of the slot's cancel flag (what EvalContext.cancelFlag holds). */
  cancelFlag(slot: number): Int32Array {
    return this.cells.subarray(slot * SLOT_CELLS + CANCEL_CELL, slot * SLOT_CELLS + CANCEL_CELL + 1);
  }

  /**
   * Set the flag of the backend with this pid and secret; false when none
   * matches. (postmasterMain has its own copy: it cannot import this class.)
   */
  cancel(pid: number, secret: number): boolean {
    if (pid === 0) return false;
    const cells = this.cells;
    for (let base = 0; base < cells.length; base += SLOT_CELLS) {
      if (Atomics.load(cells, base + PID_CELL) === pid && Atomics.load(cells, base + SECRET_CELL) === secret) {
        Atomics.store(cells, base + CANCEL_CELL, 1);
        return true;
      }
    }
    return false;
  }
}

/** What the postmaster thread gets through workerData (structured-cloned; the table is shared). */
interface PostmasterData {
  host: string;
  port: number;
  /** the main thread's private listener (a Unix socket path) */
  backendPath: string;
  table: SharedArrayBuffer;
  slotCells: number;
  pidCell: number;
  secretCell: number;
  cancelCell: number;
}

type PostmasterMessage =
  | { type: 'listening'; address: string; family: string; port: number }
  | { type: 'listen-error'; message: string; code?: string }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string }
  | { type: 'stopped' };

/**
 * The thread's body. Self-contained: no imports and no module-level helpers,
 * because it runs from its source text in a plain (loader-less) worker.
 */
function postmasterMain(): void {
  const net = require('node:net') as typeof import('node:net');
  const threads = require('node:worker_threads') as typeof import('node:worker_threads');
  const port = threads.parentPort as MessagePort;
  const data = threads.workerData as PostmasterData;
  const cells = new Int32Array(data.table);
  const SSL_REQUEST = 80877103;
  const GSSENC_REQUEST = 80877104;
  const CANCEL_REQUEST = 80877102;
  const post = (m: PostmasterMessage): void => port.postMessage(m);
  /** connections still in their first packet (dropped at stop) and proxied ones (waited for) */
  const starting = new Set<Socket>();
  const proxied = new Set<Socket>();
  let stopping = false;

  const maybeStopped = (): void => {
    if (stopping && starting.size === 0 && proxied.size === 0) post({ type: 'stopped' });
  };

  const cancel = (pid: number, secret: number): boolean => {
    if (pid === 0) return false;
    for (let base = 0; base < cells.length; base += data.slotCells) {
      if (Atomics.load(cells, base + data.pidCell) === pid && Atomics.load(cells, base + data.secretCell) === secret) {
        Atomics.store(cells, base + data.cancelCell, 1);
        return true;
      }
    }
    return false;
  };

  const forward = (client: Socket, first: Buffer): void => {
    starting.delete(client);
    proxied.add(client);
    const remote = `${client.remoteAddress ?? '?'}:${client.remotePort ?? '?'}`;
    const backend = net.connect(data.backendPath);
    const name = Buffer.from(remote, 'utf8');
    const header = Buffer.alloc(2);
    header.writeUInt16BE(name.length, 0);
    backend.write(Buffer.concat([header, name, first]));
    // pipe(): backpressure both ways, and an orderly end is passed on (half-close)
    client.pipe(backend);
    backend.pipe(client);
    const onError = (e: Error): void => {
      post({ type: 'log', level: 'debug', message: `postmaster: connection from ${remote}: ${e.message}` });
      // flush what was already read, then close: the client may still get a last ErrorResponse
      client.destroySoon();
      backend.destroySoon();
    };
    client.on('error', onError);
    backend.on('error', onError);
    client.on('close', () => {
      backend.destroySoon();
      proxied.delete(client);
      maybeStopped();
    });
    backend.on('close', () => client.destroySoon());
  };

  const accept = (client: Socket): void => {
    if (stopping) {
      client.destroy();
      return;
    }
    client.setNoDelay(true);
    starting.add(client);
    let buf: Buffer = Buffer.alloc(0);
    const onEnd = (): void => {
      // a partial first packet: the main thread answers it as it would have
      client.off('data', onData);
      if (buf.length > 0 && !stopping) forward(client, buf);
      else {
        starting.delete(client);
        client.destroy();
        maybeStopped();
      }
    };
    const onData = (chunk: Buffer): void => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      for (;;) {
        if (buf.length < 8) return;
        const len = buf.readInt32BE(0);
        const code = buf.readInt32BE(4);
        if (code === CANCEL_REQUEST && len === 16) {
          if (buf.length < 16) return;
          const pid = buf.readInt32BE(8);
          const found = cancel(pid, buf.readInt32BE(12));
          post({ type: 'log', level: 'debug', message: found ? `cancel request for connection ${pid}` : `cancel request for unknown backend ${pid} ignored` });
          client.off('data', onData);
          client.off('end', onEnd);
          starting.delete(client);
          client.end();
          client.on('close', maybeStopped);
          return;
        }
        if ((code === SSL_REQUEST || code === GSSENC_REQUEST) && len === 8) {
          client.write('N'); // no TLS yet; the client goes on with a StartupMessage or a CancelRequest
          buf = buf.subarray(8);
          continue;
        }
        client.off('data', onData);
        client.off('end', onEnd);
        forward(client, buf);
        return;
      }
    };
    client.on('data', onData);
    client.on('end', onEnd);
    client.on('error', () => {
      if (!starting.delete(client)) return;
      client.destroy();
      maybeStopped();
    });
  };

  const server: Server = net.createServer({ noDelay: true }, accept);
  server.on('error', (e: NodeJS.ErrnoException) => {
    if (!server.listening) post({ type: 'listen-error', message: e.message, code: e.code });
    else post({ type: 'log', level: 'error', message: `postmaster: ${e.message}` });
  });
  server.listen(data.port, data.host, () => {
    const a = server.address() as import('node:net').AddressInfo;
    post({ type: 'listening', address: a.address, family: a.family, port: a.port });
  });
  port.on('message', (m: { type: 'stop' }) => {
    if (m.type !== 'stop' || stopping) return;
    stopping = true;
    server.close();
    for (const s of starting) s.destroy();
    starting.clear();
    maybeStopped();
  });
}

export interface PostmasterAddress {
  address: string;
  family: string;
  port: number;
}

/**
 * Runs postmasterMain in a worker thread; restarts it when it dies while the
 * server runs (its listening socket dies with it), and gives up after
 * more than MAX_RESTARTS crashes within CRASH_WINDOW_MS (onFatal then stops the server).
 */
export class Postmaster {
  /** the main thread's private listener path */
  readonly backendPath: string;
  private readonly dir: string;
  private worker: Worker | null = null;
  private bound: PostmasterAddress | null = null;
  private stopping = false;
  /** times of the recent crashes (within CRASH_WINDOW_MS) */
  private crashTimes: number[] = [];

  constructor(
    private readonly table: BackendTable,
    private readonly log: Logger,
    private readonly onFatal: (e: Error) => void,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'strata-'));
    // PostgreSQL's socket name; the directory is 0700, so only this OS user can connect
    this.backendPath = join(this.dir, '.s.PGSQL.backend');
  }

  get address(): PostmasterAddress | null {
    return this.bound;
  }

  /** Start the thread and listen on host:port; rejects like net.Server.listen (err.code EADDRINUSE…). */
  start(port: number, host: string): Promise<PostmasterAddress> {
    return new Promise((resolve, reject) => {
      const data: PostmasterData = {
        host,
        port,
        backendPath: this.backendPath,
        table: this.table.cells.buffer as SharedArrayBuffer,
        slotCells: SLOT_CELLS,
        pidCell: PID_CELL,
        secretCell: SECRET_CELL,
        cancelCell: CANCEL_CELL,
      };
      // transpilers (esbuild under tsx and vitest) may wrap named functions in __name(): define it as the identity
      const source = `const __name = (target) => target;\n(${postmasterMain.toString()})();`;
      const worker = new Worker(source, { eval: true, workerData: data, name: 'strata-postmaster' });
      this.worker = worker;
      let started = false;
      worker.on('message', (m: PostmasterMessage) => {
        switch (m.type) {
          case 'listening':
            started = true;
            this.bound = { address: m.address, family: m.family, port: m.port };
            resolve(this.bound);
            return;
          case 'listen-error': {
            const e = Object.assign(new Error(m.message), { code: m.code });
            this.stopping = true;
            void worker.terminate();
            reject(e);
            return;
          }
          case 'log':
            this.log[m.level](m.message);
            return;
          case 'stopped':
            void worker.terminate();
            return;
        }
      });
      worker.on('error', (e) => {
        this.log.error(`postmaster thread failed: ${e.stack ?? e.message}`);
        if (!started) reject(e);
      });
      worker.on('exit', (code) => {
        if (this.worker === worker) this.worker = null;
        this.stopped?.();
        if (!started) reject(new Error(`postmaster thread exited (code ${code}) before listening`));
        if (this.stopping || !started) return;
        this.restart(code);
      });
    });
  }

  private restart(code: number): void {
    const where = this.bound!;
    const now = Date.now();
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    if (this.crashTimes.length > MAX_RESTARTS) {
      this.onFatal(new Error(`postmaster thread exited (code ${code}) ${this.crashTimes.length} times within ${CRASH_WINDOW_MS / 1000} s`));
      return;
    }
    this.log.error(`postmaster thread exited unexpectedly (code ${code}); restarting it on ${where.address}:${where.port}`);
    this.start(where.port, where.address).catch((e: Error) => this.onFatal(e));
  }

  private stopped?: () => void;

  /**
   * Stop accepting at once; resolves once every proxied connection has closed
   * (the main thread closes them during shutdown) or after timeoutMs.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    const worker = this.worker;
    if (worker) {
      const exited = new Promise<void>((resolve) => (this.stopped = resolve));
      worker.postMessage({ type: 'stop' });
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([exited, late]);
      clearTimeout(timer);
      await worker.terminate();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Test hook: kill the thread as a crash would. */
  crashForTesting(): Promise<number> {
    return this.worker ? this.worker.terminate() : Promise.resolve(0);
  }
}

const MAX_RESTARTS = 5;
const CRASH_WINDOW_MS = 60_000;
