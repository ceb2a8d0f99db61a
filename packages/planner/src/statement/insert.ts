/**
 * INSERT: VALUES / SELECT / DEFAULT VALUES into a table, with column lists,
 * DEFAULT, assignment casts, CHECK, NOT NULL and UNIQUE (via the table
 * transaction), ON CONFLICT DO NOTHING / DO UPDATE, and RETURNING.
 */
import type { Value } from '../../../storage/src/types/values.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import type { Batch } from '../../../storage/src/vector.js';
import { vectorFromValues, concatVectors, getValue } from '../../../storage/src/vector.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { formatType } from '../../../storage/src/types/sql-type.js';
import type { InsertStmt } from '../parse/ast.js';
import type { QueryContext } from '../bind/context.js';
import { Scope } from '../bind/scope.js';
import { bindExpr } from '../bind/expr.js';
import { coerce } from '../bind/coerce.js';
import { bindQuery } from '../bind/select.js';
import type { PlanNode } from '../plan/nodes.js';
import { buildPlan } from '../plan/build.js';
import { optimize } from '../optimize/index.js';
import type { TableInfo } from '../catalog/catalog.js';
import type { StatementResult, StatementSession } from './session.js';
import { execEnv, newBinding, rootContext, statementContext } from './select.js';
import { bindReturning, columnByName, defaultExpr, enforceChecks, evalRows, tableScope, writableTable } from './dml-common.js';
import { applyOnConflict } from './on-conflict.js';
import { writeRows } from '../hypertable/write.js';
import { tryFastInsert } from '../ingest/insert-fast.js';

export function executeInsert(stmt: InsertStmt, session: StatementSession, params: readonly Value[], paramTypes?: import('../../../storage/src/types/sql-type.js').SqlType[]): StatementResult {
  const fast = tryFastInsert(stmt, session, params, paramTypes); // issue 5: literal/$n VALUES without binding
  if (fast) return fast;
  const table = writableTable(session, stmt.table.schema, stmt.table.name);
  const binding = newBinding(session, paramTypes ? [...paramTypes] : []);
  const root = rootContext(binding);
  if (stmt.with) throw new SqlError(SQLSTATE.featureNotSupported, 'WITH in INSERT is not supported yet');
  const targetIdx = stmt.columns ? stmt.columns.map((c) => columnByName(table, c)) : table.columns.map((_, i) => i);
  const seen = new Set<number>();
  for (const [k, i] of targetIdx.entries()) {
    if (seen.has(i)) throw new SqlError(SQLSTATE.duplicateColumn, `column "${stmt.columns![k]}" specified more than once`);
    seen.add(i);
  }
  const source = bindSource(stmt, table, targetIdx, root);
  const plan = optimize(source);
  for (const s of binding.subqueries) s.plan = optimize(s.plan);
  const env = execEnv(session, binding);
  const ctx = statementContext(session, env, params);
  const batches = [...buildPlan(plan, env)(ctx)].filter((b) => b.length > 0);
  let batch: Batch = batches.length === 1 ? batches[0]! : { length: batches.reduce((n, b) => n + b.length, 0), columns: table.columns.map((c, i) => concatVectors(c.type, batches.map((b) => b.columns[i]!))) };
  if (batches.length === 0) batch = { length: 0, columns: table.columns.map((c) => vectorFromValues(c.type, [])) };
  const returning = bindReturning(stmt.returning, tableScope(table, stmt.alias), binding);
  if (batch.length > 0) enforceChecks(table, batch, ctx);
  let written: Batch = batch;
  if (stmt.onConflict) {
    if (table.hypertable) throw new SqlError(SQLSTATE.featureNotSupported, 'ON CONFLICT on hypertables is not supported yet');
    written = applyOnConflict(stmt, table, batch, session.write(table.store!), session, binding, ctx);
  } else if (batch.length > 0) {
    writeRows(session, table, batch);
  }
  const result: StatementResult = { command: `INSERT 0 ${written.length}`, rowCount: written.length };
  if (returning) {
    result.columns = returning.columns;
    result.rows = evalRows(returning.exprs, written, ctx);
  }
  return result;
}

/** A plan producing rows in the table's full column order. */
function bindSource(stmt: InsertStmt, table: TableInfo, targetIdx: number[], root: QueryContext): PlanNode {
  const cols = table.columns;
  const types = cols.map((c) => c.type);
  const assign = (e: ExprNode, ci: number): ExprNode =>
    coerce(e, cols[ci]!.type, root.stmt, 'assignment', () => `column "${cols[ci]!.name}" is of type ${formatType(cols[ci]!.type)} but expression is of type ${formatType(e.type)}`);
  if (stmt.source.kind === 'default_values') {
    return { op: 'values', rows: [cols.map((c) => defaultExpr(c))], types };
  }
  if (stmt.source.kind === 'values') {
    const vctx: QueryContext = { ...root, noAggregatesIn: 'VALUES', noWindowsIn: 'VALUES' };
    const rows = stmt.source.rows.map((r) => {
      if (r.length > targetIdx.length) throw new SqlError(SQLSTATE.syntaxError, 'INSERT has more expressions than target columns');
      if (r.length < targetIdx.length && stmt.columns) throw new SqlError(SQLSTATE.syntaxError, 'INSERT has more target columns than expressions');
      const out: ExprNode[] = cols.map((c) => defaultExpr(c));
      r.forEach((e, k) => {
        const ci = targetIdx[k]!;
        out[ci] = e.kind === 'default' ? defaultExpr(cols[ci]!) : assign(bindExpr(e, vctx), ci);
      });
      return out;
    });
    return { op: 'values', rows, types };
  }
  const q = bindQuery(stmt.source.query, { ...root, scope: new Scope() });
  const width = q.plan.types.length;
  if (width > targetIdx.length) throw new SqlError(SQLSTATE.syntaxError, 'INSERT has more expressions than target columns');
  if (width < targetIdx.length && stmt.columns) throw new SqlError(SQLSTATE.syntaxError, 'INSERT has more target columns than expressions');
  const exprs: ExprNode[] = cols.map((c) => defaultExpr(c));
  for (let k = 0; k < width; k++) {
    const ci = targetIdx[k]!;
    exprs[ci] = assign({ k: 'col', type: q.plan.types[k]!, index: k }, ci);
  }
  return { op: 'project', input: q.plan, exprs, types };
}

export function batchRow(batch: Batch, i: number): Value[] {
  return batch.columns.map((v) => getValue(v, i));
}
