/**
 * A transaction spanning tables: one storage transaction per written table,
 * the catalog's DDL undo log, setting changes to revert, and commit hooks.
 */
import type { TableTxn, TableVersion } from '../../../storage/src/table/index.js';
import type { TableInfo, UndoAction } from '../../../planner/src/catalog/catalog.js';

export class Transaction {
  readonly tables = new Map<TableInfo, TableTxn>();
  readonly undo: UndoAction[] = [];
  readonly commitHooks: (() => void)[] = [];
  /** SET LOCAL values and SETs to revert when the transaction ends */
  readonly settingUndo: (() => void)[] = [];
  readonly localSettingUndo: (() => void)[] = [];
  failed = false;
  readonly startMicros: number;

  constructor(readonly explicit: boolean) {
    this.startMicros = Date.now() * 1000;
  }

  write(table: TableInfo): TableTxn {
    let t = this.tables.get(table);
    if (!t) {
      t = table.store!.begin();
      this.tables.set(table, t);
    }
    return t;
  }

  read(table: TableInfo): TableVersion {
    const t = this.tables.get(table);
    return t ? t.view() : table.store!.latest();
  }

  commit(): void {
    const txns = [...this.tables.values()];
    let committed = 0;
    try {
      for (const t of txns) {
        t.commit();
        committed++;
      }
    } catch (e) {
      for (const t of txns.slice(committed + 1)) t.rollback();
      if (committed === 0) this.rollbackCatalog();
      throw e;
    }
    for (const h of this.commitHooks) h();
    for (const u of this.localSettingUndo.reverse()) u();
  }

  rollback(): void {
    for (const t of this.tables.values()) {
      try {
        t.rollback();
      } catch {
        // a storage txn that already failed is rolled back by its own error path
      }
    }
    this.rollbackCatalog();
    for (const u of [...this.localSettingUndo].reverse()) u();
    for (const u of [...this.settingUndo].reverse()) u();
  }

  private rollbackCatalog(): void {
    for (const u of this.undo.reverse()) u();
    this.undo.length = 0;
  }
}
