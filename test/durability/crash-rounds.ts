/**
 * The kill -9 rounds: a child server on a fresh data directory, a plain table
 * and a distributed hypertable, N concurrent clients running the seeded mix
 * (crash-workload.ts), SIGKILL at a seeded moment, restart on the same
 * directory, verification against the clients' reference logs and the
 * catalog, then the next round on the recovered server (crashes compound).
 *
 * Replay: every failure names the base seed; STRATA_CRASH_SEED=<seed>
 * STRATA_CRASH_ROUNDS=<n> runs the same choices again (the kill moment is
 * counted in acknowledged operations, so it is close but not byte-identical:
 * thread scheduling still varies).
 */
import type pg from 'pg';
import type { Socket } from 'node:net';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runClient, type ClientRunResult } from './crash-workload.js';
import { verifyCatalog, type CatalogSnapshot, snapshotCatalog } from './catalog-check.js';
import { Xorshift32, formatSeed } from './prng.js';
import { ClientReference, rowKey, type ClientRows, type InFlightOutcome, type RowState, type TableName } from './reference-model.js';
import { ServerProcess, makeTempDir, startAndKillAfter } from './server-process.js';

export interface CrashRunOptions {
  label: string;
  baseSeed: number;
  rounds: number;
  /** concurrent clients; at most 8 (two shared cores) */
  clients: number;
  synchronousCommitOff?: boolean;
  /**
   * 'kill-server' (the test): SIGKILL and restart. 'cut-connections' checks the
   * harness itself on a server without durability: the clients' sockets are
   * destroyed mid-operation and the same server is verified.
   */
  crash?: 'kill-server' | 'cut-connections';
  /** environment of the server process (e.g. STRATA_LOG_AHEAD_ROWS) */
  serverEnv?: Record<string, string>;
  /** upper bound of the seeded "kill after this many acknowledged operations" */
  maxOpsBeforeKill?: number;
  log?: (line: string) => void;
}

export interface RoundReport {
  round: number;
  roundSeed: string;
  killAfterAcks: number;
  operations: number;
  outcomes: Record<InFlightOutcome, number>;
  ledgerRows: number;
  conditionsRows: number;
  chunks: number;
  /** the kill left a checkpoint half written (a `.tmp` directory or CURRENT.tmp) */
  midCheckpoint: boolean;
  /** spawn → listening line on the restart, recovery included */
  restartMs: number;
  recoveryLines: string[];
}

export const SCHEMA = [
  'CREATE TABLE ledger (id bigint PRIMARY KEY, client int, v double precision)',
  'CREATE TABLE conditions (time timestamptz NOT NULL, device text, client int, id bigint, v double precision)',
  "SELECT create_distributed_hypertable('conditions', 'time', 'device', chunk_time_interval => interval '1 hour')",
];

/** Everything the server holds, grouped by client; duplicates (a record replayed twice) are reported. */
async function readAllRows(db: pg.Client): Promise<{ byClient: Map<number, ClientRows>; problems: string[]; ledger: number; conditions: number }> {
  const byClient = new Map<number, ClientRows>();
  const problems: string[] = [];
  const put = (table: TableName, id: number, client: number, row: RowState) => {
    let rows = byClient.get(client);
    if (!rows) byClient.set(client, (rows = new Map()));
    const key = rowKey(table, id);
    if (rows.has(key)) problems.push(`duplicate row ${key} (client ${client}): ${JSON.stringify(rows.get(key))} and ${JSON.stringify(row)}`);
    rows.set(key, row);
  };
  const ledger = await db.query<{ id: string; client: number; v: number }>('SELECT id, client, v FROM ledger');
  for (const r of ledger.rows) put('ledger', Number(r.id), r.client, { client: r.client, v: r.v });
  const cond = await db.query<{ id: string; client: number; v: number; time: Date; device: string }>('SELECT id, client, v, time, device FROM conditions');
  for (const r of cond.rows) put('conditions', Number(r.id), r.client, { client: r.client, v: r.v, timeMs: r.time.getTime(), device: r.device });
  return { byClient, problems, ledger: ledger.rows.length, conditions: cond.rows.length };
}

/** count(*) and sum(v) per client through the aggregate path, against the reference. */
async function checkAggregates(db: pg.Client, refs: ClientReference[]): Promise<string[]> {
  const problems: string[] = [];
  for (const table of ['ledger', 'conditions'] as const) {
    const res = await db.query<{ client: number; n: string; s: number | null }>(`SELECT client, count(*) AS n, sum(v) AS s FROM ${table} GROUP BY client`);
    const got = new Map(res.rows.map((r) => [r.client, { count: Number(r.n), sum: r.s ?? 0 }]));
    for (const ref of refs) {
      const want = ref.aggregates(table);
      const have = got.get(ref.client) ?? { count: 0, sum: 0 };
      if (have.count !== want.count || have.sum !== want.sum) problems.push(`${table} client ${ref.client}: count/sum ${have.count}/${have.sum}, reference ${want.count}/${want.sum}`);
    }
  }
  return problems;
}

/** The primary key index was rebuilt by recovery: a duplicate of an acknowledged id is still refused. */
async function checkPrimaryKey(db: pg.Client, refs: ClientReference[]): Promise<string[]> {
  for (const ref of refs) {
    const key = [...ref.committedRows().keys()].find((k) => k.startsWith('ledger:'));
    if (!key) continue;
    const id = key.slice('ledger:'.length);
    try {
      await db.query(`INSERT INTO ledger (id, client, v) VALUES (${id}, ${ref.client}, 0)`);
      return [`INSERT of the existing ledger id ${id} succeeded after recovery: the primary key was not rebuilt`];
    } catch (e) {
      const code = (e as { code?: string }).code;
      return code === '23505' ? [] : [`duplicate key INSERT failed with ${code} instead of 23505: ${(e as Error).message}`];
    }
  }
  return [];
}

interface VerifyResult {
  outcomes: Record<InFlightOutcome, number>;
  ledger: number;
  conditions: number;
  chunks: number;
}

/** All checks after a restart; folds the in-flight transactions into the references. */
export async function verifyAfterRestart(server: ServerProcess, refs: ClientReference[], catalog: CatalogSnapshot): Promise<VerifyResult> {
  const db = await server.connect();
  try {
    const problems: string[] = [];
    // this workload drops no table, so a logged write that replay skipped as "dropped meanwhile" is lost data
    for (const line of `${server.stdout()}\n${server.stderr()}`.split('\n')) if (/were skipped/.test(line)) problems.push(`recovery: ${line.trim()}`);
    const all = await readAllRows(db);
    problems.push(...all.problems);
    const outcomes: Record<InFlightOutcome, number> = { none: 0, absent: 0, present: 0 };
    const known = new Set(refs.map((r) => r.client));
    for (const c of all.byClient.keys()) if (!known.has(c)) problems.push(`rows of unknown client ${c}`);
    for (const ref of refs) {
      try {
        outcomes[ref.resolveAfterRestart(all.byClient.get(ref.client) ?? new Map())]++;
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    // only meaningful once every client's state is settled
    if (problems.length === 0) problems.push(...(await checkAggregates(db, refs)));
    const catalogCheck = await verifyCatalog(db, catalog, all.byClient);
    problems.push(...catalogCheck.problems);
    problems.push(...(await checkPrimaryKey(db, refs)));
    if (problems.length > 0) throw new Error(problems.join('\n'));
    return { outcomes, ledger: all.ledger, conditions: all.conditions, chunks: catalogCheck.chunks };
  } finally {
    await db.end().catch(() => {});
  }
}

async function createSchema(server: ServerProcess): Promise<void> {
  const db = await server.connect();
  try {
    for (const sql of SCHEMA) await db.query(sql);
  } finally {
    await db.end();
  }
}

/** Load until the seeded number of acknowledgements (plus a seeded delay), then SIGKILL. */
async function loadAndKill(server: ServerProcess, refs: ClientReference[], rng: Xorshift32, opts: CrashRunOptions, killAfterAcks: number): Promise<ClientRunResult[]> {
  let acks = 0;
  let killTimer: NodeJS.Timeout | undefined;
  let killed: Promise<unknown> | undefined;
  const connections: pg.Client[] = [];
  const cutConnections = async () => {
    for (const db of connections) (db as unknown as { connection: { stream: Socket } }).connection.stream.destroy();
  };
  const kill = () => (killed ??= opts.crash === 'cut-connections' ? cutConnections() : server.kill9());
  const killDelayMs = rng.int(0, 30);
  // some rounds die inside a checkpoint: files half written, CURRENT not yet switched
  const duringCheckpoint = rng.chance(0.35);
  const checkpointKillDelayMs = rng.int(0, 400);
  let checkpointClient: pg.Client | undefined;
  const killInCheckpoint = async () => {
    try {
      checkpointClient = await server.connect();
      checkpointClient.query('CHECKPOINT').catch(() => {});
      setTimeout(kill, checkpointKillDelayMs);
    } catch {
      kill();
    }
  };
  const onAcknowledged = () => {
    if (++acks === killAfterAcks) killTimer = setTimeout(() => (duringCheckpoint ? void killInCheckpoint() : kill()), killDelayMs);
  };
  // a server that stops acknowledging still gets killed (and the round then checks what it kept)
  const stallTimer = setTimeout(kill, 60_000);
  const clientRngs = refs.map(() => rng.fork());
  const runs = refs.map((ref, i) =>
    runClient({
      connection: server.connectionConfig(),
      ref,
      rng: clientRngs[i]!,
      synchronousCommitOff: opts.synchronousCommitOff ?? false,
      onAcknowledged,
      onConnected: (db) => connections.push(db),
    }),
  );
  const results = await Promise.all(runs.map((r) => r.then((res) => (res.unexpected ? (kill(), res) : res))));
  clearTimeout(killTimer);
  clearTimeout(stallTimer);
  await kill();
  await checkpointClient?.end().catch(() => {});
  return results;
}

/**
 * Leftovers of an unfinished checkpoint (checkpoint.ts writes `checkpoint/<lsn>.tmp/`, then
 * CURRENT.tmp): compared before the load and after the kill, so older leftovers do not count.
 */
function checkpointLeftovers(dataDir: string): Set<string> {
  const root = join(dataDir, 'checkpoint');
  const out = new Set(existsSync(root) ? readdirSync(root).filter((n) => n.endsWith('.tmp')) : []);
  if (existsSync(join(dataDir, 'CURRENT.tmp'))) out.add(`CURRENT.tmp@${statSync(join(dataDir, 'CURRENT.tmp')).mtimeMs}`);
  return out;
}

export function replayHint(opts: CrashRunOptions): string {
  return `replay: STRATA_CRASH_SEED=${formatSeed(opts.baseSeed)} STRATA_CRASH_ROUNDS=${opts.rounds}${opts.synchronousCommitOff ? ' (synchronous_commit = off)' : ''} STRATA_KEEP_DATA_DIRS=1`;
}

/** Runs the rounds; throws (with the seed) at the first failed verification. */
export async function runCrashRounds(opts: CrashRunOptions): Promise<RoundReport[]> {
  if (opts.clients < 1 || opts.clients > 8) throw new Error('1 to 8 clients');
  const log = opts.log ?? (() => {});
  const master = new Xorshift32(opts.baseSeed);
  const dataDir = makeTempDir(opts.label);
  let server = await ServerProcess.start({ dataDir, dataNodes: 3, env: opts.serverEnv });
  const reports: RoundReport[] = [];
  let round = 0;
  try {
    await createSchema(server);
    const catalog = await snapshotCatalog(server);
    const refs = Array.from({ length: opts.clients }, (_, i) => new ClientReference(i + 1));
    for (round = 1; round <= opts.rounds; round++) {
      const roundSeed = master.nextU32();
      const rng = new Xorshift32(roundSeed);
      const killAfterAcks = rng.int(1, opts.maxOpsBeforeKill ?? 150);
      const leftoversBefore = checkpointLeftovers(dataDir);
      const results = await loadAndKill(server, refs, rng, opts, killAfterAcks);
      const unexpected = results.filter((r) => r.unexpected).map((r) => r.unexpected!.message);
      if (unexpected.length > 0) throw new Error(`errors during the load (before the kill):\n${unexpected.join('\n')}`);
      const midCheckpoint = [...checkpointLeftovers(dataDir)].some((n) => !leftoversBefore.has(n));
      // some rounds crash again while the restart is still recovering: recovery must be restartable
      const recoveryKill = rng.chance(0.3) ? rng.int(400, 2500) : undefined;
      let recoveryKilled = '';
      if (opts.crash !== 'cut-connections' && recoveryKill !== undefined) {
        const r = await startAndKillAfter({ dataDir }, recoveryKill);
        recoveryKilled = ` restart killed after ${recoveryKill} ms (${r.listened ? 'already listening' : r.status.code !== null ? `exited ${r.status.code}` : 'before listening'});`;
        if (r.status.code !== null) throw new Error(`the restart exited with code ${r.status.code} before it was killed`);
      }
      if (opts.crash !== 'cut-connections') server = await ServerProcess.start({ dataDir, env: opts.serverEnv });
      const verified = await verifyAfterRestart(server, refs, catalog);
      const report: RoundReport = {
        round,
        roundSeed: formatSeed(roundSeed),
        killAfterAcks,
        operations: results.reduce((n, r) => n + r.operations, 0),
        outcomes: verified.outcomes,
        ledgerRows: verified.ledger,
        conditionsRows: verified.conditions,
        chunks: verified.chunks,
        midCheckpoint,
        restartMs: Math.round(server.startMs),
        recoveryLines: [...server.recoveryLines(), ...server.stderr().split('\n').filter((l) => /WARN/.test(l))],
      };
      reports.push(report);
      log(
        `[${opts.label}] round ${round}: killed after ${report.operations} ops (trigger ${killAfterAcks}); in flight absent ${report.outcomes.absent} / present ${report.outcomes.present}; ` +
          `${report.ledgerRows} ledger + ${report.conditionsRows} conditions rows, ${report.chunks} chunks;${midCheckpoint ? ' killed mid-checkpoint;' : ''}${recoveryKilled} restart ${report.restartMs} ms; ${report.recoveryLines.join(' | ') || '(no recovery line)'}`,
      );
    }
    if (opts.crash === 'cut-connections') {
      await server.terminate();
      return reports;
    }
    // the clean path too: SIGTERM (final checkpoint), restart, nothing may change; --data-nodes 3
    // again must find the nodes in the catalog and change nothing either
    await server.terminate();
    server = await ServerProcess.start({ dataDir, dataNodes: 3, env: opts.serverEnv });
    await verifyAfterRestart(server, refs, catalog);
    await server.terminate();
    return reports;
  } catch (e) {
    await server.kill9();
    const err = e as Error;
    // what the (restarted) server said about recovery: skipped writes, cut tails, errors
    const serverLines = server.stderr().split('\n').filter((l) => /WARN|ERROR/.test(l)).slice(-12);
    err.message = `[${opts.label}] failed in round ${round} of ${opts.rounds} (base seed ${formatSeed(opts.baseSeed)}, data dir ${dataDir})\n${replayHint(opts)}\n${err.message}${serverLines.length ? `\nserver warnings/errors:\n${serverLines.join('\n')}` : ''}`;
    throw err;
  }
}
