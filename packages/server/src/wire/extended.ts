/**
 * The extended query protocol: Parse / Bind / Describe / Execute / Close /
 * Sync / Flush, with named and unnamed prepared statements and portals.
 *
 * A statement is parsed and described once at Parse (errors such as unknown
 * tables are reported there, as in PostgreSQL). A portal runs its statement at
 * its first Execute; the rows are kept and handed out `maxRows` at a time with
 * PortalSuspended in between. As in PostgreSQL, the Executes up to Sync run in
 * one implicit transaction that Sync commits; after an error, which rolls it
 * back, the connection ignores messages until Sync (handled in connection.ts).
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { T, typeOid } from '../../../storage/src/types/sql-type.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import type { ParsedStatement } from '../../../planner/src/parse/ast.js';
import type { ResultColumn, StatementResult } from '../../../planner/src/statement/session.js';
import { fieldDef } from '../engine/results.js';
import { MessageReader, decodeUtf8 } from './messages.js';
import { decodeBinary, typeFromOid } from './binary.js';
import type { Connection } from './connection.js';
import { runCopy } from './copy.js';

export interface PreparedStatement {
  name: string;
  sql: string;
  /** null for an empty query string */
  parsed: ParsedStatement | null;
  /** types the client gave in Parse (undefined = let the server infer) */
  givenTypes: (SqlType | undefined)[];
  /** inferred types of all parameters */
  paramTypes: SqlType[];
  columns: ResultColumn[] | null;
}

export interface Portal {
  name: string;
  stmt: PreparedStatement;
  params: unknown[];
  resultFormats: number[];
  result: StatementResult | null;
  next: number;
}

const DESCRIBE_SKIP = new Set(['transaction', 'copy', 'set', 'reset', 'prepare', 'execute', 'deallocate', 'noop']);

function stmtLabel(name: string): string {
  return name ? `prepared statement "${name}"` : 'unnamed prepared statement';
}

export function handleParse(c: Connection, body: Buffer): void {
  const r = new MessageReader(body);
  const name = r.cstring();
  const sql = r.cstring();
  const n = r.int16();
  const oids: number[] = [];
  for (let i = 0; i < n; i++) oids.push(r.uint32());
  const session = c.session!;
  if (name && c.stmts.has(name)) throw new SqlError('42P05', `prepared statement "${name}" already exists`);
  const stmts = session.parse(sql);
  if (stmts.length > 1) throw new SqlError(SQLSTATE.syntaxError, 'cannot insert multiple commands into a prepared statement');
  const parsed = stmts[0] ?? null;
  const givenTypes = oids.map((o) => typeFromOid(o) ?? (o === 0 ? undefined : T.text));
  let paramTypes: SqlType[] = givenTypes.map((t) => t ?? T.text);
  let columns: ResultColumn[] | null = null;
  if (parsed) {
    const kind = parsed.statement.kind;
    if (session.status === 'E' && kind !== 'transaction') {
      throw new SqlError(SQLSTATE.inFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    if (!DESCRIBE_SKIP.has(kind)) {
      try {
        const d = session.describe(parsed, givenTypes);
        paramTypes = d.paramTypes;
        columns = d.columns;
      } catch (e) {
        if (e instanceof SqlError && e.position !== undefined && parsed.offset) e.position += parsed.offset;
        throw e;
      }
    } else if (kind === 'copy') {
      columns = null;
    }
  }
  c.stmts.set(name, { name, sql, parsed, givenTypes, paramTypes, columns });
  c.out.parseComplete();
}

function readFormats(r: MessageReader): number[] {
  const n = r.int16();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const f = r.int16();
    if (f !== 0 && f !== 1) throw new SqlError(SQLSTATE.protocolViolation, `unsupported format code: ${f}`);
    out.push(f);
  }
  return out;
}

export function formatOf(formats: readonly number[], i: number): number {
  return formats.length === 0 ? 0 : formats.length === 1 ? formats[0]! : (formats[i] ?? 0);
}

export function handleBind(c: Connection, body: Buffer): void {
  const r = new MessageReader(body);
  const portalName = r.cstring();
  const stmtName = r.cstring();
  const paramFormats = readFormats(r);
  const nParams = r.int16();
  const raw: (Buffer | null)[] = [];
  for (let i = 0; i < nParams; i++) {
    const len = r.int32();
    raw.push(len < 0 ? null : r.bytes(len));
  }
  const resultFormats = readFormats(r);
  const stmt = c.stmts.get(stmtName);
  if (!stmt) throw new SqlError(SQLSTATE.invalidSqlStatementName, `${stmtLabel(stmtName)} does not exist`);
  if (portalName && c.portals.has(portalName)) throw new SqlError('42P03', `portal "${portalName}" already exists`);
  if (paramFormats.length > 1 && paramFormats.length !== nParams) {
    throw new SqlError(SQLSTATE.protocolViolation, `bind message has ${paramFormats.length} parameter formats but ${nParams} parameters`);
  }
  const expected = Math.max(stmt.paramTypes.length, stmt.givenTypes.length);
  if (nParams !== expected) {
    throw new SqlError(SQLSTATE.protocolViolation, `bind message supplies ${nParams} parameters, but ${stmtLabel(stmt.name)} requires ${expected}`);
  }
  if (c.session!.status === 'E' && stmt.parsed?.statement.kind !== 'transaction') {
    throw new SqlError(SQLSTATE.inFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');
  }
  const params = raw.map((b, i) => {
    if (b === null) return null;
    if (formatOf(paramFormats, i) === 0) return decodeUtf8(b);
    return decodeBinary(stmt.givenTypes[i] ?? stmt.paramTypes[i] ?? T.text, b);
  });
  c.portals.set(portalName, { name: portalName, stmt, params, resultFormats, result: null, next: 0 });
  c.out.bindComplete();
}

function rowDescription(c: Connection, columns: ResultColumn[], formats: readonly number[]): void {
  c.out.rowDescription(columns.map(fieldDef), columns.map((_, i) => formatOf(formats, i)));
}

export function handleDescribe(c: Connection, body: Buffer): void {
  const r = new MessageReader(body);
  const kind = String.fromCharCode(r.int8());
  const name = r.cstring();
  if (kind === 'S') {
    const stmt = c.stmts.get(name);
    if (!stmt) throw new SqlError(SQLSTATE.invalidSqlStatementName, `${stmtLabel(name)} does not exist`);
    c.out.parameterDescription(stmt.paramTypes.map((t, i) => typeOid(stmt.givenTypes[i] ?? t)));
    if (stmt.columns) rowDescription(c, stmt.columns, []);
    else c.out.noData();
  } else if (kind === 'P') {
    const portal = c.portals.get(name);
    if (!portal) throw new SqlError(SQLSTATE.invalidCursorName, `portal "${name}" does not exist`);
    const columns = portal.result?.columns ?? portal.stmt.columns;
    if (columns) rowDescription(c, columns, portal.resultFormats);
    else c.out.noData();
  } else {
    throw new SqlError(SQLSTATE.protocolViolation, `invalid DESCRIBE message subtype ${kind.charCodeAt(0)}`);
  }
}

export function handleExecute(c: Connection, body: Buffer): void {
  const r = new MessageReader(body);
  const name = r.cstring();
  const maxRows = r.int32();
  const portal = c.portals.get(name);
  if (!portal) throw new SqlError(SQLSTATE.invalidCursorName, `portal "${name}" does not exist`);
  const parsed = portal.stmt.parsed;
  if (!parsed) {
    c.out.emptyQueryResponse();
    return;
  }
  const session = c.session!;
  // the Executes up to Sync share one implicit transaction, committed at Sync (connection.ts)
  if (!portal.result) session.beginImplicitStatement('pipeline', parsed.statement);
  if (parsed.statement.kind === 'copy') {
    runCopy(c, parsed, true);
    if (!name) c.portals.delete(name);
    return;
  }
  if (!portal.result) {
    c.cancelRequested = false;
    try {
      portal.result = session.runParsed(parsed, portal.params, portal.stmt.givenTypes.length ? portal.stmt.givenTypes as SqlType[] : undefined);
    } finally {
      c.sendNotices();
    }
  }
  const res = portal.result;
  if (!res.columns) {
    c.out.commandComplete(res.command);
    c.reportParams();
    return;
  }
  if (res.batches && portal.next === 0 && (maxRows <= 0 || maxRows > (res.rowCount ?? 0))) {
    // the whole result in one Execute: encoded from the batches (no row arrays)
    c.writeBatches(res.columns, res.batches, portal.resultFormats);
    portal.next = res.rowCount ?? 0;
    c.out.commandComplete(res.command);
    return;
  }
  const rows = res.rows ?? [];
  const from = portal.next;
  const to = maxRows > 0 ? Math.min(rows.length, from + maxRows) : rows.length;
  c.writeRows(res.columns, rows, from, to, portal.resultFormats);
  portal.next = to;
  // like PostgreSQL: a fetch that filled its row limit suspends, even when no rows are left
  if (to < rows.length || (maxRows > 0 && to - from === maxRows)) {
    c.out.portalSuspended();
    return;
  }
  c.out.commandComplete(res.command.startsWith('SELECT') ? `SELECT ${to - from}` : res.command);
}

export function handleClose(c: Connection, body: Buffer): void {
  const r = new MessageReader(body);
  const kind = String.fromCharCode(r.int8());
  const name = r.cstring();
  if (kind === 'S') c.stmts.delete(name);
  else if (kind === 'P') c.portals.delete(name);
  else throw new SqlError(SQLSTATE.protocolViolation, `invalid CLOSE message subtype ${kind.charCodeAt(0)}`);
  c.out.closeComplete();
}
