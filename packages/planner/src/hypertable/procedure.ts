/**
 * TimescaleDB's API functions are procedures: they change the catalog, so they
 * are not scalar functions of the expression engine. A call in FROM or as a
 * whole select-list item binds to a plan that runs the procedure when the
 * statement executes (inside its transaction, so ROLLBACK undoes it).
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import type { EvalContext } from '../../../storage/src/expr/expr.js';
import type { StatementSession } from '../statement/session.js';

export interface ProcedureParam {
  name: string;
  type: SqlType;
  /** absent = required */
  default?: Value;
}

export interface ProcedureContext {
  session: StatementSession;
  eval: EvalContext;
  notice(message: string): void;
  /** bound types of the arguments (undefined where the default applies): "any" parameters need them */
  argTypes?: readonly (SqlType | undefined)[];
}

export interface Procedure {
  name: string;
  params: ProcedureParam[];
  /** output columns; a single-column procedure used in a select list yields that column, others a record */
  returns: { name: string; type: SqlType }[];
  /** true for setof functions (show_chunks, drop_chunks) */
  setReturning?: boolean;
  /** `SELECT proc(...)` of a multi-column procedure prints a record, as PostgreSQL does */
  run(args: Value[], ctx: ProcedureContext): Value[][];
}

const registry = new Map<string, Procedure>();

export function defineProcedure(p: Procedure): void {
  registry.set(p.name, p);
}

export function findProcedure(name: string): Procedure | undefined {
  return registry.get(name);
}

export function procedureNames(): string[] {
  return [...registry.keys()];
}
