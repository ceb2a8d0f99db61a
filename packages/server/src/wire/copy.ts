/**
 * COPY through the wire protocol: `COPY t [(cols)] FROM STDIN` enters
 * copy-in mode (CopyInResponse, then CopyData… CopyDone / CopyFail handled by
 * the connection), `COPY t | (SELECT …) TO STDOUT` streams CopyData.
 * COPY to or from server files is refused (use psql's \copy).
 */
import type { CopyStmt, ParsedStatement } from '../../../planner/src/parse/ast.js';
import type { StatementResult } from '../../../planner/src/statement/session.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import type { CopyIn } from '../engine/session.js';
import type { Batch } from '../../../storage/src/vector.js';
import { toSqlError } from '../engine/database-error.js';
import { copyOptions } from './copy-options.js';
import { CopyFromParser, type WhereError } from './copy-in.js';
import { CopyFeed } from './copy-feed.js';
import { copyOut } from './copy-out.js';
import type { Connection } from './connection.js';

export interface CopyInState {
  /** the inline parser, or the parse thread once the COPY is large */
  parser: CopyFeed;
  copy: CopyIn;
  extended: boolean;
  table: string;
}

function quoteIdent(s: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`;
}

/** Start a COPY statement: 'in' when the connection is now in copy-in mode, 'done' when finished. */
export function runCopy(c: Connection, ps: ParsedStatement, extended: boolean): 'in' | 'done' {
  const stmt = ps.statement as CopyStmt;
  const session = c.session!;
  if (typeof stmt.target === 'object') {
    throw new SqlError(SQLSTATE.insufficientPrivilege, `COPY ${stmt.direction === 'from' ? 'from' : 'to'} a file is not supported by Strata`, {
      hint: 'Use COPY … FROM STDIN / TO STDOUT; psql\'s \\copy does that for you.',
    });
  }
  const opts = copyOptions(stmt);
  const ctx = session.settings.format();
  if (stmt.direction === 'to') {
    let r: StatementResult;
    if (stmt.query) {
      r = session.runParsed({ statement: stmt.query, text: ps.text, offset: ps.offset }, []);
    } else {
      const t = stmt.table!;
      const cols = stmt.columns?.length ? stmt.columns.map(quoteIdent).join(', ') : '*';
      const from = (t.schema ? `${quoteIdent(t.schema)}.` : '') + quoteIdent(t.name);
      r = session.runParsed(session.parse(`SELECT ${cols} FROM ${from}`)[0]!, []);
    }
    c.sendNotices();
    const columns = r.columns ?? [];
    const fmt = opts.format === 'binary' ? 1 : 0;
    c.out.copyOutResponse(fmt, columns.map(() => fmt));
    const n = copyOut(columns, r.rows ?? [], opts, ctx, (chunk) => {
      c.out.begin('d').bytes(chunk).end();
      c.maybeFlush();
    });
    c.out.copyDone();
    c.out.commandComplete(`COPY ${n}`);
    return 'done';
  }
  const table = stmt.table!;
  const copy = session.beginCopy(table, stmt.columns);
  let parser: CopyFeed;
  try {
    const sink = (b: Batch) => copy.push(b);
    const columns = copy.columns.map((col) => ({ name: col.name, type: col.type }));
    const inline = new CopyFromParser(opts, columns, table.name, ctx, sink);
    parser = new CopyFeed(inline, { opts, columns, table: table.name, ctx: { ...ctx } }, sink, c.copyHooks);
  } catch (e) {
    copy.abort();
    throw e;
  }
  c.copyIn = { parser, copy, extended, table: table.name };
  const fmt = opts.format === 'binary' ? 1 : 0;
  c.out.copyInResponse(fmt, copy.columns.map(() => fmt));
  c.flush();
  return 'in';
}

/** A failure inside COPY FROM: the rows pushed so far are abandoned. */
export function abortCopy(state: CopyInState, e: unknown): WhereError {
  state.parser.abort();
  try {
    state.copy.abort();
  } catch {
    // the transaction is already gone
  }
  const err: WhereError = toSqlError(e);
  if (!err.where) err.where = `COPY ${state.table}`;
  return err;
}
