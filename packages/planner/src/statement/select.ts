/** Binding and running queries (SELECT, VALUES, set operations). */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import type { EvalContext } from '../../../storage/src/expr/expr.js';
import type { Statement, SelectStmt } from '../parse/ast.js';
import type { StatementBinding, QueryContext } from '../bind/context.js';
import { Scope } from '../bind/scope.js';
import { bindQuery } from '../bind/select.js';
import { buildPlan, type ExecEnv } from '../plan/build.js';
import { collectBatches, collectRows as collect } from '../exec/index.js';
import type { Batch } from '../../../storage/src/vector.js';
import type { PlanNode } from '../plan/nodes.js';
import { optimize } from '../optimize/index.js';
import type { StatementSession } from './session.js';

export function newBinding(session: StatementSession, paramTypes: (SqlType | undefined)[] = []): StatementBinding {
  return {
    catalog: session.catalog,
    searchPath: session.searchPath,
    settings: session.settings,
    paramTypes,
    session,
    subqueries: [],
    nextId: 1,
    systemRelation: session.systemRelation ? (s, n) => session.systemRelation!(s, n) : undefined,
  };
}

export function rootContext(stmt: StatementBinding): QueryContext {
  return { stmt, scope: new Scope(), correlated: [], correlatedKeys: new Map() };
}

export interface PreparedQuery {
  plan: PlanNode;
  names: string[];
  binding: StatementBinding;
}

export function planSelect(q: SelectStmt, session: StatementSession, paramTypes?: (SqlType | undefined)[]): PreparedQuery {
  const binding = newBinding(session, paramTypes);
  const bound = bindQuery(q, rootContext(binding));
  const plan = optimize(bound.plan);
  for (const s of binding.subqueries) s.plan = optimize(s.plan);
  return { plan, names: bound.names, binding };
}

export function execEnv(session: StatementSession, binding: StatementBinding): ExecEnv {
  return { tables: session, catalog: session.catalog, subqueries: binding.subqueries, cteCache: new Map(), workTables: new Map(), paramTypes: binding.paramTypes };
}

/** An EvalContext whose subquery hook runs the statement's subquery plans. */
export function statementContext(session: StatementSession, env: ExecEnv, params: readonly Value[]): EvalContext {
  const base = session.evalContext(params, env.paramTypes);
  const sources = new Map(env.subqueries.map((s) => [s.id, buildPlan(s.plan, env)]));
  const uncorrelated = new Map<number, Value[][]>();
  const ctx: EvalContext = {
    ...base,
    subquery: (id, correlated) => {
      const src = sources.get(id);
      if (!src) throw new Error(`unknown subquery ${id}`);
      if (correlated.length === 0) {
        let rows = uncorrelated.get(id);
        if (!rows) {
          rows = collect(src, ctx);
          uncorrelated.set(id, rows);
        }
        return rows;
      }
      return collect(src, { ...ctx, correlated });
    },
  };
  return ctx;
}

export function runQuery(prepared: PreparedQuery, session: StatementSession, params: readonly Value[], observe?: Pick<ExecEnv, 'onFragmentRows'>): Value[][] {
  const env = { ...execEnv(session, prepared.binding), ...observe };
  const ctx = statementContext(session, env, params);
  return collect(buildPlan(prepared.plan, env), ctx);
}

/** The query's result as the executor's batches (no per-row arrays). */
export function runQueryBatches(prepared: PreparedQuery, session: StatementSession, params: readonly Value[]): Batch[] {
  const env = execEnv(session, prepared.binding);
  const ctx = statementContext(session, env, params);
  return collectBatches(buildPlan(prepared.plan, env), ctx);
}

/** The query's batches, produced one by one as the caller iterates (the statement must still be open). */
export function streamQueryBatches(prepared: PreparedQuery, session: StatementSession, params: readonly Value[]): Iterable<Batch> {
  const env = execEnv(session, prepared.binding);
  const ctx = statementContext(session, env, params);
  return buildPlan(prepared.plan, env)(ctx);
}

export function isQuery(s: Statement): s is SelectStmt {
  return s.kind === 'select';
}
