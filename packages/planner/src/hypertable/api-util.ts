/** Helpers shared by the TimescaleDB API procedures. */
import type { Value } from '../../../storage/src/types/values.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import type { TableInfo } from '../catalog/catalog.js';
import type { StatementSession } from '../statement/session.js';

/** A `relation` argument: a regclass OID (number) or a possibly qualified name. */
export function relationArg(session: StatementSession, v: Value, what = 'relation'): TableInfo {
  if (v === null) throw new SqlError(SQLSTATE.invalidParameterValue, `${what} cannot be NULL`);
  if (typeof v === 'number') {
    const t = session.catalog.listTables().find((x) => x.oid === v);
    if (!t) throw new SqlError(SQLSTATE.undefinedTable, `relation with OID ${v} does not exist`);
    return t;
  }
  const text = String(v);
  const m = /^(?:("(?:[^"]|"")+"|[^."]+)\.)?("(?:[^"]|"")+"|[^."]+)$/.exec(text.trim());
  if (!m) throw new SqlError(SQLSTATE.invalidTextRepresentation, `invalid name syntax`);
  const unquote = (s: string) => (s.startsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s.toLowerCase());
  return session.catalog.getTable(m[1] ? unquote(m[1]) : undefined, unquote(m[2]!), session.searchPath);
}

export function hypertableArg(session: StatementSession, v: Value): TableInfo {
  const t = relationArg(session, v, 'hypertable');
  if (!t.hypertable) throw new SqlError('TS001', `table "${t.name}" is not a hypertable`);
  return t;
}

export function columnArg(table: TableInfo, v: Value, what: string) {
  const name = v === null ? null : String(v);
  if (name === null) throw new SqlError(SQLSTATE.invalidParameterValue, `${what} cannot be NULL`);
  const c = table.columns.find((x) => x.name === name);
  if (!c) throw new SqlError(SQLSTATE.undefinedColumn, `column "${name}" does not exist`, { hint: `The column "${name}" of table "${table.name}" does not exist.` });
  return c;
}
