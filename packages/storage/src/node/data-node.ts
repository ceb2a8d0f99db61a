/**
 * An in-process data node: it owns the chunk stores placed on it and runs
 * fragments over them. The access node reaches it only through chunk ids and
 * plain-data fragments, so the same calls can later cross a thread or socket.
 */
import { TableStore } from '../table/index.js';
import type { ColumnSpec, UniqueKeySpec } from '../table/index.js';
import { SqlError, SQLSTATE } from '../errors.js';

export interface ChunkStoreSpec {
  name: string;
  columns: readonly ColumnSpec[];
  uniqueKeys?: readonly UniqueKeySpec[];
}

export class DataNode {
  private readonly chunks = new Map<number, TableStore>();
  available = true;

  constructor(readonly name: string) {}

  createChunk(id: number, spec: ChunkStoreSpec): TableStore {
    if (this.chunks.has(id)) throw new SqlError(SQLSTATE.internalError, `chunk ${id} already exists on data node "${this.name}"`);
    const store = new TableStore({ name: spec.name, columns: spec.columns, uniqueKeys: spec.uniqueKeys });
    this.chunks.set(id, store);
    return store;
  }

  /** Re-attach a store (undo of a drop). */
  restoreChunk(id: number, store: TableStore): void {
    this.chunks.set(id, store);
  }

  chunk(id: number): TableStore {
    const s = this.chunks.get(id);
    if (!s) throw new SqlError(SQLSTATE.internalError, `chunk ${id} does not exist on data node "${this.name}"`);
    return s;
  }

  hasChunk(id: number): boolean {
    return this.chunks.has(id);
  }

  dropChunk(id: number): TableStore | undefined {
    const s = this.chunks.get(id);
    this.chunks.delete(id);
    return s;
  }

  chunkIds(): number[] {
    return [...this.chunks.keys()];
  }

  bytes(): number {
    let b = 0;
    for (const s of this.chunks.values()) b += s.bytes();
    return b;
  }
}
