/** Binding a call of a procedure (TimescaleDB API function) to a plan that runs it at execution. */
import { T, formatType } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import { compileExpr } from '../../../storage/src/expr/compile.js';
import { getValue } from '../../../storage/src/vector.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import type { Expr, FuncCallExpr } from '../parse/ast.js';
import type { QueryContext } from '../bind/context.js';
import { bindExpr } from '../bind/expr.js';
import { coerce } from '../bind/coerce.js';
import type { PlanNode } from '../plan/nodes.js';
import type { Procedure } from './procedure.js';

/** by_range('time', INTERVAL '1 day') / by_hash('hostname', 4): dimension descriptors of the 2.13 API. */
function bindDimensionInfo(e: FuncCallExpr, ctx: QueryContext): ExprNode {
  const kind = e.name === 'by_range' ? 'range' : 'hash';
  const args = e.args.map((a) => bindExpr(a, ctx));
  for (const na of e.namedArgs) {
    const i = (kind === 'range' ? ['column_name', 'partition_interval', 'partition_func'] : ['column_name', 'number_partitions', 'partition_func']).indexOf(na.name);
    if (i < 0) throw new SqlError(SQLSTATE.undefinedFunction, `function ${e.name} has no parameter named "${na.name}"`);
    args[i] = bindExpr(na.expr, ctx);
  }
  const column = coerce(args[0]!, T.name, ctx.stmt, 'implicit');
  const second = args[1] ? (kind === 'hash' ? coerce(args[1], T.int4, ctx.stmt, 'implicit') : args[1].type.id === 'unknown' ? coerce(args[1], T.interval, ctx.stmt, 'implicit') : args[1]) : null;
  if (column.k !== 'const' || (second && second.k !== 'const')) throw new SqlError(SQLSTATE.featureNotSupported, `the arguments of ${e.name} must be constants`);
  return { k: 'const', type: T.record, value: [kind, column.value, second && second.k === 'const' ? second.value : null] };
}

function isDimensionCall(e: Expr): e is FuncCallExpr {
  return e.kind === 'func' && (e.name === 'by_range' || e.name === 'by_hash');
}

export function bindProcedure(call: FuncCallExpr, proc: Procedure, ctx: QueryContext): { plan: PlanNode; names: string[] } {
  if (!ctx.stmt.session) throw new SqlError(SQLSTATE.featureNotSupported, `${proc.name}() cannot be used here`);
  const slots: (Expr | undefined)[] = [...call.args];
  if (slots.length > proc.params.length) throw new SqlError(SQLSTATE.undefinedFunction, `function ${proc.name} with ${slots.length} arguments does not exist`, { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
  for (const na of call.namedArgs) {
    const i = proc.params.findIndex((p) => p.name === na.name);
    if (i < 0) throw new SqlError(SQLSTATE.undefinedFunction, `function ${proc.name} has no parameter named "${na.name}"`);
    if (slots[i] !== undefined) throw new SqlError(SQLSTATE.syntaxError, `argument name "${na.name}" used more than once`);
    slots[i] = na.expr;
  }
  const bctx: QueryContext = { ...ctx, agg: undefined, windows: undefined, noAggregatesIn: 'function arguments', noWindowsIn: 'function arguments' };
  const args: (ExprNode | null)[] = proc.params.map((p, i) => {
    const a = slots[i];
    if (a === undefined) {
      if (!('default' in p)) throw new SqlError(SQLSTATE.undefinedFunction, `function ${proc.name}() requires argument "${p.name}"`, { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
      return null;
    }
    if (isDimensionCall(a)) return bindDimensionInfo(a, bctx);
    const b = bindExpr(a, bctx);
    if (p.type.id === 'record' || p.type.id === 'unknown') return b.type.id === 'unknown' ? coerce(b, T.text, ctx.stmt, 'implicit') : b;
    return coerce(b, p.type, ctx.stmt, 'implicit', () => `argument "${p.name}" of ${proc.name} must be of type ${formatType(p.type)}, not ${formatType(b.type)}`);
  });
  const session = ctx.stmt.session;
  const compiled = args.map((a) => (a ? compileExpr(a) : null));
  const types = [...proc.returns.map((r) => r.type), T.record];
  const argTypes = args.map((a) => a?.type);
  const plan: PlanNode = {
    op: 'rows',
    label: proc.name,
    types,
    rows: (ectx) => {
      const values: Value[] = compiled.map((c, i) => (c ? getValue(c({ length: 1, columns: [] }, ectx), 0) : (proc.params[i]!.default ?? null)));
      const rows = proc.run(values, { session, eval: ectx, notice: (m) => session.notice?.(m), argTypes });
      return rows.map((r) => [...r, r]);
    },
  };
  // the whole-row column is named after the procedure unless its only output column already is (show_chunks)
  const recordName = proc.returns.some((r) => r.name === proc.name) ? `${proc.name}.record` : proc.name;
  return { plan, names: [...proc.returns.map((r) => r.name), recordName] };
}
