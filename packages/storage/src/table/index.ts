export { TableStore, defaultFormat, type TableStoreOptions } from './table-store.js';
export type { ColumnSpec, UniqueKeySpec } from './schema.js';
export type { PreparedTableCommit, TableTxn, TxnSavepoint } from './txn.js';
export { ROWID_CHUNK, type TableVersion, type ChunkView, type ScanBatch, type ScanOptions } from './version.js';
export type { BatchStats, ColumnStats } from './stats.js';
export { registerCodec, codecFor, type ValueCodec } from './codecs.js';
export { setDecodeCacheBytes } from './sealed-batch.js';
