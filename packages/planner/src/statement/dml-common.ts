/** Pieces shared by INSERT, UPDATE and DELETE: target resolution, defaults, RETURNING, CHECKs. */
import { T } from '../../../storage/src/types/sql-type.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import type { Value } from '../../../storage/src/types/values.js';
import type { Batch } from '../../../storage/src/vector.js';
import { constantVector, getValue } from '../../../storage/src/vector.js';
import { compileExpr } from '../../../storage/src/expr/compile.js';
import { formatText } from '../../../storage/src/types/text-io.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import type { SelectTarget } from '../parse/ast.js';
import type { ColumnInfo, TableInfo } from '../catalog/catalog.js';
import type { QueryContext, StatementBinding } from '../bind/context.js';
import { Scope } from '../bind/scope.js';
import { bindExpr } from '../bind/expr.js';
import { resolveUnknown } from '../bind/coerce.js';
import { outputName } from '../bind/select.js';
import type { EvalContext } from '../../../storage/src/expr/expr.js';
import type { ResultColumn, StatementSession } from './session.js';

export function tableScope(table: TableInfo, alias?: string): Scope {
  return new Scope(
    table.columns.map((c, i) => ({ name: c.name, type: c.type, index: i, relation: alias ?? table.name, schema: table.schema, tableOid: table.oid, attnum: c.attnum })),
  );
}

export function writableTable(session: StatementSession, schema: string | undefined, name: string): TableInfo {
  const t = session.catalog.getTable(schema, name, session.searchPath);
  if (t.kind !== 'table' || !t.store) {
    throw new SqlError(SQLSTATE.wrongObjectType, `cannot change ${t.kind === 'view' ? 'view' : 'relation'} "${t.name}"`);
  }
  return t;
}

export function columnByName(table: TableInfo, name: string): number {
  const i = table.columns.findIndex((c) => c.name === name);
  if (i < 0) throw new SqlError(SQLSTATE.undefinedColumn, `column "${name}" of relation "${table.name}" does not exist`);
  return i;
}

/** The DEFAULT of a column as an expression (NULL when none; serials draw from their sequence). */
export function defaultExpr(c: ColumnInfo): ExprNode {
  if (c.serialSequence && !c.serialDefaultReplaced) return { k: 'call', type: c.type, fn: 'nextval(text)', args: [{ k: 'const', type: T.text, value: c.serialSequence }] };
  return c.default ?? { k: 'const', type: c.type, value: null };
}

export interface BoundReturning {
  exprs: ExprNode[];
  columns: ResultColumn[];
}

export function bindReturning(targets: SelectTarget[] | undefined, scope: Scope, stmt: StatementBinding): BoundReturning | undefined {
  if (!targets) return undefined;
  const ctx: QueryContext = { stmt, scope, correlated: [], correlatedKeys: new Map(), noAggregatesIn: 'RETURNING', noWindowsIn: 'RETURNING' };
  const exprs: ExprNode[] = [];
  const columns: ResultColumn[] = [];
  for (const t of targets) {
    if (t.kind === 'star') {
      for (const c of scope.star(t.qualifier)) {
        exprs.push({ k: 'col', type: c.type, index: c.index });
        columns.push({ name: c.name, type: c.type, tableOid: c.tableOid, attnum: c.attnum });
      }
    } else {
      const e = resolveUnknown(bindExpr(t.expr, ctx), stmt);
      exprs.push(e);
      columns.push({ name: t.alias ?? outputName(t.expr), type: e.type });
    }
  }
  return { exprs, columns };
}

export function evalRows(exprs: ExprNode[], batch: Batch, ctx: EvalContext): Value[][] {
  const vecs = exprs.map((e) => compileExpr(e)(batch, ctx));
  const rows: Value[][] = [];
  for (let i = 0; i < batch.length; i++) rows.push(vecs.map((v) => getValue(v, i)));
  return rows;
}

/** CHECK constraints over a batch in table column order. */
export function enforceChecks(table: TableInfo, batch: Batch, ctx: EvalContext): void {
  for (const c of table.constraints) {
    if (c.kind !== 'check' || !c.check) continue;
    const v = compileExpr(c.check)(batch, ctx);
    for (let i = 0; i < batch.length; i++) {
      const r = getValue(v, i);
      if (r === false) {
        const row = table.columns.map((col, j) => {
          const x = getValue(batch.columns[j]!, i);
          return x === null ? 'null' : formatText(col.type, x, ctx.settings);
        });
        throw new SqlError(SQLSTATE.checkViolation, `new row for relation "${table.name}" violates check constraint "${c.name}"`, {
          detail: `Failing row contains (${row.join(', ')}).`,
          table: table.name,
          constraint: c.name,
        });
      }
    }
  }
}

/**
 * A batch in catalog column order → the storage's column order. Columns the
 * catalog has dropped in this (uncommitted) transaction are still in storage
 * and get NULLs.
 */
export function toStoreBatch(table: TableInfo, batch: Batch): Batch {
  const store = table.store!;
  const byId = new Map(table.columns.map((c, i) => [c.id, i]));
  const cols = store.columns;
  if (cols.length === table.columns.length && cols.every((c, i) => table.columns[i]!.id === c.id)) return batch;
  return {
    length: batch.length,
    columns: cols.map((c) => {
      const i = byId.get(c.id);
      return i === undefined ? constantVector(c.type, null, batch.length) : batch.columns[i]!;
    }),
  };
}
