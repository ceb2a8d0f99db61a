export { crc32c } from './crc32c.js';
export { WriteAheadLog, type WalOptions, type WalOpenOptions } from './wal.js';
export { recoverWal, type WalRecord, type WalRecoveryReport, type WalRecoveryOptions } from './wal-recovery.js';
export { nodeWalFs, syncDirectory, type WalFs } from './wal-fs.js';
export {
  DEFAULT_SEGMENT_BYTES,
  SEGMENT_HEADER_BYTES,
  RECORD_HEADER_BYTES,
  listSegments,
  segmentFileName,
  type SegmentFile,
} from './segment-files.js';
export { lockDataDir, type DataDirLock, type LockDataDirOptions } from './data-dir-lock.js';
