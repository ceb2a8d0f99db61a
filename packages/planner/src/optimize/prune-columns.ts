/**
 * Read only the columns a query uses: scans narrow their column list and the
 * operators above are re-indexed.
 *
 * Before:  Aggregate(max(#3))            After:  Aggregate(max(#0))
 *            Scan cpu [time, host, u1, u2, …]      Scan cpu [u2]
 */
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import type { PlanNode, SortKey } from '../plan/nodes.js';
import { mapColumns, referencedColumns } from '../bind/expr-key.js';
import { mapChildren } from './pushdown-filter.js';

type Remap = (i: number) => number;

function refs(exprs: readonly (ExprNode | undefined)[], out = new Set<number>()): Set<number> {
  for (const e of exprs) if (e) referencedColumns(e, out);
  return out;
}

function remapExpr(e: ExprNode, m: Remap): ExprNode {
  return mapColumns(e, (i, node) => ({ ...node, index: m(i) }) as ExprNode);
}

function remapKeys(keys: SortKey[], m: Remap): SortKey[] {
  return keys.map((k) => ({ ...k, expr: remapExpr(k.expr, m) }));
}

/**
 * Returns a plan producing only `needed` columns of the original output (in
 * ascending original order) and the mapping original index → new index.
 */
function prune(plan: PlanNode, needed: Set<number>): { plan: PlanNode; map: Remap } {
  const identity: Remap = (i) => i;
  switch (plan.op) {
    case 'scan': {
      const keep = [...needed].filter((i) => i < plan.columnIds.length).sort((a, b) => a - b);
      if (plan.filter) for (const i of referencedColumns(plan.filter)) if (!keep.includes(i) && i < plan.columnIds.length) keep.push(i);
      keep.sort((a, b) => a - b);
      if (plan.columnIds.length > 0 && keep.length === 0) keep.push(0);
      const hasRowId = plan.withRowId;
      const pos = new Map(keep.map((orig, k) => [orig, k]));
      const rowIdOrig = plan.columnIds.length;
      const m: Remap = (i) => (i === rowIdOrig && hasRowId ? keep.length : pos.get(i)!);
      const types = [...keep.map((i) => plan.types[i]!), ...(hasRowId ? [plan.types[rowIdOrig]!] : [])];
      return {
        plan: { ...plan, columnIds: keep.map((i) => plan.columnIds[i]!), types, filter: plan.filter ? remapExpr(plan.filter, m) : undefined },
        map: m,
      };
    }
    case 'filter': {
      const need = refs([plan.predicate], new Set(needed));
      const inner = prune(plan.input, need);
      return { plan: { ...plan, input: inner.plan, predicate: remapExpr(plan.predicate, inner.map), types: inner.plan.types }, map: inner.map };
    }
    case 'project': {
      const inner = prune(plan.input, refs(plan.exprs));
      return { plan: { ...plan, input: inner.plan, exprs: plan.exprs.map((e) => remapExpr(e, inner.map)) }, map: identity };
    }
    case 'aggregate': {
      const need = refs([...plan.groupBy, ...plan.aggs.flatMap((a) => [...a.args, a.filter, ...(a.orderBy?.map((o) => o.expr) ?? [])])]);
      const inner = prune(plan.input, need);
      const m = inner.map;
      return {
        plan: {
          ...plan,
          input: inner.plan,
          groupBy: plan.groupBy.map((g) => remapExpr(g, m)),
          aggs: plan.aggs.map((a) => ({ ...a, args: a.args.map((x) => remapExpr(x, m)), filter: a.filter ? remapExpr(a.filter, m) : undefined, orderBy: a.orderBy ? remapKeys(a.orderBy, m) : undefined })),
        },
        map: identity,
      };
    }
    case 'sort': {
      const need = refs(plan.keys.map((k) => k.expr), new Set(needed));
      const inner = prune(plan.input, need);
      return { plan: { ...plan, input: inner.plan, keys: remapKeys(plan.keys, inner.map), types: inner.plan.types }, map: inner.map };
    }
    case 'limit': {
      const inner = prune(plan.input, needed);
      return { plan: { ...plan, input: inner.plan, types: inner.plan.types }, map: inner.map };
    }
    case 'join': {
      if (plan.lateralColumns) return { plan: pruneChildren(plan), map: identity };
      const lw = plan.left.types.length;
      const need = refs([plan.condition], new Set(needed));
      const leftNeed = new Set([...need].filter((i) => i < lw));
      const rightNeed = new Set([...need].filter((i) => i >= lw).map((i) => i - lw));
      const l = prune(plan.left, leftNeed);
      const r = prune(plan.right, rightNeed);
      const newLw = l.plan.types.length;
      const m: Remap = (i) => (i < lw ? l.map(i) : newLw + r.map(i - lw));
      return {
        plan: { ...plan, left: l.plan, right: r.plan, condition: plan.condition ? remapExpr(plan.condition, m) : undefined, types: [...l.plan.types, ...r.plan.types] },
        map: m,
      };
    }
    default:
      return { plan: pruneChildren(plan), map: identity };
  }
}

function all(plan: PlanNode): Set<number> {
  return new Set(plan.types.map((_, i) => i));
}

/** Children whose output is fully consumed: prune inside them independently. */
function pruneChildren(plan: PlanNode): PlanNode {
  switch (plan.op) {
    case 'window':
    case 'distinct':
    case 'gapfill':
      return { ...plan, input: pruneColumns(plan.input) } as PlanNode;
    case 'join':
    case 'setop':
      return { ...plan, left: pruneColumns(plan.left), right: pruneColumns(plan.right) } as PlanNode;
    case 'cte':
      // a WITH query's consumers read all of its columns; prune inside its body (once per CTE)
      return mapChildren(plan, pruneColumns);
    case 'recursive':
      return plan;
    default:
      return plan;
  }
}

export function pruneColumns(plan: PlanNode): PlanNode {
  const r = prune(plan, all(plan));
  // the root must keep its full output in the original order
  if (plan.op === 'scan' || plan.op === 'filter' || plan.op === 'sort' || plan.op === 'limit') return plan.op === 'scan' ? plan : r.plan;
  return r.plan;
}
