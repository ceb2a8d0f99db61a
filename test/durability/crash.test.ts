/**
 * kill -9 at a seeded moment under concurrent load, restart, verify, repeat:
 * every acknowledged commit survives, nothing rolled back or unacknowledged
 * appears half, the catalog (hypertable, dimensions, data nodes, chunks) is
 * intact. See crash-rounds.ts for the round and its checks.
 *
 * STRATA_CRASH_SEED=<seed> [STRATA_CRASH_ROUNDS=<n>] replays one seed (every
 * test of this file then runs it); failures print the seed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runCrashRounds, type CrashRunOptions } from './crash-rounds.js';
import { parseSeed } from './prng.js';
import { cleanupDurabilityResources } from './server-process.js';

afterAll(cleanupDurabilityResources);

const envSeed = process.env.STRATA_CRASH_SEED ? parseSeed(process.env.STRATA_CRASH_SEED) : undefined;
const envRounds = process.env.STRATA_CRASH_ROUNDS ? Number(process.env.STRATA_CRASH_ROUNDS) : undefined;

function options(label: string, seed: number, rounds: number, extra: Partial<CrashRunOptions> = {}): CrashRunOptions {
  return { label, baseSeed: envSeed ?? seed, rounds: envRounds ?? rounds, clients: 6, log: (l) => console.log(l), ...extra };
}

describe('kill -9 crash rounds', { timeout: 170_000 }, () => {
  it('5 rounds, seed A: acknowledged commits survive, in-flight transactions all-or-nothing', async () => {
    const reports = await runCrashRounds(options('crash-a', 0x5eed_0001, 5));
    expect(reports).toHaveLength(envRounds ?? 5);
    // the workload did something worth crashing in
    expect(reports.reduce((n, r) => n + r.operations, 0)).toBeGreaterThan(reports.length);
  });

  // every COPY logs its rows ahead of its commit record in several parts, so kills land between them
  it('5 rounds, seed B, COPYs logged ahead of their commits', async () => {
    const reports = await runCrashRounds(options('crash-b', 0x5eed_0002, 5, { serverEnv: { STRATA_LOG_AHEAD_ROWS: '4' } }));
    expect(reports).toHaveLength(envRounds ?? 5);
  });

  /**
   * synchronous_commit = off acknowledges before fdatasync, but the log is
   * still written to the OS (write(2)) at commit: kill -9 of the server loses
   * nothing, only an OS crash or power loss could lose the unsynced tail.
   * So the same all-acknowledged-rows check applies.
   */
  it('synchronous_commit = off: acknowledged rows survive kill -9 of the process', async () => {
    const reports = await runCrashRounds(options('crash-async', 0x5eed_00a5, 2, { synchronousCommitOff: true }));
    expect(reports).toHaveLength(envRounds ?? 2);
  });
});
