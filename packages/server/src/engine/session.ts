/**
 * A client session: settings, transaction state (idle / in transaction /
 * failed), prepared statements, and the execution of parsed statements.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { T } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import type { EvalContext } from '../../../storage/src/expr/expr.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { parseSql } from '../../../planner/src/parse/index.js';
import type { ParsedStatement, Statement } from '../../../planner/src/parse/ast.js';
import type { TableInfo } from '../../../planner/src/catalog/catalog.js';
import { executeStatement } from '../../../planner/src/statement/execute.js';
import type { ResultSink, StatementResult, StatementSession } from '../../../planner/src/statement/session.js';
import type { PlanNode } from '../../../planner/src/plan/nodes.js';
import type { EngineCore } from './core.js';
import { Settings } from './settings.js';
import { alterStoredSetting, startSettings } from './stored-settings.js';
import { catalogHook } from '../catalog/pg-catalog.js';
import { Transaction } from './transaction.js';
import { convertParams } from './params.js';
import { describeStatement, type StatementDescription } from '../../../planner/src/statement/describe.js';
import type { Batch } from '../../../storage/src/vector.js';
import { compileExpr } from '../../../storage/src/expr/compile.js';
import { defaultExpr, enforceChecks, writableTable } from '../../../planner/src/statement/dml-common.js';
import { writeRows } from '../../../planner/src/hypertable/write.js';
import type { QualifiedName } from '../../../planner/src/parse/ast.js';
import { prepareFastInsertText, type PreparedFastInsert } from '../../../planner/src/ingest/insert-fast.js';

/** An open COPY … FROM STDIN: batches in the order of `columns`, appended inside the session's transaction. */
export interface CopyIn {
  readonly table: TableInfo;
  readonly columns: readonly { name: string; type: SqlType }[];
  /** appends the rows; keeps no array of `batch` (COPY hands them back to the parser for reuse) */
  push(batch: Batch): void;
  /** ends the COPY (commits when it runs in autocommit) and returns the number of rows */
  finish(): number;
  /** abandons the COPY: autocommit → nothing is kept; in a transaction block → the transaction fails */
  abort(): void;
}

export type TransactionStatus = 'I' | 'T' | 'E';

/**
 * PostgreSQL's implicit transaction blocks: the statements of one multi-statement Query message
 * ('script'), or the Executes of the extended protocol up to Sync ('pipeline'), commit together at
 * the end and are rolled back together by an error.
 */
export type ImplicitBlock = 'script' | 'pipeline';

/** Statements PostgreSQL refuses inside a transaction block (PreventInTransactionBlock), by command tag. */
function outsideTransactionOnly(stmt: Statement): string | null {
  if (stmt.kind === 'alter_setting' && stmt.database === null) return 'ALTER SYSTEM';
  if (stmt.kind === 'noop' && (stmt.tag === 'VACUUM' || stmt.tag === 'DISCARD ALL')) return stmt.tag;
  return null;
}

/**
 * A statement that failed after the engine returned (a CHECKPOINT whose files could not be written):
 * an ordinary ERROR for that statement, unlike a failed log flush, which ends the connection.
 */
export class StatementFailure extends Error {
  constructor(readonly error: unknown) {
    super(error instanceof Error ? error.message : String(error));
  }
}

export interface Notice {
  severity: 'NOTICE' | 'WARNING';
  code: string;
  message: string;
}

export class Session {
  readonly settings: Settings;
  private txn: Transaction | null = null;
  /** set while `txn` is an implicit block (explicit: false, lasting beyond one statement) */
  private implicitBlock: ImplicitBlock | null = null;
  readonly notices: Notice[] = [];
  private seed: number | null = null;
  private rngState = 0;
  readonly id: number;
  closed = false;
  /** end LSN of this session's latest logged commit: its reply waits until the log is on disk up to here */
  private commitLsn = 0;
  /** a CHECKPOINT command running in the background: its reply waits for it */
  private pendingCheckpoint: Promise<unknown> | null = null;
  /** set by the wire server: this backend's cancel flag in the postmaster's shared table */
  cancelFlag: Int32Array | undefined;

  /**
   * `initialSettings`: the client's (startup packet / embedding API); `serverSettings`: the server's
   * own settings option. Both sit on top of the ALTER SYSTEM / ALTER DATABASE defaults (stored-settings.ts).
   */
  constructor(readonly core: EngineCore, id: number, initialSettings?: Record<string, string>, serverSettings?: Record<string, string>) {
    this.id = id;
    this.settings = startSettings(core.catalog, core.database, initialSettings, serverSettings);
  }

  /** The transaction open in this session, if any. */
  get openTransaction(): Transaction | null {
    return this.txn;
  }

  private newTransaction(explicit: boolean): Transaction {
    return new Transaction(explicit, this.core.durability, this.settings, this.id);
  }

  private noteCommit(lsn: number): void {
    if (lsn > this.commitLsn) this.commitLsn = lsn;
  }

  /**
   * What a reply must wait for before the client may hear that its statements succeeded: the log
   * flush of its commits (synchronous_commit on; with off, a background flush within 200 ms), and a
   * running CHECKPOINT. Null when nothing is pending. A commit alone may be flushed in place, here
   * (Durability.replyFlush); `yieldAfterInPlaceFlush` then still returns a wait, for a turn of the
   * event loop.
   */
  durabilityWait(opts: { yieldAfterInPlaceFlush?: boolean } = {}): Promise<unknown> | null {
    const d = this.core.durability;
    const checkpoint = this.pendingCheckpoint;
    this.pendingCheckpoint = null;
    if (!d || this.commitLsn <= d.flushedLsn) return checkpoint;
    if ((this.settings.tryGet('synchronous_commit') ?? 'on') === 'off') {
      d.flushSoon();
      return checkpoint;
    }
    const lsn = this.commitLsn;
    let flush = d.replyFlush(lsn, this.id);
    // a failed flush fails the statement whose reply waits for it (58030), once: the log refuses every
    // later write anyway, and this session's reads go on, as other sessions' do
    if (flush) {
      flush = flush.catch((e: unknown) => {
        if (this.commitLsn === lsn) this.commitLsn = 0;
        throw e;
      });
    }
    if (!flush && opts.yieldAfterInPlaceFlush) flush = new Promise<void>((resolve) => setImmediate(resolve));
    if (!flush) return checkpoint;
    return checkpoint ? Promise.all([flush, checkpoint]) : flush;
  }

  /** durabilityWait for synchronous callers (querySync): fdatasync now, without group commit. */
  durabilityWaitSync(): void {
    const d = this.core.durability;
    if (!d || this.commitLsn <= d.flushedLsn) return;
    if ((this.settings.tryGet('synchronous_commit') ?? 'on') === 'off') d.flushSoon();
    else {
      try {
        d.waitDurableSync(this.commitLsn);
      } catch (e) {
        this.commitLsn = 0; // reported once, as in durabilityWait
        throw e;
      }
    }
  }

  private checkpoint(): StatementResult {
    const d = this.core.durability;
    if (d) {
      this.pendingCheckpoint = d.checkpoint().catch((e: unknown) => {
        throw new StatementFailure(e);
      });
    }
    return { command: 'CHECKPOINT', rowCount: null };
  }

  get status(): TransactionStatus {
    if (!this.txn || !this.txn.explicit) return 'I';
    return this.txn.failed ? 'E' : 'T';
  }

  /** Parse a query string into statements (cached by the parser). */
  parse(sql: string): ParsedStatement[] {
    const stmts = parseSql(sql);
    for (const s of stmts) if (s.notices) for (const m of s.notices) this.notice(m, 'NOTICE', SQLSTATE.nameTooLong);
    return stmts;
  }

  /**
   * Run a simple-protocol query string: statements in order; without explicit
   * transaction control they form one implicit transaction, as in PostgreSQL.
   * With a `sink`, queries deliver their batches there as they run (the result says `streamed`).
   */
  runScript(sql: string, onResult: (r: StatementResult, stmt: ParsedStatement) => void, sink?: ResultSink): void {
    // issue 5: a lone INSERT … VALUES of literals is scanned and converted without the parser
    const fast = this.txn?.failed ? undefined : prepareFastInsertText(sql, { catalog: this.core.catalog, searchPath: this.settings.searchPath(), settings: this.settings.format() });
    if (fast) {
      onResult(this.runFastInsert(fast), { text: sql, offset: 0, get statement() { return parseSql(sql)[0]!.statement; } });
      // a Query arriving inside an extended-protocol pipeline commits it, as PostgreSQL's does
      this.endImplicitBlock();
      return;
    }
    let stmts: ParsedStatement[];
    try {
      stmts = this.parse(sql);
    } catch (e) {
      this.failTransaction();
      throw e;
    }
    const block = stmts.length > 1;
    try {
      for (const s of stmts) {
        if (block) this.beginImplicitStatement('script', s.statement);
        onResult(this.runParsed(s, [], undefined, sink), s);
      }
      this.endImplicitBlock();
    } catch (e) {
      this.failTransaction();
      throw e;
    }
  }

  /**
   * Before a statement of an implicit block: opens the block's transaction unless one is open
   * (after a COMMIT or ROLLBACK inside the block, a new one). In a pipeline, a statement that must
   * run outside transactions gets none when it comes first, as PostgreSQL commits it at once.
   */
  beginImplicitStatement(kind: ImplicitBlock, stmt: Statement): void {
    if (this.txn) return;
    if (kind === 'pipeline' && outsideTransactionOnly(stmt)) return;
    this.txn = this.newTransaction(false);
    this.implicitBlock = kind;
  }

  /** End of the Query message or Sync: the implicit block commits (a failed one was rolled back already). */
  endImplicitBlock(): void {
    const t = this.txn;
    if (!t || t.explicit || !this.implicitBlock) return;
    this.txn = null;
    this.implicitBlock = null;
    this.noteCommit(t.commit());
  }

  /**
   * An ERROR, wherever it arose (parse, bind, execution, COPY): an implicit block is rolled back at
   * once, an explicit transaction fails until ROLLBACK — PostgreSQL's AbortCurrentTransaction.
   */
  failTransaction(): void {
    const t = this.txn;
    if (!t) return;
    if (t.explicit) {
      t.failed = true;
      return;
    }
    if (!this.implicitBlock) return; // a single statement's own transaction: its caller rolls it back
    this.txn = null;
    this.implicitBlock = null;
    t.rollback();
  }

  /** PreventInTransactionBlock: 25001 in any transaction block, explicit or implicit. */
  private preventInTransactionBlock(what: string): void {
    if (!this.txn) return;
    if (this.implicitBlock === 'pipeline') throw new SqlError(SQLSTATE.activeSqlTransaction, `${what} cannot be executed within a pipeline`);
    throw new SqlError(SQLSTATE.activeSqlTransaction, `${what} cannot run inside a transaction block`);
  }

  private runFastInsert(fast: PreparedFastInsert): StatementResult {
    try {
      return this.inTransaction((s) => fast.run(s), []);
    } catch (e) {
      this.failTransaction();
      throw e;
    }
  }

  /** Execute one parsed statement with parameters (extended protocol / embedding API). */
  runParsed(ps: ParsedStatement, params: readonly unknown[], paramTypes?: SqlType[], sink?: ResultSink): StatementResult {
    const stmt = ps.statement;
    if (this.txn?.failed && this.txn.explicit) {
      if (stmt.kind === 'transaction' && (stmt.action === 'rollback' || stmt.action === 'commit' || stmt.action === 'rollback_to')) {
        return this.transactionControl(stmt);
      }
      throw new SqlError(SQLSTATE.inFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    try {
      return this.dispatch(stmt, params, paramTypes, sink);
    } catch (e) {
      // AST positions count from the statement's start; clients expect positions in the whole query string
      if (e instanceof SqlError && e.position !== undefined && ps.offset) e.position += ps.offset;
      this.failTransaction();
      throw e;
    }
  }

  private dispatch(stmt: Statement, params: readonly unknown[], paramTypes: SqlType[] | undefined, sink: ResultSink | undefined): StatementResult {
    const outsideOnly = outsideTransactionOnly(stmt);
    if (outsideOnly) this.preventInTransactionBlock(outsideOnly);
    switch (stmt.kind) {
      case 'transaction':
        return this.transactionControl(stmt);
      case 'set':
        return this.set(stmt);
      case 'show':
        return this.show(stmt.name);
      case 'reset':
        if (stmt.name === 'all') {
          for (const [name, previous] of this.settings.resetAll()) this.txn?.settingChanges.record(name, 'set', previous);
        } else this.resetSetting(stmt.name, false);
        return { command: 'RESET', rowCount: null };
      case 'prepare':
      case 'execute':
      case 'deallocate':
        throw new SqlError(SQLSTATE.featureNotSupported, `${stmt.kind.toUpperCase()} is not supported yet`);
      case 'copy':
        throw new SqlError(SQLSTATE.featureNotSupported, 'COPY is only available through the wire protocol');
      case 'checkpoint':
        return this.checkpoint();
      case 'alter_setting':
        // ALTER SYSTEM is not transactional in PostgreSQL (it rewrites postgresql.auto.conf at once): see outsideTransactionOnly
        return this.inTransaction((s) => alterStoredSetting(stmt, { catalog: s.catalog, undo: s.undo, database: this.core.database, current: this.settings }), []);
      case 'call':
      // CALL runs a TimescaleDB procedure inside the statement's transaction (statement/execute.ts)
      default:
        return this.inTransaction((s) => executeStatement(stmt, s, { params: params as readonly Value[], paramTypes, notice: (m) => this.notice(m), sink }), params);
    }
  }

  notice(message: string, severity: Notice['severity'] = 'NOTICE', code = '00000'): void {
    this.notices.push({ severity, code, message });
  }

  private inTransaction(run: (s: StatementSession) => StatementResult, rawParams: readonly unknown[]): StatementResult {
    const autocommit = !this.txn;
    const txn = this.txn ?? this.newTransaction(false);
    if (autocommit) this.txn = txn;
    const statementSession = this.statementSession(txn, rawParams);
    try {
      const result = run(statementSession);
      if (autocommit) {
        this.txn = null;
        this.noteCommit(txn.commit());
      }
      return result;
    } catch (e) {
      if (autocommit) {
        this.txn = null;
        txn.rollback();
      }
      throw e;
    }
  }

  private statementSession(txn: Transaction, rawParams: readonly unknown[]): StatementSession {
    const settings = this.settings.format();
    const statementTime = Date.now() * 1000;
    const timeoutMs = statementTimeoutMs(this.settings.get('statement_timeout'));
    const deadline = timeoutMs > 0 ? statementTime / 1000 + timeoutMs : undefined;
    const core = this.core;
    const self = this;
    return {
      catalog: core.catalog,
      searchPath: this.settings.searchPath(),
      settings,
      read: (s) => txn.read(s),
      write: (s) => txn.write(s),
      undo: txn.undo,
      onCommit: (f) => txn.commitHooks.push(f),
      notice: (m: string) => self.notice(m),
      evalContext(params: readonly Value[], paramTypes?: readonly (SqlType | undefined)[]): EvalContext {
        const values = paramTypes ? convertParams(rawParams, paramTypes, settings) : params;
        return {
          params: values,
          settings,
          deadline,
          cancelFlag: self.cancelFlag,
          statementTime,
          transactionTime: txn.startMicros,
          correlated: [],
          session: {
            random: () => self.random(),
            setSeed: (s: number) => self.setSeed(s),
            getSetting: (n: string) => self.settings.tryGet(n),
            setSetting: (n: string, v: string, local: boolean) => self.setSetting(n, v, local),
            nextval: (seq: string) => core.catalog.nextval(seq),
            currentUser: core.user,
            currentDatabase: core.database,
            catalog: catalogHook(core, self),
          },
        };
      },
      systemRelation: (schema: string | undefined, name: string): { plan: PlanNode; names: string[] } | undefined => core.systemRelation(schema, name, this),
    };
  }

  /** An expression context outside any statement (bulk load defaults). */
  defaultEvalContext(): EvalContext {
    return this.statementSession(this.txn ?? this.newTransaction(false), []).evalContext([]);
  }

  random(): number {
    if (this.seed === null) return Math.random();
    // mulberry32: deterministic after setseed(), like PostgreSQL's per-session PRNG
    this.rngState = (this.rngState + 0x6d2b79f5) | 0;
    let t = this.rngState;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  setSeed(s: number): void {
    if (s < -1 || s > 1) throw new SqlError(SQLSTATE.invalidParameterValue, `setseed parameter ${s} is out of allowed range [-1,1]`);
    this.seed = s;
    this.rngState = Math.floor(s * 2147483647);
  }

  /**
   * SET / SET LOCAL / set_config(). Inside a transaction the change is recorded so that the
   * transaction's end keeps or undoes it (setting-changes.ts); a SET LOCAL outside any transaction
   * would end with its own statement, so it is only validated.
   */
  private setSetting(name: string, value: string, local: boolean): void {
    if (local && !this.txn) {
      Settings.validate(name, value);
      return;
    }
    const previous = this.settings.set(name, value);
    this.txn?.settingChanges.record(Settings.canonical(name), local ? 'local' : 'set', previous);
  }

  /** RESET / SET [LOCAL] … TO DEFAULT. */
  private resetSetting(name: string, local: boolean): void {
    if (local && !this.txn) {
      Settings.checkName(name);
      return;
    }
    const previous = this.settings.reset(name);
    this.txn?.settingChanges.record(Settings.canonical(name), local ? 'local' : 'set', previous);
  }

  private set(stmt: Extract<Statement, { kind: 'set' }>): StatementResult {
    const name = Settings.canonical(stmt.name);
    if (name === 'transaction' || name === 'session characteristics') return { command: 'SET', rowCount: null };
    // PostgreSQL warns outside a transaction block (a pipeline's implicit transaction is none) but still applies it
    if (stmt.local && !this.txn?.explicit && this.implicitBlock !== 'script') {
      this.notice('SET LOCAL can only be used in transaction blocks', 'WARNING', '25P01');
    }
    if (stmt.isDefault) this.resetSetting(name, stmt.local);
    else this.setSetting(name, stmt.values.join(', '), stmt.local);
    return { command: 'SET', rowCount: null };
  }

  private show(name: string): StatementResult {
    if (name === 'all') {
      const rows = this.settings.all().map((s) => [s.name, s.setting, ''] as Value[]);
      return { command: 'SHOW', rowCount: rows.length, columns: [{ name: 'name', type: T.text }, { name: 'setting', type: T.text }, { name: 'description', type: T.text }], rows };
    }
    const value = this.settings.get(name);
    const display = Settings.canonical(name) === 'timezone' ? 'TimeZone' : Settings.canonical(name) === 'datestyle' ? 'DateStyle' : Settings.canonical(name);
    return { command: 'SHOW', rowCount: 1, columns: [{ name: display.toLowerCase() === display ? display : display, type: T.text }], rows: [[value]] };
  }

  private transactionControl(stmt: Extract<Statement, { kind: 'transaction' }>): StatementResult {
    switch (stmt.action) {
      case 'begin':
        if (this.txn?.explicit) {
          this.notice('there is already a transaction in progress', 'WARNING', '25001');
          return { command: 'BEGIN', rowCount: null };
        }
        if (this.txn) {
          // BEGIN inside an implicit block turns it into an explicit transaction, earlier statements included
          (this.txn as { explicit: boolean }).explicit = true;
          this.implicitBlock = null;
          return { command: 'BEGIN', rowCount: null };
        }
        this.txn = this.newTransaction(true);
        return { command: 'BEGIN', rowCount: null };
      case 'commit': {
        const t = this.txn;
        if (!t || !t.explicit) {
          // in an implicit block PostgreSQL warns too, and commits what the block did so far
          this.notice('there is no transaction in progress', 'WARNING', '25P01');
          this.endImplicitBlock();
          return { command: 'COMMIT', rowCount: null };
        }
        this.txn = null;
        if (t.failed) {
          t.rollback();
          return { command: 'ROLLBACK', rowCount: null };
        }
        try {
          this.noteCommit(t.commit());
        } catch (e) {
          t.rollback();
          throw e;
        }
        return { command: 'COMMIT', rowCount: null };
      }
      case 'rollback': {
        const t = this.txn;
        if (!t || !t.explicit) {
          this.notice('there is no transaction in progress', 'WARNING', '25P01');
          if (t && this.implicitBlock) {
            this.txn = null;
            this.implicitBlock = null;
            t.rollback();
          }
          return { command: 'ROLLBACK', rowCount: null };
        }
        this.txn = null;
        t.rollback();
        return { command: 'ROLLBACK', rowCount: null };
      }
      case 'savepoint':
      case 'release':
      case 'rollback_to': {
        const tag = stmt.action === 'savepoint' ? 'SAVEPOINT' : stmt.action === 'release' ? 'RELEASE' : 'ROLLBACK';
        if (!this.txn?.explicit) throw new SqlError(SQLSTATE.noActiveSqlTransaction, `${stmt.action === 'savepoint' ? 'SAVEPOINT' : stmt.action === 'release' ? 'RELEASE SAVEPOINT' : 'ROLLBACK TO SAVEPOINT'} can only be used in transaction blocks`);
        const name = stmt.savepoint ?? '';
        if (stmt.action === 'savepoint') this.txn.savepoint(name);
        else if (stmt.action === 'release') this.txn.release(name);
        else this.txn.rollbackTo(name);
        return { command: tag, rowCount: null };
      }
    }
  }

  /** Parameter types and result columns of a statement, without running it. */
  describe(ps: ParsedStatement, paramTypes: (SqlType | undefined)[] = []): StatementDescription {
    if (this.txn?.failed && this.txn.explicit) {
      throw new SqlError(SQLSTATE.inFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    const txn = this.txn ?? this.newTransaction(false);
    return describeStatement(ps.statement, this.statementSession(txn, []), paramTypes);
  }

  /** Start COPY FROM into a table (columns: the COPY column list, or all). */
  beginCopy(name: QualifiedName, columnNames?: string[]): CopyIn {
    if (this.txn?.failed && this.txn.explicit) {
      throw new SqlError(SQLSTATE.inFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    const autocommit = !this.txn;
    const txn = this.txn ?? this.newTransaction(false);
    if (autocommit) this.txn = txn;
    try {
      const session = this.statementSession(txn, []);
      const table = writableTable(session, name.schema, name.name);
      const idx = (columnNames ?? table.columns.map((c) => c.name)).map((n) => {
        const i = table.columns.findIndex((c) => c.name === n);
        if (i < 0) throw new SqlError(SQLSTATE.undefinedColumn, `column "${n}" of relation "${table.name}" does not exist`);
        return i;
      });
      if (new Set(idx).size !== idx.length) throw new SqlError(SQLSTATE.duplicateColumn, 'column specified more than once');
      const defaults = table.columns.map((c, i) => (idx.includes(i) ? null : compileExpr(defaultExpr(c))));
      let rows = 0;
      let done = false;
      const end = (ok: boolean) => {
        if (done) return;
        done = true;
        if (autocommit) {
          this.txn = null;
          if (ok) this.noteCommit(txn.commit());
          else txn.rollback();
        } else if (!ok && this.txn === txn) this.failTransaction();
      };
      return {
        table,
        columns: idx.map((i) => ({ name: table.columns[i]!.name, type: table.columns[i]!.type })),
        push: (batch: Batch) => {
          if (batch.length === 0) return;
          try {
            const ctx = session.evalContext([]);
            const full: Batch = {
              length: batch.length,
              columns: table.columns.map((_, ci) => {
                const k = idx.indexOf(ci);
                return k >= 0 ? batch.columns[k]! : defaults[ci]!({ length: batch.length, columns: [] }, ctx);
              }),
            };
            enforceChecks(table, full, ctx);
            // the rows of earlier batches go to the log before this one is staged (not this one's: when
            // it is the last, the commit logs it, and a single-batch insert is not logged twice over)
            txn.logAhead();
            writeRows(session, table, full);
            rows += batch.length;
          } catch (e) {
            end(false);
            throw e;
          }
        },
        finish: () => {
          end(true);
          return rows;
        },
        abort: () => end(false),
      };
    } catch (e) {
      if (autocommit) {
        this.txn = null;
        txn.rollback();
      } else this.failTransaction();
      throw e;
    }
  }

  /** End the session: an open transaction is rolled back. */
  close(): void {
    if (this.txn) {
      const t = this.txn;
      this.txn = null;
      this.implicitBlock = null;
      t.rollback();
    }
    this.closed = true;
  }
}

/** statement_timeout as PostgreSQL reads it: a number is milliseconds; units ms, s, min, h, d. */
export function statementTimeoutMs(v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h|d)?\s*$/i.exec(v);
  if (!m) return 0;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  return n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'min' ? 60_000 : unit === 'h' ? 3_600_000 : 86_400_000);
}
