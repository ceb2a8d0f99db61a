/**
 * DISTINCT ON as a one-pass "first row per group" instead of a full sort.
 *
 * Before:  Unique (DISTINCT ON hostname)          After:  Sort(hostname)
 *            Sort(hostname, time DESC)                      FirstPerGroup(on: hostname; order: time DESC)
 *              X                                              X
 *
 * The sort that remains orders one row per group.
 */
import type { PlanNode } from '../plan/nodes.js';
import { mapChildren } from './pushdown-filter.js';

export function distinctOnWithoutSort(plan: PlanNode): PlanNode {
  const p = mapChildren(plan, distinctOnWithoutSort);
  if (p.op !== 'distinct' || !p.on || p.input.op !== 'sort' || p.input.limit !== undefined) return p;
  const sort = p.input;
  const k = p.on.length;
  const lead = sort.keys.slice(0, k);
  if (lead.length < k || !lead.every((key) => key.expr.k === 'col' && p.on!.includes(key.expr.index))) return p;
  const first: PlanNode = { op: 'firstpergroup', input: sort.input, on: p.on, order: sort.keys.slice(k), types: sort.input.types };
  return { op: 'sort', input: first, keys: lead, types: p.types };
}
