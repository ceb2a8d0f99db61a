/** A tiny levelled logger for the server (stderr by default). */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

export interface Logger {
  error(msg: string): void;
  warn(msg: string): void;
  info(msg: string): void;
  debug(msg: string): void;
  enabled(level: LogLevel): boolean;
}

/** stderr, unless it was closed (a closed pipe destroys it: see the CLI's surviveClosedOutput) */
function stderrSink(line: string): void {
  if (!process.stderr.destroyed) process.stderr.write(`${line}\n`);
}

export function createLogger(level: LogLevel = 'info', sink: (line: string) => void = stderrSink): Logger {
  const max = RANK[level];
  const emit = (l: LogLevel, msg: string) => {
    if (RANK[l] <= max) sink(`${new Date().toISOString()} ${l.toUpperCase().padEnd(5)} ${msg}`);
  };
  return {
    error: (m) => emit('error', m),
    warn: (m) => emit('warn', m),
    info: (m) => emit('info', m),
    debug: (m) => emit('debug', m),
    enabled: (l) => RANK[l] <= max,
  };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {}, enabled: () => false };
