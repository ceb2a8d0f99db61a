/**
 * Seeded interleavings of several in-process sessions writing one distributed hypertable: explicit
 * transactions that COMMIT, ROLLBACK or go back to a SAVEPOINT, autocommit statements, UPDATE and
 * DELETE of a session's own rows, CHECKPOINTs, with rows spread over new and existing hours so that
 * chunks are created by transactions that other sessions write into before they end. After every
 * step the committed rows must be exactly what the sessions were told was committed; after a crash
 * and recovery, too. In-process, so every interleaving is replayed exactly from its seed (the kill -9
 * rounds found a chunk-lifetime race only under CI's timing; this finds it at once).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Strata, type StrataSession } from '../../packages/server/src/engine/strata.js';
import { Xorshift32, formatSeed } from './prng.js';
import { cleanupDurabilityResources, makeTempDir } from './server-process.js';

afterAll(cleanupDurabilityResources);

const HOUR_MS = 3_600_000;
const BASE_MS = Date.UTC(2024, 0, 1);
const DEVICES = ['d0', 'd1', 'd2', 'd3', 'd4', 'd5'];

interface Row {
  timeMs: number;
  device: string;
  v: number;
}

/** One session's view: its committed rows are shared, its open transaction's writes are its own. */
class Writer {
  /** id → row (null: deleted) written by the open transaction, and the savepoint's copy of it */
  pending: Map<number, Row | null> | null = null;
  savepoint: Map<number, Row | null> | null = null;
  nextId: number;

  constructor(
    readonly session: StrataSession,
    readonly index: number,
  ) {
    this.nextId = (index + 1) * 1_000_000;
  }
}

function literal(r: Row): string {
  return `'${new Date(r.timeMs).toISOString()}'`;
}

async function committedRows(s: StrataSession): Promise<Map<number, Row>> {
  const res = await s.query<{ id: string; time: Date; device: string; v: number }>('SELECT id, time, device, v FROM conditions');
  const out = new Map<number, Row>();
  for (const r of res.rows) out.set(Number(r.id), { timeMs: r.time.getTime(), device: r.device, v: r.v });
  return out;
}

function diff(want: Map<number, Row>, have: Map<number, Row>): string[] {
  const out: string[] = [];
  for (const [id, r] of want) {
    const h = have.get(id);
    if (h === undefined) out.push(`missing ${id} ${JSON.stringify(r)}`);
    else if (h.v !== r.v || h.timeMs !== r.timeMs || h.device !== r.device) out.push(`row ${id}: ${JSON.stringify(h)}, expected ${JSON.stringify(r)}`);
  }
  for (const id of have.keys()) if (!want.has(id)) out.push(`unexpected row ${id} ${JSON.stringify(have.get(id))}`);
  return out;
}

async function runInterleaving(seed: number, steps: number): Promise<void> {
  const rng = new Xorshift32(seed);
  const dataDir = makeTempDir('concurrent-sessions');
  let db = await Strata.create({ dataDir });
  for (const n of ['dn1', 'dn2', 'dn3']) await db.query(`SELECT add_data_node('${n}')`);
  await db.exec('CREATE TABLE conditions (time timestamptz NOT NULL, device text, id bigint, v double precision)');
  await db.query("SELECT create_distributed_hypertable('conditions', 'time', 'device', chunk_time_interval => interval '1 hour')");
  const writers = Array.from({ length: 4 }, (_, i) => new Writer(db.connect(), i));
  const committed = new Map<number, Row>();
  let hours = 1;
  const history: string[] = [];
  const fail = (why: string) => {
    throw new Error(`seed ${formatSeed(seed)}: ${why}\nlast steps:\n${history.slice(-25).join('\n')}`);
  };

  /** The rows a writer sees: committed ones with its open transaction's writes on top. */
  const visibleOwn = (w: Writer): number[] => {
    const ids = new Set<number>();
    for (const id of committed.keys()) if (Math.floor(id / 1_000_000) === w.index + 1) ids.add(id);
    for (const [id, r] of w.pending ?? []) (r === null ? ids.delete(id) : ids.add(id));
    return [...ids].sort((a, b) => a - b);
  };
  const current = (w: Writer, id: number): Row => (w.pending?.has(id) ? w.pending.get(id)! : committed.get(id)!);

  /** Runs one statement of `w`; in autocommit mode its effects are committed at once. */
  const write = async (w: Writer, sql: string, effects: Map<number, Row | null>) => {
    history.push(`s${w.index}${w.pending ? ' (txn)' : ''}: ${sql}`);
    await w.session.exec(sql);
    const target = w.pending ?? committed;
    for (const [id, r] of effects) {
      if (r === null) target === committed ? committed.delete(id) : w.pending!.set(id, null);
      else target.set(id, r);
    }
  };

  for (let step = 0; step < steps; step++) {
    const w = rng.pick(writers);
    const roll = rng.int(0, 99);
    if (roll < 2) {
      history.push(`s${w.index}: CHECKPOINT`);
      await w.session.exec('CHECKPOINT');
    } else if (w.pending === null && roll < 25) {
      history.push(`s${w.index}: BEGIN`);
      await w.session.exec('BEGIN');
      w.pending = new Map();
    } else if (w.pending !== null && roll < 35) {
      const rollback = rng.chance(0.4);
      history.push(`s${w.index}: ${rollback ? 'ROLLBACK' : 'COMMIT'}`);
      await w.session.exec(rollback ? 'ROLLBACK' : 'COMMIT');
      if (!rollback) for (const [id, r] of w.pending) (r === null ? committed.delete(id) : committed.set(id, r));
      w.pending = null;
      w.savepoint = null;
    } else if (w.pending !== null && roll < 40) {
      if (w.savepoint === null || rng.chance(0.5)) {
        history.push(`s${w.index}: SAVEPOINT s`);
        await w.session.exec('SAVEPOINT s');
        w.savepoint = new Map(w.pending);
      } else {
        history.push(`s${w.index}: ROLLBACK TO SAVEPOINT s`);
        await w.session.exec('ROLLBACK TO SAVEPOINT s');
        w.pending = new Map(w.savepoint);
      }
    } else if (roll < 80) {
      // mostly the newest hours, where chunks are still being created; sometimes a new hour
      if (rng.chance(0.15)) hours++;
      const rows = new Map<number, Row | null>();
      const n = rng.int(1, 6);
      for (let i = 0; i < n; i++) {
        const hour = Math.max(0, hours - 1 - (rng.chance(0.8) ? rng.int(0, 1) : rng.int(0, hours)));
        rows.set(w.nextId++, { timeMs: BASE_MS + hour * HOUR_MS + rng.int(0, 3599) * 1000, device: rng.pick(DEVICES), v: rng.int(-1000, 1000) / 4 });
      }
      const values = [...rows].map(([id, r]) => `(${literal(r!)}, '${r!.device}', ${id}, ${r!.v})`).join(', ');
      await write(w, `INSERT INTO conditions (time, device, id, v) VALUES ${values}`, rows);
    } else {
      const own = visibleOwn(w);
      if (own.length === 0) continue;
      const targets = [...new Set(Array.from({ length: rng.int(1, 3) }, () => rng.pick(own)))];
      const effects = new Map<number, Row | null>();
      if (roll < 90) {
        for (const id of targets) effects.set(id, { ...current(w, id), v: current(w, id).v + 1 });
        await write(w, `UPDATE conditions SET v = v + 1 WHERE id IN (${targets.join(', ')})`, effects);
      } else {
        for (const id of targets) effects.set(id, null);
        await write(w, `DELETE FROM conditions WHERE id IN (${targets.join(', ')})`, effects);
      }
    }
    const problems = diff(committed, await committedRows(db.connect()));
    if (problems.length > 0) fail(`after step ${step}:\n${problems.slice(0, 10).join('\n')}`);
  }
  // the crash: open transactions vanish, everything committed stays
  db.core.durability!.simulateCrash();
  db = await Strata.create({ dataDir });
  const problems = diff(committed, await committedRows(db.connect()));
  if (problems.length > 0) fail(`after the crash:\n${problems.slice(0, 10).join('\n')}`);
  await db.close();
}

describe('concurrent sessions on one hypertable, seeded interleavings', () => {
  const seeds = process.env.STRATA_INTERLEAVING_SEED ? [Number(process.env.STRATA_INTERLEAVING_SEED)] : [0xc0c0_0001, 0xc0c0_0002, 0xc0c0_0003, 0xc0c0_0004, 0xc0c0_0005, 0xc0c0_0006];
  for (const seed of seeds) {
    it(`seed ${formatSeed(seed)}`, { timeout: 60_000 }, async () => {
      await runInterleaving(seed, 400);
      expect(true).toBe(true);
    });
  }
});
