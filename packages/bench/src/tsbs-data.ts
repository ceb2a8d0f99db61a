/**
 * A deterministic TSBS "cpu-only"-shaped data generator: hosts reporting ten
 * usage_* fields as clamped random walks every 10 seconds, time-major order.
 * Produces column arrays directly (no per-row objects).
 */
export const CPU_FIELDS = [
  'usage_user', 'usage_system', 'usage_idle', 'usage_nice', 'usage_iowait',
  'usage_irq', 'usage_softirq', 'usage_steal', 'usage_guest', 'usage_guest_nice',
] as const;

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

export interface CpuColumns {
  rows: number;
  /** epoch milliseconds */
  timeMs: Float64Array;
  hostIndex: Int32Array;
  hostnames: string[];
  fields: Float64Array[];
}

export function generateCpu(opts: { hosts: number; rows: number; seed?: number; startMs?: number; intervalMs?: number }): CpuColumns {
  const { hosts, rows } = opts;
  const next = rng(opts.seed ?? 1);
  const start = opts.startMs ?? Date.UTC(2016, 0, 1);
  const interval = opts.intervalMs ?? 10_000;
  const state = new Float64Array(hosts * CPU_FIELDS.length);
  for (let i = 0; i < state.length; i++) state[i] = next() * 100;
  const timeMs = new Float64Array(rows);
  const hostIndex = new Int32Array(rows);
  const fields = CPU_FIELDS.map(() => new Float64Array(rows));
  for (let r = 0; r < rows; r++) {
    const epoch = Math.floor(r / hosts);
    const h = r % hosts;
    timeMs[r] = start + epoch * interval;
    hostIndex[r] = h;
    for (let f = 0; f < CPU_FIELDS.length; f++) {
      const k = h * CPU_FIELDS.length + f;
      // a cheap symmetric step in [-1, 1]; TSBS uses N(0,1), the shape is what matters here
      let v = state[k]! + (next() * 2 - 1);
      v = v < 0 ? 0 : v > 100 ? 100 : v;
      state[k] = v;
      fields[f]![r] = Math.trunc(v);
    }
  }
  return { rows, timeMs, hostIndex, hostnames: Array.from({ length: hosts }, (_, i) => `host_${i}`), fields };
}
