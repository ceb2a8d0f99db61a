/**
 * Row and cost estimates from chunk statistics, for choices the distributed
 * planner makes by cost. Units are abstract "row touches": shipping a row
 * between nodes costs SHIP, building a hash table entry BUILD, probing PROBE,
 * aggregating a row AGG.
 */
import type { PlanNode, DistributedScanPlan } from '../plan/nodes.js';
import { survivingChunks } from '../plan/chunk-exclusion.js';

export const SHIP = 1;
export const BUILD = 0.2;
export const PROBE = 0.1;
export const AGG = 0.1;
/** fraction of rows assumed to pass a filter conjunct that statistics cannot judge */
const FILTER_SELECTIVITY = 0.33;

function conjunctCount(e: { k: string; args?: readonly unknown[] } | undefined): number {
  if (!e) return 0;
  return e.k === 'and' ? (e.args?.length ?? 1) : 1;
}

/** Rows a distributed scan reads after chunk exclusion (constant bounds only) and its other filters. */
export function hypertableRows(d: DistributedScanPlan): { rows: number; nodes: number } {
  const chunks = survivingChunks(d.table, d.exclusion, null);
  let rows = 0;
  const nodes = new Set<string>();
  for (const c of chunks) {
    const store = c.stores.get(c.nodes[0]!)!;
    rows += store.latest().rowCount;
    nodes.add(c.nodes[0]!);
  }
  const judged = d.exclusion.time.length + (d.exclusion.space.length ? 1 : 0);
  const other = Math.max(0, conjunctCount(d.filter as never) - judged);
  return { rows: rows * FILTER_SELECTIVITY ** other, nodes: Math.max(1, nodes.size) };
}

/** Estimated output rows of a plan node (used for the small side of a join). */
export function estimateRows(p: PlanNode): number {
  switch (p.op) {
    case 'scan':
      return (p.table.store?.latest().rowCount ?? 1000) * (p.filter ? FILTER_SELECTIVITY ** conjunctCount(p.filter as never) : 1);
    case 'values':
      return p.rows.length;
    case 'single':
      return 1;
    case 'filter':
      return estimateRows(p.input) * FILTER_SELECTIVITY;
    case 'project':
    case 'sort':
      return estimateRows(p.input);
    case 'limit':
      return p.limit?.k === 'const' && typeof p.limit.value === 'number' ? Math.min(p.limit.value, estimateRows(p.input)) : estimateRows(p.input);
    case 'aggregate':
      return p.groupBy.length === 0 ? 1 : Math.max(1, Math.sqrt(estimateRows(p.input)));
    case 'dscan':
      return hypertableRows(p).rows;
    default:
      return 1000;
  }
}

/**
 * Broadcast: ship the small side to every node, join there, ship the result
 * (or, with an aggregate above, only the groups). Access node: ship every
 * hypertable row, join and aggregate on the access node.
 */
export function joinCosts(htRows: number, smallRows: number, nodes: number, joinedFraction: number, groupsAbove: number | null): { broadcast: number; accessNode: number } {
  const joined = htRows * joinedFraction;
  const accessNode = htRows * SHIP + smallRows * BUILD + htRows * PROBE + (groupsAbove !== null ? joined * AGG : 0);
  const shippedBack = groupsAbove !== null ? Math.min(joined, groupsAbove) * nodes : joined;
  const broadcast = smallRows * nodes * (SHIP + BUILD) + htRows * PROBE + (groupsAbove !== null ? joined * AGG : 0) + shippedBack * SHIP;
  return { broadcast, accessNode };
}

/** True when no hypertable is read under this plan (it can be shipped as plain rows). */
export function isLocalOnly(p: PlanNode): boolean {
  switch (p.op) {
    case 'dscan':
      return false;
    case 'scan':
      return !p.table.hypertable;
    case 'filter':
    case 'project':
    case 'sort':
    case 'limit':
    case 'distinct':
    case 'aggregate':
    case 'window':
    case 'firstpergroup':
      return isLocalOnly(p.input);
    case 'join':
    case 'setop':
      return isLocalOnly(p.left) && isLocalOnly(p.right);
    case 'values':
    case 'single':
    case 'rows':
    case 'function':
      return true;
    default:
      return false;
  }
}
