export { applyTableDelta, decodeTableDelta, encodeTableDelta, type DecodedTableDelta, type DeltaColumn, type LiveRun, type TableCommitContents } from './table-delta.js';
export {
  captureStoreImage, relocateStoreImage, storeSchemaIdentity, writeStoreImage, type ImagedChunk, type StoreImage, type StoreImageFile, type WrittenStoreImage,
} from './store-image.js';
export { adoptImageFiles, reconcileStoreSchema, restoredStoreImage, restoreTableStore, type RestoreOptions, type StoreFileRef, type StoreSchemaTarget } from './store-restore.js';
export { decodeValue, encodeValue, readValue, writeValue } from './value-codec.js';
export { DATA_CORRUPTED } from './bytes.js';
export type { PreparedTableCommit } from '../table/txn.js';
