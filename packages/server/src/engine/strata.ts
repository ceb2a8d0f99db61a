/**
 * The embeddable engine: `await Strata.create()` → query / exec / insert /
 * close, with node-postgres-shaped results. Each Strata has a default session;
 * `connect()` opens more (the wire server gives every client its own).
 */
import type { ParsedStatement } from '../../../planner/src/parse/ast.js';
import type { StatementResult } from '../../../planner/src/statement/session.js';
import type { Value } from '../../../storage/src/types/values.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { EngineCore } from './core.js';
import { Session, StatementFailure } from './session.js';
import { fieldDef, needsCatalog, toJs, toText, type FieldDef } from './results.js';
import { catalogHook } from '../catalog/pg-catalog.js';
import { DatabaseError, toSqlError } from './database-error.js';
import { BULK_BATCH_ROWS, DURABLE_BULK_BATCH_ROWS, forEachBatch, scanBulkRows, type BulkRows } from './bulk-insert.js';
import { BulkScratch } from './bulk-scratch.js';
import { Durability, type DurabilityOptions } from './durable/durability.js';

export interface StrataOptions {
  /** settings every new session starts with, e.g. { TimeZone: 'Europe/Berlin' } */
  settings?: Record<string, string>;
  user?: string;
  database?: string;
  /**
   * A data directory: everything committed survives a crash and is there at the next create()
   * (write-ahead log + Arrow IPC checkpoints). Without one the engine keeps data in memory only.
   */
  dataDir?: string;
  /** tuning and fault injection of the data directory (tests) */
  durability?: DurabilityOptions;
}

export type RowMode = 'object' | 'array' | 'text';

export interface QueryOptions {
  /** 'object' (default): rows as { column: value }; 'array': value arrays; 'text': PostgreSQL text output */
  rowMode?: RowMode;
}

export interface QueryResult<R = Record<string, unknown>> {
  command: string;
  rowCount: number | null;
  rows: R[];
  fields: FieldDef[];
  oid: number | null;
  /** NOTICE / WARNING messages raised by the statement */
  notices: { severity: string; code: string; message: string }[];
}

function pickResult<R>(results: QueryResult[], notices: QueryResult['notices']): QueryResult<R> {
  if (results.length === 0) return { command: '', rowCount: null, rows: [], fields: [], oid: null, notices };
  return results[results.length - 1] as unknown as QueryResult<R>;
}

function commandWord(tag: string): string {
  return tag.split(' ')[0]!;
}

export class StrataSession {
  /** conversion buffers of insert(), kept between calls (a load arrives as many calls) */
  private scratch: BulkScratch | null = null;

  constructor(readonly session: Session) {}

  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>> {
    try {
      return this.afterDurable(this.run(sql, params ?? [], options ?? {}, false)).then((results) => pickResult<R>(results, this.drainNotices()));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Resolves with `value` once this session's commits are durable (see Session.durabilityWait). */
  private afterDurable<T>(value: T): Promise<T> {
    // an application awaiting statement after statement still lets its event loop turn between them
    // (checkpoints, timers, I/O), as when every commit waited for the thread pool
    const wait = this.session.durabilityWait({ yieldAfterInPlaceFlush: true });
    if (!wait) return Promise.resolve(value);
    return wait.then(
      () => value,
      (e: unknown) => {
        throw new DatabaseError(toSqlError(e instanceof StatementFailure ? e.error : e));
      },
    );
  }

  /** Synchronous form of query (the engine runs in-process). */
  querySync<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = [], options: QueryOptions = {}): QueryResult<R> {
    return pickResult<R>(this.run(sql, params, options, true), this.drainNotices());
  }

  /** Run a script of one or more statements; returns one result per statement. */
  exec(sql: string, options?: QueryOptions): Promise<QueryResult[]> {
    try {
      return this.afterDurable(this.run(sql, [], options ?? {}, false));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  private drainNotices(): QueryResult['notices'] {
    return this.session.notices.splice(0).map((n) => ({ severity: n.severity, code: n.code, message: n.message }));
  }

  /** `sync`: wait for durability here (fdatasync) — the synchronous API has no other way to. */
  private run(sql: string, params: readonly unknown[], options: QueryOptions, sync: boolean): QueryResult[] {
    if (typeof sql !== 'string') throw new TypeError('query text must be a string');
    const out: QueryResult[] = [];
    try {
      if (params.length > 0) {
        const stmts = this.session.parse(sql);
        if (stmts.length > 1) throw new SqlError(SQLSTATE.syntaxError, 'cannot insert multiple commands into a prepared statement');
        if (stmts.length === 1) out.push(this.format(this.session.runParsed(stmts[0]!, params), options));
      } else {
        this.session.runScript(sql, (r: StatementResult, _s: ParsedStatement) => out.push(this.format(r, options)));
      }
      if (sync) this.session.durabilityWaitSync();
    } catch (e) {
      this.session.notices.length = 0;
      throw new DatabaseError(toSqlError(e));
    }
    return out;
  }

  private format(r: StatementResult, options: QueryOptions): QueryResult {
    const ctx = this.session.settings.format();
    const cols = r.columns ?? [];
    const fields = cols.map(fieldDef);
    const mode = options.rowMode ?? 'object';
    const catalog = cols.some((c) => needsCatalog(c.type)) ? catalogHook(this.session.core, this.session) : undefined;
    const rows: unknown[] = [];
    for (const row of r.rows ?? []) {
      if (mode === 'text') rows.push(row.map((v: Value, i: number) => toText(cols[i]!.type, v, ctx, catalog)));
      else if (mode === 'array') rows.push(row.map((v: Value, i: number) => toJs(cols[i]!.type, v, ctx, catalog)));
      else {
        const o: Record<string, unknown> = {};
        row.forEach((v: Value, i: number) => (o[cols[i]!.name] = toJs(cols[i]!.type, v, ctx, catalog)));
        rows.push(o);
      }
    }
    return { command: commandWord(r.command), rowCount: r.rowCount, rows: rows as Record<string, unknown>[], fields, oid: r.command.startsWith('INSERT') ? 0 : null, notices: this.drainNotices() };
  }

  /** Bulk load rows (arrays in column order, objects by column name, or an Arrow Table). */
  insert(table: string, rows: BulkRows): Promise<{ rowCount: number }> {
    try {
      return this.afterDurable(this.insertRows(table, rows));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  insertSync(tableName: string, rows: BulkRows): { rowCount: number } {
    const result = this.insertRows(tableName, rows);
    try {
      this.session.durabilityWaitSync();
    } catch (e) {
      throw new DatabaseError(toSqlError(e));
    }
    return result;
  }

  private insertRows(tableName: string, rows: BulkRows): { rowCount: number } {
    try {
      const core = this.session.core;
      const dot = tableName.indexOf('.');
      const name = { schema: dot > 0 ? tableName.slice(0, dot) : undefined, name: dot > 0 ? tableName.slice(dot + 1) : tableName };
      const table = core.catalog.getTable(name.schema, name.name, this.session.settings.searchPath());
      if (table.kind !== 'table' || !table.store) throw new SqlError(SQLSTATE.wrongObjectType, `cannot insert into "${table.name}"`);
      const input = scanBulkRows(table, rows);
      const provided = input.provided;
      const copy = this.session.beginCopy(name, table.columns.filter((_, i) => provided[i]).map((c) => c.name));
      let count = 0;
      try {
        // batch by batch: a batch's buffers are copied into storage by push() and reused for the next
        forEachBatch(table, input, this.session.settings.format(), (b) => {
          copy.push({ length: b.length, columns: b.columns.filter((_, i) => provided[i]) });
          count += b.length;
        }, (this.scratch ??= new BulkScratch()), core.durability ? DURABLE_BULK_BATCH_ROWS : BULK_BATCH_ROWS);
      } catch (e) {
        copy.abort();
        throw e;
      }
      copy.finish();
      return { rowCount: count };
    } catch (e) {
      throw new DatabaseError(toSqlError(e));
    }
  }

  close(): void {
    this.session.close();
  }
}

export class Strata extends StrataSession {
  private constructor(readonly core: EngineCore, private readonly options: StrataOptions) {
    super(new Session(core, core.allocSessionId(), options.settings));
    core.sessions.add(this.session);
  }

  static async create(options: StrataOptions = {}): Promise<Strata> {
    return Strata.createSync(options);
  }

  static createSync(options: StrataOptions = {}): Strata {
    if (options.dataDir === undefined) return new Strata(new EngineCore({ user: options.user, database: options.database }), options);
    let durability: Durability;
    try {
      durability = Durability.open(options.dataDir, options.durability);
    } catch (e) {
      throw new DatabaseError(toSqlError(e));
    }
    const core = new EngineCore({ user: options.user, database: options.database, catalog: durability.recoveredCatalog });
    core.durability = durability;
    return new Strata(core, options);
  }

  /** What opening the data directory found and replayed (null in memory). */
  get recovery(): Durability['report'] | null {
    return this.core.durability?.report ?? null;
  }

  /** A new independent session (own transaction state and settings) on the same database. */
  connect(settings?: Record<string, string>): StrataSession {
    const s = new Session(this.core, this.core.allocSessionId(), { ...(this.options.settings ?? {}), ...(settings ?? {}) });
    this.core.sessions.add(s);
    return new StrataSession(s);
  }

  /** Rolls back open transactions; with a data directory, writes a final checkpoint and unlocks it. */
  override async close(): Promise<void> {
    for (const s of this.core.sessions) s.close();
    this.session.close();
    await this.core.durability?.close();
  }
}
