/**
 * `strata`: the Strata server. Speaks the PostgreSQL v3 wire protocol, so psql
 * and any PostgreSQL driver can connect. Run `strata --help` for the options.
 */
import { parseArgs } from 'node:util';
import { Session } from '../engine/session.js';
import { PgServer } from '../wire/server.js';
import { EngineCore } from '../engine/core.js';
import { Durability } from '../engine/durable/durability.js';
import { createLogger, LOG_LEVELS, type LogLevel } from '../wire/log.js';

const VERSION = '0.1.0';

const HELP = `strata ${VERSION}: a distributed time-series SQL database speaking the PostgreSQL wire protocol

Usage: strata [options]

Options (each can also be set with the environment variable shown):
  --host HOST             address to listen on                  STRATA_HOST      (default 127.0.0.1)
  --port PORT             TCP port                              STRATA_PORT      (default 5432)
  --data-dir DIR          data directory                        STRATA_DATA_DIR  (default ./strata-data)
  --in-memory             keep data in memory only (lost when   STRATA_IN_MEMORY=1
                          the server stops); without it, every acknowledged commit is in the
                          data directory's write-ahead log and survives a crash
  --data-nodes N          create N in-process data nodes dn1…dnN at start-up (STRATA_DATA_NODES; default 0:
                          a single-node database until add_data_node() is called)
  --user NAME             user name clients log in with         STRATA_USER      (default strata)
  --password PASSWORD     require this password; without one,   STRATA_PASSWORD
                          any user is trusted (no password)
  --auth METHOD           with a password: scram-sha-256,       STRATA_AUTH      (default scram-sha-256)
                          md5 or password (cleartext)
  --max-connections N     further clients get "too many clients" STRATA_MAX_CONNECTIONS (default 100)
  --log-level LEVEL       error, warn, info or debug            STRATA_LOG_LEVEL (default info)
  (environment only)      STRATA_LOG_AHEAD_ROWS: a COPY writes a table's rows to the log before its
                          commit once this many wait (default 32768; smaller means more, smaller records)
  -h, --help              show this help
  -V, --version           print the version

The database is called "strata". Connect with:
  psql -h 127.0.0.1 -p 5432 -U strata strata
or a connection string: postgresql://strata@127.0.0.1:5432/strata

Stop with Ctrl-C or SIGTERM: new connections are refused, running COPYs get up to 5 s to
finish, then every client is disconnected (FATAL 57P01) and open transactions are rolled back.
`;

class UsageError extends Error {}

function intOption(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < min || n > max) throw new UsageError(`invalid value for --${name}: "${v}" (expected an integer from ${min} to ${max})`);
  return n;
}

export interface CliConfig {
  host: string;
  port: number;
  dataDir: string;
  inMemory: boolean;
  dataNodes: number;
  user: string;
  password?: string;
  auth: 'scram-sha-256' | 'md5' | 'password';
  maxConnections: number;
  logLevel: LogLevel;
  /** rows a table waits with before a COPY logs them ahead of its commit (Durability aheadRows) */
  logAheadRows: number | undefined;
}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliConfig | 'help' | 'version' {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string', short: 'p' },
      'data-dir': { type: 'string', short: 'D' },
      'in-memory': { type: 'boolean' },
      'data-nodes': { type: 'string' },
      user: { type: 'string', short: 'U' },
      password: { type: 'string' },
      auth: { type: 'string' },
      'max-connections': { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'V' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  if (values.version) return 'version';
  const pick = (flag: string | undefined, envName: string, def: string): string => flag ?? (env[envName] || def);
  const auth = pick(values.auth, 'STRATA_AUTH', 'scram-sha-256').toLowerCase();
  if (auth !== 'scram-sha-256' && auth !== 'md5' && auth !== 'password') throw new UsageError(`invalid value for --auth: "${auth}" (expected scram-sha-256, md5 or password)`);
  const logLevel = pick(values['log-level'], 'STRATA_LOG_LEVEL', 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new UsageError(`invalid value for --log-level: "${logLevel}" (expected ${LOG_LEVELS.join(', ')})`);
  const inMemoryEnv = (env.STRATA_IN_MEMORY ?? '').toLowerCase();
  const password = pick(values.password, 'STRATA_PASSWORD', '') || undefined;
  const user = pick(values.user, 'STRATA_USER', 'strata');
  if (!user) throw new UsageError('--user must not be empty');
  return {
    host: pick(values.host, 'STRATA_HOST', '127.0.0.1'),
    port: intOption('port', pick(values.port, 'STRATA_PORT', '5432'), 0, 65535),
    dataDir: pick(values['data-dir'], 'STRATA_DATA_DIR', './strata-data'),
    inMemory: values['in-memory'] ?? ['1', 'true', 'on', 'yes'].includes(inMemoryEnv),
    dataNodes: intOption('data-nodes', pick(values['data-nodes'], 'STRATA_DATA_NODES', '0'), 0, 1024),
    user,
    password,
    auth,
    maxConnections: intOption('max-connections', pick(values['max-connections'], 'STRATA_MAX_CONNECTIONS', '100'), 1, 100_000),
    logLevel,
    logAheadRows: env.STRATA_LOG_AHEAD_ROWS ? intOption('STRATA_LOG_AHEAD_ROWS', env.STRATA_LOG_AHEAD_ROWS, 1, 2 ** 30) : undefined,
  };
}

/**
 * A closed pipe on stdout or stderr (`strata 2>&1 | head`, a supervisor that went away) raises an
 * 'error' on the stream. Unhandled, it became an uncaught exception whose log line went to the same
 * closed pipe and raised the next one: a server spinning a core forever with no client. The server
 * keeps serving; what it would print there is dropped (the logger skips a destroyed stream).
 */
function surviveClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
}

async function main(): Promise<void> {
  let cfg: CliConfig | 'help' | 'version';
  try {
    cfg = parseCli(process.argv.slice(2), process.env);
  } catch (e) {
    process.stderr.write(`strata: ${(e as Error).message}\nTry "strata --help" for the options.\n`);
    process.exit(2);
  }
  if (cfg === 'help') {
    process.stdout.write(HELP);
    return;
  }
  if (cfg === 'version') {
    process.stdout.write(`strata ${VERSION}\n`);
    return;
  }
  surviveClosedOutput();
  const log = createLogger(cfg.logLevel);
  let core: EngineCore | undefined;
  if (!cfg.inMemory) {
    try {
      const durability = Durability.open(cfg.dataDir, { log: (level, message) => log[level](message), aheadRows: cfg.logAheadRows });
      core = new EngineCore({ user: cfg.user, catalog: durability.recoveredCatalog });
      core.durability = durability;
    } catch (e) {
      process.stderr.write(`strata: cannot open data directory "${cfg.dataDir}": ${(e as Error).message}\n`);
      process.exit(1);
    }
  }
  const server = new PgServer({
    core,
    user: cfg.user,
    password: cfg.password,
    auth: cfg.auth,
    maxConnections: cfg.maxConnections,
    dataNodes: cfg.dataNodes,
    dataDir: cfg.inMemory ? undefined : cfg.dataDir,
    logger: log,
  });
  if (cfg.dataNodes > 0) createDataNodes(server, cfg.dataNodes);
  let addr;
  try {
    addr = await server.listen(cfg.port, cfg.host);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'EADDRINUSE' ? 'the address is already in use (another server running? try --port)' : err.code === 'EACCES' ? 'permission denied (ports below 1024 need privileges; try --port)' : err.message;
    process.stderr.write(`strata: could not listen on ${cfg.host}:${cfg.port}: ${why}\n`);
    process.exit(1);
  }
  // signal handlers go in before the start-up line: a supervisor may signal as soon as it reads it
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    log.info(`${signal} received: shutting down (${server.connectionCount} connection(s) open)`);
    server
      .shutdown()
      .then(() => core?.durability?.close())
      .then(
      () => {
        log.info('shutdown complete');
        process.exit(0);
      },
      (e: unknown) => {
        log.error(`shutdown failed: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('uncaughtException', (e) => log.error(`uncaught exception (server keeps running): ${e.stack ?? e.message}`));
  process.on('unhandledRejection', (e) => log.error(`unhandled rejection (server keeps running): ${String(e)}`));
  const recovery = core?.durability?.report;
  if (!recovery) process.stdout.write(`Strata ${VERSION}: running with --in-memory: data is kept in memory only and lost when the server stops.\n`);
  else if (recovery.created) process.stdout.write(`Strata ${VERSION}: new data directory ${core!.durability!.dataDir}\n`);
  else {
    const cut = recovery.cutBytes > 0 ? `; cut ${recovery.cutBytes} bytes of a torn log tail` : '';
    const from = recovery.checkpointLsn === null ? 'no checkpoint' : `checkpoint at WAL position ${recovery.checkpointLsn} (${recovery.checkpointRows} rows)`;
    process.stdout.write(`Strata ${VERSION}: data directory ${core!.durability!.dataDir} recovered in ${Math.round(recovery.millis)} ms: ${from}, ${recovery.records} log records (${(recovery.walBytes / 1048576).toFixed(1)} MiB) replayed${cut}.\n`);
  }
  if (cfg.dataNodes > 0) process.stdout.write(`Strata: ${cfg.dataNodes} in-process data node${cfg.dataNodes > 1 ? 's' : ''} (${Array.from({ length: cfg.dataNodes }, (_, i) => `dn${i + 1}`).join(', ')}) ready for create_distributed_hypertable.\n`);
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const connectHost = cfg.host === '0.0.0.0' || cfg.host === '::' ? '127.0.0.1' : host;
  process.stdout.write(`Strata listening on ${host}:${addr.port} — connect with: psql "postgresql://${encodeURIComponent(cfg.user)}@${connectHost}:${addr.port}/strata"\n`);
  if (cfg.password) log.info(`password authentication (${cfg.auth}) required for user "${cfg.user}"`);
}

/** --data-nodes N: in-process data nodes dn1…dnN, as if add_data_node had been called. */
function createDataNodes(server: PgServer, n: number): void {
  const db = server.core;
  const session = new Session(db, db.allocSessionId());
  try {
    for (let i = 1; i <= n; i++) session.runScript(`SELECT add_data_node('dn${i}', if_not_exists => true)`, () => {});
  } finally {
    session.close();
  }
}

void main();
