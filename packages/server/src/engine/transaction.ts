/**
 * A transaction spanning tables: one storage transaction per written table,
 * the catalog's DDL undo log, setting changes to revert, and commit hooks.
 */
import type { TableStore, TableTxn, TableVersion, TxnSavepoint } from '../../../storage/src/table/index.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import type { UndoAction } from '../../../planner/src/catalog/catalog.js';
import type { Durability, PreparedStoreCommit } from './durable/durability.js';
import { SettingChanges } from './setting-changes.js';
import type { Settings } from './settings.js';

export class Transaction {
  /** one storage transaction per table or chunk store written */
  readonly tables = new Map<TableStore, TableTxn>();
  readonly undo: UndoAction[] = [];
  readonly commitHooks: (() => void)[] = [];
  /** SET / SET LOCAL / RESET made in the transaction: kept or undone when it ends */
  readonly settingChanges: SettingChanges;
  failed = false;
  readonly startMicros: number;
  private readonly savepoints: Savepoint[] = [];

  /**
   * `log`: the engine's data directory, when it has one; `settings`: the session's, which SET changes;
   * `committer`: the session's id (the log flushes a session's commits in place while it commits alone)
   */
  constructor(
    readonly explicit: boolean,
    private readonly log: Durability | null,
    private readonly settings: Settings,
    private readonly committer = 0,
  ) {
    this.startMicros = Date.now() * 1000;
    this.settingChanges = new SettingChanges(settings);
  }

  write(store: TableStore): TableTxn {
    let t = this.tables.get(store);
    if (!t) {
      t = store.begin();
      this.tables.set(store, t);
    }
    return t;
  }

  read(store: TableStore): TableVersion {
    const t = this.tables.get(store);
    return t ? t.view() : store.latest();
  }

  /**
   * Commits every table written, all or nothing: all table transactions are checked first, the
   * durability log (when the engine has a data directory) writes one record for all of them, and only
   * then is anything published. Returns the record's end LSN (0: nothing logged). On failure the whole
   * transaction is rolled back before the error propagates.
   */
  commit(): number {
    const prepared: PreparedStoreCommit[] = [];
    let lsn = 0;
    try {
      for (const [store, t] of this.tables) {
        const p = t.prepareCommit();
        if (p) prepared.push({ store, commit: p });
      }
      if (this.log) lsn = this.log.logCommit(this, prepared);
    } catch (e) {
      // prepared table commits that are never applied are rolled back by being dropped
      this.rollback();
      throw e;
    }
    // the fdatasync the reply will wait for may start now, on the thread pool, while the commits are published
    if (lsn > 0 && (this.settings.tryGet('synchronous_commit') ?? 'on') !== 'off') this.log!.commitLogged(lsn, this.committer);
    for (const p of prepared) p.commit.apply();
    for (const h of this.commitHooks) h();
    this.settingChanges.commit();
    return lsn;
  }

  /** A bulk load's rows go to the log as they come (Durability.logAhead); a no-op in memory. */
  logAhead(): void {
    this.log?.logAhead(this);
  }

  rollback(): void {
    this.log?.forgetAhead(this);
    for (const t of this.tables.values()) {
      try {
        t.rollback();
      } catch {
        // a storage txn that already failed is rolled back by its own error path
      }
    }
    this.rollbackCatalog();
    this.settingChanges.rollback();
  }

  savepoint(name: string): void {
    const tables = new Map<TableStore, TxnSavepoint>();
    for (const [t, txn] of this.tables) tables.set(t, txn.savepoint());
    this.savepoints.push({ name, tables, undo: this.undo.length, commitHooks: this.commitHooks.length, settingLevel: this.settingChanges.enterLevel() });
  }

  private find(name: string, what: string): number {
    for (let i = this.savepoints.length - 1; i >= 0; i--) if (this.savepoints[i]!.name === name) return i;
    throw new SqlError('3B001', `${what} "${name}" does not exist`);
  }

  /** ROLLBACK TO SAVEPOINT: undo everything since it; the savepoint itself stays. */
  rollbackTo(name: string): void {
    const i = this.find(name, 'savepoint');
    const sp = this.savepoints[i]!;
    this.savepoints.length = i + 1;
    for (const [t, txn] of [...this.tables]) {
      const mark = sp.tables.get(t);
      if (mark) txn.rollbackTo(mark);
      else {
        txn.rollback();
        this.tables.delete(t);
      }
    }
    for (const u of this.undo.splice(sp.undo).reverse()) u();
    this.commitHooks.length = sp.commitHooks;
    this.settingChanges.rollbackTo(sp.settingLevel);
    this.failed = false;
  }

  /** RELEASE SAVEPOINT: forget it and every later one, keeping their work. */
  release(name: string): void {
    const i = this.find(name, 'savepoint');
    this.settingChanges.release(this.savepoints[i]!.settingLevel);
    this.savepoints.length = i;
  }

  private rollbackCatalog(): void {
    for (const u of this.undo.reverse()) u();
    this.undo.length = 0;
  }
}

interface Savepoint {
  name: string;
  tables: Map<TableStore, TxnSavepoint>;
  undo: number;
  commitHooks: number;
  /** the setting nesting level the savepoint opened */
  settingLevel: number;
}
