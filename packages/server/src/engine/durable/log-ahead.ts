/**
 * Rows a big transaction writes to the log before it commits: WAL parts that its
 * commit record names later, as the commit path already does for large deltas.
 * A COPY of millions of rows then encodes, checksums, writes and syncs its log
 * while the rest of it is still being parsed, instead of all at once at commit
 * with the parse thread idle.
 *
 * Parts of a transaction that rolls back are never named, so recovery drops them.
 * A checkpoint keeps the log from the first part of every transaction still open
 * (`oldestLsn`), since their commit records will need them.
 */
import type { TableStore, TableTxn } from '../../../../storage/src/table/index.js';
import type { WriteAheadLog } from '../../../../storage/src/wal/index.js';
import type { ByteArena } from '../../../../storage/src/persist/bytes.js';
import { SqlError, SQLSTATE } from '../../../../storage/src/errors.js';
import { RECORD_PART, type PartRef } from './commit-record.js';

/** A transaction logs ahead once this many of its rows (over all its tables) are not in the log yet. */
export const AHEAD_MIN_ROWS = 16 * 1024;
/** ...then every table of it with at least this share of that many rows: smaller parts are not worth a record. */
const AHEAD_MIN_SHARE = 1 / 16;

/** The transaction as the log sees it: its table transactions by store. */
export interface TransactionTables {
  readonly tables: ReadonlyMap<TableStore, TableTxn>;
}

export interface AheadParts {
  /** the log position the first part starts at (or after) */
  readonly firstLsn: number;
  /**
   * Per table transaction (not per store: a ROLLBACK TO SAVEPOINT can drop one and a later write
   * start another on the same store), its parts in log order.
   */
  readonly byTable: Map<TableTxn, PartRef[]>;
  failed: boolean;
}

export class LogAhead {
  private readonly open = new Map<TransactionTables, AheadParts>();

  constructor(
    private readonly wal: () => WriteAheadLog,
    private readonly keyOf: (store: TableStore) => string | null,
    /** where the parts are encoded (reset once each is written) */
    private readonly arena?: ByteArena,
  ) {}

  /**
   * Once `txn` has `minRows` rows not in the log yet, logs those of each of its tables that has a
   * sixteenth of that or more. A failed write
   * (53100 disk full, 58030) throws, and the transaction can no longer commit.
   */
  log(txn: TransactionTables, minRows = AHEAD_MIN_ROWS): void {
    let waiting = 0;
    for (const t of txn.tables.values()) waiting += t.rowsAhead();
    if (waiting < minRows) return;
    const tableMin = Math.max(1, Math.floor(minRows * AHEAD_MIN_SHARE));
    let lastEnd = 0;
    for (const [store, t] of txn.tables) {
      if (t.rowsAhead() < tableMin) continue;
      const key = this.keyOf(store);
      if (key === null) continue;
      const wal = this.wal();
      let entry = this.open.get(txn);
      if (entry === undefined) this.open.set(txn, (entry = { firstLsn: wal.writtenLsn, byTable: new Map(), failed: false }));
      if (entry.failed) throw lostPart();
      let endLsn: number;
      try {
        endLsn = wal.append(RECORD_PART, t.takeRowsAhead(this.arena));
      } catch (e) {
        entry.failed = true;
        throw e;
      } finally {
        this.arena?.reset();
      }
      let parts = entry.byTable.get(t);
      if (parts === undefined) entry.byTable.set(t, (parts = []));
      parts.push({ key, endLsn });
      lastEnd = endLsn;
    }
    // one sync for all of them (a sync per part would queue each behind the last), on the thread pool
    // while the transaction goes on; a failure turns the log failed, which the commit's own flush (or
    // its append) reports
    if (lastEnd > 0) this.wal().flush(lastEnd).catch(() => {});
  }

  /** The parts `txn` logged ahead, for its commit record; its bookkeeping ends here. */
  take(txn: TransactionTables): AheadParts | undefined {
    const entry = this.open.get(txn);
    this.open.delete(txn);
    if (entry?.failed) throw lostPart();
    return entry;
  }

  /** A rollback: the parts stay in the log, named by no commit record. */
  forget(txn: TransactionTables): void {
    this.open.delete(txn);
  }

  /** Where the log must be kept from for the transactions still open (Infinity: none logged ahead). */
  oldestLsn(): number {
    let oldest = Infinity;
    for (const e of this.open.values()) if (e.firstLsn < oldest) oldest = e.firstLsn;
    return oldest;
  }
}

function lostPart(): SqlError {
  return new SqlError(SQLSTATE.ioError, 'rows of this transaction could not be written to the log ahead of its commit; it can only roll back');
}
