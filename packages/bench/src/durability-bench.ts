/**
 * Durability measurements, embedded (`Strata.create({ dataDir })`), TSBS cpu table as a
 * distributed hypertable on in-process data nodes, loaded with db.insert(Arrow):
 *
 *   restart: load --rows, CHECKPOINT (timed), load --tail more, crash (simulateCrash),
 *            reopen (timed: checkpoint restore + replay of the tail), close cleanly
 *            (final checkpoint, timed), reopen (timed: checkpoint only).
 *   ingest:  load --rows in memory, durable, and durable with synchronous_commit = off (the
 *            log's CPU cost without waiting for fdatasync), rotating the order, --runs times each;
 *            on Linux each run also reports its main thread's time on a CPU and waiting for one,
 *            and the CPU of every other thread (GC helpers, the WAL writer thread, libuv).
 *
 *   pnpm --filter @strata/bench durability restart --rows 10000000 --tail 1000000 --runs 3
 *   pnpm --filter @strata/bench durability ingest --rows 1000000 --runs 3 [--kinds memory,durable,durable-async]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Table } from 'apache-arrow';
import { Strata } from '@strata/server';
import { TsbsCpuGenerator } from './tsbs-data.js';
import { threadDelta, threadTimes, type ThreadTimes } from './thread-times.js';
import { cpuTableDdl, tagsInsertSql, tagsTableDdl, toArrow } from './tsbs-format.js';

interface Args {
  mode: 'restart' | 'ingest';
  rows: number;
  tail: number;
  runs: number;
  dataNodes: number;
  hosts: number;
  kinds: IngestKind[];
}

type IngestKind = 'memory' | 'durable' | 'durable-async';
const INGEST_KINDS: readonly IngestKind[] = ['memory', 'durable', 'durable-async'];

/** `--kinds memory,durable` runs only those (e.g. to profile one); all three by default. */
function parseKinds(argv: readonly string[]): IngestKind[] {
  const i = argv.indexOf('--kinds');
  if (i < 0) return [...INGEST_KINDS];
  const kinds = (argv[i + 1] ?? '').split(',');
  for (const k of kinds) {
    if (!(INGEST_KINDS as readonly string[]).includes(k)) throw new Error(`--kinds: unknown kind "${k}" (${INGEST_KINDS.join(', ')})`);
  }
  return kinds as IngestKind[];
}

function parseArgs(argv: readonly string[]): Args {
  const mode = argv[0];
  if (mode !== 'restart' && mode !== 'ingest') throw new Error('usage: durability-bench restart|ingest [--rows N] [--tail N] [--runs N] [--data-nodes N] [--hosts N]');
  const num = (flag: string, dflt: number): number => {
    const i = argv.indexOf(flag);
    return i < 0 ? dflt : Number(argv[i + 1]);
  };
  return {
    mode,
    rows: num('--rows', mode === 'restart' ? 10_000_000 : 1_000_000),
    tail: num('--tail', 1_000_000),
    runs: num('--runs', 3),
    dataNodes: num('--data-nodes', 3),
    hosts: num('--hosts', 1000),
    kinds: parseKinds(argv),
  };
}

async function setUp(db: Strata, gen: TsbsCpuGenerator, dataNodes: number): Promise<void> {
  for (let i = 1; i <= dataNodes; i++) await db.query(`SELECT add_data_node('dn${i}')`);
  await db.query(tagsTableDdl(false));
  await db.query(tagsInsertSql(gen.hosts));
  await db.query(cpuTableDdl());
  await db.query("SELECT create_distributed_hypertable('cpu', 'time', 'hostname', chunk_time_interval => INTERVAL '12 hours')");
}

/** Inserts `parts` (Arrow tables of up to 65,536 rows); returns the milliseconds. */
async function load(db: Strata, parts: Iterable<Table>): Promise<number> {
  const t0 = performance.now();
  for (const part of parts) await db.insert('cpu', part);
  return performance.now() - t0;
}

function threadReport(before: ThreadTimes | undefined, after: ThreadTimes | undefined): string {
  const d = threadDelta(before, after);
  if (d === undefined) return '';
  const ms = (x: number) => x.toFixed(0);
  return `; main thread on a CPU ${ms(d.mainRun)} ms, waiting for one ${ms(d.mainWait)} ms; other threads ${ms(d.otherRun)} ms`;
}

function* arrowParts(gen: TsbsCpuGenerator, rows: number): Generator<Table> {
  for (const c of gen.chunks(rows)) yield toArrow(c);
}

async function count(db: Strata): Promise<number> {
  return Number((await db.query<{ n: unknown }>('SELECT count(*) AS n FROM cpu')).rows[0]!.n);
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += fs.statSync(path.join(e.parentPath, e.name)).size;
  }
  return total;
}

const secs = (ms: number): string => (ms / 1000).toFixed(2);
const rate = (rows: number, ms: number): string => `${((rows / ms) * 1000 / 1e6).toFixed(2)} M rows/s`;

async function restartRun(a: Args, run: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-durability-bench-'));
  const checkpoints: string[] = [];
  const log = (level: string, message: string) => {
    if (message.startsWith('checkpoint at')) checkpoints.push(message);
    else if (level !== 'info') console.error(`  [${level}] ${message}`);
  };
  try {
    const gen = new TsbsCpuGenerator({ hosts: a.hosts, seed: run });
    let db = await Strata.create({ dataDir: dir, durability: { log } });
    await setUp(db, gen, a.dataNodes);
    // the generator goes on in time: the tail lands in the newest chunks and new ones
    const loadMs = await load(db, arrowParts(gen, a.rows));
    let t0 = performance.now();
    await db.exec('CHECKPOINT');
    const checkpointMs = performance.now() - t0;
    const tailMs = await load(db, arrowParts(gen, a.tail));
    const walBytes = dirBytes(path.join(dir, 'wal'));
    db.core.durability!.simulateCrash();

    t0 = performance.now();
    db = await Strata.create({ dataDir: dir, durability: { log } });
    const crashOpenMs = performance.now() - t0;
    const crashReport = db.recovery!;
    const n1 = await count(db);
    if (n1 !== a.rows + a.tail) throw new Error(`after the crash: ${n1} rows, expected ${a.rows + a.tail}`);

    t0 = performance.now();
    await db.close();
    const closeMs = performance.now() - t0;
    const checkpointBytes = dirBytes(path.join(dir, 'checkpoint'));
    t0 = performance.now();
    db = await Strata.create({ dataDir: dir, durability: { log } });
    const cleanOpenMs = performance.now() - t0;
    const cleanReport = db.recovery!;
    const n2 = await count(db);
    await db.close();
    if (n2 !== a.rows + a.tail) throw new Error(`after the clean restart: ${n2} rows, expected ${a.rows + a.tail}`);

    console.log(`run ${run}: load ${a.rows} rows ${secs(loadMs)} s (${rate(a.rows, loadMs)}), CHECKPOINT ${secs(checkpointMs)} s, tail ${a.tail} rows ${secs(tailMs)} s, WAL ${(walBytes / 1048576).toFixed(0)} MiB`);
    console.log(`  crash restart: ${secs(crashOpenMs)} s (${rate(a.rows + a.tail, crashOpenMs)}); checkpoint ${crashReport.checkpointRows} rows, ${crashReport.records} records / ${(crashReport.walBytes / 1048576).toFixed(0)} MiB replayed; report ${secs(crashReport.millis)} s`);
    console.log(`  clean close (final checkpoint) ${secs(closeMs)} s; clean restart: ${secs(cleanOpenMs)} s (${rate(a.rows + a.tail, cleanOpenMs)}), ${cleanReport.records} records replayed; checkpoint ${(checkpointBytes / 1048576).toFixed(0)} MiB`);
    for (const c of checkpoints) console.log(`  ${c}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}


async function ingestRun(a: Args, kind: IngestKind, run: number): Promise<{ ms: number; threads: string }> {
  const dir = kind !== 'memory' ? fs.mkdtempSync(path.join(os.tmpdir(), 'strata-durability-bench-')) : undefined;
  try {
    const gen = new TsbsCpuGenerator({ hosts: a.hosts, seed: run });
    const parts = [...arrowParts(gen, a.rows)];
    const db = await Strata.create({ dataDir: dir });
    await setUp(db, gen, a.dataNodes);
    if (kind === 'durable-async') await db.exec('SET synchronous_commit = off');
    const before = threadTimes();
    const ms = await load(db, parts);
    const threads = threadReport(before, threadTimes());
    if ((await count(db)) !== a.rows) throw new Error('row count mismatch');
    await db.close();
    return { ms, threads };
  } finally {
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  if (a.mode === 'restart') {
    for (let r = 1; r <= a.runs; r++) await restartRun(a, r);
    return;
  }
  const kinds = a.kinds;
  const times: Record<IngestKind, number[]> = { memory: [], durable: [], 'durable-async': [] };
  for (let r = 1; r <= a.runs; r++) {
    // rotate which goes first, so drift on a shared machine hits all alike
    const order = kinds.map((_, i) => kinds[(i + r) % kinds.length]!);
    for (const kind of order) {
      const { ms, threads } = await ingestRun(a, kind, r);
      times[kind].push(ms);
      console.log(`run ${r} ${kind}: ${a.rows} rows in ${secs(ms)} s (${rate(a.rows, ms)})${threads}`);
    }
  }
  for (const kind of kinds) {
    const ts = times[kind];
    console.log(`${kind}: median ${rate(a.rows, median(ts))}, range ${rate(a.rows, Math.max(...ts))} – ${rate(a.rows, Math.min(...ts))}`);
  }
  if (!kinds.includes('memory')) return;
  for (const kind of (['durable', 'durable-async'] as const).filter((k) => kinds.includes(k))) {
    console.log(`${kind} / memory (medians): ${((median(times.memory) / median(times[kind])) * 100).toFixed(0)} %`);
  }
}

await main();
