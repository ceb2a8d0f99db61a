/** The optimizer: an ordered list of rewrite rules, one per file. */
import type { PlanNode } from '../plan/nodes.js';
import { pushDownFilters } from './pushdown-filter.js';
import { pruneColumns } from './prune-columns.js';
import { removeIdentityProjections } from './remove-identity-projection.js';
import { distribute } from './distribute.js';
import { distinctOnWithoutSort } from './distinct-on.js';

export type Rule = (plan: PlanNode) => PlanNode;

export const RULES: readonly { name: string; apply: Rule }[] = [
  { name: 'pushdown_filter', apply: pushDownFilters },
  { name: 'prune_columns', apply: pruneColumns },
  { name: 'remove_identity_projection', apply: removeIdentityProjections },
  { name: 'distinct_on_without_sort', apply: distinctOnWithoutSort },
  { name: 'distribute', apply: distribute },
];

export function optimize(plan: PlanNode): PlanNode {
  let p = plan;
  for (const r of RULES) p = r.apply(p);
  return p;
}
