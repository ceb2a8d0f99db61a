/**
 * Push filter conjuncts towards the scans, and turn WHERE equalities over a
 * cross join into join conditions (so they can become hash-join keys).
 *
 * Before:  Filter(a.x = b.y AND a.z > 1)
 *            CrossJoin(Scan a, Scan b)
 * After:   InnerJoin(a.x = b.y)
 *            Scan a [filter a.z > 1]
 *            Scan b
 */
import { T } from '../../../storage/src/types/sql-type.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import type { PlanNode } from '../plan/nodes.js';
import { containsVolatileOrSubquery, mapColumns, referencedColumns } from '../bind/expr-key.js';

function conjuncts(e: ExprNode): ExprNode[] {
  return e.k === 'and' ? e.args.flatMap(conjuncts) : [e];
}

function and(parts: ExprNode[]): ExprNode | undefined {
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { k: 'and', type: T.bool, args: parts };
}

function shift(e: ExprNode, by: number): ExprNode {
  return mapColumns(e, (i, node) => ({ ...node, index: i - by }) as ExprNode);
}

function addFilter(plan: PlanNode, preds: ExprNode[]): PlanNode {
  const p = and(preds);
  if (!p) return plan;
  return pushInto(plan, conjuncts(p));
}

function pushInto(plan: PlanNode, preds: ExprNode[]): PlanNode {
  if (preds.length === 0) return plan;
  switch (plan.op) {
    case 'scan': {
      if (plan.withRowId && preds.some((p) => referencedColumns(p).has(plan.columnIds.length))) break;
      const existing = plan.filter ? conjuncts(plan.filter) : [];
      return { ...plan, filter: and([...existing, ...preds]) };
    }
    case 'filter':
      return pushInto(plan.input, [...conjuncts(plan.predicate), ...preds]);
    case 'join': {
      if (plan.lateralColumns) break;
      const lw = plan.left.types.length;
      const leftPreds: ExprNode[] = [];
      const rightPreds: ExprNode[] = [];
      const joinPreds: ExprNode[] = [];
      const keep: ExprNode[] = [];
      for (const p of preds) {
        const cols = [...referencedColumns(p)];
        const volatile = containsVolatileOrSubquery(p);
        const leftOnly = cols.length > 0 && cols.every((c) => c < lw);
        const rightOnly = cols.length > 0 && cols.every((c) => c >= lw);
        const jt = plan.joinType;
        if (!volatile && leftOnly && (jt === 'inner' || jt === 'cross' || jt === 'left' || jt === 'semi' || jt === 'anti')) leftPreds.push(p);
        else if (!volatile && rightOnly && (jt === 'inner' || jt === 'cross' || jt === 'right')) rightPreds.push(shift(p, lw));
        else if (!volatile && (jt === 'inner' || jt === 'cross') && cols.length > 0) joinPreds.push(p);
        else keep.push(p);
      }
      const cond = and([...(plan.condition ? [plan.condition] : []), ...joinPreds]);
      const joined: PlanNode = {
        ...plan,
        joinType: plan.joinType === 'cross' && cond ? 'inner' : plan.joinType,
        condition: cond,
        left: addFilter(plan.left, leftPreds),
        right: addFilter(plan.right, rightPreds),
      };
      return keep.length ? { op: 'filter', input: joined, predicate: and(keep)!, types: plan.types } : joined;
    }
    default:
      break;
  }
  return { op: 'filter', input: plan, predicate: and(preds)!, types: plan.types };
}

export function pushDownFilters(plan: PlanNode): PlanNode {
  const p = mapChildren(plan, pushDownFilters);
  if (p.op === 'filter') return pushInto(p.input, conjuncts(p.predicate));
  if (p.op === 'join' && !p.lateralColumns && (p.joinType === 'inner') && p.condition) {
    // ON-clause conjuncts over one side of an inner join filter that side
    const lw = p.left.types.length;
    const parts = conjuncts(p.condition);
    const leftPreds = parts.filter((c) => { const r = [...referencedColumns(c)]; return r.length > 0 && r.every((i) => i < lw) && !containsVolatileOrSubquery(c); });
    const rightPreds = parts.filter((c) => { const r = [...referencedColumns(c)]; return r.length > 0 && r.every((i) => i >= lw) && !containsVolatileOrSubquery(c); });
    const rest = parts.filter((c) => !leftPreds.includes(c) && !rightPreds.includes(c));
    if (leftPreds.length || rightPreds.length) {
      return { ...p, condition: and(rest), joinType: rest.length ? 'inner' : 'cross', left: addFilter(p.left, leftPreds), right: addFilter(p.right, rightPreds.map((c) => shift(c, lw))) };
    }
  }
  return p;
}

const cteRewrites = new WeakMap<object, Set<(p: PlanNode) => PlanNode>>();

export function mapChildren(plan: PlanNode, f: (p: PlanNode) => PlanNode): PlanNode {
  switch (plan.op) {
    case 'filter':
    case 'project':
    case 'aggregate':
    case 'window':
    case 'sort':
    case 'limit':
    case 'distinct':
    case 'firstpergroup':
    case 'gapfill':
      return { ...plan, input: f(plan.input) } as PlanNode;
    case 'join':
    case 'setop':
      return { ...plan, left: f(plan.left), right: f(plan.right) } as PlanNode;
    case 'recursive':
      return { ...plan, nonRecursive: f(plan.nonRecursive), recursive: f(plan.recursive) };
    case 'cte': {
      // a CTE referenced several times is rewritten once per rule
      let done = cteRewrites.get(plan.cte);
      if (!done) cteRewrites.set(plan.cte, (done = new Set()));
      if (!done.has(f)) {
        done.add(f);
        plan.cte.plan = f(plan.cte.plan);
      }
      return plan;
    }
    default:
      return plan;
  }
}
