import type { EvalContext } from '../../../storage/src/expr/expr.js';
import type { Batch } from '../../../storage/src/vector.js';

/**
 * Structurally identical to storage's ops `BatchSource`, declared here so the
 * access-node operators do not depend on the data-node operator module.
 * Calling it again restarts the computation (rescans, correlated re-runs).
 */
export type BatchSource = (ctx: EvalContext) => Iterable<Batch>;

export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti';

/** Upper bound on rows per emitted batch; large enough to amortise per-batch work, small enough to stay in cache. */
export const BATCH_ROWS = 8192;
