/**
 * A seeded PRNG for the durability tests (xorshift32): the same seed replays
 * the same workload choices, so a failing crash round can be re-run with
 * STRATA_CRASH_SEED. Never Math.random in these tests.
 */
export class Xorshift32 {
  private state: number;

  constructor(readonly seed: number) {
    // xorshift has a fixed point at 0: map it to an arbitrary odd constant
    this.state = seed >>> 0 || 0x9e3779b9;
    // a few warm-up steps so nearby seeds (1, 2, 3 …) diverge at once
    for (let i = 0; i < 8; i++) this.nextU32();
  }

  nextU32(): number {
    let x = this.state;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** uniform in [0, 1) */
  float(): number {
    return this.nextU32() / 0x1_0000_0000;
  }

  /** uniform integer in [lo, hi] (both inclusive) */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)]!;
  }

  /**
   * An independent generator for a sub-task (a client, a round) derived from this one. The seed
   * is hashed: xorshift32 has a single orbit, so seeding children with consecutive outputs would
   * give each the parent's sequence shifted by one step (clients running the same workload).
   */
  fork(): Xorshift32 {
    return new Xorshift32(mix32(this.nextU32()));
  }
}

/** MurmurHash3's finalizer: a bijection on 32-bit integers that scatters nearby inputs. */
function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** Parses a seed given as decimal or 0x-hex (what failure messages print). */
export function parseSeed(text: string): number {
  const t = text.trim();
  const n = /^0x[0-9a-f]+$/i.test(t) ? Number.parseInt(t.slice(2), 16) : Number(t);
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffff_ffff) throw new Error(`invalid seed "${text}" (expected a 32-bit unsigned integer, decimal or 0x-hex)`);
  return n >>> 0;
}

export function formatSeed(seed: number): string {
  return `0x${(seed >>> 0).toString(16).padStart(8, '0')}`;
}
