/** statement_timeout: checked by scans between batches, so every plan shape stops at its input. */
import { SqlError, SQLSTATE } from '../errors.js';
import type { EvalContext } from './expr.js';

export function checkDeadline(ctx: EvalContext): void {
  if (ctx.deadline !== undefined && Date.now() > ctx.deadline) {
    throw new SqlError(SQLSTATE.queryCanceled, 'canceling statement due to statement timeout');
  }
}
