/**
 * `PgServer`: a PostgreSQL v3 wire-protocol server over one EngineCore.
 * Every client connection gets its own Session (transaction state,
 * settings); all share the catalog.
 *
 * Cancel requests: statements run synchronously on the main event loop, so
 * the public port belongs to the postmaster process (postmaster.ts), which is
 * never blocked by a query. Through the cancel relay thread it sets the target
 * backend's flag in the shared BackendTable; the running statement sees it at
 * its next batch (checkDeadline) and fails with 57014, a COPY FROM STDIN at its
 * next CopyData. The flag is cleared when a statement starts, so a cancel that
 * arrives while a connection is idle does nothing. Every other connection's
 * socket is handed over to this process, which then talks to the client directly.
 */
import type { AddressInfo, Socket } from 'node:net';
import { EngineCore } from '../engine/core.js';
import { Connection } from './connection.js';
import { BackendTable, Postmaster } from './postmaster.js';
import { scramSecret, type AuthMethod, type ScramSecret } from './auth.js';
import { createLogger, silentLogger, type Logger, type LogLevel } from './log.js';
import { CopyParseThread } from './copy-parse-thread.js';

export interface PgServerOptions {
  /** the engine to serve (a fresh in-memory one by default) */
  core?: EngineCore;
  /** user name clients must give when a password is set (default 'strata') */
  user?: string;
  /** no password → trust authentication */
  password?: string;
  /** with a password: 'scram-sha-256' (default), 'md5' or 'password' (cleartext) */
  auth?: Exclude<AuthMethod, 'trust'>;
  /** the database name clients connect to (default: the core's, 'strata') */
  database?: string;
  /** default 100; further clients get 53300 */
  maxConnections?: number;
  /** initial settings of every session, e.g. { TimeZone: 'Europe/Berlin' } */
  settings?: Record<string, string>;
  /** number of data nodes requested with --data-nodes (recorded for the distribution layer) */
  dataNodes?: number;
  /** data directory requested with --data-dir (recorded; durability is a later issue) */
  dataDir?: string;
  logLevel?: LogLevel;
  /** a logger; default: stderr at logLevel, or silent when logLevel is not given */
  logger?: Logger;
  /** how long shutdown() waits for running COPYs / extended exchanges (default 5000 ms) */
  shutdownTimeoutMs?: number;
}

export interface PgServerConfig {
  user: string;
  password?: string;
  auth: AuthMethod;
  database: string;
  maxConnections: number;
  settings: Record<string, string>;
  dataNodes: number;
  dataDir?: string;
  shutdownTimeoutMs: number;
}

export class PgServer {
  readonly core: EngineCore;
  readonly config: PgServerConfig;
  readonly log: Logger;
  /** (pid, secret, cancel flag) of every started backend, shared with the postmaster */
  readonly backends: BackendTable;
  private postmaster: Postmaster | null = null;
  private postmasterStop: Promise<void> | null = null;
  readonly scram?: ScramSecret;
  private readonly connections = new Set<Connection>();
  private admitted = 0;
  shuttingDown = false;

  constructor(options: PgServerOptions = {}) {
    this.core = options.core ?? new EngineCore({ user: options.user, database: options.database });
    const password = options.password || undefined;
    this.config = {
      user: options.user ?? this.core.user,
      password,
      auth: password ? (options.auth ?? 'scram-sha-256') : 'trust',
      database: options.database ?? this.core.database,
      maxConnections: options.maxConnections ?? 100,
      settings: options.settings ?? {},
      dataNodes: options.dataNodes ?? 1,
      dataDir: options.dataDir,
      shutdownTimeoutMs: options.shutdownTimeoutMs ?? 5000,
    };
    this.log = options.logger ?? (options.logLevel ? createLogger(options.logLevel) : silentLogger);
    if (this.config.auth === 'scram-sha-256') this.scram = scramSecret(password!);
    // a backend gets its slot at BackendKeyData, after admission: maxConnections slots suffice
    this.backends = new BackendTable(this.config.maxConnections);
  }

  /**
   * Start the postmaster process listening on host:port; resolves with the
   * public address (port 0 → an ephemeral port).
   */
  async listen(port = 5432, host = '127.0.0.1'): Promise<AddressInfo> {
    const postmaster = new Postmaster(
      this.backends,
      this.log,
      (socket, first) => this.acceptHandedOver(socket, first),
      (e) => {
        this.log.error(`postmaster cannot be restarted (${e.message}): shutting down`);
        void this.shutdown();
      },
    );
    try {
      await postmaster.start(port, host);
    } catch (e) {
      await postmaster.stop(0);
      throw e;
    }
    this.postmaster = postmaster;
    // the COPY parse thread starts now, not inside the first large COPY (~0.3 s of its CPU)
    CopyParseThread.get();
    return this.address();
  }

  /** Whether the postmaster is listening on the public port. */
  get listening(): boolean {
    return this.postmaster !== null && !this.shuttingDown;
  }

  /** The public address (the postmaster's listening socket). */
  address(): AddressInfo {
    const a = this.postmaster?.address;
    if (!a) throw new Error('PgServer is not listening');
    return { address: a.address, family: a.family, port: a.port };
  }

  /** Test hook: the postmaster process dies as in a crash (it is restarted). */
  crashPostmasterForTesting(): Promise<void> {
    return this.postmaster ? this.postmaster.crashForTesting() : Promise.resolve();
  }

  /** Test hook: the cancel relay thread dies as in a crash (it is restarted). */
  crashCancelRelayForTesting(): Promise<void> {
    return this.postmaster ? this.postmaster.crashCancelRelayForTesting() : Promise.resolve();
  }

  /** A client's socket from the postmaster, with the bytes it read (the first packet, after any SSLRequest). */
  private acceptHandedOver(socket: Socket, first: Buffer): void {
    socket.setNoDelay(true);
    socket.pause();
    if (first.length > 0) socket.unshift(first);
    this.accept(socket, `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`);
    socket.resume();
  }

  get connectionCount(): number {
    return this.admitted;
  }

  private accept(socket: Socket, remote: string): void {
    if (this.shuttingDown) {
      socket.destroy();
      return;
    }
    const c = new Connection(socket, this, remote);
    this.connections.add(c);
    this.log.debug(`connection ${c.pid} from ${c.remote}`);
  }

  /** Count a connection that sent a StartupMessage against max connections; false when full. */
  admit(c: Connection): boolean {
    if (c.admitted) return true;
    if (this.admitted >= this.config.maxConnections) return false;
    c.admitted = true;
    this.admitted++;
    return true;
  }

  /**
   * Bytes of output waiting in user space for the clients to read, over all connections (rows a
   * backlog holds as batches are not bytes yet and do not count).
   */
  queuedOutputBytes(): number {
    let n = 0;
    for (const c of this.connections) n += c.socket.writableLength;
    return n;
  }

  release(c: Connection): void {
    if (!this.connections.delete(c)) return;
    if (c.admitted) this.admitted--;
    this.log.debug(`connection ${c.pid} closed`);
    if (this.shuttingDown && this.connections.size === 0) this.drained?.();
  }

  /**
   * A CancelRequest read by this thread (the postmaster normally answers
   * them itself): the key must match; see the note at the top of this file.
   */
  cancel(pid: number, key: number): void {
    if (this.backends.cancel(pid, key)) this.log.debug(`cancel request for connection ${pid}`);
    else this.log.debug(`cancel request for unknown backend ${pid} ignored`);
  }

  private drained?: () => void;

  /**
   * Graceful shutdown: stop accepting; idle clients get FATAL 57P01 at once,
   * clients in the middle of a COPY or an extended exchange when it ends, and
   * whoever is left after shutdownTimeoutMs is closed anyway. Open
   * transactions are rolled back.
   */
  async shutdown(timeoutMs = this.config.shutdownTimeoutMs): Promise<void> {
    // the postmaster stops accepting at once and exits
    const postmasterStopped = this.stopPostmaster(timeoutMs + 1000);
    this.shuttingDown = true;
    const done = new Promise<void>((resolve) => {
      if (this.connections.size === 0) return resolve();
      this.drained = resolve;
    });
    for (const c of [...this.connections]) c.shutdown();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const r = await Promise.race([done, timeout]);
    clearTimeout(timer);
    if (r === 'timeout') {
      this.log.warn(`shutdown: closing ${this.connections.size} busy connection(s) after ${timeoutMs} ms`);
      for (const c of [...this.connections]) c.adminShutdown();
    }
    await postmasterStopped;
  }

  /** Immediate close (tests): every connection is dropped. */
  async close(): Promise<void> {
    const postmasterStopped = this.stopPostmaster(1000);
    this.shuttingDown = true;
    for (const c of [...this.connections]) c.adminShutdown();
    await postmasterStopped;
  }

  private stopPostmaster(timeoutMs: number): Promise<void> {
    if (!this.postmaster) return Promise.resolve();
    return (this.postmasterStop ??= this.postmaster.stop(timeoutMs));
  }
}
