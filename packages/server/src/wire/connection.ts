/**
 * One client connection: reads frames, drives the session, writes responses.
 *
 * Everything runs synchronously on the event loop (the engine is in-process
 * and synchronous): a frame is handled completely before the next is read.
 * Output is buffered and written at ReadyForQuery, Flush, copy responses and
 * every 256 kB; when the socket's send buffer grows past 8 MB, reading pauses
 * until it drains. No exception escapes a handler: SQL errors become
 * ErrorResponse, framing errors close this connection only (08P01).
 */
import type { Socket } from 'node:net';
import { randomInt } from 'node:crypto';
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import { formatText } from '../../../storage/src/types/text-io.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import type { ParsedStatement } from '../../../planner/src/parse/ast.js';
import type { ResultColumn, StatementResult } from '../../../planner/src/statement/session.js';
import { StatementFailure, type Session } from '../engine/session.js';
import { fieldDef, needsCatalog, outputText } from '../engine/results.js';
import { catalogHook } from '../catalog/pg-catalog.js';
import { toSqlError } from '../engine/database-error.js';
import { BackendWriter, FrameReader, InvalidUtf8Error, MessageReader, ProtocolError, type Frame } from './messages.js';
import type { Authenticator } from './auth.js';
import { encodeBinary } from './binary.js';
import { batchDataRows } from './data-rows.js';
import { StreamedResult } from './results.js';
import { DEFER_AT, OutputBacklog } from './output-backlog.js';
import { sliceVector, type Batch } from '../../../storage/src/vector.js';
import { handleAuthFrame, handleStartupFrame } from './startup.js';
import { formatOf, handleBind, handleClose, handleDescribe, handleExecute, handleParse, type Portal, type PreparedStatement } from './extended.js';
import { abortCopy, runCopy, type CopyInState } from './copy.js';
import type { WhereError } from './copy-in.js';
import type { CopyFeedHooks } from './copy-feed.js';
import type { PgServer } from './server.js';

const FLUSH_AT = 256 * 1024;
const PAUSE_AT = 8 * 1024 * 1024;
/** How long a connection ended with output still queued may take to send it. */
const CLOSE_DRAIN_MS = 10_000;
/** Rows a streamed batch is formatted in before the socket's queue is looked at again. */
const STREAM_SLICE_ROWS = 2048;

export const SERVER_VERSION = '15.0 (Strata 0.1.0)';

/** Settings PostgreSQL reports with ParameterStatus (at start-up and when they change). */
const REPORTED = ['application_name', 'client_encoding', 'DateStyle', 'IntervalStyle', 'TimeZone', 'integer_datetimes', 'is_superuser', 'server_encoding', 'session_authorization', 'standard_conforming_strings'];

const MIN_MESSAGES = ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'log', 'notice', 'warning', 'error'];

let nextPid = 1000 + (process.pid % 1000) * 1000;

export class Connection {
  readonly pid = nextPid++;
  readonly secret = randomInt(-0x80000000, 0x7fffffff);
  readonly out = new BackendWriter();
  /** a simple query's rows, sent as they are produced (wire/results.ts) */
  private readonly streamed = new StreamedResult(this);
  readonly reader = new FrameReader();
  readonly remote: string;
  phase: 'startup' | 'auth' | 'ready' | 'closed' = 'startup';
  session: Session | null = null;
  authenticator: Authenticator | null = null;
  user = '';
  database = '';
  startupParams: Record<string, string> = {};
  readonly stmts = new Map<string, PreparedStatement>();
  readonly portals = new Map<string, Portal>();
  copyIn: CopyInState | null = null;
  /** after an error in an extended-protocol message: ignore everything until Sync */
  skipUntilSync = false;
  /** an extended-protocol exchange is open (messages since the last Sync) */
  inExtendedBatch = false;
  /**
   * Set by the cancel relay thread when a CancelRequest names this backend: its
   * cell in the shared BackendTable once registered (enableCancel), a private
   * cell before. Checked by the running statement (EvalContext) and by COPY.
   */
  private cancelFlag: Int32Array = new Int32Array(1);
  private cancelSlot = -1;
  /** counted against --max-connections */
  admitted = false;
  private continuation: (() => void) | null = null;
  private readonly reported = new Map<string, string>();
  private paused = false;
  /** output held back until this session's commits are on disk (see flush) */
  private holding = false;
  private held: Buffer[] = [];
  /** a large result's rows and what follows them, written as the client reads (output-backlog.ts) */
  private backlog: OutputBacklog | null = null;
  private terminateWhenIdle = false;
  /** COPY FROM: frames wait while the parse thread catches up (copyHold) or finishes (copyWaiting). */
  private copyHold = false;
  private copyWaiting = false;
  private inProcess = false;
  /** How a COPY's parse thread reaches this connection (copy-feed.ts). */
  readonly copyHooks: CopyFeedHooks = {
    failed: (e) => {
      if (this.copyIn) this.copyFailed(this.copyIn, e);
      this.resumeFrames();
    },
    pause: () => {
      this.copyHold = true;
      this.socket.pause();
    },
    resume: () => {
      this.copyHold = false;
      if (!this.paused) this.socket.resume();
      this.resumeFrames();
    },
  };

  /** `remote`: the client's address for the logs (default: the socket's peer) */
  constructor(readonly socket: Socket, readonly server: PgServer, remote?: string) {
    this.remote = remote ?? `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.reader.push(chunk);
      this.process();
    });
    socket.on('error', (e) => {
      server.log.debug(`connection ${this.pid}: socket error: ${e.message}`);
      this.cleanup();
    });
    socket.on('close', () => this.cleanup());
    socket.on('drain', () => {
      if (this.backlog !== null) return this.pumpBacklog();
      if (!this.paused || this.holding) return;
      this.paused = false;
      socket.resume();
      this.process();
    });
  }

  /** True between statements (no COPY, no open extended exchange). */
  get idle(): boolean {
    return this.phase !== 'ready' || (!this.copyIn && !this.inExtendedBatch && this.backlog === null);
  }

  /** Handle the frames that waited (not from inside process(): the loop there picks them up). */
  private resumeFrames(): void {
    if (!this.inProcess) this.process();
  }

  private process(): void {
    this.inProcess = true;
    try {
      this.processFrames();
    } finally {
      this.inProcess = false;
    }
    if (this.copyHold && this.phase !== 'closed') this.socket.pause();
    if (this.backlog !== null) {
      this.socket.pause();
      this.pumpBacklog();
    }
  }

  private processFrames(): void {
    while (!this.paused && !this.copyHold && !this.copyWaiting && this.backlog === null && this.phase !== 'closed') {
      let frame: Frame | null;
      try {
        frame = this.reader.next();
      } catch (e) {
        this.protocolViolation((e as Error).message);
        return;
      }
      if (!frame) break;
      this.handle(frame);
      if (this.socket.writableLength > PAUSE_AT && (this.phase as string) !== 'closed') {
        this.flush();
        this.paused = true;
        this.socket.pause();
      }
    }
    this.flush();
  }

  /** Format and write the backlog while the socket has room; once it is gone, read frames again. */
  private pumpBacklog(): void {
    const backlog = this.backlog;
    if (backlog === null || this.inProcess) return;
    if (this.socket.destroyed) {
      this.backlog = null;
      return;
    }
    let done: boolean;
    try {
      done = backlog.pump(this.socket, this.out, FLUSH_AT, this.writeTaken);
    } catch (e) {
      // the statement has ended and its rows are partly sent: nothing the client could tell apart remains
      this.backlog = null;
      this.out.take();
      this.logInternal(e);
      return this.fatal(new SqlError(SQLSTATE.internalError, `could not send the rows of a result: ${(e as Error).message}`));
    }
    if (!done) return; // 'drain' pumps again
    this.backlog = null;
    if (this.phase === 'closed') return;
    if (this.terminateWhenIdle && this.idle) return this.adminShutdown();
    if (this.paused && !this.holding && this.socket.writableLength <= PAUSE_AT) this.paused = false;
    if (!this.paused && !this.copyHold) this.socket.resume();
    this.process();
  }

  private handle(frame: Frame): void {
    try {
      if (this.phase === 'startup') return handleStartupFrame(this, frame.body);
      if (this.phase === 'auth') return handleAuthFrame(this, frame.type, frame.body);
      if (this.phase !== 'ready') return;
      if (this.copyIn) return this.copyMessage(frame);
      if (this.skipUntilSync) {
        if (frame.type === 'S') {
          this.skipUntilSync = false;
          this.sync();
        } else if (frame.type === 'X') this.terminate();
        return;
      }
      this.dispatch(frame);
    } catch (e) {
      if (e instanceof ProtocolError) return this.protocolViolation(e.message);
      if (this.phase !== 'ready') {
        const err = toSqlError(e instanceof InvalidUtf8Error ? utf8Error(e) : e);
        if (err.code === SQLSTATE.internalError) this.logInternal(e);
        return this.fatal(err.code === SQLSTATE.internalError ? new SqlError(SQLSTATE.protocolViolation, err.message) : err);
      }
      this.sendError(e);
      if ('PBDECH'.includes(frame.type)) this.skipUntilSync = true;
      else if (frame.type === 'Q' || frame.type === 'S' || frame.type === 'F') this.readyForQuery();
    }
  }

  private dispatch(frame: Frame): void {
    const { type, body } = frame;
    switch (type) {
      case 'Q':
        return this.simpleQuery(body);
      case 'P':
        this.inExtendedBatch = true;
        return handleParse(this, body);
      case 'B':
        this.inExtendedBatch = true;
        return handleBind(this, body);
      case 'D':
        this.inExtendedBatch = true;
        return handleDescribe(this, body);
      case 'E':
        this.inExtendedBatch = true;
        this.cancelRequested = false;
        return handleExecute(this, body);
      case 'C':
        this.inExtendedBatch = true;
        return handleClose(this, body);
      case 'S':
        return this.sync();
      case 'H':
        return this.flush();
      case 'X':
        return this.terminate();
      case 'd':
      case 'c':
      case 'f':
        return; // leftovers of a failed COPY: ignored, as PostgreSQL does
      case 'F':
        throw new SqlError(SQLSTATE.featureNotSupported, 'function call messages are not supported');
      default:
        throw new ProtocolError(`invalid frontend message type ${type.charCodeAt(0)}`);
    }
  }

  // ---- simple query ------------------------------------------------------------

  private simpleQuery(body: Buffer): void {
    const sql = new MessageReader(body).cstring();
    const session = this.session!;
    this.cancelRequested = false;
    this.stmts.delete('');
    this.portals.delete('');
    // only a string that can contain COPY needs the statement list up front; the rest goes
    // straight to runScript, whose INSERT fast path then skips the parser entirely
    if (!/copy/i.test(sql)) {
      let results = 0;
      try {
        session.runScript(sql, (r) => {
          results++;
          this.sendResult(r);
        }, this.streamed);
        if (results === 0) this.out.emptyQueryResponse();
      } catch (e) {
        this.streamed.finish();
        this.sendError(e);
      }
      return this.readyForQuery();
    }
    let stmts: ParsedStatement[];
    try {
      stmts = session.parse(sql);
    } catch (e) {
      this.sendError(e);
      return this.readyForQuery();
    }
    if (stmts.length === 0) {
      this.out.emptyQueryResponse();
      return this.readyForQuery();
    }
    if (!stmts.some((s) => s.statement.kind === 'copy')) {
      try {
        session.runScript(sql, (r) => this.sendResult(r), this.streamed);
      } catch (e) {
        this.streamed.finish();
        this.sendError(e);
      }
      return this.readyForQuery();
    }
    this.runSequence(stmts, 0);
  }

  /**
   * Statements one by one (a script with COPY): COPY FROM pauses the sequence until CopyDone.
   * Several statements form one implicit transaction, committed at the end, as in runScript.
   */
  private runSequence(stmts: ParsedStatement[], from: number): void {
    const session = this.session!;
    for (let i = from; i < stmts.length; i++) {
      const ps = stmts[i]!;
      try {
        if (stmts.length > 1) session.beginImplicitStatement('script', ps.statement);
        if (ps.statement.kind === 'copy') {
          if (runCopy(this, ps, false) === 'in') {
            this.continuation = () => this.runSequence(stmts, i + 1);
            return;
          }
        } else this.sendResult(this.session!.runParsed(ps, []));
      } catch (e) {
        this.sendError(e);
        return this.readyForQuery();
      }
    }
    try {
      session.endImplicitBlock();
    } catch (e) {
      this.sendError(e);
    }
    this.readyForQuery();
  }

  private copyMessage(frame: Frame): void {
    const state = this.copyIn!;
    try {
      switch (frame.type) {
        case 'd':
          if (this.cancelRequested) throw new SqlError(SQLSTATE.queryCanceled, 'canceling statement due to user request');
          state.parser.write(frame.body);
          return;
        case 'c': {
          // with the parse thread, the last rows arrive later: frames after CopyDone wait for them
          this.copyWaiting = true;
          state.parser.end((err) => {
            this.copyWaiting = false;
            if (err === null) this.copyDone(state);
            else if (this.copyIn === state) this.copyFailed(state, err);
            this.resumeFrames();
          });
          return;
        }
        case 'f': {
          const msg = new MessageReader(frame.body).cstring();
          throw new SqlError(SQLSTATE.queryCanceled, `COPY from stdin failed: ${msg}`);
        }
        case 'H':
        case 'S':
          return;
        default:
          throw new SqlError(SQLSTATE.protocolViolation, `unexpected message type 0x${frame.type.charCodeAt(0).toString(16).padStart(2, '0')} during COPY from stdin`);
      }
    } catch (e) {
      this.copyFailed(state, e);
    }
  }

  /** Every row is in: commit (autocommit) and report, then go on with the rest of the query string. */
  private copyDone(state: CopyInState): void {
    let n: number;
    try {
      n = state.copy.finish();
    } catch (e) {
      return this.copyFailed(state, e);
    }
    this.copyIn = null;
    this.sendNotices();
    this.out.commandComplete(`COPY ${n}`);
    if (!state.extended) {
      const cont = this.continuation;
      this.continuation = null;
      if (cont) cont();
      else this.readyForQuery();
    }
  }

  private copyFailed(state: CopyInState, e: unknown): void {
    // a malformed CopyFail is an ERROR (08P01) ending the COPY, as PostgreSQL's pq_getmsgstring raises it
    const err = abortCopy(state, e instanceof InvalidUtf8Error ? utf8Error(e) : e instanceof ProtocolError ? new SqlError(SQLSTATE.protocolViolation, e.message) : e);
    this.copyIn = null;
    this.continuation = null;
    this.copyHold = false;
    this.copyWaiting = false;
    if (!this.paused) this.socket.resume();
    this.sendError(err);
    if (state.extended) this.skipUntilSync = true;
    else this.readyForQuery();
  }

  // ---- output --------------------------------------------------------------------

  sendResult(r: StatementResult): void {
    this.sendNotices();
    if (r.streamed) {
      if (!this.streamed.finish() && r.columns) this.out.rowDescription(r.columns.map(fieldDef), []);
    } else if (r.columns) {
      this.out.rowDescription(r.columns.map(fieldDef), []);
      if (r.batches) this.writeBatches(r.columns, r.batches, []);
      else {
        const rows = r.rows ?? [];
        this.writeRows(r.columns, rows, 0, rows.length, []);
      }
    }
    this.out.commandComplete(r.command);
    this.reportParams();
  }

  /**
   * DataRows of a result's batches (wire/data-rows.ts): formatted now, slice by slice, until the
   * socket is backed up; from there on kept in the backlog (output-backlog.ts) and formatted as
   * the client reads. Not while replies are held for durability: those wait for a sync, not
   * for the client, and leave together.
   */
  writeBatches(columns: readonly ResultColumn[], batches: readonly Batch[], formats: readonly number[]): void {
    const types = columns.map((c) => c.type);
    const catalog = types.some(needsCatalog) ? catalogHook(this.session!.core, this.session!) : undefined;
    const binary = columns.map((_, i) => formatOf(formats, i) === 1);
    const ctx = this.session!.settings.format();
    const flush = () => this.flush();
    for (let i = 0; i < batches.length; i++) {
      const batch = batches[i]!;
      let from = 0;
      if (this.backlog === null) {
        const rows = batchDataRows(this.out, types, batch, binary, ctx, catalog);
        while (from < batch.length) {
          if (!this.holding && this.socket.writableLength + this.out.size >= DEFER_AT) {
            this.flush();
            if (!this.holding) {
              this.backlog = new OutputBacklog();
              break;
            }
          }
          const to = Math.min(batch.length, from + STREAM_SLICE_ROWS);
          rows(from, to, FLUSH_AT, flush);
          from = to;
        }
        if (from === batch.length) continue;
      }
      this.flush(); // what was written since (a RowDescription, an earlier CommandComplete) goes first
      const backlog = this.backlog!;
      backlog.pushRows(types, binary, ctx, catalog, from === 0 ? batch : sliceBatch(batch, from, batch.length));
      for (let j = i + 1; j < batches.length; j++) backlog.pushRows(types, binary, ctx, catalog, batches[j]!);
      return;
    }
  }

  writeRows(columns: readonly ResultColumn[], rows: readonly Value[][], from: number, to: number, formats: readonly number[]): void {
    const ctx = this.session!.settings.format();
    const nc = columns.length;
    const types: SqlType[] = columns.map((c) => c.type);
    const binary = columns.map((_, i) => formatOf(formats, i) === 1);
    // regclass/regnamespace text output names OIDs through the session's catalog (engine/results.ts)
    const catalog = types.some(needsCatalog) ? catalogHook(this.session!.core, this.session!) : undefined;
    const out = this.out;
    // consecutive rows often repeat a value (a time-major scan's timestamps, a group's key): its text is made once
    const lastValue: Value[] = new Array<Value>(nc).fill(null);
    const lastText: string[] = new Array<string>(nc).fill('');
    for (let r = from; r < to; r++) {
      const row = rows[r]!;
      out.begin('D').int16(nc);
      for (let k = 0; k < nc; k++) {
        const v = row[k] ?? null;
        if (v === null) out.int32(-1);
        else if (binary[k]) {
          const b = encodeBinary(types[k]!, v, ctx);
          out.int32(b.length).bytes(b);
        } else {
          if (!Object.is(v, lastValue[k])) {
            lastValue[k] = v;
            lastText[k] = catalog ? outputText(types[k]!, v, ctx, catalog) : formatText(types[k]!, v, ctx);
          }
          out.lenText(lastText[k]!);
        }
      }
      out.end();
      if (out.size >= FLUSH_AT) this.flush();
    }
  }

  sendNotices(): void {
    const session = this.session;
    if (!session || session.notices.length === 0) return;
    const min = MIN_MESSAGES.indexOf(session.settings.tryGet('client_min_messages') ?? 'notice');
    for (const n of session.notices.splice(0)) {
      if (MIN_MESSAGES.indexOf(n.severity.toLowerCase()) >= min) this.out.notice(n.severity, n.code, n.message);
    }
  }

  sendError(e: unknown): void {
    const err: WhereError = toSqlError(e instanceof InvalidUtf8Error ? utf8Error(e) : e);
    if (err.code === SQLSTATE.internalError) this.logInternal(e);
    // every ERROR aborts the transaction, whichever message it came from (parse, bind, COPY data…)
    this.session?.failTransaction();
    this.sendNotices();
    this.out.errorResponse(err, { where: err.where, severity: err.severity === 'FATAL' || err.severity === 'PANIC' ? 'ERROR' : undefined });
    this.reportParams();
  }

  private logInternal(e: unknown): void {
    this.server.log.error(`connection ${this.pid}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }

  /** ParameterStatus for every reported setting whose value changed (all of them the first time). */
  reportParams(): void {
    const session = this.session;
    if (!session) return;
    const send = (name: string, value: string) => {
      if (this.reported.get(name) === value) return;
      this.reported.set(name, value);
      this.out.parameterStatus(name, value);
    };
    send('server_version', SERVER_VERSION);
    for (const name of REPORTED) send(name, session.settings.tryGet(name) ?? '');
  }

  readyForQuery(): void {
    this.reportParams();
    this.inExtendedBatch = false;
    this.out.readyForQuery(this.session?.status ?? 'I');
    this.flush();
    if (this.terminateWhenIdle && this.backlog === null) this.adminShutdown();
  }

  /** Sync ends the pipeline: its implicit transaction commits (an error here is reported before ReadyForQuery). */
  private sync(): void {
    const session = this.session!;
    try {
      session.endImplicitBlock();
    } finally {
      if (session.status === 'I') this.portals.clear();
    }
    this.readyForQuery();
  }

  maybeFlush(): void {
    if (this.out.size >= FLUSH_AT) this.flush();
  }

  /**
   * Writes buffered output — unless the session has commits not yet on disk: then the output is
   * held (and reading paused) until the log flush completes, so no client hears that a commit
   * succeeded before it is durable. Sessions flushing at the same time share one fdatasync.
   */
  flush(): void {
    if (this.phase === 'closed' || this.socket.destroyed) {
      if (this.phase === 'closed') this.out.take();
      return;
    }
    if (this.holding) {
      if (this.out.size > 0) this.held.push(this.out.take());
      return;
    }
    const wait = this.session?.durabilityWait() ?? null;
    if (wait) {
      if (this.out.size > 0) this.held.push(this.out.take());
      this.holding = true;
      this.paused = true;
      this.socket.pause();
      wait.then(
        () => this.releaseHeld(),
        (e: unknown) => this.durabilityFailed(e),
      );
      return;
    }
    if (this.out.size === 0) return;
    this.sendBytes(this.out.take());
  }

  /** Bytes to the client, behind a backlog when there is one. */
  private sendBytes(b: Buffer): void {
    if (this.backlog !== null) this.backlog.pushBytes(b);
    else this.writeTaken(b);
  }

  /** Bytes from `out.take()` to the socket; their buffer goes back to `out` once written. */
  private readonly writeTaken = (b: Buffer): void => {
    this.socket.write(b, () => this.out.recycle(b));
  };

  private releaseHeld(): void {
    this.holding = false;
    const held = this.held;
    this.held = [];
    if (this.phase === 'closed' || this.socket.destroyed) return;
    for (const b of held) this.sendBytes(b);
    this.paused = false;
    this.socket.resume();
    this.process();
  }

  /** The log could not be flushed: the client must not hear "success"; the connection ends (PostgreSQL would PANIC). */
  private durabilityFailed(e: unknown): void {
    this.holding = false;
    this.held = [];
    this.out.take();
    if (e instanceof StatementFailure) {
      // the held replies are replaced by the statement's ERROR; the session carries on
      if (this.phase === 'closed' || this.socket.destroyed) return;
      this.sendError(e.error);
      this.paused = false;
      this.socket.resume();
      this.readyForQuery();
      this.process();
      return;
    }
    const err = toSqlError(e);
    this.server.log.error(`connection ${this.pid}: ${err.message}`);
    this.fatal(err.code === SQLSTATE.internalError ? new SqlError(SQLSTATE.ioError, err.message) : err);
  }

  // ---- ending ----------------------------------------------------------------------

  /** FATAL error, then close (start-up and authentication failures, shutdown). */
  fatal(e: SqlError): void {
    if (this.phase === 'closed') return;
    this.out.errorResponse(e, { severity: 'FATAL' });
    this.flush();
    this.phase = 'closed';
    this.socket.end();
    this.cleanup();
  }

  private protocolViolation(message: string): void {
    this.server.log.info(`connection ${this.pid} from ${this.remote}: protocol violation: ${message}`);
    this.fatal(new SqlError(SQLSTATE.protocolViolation, message));
  }

  closeQuietly(): void {
    this.phase = 'closed';
    this.socket.end();
    this.cleanup();
  }

  private terminate(): void {
    this.closeQuietly();
  }

  /** A CancelRequest arrived for the running statement (or, harmlessly, while idle). */
  get cancelRequested(): boolean {
    return Atomics.load(this.cancelFlag, 0) !== 0;
  }

  /** Cleared when a statement starts: a cancel only hits the statement it arrived during. */
  set cancelRequested(requested: boolean) {
    Atomics.store(this.cancelFlag, 0, requested ? 1 : 0);
  }

  /** At BackendKeyData: a slot in the shared BackendTable makes this backend cancellable. */
  enableCancel(): void {
    const slot = this.server.backends.register(this.pid, this.secret);
    if (slot < 0) return;
    this.cancelSlot = slot;
    this.cancelFlag = this.server.backends.cancelFlag(slot);
    if (this.session) this.session.cancelFlag = this.cancelFlag;
  }

  /** Server shutdown: close now if idle, else once the running COPY / extended exchange ends. */
  shutdown(): void {
    if (this.phase === 'closed') return;
    if (this.idle) this.adminShutdown();
    else this.terminateWhenIdle = true;
  }

  adminShutdown(): void {
    this.fatal(new SqlError(SQLSTATE.adminShutdown, 'terminating connection due to administrator command'));
  }

  private cleaned = false;

  /** Release everything: an open COPY is abandoned and an open transaction rolled back. */
  cleanup(): void {
    if (this.cleaned) return;
    this.cleaned = true;
    this.phase = 'closed';
    this.backlog = null;
    if (this.copyIn) {
      abortCopy(this.copyIn, new SqlError('08006', 'connection closed during COPY'));
      this.copyIn = null;
    }
    const session = this.session;
    if (session) {
      try {
        session.close();
      } catch (e) {
        this.logInternal(e);
      }
      this.server.core.sessions.delete(session);
      this.session = null;
    }
    if (this.cancelSlot >= 0) {
      this.server.backends.release(this.cancelSlot);
      this.cancelSlot = -1;
      this.cancelFlag = new Int32Array(1);
    }
    if (!this.socket.destroyed) {
      // ended (a FATAL) with output still queued, e.g. the end of a result held for a slow client:
      // it leaves before the FIN, unless the client stops reading altogether
      if (this.socket.writableEnded && this.socket.writableLength > 0) setTimeout(() => this.socket.destroy(), CLOSE_DRAIN_MS).unref();
      else this.socket.destroy();
    }
    this.server.release(this);
  }
}

function utf8Error(e: InvalidUtf8Error): SqlError {
  const bad = [...e.bytes].find((b) => b > 0x7f) ?? 0;
  return new SqlError(SQLSTATE.characterNotInRepertoire, `invalid byte sequence for encoding "UTF8": 0x${bad.toString(16).padStart(2, '0')}`);
}

function sliceBatch(b: Batch, from: number, to: number): Batch {
  return { length: to - from, columns: b.columns.map((v) => sliceVector(v, from, to)) };
}
