/**
 * The one place the access-node operators import colleague modules that may be
 * written in parallel (expression compiler, aggregate accumulators). Tests
 * replace this module with `vi.mock('./deps.js', …)` so they do not depend on
 * which function ids or aggregates those modules register.
 */
export { compileExpr } from '../../../storage/src/expr/compile.js';
export { createAccumulator } from '../../../storage/src/aggregates/index.js';
export type { ResolvedAggregate, GroupedAccumulator } from '../../../storage/src/aggregates/index.js';
