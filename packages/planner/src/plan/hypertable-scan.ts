/**
 * Scanning a hypertable on the access node: every surviving chunk, one replica
 * each (the first available node holding it), in chunk order.
 */
import { T } from '../../../storage/src/types/sql-type.js';
import type { Batch, Vector } from '../../../storage/src/vector.js';
import type { TableStore, TableVersion } from '../../../storage/src/table/index.js';
import { SqlError } from '../../../storage/src/errors.js';
import type { EvalContext } from '../../../storage/src/expr/expr.js';
import { checkDeadline } from '../../../storage/src/expr/deadline.js';
import type { Catalog, TableInfo } from '../catalog/catalog.js';
import type { ChunkInfo } from '../catalog/hypertable.js';

/**
 * Row ids of hypertable rows carry their chunk: chunkId · 2^40 + (store row id + 2^39).
 * Store row ids (committed ≥ 0, a transaction's own rows < 0) stay within ±2^39.
 */
const SPAN = 2 ** 40;
const HALF = 2 ** 39;

export function hypertableRowId(chunkId: number, rowId: number): number {
  return chunkId * SPAN + rowId + HALF;
}

export function splitHypertableRowId(id: number): { chunkId: number; rowId: number } {
  const chunkId = Math.floor(id / SPAN);
  return { chunkId, rowId: id - chunkId * SPAN - HALF };
}

/** The replica a read uses: the first node holding the chunk that is available. */
export function readReplica(catalog: Catalog, chunk: ChunkInfo): { node: string; store: TableStore } {
  for (const node of chunk.nodes) {
    if (node === '' || catalog.findDataNode(node)?.node.available !== false) return { node, store: chunk.stores.get(node)! };
  }
  throw new SqlError('TS420', `could not read chunk "${chunk.name}": data node${chunk.nodes.length > 1 ? 's' : ''} ${chunk.nodes.map((n) => `"${n}"`).join(', ')} ${chunk.nodes.length > 1 ? 'are' : 'is'} unavailable`, {
    detail: `Data node${chunk.nodes.length > 1 ? 's' : ''} ${chunk.nodes.map((n) => `"${n}"`).join(', ')} ${chunk.nodes.length > 1 ? 'are' : 'is'} unavailable.`,
    hint: 'Mark a data node available with alter_data_node(..., available => true).',
  });
}

export function* scanHypertable(
  catalog: Catalog,
  table: TableInfo,
  chunks: readonly ChunkInfo[],
  read: (store: TableStore) => TableVersion,
  columnIds: readonly number[],
  withRowId: boolean,
  ctx?: EvalContext,
): Iterable<Batch> {
  for (const chunk of chunks) {
    const { store } = readReplica(catalog, chunk);
    for (const sb of read(store).scan(columnIds, { withRowIds: withRowId })) {
      if (ctx) checkDeadline(ctx);
      const n = sb.batch.length;
      if (n === 0) continue;
      if (!withRowId) {
        yield sb.batch;
        continue;
      }
      const ids = new Float64Array(n);
      const src = sb.rowIds!;
      for (let i = 0; i < n; i++) ids[i] = hypertableRowId(chunk.id, src[i]!);
      const v: Vector = { tag: 'number', type: T.float8, length: n, values: ids, nulls: null };
      yield { length: n, columns: [...sb.batch.columns, v] };
    }
  }
  void table;
}
