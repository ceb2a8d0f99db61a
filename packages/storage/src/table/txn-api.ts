/**
 * What a table transaction offers its callers (the engine's Transaction, the WAL's
 * commit path) and what it needs from its store; the implementation is txn.ts.
 */
import type { Value } from '../types/values.js';
import type { Batch } from '../vector.js';
import type { Chunk } from './chunk.js';
import type { ColumnSpec, Schema } from './schema.js';
import type { UniqueIndex } from './unique-index.js';
import type { TableVersion, VersionImpl } from './version.js';
import type { StringDict } from './dict.js';
import type { ByteArena } from '../persist/bytes.js';

export interface TableTxn {
  /** Committed base plus own writes, frozen at the call (later writes need a new view). */
  view(): TableVersion;
  /**
   * One vector per table column, in table column order, already of the column types.
   * `owned`: the caller hands the vectors' buffers over (it made them for this call and
   * never writes them again), so full-length typed arrays are kept instead of copied.
   */
  insert(batch: Batch, opts?: { owned?: boolean }): void;
  /**
   * Rows `rows` (indexes into `batch`, in order; all rows when null) of a batch with one vector
   * per table column: insert() of that selection, gathered straight into blocks commit can seal
   * without another copy (staging.ts). For bulk writers (COPY, routed hypertable parts).
   */
  insertSelected(batch: Batch, rows: Int32Array | null): void;
  insertRows(rows: readonly (readonly Value[])[]): void;
  /** Rows deleted; ids of rows not live in this txn's view are ignored. */
  delete(rowIds: ArrayLike<number>): number;
  truncate(): void;
  commit(): void;
  /**
   * First phase of commit(): every check commit() makes, without touching shared state.
   * Null when there is nothing to commit. Either way (and when it throws) the txn is finished.
   */
  prepareCommit(): PreparedTableCommit | null;
  rollback(): void;
  readonly active: boolean;
  /** Mark the current state (SAVEPOINT). */
  savepoint(): TxnSavepoint;
  /** Return to a marked state (ROLLBACK TO SAVEPOINT); the mark stays usable. */
  rollbackTo(mark: TxnSavepoint): void;
  /**
   * Rows inserted since the last takeRowsAhead() that may go to the log ahead of the commit; 0 when
   * none may (the txn truncated or deleted its own rows, or is finished).
   */
  rowsAhead(): number;
  /**
   * Those rows as a table delta of inserts alone, for a WAL part the commit record will name (a big
   * COPY logs as it goes instead of all at commit). Parts may view the txn's rows: write them at once.
   * The commit's own delta then leaves these rows out (PreparedTableCommit.loggedAhead), unless the
   * txn later deletes or rolls back any of them, truncates, or its schema changes. With an arena the
   * parts are carved from it (valid until its next reset).
   */
  takeRowsAhead(arena?: ByteArena): Uint8Array[];
}

/**
 * A validated table commit, between its checks and its publication. The checks hold
 * only for the version they saw, so apply() must run right after prepareCommit() with
 * nothing else touching the store in between (a stale apply throws instead of
 * publishing over another commit). Dropping it without apply() is a rollback.
 */
export interface PreparedTableCommit {
  /** Name of the table store the commit is for. */
  readonly table: string;
  /**
   * True when rows this txn logged ahead (takeRowsAhead) stay valid: they belong to the commit, and
   * encode() holds only what came after them. False: encode() holds everything, and the parts logged
   * ahead must not be applied.
   */
  readonly loggedAhead: boolean;
  /**
   * The commit as a table delta (persist/table-delta.ts), in parts to be written
   * out in order; callable before or after apply(). Parts may view the txn's rows:
   * write them before the next change to the table, do not keep them. With an arena
   * the parts are carved from it (valid until its next reset).
   */
  encode(arena?: ByteArena): Uint8Array[];
  /** Publishes the commit: exactly what commit() does after its checks. */
  apply(): void;
}

/** What a txn needs from its store. */
export interface StoreInternals {
  readonly name: string;
  readonly sealRows: number;
  schema(): Schema;
  current(): VersionImpl;
  indexes(): ReadonlyMap<string, UniqueIndex>;
  /** Dictionary to intern uncommitted text into (the chunk appends are expected to go to). */
  internDict(columnId: number): StringDict;
  /** The chunk appends go to, opening a new one when there is none or it is full. */
  appendChunk(): Chunk;
  /** Forget the chunk list (TRUNCATE): the next append opens a fresh chunk. */
  resetChunks(): void;
  publish(v: VersionImpl, indexes: ReadonlyMap<string, UniqueIndex>): void;
  format(v: Value, c: ColumnSpec): string;
  /** The txn now holds rows for the store that are neither committed nor rolled back (TableStore.hasPendingWrites). */
  writerStarted(txn: object): void;
  /** It holds none any more: committed (published), rolled back, or back to a savepoint before them. */
  writerEnded(txn: object): void;
}

/** Opaque state of a table transaction at a SAVEPOINT. */
export interface TxnSavepoint {
  readonly _txn: object;
}
