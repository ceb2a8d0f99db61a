/**
 * Calls that are not plain catalog functions: COALESCE/NULLIF/GREATEST/LEAST
 * (lazy or variadic over a common type) and named-argument calls whose names
 * map onto positional signatures.
 */
import { T } from '../../../storage/src/types/sql-type.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import type { Expr, FuncCallExpr } from '../parse/ast.js';
import type { QueryContext } from './context.js';
import { bindExpr, callFunction, callOperator } from './expr.js';
import { unify } from './coerce.js';

/** Positional parameter names of functions that accept `name => value`. */
const NAMED_PARAMS: Record<string, string[]> = {
  make_interval: ['years', 'months', 'weeks', 'days', 'hours', 'mins', 'secs'],
  make_timestamptz: ['year', 'month', 'mday', 'hour', 'min', 'sec', 'timezone'],
  time_bucket: ['bucket_width', 'ts', 'origin', 'offset', 'timezone'],
  date_bin: ['stride', 'source', 'origin'],
};

const NAMED_DEFAULTS: Record<string, Record<string, Expr>> = {
  make_interval: Object.fromEntries(['years', 'months', 'weeks', 'days', 'hours', 'mins'].map((n) => [n, { kind: 'literal', literalType: 'integer', value: '0' } as Expr]).concat([['secs', { kind: 'literal', literalType: 'numeric', value: '0.0' } as Expr]])),
};

function positionalArgs(e: FuncCallExpr): Expr[] {
  if (e.namedArgs.length === 0) return e.args;
  const names = NAMED_PARAMS[e.name];
  if (!names) throw new SqlError(SQLSTATE.undefinedFunction, `function ${e.name} does not accept named arguments`, { position: e.position });
  const slots: (Expr | undefined)[] = [...e.args];
  for (const na of e.namedArgs) {
    const i = names.indexOf(na.name);
    if (i < 0) throw new SqlError(SQLSTATE.undefinedFunction, `function ${e.name} has no parameter named "${na.name}"`, { position: e.position });
    if (slots[i] !== undefined) throw new SqlError(SQLSTATE.syntaxError, `argument name "${na.name}" used more than once`, { position: e.position });
    slots[i] = na.expr;
  }
  if (e.name === 'time_bucket') {
    // time_bucket(width, ts, offset => x) and (width, ts, origin => x) are different overloads
    const [w, ts, origin, offset, tz] = slots;
    const args: Expr[] = [w!, ts!];
    const fname = tz ? 'time_bucket' : offset && !origin ? 'time_bucket_offset' : 'time_bucket';
    if (tz) {
      args.push(tz);
      if (origin) args.push(origin);
      if (offset) args.push(offset);
      return withName(args, fname);
    }
    if (origin) args.push(origin);
    if (offset) args.push(offset);
    return withName(args, fname);
  }
  const defaults = NAMED_DEFAULTS[e.name] ?? {};
  let last = slots.length - 1;
  while (last >= 0 && slots[last] === undefined) last--;
  const out: Expr[] = [];
  for (let i = 0; i <= last; i++) {
    const v = slots[i] ?? defaults[names[i]!];
    if (v === undefined) throw new SqlError(SQLSTATE.undefinedFunction, `function ${e.name} requires argument "${names[i]}"`, { position: e.position });
    out.push(v);
  }
  return out;
}

const renamed = new WeakMap<Expr[], string>();
function withName(args: Expr[], name: string): Expr[] {
  renamed.set(args, name);
  return args;
}

export function bindSpecialFunction(e: FuncCallExpr, ctx: QueryContext): ExprNode | undefined {
  switch (e.name) {
    case 'coalesce': {
      if (e.args.length === 0) throw new SqlError(SQLSTATE.syntaxError, 'syntax error at or near ")"', { position: e.position });
      const { type, exprs } = unify(e.args.map((a) => bindExpr(a, ctx)), ctx.stmt, 'COALESCE');
      return { k: 'coalesce', type, args: exprs };
    }
    case 'nullif': {
      if (e.args.length !== 2) throw new SqlError(SQLSTATE.undefinedFunction, `function nullif with ${e.args.length} arguments does not exist`, { position: e.position });
      const a = bindExpr(e.args[0]!, ctx);
      const b = bindExpr(e.args[1]!, ctx);
      const eq = callOperator('=', a, b, ctx, e.position);
      const left = eq.k === 'call' ? eq.args[0]! : a;
      return { k: 'case', type: left.type, whens: [{ cond: eq, then: { k: 'const', type: left.type, value: null } }], else: left };
    }
    case 'greatest':
    case 'least': {
      const { type, exprs } = unify(e.args.map((a) => bindExpr(a, ctx)), ctx.stmt, e.name.toUpperCase());
      let acc = exprs[0]!;
      for (const next of exprs.slice(1)) {
        const better = callOperator(e.name === 'greatest' ? '>' : '<', next, acc, ctx, e.position);
        // NULL arguments are ignored, as in PostgreSQL
        acc = {
          k: 'case',
          type,
          whens: [
            { cond: { k: 'isnull', type: T.bool, arg: acc, negate: false }, then: next },
            { cond: { k: 'isnull', type: T.bool, arg: next, negate: false }, then: acc },
            { cond: better, then: next },
          ],
          else: acc,
        };
      }
      return acc;
    }
    default:
      break;
  }
  if (e.namedArgs.length > 0 || e.name === 'time_bucket') {
    const args = positionalArgs(e);
    const name = renamed.get(args) ?? e.name;
    return callFunction(name, args.map((a) => bindExpr(a, ctx)), ctx, e.position);
  }
  return undefined;
}
