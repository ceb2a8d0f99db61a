/**
 * Finds the conjunct of a fragment's filter that lets its scan read only
 * matching rows: `textcol IN (constants or parameters)` (a one-item list is how
 * TSBS and most clients spell `=`). The scan answers it from sealed batches'
 * posting lists (table/postings.ts); the filter still runs on what the scan
 * returns, so the restriction only has to keep every row that can pass.
 */
import type { EvalContext, ExprNode, InListNode } from '../expr/expr.js';
import type { EqualsAny } from '../table/version.js';
import { getValue } from '../vector.js';
import { compileExpr } from '../expr/compile.js';

/** Text types whose `=` is plain string equality (bpchar ignores trailing spaces, so it is not one). */
const PLAIN_TEXT = new Set(['text', 'varchar']);

export interface ScanRestriction {
  /** storage column id of the restricted column */
  readonly columnId: number;
  /** the values for one execution (parameters may differ between executions) */
  values(ctx: EvalContext): EqualsAny;
}

const ONE_ROW = { length: 1, columns: [] };

function conjuncts(n: ExprNode, out: ExprNode[]): ExprNode[] {
  if (n.k === 'and') for (const a of n.args) conjuncts(a, out);
  else out.push(n);
  return out;
}

function restrictable(n: ExprNode): n is InListNode & { arg: { k: 'col'; index: number } } {
  if (n.k !== 'inlist' || n.negate || n.arg.k !== 'col' || !PLAIN_TEXT.has(n.arg.type.id)) return false;
  return n.list.every((it) => (it.k === 'const' || it.k === 'param') && PLAIN_TEXT.has(it.type.id));
}

/** The restriction a filter over scanned columns `columnIds` allows, or undefined. */
export function scanRestriction(filter: ExprNode | undefined, columnIds: readonly number[]): ScanRestriction | undefined {
  if (filter === undefined) return undefined;
  const found = conjuncts(filter, []).find(restrictable);
  if (found === undefined) return undefined;
  const columnId = columnIds[found.arg.index];
  if (columnId === undefined) return undefined;
  const items = found.list.map(compileExpr);
  return {
    columnId,
    values(ctx) {
      const values: string[] = [];
      // NULL items match no row (x = NULL is never TRUE), so they are simply left out
      for (const it of items) {
        const v = getValue(it(ONE_ROW, ctx), 0);
        if (typeof v === 'string') values.push(v);
      }
      return { columnId, values };
    },
  };
}
