/**
 * Commit latency of the WAL alone: append a record and wait for its flush, N times, with plain
 * segments (the file grows with each commit) and with preallocated (zero-filled) ones, three
 * interleaved rounds; mean and percentiles per commit. The data directory is on the machine's
 * temp directory, so it measures that disk.
 *
 *   npx tsx packages/bench/src/durability/wal-commit-latency.ts [recordBytes=100000] [commits=1000]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WriteAheadLog } from '../../../storage/src/wal/wal.js';

const recordBytes = Number(process.argv[2] ?? 100_000);
const commits = Number(process.argv[3] ?? 1000);
const payload = new Uint8Array(recordBytes).map((_, i) => (i * 7) & 255);
const quantile = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(p * (s.length - 1))]!;
};

for (let round = 1; round <= 3; round++) {
  for (const preallocate of [false, true]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-wal-latency-'));
    try {
      const log = WriteAheadLog.open(dir, { preallocate, preallocateAfterBytes: 0 });
      await log.flush(log.append(1, payload));
      if (preallocate) {
        // start in a zero-filled segment, as a running server is after its first MiB
        await log.nextSegmentPrepared();
        await log.flush(log.append(1, payload));
      }
      const times: number[] = [];
      const t0 = performance.now();
      for (let i = 0; i < commits; i++) {
        const a = performance.now();
        await log.flush(log.append(1, payload));
        times.push(performance.now() - a);
      }
      const mean = (performance.now() - t0) / commits;
      const ms = (x: number) => x.toFixed(3);
      console.log(
        `round ${round} ${preallocate ? 'preallocated' : 'plain       '} ${recordBytes} B: mean ${ms(mean)}  p50 ${ms(quantile(times, 0.5))}  p90 ${ms(quantile(times, 0.9))}  p99 ${ms(quantile(times, 0.99))} ms`,
      );
      await log.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
