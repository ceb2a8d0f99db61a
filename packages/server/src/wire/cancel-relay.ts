/**
 * The cancel relay thread: sets a backend's cancel flag in the shared
 * BackendTable for the postmaster process (postmaster.ts), which reads
 * CancelRequests but cannot reach shared memory. It must be a thread of this
 * process because the main thread may be busy running the very statement the
 * request cancels: statements run synchronously on the main event loop and see
 * the flag at their next batch (checkDeadline).
 *
 * The postmaster connects to the relay's private Unix socket (in the
 * postmaster's 0700 directory) once per request and writes the request's pid
 * and secret (two Int32, big-endian); the relay sets the flag and answers one
 * byte (1: a backend matched, 0: none), after which the postmaster closes the
 * client's socket, so a client that sees the close knows the flag is set.
 *
 * The thread's code is `cancelRelayMain`, started from its source text with
 * `eval: true`: it imports nothing, so no TypeScript loader is needed.
 */
import { Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { Socket } from 'node:net';
import { CANCEL_CELL, PID_CELL, SECRET_CELL, SLOT_CELLS, type BackendTable } from './backend-table.js';
import type { Logger } from './log.js';

/** What the thread gets through workerData (structured-cloned; the table is shared). */
interface CancelRelayData {
  path: string;
  table: SharedArrayBuffer;
  slotCells: number;
  pidCell: number;
  secretCell: number;
  cancelCell: number;
}

type CancelRelayMessage =
  | { type: 'listening' }
  | { type: 'listen-error'; message: string }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string };

/** The thread's body. Self-contained: no imports, no module-level helpers. */
function cancelRelayMain(): void {
  const net = require('node:net') as typeof import('node:net');
  const threads = require('node:worker_threads') as typeof import('node:worker_threads');
  const port = threads.parentPort as MessagePort;
  const data = threads.workerData as CancelRelayData;
  const cells = new Int32Array(data.table);
  const post = (m: CancelRelayMessage): void => port.postMessage(m);

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

  const server = net.createServer((sock: Socket) => {
    let buf = Buffer.alloc(0);
    sock.on('error', () => sock.destroy());
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 8) return;
      const pid = buf.readInt32BE(0);
      const found = cancel(pid, buf.readInt32BE(4));
      post({ type: 'log', level: 'debug', message: found ? `cancel request for connection ${pid}` : `cancel request for unknown backend ${pid} ignored` });
      sock.end(Buffer.from([found ? 1 : 0]));
    });
  });
  server.on('error', (e: Error) => {
    if (!server.listening) post({ type: 'listen-error', message: e.message });
    else post({ type: 'log', level: 'error', message: `cancel relay: ${e.message}` });
  });
  // a relay restarted after a crash finds its predecessor's socket file (the directory is private)
  try {
    require('node:fs').unlinkSync(data.path);
  } catch {
    // none yet
  }
  server.listen(data.path, () => post({ type: 'listening' }));
}

/** Runs cancelRelayMain in a worker thread listening on `path`. */
export class CancelRelay {
  private worker: Worker | null = null;
  private stopping = false;
  /** the latest start: resolves once that thread listens */
  started: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly table: BackendTable,
    private readonly log: Logger,
    /** the thread died while running (its socket died with it) */
    private readonly onCrash: (code: number) => void,
  ) {}

  start(): Promise<void> {
    this.started = this.launch();
    return this.started;
  }

  private launch(): Promise<void> {
    return new Promise((resolve, reject) => {
      const data: CancelRelayData = {
        path: this.path,
        table: this.table.cells.buffer as SharedArrayBuffer,
        slotCells: SLOT_CELLS,
        pidCell: PID_CELL,
        secretCell: SECRET_CELL,
        cancelCell: CANCEL_CELL,
      };
      // transpilers (esbuild under tsx and vitest) may wrap named functions in __name() (__name2() when tsx is
      // registered twice, as with `node --import tsx bin/strata.mjs`): define them as the identity
      const source = `const __name = (target) => target, __name2 = __name;\n(${cancelRelayMain.toString()})();`;
      const worker = new Worker(source, { eval: true, workerData: data, name: 'strata-cancel-relay' });
      this.worker = worker;
      let started = false;
      worker.on('message', (m: CancelRelayMessage) => {
        if (m.type === 'listening') {
          started = true;
          resolve();
        } else if (m.type === 'listen-error') {
          this.stopping = true;
          void worker.terminate();
          reject(new Error(`cancel relay: ${m.message}`));
        } else this.log[m.level](m.message);
      });
      worker.on('error', (e) => {
        this.log.error(`cancel relay thread failed: ${e.stack ?? e.message}`);
        if (!started) reject(e);
      });
      worker.on('exit', (code) => {
        if (this.worker === worker) this.worker = null;
        if (!started) reject(new Error(`cancel relay thread exited (code ${code}) before listening`));
        else if (!this.stopping) this.onCrash(code);
      });
    });
  }

  /** Test hook: the thread dies as in a crash (onCrash restarts it). */
  async crashForTesting(): Promise<void> {
    await this.worker?.terminate();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.worker?.terminate();
    this.worker = null;
  }
}
