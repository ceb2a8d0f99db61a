/**
 * Hypertable placement exactly as TimescaleDB computes it: PostgreSQL's hash
 * functions (hash.ts), dimension-slice arithmetic and data-node assignment
 * (dimension.ts), and the batch router that groups rows by chunk (router.ts).
 */
export * from './hash.js';
export * from './dimension.js';
export * from './router.js';
