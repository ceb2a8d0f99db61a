/** Errors as node-postgres's DatabaseError presents them (position is a string there too). */
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';

export class DatabaseError extends Error {
  readonly severity: string;
  readonly code: string;
  readonly detail?: string;
  readonly hint?: string;
  readonly position?: string;
  readonly schema?: string;
  readonly table?: string;
  readonly column?: string;
  readonly constraint?: string;
  readonly dataType?: string;

  constructor(e: SqlError) {
    super(e.message);
    this.name = 'DatabaseError';
    this.severity = e.severity;
    this.code = e.code;
    this.detail = e.detail;
    this.hint = e.hint;
    this.position = e.position !== undefined ? String(e.position) : undefined;
    this.schema = e.schema;
    this.table = e.table;
    this.column = e.column;
    this.constraint = e.constraint;
    this.dataType = e.dataType;
  }
}

/** Any thrown value → a SqlError; a JS bug becomes XX000 with its message, never a crash. */
export function toSqlError(e: unknown): SqlError {
  if (e instanceof SqlError) return e;
  if (e instanceof RangeError && /Maximum call stack/.test(e.message)) {
    return new SqlError(SQLSTATE.programLimitExceeded, 'stack depth limit exceeded', { hint: 'The statement is nested too deeply.' });
  }
  if (e instanceof RangeError && /Invalid array length|Array buffer allocation failed/.test(e.message)) {
    return new SqlError(SQLSTATE.outOfMemory, 'out of memory', { detail: e.message });
  }
  const msg = e instanceof Error ? e.message : String(e);
  const err = new SqlError(SQLSTATE.internalError, `internal error: ${msg}`);
  if (e instanceof Error && e.stack) (err as { internalStack?: string }).internalStack = e.stack;
  return err;
}
