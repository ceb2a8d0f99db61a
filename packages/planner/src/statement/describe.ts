/**
 * Describe a statement without running it (the extended protocol's Describe):
 * parameter types as far as binding can infer them, and the result columns.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { T } from '../../../storage/src/types/sql-type.js';
import type { Statement } from '../parse/ast.js';
import { planSelect } from './select.js';
import type { ResultColumn, StatementSession } from './session.js';
import { bindReturning, tableScope } from './dml-common.js';
import { newBinding } from './select.js';

export interface StatementDescription {
  /** $n types; unknown ones are reported as text, as PostgreSQL resolves them */
  paramTypes: SqlType[];
  /** null when the statement returns no rows (NoData) */
  columns: ResultColumn[] | null;
}

export function describeStatement(stmt: Statement, session: StatementSession, givenParamTypes: (SqlType | undefined)[] = []): StatementDescription {
  const finish = (types: (SqlType | undefined)[], columns: ResultColumn[] | null): StatementDescription => ({
    paramTypes: types.map((t) => (t === undefined || t.id === 'unknown' ? T.text : t)),
    columns,
  });
  switch (stmt.kind) {
    case 'select': {
      const p = planSelect(stmt, session, [...givenParamTypes]);
      return finish(p.binding.paramTypes, p.names.map((name, i) => ({ name, type: p.plan.types[i]!.id === 'unknown' ? T.text : p.plan.types[i]! })));
    }
    case 'explain':
      return finish([...givenParamTypes], [{ name: 'QUERY PLAN', type: T.text }]);
    case 'show':
      return finish([], [{ name: stmt.name, type: T.text }]);
    case 'insert':
    case 'update':
    case 'delete': {
      if (!stmt.returning) return finish(countParams(stmt, givenParamTypes), null);
      const table = session.catalog.getTable(stmt.table.schema, stmt.table.name, session.searchPath);
      const binding = newBinding(session, [...givenParamTypes]);
      const r = bindReturning(stmt.returning, tableScope(table, stmt.alias), binding);
      return finish(countParams(stmt, binding.paramTypes), r ? r.columns : null);
    }
    default:
      return finish(countParams(stmt, givenParamTypes), null);
  }
}

/** Highest $n used anywhere in the statement, so every parameter is described. */
function countParams(stmt: Statement, known: (SqlType | undefined)[]): (SqlType | undefined)[] {
  let max = known.length;
  const visit = (x: unknown): void => {
    if (x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(visit);
    const o = x as { kind?: string; index?: number };
    if (o.kind === 'param' && typeof o.index === 'number') max = Math.max(max, o.index);
    Object.values(o).forEach(visit);
  };
  visit(stmt);
  const out = [...known];
  while (out.length < max) out.push(undefined);
  return out;
}
