/**
 * INSERT … ON CONFLICT: rows are applied one at a time against the
 * transaction's view so that conflicts with earlier rows of the same statement
 * are seen, as PostgreSQL does.
 */
import type { Value } from '../../../storage/src/types/values.js';
import type { Batch } from '../../../storage/src/vector.js';
import type { EvalContext, ExprNode } from '../../../storage/src/expr/expr.js';
import type { TableTxn } from '../../../storage/src/table/index.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { T, formatType } from '../../../storage/src/types/sql-type.js';
import type { InsertStmt } from '../parse/ast.js';
import type { StatementBinding, QueryContext } from '../bind/context.js';
import { Scope } from '../bind/scope.js';
import { bindExpr } from '../bind/expr.js';
import { coerce } from '../bind/coerce.js';
import type { ConstraintInfo, TableInfo } from '../catalog/catalog.js';
import type { StatementSession } from './session.js';
import { columnByName, defaultExpr, evalRows, enforceChecks } from './dml-common.js';
import { toStoreBatch } from './dml-common.js';
import { batchRow } from './insert.js';
import { rowsToBatch } from '../exec/rows.js';

function conflictKeys(stmt: InsertStmt, table: TableInfo): ConstraintInfo[] {
  const uniques = table.constraints.filter((c) => c.kind === 'primary_key' || c.kind === 'unique');
  const oc = stmt.onConflict!;
  if (oc.constraint) {
    const c = uniques.find((u) => u.name === oc.constraint);
    if (!c) throw new SqlError(SQLSTATE.undefinedObject, `constraint "${oc.constraint}" for table "${table.name}" does not exist`);
    return [c];
  }
  if (oc.target) {
    const ids = oc.target.map((n) => table.columns[columnByName(table, n)]!.id).sort((a, b) => a - b);
    const c = uniques.find((u) => [...u.columnIds].sort((a, b) => a - b).join(',') === ids.join(','));
    if (!c) throw new SqlError(SQLSTATE.invalidColumnReference, 'there is no unique or exclusion constraint matching the ON CONFLICT specification');
    return [c];
  }
  if (oc.action.kind === 'update') throw new SqlError(SQLSTATE.syntaxError, 'ON CONFLICT DO UPDATE requires inference specification or constraint name', { hint: 'For example, ON CONFLICT (column_name).' });
  return uniques;
}

function fetchRow(txn: TableTxn, table: TableInfo, rowId: number): Value[] {
  return batchRow(txn.view().fetch([rowId], table.columns.map((c) => c.id)), 0);
}

export function applyOnConflict(stmt: InsertStmt, table: TableInfo, batch: Batch, txn: TableTxn, session: StatementSession, binding: StatementBinding, ctx: EvalContext): Batch {
  const keys = conflictKeys(stmt, table);
  const action = stmt.onConflict!.action;
  const colIndex = new Map(table.columns.map((c, i) => [c.id, i]));
  const types = table.columns.map((c) => c.type);
  let setExprs: ExprNode[] | undefined;
  let where: ExprNode | undefined;
  if (action.kind === 'update') {
    // the update sees the existing row as the table and the proposed row as EXCLUDED
    const width = table.columns.length;
    const scope = new Scope([
      ...table.columns.map((c, i) => ({ name: c.name, type: c.type, index: i, relation: stmt.alias ?? table.name })),
      ...table.columns.map((c, i) => ({ name: c.name, type: c.type, index: width + i, relation: 'excluded' })),
    ]);
    const uctx: QueryContext = { stmt: binding, scope, correlated: [], correlatedKeys: new Map(), noAggregatesIn: 'UPDATE', noWindowsIn: 'UPDATE' };
    setExprs = table.columns.map((c, i): ExprNode => ({ k: 'col', type: c.type, index: i }));
    for (const s of action.set) {
      const ci = columnByName(table, s.column);
      const col = table.columns[ci]!;
      setExprs[ci] = s.value.kind === 'default' ? defaultExpr(col) : coerce(bindExpr(s.value, uctx), col.type, binding, 'assignment', () => `column "${col.name}" is of type ${formatType(col.type)} but expression is of type text`);
    }
    if (action.where) where = coerce(bindExpr(action.where, uctx), T.bool, binding, 'implicit');
  }
  const written: Value[][] = [];
  const updatedRowIds = new Set<number>();
  for (let i = 0; i < batch.length; i++) {
    const row = batchRow(batch, i);
    let conflict: number | null = null;
    for (const k of keys) {
      const key = k.columnIds.map((id) => row[colIndex.get(id)!]!);
      if (key.some((v) => v === null)) continue;
      conflict = txn.view().lookupUnique(k.name, key);
      if (conflict !== null) break;
    }
    if (conflict === null) {
      txn.insert(toStoreBatch(table, rowsToBatch([row], types)));
      written.push(row);
      // a later row of this statement conflicting with this one must not update it (PostgreSQL: 21000)
      if (action.kind === 'update') {
        const k = keys[0]!;
        const id = txn.view().lookupUnique(k.name, k.columnIds.map((cid) => row[colIndex.get(cid)!]!));
        if (id !== null) updatedRowIds.add(id);
      }
      continue;
    }
    if (action.kind === 'nothing') continue;
    if (updatedRowIds.has(conflict)) {
      throw new SqlError(SQLSTATE.cardinalityViolation, 'ON CONFLICT DO UPDATE command cannot affect row a second time', {
        hint: 'Ensure that no rows proposed for insertion within the same command have duplicate constrained values.',
      });
    }
    const existing = fetchRow(txn, table, conflict);
    const combined = rowsToBatch([[...existing, ...row]], [...types, ...types]);
    if (where) {
      const ok = evalRows([where], combined, ctx)[0]![0];
      if (ok !== true) continue;
    }
    const updated = evalRows(setExprs!, combined, ctx)[0]!;
    const ub = rowsToBatch([updated], types);
    enforceChecks(table, ub, ctx);
    txn.delete([conflict]);
    txn.insert(toStoreBatch(table, ub));
    const newId = txn.view().lookupUnique(keys[0]!.name, keys[0]!.columnIds.map((id) => updated[colIndex.get(id)!]!));
    if (newId !== null) updatedRowIds.add(newId);
    written.push(updated);
  }
  void session;
  return rowsToBatch(written, types);
}
