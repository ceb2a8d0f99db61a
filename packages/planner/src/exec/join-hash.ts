/** Moved to storage (data nodes run hash joins too); re-exported for the access-node operators. */
export * from '../../../storage/src/ops/join/hash-join.js';
