/**
 * Cut hypertable scans at the data-node boundary and push work into the
 * per-node fragments.
 *
 * Before:  Sort(limit 5)                      After:  Sort(limit 5)
 *            Aggregate(hostname; max(u))                 DataNodeScan cpu [combine: append]
 *              Scan cpu [filter]                           fragment: Filter → HashAggregate(full) → Top-N 5
 *
 * - GROUP BY including the space column, with every chunk partitioned the same
 *   way ⇒ full aggregation on the nodes (each group lives on one node);
 *   otherwise partial aggregation on the nodes and Finalize on the access node.
 * - ORDER BY … LIMIT ⇒ top-N per node; the access node keeps its own top-N sort.
 * - LIMIT without ORDER BY ⇒ each node stops after LIMIT + OFFSET rows.
 */
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import type { PlanNode, DistributedScanPlan, AggCall } from '../plan/nodes.js';
import { extractExclusion } from '../plan/chunk-exclusion.js';
import { closedDimension, openDimension } from '../catalog/hypertable.js';
import { mapChildren } from './pushdown-filter.js';
import { containsVolatileOrSubquery } from '../bind/expr-key.js';
import { extractEquiKeys } from '../plan/equi-keys.js';
import type { JoinCost } from '../plan/nodes.js';
import { estimateRows, hypertableRows, isLocalOnly, joinCosts } from './cost.js';

function hypertableRowsOf(p: PlanNode): number {
  return p.op === 'dscan' ? hypertableRows(p).rows : estimateRows(p);
}

/** Subqueries are evaluated by the access node; everything else can run in a fragment. */
function pushable(e: ExprNode): boolean {
  return !containsVolatileOrSubquery(e);
}

function aggPushable(a: AggCall): boolean {
  return a.args.every(pushable) && (!a.filter || pushable(a.filter)) && (a.orderBy ?? []).every((o) => pushable(o.expr));
}

function toDistributed(scan: Extract<PlanNode, { op: 'scan' }>): DistributedScanPlan {
  const ht = scan.table.hypertable!;
  const open = openDimension(ht);
  const closed = closedDimension(ht);
  const timeIndex = scan.columnIds.indexOf(open.columnId);
  const spaceIndex = closed ? scan.columnIds.indexOf(closed.columnId) : -1;
  const timeType = scan.table.columns.find((c) => c.id === open.columnId)!.type.id;
  return {
    op: 'dscan',
    table: scan.table,
    alias: scan.alias,
    columnIds: scan.columnIds,
    withRowId: scan.withRowId,
    filter: scan.filter,
    combine: 'append',
    exclusion: extractExclusion(scan.filter, timeIndex, spaceIndex, timeType),
    types: scan.types,
  };
}

/** Which output column of the fragment stage (scan or projection) is the space-partitioning column. */
function spaceColumnOut(d: DistributedScanPlan): number {
  const closed = closedDimension(d.table.hypertable!);
  if (!closed) return -1;
  const scanIdx = d.columnIds.indexOf(closed.columnId);
  if (!d.project) return scanIdx;
  return d.project.findIndex((e) => e.k === 'col' && e.index === scanIdx);
}

/** Every group of a GROUP BY on the space column lives on one node only when all chunks share one partitioning. */
function groupsStayOnOneNode(d: DistributedScanPlan, groupBy: ExprNode[]): boolean {
  // a global aggregate must yield one row even when no chunk survives: only finalize guarantees that
  if (groupBy.length === 0) return false;
  const ht = d.table.hypertable!;
  if (!ht.distributed) return true;
  const sc = spaceColumnOut(d);
  if (sc < 0 || !groupBy.some((g) => g.k === 'col' && g.index === sc)) return false;
  const parts = new Set(ht.chunks.map((c) => c.numPartitions));
  return parts.size <= 1;
}

/** A join of an eligible distributed scan (left) with a small local plan (right), pushed to the nodes if cheaper. */
function broadcastJoin(j: Extract<PlanNode, { op: 'join' }>, groupsAbove: number | null): PlanNode | null {
  const d = j.left;
  if (d.op !== 'dscan' || d.withRowId || d.aggregate || d.sort || d.limit !== undefined || d.firstPerGroup || d.join) return null;
  if ((j.joinType !== 'inner' && j.joinType !== 'left') || !j.condition || j.lateralColumns || !isLocalOnly(j.right)) return null;
  const keys = extractEquiKeys(j.condition, d.types.length);
  if (keys.leftKeys.length === 0 || !keys.leftKeys.every(pushable) || !keys.rightKeys.every(pushable) || (keys.residual && !pushable(keys.residual))) return null;
  const { rows: htRows, nodes } = hypertableRows(d);
  const smallRows = estimateRows(j.right);
  // a filtered small side keeps only matching hypertable rows (inner join)
  const rightTable = j.right.op === 'scan' ? j.right.table.store?.latest().rowCount ?? smallRows : smallRows;
  const fraction = j.joinType === 'inner' && rightTable > 0 ? Math.min(1, smallRows / rightTable) : 1;
  const c = joinCosts(htRows, smallRows, nodes, fraction, groupsAbove);
  const cost: JoinCost = { chosen: c.broadcast < c.accessNode ? 'broadcast' : 'access node', broadcast: Math.round(c.broadcast), accessNode: Math.round(c.accessNode), hypertableRows: Math.round(htRows), smallRows: Math.round(smallRows), nodes };
  if (cost.chosen === 'access node') return { ...j, cost };
  return { ...d, join: { right: j.right, type: j.joinType, leftKeys: keys.leftKeys, rightKeys: keys.rightKeys, residual: keys.residual, cost }, types: j.types };
}

export function distribute(plan: PlanNode): PlanNode {
  const p = mapChildren(plan, distribute);
  switch (p.op) {
    case 'join':
      return broadcastJoin(p, null) ?? p;
    case 'scan':
      return p.table.hypertable ? toDistributed(p) : p;
    case 'project': {
      const d = p.input;
      // the fragment projects before its join: a projection above a shipped join stays on the access node
      if (d.op === 'dscan' && !d.withRowId && !d.project && !d.join && !d.aggregate && !d.firstPerGroup && d.sort === undefined && d.limit === undefined && p.exprs.every(pushable)) {
        return { ...d, project: p.exprs, types: p.types };
      }
      return p;
    }
    case 'aggregate': {
      // with an aggregate above, shipping a small table lets the aggregate run on the nodes too
      if (p.input.op === 'join' && p.groupBy.every(pushable) && p.aggs.every(aggPushable)) {
        const groups = Math.max(1, p.groupBy.length === 0 ? 1 : Math.sqrt(hypertableRowsOf(p.input.left)));
        const pushed = broadcastJoin({ ...p.input, cost: undefined }, groups);
        if (pushed && pushed.op === 'dscan') return distribute({ ...p, input: pushed });
        if (pushed) return { ...p, input: pushed };
      }
      const d = p.input;
      if (d.op !== 'dscan' || d.withRowId || d.aggregate || d.sort || d.limit !== undefined || d.firstPerGroup || !p.groupBy.every(pushable) || !p.aggs.every(aggPushable)) return p;
      const full = groupsStayOnOneNode(d, p.groupBy);
      return {
        ...d,
        aggregate: { groupBy: p.groupBy, aggs: p.aggs, mode: full ? 'full' : 'partial' },
        combine: full ? 'append' : 'finalize',
        types: p.types,
      };
    }
    case 'sort': {
      const d = p.input;
      if (p.limit === undefined || d.op !== 'dscan' || d.withRowId || d.combine !== 'append' || d.sort || d.limit !== undefined || !p.keys.every((k) => pushable(k.expr))) return p;
      return { ...p, input: { ...d, sort: p.keys, limit: p.limit, combine: 'merge' } };
    }
    case 'firstpergroup': {
      // each node keeps its own winners; the access node picks among them
      const d = p.input;
      if (d.op !== 'dscan' || d.withRowId || d.aggregate || d.sort || d.limit !== undefined || d.firstPerGroup || !p.order.every((o) => pushable(o.expr))) return p;
      return { ...p, input: { ...d, firstPerGroup: { on: p.on, order: p.order } } };
    }
    case 'limit': {
      const d = p.input;
      const lim = p.limit?.k === 'const' ? (p.limit.value as number | null) : null;
      const off = p.offset === null ? 0 : p.offset.k === 'const' ? (p.offset.value as number | null) : null;
      if (d.op !== 'dscan' || d.withRowId || d.combine !== 'append' || d.sort || d.limit !== undefined || lim === null || off === null) return p;
      return { ...p, input: { ...d, limit: lim + off } };
    }
    default:
      return p;
  }
}
