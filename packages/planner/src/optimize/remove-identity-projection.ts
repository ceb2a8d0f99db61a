/**
 * Drop projections that pass their input through unchanged.
 *
 * Before:  Project(#0, #1, #2)          After:  Scan t [a, b, c]
 *            Scan t [a, b, c]
 */
import type { PlanNode } from '../plan/nodes.js';
import { mapChildren } from './pushdown-filter.js';

function isIdentity(p: Extract<PlanNode, { op: 'project' }>): boolean {
  const input = p.input.types;
  return p.exprs.length === input.length && p.exprs.every((e, i) => e.k === 'col' && e.index === i && e.type.id === input[i]!.id && e.type.typmod === input[i]!.typmod);
}

export function removeIdentityProjections(plan: PlanNode): PlanNode {
  const p = mapChildren(plan, removeIdentityProjections);
  return p.op === 'project' && isIdentity(p) ? p.input : p;
}
