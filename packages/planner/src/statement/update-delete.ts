/**
 * UPDATE and DELETE: scan the target with row ids (joined with FROM / USING),
 * filter, then delete the matched rows and (UPDATE) insert their new versions
 * in the same transaction.
 */
import { T, formatType } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import type { Batch } from '../../../storage/src/vector.js';
import { concatVectors, getValue, takeVector } from '../../../storage/src/vector.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import type { DeleteStmt, FromItem, UpdateStmt } from '../parse/ast.js';
import type { QueryContext } from '../bind/context.js';
import { Scope } from '../bind/scope.js';
import { bindExpr } from '../bind/expr.js';
import { coerce } from '../bind/coerce.js';
import { bindFromList, joinBound, type BoundFrom } from '../bind/from.js';
import type { PlanNode } from '../plan/nodes.js';
import { buildPlan } from '../plan/build.js';
import { optimize } from '../optimize/index.js';
import type { TableInfo } from '../catalog/catalog.js';
import { splitHypertableRowId } from '../plan/hypertable-scan.js';
import type { StatementResult, StatementSession } from './session.js';
import { execEnv, newBinding, rootContext, statementContext } from './select.js';
import { bindReturning, columnByName, defaultExpr, enforceChecks, evalRows, writableTable } from './dml-common.js';
import { writeRows } from '../hypertable/write.js';

interface Target {
  table: TableInfo;
  bound: BoundFrom;
  /** index of the row-id column in the joined row */
  rowIdIndex: number;
  ctx: QueryContext;
}

function bindTarget(table: TableInfo, alias: string | undefined, extra: FromItem[], root: QueryContext): Target {
  const name = alias ?? table.name;
  const width = table.columns.length;
  const plan: PlanNode = {
    op: 'scan',
    table,
    columnIds: table.columns.map((c) => c.id),
    withRowId: true,
    alias: name,
    types: [...table.columns.map((c) => c.type), T.float8],
  };
  const scope = new Scope([
    ...table.columns.map((c, i) => ({ name: c.name, type: c.type, index: i, relation: name, schema: table.schema })),
    { name: 'ctid', type: T.float8, index: width, relation: name, hidden: true },
  ]);
  let bound: BoundFrom = { plan, scope };
  if (extra.length > 0) {
    const more = bindFromList(extra, root);
    bound = joinBound(bound, more, { joinType: 'cross', natural: false }, root);
  }
  return { table, bound, rowIdIndex: width, ctx: { ...root, scope: bound.scope } };
}

function matchedRows(target: Target, where: import('../parse/ast.js').Expr | undefined, outputs: ExprNode[], session: StatementSession, params: readonly Value[]): { batch: Batch; ctx: ReturnType<typeof statementContext> } {
  let plan = target.bound.plan;
  if (where) {
    const w = bindExpr(where, { ...target.ctx, noAggregatesIn: 'WHERE', noWindowsIn: 'WHERE' });
    plan = { op: 'filter', input: plan, predicate: coerce(w, T.bool, target.ctx.stmt, 'implicit', () => `argument of WHERE must be type boolean, not type ${formatType(w.type)}`), types: plan.types };
  }
  const rowId: ExprNode = { k: 'col', type: T.float8, index: target.rowIdIndex };
  plan = { op: 'project', input: plan, exprs: [rowId, ...outputs], types: [T.float8, ...outputs.map((o) => o.type)] };
  plan = optimize(plan);
  const binding = target.ctx.stmt;
  for (const s of binding.subqueries) s.plan = optimize(s.plan);
  const env = execEnv(session, binding);
  const ctx = statementContext(session, env, params);
  const batches = [...buildPlan(plan, env)(ctx)];
  // a row joined to several FROM rows is changed once (PostgreSQL picks one of them)
  const seen = new Set<number>();
  const parts: Batch[] = [];
  for (const b of batches) {
    const ids = b.columns[0]!;
    const keep: number[] = [];
    for (let i = 0; i < b.length; i++) {
      const id = getValue(ids, i) as number;
      if (!seen.has(id)) {
        seen.add(id);
        keep.push(i);
      }
    }
    parts.push(keep.length === b.length ? b : { length: keep.length, columns: b.columns.map((v) => takeVector(v, keep)) });
  }
  const total = parts.reduce((n, b) => n + b.length, 0);
  const types = [T.float8, ...outputs.map((o) => o.type)];
  const batch: Batch = { length: total, columns: types.map((t, c) => concatVectors(t, parts.length ? parts.map((p) => p.columns[c]!) : [{ tag: 'object', type: t, length: 0, values: [] }])) };
  return { batch, ctx };
}

function rowIdsOf(batch: Batch): number[] {
  const out: number[] = [];
  for (let i = 0; i < batch.length; i++) out.push(getValue(batch.columns[0]!, i) as number);
  return out;
}

/**
 * Delete matched rows. Column 0 holds row ids; for hypertables the row id is
 * chunkId * CHUNK_ROWID_SPAN + store row id (see plan/build.ts), split here per chunk.
 */
function deleteRows(session: StatementSession, table: TableInfo, batch: Batch): void {
  const ids = rowIdsOf(batch);
  if (!table.hypertable) {
    session.write(table.store!).delete(ids);
    return;
  }
  const byChunk = new Map<number, number[]>();
  for (const id of ids) {
    const { chunkId, rowId } = splitHypertableRowId(id);
    let l = byChunk.get(chunkId);
    if (!l) byChunk.set(chunkId, (l = []));
    l.push(rowId);
  }
  for (const [chunkId, rows] of byChunk) {
    const chunk = table.hypertable.chunks.find((c) => c.id === chunkId);
    if (!chunk) continue;
    for (const node of chunk.nodes) session.write(chunk.stores.get(node)!).delete(rows);
  }
}

export function executeUpdate(stmt: UpdateStmt, session: StatementSession, params: readonly Value[], paramTypes?: import('../../../storage/src/types/sql-type.js').SqlType[]): StatementResult {
  const table = writableTable(session, stmt.table.schema, stmt.table.name);
  const binding = newBinding(session, paramTypes ? [...paramTypes] : []);
  const target = bindTarget(table, stmt.alias, stmt.from, rootContext(binding));
  const sctx: QueryContext = { ...target.ctx, noAggregatesIn: 'UPDATE', noWindowsIn: 'UPDATE' };
  const newValues: ExprNode[] = table.columns.map((c, i): ExprNode => ({ k: 'col', type: c.type, index: i }));
  const assigned = new Set<number>();
  for (const s of stmt.set) {
    const ci = columnByName(table, s.column);
    if (assigned.has(ci)) throw new SqlError(SQLSTATE.syntaxError, `multiple assignments to same column "${s.column}"`);
    assigned.add(ci);
    const col = table.columns[ci]!;
    newValues[ci] = s.value.kind === 'default'
      ? defaultExpr(col)
      : coerce(bindExpr(s.value, sctx), col.type, binding, 'assignment', () => `column "${col.name}" is of type ${formatType(col.type)} but expression is of type ${formatType(bindExpr(s.value, sctx).type)}`);
  }
  const extra = extraColumns(target);
  const { batch, ctx } = matchedRows(target, stmt.where, [...newValues, ...extra], session, params);
  const width = table.columns.length;
  const rows: Batch = { length: batch.length, columns: batch.columns.slice(1, 1 + width) };
  if (rows.length > 0) {
    enforceChecks(table, rows, ctx);
    deleteRows(session, table, batch);
    writeRows(session, table, rows);
  }
  const result: StatementResult = { command: `UPDATE ${rows.length}`, rowCount: rows.length };
  const returning = bindReturning(stmt.returning, returningScope(target), binding);
  if (returning) {
    result.columns = returning.columns;
    result.rows = evalRows(returning.exprs, { length: batch.length, columns: batch.columns.slice(1) }, ctx);
  }
  return result;
}

export function executeDelete(stmt: DeleteStmt, session: StatementSession, params: readonly Value[], paramTypes?: import('../../../storage/src/types/sql-type.js').SqlType[]): StatementResult {
  const table = writableTable(session, stmt.table.schema, stmt.table.name);
  const binding = newBinding(session, paramTypes ? [...paramTypes] : []);
  const target = bindTarget(table, stmt.alias, stmt.using, rootContext(binding));
  const cols: ExprNode[] = table.columns.map((c, i) => ({ k: 'col', type: c.type, index: i }));
  const { batch, ctx } = matchedRows(target, stmt.where, [...cols, ...extraColumns(target)], session, params);
  if (batch.length > 0) deleteRows(session, table, batch);
  const result: StatementResult = { command: `DELETE ${batch.length}`, rowCount: batch.length };
  const returning = bindReturning(stmt.returning, returningScope(target), binding);
  if (returning) {
    result.columns = returning.columns;
    result.rows = evalRows(returning.exprs, { length: batch.length, columns: batch.columns.slice(1) }, ctx);
  }
  return result;
}

/** FROM / USING columns, carried along so RETURNING can read them. */
function extraColumns(target: Target): ExprNode[] {
  return target.bound.scope.columns.filter((c) => c.index > target.rowIdIndex).map((c) => ({ k: 'col', type: c.type, index: c.index }));
}

/** RETURNING sees the target's columns then the FROM/USING columns (the row id dropped). */
function returningScope(target: Target): Scope {
  return new Scope(
    target.bound.scope.columns
      .filter((c) => c.index !== target.rowIdIndex)
      .map((c) => ({ ...c, index: c.index < target.rowIdIndex ? c.index : c.index - 1 })),
  );
}
