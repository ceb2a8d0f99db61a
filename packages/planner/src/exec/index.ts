/** Access-node operators: the part of a plan above the data nodes. */
export type { BatchSource, JoinType } from './types.js';
export { BATCH_ROWS } from './types.js';
export { hashJoinOp, type HashJoinSpec } from './join-hash.js';
export { nestedLoopJoinOp, type NestedLoopJoinSpec } from './join-nested-loop.js';
export { lateralJoinOp, type LateralJoinSpec } from './join-lateral.js';
export { windowOp, DEFAULT_FRAME, type WindowSpec, type WindowCallSpec, type FrameSpec, type FrameBound, type BoundKind } from './window.js';
export { setOp, type SetOpSpec } from './setop.js';
export { valuesOp, singleRowOp, emptyOp } from './values.js';
export { functionScanOp, type FunctionScanSpec } from './function-scan.js';
export { zipFunctionsOp } from './zip-functions.js';
export { materializeOp, type MaterializedSource } from './materialize.js';
export { recursiveUnionOp, createWorkTable, workTableScanOp, type WorkTable, type RecursiveUnionSpec } from './recursive.js';
export { collectRows, collectBatches, batchToRows, rowsToBatch } from './rows.js';
