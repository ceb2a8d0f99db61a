/** The aggregate operator's only link to the accumulator module (one vi.mock target for tests). */
export { createAccumulator, deserializeAccumulator } from '../aggregates/index.js';
export type { AccumulatorOptions, GroupedAccumulator, ResolvedAggregate } from '../aggregates/index.js';
