/**
 * Two more seeds of the kill -9 rounds (crash-rounds.ts), in their own file so
 * vitest runs them beside crash.test.ts: with those, 22 crashes per CI run.
 * STRATA_CRASH_SEED / STRATA_CRASH_ROUNDS replay a seed as in crash.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runCrashRounds } from './crash-rounds.js';
import { parseSeed } from './prng.js';
import { cleanupDurabilityResources } from './server-process.js';

afterAll(cleanupDurabilityResources);

const envSeed = process.env.STRATA_CRASH_SEED ? parseSeed(process.env.STRATA_CRASH_SEED) : undefined;
const envRounds = process.env.STRATA_CRASH_ROUNDS ? Number(process.env.STRATA_CRASH_ROUNDS) : undefined;

describe('kill -9 crash rounds, more seeds', { timeout: 170_000 }, () => {
  it('5 rounds, seed C (8 clients)', async () => {
    const reports = await runCrashRounds({ label: 'crash-c', baseSeed: envSeed ?? 0x5eed_0003, rounds: envRounds ?? 5, clients: 8, log: (l) => console.log(l) });
    expect(reports).toHaveLength(envRounds ?? 5);
  });

  it('5 rounds, seed D (3 clients, kills early in the load)', async () => {
    const reports = await runCrashRounds({ label: 'crash-d', baseSeed: envSeed ?? 0x5eed_0004, rounds: envRounds ?? 5, clients: 3, maxOpsBeforeKill: 25, log: (l) => console.log(l) });
    expect(reports).toHaveLength(envRounds ?? 5);
  });
});
