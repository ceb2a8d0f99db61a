/**
 * Statement dispatch for everything the planner package owns (queries, DML,
 * DDL, EXPLAIN). Transaction control and settings are the session's (server).
 */
import { T } from '../../../storage/src/types/sql-type.js';
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import type { Statement } from '../parse/ast.js';
import { explainPlan } from '../plan/explain.js';
import type { PlanNode } from '../plan/nodes.js';
import { chunksByNode } from '../plan/build-distributed.js';
import type { StatementResult, StatementSession } from './session.js';
import { newBinding, planSelect, rootContext, runQuery, runQueryBatches, streamQueryBatches } from './select.js';
import { batchToRows } from '../exec/index.js';
import type { Batch } from '../../../storage/src/vector.js';
import type { ResultColumn, ResultSink } from './session.js';
import { bindProcedure, findProcedure } from '../hypertable/index.js';
import { executeInsert } from './insert.js';
import { executeDelete, executeUpdate } from './update-delete.js';
import { alterTable, createIndex, createSchema, createTable, createView, dropObjects, truncate } from './ddl.js';

export interface ExecuteOptions {
  params: readonly Value[];
  paramTypes?: SqlType[];
  notice: (message: string) => void;
  /** a query's batches go here as they are produced (the result then says `streamed`) */
  sink?: ResultSink;
}

/** A query result carried as batches; `rows` is built from them on first use (wire encoders never ask). */
function batchResult(columns: ResultColumn[], batches: readonly Batch[]): StatementResult {
  let count = 0;
  for (const b of batches) count += b.length;
  let rows: Value[][] | undefined;
  return {
    command: `SELECT ${count}`,
    rowCount: count,
    columns,
    batches,
    get rows(): Value[][] {
      if (rows === undefined) {
        rows = [];
        for (const b of batches) for (const r of batchToRows(b)) rows.push(r);
      }
      return rows;
    },
    set rows(r: Value[][]) {
      rows = r;
    },
  };
}

export function executeStatement(stmt: Statement, session: StatementSession, opts: ExecuteOptions): StatementResult {
  switch (stmt.kind) {
    case 'select': {
      const prepared = planSelect(stmt, session, opts.paramTypes ? [...opts.paramTypes] : []);
      const columns = prepared.names.map((name, i) => ({ name, type: prepared.plan.types[i]!.id === 'unknown' ? T.text : prepared.plan.types[i]! }));
      if (opts.sink) {
        let count = 0;
        for (const b of streamQueryBatches(prepared, session, opts.params)) {
          count += b.length;
          opts.sink.batch(columns, b);
        }
        return { command: `SELECT ${count}`, rowCount: count, columns, streamed: true };
      }
      return batchResult(columns, runQueryBatches(prepared, session, opts.params));
    }
    case 'insert':
      return executeInsert(stmt, session, opts.params, opts.paramTypes);
    case 'update':
      return executeUpdate(stmt, session, opts.params, opts.paramTypes);
    case 'delete':
      return executeDelete(stmt, session, opts.params, opts.paramTypes);
    case 'create_table':
      return createTable(stmt, session, opts.params, opts.notice);
    case 'drop':
      return dropObjects(stmt, session, opts.notice);
    case 'alter_table':
      return alterTable(stmt, session, opts.notice);
    case 'create_index':
      return createIndex(stmt, session, opts.notice);
    case 'create_schema':
      return createSchema(stmt.name, stmt.ifNotExists, session, opts.notice);
    case 'create_view':
      return createView(stmt, session);
    case 'truncate':
      return truncate(stmt, session);
    case 'explain':
      return explain(stmt, session, opts);
    case 'noop':
      return { command: stmt.tag, rowCount: null };
    case 'call':
      return callProcedure(stmt, session, opts);
    default:
      throw new SqlError(SQLSTATE.featureNotSupported, `${stmt.kind.toUpperCase()} is not supported here`);
  }
}

function explain(stmt: Extract<Statement, { kind: 'explain' }>, session: StatementSession, opts: ExecuteOptions): StatementResult {
  const inner = stmt.statement;
  if (inner.kind !== 'select') {
    return { command: 'EXPLAIN', rowCount: 1, columns: [{ name: 'QUERY PLAN', type: T.text }], rows: [[`${inner.kind.toUpperCase()} on table`]] };
  }
  const prepared = planSelect(inner, session, opts.paramTypes ? [...opts.paramTypes] : []);
  const chunks = (p: Extract<PlanNode, { op: 'dscan' }>) => {
    const out = new Map<string, { name: string; rows: number }[]>();
    for (const [node, list] of chunksByNode(p, { catalog: session.catalog }, null)) {
      out.set(node, list.map((c) => ({ name: c.name, rows: session.read(c.stores.get(node)!).rowCount })));
    }
    return out;
  };
  let actual: Map<string, { rows: number; millis: number }> | undefined;
  let footer: string[] = [];
  if (stmt.analyze) {
    actual = new Map();
    const counts = actual;
    const start = performance.now();
    const rows = runQuery(prepared, session, opts.params, {
      onFragmentRows: (node, n, ms) => {
        const c = counts.get(node) ?? { rows: 0, millis: 0 };
        counts.set(node, { rows: c.rows + n, millis: c.millis + ms });
      },
    });
    const ms = performance.now() - start;
    footer = [`Rows: ${rows.length}`, `Execution Time: ${ms.toFixed(3)} ms`];
  }
  const lines = [...explainPlan(prepared.plan, { chunksByNode: chunks, actual }), ...footer];
  for (const s of prepared.binding.subqueries) {
    lines.push(`SubPlan ${s.id}`);
    for (const l of explainPlan(s.plan)) lines.push(`  ${l}`);
  }
  return { command: 'EXPLAIN', rowCount: lines.length, columns: [{ name: 'QUERY PLAN', type: T.text }], rows: lines.map((l) => [l]) };
}

/** CALL proc(args): TimescaleDB's procedures (distributed_exec, …) and API functions; the result rows are discarded. */
function callProcedure(stmt: Extract<Statement, { kind: 'call' }>, session: StatementSession, opts: ExecuteOptions): StatementResult {
  const proc = findProcedure(stmt.call.name);
  if (!proc) {
    throw new SqlError(SQLSTATE.undefinedFunction, `procedure ${stmt.call.name} does not exist`, { hint: 'No procedure matches the given name and argument types. You might need to add explicit type casts.' });
  }
  const binding = newBinding(session, opts.paramTypes ? [...opts.paramTypes] : []);
  const bound = bindProcedure(stmt.call, proc, rootContext(binding));
  runQuery({ plan: bound.plan, names: bound.names, binding }, session, opts.params);
  return { command: 'CALL', rowCount: null };
}
