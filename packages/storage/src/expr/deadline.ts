/**
 * Interrupts of a running statement: statement_timeout and a client's
 * CancelRequest. Scans check between batches, and the loops that can run long
 * without reaching a scan (table functions, joins' pair batches, recursive
 * CTEs, windows, sorts) check every batch too, so every plan shape stops promptly.
 */
import { SqlError, SQLSTATE } from '../errors.js';
import type { EvalContext } from './expr.js';

export function checkDeadline(ctx: EvalContext): void {
  // the flag lives in a SharedArrayBuffer the postmaster thread writes: one atomic load per batch
  if (ctx.cancelFlag !== undefined && Atomics.load(ctx.cancelFlag, 0) !== 0) {
    throw new SqlError(SQLSTATE.queryCanceled, 'canceling statement due to user request');
  }
  if (ctx.deadline !== undefined && Date.now() > ctx.deadline) {
    throw new SqlError(SQLSTATE.queryCanceled, 'canceling statement due to statement timeout');
  }
}
