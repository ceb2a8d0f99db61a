/**
 * The start of a connection: SSLRequest / GSSENCRequest (answered 'N': TLS is
 * not offered yet), CancelRequest, the StartupMessage (user, database,
 * `options=-c name=value`, settings such as application_name), the
 * authentication exchange, and the greeting (AuthenticationOk, ParameterStatus…,
 * BackendKeyData, ReadyForQuery).
 */
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { Session } from '../engine/session.js';
import { CANCEL_REQUEST_CODE, GSSENC_REQUEST_CODE, MessageReader, ProtocolError, SSL_REQUEST_CODE } from './messages.js';
import { AUTH_OK, createAuthenticator, type AuthStep } from './auth.js';
import type { Connection } from './connection.js';

/** `-c a=b --x=y` (backslash escapes spaces) → settings. */
export function parseOptions(options: string): [string, string][] {
  const words: string[] = [];
  let cur = '';
  let has = false;
  for (let i = 0; i < options.length; i++) {
    const ch = options[i]!;
    if (ch === '\\' && i + 1 < options.length) {
      cur += options[++i];
      has = true;
    } else if (/\s/.test(ch)) {
      if (has) words.push(cur);
      cur = '';
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (has) words.push(cur);
  const out: [string, string][] = [];
  for (let i = 0; i < words.length; i++) {
    let w = words[i]!;
    if (w === '-c') w = words[++i] ?? '';
    else if (w.startsWith('-c')) w = w.slice(2);
    else if (w.startsWith('--')) w = w.slice(2);
    else continue;
    const eq = w.indexOf('=');
    if (eq > 0) out.push([w.slice(0, eq).replace(/-/g, '_'), w.slice(eq + 1)]);
  }
  return out;
}

/** The first, untyped frame of a connection. */
export function handleStartupFrame(c: Connection, body: Buffer): void {
  if (body.length < 4) throw new ProtocolError('invalid length of startup packet');
  const code = body.readInt32BE(0);
  if (code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE) {
    c.flush();
    c.socket.write('N');
    return;
  }
  if (code === CANCEL_REQUEST_CODE) {
    if (body.length === 12) c.server.cancel(body.readInt32BE(4), body.readInt32BE(8));
    c.closeQuietly();
    return;
  }
  const major = code >>> 16;
  if (major !== 3) {
    c.fatal(new SqlError(SQLSTATE.featureNotSupported, `unsupported frontend protocol ${major}.${code & 0xffff}: server supports 3.0 to 3.0`));
    return;
  }
  const r = new MessageReader(body);
  r.pos = 4;
  const params: Record<string, string> = {};
  while (r.remaining > 0) {
    const k = r.cstring();
    if (k === '') break;
    params[k] = r.cstring();
  }
  c.reader.untyped = false;
  const user = params.user;
  if (!user) return c.fatal(new SqlError(SQLSTATE.invalidAuthorizationSpecification, 'no PostgreSQL user name specified in startup packet'));
  const database = params.database || user;
  if (!c.server.admit(c)) return c.fatal(new SqlError(SQLSTATE.tooManyConnections, 'sorry, too many clients already'));
  if (c.server.shuttingDown) return c.fatal(new SqlError('57P03', 'the database system is shutting down'));
  c.user = user;
  c.database = database;
  c.startupParams = params;
  const cfg = c.server.config;
  c.authenticator = createAuthenticator(cfg.auth, cfg.user, cfg.password ?? '', c.server.scram);
  applyAuthStep(c, c.authenticator.start());
}

/** A PasswordMessage / SASLInitialResponse / SASLResponse during authentication. */
export function handleAuthFrame(c: Connection, type: string, body: Buffer): void {
  if (type !== 'p') throw new ProtocolError(`expected password response, got message type ${type.charCodeAt(0)}`);
  applyAuthStep(c, c.authenticator!.step(body));
}

function applyAuthStep(c: Connection, step: AuthStep): void {
  const cfg = c.server.config;
  if (step.kind === 'send') {
    c.phase = 'auth';
    c.out.authentication(step.code, step.data);
    c.flush();
    return;
  }
  if (step.kind === 'fail' || (cfg.auth !== 'trust' && c.user !== cfg.user)) {
    c.server.log.info(`authentication failed for user "${c.user}" from ${c.remote}${step.kind === 'fail' ? `: ${step.reason}` : ': unknown user'}`);
    c.fatal(new SqlError(SQLSTATE.invalidPassword, `password authentication failed for user "${c.user}"`));
    return;
  }
  // "postgres" always exists on PostgreSQL (psql -U postgres, pgbench and the TimescaleDB docs
  // connect to it without naming a database): it is another name for the one database here
  if (c.database !== cfg.database && c.database !== 'postgres') {
    c.fatal(new SqlError('3D000', `database "${c.database}" does not exist`, { hint: `This Strata server has one database, "${cfg.database}".` }));
    return;
  }
  if (step.final) c.out.authentication(step.final.code, step.final.data);
  c.out.authentication(AUTH_OK);
  startSession(c);
}

const NOT_SETTINGS = new Set(['user', 'database', 'options', 'replication']);

function startSession(c: Connection): void {
  const core = c.server.core;
  const session = new Session(core, core.allocSessionId(), undefined, c.server.config.settings);
  const apply = (name: string, value: string) => {
    try {
      // start values, not SET: RESET in the session returns to them, as in PostgreSQL
      session.settings.setStart(name, value, 'client');
    } catch (e) {
      c.server.log.debug(`connection ${c.pid}: ignoring startup setting ${name}=${value}: ${(e as Error).message}`);
    }
  };
  apply('session_authorization', c.user);
  for (const [k, v] of Object.entries(c.startupParams)) {
    if (NOT_SETTINGS.has(k) || k.startsWith('_pq_.')) continue;
    apply(k, v);
  }
  if (c.startupParams.options) for (const [k, v] of parseOptions(c.startupParams.options)) apply(k, v);
  core.sessions.add(session);
  c.session = session;
  c.phase = 'ready';
  c.reportParams();
  c.enableCancel();
  c.out.backendKeyData(c.pid, c.secret);
  c.server.log.debug(`connection ${c.pid}: user "${c.user}" database "${c.database}" from ${c.remote}`);
  c.readyForQuery();
}
