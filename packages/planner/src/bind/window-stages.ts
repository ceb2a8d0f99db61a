/** Group window calls by their (PARTITION BY, ORDER BY) and chain one window operator per group. */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import type { PlanNode, SortKey } from '../plan/nodes.js';
import type { WindowCallSpec } from '../exec/index.js';
import { exprKey } from './expr-key.js';

export function buildWindowStages(
  input: PlanNode,
  calls: { spec: WindowCallSpec; partitionBy: ExprNode[]; orderBy: SortKey[]; key: string }[],
): { plan: PlanNode; callColumns: number[]; callTypes: SqlType[] } {
  const groups = new Map<string, number[]>();
  calls.forEach((c, i) => {
    const k = `${c.partitionBy.map(exprKey).join(',')}|${c.orderBy.map((o) => `${exprKey(o.expr)}${o.desc}${o.nullsFirst}`).join(',')}`;
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  let plan = input;
  const callColumns = new Array<number>(calls.length);
  for (const idxs of groups.values()) {
    const first = calls[idxs[0]!]!;
    const width = plan.types.length;
    idxs.forEach((ci, j) => (callColumns[ci] = width + j));
    plan = {
      op: 'window',
      input: plan,
      partitionBy: first.partitionBy,
      orderBy: first.orderBy,
      calls: idxs.map((ci) => calls[ci]!.spec),
      types: [...plan.types, ...idxs.map((ci) => calls[ci]!.spec.type)],
    };
  }
  return { plan, callColumns, callTypes: calls.map((c) => c.spec.type) };
}
