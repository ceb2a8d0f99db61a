/**
 * x [NOT] IN (list). A list of constants of x's own type becomes a hash set
 * probed per row (per dictionary entry for dictionary vectors); anything else
 * is compiled as the OR of eqFn calls PostgreSQL defines it as.
 * NULL semantics: no match and a NULL in the list → NULL; NOT IN negates that
 * three-valued result, so it is never TRUE when the list holds a NULL.
 */
import type { SqlType } from '../types/sql-type.js';
import { physicalKind, sameType, T } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import type { Batch, Vector } from '../vector.js';
import { getValue } from '../vector.js';
import { valueKey } from '../kernels/hash.js';
import type { EvalContext, ExprNode, InListNode } from './expr.js';
import type { Compiled } from './runtime.js';
import { boolVec, unionRefs } from './runtime.js';

const ONE_ROW: Batch = { length: 1, columns: [] };

/** Types whose equality operator is exactly valueKey equality. */
export function hashableType(t: SqlType): boolean {
  const k = physicalKind(t);
  if (k !== 'object') return t.id !== 'json';
  return t.id === 'numeric' || t.id === 'interval';
}

export interface KeySet {
  readonly set: Set<unknown>;
  readonly hasNull: boolean;
}

export function compileInList(node: InListNode, rec: (n: ExprNode) => Compiled): Compiled {
  const argType = node.arg.type;
  const hashable = hashableType(argType) && node.list.every((it) => sameType(it.type, argType));
  const items = node.list.map(rec);
  if (!hashable || !items.every((i) => i.invariant)) {
    const or: ExprNode = {
      k: 'or',
      type: T.bool,
      args: node.list.map((it) => ({ k: 'call', type: T.bool, fn: node.eqFn, args: [node.arg, it] })),
    };
    return rec(node.negate ? { k: 'not', type: T.bool, arg: or } : or);
  }
  const arg = rec(node.arg);
  const memo = new WeakMap<EvalContext, KeySet>();
  const keysFor = (ctx: EvalContext): KeySet => {
    let ks = memo.get(ctx);
    if (ks === undefined) {
      const set = new Set<unknown>();
      let hasNull = false;
      for (const it of items) {
        const v = getValue(it.run(ONE_ROW, ctx), 0);
        if (v === null) hasNull = true;
        else set.add(valueKey(v, argType));
      }
      ks = { set, hasNull };
      memo.set(ctx, ks);
    }
    return ks;
  };
  const negate = node.negate;
  return {
    refs: unionRefs([arg, ...items]),
    invariant: arg.invariant,
    run: (batch, ctx) => {
      const n = batch.length;
      const v = arg.run(batch, ctx);
      const ks = keysFor(ctx);
      return probe(v, n, ks, argType, negate, node.type);
    },
  };
}

/** 3-valued membership of each row of v in a key set. */
export function probe(v: Vector, n: number, ks: KeySet, type: SqlType, negate: boolean, outType: SqlType = T.bool): Vector {
  const { set, hasNull } = ks;
  const out = new Uint8Array(n);
  const nulls = new Uint8Array(n);
  const miss = hasNull ? 2 : 0; // 2 = NULL
  const flip = negate ? 1 : 0;
  let anyNull = false;
  // one loop per layout (no per-row closure call): this runs over every scanned row
  switch (v.tag) {
    case 'number': {
      const vals = v.values;
      const vn = v.nulls;
      for (let i = 0; i < n; i++) {
        const s = vn !== null && vn[i] === 1 ? 2 : set.has(vals[i]!) ? 1 : miss;
        if (s === 2) {
          nulls[i] = 1;
          anyNull = true;
        } else out[i] = s ^ flip;
      }
      break;
    }
    case 'dict': {
      const { codes, dict, nulls: vn } = v;
      // membership per dictionary entry, decided on first sight (-1: not yet)
      const memo = new Int8Array(dict.length).fill(-1);
      for (let i = 0; i < n; i++) {
        if (vn !== null && vn[i] === 1) {
          nulls[i] = 1;
          anyNull = true;
          continue;
        }
        const c = codes[i]!;
        let s = memo[c]!;
        if (s < 0) s = memo[c] = set.has(valueKey(dict[c]!, type)) ? 1 : miss;
        if (s === 2) {
          nulls[i] = 1;
          anyNull = true;
        } else out[i] = s ^ flip;
      }
      break;
    }
    default:
      for (let i = 0; i < n; i++) {
        const x: Value = getValue(v, i);
        const s = x === null ? 2 : set.has(valueKey(x, type)) ? 1 : miss;
        if (s === 2) {
          nulls[i] = 1;
          anyNull = true;
        } else out[i] = s ^ flip;
      }
  }
  if (set.size === 0 && !hasNull) {
    // x IN () cannot arise from SQL, but an empty subquery result can: x IN (empty) is FALSE even for NULL x
    nulls.fill(0);
    out.fill(negate ? 1 : 0);
    anyNull = false;
  }
  return boolVec(out, anyNull ? nulls : null, outType);
}
