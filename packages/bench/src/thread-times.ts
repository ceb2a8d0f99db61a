/**
 * Where this process's CPU went, per thread (Linux `/proc/<pid>/task/<tid>/schedstat`): time on a
 * CPU and time runnable but waiting for one, to tell the main thread's own work from its waits for
 * a core and from what the other threads (V8's GC and compiler, the WAL writer, libuv) used.
 */
import * as fs from 'node:fs';

export type ThreadTimes = Map<string, { run: number; wait: number }>;

/** Nanoseconds per thread id; undefined where /proc is missing. */
export function threadTimes(): ThreadTimes | undefined {
  const dir = `/proc/${process.pid}/task`;
  if (!fs.existsSync(dir)) return undefined;
  const out: ThreadTimes = new Map();
  for (const tid of fs.readdirSync(dir)) {
    try {
      const [run, wait] = fs.readFileSync(`${dir}/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      out.set(tid, { run: run!, wait: wait! });
    } catch {
      // the thread ended
    }
  }
  return out;
}

/** Milliseconds between two readings: the main thread on a CPU and waiting for one, the other threads on a CPU. */
export function threadDelta(before: ThreadTimes | undefined, after: ThreadTimes | undefined): { mainRun: number; mainWait: number; otherRun: number } | undefined {
  if (before === undefined || after === undefined) return undefined;
  const main = String(process.pid);
  const m0 = before.get(main);
  const m1 = after.get(main);
  if (m0 === undefined || m1 === undefined) return undefined;
  let otherRun = 0;
  for (const [tid, t] of after) if (tid !== main) otherRun += t.run - (before.get(tid)?.run ?? 0);
  return { mainRun: (m1.run - m0.run) / 1e6, mainWait: (m1.wait - m0.wait) / 1e6, otherRun: otherRun / 1e6 };
}
