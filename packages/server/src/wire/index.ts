/** The PostgreSQL wire-protocol server. */
export { PgServer } from './server.js';
export type { PgServerOptions, PgServerConfig } from './server.js';
export type { AuthMethod } from './auth.js';
export { createLogger, type LogLevel, type Logger } from './log.js';
export { SERVER_VERSION } from './connection.js';
