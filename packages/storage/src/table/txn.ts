/**
 * A write transaction on one table. Own inserts live in txn-private pieces
 * (already in storage layout, text interned into the tail chunk's dictionary);
 * own deletes are copy-on-write deletion maps plus a mask of what this txn
 * deleted, which commit replays onto whatever version is newest by then.
 */
import { SqlError, SQLSTATE } from '../errors.js';
import type { Value } from '../types/values.js';
import type { Batch } from '../vector.js';
import { takeVector, vectorFromValues } from '../vector.js';
import { StagingBlocks } from './staging.js';
import type { Chunk } from './chunk.js';
import type { ColData, Piece } from './layout.js';
import { colDataFromVector, colDataValue, firstNull, vectorFromColData } from './layout.js';
import type { ColumnSpec, Schema, UniqueKeySpec } from './schema.js';
import { describeKey, keyOfVectors, UniqueIndex, type Key } from './unique-index.js';
import { ChunkSnap, PrivateSegment, ROWID_CHUNK, VersionImpl, type TableVersion } from './version.js';
import { encodeTableDelta, type LiveRun } from '../persist/delta-encode.js';
import type { ByteArena } from '../persist/bytes.js';
import type { PreparedTableCommit, StoreInternals, TableTxn, TxnSavepoint } from './txn-api.js';

export type { PreparedTableCommit, StoreInternals, TableTxn, TxnSavepoint } from './txn-api.js';

const NO_DELETES: ReadonlyMap<number, ReadonlyMap<number, Uint8Array>> = new Map();

/** insertSelected() stages from the first write of at least this many rows. */
const STAGE_MIN_ROWS = 1024;

export function serializationError(): SqlError {
  return new SqlError(SQLSTATE.serializationFailure, 'could not serialize access due to concurrent update');
}

interface SavepointState extends TxnSavepoint {
  snaps: ChunkSnap[];
  snapPos: [number, number][];
  masks: [number, [number, Uint8Array][]][];
  pieces: number;
  privLen: number;
  privDeleted: Uint8Array | null;
  privDeletedCount: number;
  privIdx: [string, Map<Key, number>][];
  truncated: boolean;
}

export class Txn implements TableTxn {
  private snaps: ChunkSnap[];
  private readonly snapPos = new Map<number, number>();
  /** Snaps/maps this txn may mutate in place: cloned since the last view() handed them out. */
  private readonly ownedSnaps = new Set<ChunkSnap>();
  private readonly ownedMaps = new Set<Uint8Array>();
  /** chunk id → batch index → rows this txn deleted. */
  private readonly masks = new Map<number, Map<number, Uint8Array>>();
  private pieces: Piece[] = [];
  private starts: number[] = [];
  private privLen = 0;
  private privDeleted: Uint8Array | null = null;
  private privDeletedOwned = false;
  private privDeletedCount = 0;
  private readonly privIdx = new Map<string, Map<Key, number>>();
  private truncated = false;
  private staging: StagingBlocks | null = null;
  /** pieces [0, aheadPieces), rows [0, aheadRows), went to the log ahead of the commit (takeRowsAhead) */
  private aheadPieces = 0;
  private aheadRows = 0;
  private aheadSchema: Schema | null = null;
  /** false once rows logged ahead were deleted, truncated or rolled back: the commit's delta then holds every row */
  private aheadValid = true;
  private done = false;
  /** registered with the store as holding pending rows (writerStarted) */
  private pendingNoted = false;
  private cachedView: VersionImpl | null = null;
  private checkSeq = -1;
  private staleChecks = false;

  constructor(private readonly store: StoreInternals) {
    const base = store.current();
    this.snaps = base.snaps.slice();
    this.snaps.forEach((s, i) => this.snapPos.set(s.chunk.id, i));
  }

  get active(): boolean {
    return !this.done;
  }

  private assertOpen(): void {
    if (this.done) throw new SqlError(SQLSTATE.invalidTransactionState, 'transaction is already finished');
  }

  view(): TableVersion {
    this.assertOpen();
    if (this.cachedView) return this.cachedView;
    this.ownedSnaps.clear();
    this.ownedMaps.clear();
    this.privDeletedOwned = false;
    const priv = this.privLen > 0 ? new PrivateSegment(this.pieces.slice(), this.starts.slice(), this.privLen, this.privDeleted, this.privDeletedCount) : null;
    this.cachedView = new VersionImpl(this.store.schema(), this.snaps.slice(), this.store.indexes(), this.store.current().seq, priv, this.privIdx);
    return this.cachedView;
  }

  insertRows(rows: readonly (readonly Value[])[]): void {
    const cols = this.store.schema().columns;
    this.insert({ length: rows.length, columns: cols.map((c, j) => vectorFromValues(c.type, rows.map((r) => r[j] ?? null))) });
  }

  insert(batch: Batch, opts?: { owned?: boolean }): void {
    this.assertOpen();
    const owned = opts?.owned === true;
    const schema = this.store.schema();
    if (batch.columns.length !== schema.columns.length) {
      throw new Error(`insert into "${this.store.name}": ${batch.columns.length} vectors for ${schema.columns.length} columns`);
    }
    const n = batch.length;
    if (n === 0) return;
    const cols = new Map<number, ColData>();
    schema.columns.forEach((c, i) => {
      const l = schema.layout(c.id);
      cols.set(c.id, colDataFromVector(l, batch.columns[i]!, l.kind === 'dict' ? this.store.internDict(c.id) : null, owned));
    });
    const piece: Piece = { length: n, cols };
    for (const c of schema.columns) {
      if (!c.notNull) continue;
      const k = firstNull(cols.get(c.id)!, n);
      if (k >= 0) throw this.notNullError(schema, c, piece, k);
    }
    const pending = schema.uniqueKeys.length > 0 ? this.checkUnique(schema, piece, this.privLen) : null;
    this.starts.push(this.privLen);
    this.pieces.push(piece);
    this.privLen += n;
    this.notePending();
    if (pending) for (const [name, m] of pending) {
      let p = this.privIdx.get(name);
      if (!p) this.privIdx.set(name, (p = new Map()));
      for (const [k, pos] of m) p.set(k, pos);
    }
    this.cachedView = null;
  }

  insertSelected(batch: Batch, rows: Int32Array | null): void {
    this.assertOpen();
    const schema = this.store.schema();
    const n = rows === null ? batch.length : rows.length;
    if (n === 0) return;
    const layouts = schema.columns.map((c) => schema.layout(c.id));
    // small writes keep their own pieces: a staging block is sized for bulk loads
    const bulk = this.staging !== null || n >= STAGE_MIN_ROWS;
    if (!bulk || schema.uniqueKeys.length > 0 || batch.columns.length !== layouts.length || !StagingBlocks.supports(layouts, batch.columns)) {
      if (rows === null) return this.insert(batch);
      return this.insert({ length: n, columns: batch.columns.map((v) => takeVector(v, rows)) }, { owned: true });
    }
    const staging = (this.staging ??= new StagingBlocks(this.store.sealRows));
    const mark = staging.mark();
    const pieces = staging.gather(layouts, batch.columns, rows, n, (id) => this.store.internDict(id));
    for (const piece of pieces) {
      for (const c of schema.columns) {
        if (!c.notNull) continue;
        const k = firstNull(piece.cols.get(c.id)!, piece.length);
        if (k < 0) continue;
        const err = this.notNullError(schema, c, piece, k);
        staging.rewind(mark);
        throw err;
      }
    }
    for (const piece of pieces) {
      this.starts.push(this.privLen);
      this.pieces.push(piece);
      this.privLen += piece.length;
    }
    this.notePending();
    this.cachedView = null;
  }

  private notNullError(schema: Schema, c: ColumnSpec, piece: Piece, row: number): SqlError {
    const vals = schema.columns.map((s) => {
      const d = piece.cols.get(s.id);
      const v = d ? colDataValue(d, row) : schema.fill(s.id);
      return v === null ? 'null' : this.store.format(v, s);
    });
    return new SqlError(SQLSTATE.notNullViolation, `null value in column "${c.name}" of relation "${this.store.name}" violates not-null constraint`, {
      detail: `Failing row contains (${vals.join(', ')}).`,
      table: this.store.name,
      column: c.name,
    });
  }

  private uniqueError(schema: Schema, spec: UniqueKeySpec, piece: Piece, row: number): SqlError {
    const vals = spec.columnIds.map((id) => {
      const d = piece.cols.get(id);
      return d ? colDataValue(d, row) : schema.fill(id);
    });
    return new SqlError(SQLSTATE.uniqueViolation, `duplicate key value violates unique constraint "${spec.name}"`, {
      detail: `${describeKey(spec, schema.columns, vals, (v, c) => (v === null ? 'null' : this.store.format(v, c)))} already exists.`,
      table: this.store.name,
      constraint: spec.name,
    });
  }

  private keyVectors(schema: Schema, spec: UniqueKeySpec, piece: Piece, from: number, to: number) {
    return spec.columnIds.map((id) => {
      const l = schema.layout(id);
      const c = piece.cols.get(id);
      return c ? vectorFromColData(l, c, from, to) : vectorFromValues(l.type, new Array<Value>(to - from).fill(schema.fill(id)));
    });
  }

  private privLive(pos: number): boolean {
    return pos < this.privLen && !(this.privDeleted !== null && this.privDeleted[pos] === 1);
  }

  private deletedByMe(rowId: number): boolean {
    const cid = Math.floor(rowId / ROWID_CHUNK);
    const pos = rowId - cid * ROWID_CHUNK;
    const b = Math.floor(pos / this.store.sealRows);
    const m = this.masks.get(cid)?.get(b);
    return m !== undefined && m[pos - b * this.store.sealRows] === 1;
  }

  /** Checks a new piece against committed rows (newest version), own rows and itself. */
  private checkUnique(schema: Schema, piece: Piece, start: number): [string, Map<Key, number>][] {
    const latest = this.store.current();
    if (this.checkSeq !== latest.seq) {
      if (this.checkSeq !== -1 && this.privLen > 0) this.staleChecks = true;
      this.checkSeq = latest.seq;
    }
    const indexes = this.store.indexes();
    const out: [string, Map<Key, number>][] = [];
    for (const spec of schema.uniqueKeys) {
      const idx = indexes.get(spec.name);
      const vecs = this.keyVectors(schema, spec, piece, 0, piece.length);
      const own = this.privIdx.get(spec.name);
      const local = new Map<Key, number>();
      for (let i = 0; i < piece.length; i++) {
        const k = keyOfVectors(vecs, i);
        if (k === null) continue;
        if (local.has(k)) throw this.uniqueError(schema, spec, piece, i);
        const p = own?.get(k);
        if (p !== undefined && this.privLive(p)) throw this.uniqueError(schema, spec, piece, i);
        if (idx && !this.truncated) {
          for (const r of idx.candidates(k)) {
            if (latest.isLive(r) && !this.deletedByMe(r)) throw this.uniqueError(schema, spec, piece, i);
          }
        }
        local.set(k, start + i);
      }
      out.push([spec.name, local]);
    }
    return out;
  }

  delete(rowIds: ArrayLike<number>): number {
    this.assertOpen();
    const sr = this.store.sealRows;
    let count = 0;
    for (let i = 0; i < rowIds.length; i++) {
      const r = rowIds[i]!;
      if (r < 0) {
        const p = -r - 1;
        if (p !== Math.floor(p) || !this.privLive(p)) continue;
        if (p < this.aheadRows) this.aheadValid = false;
        this.ownPrivDeleted()[p] = 1;
        this.privDeletedCount++;
        count++;
        continue;
      }
      const cid = Math.floor(r / ROWID_CHUNK);
      const idx = this.snapPos.get(cid);
      if (idx === undefined) continue;
      const pos = r - cid * ROWID_CHUNK;
      if (!this.snaps[idx]!.isLive(pos)) continue;
      const s = this.ownSnap(idx);
      const b = Math.floor(pos / sr);
      const off = pos - b * sr;
      let d = s.deletes[b] ?? null;
      if (d === null || !this.ownedMaps.has(d)) {
        const nd = new Uint8Array(sr);
        if (d) nd.set(d);
        s.deletes[b] = d = nd;
        this.ownedMaps.add(nd);
      }
      d[off] = 1;
      s.deletedCount++;
      let bm = this.masks.get(cid);
      if (!bm) this.masks.set(cid, (bm = new Map()));
      let m = bm.get(b);
      if (!m) bm.set(b, (m = new Uint8Array(sr)));
      m[off] = 1;
      count++;
    }
    if (count > 0) this.cachedView = null;
    return count;
  }

  private ownSnap(idx: number): ChunkSnap {
    const s = this.snaps[idx]!;
    if (this.ownedSnaps.has(s)) return s;
    const c = s.clone();
    this.snaps[idx] = c;
    this.ownedSnaps.add(c);
    return c;
  }

  private ownPrivDeleted(): Uint8Array {
    let d = this.privDeleted;
    if (d === null || d.length < this.privLen || !this.privDeletedOwned) {
      const size = d === null ? this.privLen : d.length < this.privLen ? Math.max(this.privLen, d.length * 2) : d.length;
      const nd = new Uint8Array(Math.max(size, 64));
      if (d) nd.set(d);
      this.privDeleted = d = nd;
      this.privDeletedOwned = true;
    }
    return d;
  }

  truncate(): void {
    this.assertOpen();
    this.truncated = true;
    if (this.aheadRows > 0) this.aheadValid = false;
    this.snaps = [];
    this.snapPos.clear();
    this.masks.clear();
    this.ownedSnaps.clear();
    this.ownedMaps.clear();
    if (this.privLen > 0) {
      this.ownPrivDeleted().fill(1, 0, this.privLen);
      this.privDeletedCount = this.privLen;
    }
    this.privIdx.clear();
    this.cachedView = null;
  }

  savepoint(): TxnSavepoint {
    this.assertOpen();
    // view() hands the current snaps, bitmaps and private deletes out, so later writes copy them instead of mutating
    this.view();
    const mark: SavepointState = {
      _txn: this,
      snaps: this.snaps.slice(),
      snapPos: [...this.snapPos],
      masks: [...this.masks].map(([cid, m]) => [cid, [...m].map(([b, bits]) => [b, bits.slice()] as [number, Uint8Array])]),
      pieces: this.pieces.length,
      privLen: this.privLen,
      privDeleted: this.privDeleted,
      privDeletedCount: this.privDeletedCount,
      privIdx: [...this.privIdx].map(([k, m]) => [k, new Map(m)]),
      truncated: this.truncated,
    };
    return mark;
  }

  rollbackTo(mark: TxnSavepoint): void {
    this.assertOpen();
    const m = mark as SavepointState;
    if (m._txn !== this) throw new Error('savepoint of another transaction');
    this.snaps = m.snaps.slice();
    this.snapPos.clear();
    for (const [k, v] of m.snapPos) this.snapPos.set(k, v);
    this.masks.clear();
    for (const [cid, bm] of m.masks) this.masks.set(cid, new Map(bm.map(([b, bits]) => [b, bits.slice()])));
    this.pieces.length = m.pieces;
    this.starts.length = m.pieces;
    this.privLen = m.privLen;
    if (m.privLen < this.aheadRows) this.aheadValid = false;
    this.privDeleted = m.privDeleted;
    this.privDeletedOwned = false;
    this.privDeletedCount = m.privDeletedCount;
    this.privIdx.clear();
    for (const [k, v] of m.privIdx) this.privIdx.set(k, new Map(v));
    this.truncated = m.truncated;
    this.ownedSnaps.clear();
    this.ownedMaps.clear();
    this.cachedView = null;
    if (this.privLen === 0) this.releasePending();
  }

  private notePending(): void {
    if (this.pendingNoted) return;
    this.pendingNoted = true;
    this.store.writerStarted(this);
  }

  private releasePending(): void {
    if (!this.pendingNoted) return;
    this.pendingNoted = false;
    this.store.writerEnded(this);
  }

  rowsAhead(): number {
    if (this.done || !this.aheadValid || this.truncated || this.privDeletedCount > 0) return 0;
    if (this.aheadSchema !== null && this.aheadSchema !== this.store.schema()) return 0;
    return this.privLen - this.aheadRows;
  }

  takeRowsAhead(arena?: ByteArena): Uint8Array[] {
    const n = this.rowsAhead();
    if (n === 0) throw new Error(`no rows of "${this.store.name}" to log ahead`);
    const schema = this.store.schema();
    const parts = encodeTableDelta({ schema, sealRows: this.store.sealRows, truncated: false, deletes: NO_DELETES, runs: this.privateRuns(this.aheadPieces), rowCount: n }, arena);
    this.aheadSchema = schema;
    this.aheadPieces = this.pieces.length;
    this.aheadRows = this.privLen;
    return parts;
  }

  /** Runs of live private rows of pieces [fromPiece, …), merged where a staging block holds them contiguously. */
  private privateRuns(fromPiece: number): LiveRun[] {
    let runs: LiveRun[] = [];
    for (let k = fromPiece; k < this.pieces.length; k++) {
      const piece = this.pieces[k]!;
      for (const [from, to] of liveRuns(this.privDeleted, this.starts[k]!, piece.length)) runs.push({ piece, from, to });
    }
    return this.staging !== null ? this.staging.mergeRuns(runs) : runs;
  }

  rollback(): void {
    this.done = true;
    this.pieces = [];
    this.starts = [];
    this.cachedView = null;
    this.releasePending();
  }

  commit(): void {
    this.prepareCommit()?.apply();
  }

  prepareCommit(): PreparedTableCommit | null {
    this.assertOpen();
    let prepared: PreparedTableCommit | null = null;
    try {
      prepared = this.prepare();
    } finally {
      // prepared or failed, the txn takes no more writes; the prepared commit still holds the pieces
      this.done = true;
      this.cachedView = null;
      if (prepared === null) {
        this.pieces = [];
        this.releasePending();
      }
    }
    return prepared;
  }

  /** Every check of a commit, against the newest version; touches no shared state. */
  private prepare(): PreparedTableCommit | null {
    const store = this.store;
    const latest = store.current();
    const schema = store.schema();
    if (!this.truncated) {
      for (const [cid, bm] of this.masks) {
        const ls = latest.snapById(cid);
        if (!ls) throw serializationError();
        for (const [b, mask] of bm) {
          const ld = ls.deletes[b];
          if (!ld) continue;
          const n = Math.min(mask.length, ld.length);
          for (let i = 0; i < n; i++) if (mask[i]! & ld[i]!) throw serializationError();
        }
      }
    }
    const liveCount = this.privLen - this.privDeletedCount;
    if (schema.uniqueKeys.length > 0 && liveCount > 0 && (this.staleChecks || this.checkSeq !== latest.seq)) {
      this.recheckUnique(schema, latest);
    }
    if (!this.truncated && this.masks.size === 0 && liveCount === 0) return null;

    const runs = liveCount > 0 ? this.privateRuns(0) : [];
    // rows logged ahead stay in their parts when they are all still there, in the schema they were logged in
    const loggedAhead = this.aheadRows > 0 && this.aheadValid && !this.truncated && this.aheadSchema === schema;
    let applied = false;
    return {
      table: store.name,
      loggedAhead,
      encode: (arena?: ByteArena) =>
        loggedAhead
          ? encodeTableDelta({ schema, sealRows: store.sealRows, truncated: false, deletes: this.masks, runs: this.privateRuns(this.aheadPieces), rowCount: liveCount - this.aheadRows }, arena)
          : encodeTableDelta({ schema, sealRows: store.sealRows, truncated: this.truncated, deletes: this.masks, runs, rowCount: liveCount }, arena),
      apply: () => {
        if (applied) throw new Error(`commit on "${store.name}" applied twice`);
        if (store.current() !== latest) throw new Error(`prepared commit on "${store.name}" is stale: another commit ran in between`);
        applied = true;
        try {
          this.publish(schema, latest, runs);
        } finally {
          this.pieces = [];
          // after the publish: a chunk kept for these rows (TableStore.whenNoPendingWrites) must see them committed
          this.releasePending();
        }
      },
    };
  }

  /** The publish step of a commit validated by prepare() against `latest`. */
  private publish(schema: Schema, latest: VersionImpl, runs: readonly LiveRun[]): void {
    const store = this.store;
    const sr = store.sealRows;
    const snaps: ChunkSnap[] = this.truncated ? [] : latest.snaps.slice();
    const pos = new Map<number, number>();
    snaps.forEach((s, i) => pos.set(s.chunk.id, i));
    if (!this.truncated) {
      for (const [cid, bm] of this.masks) {
        const i = pos.get(cid)!;
        const s = snaps[i]!.clone();
        for (const [b, mask] of bm) {
          const ld = s.deletes[b];
          const nd = new Uint8Array(sr);
          if (ld) nd.set(ld);
          let cnt = 0;
          for (let j = 0; j < sr; j++) {
            if (mask[j] === 1) {
              nd[j] = 1;
              cnt++;
            }
          }
          s.deletes[b] = nd;
          s.deletedCount += cnt;
        }
        snaps[i] = s;
      }
    }

    if (this.truncated) store.resetChunks();
    const appended: { rowId: number; piece: Piece; from: number; to: number }[] = [];
    const touched = new Set<Chunk>();
    for (const { piece, from, to } of runs) {
      let p = from;
      while (p < to) {
        const chunk = store.appendChunk();
        const at = chunk.storedRows;
        const took = chunk.append(piece, p, to, schema.fillOf, true);
        appended.push({ rowId: chunk.id * ROWID_CHUNK + at, piece, from: p, to: p + took });
        touched.add(chunk);
        p += took;
      }
    }
    for (const chunk of touched) {
      const i = pos.get(chunk.id);
      if (i === undefined) {
        pos.set(chunk.id, snaps.length);
        snaps.push(ChunkSnap.capture(chunk, null));
      } else snaps[i] = ChunkSnap.capture(chunk, snaps[i]!);
    }

    const indexes = this.truncated ? new Map(schema.uniqueKeys.map((u) => [u.name, new UniqueIndex(u)] as const)) : store.indexes();
    const v = new VersionImpl(schema, snaps, indexes, latest.seq + 1);
    const isLive = (r: number) => v.isLive(r);
    for (const spec of schema.uniqueKeys) {
      const idx = indexes.get(spec.name);
      if (!idx) continue;
      for (const a of appended) {
        const vecs = this.keyVectors(schema, spec, a.piece, a.from, a.to);
        for (let i = 0; i < a.to - a.from; i++) {
          const key = keyOfVectors(vecs, i);
          if (key !== null) idx.add(key, a.rowId + i, isLive);
        }
      }
    }
    store.publish(v, indexes);
  }

  /** Commit-time re-check when other commits or DDL happened since the insert-time checks. */
  private recheckUnique(schema: Schema, latest: VersionImpl): void {
    const indexes = this.store.indexes();
    for (const spec of schema.uniqueKeys) {
      const idx = indexes.get(spec.name);
      const seen = new Set<Key>();
      for (let k = 0; k < this.pieces.length; k++) {
        const piece = this.pieces[k]!;
        const start = this.starts[k]!;
        const vecs = this.keyVectors(schema, spec, piece, 0, piece.length);
        for (let i = 0; i < piece.length; i++) {
          if (!this.privLive(start + i)) continue;
          const key = keyOfVectors(vecs, i);
          if (key === null) continue;
          if (seen.has(key)) throw this.uniqueError(schema, spec, piece, i);
          seen.add(key);
          if (idx && !this.truncated) {
            for (const r of idx.candidates(key)) {
              if (latest.isLive(r) && !this.deletedByMe(r)) throw this.uniqueError(schema, spec, piece, i);
            }
          }
        }
      }
    }
  }
}

/** Maximal runs [from, to) (piece offsets) of rows not deleted, for a piece starting at `start`. */
function liveRuns(deleted: Uint8Array | null, start: number, n: number): [number, number][] {
  if (deleted === null) return [[0, n]];
  const out: [number, number][] = [];
  let a = -1;
  for (let i = 0; i < n; i++) {
    const dead = start + i < deleted.length && deleted[start + i] === 1;
    if (!dead && a < 0) a = i;
    else if (dead && a >= 0) {
      out.push([a, i]);
      a = -1;
    }
  }
  if (a >= 0) out.push([a, n]);
  return out;
}
