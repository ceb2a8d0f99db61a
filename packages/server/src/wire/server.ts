/**
 * `PgServer`: a PostgreSQL v3 wire-protocol server over one EngineCore.
 * Every client connection gets its own Session (transaction state,
 * settings); all share the catalog.
 *
 * Cancel requests: statements run synchronously on the main event loop, so
 * the public port belongs to the postmaster thread (postmaster.ts), which is
 * never blocked by a query. It sets the target backend's flag in the shared
 * BackendTable; the running statement sees it at its next batch
 * (checkDeadline) and fails with 57014, a COPY FROM STDIN at its next
 * CopyData. The flag is cleared when a statement starts, so a cancel that
 * arrives while a connection is idle does nothing. Every other connection is
 * piped by the postmaster to `net`, this thread's private Unix-socket listener.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
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
  /** the private listener the postmaster thread forwards connections to */
  readonly net: Server;
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
    this.net = createServer({ noDelay: true }, (socket) => this.acceptForwarded(socket));
    this.net.on('error', (e) => this.log.error(`server error: ${e.message}`));
  }

  /**
   * Start the private listener and the postmaster thread on host:port;
   * resolves with the public address (port 0 → an ephemeral port).
   */
  async listen(port = 5432, host = '127.0.0.1'): Promise<AddressInfo> {
    const postmaster = new Postmaster(this.backends, this.log, (e) => {
      this.log.error(`postmaster thread cannot be restarted (${e.message}): shutting down`);
      void this.shutdown();
    });
    await new Promise<void>((resolve, reject) => {
      this.net.once('error', reject);
      this.net.listen(postmaster.backendPath, () => {
        this.net.off('error', reject);
        resolve();
      });
    });
    try {
      await postmaster.start(port, host);
    } catch (e) {
      await postmaster.stop(0);
      await new Promise<void>((resolve) => this.net.close(() => resolve()));
      throw e;
    }
    this.postmaster = postmaster;
    // the COPY parse thread starts now, not inside the first large COPY (~0.3 s of its CPU)
    CopyParseThread.get();
    return this.address();
  }

  /** The public address (the postmaster's listening socket). */
  address(): AddressInfo {
    const a = this.postmaster?.address;
    if (!a) throw new Error('PgServer is not listening');
    return { address: a.address, family: a.family, port: a.port };
  }

  /** Test hook: the postmaster thread dies as in a crash (it is restarted). */
  crashPostmasterForTesting(): Promise<number> {
    return this.postmaster ? this.postmaster.crashForTesting() : Promise.resolve(0);
  }

  /**
   * A connection from the postmaster: a header (uint16 length, the client's
   * address in UTF-8), then the client's bytes from its first packet on.
   */
  private acceptForwarded(socket: Socket): void {
    let head: Buffer = Buffer.alloc(0);
    const drop = () => socket.destroy();
    const onData = (chunk: Buffer) => {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      if (head.length < 2 || head.length < 2 + head.readUInt16BE(0)) return;
      const end = 2 + head.readUInt16BE(0);
      socket.off('data', onData);
      socket.off('error', drop);
      socket.pause();
      if (head.length > end) socket.unshift(head.subarray(end));
      this.accept(socket, head.toString('utf8', 2, end));
      socket.resume();
    };
    socket.on('data', onData);
    socket.on('error', drop);
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
    // the postmaster stops accepting at once and exits once the connections it pipes have closed
    const postmasterStopped = this.stopPostmaster(timeoutMs + 1000);
    if (!this.shuttingDown) {
      this.shuttingDown = true;
      this.net.close();
    }
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
    await new Promise<void>((resolve) => (this.net.listening ? this.net.close(() => resolve()) : resolve()));
  }

  /** Immediate close (tests): every connection is dropped. */
  async close(): Promise<void> {
    const postmasterStopped = this.stopPostmaster(1000);
    this.shuttingDown = true;
    for (const c of [...this.connections]) c.adminShutdown();
    await postmasterStopped;
    await new Promise<void>((resolve) => (this.net.listening ? this.net.close(() => resolve()) : resolve()));
  }

  private stopPostmaster(timeoutMs: number): Promise<void> {
    if (!this.postmaster) return Promise.resolve();
    return (this.postmasterStop ??= this.postmaster.stop(timeoutMs));
  }
}
