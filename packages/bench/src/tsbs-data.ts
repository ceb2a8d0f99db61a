/**
 * A deterministic TSBS "cpu-only" data generator (shared/TSBS.md §1): hosts
 * with the 10 TSBS tags, each reporting ten usage_* fields as random walks
 * (N(0,1) steps, clamped to [0, 100], emitted truncated to integers) every
 * 10 seconds, in time-major order (host 0..N-1 for epoch 0, then epoch 1, …).
 *
 * Output is column arrays (no per-row objects), produced in chunks so that
 * tens of millions of rows can be streamed without holding them all.
 * The random source is mulberry32, not Go's math/rand: same shape and draw
 * order as TSBS, not the same numbers.
 */
export const CPU_FIELDS = [
  'usage_user', 'usage_system', 'usage_idle', 'usage_nice', 'usage_iowait',
  'usage_irq', 'usage_softirq', 'usage_steal', 'usage_guest', 'usage_guest_nice',
] as const;

export const TAG_NAMES = [
  'hostname', 'region', 'datacenter', 'rack', 'os', 'arch', 'team', 'service', 'service_version', 'service_environment',
] as const;

export type HostTags = Record<(typeof TAG_NAMES)[number], string>;

const REGIONS: readonly (readonly [string, readonly string[]])[] = [
  ['us-east-1', ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1e']],
  ['us-west-1', ['us-west-1a', 'us-west-1b']],
  ['us-west-2', ['us-west-2a', 'us-west-2b', 'us-west-2c']],
  ['eu-west-1', ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']],
  ['eu-central-1', ['eu-central-1a', 'eu-central-1b']],
  ['ap-southeast-1', ['ap-southeast-1a', 'ap-southeast-1b']],
  ['ap-southeast-2', ['ap-southeast-2a', 'ap-southeast-2b']],
  ['ap-northeast-1', ['ap-northeast-1a', 'ap-northeast-1c']],
  ['sa-east-1', ['sa-east-1a', 'sa-east-1b', 'sa-east-1c']],
];
const OSES = ['Ubuntu16.10', 'Ubuntu16.04LTS', 'Ubuntu15.10'];
const ARCHES = ['x64', 'x86'];
const TEAMS = ['SF', 'NYC', 'LON', 'CHI'];
const ENVIRONMENTS = ['production', 'staging', 'test'];

function clampPercent(v: number): number {
  return v < 0 ? 0 : v > 100 ? 100 : v;
}

/** mulberry32: small, fast, deterministic for a seed */
export function rng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One chunk of cpu rows as columns. */
export interface CpuColumns {
  rows: number;
  /** epoch milliseconds */
  timeMs: Float64Array;
  /** 0-based host index; tags_id = hostIndex + 1 */
  hostIndex: Int32Array;
  hostnames: string[];
  fields: Float64Array[];
}

export interface GeneratorOptions {
  hosts: number;
  seed?: number;
  /** default 2016-01-01T00:00:00Z (TSBS's default start) */
  startMs?: number;
  /** default 10 s */
  intervalMs?: number;
}

export const TSBS_START_MS = Date.UTC(2016, 0, 1);

export class TsbsCpuGenerator {
  readonly hosts: HostTags[];
  readonly hostnames: string[];
  readonly startMs: number;
  readonly intervalMs: number;
  private readonly next: () => number;
  private readonly state: Float64Array;
  private spare = NaN;
  /** next row to emit: epoch and host */
  private epoch = 0;
  private host = 0;

  constructor(opts: GeneratorOptions) {
    this.next = rng(opts.seed ?? 1);
    this.startMs = opts.startMs ?? TSBS_START_MS;
    this.intervalMs = opts.intervalMs ?? 10_000;
    const nf = CPU_FIELDS.length;
    this.state = new Float64Array(opts.hosts * nf);
    this.hosts = [];
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(this.next() * xs.length)]!;
    for (let h = 0; h < opts.hosts; h++) {
      // TSBS draw order: the measurement's initial values, then the tags
      for (let f = 0; f < nf; f++) this.state[h * nf + f] = this.next() * 100;
      const [region, dcs] = pick(REGIONS);
      const datacenter = pick(dcs);
      const rack = String(Math.floor(this.next() * 100));
      const arch = pick(ARCHES);
      const os = pick(OSES);
      const service = String(Math.floor(this.next() * 20));
      const serviceVersion = String(Math.floor(this.next() * 2));
      const serviceEnvironment = pick(ENVIRONMENTS);
      const team = pick(TEAMS);
      this.hosts.push({
        hostname: `host_${h}`, region, datacenter, rack, os, arch, team, service,
        service_version: serviceVersion, service_environment: serviceEnvironment,
      });
    }
    this.hostnames = this.hosts.map((t) => t.hostname);
  }

  /**
   * One N(0,1) step for every (host, field): standard normals by Box–Muller,
   * both values of a pair used (the second carried to the next tick when the
   * count is odd), drawn inline rather than through a per-value call.
   */
  private tick(): void {
    const s = this.state;
    const next = this.next;
    const len = s.length;
    let k = 0;
    if (!Number.isNaN(this.spare) && len > 0) {
      s[0] = clampPercent(s[0]! + this.spare);
      this.spare = NaN;
      k = 1;
    }
    for (; k < len; k += 2) {
      let u = next();
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      s[k] = clampPercent(s[k]! + r * Math.cos(2 * Math.PI * v));
      const second = r * Math.sin(2 * Math.PI * v);
      if (k + 1 < len) s[k + 1] = clampPercent(s[k + 1]! + second);
      else this.spare = second;
    }
  }

  /** The next `n` rows (continuing where the previous chunk stopped). */
  nextChunk(n: number): CpuColumns {
    const nh = this.hosts.length;
    const nf = CPU_FIELDS.length;
    const timeMs = new Float64Array(n);
    const hostIndex = new Int32Array(n);
    const fields = CPU_FIELDS.map(() => new Float64Array(n));
    const s = this.state;
    // one run of consecutive hosts of one epoch at a time, field by field
    for (let r = 0; r < n; ) {
      if (this.host === nh) {
        this.host = 0;
        this.epoch++;
        this.tick();
      }
      const h0 = this.host;
      const run = Math.min(nh - h0, n - r);
      timeMs.fill(this.startMs + this.epoch * this.intervalMs, r, r + run);
      for (let j = 0; j < run; j++) hostIndex[r + j] = h0 + j;
      for (let f = 0; f < nf; f++) {
        const col = fields[f]!;
        for (let j = 0, k = h0 * nf + f; j < run; j++, k += nf) col[r + j] = Math.trunc(s[k]!);
      }
      this.host += run;
      r += run;
    }
    return { rows: n, timeMs, hostIndex, hostnames: this.hostnames, fields };
  }

  /** Chunks of at most `chunkRows` until `rows` rows have been produced. */
  *chunks(rows: number, chunkRows = 65_536): Generator<CpuColumns> {
    for (let done = 0; done < rows; done += chunkRows) yield this.nextChunk(Math.min(chunkRows, rows - done));
  }
}

/** All `rows` rows at once (for the in-process benchmarks). */
export function generateCpu(opts: GeneratorOptions & { rows: number }): CpuColumns {
  return new TsbsCpuGenerator(opts).nextChunk(opts.rows);
}
