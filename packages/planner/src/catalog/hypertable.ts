/**
 * Hypertable metadata on the access node: dimensions, chunks and their
 * placement on data nodes, following TimescaleDB 2.13's catalog model
 * (_timescaledb_catalog.hypertable / dimension / chunk / chunk_data_node).
 */
import type { TableStore } from '../../../storage/src/table/index.js';
import type { DataNode } from '../../../storage/src/node/data-node.js';

export interface OpenDimension {
  kind: 'open';
  id: number;
  columnId: number;
  /** chunk_time_interval in the column's internal unit: µs for timestamps/dates, the integer value for int columns */
  interval: number;
}

export interface ClosedDimension {
  kind: 'closed';
  id: number;
  columnId: number;
  numPartitions: number;
}

export type Dimension = OpenDimension | ClosedDimension;

export interface ChunkInfo {
  readonly id: number;
  /** _dist_hyper_1_1_chunk / _hyper_1_1_chunk */
  readonly name: string;
  readonly schema: string;
  /** open-dimension range [start, end) in internal units; ±Infinity for open-ended */
  readonly timeStart: number;
  readonly timeEnd: number;
  /** closed-dimension slice index and the partition count it was created under (-1 without a space dimension) */
  readonly spaceIndex: number;
  readonly numPartitions: number;
  /** data node names holding a replica; the first is the primary */
  readonly nodes: string[];
  /** replica stores by data node name */
  readonly stores: Map<string, TableStore>;
}

export interface HypertableInfo {
  readonly id: number;
  readonly distributed: boolean;
  replicationFactor: number;
  readonly dimensions: Dimension[];
  /** data nodes the hypertable is attached to, in order (distributed only) */
  dataNodes: string[];
  chunks: ChunkInfo[];
  /** chunk lookup by (timeStart, spaceIndex, numPartitions) */
  readonly chunkIndex: Map<string, ChunkInfo>;
}

export interface DataNodeInfo {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly node: DataNode;
}

export function chunkKey(timeStart: number, spaceIndex: number, numPartitions: number): string {
  return `${timeStart}/${spaceIndex}/${numPartitions}`;
}

export function openDimension(h: HypertableInfo): OpenDimension {
  return h.dimensions.find((d): d is OpenDimension => d.kind === 'open')!;
}

export function closedDimension(h: HypertableInfo): ClosedDimension | undefined {
  return h.dimensions.find((d): d is ClosedDimension => d.kind === 'closed');
}
