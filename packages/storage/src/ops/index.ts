/** Fragment operators: what a data node (and the access node) runs over batches. */
export type { BatchSource } from './source.js';
export { BATCH_ROWS, appendOp, batchesOf, chunked, concatBatches, firstValue, rebatch, sliceBatch } from './source.js';
export { filterOp } from './filter.js';
export { projectOp } from './project.js';
export type { AggCallSpec, HashAggregateSpec, PartialState } from './aggregate.js';
export { PARTIAL_STATE_TYPE, accumulatorOptions, hashAggregateOp, isPartialState } from './aggregate.js';
export type { SortKeySpec } from './sort.js';
export { sortOp } from './sort.js';
export { limitOp } from './limit.js';
export { distinctOp } from './distinct.js';
export { firstPerGroupOp } from './first-per-group.js';
