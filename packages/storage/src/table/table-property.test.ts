/**
 * Random interleavings of inserts, deletes, commits, rollbacks, truncates and
 * snapshots against a naive model: a committed map of rows keyed by a unique
 * serial, and per txn its base, own deletes and own inserts.
 */
import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors.js';
import { T } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import { vectorToValues } from '../vector.js';
import { TableStore, type TableTxn, type TableVersion } from './index.js';

type Row = Value[]; // [serial, text, float, bool, key]

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ModelTxn {
  txn: TableTxn;
  base: Map<number, Row>;
  deleted: Set<number>; // serials of base rows deleted
  inserted: Map<number, Row>;
  truncated: boolean;
}

function contents(v: TableVersion): Map<number, Row> {
  const out = new Map<number, Row>();
  for (const sb of v.scan([1, 2, 3, 4, 5], { withRowIds: true, batchRows: 5 })) {
    const cols = sb.batch.columns.map(vectorToValues);
    for (let i = 0; i < sb.batch.length; i++) {
      const row = cols.map((c) => c[i]!);
      expect(out.has(row[0] as number)).toBe(false);
      expect(v.isLive(sb.rowIds![i]!)).toBe(true);
      out.set(row[0] as number, row);
    }
  }
  return out;
}

function sorted(m: Map<number, Row>): Row[] {
  return [...m.values()].sort((a, b) => (a[0] as number) - (b[0] as number));
}

function viewModel(t: ModelTxn): Map<number, Row> {
  const m = new Map<number, Row>();
  if (!t.truncated) for (const [k, r] of t.base) if (!t.deleted.has(k)) m.set(k, r);
  for (const [k, r] of t.inserted) m.set(k, r);
  return m;
}

function runSeed(seed: number, steps: number): void {
  const rand = rng(seed);
  const pick = <X>(xs: readonly X[]): X => xs[Math.floor(rand() * xs.length)]!;
  const store = new TableStore({
    name: 'p',
    columns: [
      { id: 1, name: 'serial', type: T.int8, notNull: true },
      { id: 2, name: 's', type: T.text, notNull: false },
      { id: 3, name: 'f', type: T.float8, notNull: false },
      { id: 4, name: 'b', type: T.bool, notNull: false },
      { id: 5, name: 'k', type: T.int4, notNull: false },
    ],
    uniqueKeys: [{ name: 'p_k_key', columnIds: [5], primary: false }],
    sealRows: 1 + Math.floor(rand() * 8),
    chunkRows: 8 + Math.floor(rand() * 24),
  });
  let committed = new Map<number, Row>();
  let serial = 0;
  const open: ModelTxn[] = [];
  const snapshots: [TableVersion, Row[]][] = [];

  const liveKeys = (m: Map<number, Row>) => new Set([...m.values()].map((r) => r[4]).filter((k) => k !== null));

  for (let step = 0; step < steps; step++) {
    const op = rand();
    if (open.length === 0 || op < 0.1) {
      if (open.length < 4) open.push({ txn: store.begin(), base: new Map(committed), deleted: new Set(), inserted: new Map(), truncated: false });
      continue;
    }
    const t = pick(open);
    if (op < 0.45) {
      const n = rand() < 0.2 ? Math.floor(rand() * 25) : 1 + Math.floor(rand() * 4);
      const rs: Row[] = [];
      for (let i = 0; i < n; i++) {
        const f = rand();
        rs.push([
          ++serial,
          rand() < 0.15 ? null : pick(['a', 'b', 'c', 'dd', 'é']),
          f < 0.1 ? null : f < 0.15 ? NaN : Math.round(f * 1000) / 10,
          rand() < 0.2 ? null : rand() < 0.5,
          rand() < 0.3 ? null : Math.floor(rand() * 60),
        ]);
      }
      // Expected unique outcome: keys must not clash with the txn's own rows, the newest committed
      // rows it has not deleted (as PostgreSQL, a row in the txn's snapshot that a concurrent
      // commit deleted does not conflict), or each other.
      const taken = liveKeys(t.inserted);
      const newest = t.truncated ? new Set<Value>() : liveKeys(new Map([...committed].filter(([k]) => !t.deleted.has(k))));
      let clash = false;
      const seen = new Set<Value>();
      for (const r of rs) {
        const k = r[4];
        if (k === null) continue;
        if (taken.has(k) || newest.has(k) || seen.has(k)) clash = true;
        seen.add(k);
      }
      let err: unknown = null;
      try {
        t.txn.insertRows(rs);
      } catch (e) {
        err = e;
      }
      if (err === null) {
        expect(clash).toBe(false);
        for (const r of rs) t.inserted.set(r[0] as number, r);
      } else {
        expect((err as SqlError).code).toBe('23505');
        expect(clash).toBe(true);
      }
    } else if (op < 0.65) {
      // Delete a random subset of the txn's view, found by scanning it.
      const v = t.txn.view();
      const ids: number[] = [];
      const serials: number[] = [];
      for (const sb of v.scan([1], { withRowIds: true })) {
        const c = vectorToValues(sb.batch.columns[0]!);
        for (let i = 0; i < sb.batch.length; i++) {
          if (rand() < 0.3) {
            ids.push(sb.rowIds![i]!);
            serials.push(c[i] as number);
          }
        }
      }
      expect(t.txn.delete(ids)).toBe(ids.length);
      expect(t.txn.delete(ids.slice(0, 2))).toBe(0);
      for (const sr of serials) {
        if (t.inserted.has(sr)) t.inserted.delete(sr);
        else t.deleted.add(sr);
      }
    } else if (op < 0.67) {
      t.txn.truncate();
      t.truncated = true;
      t.deleted.clear();
      t.inserted.clear();
    } else if (op < 0.87) {
      open.splice(open.indexOf(t), 1);
      const conflict = !t.truncated && [...t.deleted].some((sr) => !committed.has(sr));
      const survivors = t.truncated ? new Map<number, Row>() : new Map([...committed].filter(([k]) => !t.deleted.has(k)));
      const keys = liveKeys(survivors);
      const uniqueClash = [...t.inserted.values()].some((r) => r[4] !== null && keys.has(r[4]));
      let err: unknown = null;
      try {
        t.txn.commit();
      } catch (e) {
        err = e;
      }
      if (err === null) {
        expect(conflict || uniqueClash).toBe(false);
        committed = survivors;
        for (const [k, r] of t.inserted) committed.set(k, r);
      } else {
        const code = (err as SqlError).code;
        if (conflict) expect(code).toBe('40001');
        else {
          expect(code).toBe('23505');
          expect(uniqueClash).toBe(true);
        }
      }
    } else if (op < 0.95) {
      open.splice(open.indexOf(t), 1);
      t.txn.rollback();
    } else {
      snapshots.push([store.latest(), sorted(committed)]);
    }

    if (step % 7 === 0) {
      expect(sorted(contents(store.latest()))).toEqual(sorted(committed));
      expect(store.latest().rowCount).toBe(committed.size);
      for (const o of open) expect(sorted(contents(o.txn.view()))).toEqual(sorted(viewModel(o)));
      for (const r of committed.values()) {
        if (r[4] !== null) {
          const id = store.latest().lookupUnique('p_k_key', [r[4]]);
          expect(id).not.toBeNull();
          expect(vectorToValues(store.latest().fetch([id!], [1]).columns[0]!)).toEqual([r[0]]);
        }
      }
    }
  }
  for (const [v, expected] of snapshots) expect(sorted(contents(v))).toEqual(expected);
}

describe('TableStore property test', () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(`seed ${seed}`, () => runSeed(seed, 300));
  }
});
