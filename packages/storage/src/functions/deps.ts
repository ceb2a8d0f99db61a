/** Coercion test and value output, as the binder's casts and the wire's text I/O define them. */
import type { EvalContext } from '../expr/expr.js';
import { canCoerce } from '../types/casts.js';
import type { SqlType } from '../types/sql-type.js';
import { formatText } from '../types/text-io.js';
import type { Value } from '../types/values.js';

/** pg_cast entries with castcontext 'i' (and array coercions over them). */
export function implicitlyCoercible(from: SqlType, to: SqlType): boolean {
  return canCoerce(from, to, 'implicit');
}

/** Output-function text of a non-NULL value (what concat/format print). */
export function formatValue(v: Value, t: SqlType, ctx: EvalContext): string {
  if (typeof v === 'string') return v;
  return formatText(t, v, ctx.settings);
}
