/**
 * Power loss, simulated below the WAL (power-loss-fs.ts): concurrent sessions
 * commit small and bulk transactions (bulk ones logged ahead in parts, segments
 * small enough to rotate often), the power goes at a seeded moment right after
 * an acknowledgement, and only what was synced — file data by fdatasync,
 * directory entries by a directory fsync — is handed to a fresh engine. Every
 * acknowledged transaction must be there in full; every other one whole or not
 * at all. This checks the ordering kill -9 cannot: that nothing is acknowledged
 * before its bytes, its segment's header and the segment's directory entry are
 * on disk.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Strata, type StrataSession } from '../../packages/server/src/engine/strata.js';
import { PowerLossFs } from './power-loss-fs.js';
import { Xorshift32 } from './prng.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(label: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `strata-power-${label}-`));
  dirs.push(d);
  return d;
}

interface Txn {
  id: number;
  table: 't' | 'h';
  rows: number;
  keySum: number;
  /** acked-after-cut: acknowledged by the process after the power went (as if the reply never left) */
  state: 'open' | 'acked' | 'acked-after-cut' | 'rolled-back' | 'failed';
}

const T0 = Date.UTC(2024, 0, 1);

async function runRound(seed: number): Promise<{ acked: number; others: number; parts: number }> {
  const rng = new Xorshift32(seed);
  const dir = tempDir(`s${seed}`);
  const walFs = new PowerLossFs(dir);
  const opts = { walFs, segmentBytes: 96 * 1024, aheadRows: 100, checkpointWalBytes: 1e12 };
  const db = await Strata.create({ dataDir: dir, durability: opts });
  for (const n of ['dn1', 'dn2']) await db.query(`SELECT add_data_node('${n}')`);
  await db.exec('CREATE TABLE t (txn int, k int, v text)');
  await db.exec('CREATE TABLE h (time timestamptz NOT NULL, txn int, k int)');
  await db.query(`SELECT create_distributed_hypertable('h', 'time', 'txn', chunk_time_interval => interval '1 hour')`);

  const txns: Txn[] = [];
  // late enough that the log has moved into preallocated segments (after its first MiB)
  const cutAfter = 25 + rng.int(0, 40);
  let acks = 0;
  let stopped = false;
  const ack = (t: Txn) => {
    if (stopped) {
      t.state = 'acked-after-cut';
      return;
    }
    t.state = 'acked';
    if (++acks >= cutAfter) {
      walFs.cut();
      stopped = true;
    }
  };

  const rowsFor = (t: Txn, from: number, n: number) =>
    Array.from({ length: n }, (_, i) => {
      const k = from + i;
      t.keySum += k;
      t.rows++;
      return t.table === 't' ? { txn: t.id, k, v: `v${k % 13}` } : { time: new Date(T0 + ((t.id * 7919 + k) % 86_400) * 1000), txn: t.id, k };
    });

  const client = async (s: StrataSession, seedOffset: number) => {
    const r = new Xorshift32(seed * 31 + seedOffset);
    while (!stopped) {
      const t: Txn = { id: txns.length + 1, table: r.chance(0.5) ? 't' : 'h', rows: 0, keySum: 0, state: 'open' };
      txns.push(t);
      const roll = r.int(0, 99);
      try {
        if (roll < 35) {
          await s.insert(t.table, rowsFor(t, 0, 1 + r.int(0, 20)));
          ack(t);
        } else if (roll < 65) {
          await s.exec('BEGIN');
          await s.insert(t.table, rowsFor(t, 0, 1 + r.int(0, 30)));
          await s.insert(t.table, rowsFor(t, 1000, 1 + r.int(0, 30)));
          await s.exec('COMMIT');
          ack(t);
        } else if (roll < 90) {
          // a bulk load, logged ahead of its commit in parts
          await s.exec('BEGIN');
          for (let b = 0, n = 1 + r.int(0, 3); b < n; b++) await s.insert(t.table, rowsFor(t, b * 10_000, 150 + r.int(0, 3000)));
          await s.exec('COMMIT');
          ack(t);
        } else {
          await s.exec('BEGIN');
          await s.insert(t.table, rowsFor(t, 0, 150 + r.int(0, 500)));
          await s.exec('ROLLBACK');
          t.state = 'rolled-back';
        }
      } catch {
        t.state = 'failed';
        await s.exec('ROLLBACK').catch(() => {});
      }
    }
  };
  const sessions = [db, db.connect(), db.connect()];
  await Promise.all(sessions.map((s, i) => client(s, i)));
  const parts = walFs.syncs;
  if (process.env.DEBUG_POWER) console.log(`seed ${seed}: ${txns.length} txns, log ${db.core.durability!.writtenLsn} bytes, ${walFs.syncs} syncs, segments ${fs.readdirSync(path.join(dir, "wal")).join(" ")}`);
  db.core.durability!.simulateCrash();

  const after = tempDir(`s${seed}-after`);
  fs.rmSync(after, { recursive: true });
  walFs.materialize(after);
  const recovered = await Strata.create({ dataDir: after });
  const found = new Map<string, { n: number; s: number }>();
  for (const table of ['t', 'h'] as const) {
    const res = await recovered.query<{ txn: number; n: number; s: number }>(`SELECT txn, count(*)::int AS n, sum(k)::int AS s FROM ${table} GROUP BY txn`);
    for (const row of res.rows) found.set(`${table}:${row.txn}`, { n: row.n, s: row.s });
  }
  let others = 0;
  for (const t of txns) {
    const got = found.get(`${t.table}:${t.id}`);
    const label = `seed ${seed}, transaction ${t.id} (${t.state}, ${t.rows} rows into ${t.table})`;
    if (t.state === 'acked') expect(got, label).toEqual({ n: t.rows, s: t.keySum });
    else if (t.state === 'rolled-back') expect(got, label).toBeUndefined();
    else {
      others++;
      if (got !== undefined) expect(got, label).toEqual({ n: t.rows, s: t.keySum });
    }
  }
  await recovered.close();
  return { acked: txns.filter((t) => t.state === 'acked').length, others, parts };
}

describe('power loss (simulated below the WAL)', { timeout: 120_000 }, () => {
  it('every acknowledged transaction survives, every other is whole or absent (6 seeds)', async () => {
    let acked = 0;
    for (const seed of [11, 12, 13, 14, 15, 16]) acked += (await runRound(seed)).acked;
    expect(acked).toBeGreaterThanOrEqual(6 * 25);
  });
});
