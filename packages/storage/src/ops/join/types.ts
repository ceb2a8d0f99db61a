import type { BatchSource } from '../source.js';
export type { BatchSource };
export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti';
/** rows per output batch of the join operators */
export const BATCH_ROWS = 8192;
