/**
 * The WAL record of one committed transaction. One record carries everything
 * the transaction changed on the access node AND on every data node: catalog
 * changes (a full catalog image after DDL, else just the chunks it created or
 * dropped), sequence positions, and one storage delta per table or chunk
 * replica written. Because the data nodes run in-process and share this log,
 * the record is the commit decision for all of them at once: it is either in
 * the log (the transaction happened everywhere) or not (nowhere) — the role
 * TimescaleDB's two-phase commit gives the access node's commit record.
 */
import { SqlError, SQLSTATE } from '../../../../storage/src/errors.js';

export const RECORD_COMMIT = 1;
/** A catalog image without data: logged after a rolled-back DDL transaction whose changes an earlier image may hold. */
export const RECORD_CATALOG = 2;
/**
 * One large store delta of a transaction, written ahead of its commit record (which names it by
 * end LSN): keeps each record far below the 4 GiB length limit and the commit from holding every
 * delta in memory at once. A part no commit record names (a crash or a full disk in between) is ignored.
 */
export const RECORD_PART = 3;

/** Deltas larger than this are written as RECORD_PART records. */
export const PART_BYTES = 1024 * 1024;

const FORMAT = 1;

export interface ChunkCreateOp {
  kind: 'create';
  tableOid: number;
  id: number;
  timeStart: number;
  timeEnd: number;
  spaceIndex: number;
  numPartitions: number;
  nodes: string[];
}

export interface ChunkDropOp {
  kind: 'drop';
  tableOid: number;
  ids: number[];
}

export type ChunkOp = ChunkCreateOp | ChunkDropOp;

export interface SequencePosition {
  name: string;
  value: number;
  called: boolean;
}

export interface StoreDelta {
  key: string;
  bytes: Uint8Array;
}

/** A delta on its way into the log: its bytes are the concatenation of `parts` (see PreparedTableCommit.encode). */
export interface OutgoingStoreDelta {
  key: string;
  parts: readonly Uint8Array[];
}

/** A store delta logged as a RECORD_PART: the store's key and the part record's end LSN. */
export interface PartRef {
  key: string;
  endLsn: number;
}

/** A commit record as read back; `deltas` of type D as written (OutgoingStoreDelta). */
export interface CommitRecord<D = StoreDelta> {
  /** serializeCatalog() output; when present it supersedes `chunkOps` */
  catalogImage?: string;
  chunkOps: ChunkOp[];
  sequences: SequencePosition[];
  /** deltas logged in earlier RECORD_PART records, applied before `deltas` */
  parts: PartRef[];
  deltas: D[];
}

interface Meta {
  v: number;
  image?: string;
  chunks: unknown[];
  seqs: SequencePosition[];
  parts?: PartRef[];
  keys: string[];
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** ±Infinity chunk bounds survive JSON as strings. */
function num(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

function unnum(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  throw new SqlError(SQLSTATE.dataCorrupted, `invalid number in WAL commit record: ${JSON.stringify(v)}`);
}

/**
 * The record as parts for WriteAheadLog.append: a length-prefixed JSON header
 * (catalog image, chunk ops, sequences, store keys), then each delta's length
 * and bytes — the deltas are not copied into one buffer.
 */
export function encodeCommitRecord(r: CommitRecord<OutgoingStoreDelta>): Uint8Array[] {
  const meta: Meta = {
    v: FORMAT,
    image: r.catalogImage,
    chunks: r.chunkOps.map((op) => (op.kind === 'create' ? { ...op, timeStart: num(op.timeStart), timeEnd: num(op.timeEnd) } : op)),
    seqs: r.sequences,
    ...(r.parts.length > 0 ? { parts: r.parts } : {}),
    keys: r.deltas.map((d) => d.key),
  };
  const metaBytes = utf8.encode(JSON.stringify(meta));
  const head = new Uint8Array(4 + metaBytes.length + 4 * r.deltas.length);
  const view = new DataView(head.buffer);
  view.setUint32(0, metaBytes.length, true);
  head.set(metaBytes, 4);
  r.deltas.forEach((d, i) => view.setUint32(4 + metaBytes.length + 4 * i, byteLength(d.parts), true));
  const out: Uint8Array[] = [head];
  for (const d of r.deltas) for (const part of d.parts) out.push(part);
  return out;
}

export function byteLength(parts: readonly Uint8Array[]): number {
  let n = 0;
  for (const part of parts) n += part.length;
  return n;
}

export function decodeCommitRecord(payload: Uint8Array): CommitRecord {
  try {
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    const metaLen = view.getUint32(0, true);
    const meta = JSON.parse(utf8Decoder.decode(payload.subarray(4, 4 + metaLen))) as Meta;
    if (meta.v !== FORMAT) throw new Error(`unknown commit record format ${meta.v}`);
    let pos = 4 + metaLen + 4 * meta.keys.length;
    const deltas = meta.keys.map((key, i) => {
      const len = view.getUint32(4 + metaLen + 4 * i, true);
      const bytes = payload.subarray(pos, pos + len);
      if (bytes.length !== len) throw new Error('delta runs past the end of the record');
      pos += len;
      return { key, bytes };
    });
    if (pos !== payload.length) throw new Error(`${payload.length - pos} trailing bytes`);
    const chunkOps = meta.chunks.map((raw) => {
      const op = raw as Record<string, unknown>;
      if (op.kind === 'create') return { ...(op as unknown as ChunkCreateOp), timeStart: unnum(op.timeStart), timeEnd: unnum(op.timeEnd) };
      if (op.kind === 'drop') return op as unknown as ChunkDropOp;
      throw new Error(`unknown chunk operation ${String(op.kind)}`);
    });
    return { catalogImage: meta.image, chunkOps, sequences: meta.seqs, parts: meta.parts ?? [], deltas };
  } catch (e) {
    if (e instanceof SqlError) throw e;
    throw new SqlError(SQLSTATE.dataCorrupted, `invalid WAL commit record: ${(e as Error).message}`);
  }
}

/** RECORD_CATALOG payload: the image's UTF-8 bytes. */
export function encodeCatalogRecord(image: string): Uint8Array {
  return utf8.encode(image);
}

export function decodeCatalogRecord(payload: Uint8Array): string {
  return utf8Decoder.decode(payload);
}
