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
import { Session } from './session.js';
import { fieldDef, needsCatalog, toJs, toText, type FieldDef } from './results.js';
import { catalogHook } from '../catalog/pg-catalog.js';
import { DatabaseError, toSqlError } from './database-error.js';
import { forEachBatch, providedColumns, type BulkRows } from './bulk-insert.js';

export interface StrataOptions {
  /** settings every new session starts with, e.g. { TimeZone: 'Europe/Berlin' } */
  settings?: Record<string, string>;
  user?: string;
  database?: string;
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

function commandWord(tag: string): string {
  return tag.split(' ')[0]!;
}

export class StrataSession {
  constructor(readonly session: Session) {}

  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>> {
    try {
      return Promise.resolve(this.querySync<R>(sql, params, options));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Synchronous form of query (the engine runs in-process). */
  querySync<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = [], options: QueryOptions = {}): QueryResult<R> {
    if (typeof sql !== 'string') throw new TypeError('query text must be a string');
    const results = this.run(sql, params, options);
    if (results.length === 0) return { command: '', rowCount: null, rows: [], fields: [], oid: null, notices: this.drainNotices() };
    if (results.length > 1) {
      const last = results[results.length - 1]!;
      return last as unknown as QueryResult<R>;
    }
    return results[0] as unknown as QueryResult<R>;
  }

  /** Run a script of one or more statements; returns one result per statement. */
  exec(sql: string, options?: QueryOptions): Promise<QueryResult[]> {
    try {
      return Promise.resolve(this.run(sql, [], options ?? {}));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  private drainNotices(): QueryResult['notices'] {
    return this.session.notices.splice(0).map((n) => ({ severity: n.severity, code: n.code, message: n.message }));
  }

  private run(sql: string, params: readonly unknown[], options: QueryOptions): QueryResult[] {
    const out: QueryResult[] = [];
    try {
      if (params.length > 0) {
        const stmts = this.session.parse(sql);
        if (stmts.length > 1) throw new SqlError(SQLSTATE.syntaxError, 'cannot insert multiple commands into a prepared statement');
        if (stmts.length === 1) out.push(this.format(this.session.runParsed(stmts[0]!, params), options));
      } else {
        this.session.runScript(sql, (r: StatementResult, _s: ParsedStatement) => out.push(this.format(r, options)));
      }
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
      return Promise.resolve(this.insertSync(table, rows));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  insertSync(tableName: string, rows: BulkRows): { rowCount: number } {
    try {
      const core = this.session.core;
      const dot = tableName.indexOf('.');
      const name = { schema: dot > 0 ? tableName.slice(0, dot) : undefined, name: dot > 0 ? tableName.slice(dot + 1) : tableName };
      const table = core.catalog.getTable(name.schema, name.name, this.session.settings.searchPath());
      if (table.kind !== 'table' || !table.store) throw new SqlError(SQLSTATE.wrongObjectType, `cannot insert into "${table.name}"`);
      const provided = providedColumns(table, rows);
      const copy = this.session.beginCopy(name, table.columns.filter((_, i) => provided[i]).map((c) => c.name));
      let count = 0;
      try {
        // batch by batch: a batch's buffers are copied into storage by push() and reused for the next
        forEachBatch(table, rows, this.session.settings.format(), (b) => {
          copy.push({ length: b.length, columns: b.columns.filter((_, i) => provided[i]) });
          count += b.length;
        });
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
  }

  static async create(options: StrataOptions = {}): Promise<Strata> {
    return Strata.createSync(options);
  }

  static createSync(options: StrataOptions = {}): Strata {
    return new Strata(new EngineCore({ user: options.user, database: options.database }), options);
  }

  /** A new independent session (own transaction state and settings) on the same database. */
  connect(settings?: Record<string, string>): StrataSession {
    const s = new Session(this.core, this.core.allocSessionId(), { ...(this.options.settings ?? {}), ...(settings ?? {}) });
    this.core.sessions.add(s);
    return new StrataSession(s);
  }

  override async close(): Promise<void> {
    for (const s of this.core.sessions) s.close();
    this.session.close();
  }
}
