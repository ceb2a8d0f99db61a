/**
 * The child of the writer thread's kill -9 test: appends records of the test's sizes (large ones go
 * to the thread, small ones queue behind them), flushing every few, and prints the index of each
 * record whose flush resolved. Runs until killed.
 *
 *   node --import tsx wal-write-thread.crash-child.ts <dir> <seed>
 */
import { WriteAheadLog } from './wal.js';
import { payloadFor, seededRandom } from './wal-test-helpers.js';

const [dir, seedText] = process.argv.slice(2);
const random = seededRandom(Number(seedText));
const log = WriteAheadLog.open(dir!, { segmentBytes: 4 * 1024 * 1024, preallocateAfterBytes: 0 });
process.stdout.write('started\n');
for (let i = 0; ; i++) {
  const size = i % 3 === 0 ? 300 * 1024 + Math.floor(random() * 200_000) : 1 + Math.floor(random() * 5000);
  const end = log.append(1 + (i % 5), payloadFor(i, size));
  if (i % 4 === 3) {
    await log.flush(end);
    process.stdout.write(`flushed ${i}\n`);
  }
}
