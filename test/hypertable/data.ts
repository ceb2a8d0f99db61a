/**
 * Deterministic TSBS cpu-only-shaped data for the hypertable differential tests.
 *
 * Built on packages/bench/src/tsbs-data.ts (`generateCpu`: clamped random walks, time-major),
 * plus fractional parts on the values (so float sums depend on the summation order, which is
 * what partial aggregates change) and the edge cases a distributed planner can get wrong:
 *
 *  - every hour / 6 hours / day boundary carries rows (10 s cadence from a round start), so
 *    rows sit exactly on chunk boundaries for every chunk_time_interval used;
 *  - NULLs in value columns (~1% per field) and in the space column (hostname NULL, which
 *    TimescaleDB hashes to slice 0), and a NULL tags_id;
 *  - duplicate timestamps: the same (hostname, time) twice with a different usage_user;
 *  - rows before 1970 (negative µs / negative int8 seconds);
 *  - rows relative to "now" (host_now), for now()-relative predicates;
 *  - the rows are inserted out of order (batches in a shuffled order, each batch reversed).
 *
 * A row is [time, tags_id, hostname, usage_user, ..., usage_guest_nice] with time as epoch
 * milliseconds (the loaders turn it into a Date or int8 seconds).
 */
import { CPU_FIELDS, generateCpu, rng } from '../../packages/bench/src/tsbs-data.js';

export { CPU_FIELDS };

export type Row = [timeMs: number, tagsId: number | null, hostname: string | null, ...fields: (number | null)[]];

export interface Dataset {
  /** rows in insertion order (already shuffled) */
  rows: Row[];
  /** insertion batches (slices of rows) */
  batches: Row[][];
  hostnames: string[];
  /** 2016 data range */
  startMs: number;
  endMs: number;
  /** the "now" base the host_now rows are placed around (whole minute, ms) */
  nowBaseMs: number;
}

export const START_MS = Date.UTC(2016, 0, 1, 18, 0, 0);
export const NOW_HOST = 'host_now';

export interface DataOptions {
  hosts: number;
  hours: number;
  seed: number;
  /** the now() base; rows for host_now are placed around it */
  nowBaseMs: number;
}

export function generateDataset(opts: DataOptions): Dataset {
  const epochs = Math.round((opts.hours * 3600) / 10);
  const gen = generateCpu({ hosts: opts.hosts, rows: epochs * opts.hosts, seed: opts.seed, startMs: START_MS, intervalMs: 10_000 });
  const next = rng(opts.seed * 7919 + 13);
  const rows: Row[] = [];
  const frac = () => Math.floor(next() * 1000) / 1000; // k/1000: not exactly representable
  for (let r = 0; r < gen.rows; r++) {
    const h = gen.hostIndex[r]!;
    const row: Row = [gen.timeMs[r]!, h + 1, gen.hostnames[h]!];
    for (let f = 0; f < CPU_FIELDS.length; f++) {
      // ~1% NULL per field
      const isNull = next() < 0.01;
      row.push(isNull ? null : gen.fields[f]![r]! + frac());
    }
    rows.push(row);
  }
  const endMs = START_MS + epochs * 10_000;
  const extra: Row[] = [];
  const values = (base: number): (number | null)[] => CPU_FIELDS.map((_, f) => (f === 3 ? null : Math.round((base + f * 3.25) * 1000) / 1000));
  // NULL hostname (slice 0 in TimescaleDB), including one on a day boundary; distinct times.
  // (Only the day-boundary one shares its instant with other hosts' rows.)
  for (let k = 0; k < 40; k++) {
    const t = START_MS + k * 2345_000 + (k % 3) * 10_000 + 3_000; // off the 10 s grid: unique times
    if (t >= endMs) break;
    extra.push([t, k % 4 === 0 ? null : 99, null, ...values(10 + k)]);
  }
  extra.push([Date.UTC(2016, 0, 2), 99, null, ...values(55.5)]);
  // duplicate (hostname, time): same instant again with another usage_user (never a host's last time)
  for (let k = 0; k < 30; k++) {
    const h = k % opts.hosts;
    const t = START_MS + (1 + ((k * 997) % (epochs - 400))) * 10_000; // not the first nor the last hour
    const v = values(20 + k);
    v[0] = 90.5 + (k % 9); // different from the original row's value, and some above 90
    extra.push([t, h + 1, `host_${h}`, ...v]);
  }
  // chunk boundaries: an extra row exactly on each day boundary and 1 ms before/after one
  extra.push([Date.UTC(2016, 0, 2) - 1, 1, 'host_0', ...values(1.5)]);
  extra.push([Date.UTC(2016, 0, 2) + 1, 2, 'host_1', ...values(2.5)]);
  // before 1970 (and exactly at the epoch)
  extra.push([Date.UTC(1969, 11, 31, 23, 59, 50), 1, 'host_0', ...values(33)]);
  extra.push([Date.UTC(1969, 11, 31, 12, 0, 0), 2, 'host_1', ...values(44)]);
  extra.push([0, 3, 'host_2', ...values(45)]);
  // relative to now: host_now every 10 minutes from now-3h to now-10min, and one row 1 h ahead
  for (let m = 180; m >= 10; m -= 10) extra.push([opts.nowBaseMs - m * 60_000, 50, NOW_HOST, ...values(m / 10)]);
  extra.push([opts.nowBaseMs + 3600_000, 50, NOW_HOST, ...values(77)]);

  // out of order: batches of the generated rows in a shuffled order, every other batch reversed,
  // the extra rows interleaved.
  const batchSize = 4000;
  const batches: Row[][] = [];
  for (let i = 0; i < rows.length; i += batchSize) batches.push(rows.slice(i, i + batchSize));
  for (let i = batches.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [batches[i], batches[j]] = [batches[j]!, batches[i]!];
  }
  batches.forEach((b, i) => {
    if (i % 2 === 1) b.reverse();
  });
  const half = Math.floor(extra.length / 2);
  batches.splice(1, 0, extra.slice(0, half));
  batches.push(extra.slice(half));
  return {
    rows: batches.flat(),
    batches,
    hostnames: [...gen.hostnames, NOW_HOST],
    startMs: START_MS,
    endMs,
    nowBaseMs: opts.nowBaseMs,
  };
}

/** PostgreSQL text of a timestamptz at UTC (ISO, microseconds trimmed like PG). */
export function tsText(ms: number): string {
  const d = new Date(ms);
  const iso = d.toISOString(); // 2016-01-01T12:00:00.000Z
  let s = iso.slice(0, 10) + ' ' + iso.slice(11, 19);
  const msPart = d.getUTCMilliseconds();
  if (msPart) s += '.' + String(msPart).padStart(3, '0').replace(/0+$/, '');
  return s + '+00';
}

/** The tags table: ids 1..hosts for host_k, 50 for host_now, 99 for the NULL-hostname rows' tag, and an unused id. */
export function tagRows(hosts: number): [number, string | null, string][] {
  const regions = ['us-east-1', 'us-west-1', 'eu-west-1', 'ap-southeast-1'];
  const out: [number, string | null, string][] = [];
  for (let h = 0; h < hosts; h++) out.push([h + 1, `host_${h}`, regions[h % regions.length]!]);
  out.push([50, NOW_HOST, 'sa-east-1']);
  out.push([99, null, 'nowhere']);
  out.push([100, 'host_unused', 'us-east-1']);
  return out;
}
