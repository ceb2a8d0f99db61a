/**
 * The data directory of one engine: recovery at open, one WAL record per
 * committed transaction, checkpoints, and the wait for durability before a
 * client hears "done".
 *
 * Commit protocol (Transaction.commit): every table transaction validates
 * (prepareCommit), then `logCommit` encodes the record and writes it to the OS
 * synchronously — a full disk fails the writer (53100) before anything became
 * visible — then the commits are published in memory, and the reply to the
 * client waits for the group-committed fdatasync (`synchronous_commit = on`).
 * Readers may see a commit before its fsync completes (in-process sessions read
 * the shared store), but no client is told it succeeded before it is durable.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SqlError, SQLSTATE } from '../../../../storage/src/errors.js';
import type { TableStore } from '../../../../storage/src/table/index.js';
import { TableStore as TableStoreClass } from '../../../../storage/src/table/index.js';
import { WriteAheadLog, lockDataDir, type WalFs, type DataDirLock } from '../../../../storage/src/wal/index.js';
import { checksumFields } from '../../../../storage/src/wal/checksum.js';
import { ByteArena } from '../../../../storage/src/persist/bytes.js';
import {
  adoptImageFiles,
  applyTableDelta,
  captureStoreImage,
  reconcileStoreSchema,
  restoredStoreImage,
  restoreTableStore,
  storeSchemaIdentity,
  type PreparedTableCommit,
  type WrittenStoreImage,
} from '../../../../storage/src/persist/index.js';
import { LogAhead, type TransactionTables } from './log-ahead.js';
import { Catalog, type ChunkChange, type TableInfo, type UndoAction } from '../../../../planner/src/catalog/catalog.js';
import type { ChunkInfo } from '../../../../planner/src/catalog/hypertable.js';
import { restoreCatalog, serializeCatalog, storesOf } from '../../../../planner/src/catalog/persist.js';
import {
  decodeCatalogRecord,
  decodeCommitRecord,
  encodeCommitRecord,
  PART_BYTES,
  RECORD_CATALOG,
  RECORD_COMMIT,
  RECORD_PART,
  type ChunkOp,
  type CommitRecord,
  type OutgoingStoreDelta,
  byteLength,
  type SequencePosition,
} from './commit-record.js';
import { readCurrentCheckpoint, removeOtherCheckpoints, writeCheckpoint, type CheckpointStore, type WrittenCheckpoint } from './checkpoint.js';

/** Unsynced log bytes from which a large commit starts syncing its parts before its commit record. */
const EARLY_SYNC_BYTES = 32 * 1024 * 1024;
/** A session is committing alone when no other session has committed for this long (see commitLogged). */
const ALONE_AFTER_MS = 10;
/** A commit alone flushes in place only while the log's fdatasyncs take less than this on average. */
const IN_PLACE_MAX_SYNC_MS = 4;

export interface DurabilityOptions {
  /** file-system seam of the WAL (fault-injection tests) */
  walFs?: WalFs;
  segmentBytes?: number;
  /** deltas larger than this are logged in their own records ahead of the commit record (default 16 MiB) */
  partBytes?: number;
  /** a bulk load (COPY, Strata.insert) logs a table's rows ahead of its commit once this many are not in the log yet (default 32,768) */
  aheadRows?: number;
  /** a checkpoint starts once the log has grown this much since the last one (default 1 GiB, PostgreSQL's max_wal_size) */
  checkpointWalBytes?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export interface RecoveryReport {
  /** the data directory was created by this open */
  created: boolean;
  checkpointLsn: number | null;
  checkpointRows: number;
  records: number;
  walBytes: number;
  /** bytes of a torn or corrupt log tail that were cut off */
  cutBytes: number;
  millis: number;
}

/** What a transaction hands the log at commit. */
export interface LoggedTransaction extends TransactionTables {
  readonly undo: readonly UndoAction[];
}

/** A table transaction past its checks, with the store it commits to. */
export interface PreparedStoreCommit {
  readonly store: TableStore;
  readonly commit: PreparedTableCommit;
}

interface PendingChunkChange {
  undoAction: UndoAction | undefined;
  change: ChunkChange;
}

const RECORD_KIND_NAMES: Record<number, string> = { [RECORD_COMMIT]: 'commit', [RECORD_CATALOG]: 'catalog' };

export class Durability {
  private wal!: WriteAheadLog;
  /**
   * Where commit records' deltas are encoded: reset once each record is handed to the log. Shared
   * memory the log's writer thread writes records from in place, so a bulk load's deltas are not
   * copied into its ring (100-150 ms of the main thread per 10M TSBS rows).
   */
  private readonly arena = new ByteArena(undefined, undefined, {
    share: (b) => this.wal.shareBuffer(b),
    unshare: (b) => this.wal.unshareBuffer(b),
    holds: (b) => this.wal.holdsBuffer(b),
  });
  private readonly ahead = new LogAhead(() => this.wal, (store) => this.keyOf(store), this.arena);
  private lock: DataDirLock | null = null;
  private catalog: Catalog = new Catalog();
  /** chunks whose creating transaction committed: catalog images leave out the others */
  private readonly committedChunks = new Set<ChunkInfo>();
  private readonly loggedSchema = new WeakMap<TableStore, unknown>();
  private storeKeys = new WeakMap<TableStore, string>();
  private chunkOwners = new WeakMap<TableStore, { table: TableInfo; chunk: ChunkInfo } | null>();
  private readonly loggedSequences = new Map<string, string>();
  private readonly pendingChunkChanges = new WeakMap<readonly UndoAction[], PendingChunkChange[]>();
  private lastCheckpointLsn = 0;
  private skippedDeltas = 0;
  private replayStoreMap: Map<string, TableStore> | null = null;
  /** RECORD_PART payloads read during recovery, by end LSN, until their commit record */
  private readonly pendingParts = new Map<number, Uint8Array>();
  private checkpointRun: Promise<WrittenCheckpoint | null> | null = null;
  private checkpointScheduled = false;
  /** the LSN the running checkpoint covers */
  private checkpointRunLsn = 0;
  /** What the last checkpoint of this process wrote per store key (null before the first: restored stores know their files). */
  private checkpointImages: Map<string, WrittenStoreImage> | null = null;
  private closed = false;
  /** The session whose commit was logged last, when, and when another session's was (see commitLogged). */
  private lastCommitter = -1;
  private lastCommitMs = 0;
  private otherCommitMs = Number.NEGATIVE_INFINITY;
  report!: RecoveryReport;
  /**
   * The transactions open in the engine's sessions (the engine sets this): the catalog is shared and
   * DDL applies in place, so a catalog image taken while one of them has uncommitted DDL would carry it.
   */
  openTransactions: () => Iterable<LoggedTransaction> = () => [];

  private constructor(
    readonly dataDir: string,
    private readonly opts: DurabilityOptions,
  ) {}

  /** Lock the directory, load the current checkpoint and replay the log after it. */
  static open(dataDir: string, opts: DurabilityOptions = {}): Durability {
    const d = new Durability(path.resolve(dataDir), opts);
    d.recover();
    return d;
  }

  /** The recovered catalog: the engine adopts it before any session starts. */
  get recoveredCatalog(): Catalog {
    return this.catalog;
  }

  get flushedLsn(): number {
    return this.wal.flushedLsn;
  }

  get writtenLsn(): number {
    return this.wal.writtenLsn;
  }

  private recover(): void {
    const started = performance.now();
    const created = !fs.existsSync(this.dataDir) || fs.readdirSync(this.dataDir).filter((n) => n !== 'strata.pid').length === 0;
    fs.mkdirSync(this.dataDir, { recursive: true });
    this.lock = lockDataDir(this.dataDir);
    try {
      const cp = readCurrentCheckpoint(this.dataDir);
      let checkpointRows = 0;
      if (cp) {
        this.catalog = restoreCatalog(cp.catalogImage, (key, spec) => {
          const files = cp.manifest.stores[key];
          if (!files) return new TableStoreClass(spec);
          const store = restoreTableStore(files.map((f) => ({ path: path.join(cp.dir, f.name), ...checksumFields(f), bytes: f.bytes })));
          checkpointRows += store.latest().rowCount;
          return store;
        });
        this.lastCheckpointLsn = cp.manifest.lsn;
      }
      // from before the checkpoint when transactions open at it had logged rows ahead: their parts are
      // read from there, everything else up to the checkpoint is in it already
      const replayFrom = cp?.manifest.replayFrom ?? this.lastCheckpointLsn;
      const onRecord = (rec: { type: number; payload: Uint8Array; lsn: number; endLsn: number }) => {
        if (rec.endLsn > this.lastCheckpointLsn) this.replay(rec.type, rec.payload, rec.lsn, rec.endLsn);
        else if (rec.type === RECORD_PART) this.pendingParts.set(rec.endLsn, rec.payload.slice());
      };
      const { log, report } = WriteAheadLog.recover(path.join(this.dataDir, 'wal'), replayFrom, onRecord, {
        fs: this.opts.walFs,
        segmentBytes: this.opts.segmentBytes,
      });
      this.wal = log;
      this.replayStoreMap = null;
      // parts whose commit record never came: a transaction cut short by a crash or a full disk
      this.pendingParts.clear();
      for (const t of this.catalog.listHypertables()) for (const c of t.hypertable!.chunks) this.committedChunks.add(c);
      this.noteAllSchemasLogged();
      for (const [name, s] of this.catalog.sequences) this.loggedSequences.set(name, `${s.value}/${s.called}`);
      this.catalog.chunkObserver = (undo, change) => this.onChunkChange(undo, change);
      this.report = {
        created,
        checkpointLsn: cp ? cp.manifest.lsn : null,
        checkpointRows,
        records: report.records,
        walBytes: report.bytes,
        cutBytes: report.cutBytes ?? 0,
        millis: performance.now() - started,
      };
      if (this.skippedDeltas > 0) this.opts.log?.('warn', `${this.skippedDeltas} logged writes to tables dropped meanwhile were skipped`);
      if (report.cutBytes) this.opts.log?.('warn', `the log ended in a torn or corrupt record: ${report.cutBytes} bytes cut at LSN ${report.cutAt}`);
    } catch (e) {
      this.lock.release();
      this.lock = null;
      throw e;
    }
  }

  // ---- replay -----------------------------------------------------------------------------

  private replay(type: number, payload: Uint8Array, lsn: number, endLsn: number): void {
    try {
      // the log reader reuses its buffer: a part waiting for its commit record is copied
      if (type === RECORD_PART) this.pendingParts.set(endLsn, payload.slice());
      else if (type === RECORD_COMMIT) this.replayCommit(decodeCommitRecord(payload));
      else if (type === RECORD_CATALOG) this.replayImage(decodeCatalogRecord(payload));
      else throw new SqlError(SQLSTATE.dataCorrupted, `unknown WAL record type ${type}`);
    } catch (e) {
      const err = e instanceof SqlError ? e : new SqlError(SQLSTATE.dataCorrupted, (e as Error).message);
      err.message = `replaying the ${RECORD_KIND_NAMES[type] ?? 'unknown'} record at WAL position ${lsn}: ${err.message}`;
      throw err;
    }
  }

  /** key → store during replay; rebuilt only after a record changes the catalog, not per record */
  private replayStores(): Map<string, TableStore> {
    return (this.replayStoreMap ??= storesOf(this.catalog));
  }

  private replayImage(image: string): void {
    const live = this.replayStores();
    this.replayStoreMap = null;
    this.catalog = restoreCatalog(image, (key, spec) => {
      const store = live.get(key);
      if (!store) return new TableStoreClass(spec);
      reconcileStoreSchema(store, spec);
      return store;
    });
    this.storeKeys = new WeakMap();
    this.chunkOwners = new WeakMap();
  }

  private replayCommit(r: CommitRecord): void {
    if (r.catalogImage !== undefined) this.replayImage(r.catalogImage);
    else for (const op of r.chunkOps) this.replayChunkOp(op);
    for (const s of r.sequences) {
      const seq = this.catalog.sequences.get(s.name);
      if (seq) {
        seq.value = s.value;
        seq.called = s.called;
      }
    }
    if (r.deltas.length === 0 && r.parts.length === 0) return;
    const stores = this.replayStores();
    const partDeltas = r.parts.map((p) => {
      const bytes = this.pendingParts.get(p.endLsn);
      if (!bytes) throw new SqlError(SQLSTATE.dataCorrupted, `the commit names a delta at WAL position ${p.endLsn} that is not in the log`);
      this.pendingParts.delete(p.endLsn);
      return { key: p.key, bytes };
    });
    for (const d of [...partDeltas, ...r.deltas]) {
      const store = stores.get(d.key);
      if (!store) {
        // a write that raced another session's DROP (the catalog is shared, DDL applies in place):
        // the table is gone in the image logged by then, and so is its data
        this.skippedDeltas++;
        continue;
      }
      applyTableDelta(store, d.bytes);
    }
  }

  private tableByOid(oid: number): TableInfo {
    const t = this.catalog.listTables().find((x) => x.oid === oid);
    if (!t?.hypertable) throw new SqlError(SQLSTATE.dataCorrupted, `a chunk change of hypertable OID ${oid}, which the catalog does not know`);
    return t;
  }

  private replayChunkOp(op: ChunkOp): void {
    this.replayStoreMap = null;
    const table = this.tableByOid(op.tableOid);
    if (op.kind === 'create') {
      this.catalog.createChunk(table, { timeStart: op.timeStart, timeEnd: op.timeEnd, spaceIndex: op.spaceIndex, numPartitions: op.numPartitions, nodes: op.nodes }, [], op.id);
    } else {
      const ids = new Set(op.ids);
      this.catalog.dropChunks(table, table.hypertable!.chunks.filter((c) => ids.has(c.id)), []);
    }
  }

  // ---- logging ----------------------------------------------------------------------------

  private onChunkChange(undo: readonly UndoAction[], change: ChunkChange): void {
    let list = this.pendingChunkChanges.get(undo);
    if (!list) this.pendingChunkChanges.set(undo, (list = []));
    list.push({ undoAction: undo[undo.length - 1], change });
  }

  /** The chunk changes of a transaction that a savepoint rollback did not undo. */
  private chunkChangesOf(txn: LoggedTransaction): PendingChunkChange[] {
    const list = this.pendingChunkChanges.get(txn.undo);
    if (!list || list.length === 0) return [];
    const live = new Set(txn.undo);
    return list.filter((p) => p.undoAction !== undefined && live.has(p.undoAction));
  }

  /** The hypertable chunk a store is a replica of (null: a table's own store). */
  private chunkOfStore(store: TableStore): { table: TableInfo; chunk: ChunkInfo } | null {
    let owner = this.chunkOwners.get(store);
    if (owner === undefined) {
      for (const table of this.catalog.listHypertables()) {
        for (const chunk of table.hypertable!.chunks) for (const s of chunk.stores.values()) this.chunkOwners.set(s, { table, chunk });
      }
      owner = this.chunkOwners.get(store);
      if (owner === undefined) this.chunkOwners.set(store, null);
    }
    return owner ?? null;
  }

  /** The store's key; null for a store no longer in the catalog that was never logged (created and dropped by this transaction). */
  private keyOf(store: TableStore): string | null {
    let key = this.storeKeys.get(store);
    if (key === undefined) {
      for (const [k, s] of storesOf(this.catalog)) this.storeKeys.set(s, k);
      key = this.storeKeys.get(store);
    }
    return key ?? null;
  }

  private noteAllSchemasLogged(): void {
    for (const s of storesOf(this.catalog).values()) this.loggedSchema.set(s, storeSchemaIdentity(s));
  }

  private changedSequences(): SequencePosition[] {
    const out: SequencePosition[] = [];
    for (const [name, s] of this.catalog.sequences) {
      const v = `${s.value}/${s.called}`;
      if (this.loggedSequences.get(name) !== v) out.push({ name, value: s.value, called: s.called });
    }
    return out;
  }

  /**
   * Writes the commit record of `txn` to the OS and returns the LSN past it (0: nothing to log).
   * Throws (53100 disk full, 58030 I/O error) before anything is published; the caller rolls back.
   */
  logCommit(txn: LoggedTransaction, prepared: readonly PreparedStoreCommit[]): number {
    this.assertOpen();
    const ahead = this.ahead.take(txn);
    const chunkChanges = this.chunkChangesOf(txn);
    const created = new Set<ChunkInfo>();
    const dropped = new Set<ChunkInfo>();
    for (const { change } of chunkChanges) {
      // a chunk another commit already made committed (it wrote into it first) is logged already
      if (change.kind === 'create') {
        if (!this.committedChunks.has(change.chunk)) created.add(change.chunk);
      } else for (const c of change.chunks) dropped.add(c);
    }
    // a write into a chunk that another, still open transaction created: this commit makes the chunk
    // committed (its creator's rollback keeps it, Catalog.createChunk), so this record creates it
    const adopted: { table: TableInfo; chunk: ChunkInfo }[] = [];
    for (const p of prepared) {
      const owner = this.chunkOfStore(p.store);
      if (owner && !this.committedChunks.has(owner.chunk) && !created.has(owner.chunk)) {
        created.add(owner.chunk);
        adopted.push(owner);
      }
    }
    const createdStores = new Set<TableStore>();
    for (const c of created) for (const s of c.stores.values()) createdStores.add(s);
    // catalog changes besides chunks (every DDL leaves an undo action), or a store whose schema changed
    // (ALTER TABLE, possibly by another session's uncommitted DDL): the record carries a whole catalog image
    let needsImage = txn.undo.length > chunkChanges.length;
    for (const p of prepared) {
      if (!createdStores.has(p.store) && this.loggedSchema.get(p.store) !== storeSchemaIdentity(p.store)) needsImage = true;
    }
    // the image would carry another open transaction's uncommitted DDL: after a crash its tables would
    // exist (or, for a DROP, be gone) although it never committed. Such commits wait for it to end.
    if (needsImage && this.uncommittedDdl(txn)) {
      throw new SqlError(SQLSTATE.lockNotAvailable, 'cannot commit a catalog change while another transaction has uncommitted DDL', {
        detail: 'The log records catalog changes as images of the shared catalog, which holds the other transaction\'s changes until it ends.',
        hint: 'Retry once the other transaction has committed or rolled back.',
      });
    }
    const image = needsImage
      ? serializeCatalog(this.catalog, { includeChunk: (c) => (this.committedChunks.has(c) || created.has(c)) && !dropped.has(c) })
      : undefined;
    const record: CommitRecord<OutgoingStoreDelta> = {
      catalogImage: image,
      chunkOps:
        image === undefined
          ? [
              ...adopted.map(({ table, chunk }) => chunkOp({ kind: 'create', table, chunk })),
              ...chunkChanges.filter(({ change }) => change.kind === 'drop' || created.has(change.chunk)).map(({ change }) => chunkOp(change)),
            ]
          : [],
      sequences: this.changedSequences(),
      parts: [],
      deltas: [],
    };
    // with an image, only stores it holds get deltas: writes to a table this transaction dropped are moot
    const imaged = image !== undefined ? new Set(storesOf(this.catalog).values()) : null;
    let lsn: number;
    try {
      lsn = this.appendCommit(record, image, prepared, txn, ahead, imaged);
    } finally {
      this.arena.reset();
    }
    if (lsn === 0) return 0;
    for (const c of created) this.committedChunks.add(c);
    for (const c of dropped) this.committedChunks.delete(c);
    if (image !== undefined) this.noteAllSchemasLogged();
    else for (const s of createdStores) this.loggedSchema.set(s, storeSchemaIdentity(s));
    for (const s of record.sequences) this.loggedSequences.set(s.name, `${s.value}/${s.called}`);
    this.maybeCheckpoint();
    return lsn;
  }

  /** The deltas of `prepared` into `record` (large ones ahead in parts of their own), then the record; 0 when there is nothing to log. */
  private appendCommit(
    record: CommitRecord<OutgoingStoreDelta>,
    image: string | undefined,
    prepared: readonly PreparedStoreCommit[],
    txn: LoggedTransaction,
    ahead: ReturnType<LogAhead['take']>,
    imaged: Set<TableStore> | null,
  ): number {
    for (const p of prepared) {
      const key = this.keyOf(p.store);
      if (key === null || (imaged !== null && !imaged.has(p.store))) continue;
      if (p.commit.loggedAhead) {
        const t = txn.tables.get(p.store);
        const early = t === undefined ? undefined : ahead?.byTable.get(t);
        if (early === undefined) throw new Error(`rows of "${p.commit.table}" were logged ahead, but their parts are unknown`);
        record.parts.push(...early);
      }
      const parts = p.commit.encode(this.arena);
      // a large delta goes ahead in its own record, so no record nears the 4 GiB limit and the
      // encoded deltas of a big COPY are not all held at once; the commit record below decides
      if (byteLength(parts) > (this.opts.partBytes ?? PART_BYTES)) {
        const endLsn = this.wal.append(RECORD_PART, parts);
        record.parts.push({ key, endLsn });
        // a commit of many MiB starts syncing what is written while the next deltas are encoded
        // (fdatasync runs on the thread pool); a smaller one syncs once, after its commit record, while
        // it publishes (Transaction.commit): a sync started here would make that one wait behind it.
        // A failure is not lost: the log turns failed and the commit's own flush reports it.
        if (this.wal.writtenLsn - this.wal.flushedLsn >= EARLY_SYNC_BYTES) this.wal.flush(endLsn).catch(() => {});
      } else record.deltas.push({ key, parts });
    }
    if (image === undefined && record.chunkOps.length === 0 && record.sequences.length === 0 && record.deltas.length === 0 && record.parts.length === 0) return 0;
    return this.wal.append(RECORD_COMMIT, encodeCommitRecord(record));
  }

  /**
   * Writes the rows of `txn`'s tables that are not in the log yet, once a table has enough of them
   * (log-ahead.ts): a bulk load logs as it goes. Throws like logCommit; the transaction must roll back.
   */
  logAhead(txn: LoggedTransaction): void {
    this.assertOpen();
    this.ahead.log(txn, this.opts.aheadRows);
  }

  /** The transaction rolled back: what it logged ahead is named by no commit. */
  forgetAhead(txn: LoggedTransaction): void {
    this.ahead.forget(txn);
  }

  /** Catalog changes other than chunk creation/removal (every DDL leaves an undo action). */
  private hasDdl(txn: LoggedTransaction): boolean {
    return txn.undo.length > this.chunkChangesOf(txn).length;
  }

  /** Whether an open transaction other than `except` has catalog changes (other than chunks) it has not committed. */
  private uncommittedDdl(except: LoggedTransaction | null): boolean {
    for (const t of this.openTransactions()) if (t !== except && this.hasDdl(t)) return true;
    return false;
  }

  /**
   * A commit of `committer` (a session id) was logged up to `lsn` and is about to be published.
   * With other sessions committing, its fdatasync starts now on the thread pool, shared with theirs
   * (group commit), while it publishes. A session committing alone flushes in place when it replies
   * (replyFlush), blocking the event loop for one fdatasync: measured with one client, the pool's
   * hops cost more than the overlap with publishing gained (docs/BENCHMARKS.md). When the log's
   * writer thread took the record, the thread syncs right after writing it, while this publishes,
   * and the reply blocks until it has: for a bulk load that beat waiting on the event loop for the
   * thread's message (72 → 76 % of the in-memory rate, in-process A/B), which also let V8 finish
   * garbage collections in the idle time.
   */
  commitLogged(lsn: number, committer: number): void {
    if (committer !== this.lastCommitter) {
      this.otherCommitMs = this.lastCommitMs;
      this.lastCommitter = committer;
    }
    this.lastCommitMs = performance.now();
    if (this.flushesInPlace(committer)) this.wal.syncAfterThreadWrites();
    else this.startFlush(lsn);
  }

  /**
   * What a reply must wait for so that `lsn` is durable: null once it is — flushed in place when
   * `committer` commits alone and the log is idle — else the group commit's flush (concurrent
   * callers share one fdatasync).
   */
  replyFlush(lsn: number, committer: number): Promise<void> | null {
    if (lsn <= this.wal.flushedLsn) return null;
    if (this.flushesInPlace(committer)) {
      try {
        this.wal.flushSync(lsn);
        return null;
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return this.wal.flush(lsn);
  }

  /**
   * Whether a commit of `committer` syncs on the main thread (or waits there for the writer
   * thread's sync): it is the only session committing (nobody else's commit in ALONE_AFTER_MS), no
   * flush runs or is awaited, and the disk is fast (blocking the event loop for a slow fdatasync
   * would stall every other session's reads).
   */
  private flushesInPlace(committer: number): boolean {
    return (
      committer === this.lastCommitter &&
      performance.now() - this.otherCommitMs >= ALONE_AFTER_MS &&
      this.wal.syncIdle &&
      this.wal.recentSyncMillis < IN_PLACE_MAX_SYNC_MS
    );
  }

  /**
   * Starts the fdatasync that will make `lsn` durable without waiting for it. A failure is not lost:
   * the log turns failed, and the commit's own replyFlush reports it.
   */
  startFlush(lsn: number): void {
    if (lsn > this.wal.flushedLsn) this.wal.flush(lsn).catch(() => {});
  }

  waitDurableSync(lsn: number): void {
    if (lsn > this.wal.flushedLsn) this.wal.flushSync(lsn);
  }

  /** synchronous_commit = off: on disk within 200 ms, nobody waits. */
  flushSoon(): void {
    this.wal.flushInBackground();
  }

  private assertOpen(): void {
    if (this.closed) throw new SqlError(SQLSTATE.objectNotInPrerequisiteState, 'the database is shutting down');
  }

  // ---- checkpoints ------------------------------------------------------------------------

  private maybeCheckpoint(): void {
    const limit = this.opts.checkpointWalBytes ?? 1024 * 1024 * 1024;
    if (this.checkpointRun || this.checkpointScheduled || this.wal.writtenLsn - this.lastCheckpointLsn < limit) return;
    // a later commit tries again: the checkpoint's catalog image must not carry uncommitted DDL
    if (this.uncommittedDdl(null)) return;
    // not now: the commit that crossed the limit is logged but not yet published, and a checkpoint
    // taken here would claim its LSN without its rows
    this.checkpointScheduled = true;
    setImmediate(() => {
      this.checkpointScheduled = false;
      if (this.closed) return;
      this.checkpoint().catch((e: unknown) => this.opts.log?.('error', `checkpoint failed: ${(e as Error).message}`));
    });
  }

  /**
   * Captures the committed state now (synchronously: catalog image and immutable store versions at one
   * LSN), writes it in the background, then cuts the log. A call while a checkpoint runs shares it when
   * it covers everything logged so far, and otherwise starts the next one once it is done (CHECKPOINT
   * must cover every commit before it).
   */
  checkpoint(): Promise<WrittenCheckpoint | null> {
    if (this.checkpointRun) {
      if (this.checkpointRunLsn >= this.wal.writtenLsn) return this.checkpointRun;
      return this.checkpointRun.catch(() => null).then(() => (this.closed ? null : this.checkpoint()));
    }
    const lsn = this.wal.writtenLsn;
    if (lsn === this.lastCheckpointLsn && fs.existsSync(path.join(this.dataDir, 'CURRENT'))) return Promise.resolve(null);
    if (this.uncommittedDdl(null)) {
      return Promise.reject(
        new SqlError(SQLSTATE.lockNotAvailable, 'cannot checkpoint while a transaction has uncommitted DDL', {
          hint: 'Retry once it has committed or rolled back; the log keeps every commit meanwhile.',
        }),
      );
    }
    // the parts of transactions still open must outlive this checkpoint: their commits will name them
    const oldestAhead = this.ahead.oldestLsn();
    const replayFrom = oldestAhead < lsn ? oldestAhead : undefined;
    const catalogImage = serializeCatalog(this.catalog, { includeChunk: (c) => this.committedChunks.has(c) });
    const committedKeys = new Set<string>();
    for (const t of this.catalog.listTables()) {
      for (const c of t.hypertable?.chunks ?? []) if (this.committedChunks.has(c)) for (const n of c.nodes) committedKeys.add(`c:${n}:${c.id}`);
    }
    const stores: CheckpointStore[] = [];
    for (const [key, store] of storesOf(this.catalog)) {
      if (key.startsWith('c:') && !committedKeys.has(key)) continue;
      // chunks unchanged since the current checkpoint are linked from its files
      const previous = this.checkpointImages === null ? restoredStoreImage(store) : this.checkpointImages.get(key);
      stores.push({ key, image: captureStoreImage(store), previous });
    }
    const started = performance.now();
    const run = (async () => {
      // the log up to `lsn` must be on disk before a checkpoint that replaces it is made current
      await this.wal.flush(lsn);
      let written: WrittenCheckpoint;
      try {
        written = await writeCheckpoint(this.dataDir, { lsn, replayFrom, catalogImage, stores });
      } catch (e) {
        throw checkpointError(e);
      }
      this.lastCheckpointLsn = lsn;
      this.checkpointImages = written.images;
      // batches a restart left unread move to this checkpoint's links of their files before older ones go
      for (const image of written.images.values()) adoptImageFiles(image);
      this.wal.truncateBefore(replayFrom ?? lsn);
      await removeOtherCheckpoints(this.dataDir, path.basename(written.dir));
      const linked = written.linkedFiles > 0 ? ` (${written.linkedFiles} files, ${(written.linkedBytes / 1048576).toFixed(1)} MiB unchanged, linked)` : '';
      this.opts.log?.('info', `checkpoint at WAL position ${lsn}: ${written.files} files, ${(written.bytes / 1048576).toFixed(1)} MiB${linked} in ${Math.round(performance.now() - started)} ms`);
      return written;
    })();
    this.checkpointRun = run;
    this.checkpointRunLsn = lsn;
    const clear = () => {
      if (this.checkpointRun === run) this.checkpointRun = null;
    };
    run.then(clear, clear);
    return run;
  }

  /**
   * Tests: stop like a killed process — no checkpoint, nothing further logged; what was written is
   * in the files (as after kill -9, which loses nothing already handed to the OS). The lock is freed
   * so the same process can open the directory again.
   */
  simulateCrash(): void {
    if (this.closed) return;
    this.closed = true;
    this.catalog.chunkObserver = null;
    this.wal.close().catch(() => {});
    this.lock?.release();
    this.lock = null;
  }

  /** Clean shutdown: a final checkpoint (so the next start replays nothing), then the log and the lock. */
  async close(opts: { checkpoint?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    if (this.checkpointRun) await this.checkpointRun.catch(() => null);
    if (opts.checkpoint !== false) await this.checkpoint().catch((e: unknown) => this.opts.log?.('error', `final checkpoint failed: ${(e as Error).message}`));
    this.closed = true;
    await this.wal.close();
    this.catalog.chunkObserver = null;
    this.lock?.release();
    this.lock = null;
  }
}

/** File-system errors of a checkpoint as PostgreSQL reports them (the log and the old checkpoint stay valid). */
function checkpointError(e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (e instanceof SqlError || code === undefined) return e;
  const what = `could not write checkpoint: ${(e as Error).message}`;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new SqlError(SQLSTATE.diskFull, what);
  return new SqlError(SQLSTATE.ioError, what);
}

function chunkOp(change: ChunkChange): ChunkOp {
  if (change.kind === 'create') {
    const c = change.chunk;
    return { kind: 'create', tableOid: change.table.oid, id: c.id, timeStart: c.timeStart, timeEnd: c.timeEnd, spaceIndex: c.spaceIndex, numPartitions: c.numPartitions, nodes: [...c.nodes] };
  }
  return { kind: 'drop', tableOid: change.table.oid, ids: change.chunks.map((c) => c.id) };
}
