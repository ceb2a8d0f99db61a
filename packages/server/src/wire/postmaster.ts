/**
 * The postmaster: a child process that owns the public listening socket, so
 * that a CancelRequest is read even while the main thread is busy executing a
 * statement (the engine runs synchronously on the main event loop), as
 * PostgreSQL's postmaster is a process of its own.
 *
 * Every connection's first packet is read there. SSLRequest / GSSENCRequest
 * are answered 'N', because clients may negotiate encryption before sending a
 * CancelRequest. A CancelRequest goes to the cancel relay thread of this
 * process (cancel-relay.ts), which sets the backend's flag in shared memory;
 * then the socket is closed without an answer, as PostgreSQL does. Any other
 * connection is handed over to this process: the socket itself travels over
 * the IPC channel (SCM_RIGHTS), with the bytes read so far, so the main thread
 * talks to the client directly. (An earlier design piped every connection
 * through a postmaster *thread*, which cost each round trip ~0.2 ms: threads
 * cannot pass sockets to each other.)
 *
 * The process's code is `postmasterProcessMain`, started from its source text
 * with `node -e`: it imports nothing, so no TypeScript loader is needed. It
 * exits when this process does (its IPC channel closes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Server, Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendTable } from './backend-table.js';
import { CancelRelay } from './cancel-relay.js';
import type { Logger } from './log.js';

export { BackendTable } from './backend-table.js';

/** What the postmaster process gets (JSON in its environment). */
interface PostmasterConfig {
  host: string;
  port: number;
  /** the cancel relay's Unix socket */
  cancelPath: string;
}

type PostmasterMessage =
  | { type: 'listening'; address: string; family: string; port: number }
  | { type: 'listen-error'; message: string; code?: string }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string }
  /** with the client's socket as the message's handle; `first`: the bytes read so far, base64 */
  | { type: 'connection'; first: string };

const CONFIG_ENV = 'STRATA_POSTMASTER_CONFIG';

/**
 * The process's body. Self-contained: no imports and no module-level helpers,
 * because it runs from its source text in a plain node process.
 */
function postmasterProcessMain(): void {
  const net = require('node:net') as typeof import('node:net');
  const config = JSON.parse(process.env.STRATA_POSTMASTER_CONFIG ?? '{}') as PostmasterConfig;
  // what ps shows instead of this function's source
  process.title = 'strata: postmaster';
  const SSL_REQUEST = 80877103;
  const GSSENC_REQUEST = 80877104;
  const CANCEL_REQUEST = 80877102;
  const send = (m: PostmasterMessage, handle?: Socket): void => {
    if (!process.connected) {
      handle?.destroy();
      return;
    }
    if (handle === undefined) process.send!(m);
    else {
      process.send!(m, handle, { keepOpen: false }, (e: Error | null) => {
        if (e) handle.destroy();
      });
    }
  };
  /** connections still in their first packet (dropped at stop) */
  const starting = new Set<Socket>();
  let stopping = false;

  const relayCancel = (client: Socket, pid: number, secret: number): void => {
    const relay = net.connect(config.cancelPath);
    const request = Buffer.alloc(8);
    request.writeInt32BE(pid, 0);
    request.writeInt32BE(secret, 4);
    relay.end(request);
    relay.resume();
    // the client learns that the flag is set from the close of its socket
    relay.on('close', () => client.end());
    relay.on('error', (e: Error) => {
      send({ type: 'log', level: 'error', message: `postmaster: cancel relay: ${e.message}` });
      client.destroy();
    });
  };

  const handOver = (client: Socket, first: Buffer): void => {
    starting.delete(client);
    // nothing more may be read here: the handle's reads would be dropped once it is sent
    (client as unknown as { _handle?: { readStop?: () => void } })._handle?.readStop?.();
    send({ type: 'connection', first: first.toString('base64') }, client);
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
      if (buf.length > 0 && !stopping) handOver(client, buf);
      else {
        starting.delete(client);
        client.destroy();
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
          client.off('data', onData);
          client.off('end', onEnd);
          starting.delete(client);
          relayCancel(client, buf.readInt32BE(8), buf.readInt32BE(12));
          return;
        }
        if ((code === SSL_REQUEST || code === GSSENC_REQUEST) && len === 8) {
          client.write('N'); // no TLS yet; the client goes on with a StartupMessage or a CancelRequest
          buf = buf.subarray(8);
          continue;
        }
        client.off('data', onData);
        client.off('end', onEnd);
        handOver(client, buf);
        return;
      }
    };
    client.on('data', onData);
    client.on('end', onEnd);
    client.on('error', () => {
      if (starting.delete(client)) client.destroy();
    });
  };

  const server: Server = net.createServer({ noDelay: true }, accept);
  server.on('error', (e: NodeJS.ErrnoException) => {
    if (!server.listening) {
      send({ type: 'listen-error', message: e.message, code: e.code });
      process.exit(1);
    } else send({ type: 'log', level: 'error', message: `postmaster: ${e.message}` });
  });
  server.listen(config.port, config.host, () => {
    const a = server.address() as import('node:net').AddressInfo;
    process.title = `strata: postmaster ${a.address}:${a.port}`;
    send({ type: 'listening', address: a.address, family: a.family, port: a.port });
  });
  process.on('message', (m: { type: 'stop' }) => {
    if (m.type !== 'stop' || stopping) return;
    stopping = true;
    for (const s of starting) s.destroy();
    starting.clear();
    server.close(() => process.exit(0));
  });
  // the server process is gone (killed, or exited without stopping us): so is its port. Node emits no
  // 'disconnect' while a socket handed over waits for its acknowledgement (a kill -9 in between left
  // this process holding the port, and the sockets sent, for good): the reparenting tells too.
  process.on('disconnect', () => process.exit(0));
  const serverPid = process.ppid;
  setInterval(() => {
    if (process.ppid !== serverPid) process.exit(0);
  }, 100).unref();
}

export interface PostmasterAddress {
  address: string;
  family: string;
  port: number;
}

/**
 * Runs postmasterProcessMain in a child process and the cancel relay in a
 * thread; restarts either when it dies while the server runs, and gives up after
 * more than MAX_RESTARTS crashes within CRASH_WINDOW_MS (onFatal then stops the server).
 */
export class Postmaster {
  /** the cancel relay's socket path */
  readonly cancelPath: string;
  private readonly dir: string;
  private readonly relay: CancelRelay;
  private child: ChildProcess | null = null;
  private bound: PostmasterAddress | null = null;
  private stopping = false;
  /** times of the recent crashes (within CRASH_WINDOW_MS) */
  private crashTimes: number[] = [];

  constructor(
    table: BackendTable,
    private readonly log: Logger,
    /** a client connection handed over, with the bytes the postmaster read from it */
    private readonly onConnection: (socket: Socket, first: Buffer) => void,
    private readonly onFatal: (e: Error) => void,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'strata-'));
    // the directory is 0700, so only this OS user can reach the relay
    this.cancelPath = join(this.dir, '.s.PGSQL.cancel');
    this.relay = new CancelRelay(this.cancelPath, table, log, (code) => this.crashed('cancel relay thread', code, () => this.relay.start()));
  }

  get address(): PostmasterAddress | null {
    return this.bound;
  }

  /** Start the relay and the process listening on host:port; rejects like net.Server.listen (err.code EADDRINUSE…). */
  async start(port: number, host: string): Promise<PostmasterAddress> {
    await this.relay.start();
    return this.startProcess(port, host);
  }

  private startProcess(port: number, host: string): Promise<PostmasterAddress> {
    return new Promise((resolve, reject) => {
      const config: PostmasterConfig = { host, port, cancelPath: this.cancelPath };
      // transpilers (esbuild under tsx and vitest) may wrap named functions in __name() (__name2() when tsx is
      // registered twice, as with `node --import tsx bin/strata.mjs`): define them as the identity
      const source = `const __name = (target) => target, __name2 = __name;\n(${postmasterProcessMain.toString()})();`;
      // NODE_OPTIONS (a TypeScript loader, heap sizes) are the server's, not the postmaster's
      const env = { ...process.env, NODE_OPTIONS: '', [CONFIG_ENV]: JSON.stringify(config) };
      const child = spawn(process.execPath, ['-e', source], { env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      this.child = child;
      let started = false;
      let listenError: Error | null = null;
      child.on('message', (m: PostmasterMessage, handle?: Socket) => {
        switch (m.type) {
          case 'listening':
            started = true;
            this.bound = { address: m.address, family: m.family, port: m.port };
            resolve(this.bound);
            return;
          case 'listen-error':
            listenError = Object.assign(new Error(m.message), { code: m.code });
            return;
          case 'log':
            this.log[m.level](m.message);
            return;
          case 'connection':
            if (handle === undefined) return;
            if (this.stopping) handle.destroy();
            else this.onConnection(handle, Buffer.from(m.first, 'base64'));
            return;
        }
      });
      child.on('error', (e) => {
        this.log.error(`postmaster process failed: ${e.message}`);
        if (!started) reject(e);
      });
      child.on('exit', (code, signal) => {
        if (this.child === child) this.child = null;
        this.exited?.();
        if (!started) {
          reject(listenError ?? new Error(`postmaster process exited (${signal ?? `code ${code}`}) before listening`));
          return;
        }
        if (this.stopping) return;
        const where = this.bound!;
        this.crashed('postmaster process', code ?? signal ?? 'unknown', () => this.startProcess(where.port, where.address).then(() => undefined));
      });
    });
  }

  private crashed(what: string, code: number | string, restart: () => Promise<void>): void {
    if (this.stopping) return;
    const now = Date.now();
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    if (this.crashTimes.length > MAX_RESTARTS) {
      this.onFatal(new Error(`${what} exited (${code}) ${this.crashTimes.length} times within ${CRASH_WINDOW_MS / 1000} s`));
      return;
    }
    const where = this.bound;
    this.log.error(`${what} exited unexpectedly (${code}); restarting it${where ? ` (listening on ${where.address}:${where.port})` : ''}`);
    restart().catch((e: Error) => this.onFatal(e));
  }

  private exited?: () => void;

  /** Stop accepting: the process closes its listening socket and exits (killed after timeoutMs). */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child) {
      const exited = new Promise<void>((resolve) => (this.exited = resolve));
      if (child.connected) child.send({ type: 'stop' });
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([exited, late]);
      clearTimeout(timer);
      if (this.child === child) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    await this.relay.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Test hook: the cancel relay thread dies as in a crash; resolves once it has been restarted. */
  async crashCancelRelayForTesting(): Promise<void> {
    await this.relay.crashForTesting();
    await this.relay.started;
  }

  /** Test hook: kill the process as a crash would; resolves once it has exited. */
  crashForTesting(): Promise<void> {
    const child = this.child;
    if (!child) return Promise.resolve();
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    return exited;
  }
}

const MAX_RESTARTS = 5;
const CRASH_WINDOW_MS = 60_000;
