/**
 * `PgServer`: a PostgreSQL v3 wire-protocol server over one EngineCore.
 * Every client connection gets its own Session (transaction state,
 * settings); all share the catalog.
 *
 * Cancel requests: statements run synchronously on the event loop, so a
 * CancelRequest can only be read once the running statement has finished.
 * Consequently only a COPY FROM STDIN in progress (between CopyData messages)
 * can be cancelled (57014); a cancel for an idle connection, or one arriving
 * after its statement finished, is ignored. A statement that runs for seconds
 * cannot be interrupted yet (that needs the engine to run in a worker or to
 * yield between batches).
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { EngineCore } from '../engine/core.js';
import { Connection } from './connection.js';
import { scramSecret, type AuthMethod, type ScramSecret } from './auth.js';
import { createLogger, silentLogger, type Logger, type LogLevel } from './log.js';

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
  readonly net: Server;
  readonly scram?: ScramSecret;
  private readonly connections = new Set<Connection>();
  private readonly byPid = new Map<number, Connection>();
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
    this.net = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.net.on('error', (e) => this.log.error(`server error: ${e.message}`));
  }

  /** Start listening; resolves with the bound address (port 0 → an ephemeral port). */
  listen(port = 5432, host = '127.0.0.1'): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.net.once('error', onError);
      this.net.listen(port, host, () => {
        this.net.off('error', onError);
        resolve(this.net.address() as AddressInfo);
      });
    });
  }

  address(): AddressInfo {
    return this.net.address() as AddressInfo;
  }

  get connectionCount(): number {
    return this.admitted;
  }

  private accept(socket: Socket): void {
    if (this.shuttingDown) {
      socket.destroy();
      return;
    }
    const c = new Connection(socket, this);
    this.connections.add(c);
    this.byPid.set(c.pid, c);
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
    this.byPid.delete(c.pid);
    if (c.admitted) this.admitted--;
    this.log.debug(`connection ${c.pid} closed`);
    if (this.shuttingDown && this.connections.size === 0) this.drained?.();
  }

  /** A CancelRequest: the key must match; see the note at the top of this file. */
  cancel(pid: number, key: number): void {
    const c = this.byPid.get(pid);
    if (!c || c.secret !== key) {
      this.log.debug(`cancel request for unknown backend ${pid} ignored`);
      return;
    }
    this.log.debug(`cancel request for connection ${pid}`);
    c.cancel();
  }

  private drained?: () => void;

  /**
   * Graceful shutdown: stop accepting; idle clients get FATAL 57P01 at once,
   * clients in the middle of a COPY or an extended exchange when it ends, and
   * whoever is left after shutdownTimeoutMs is closed anyway. Open
   * transactions are rolled back.
   */
  async shutdown(timeoutMs = this.config.shutdownTimeoutMs): Promise<void> {
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
    await new Promise<void>((resolve) => (this.net.listening ? this.net.close(() => resolve()) : resolve()));
  }

  /** Immediate close (tests): every connection is dropped. */
  async close(): Promise<void> {
    this.shuttingDown = true;
    for (const c of [...this.connections]) c.adminShutdown();
    await new Promise<void>((resolve) => this.net.close(() => resolve()));
  }
}
