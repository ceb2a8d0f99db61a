/**
 * Split a join condition into equality pairs (left expr = right expr) usable
 * by a hash join and a residual predicate evaluated on candidate pairs.
 *
 *   ON a.x = b.y AND a.z > b.w      →  keys [a.x]/[b.y], residual a.z > b.w
 */
import { T } from '../../../storage/src/types/sql-type.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import { functionName, mapColumns, referencedColumns } from '../bind/expr-key.js';

function isEquality(e: ExprNode): boolean {
  return e.k === 'call' && e.args.length === 2 && functionName(e.fn) === '=';
}

export function extractEquiKeys(cond: ExprNode, leftWidth: number): { leftKeys: ExprNode[]; rightKeys: ExprNode[]; residual?: ExprNode } {
  const conjuncts = cond.k === 'and' ? cond.args : [cond];
  const leftKeys: ExprNode[] = [];
  const rightKeys: ExprNode[] = [];
  const rest: ExprNode[] = [];
  for (const c of conjuncts) {
    if (c.k === 'call' && isEquality(c)) {
      const [a, b] = c.args as [ExprNode, ExprNode];
      const ra = referencedColumns(a);
      const rb = referencedColumns(b);
      const side = (s: Set<number>) => (s.size === 0 ? 'none' : [...s].every((i) => i < leftWidth) ? 'left' : [...s].every((i) => i >= leftWidth) ? 'right' : 'both');
      const sa = side(ra);
      const sb = side(rb);
      if (sa === 'left' && sb === 'right' && a.type.id === b.type.id) {
        leftKeys.push(a);
        rightKeys.push(shiftLeft(b, leftWidth));
        continue;
      }
      if (sa === 'right' && sb === 'left' && a.type.id === b.type.id) {
        leftKeys.push(b);
        rightKeys.push(shiftLeft(a, leftWidth));
        continue;
      }
    }
    rest.push(c);
  }
  const residual = rest.length === 0 ? undefined : rest.length === 1 ? rest[0] : { k: 'and' as const, type: T.bool, args: rest };
  return { leftKeys, rightKeys, residual };
}

function shiftLeft(e: ExprNode, by: number): ExprNode {
  return mapColumns(e, (i, node) => ({ k: 'col', type: node.type, index: i - by }));
}
