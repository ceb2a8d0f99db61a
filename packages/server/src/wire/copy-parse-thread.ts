/**
 * The COPY parse thread (main-thread side): one worker thread per process,
 * started by the first COPY large enough to use it, shared by every
 * connection's COPY (jobs), unref'd so it never keeps the process alive.
 *
 * Why a thread: parsing CSV/text into columns is about half of a COPY's CPU
 * on the main thread; in the thread it overlaps with routing and appending.
 * The worker runs copy-parse-worker.ts, which is TypeScript: the thread
 * inherits `--import tsx` when the process has it, and otherwise registers
 * tsx itself (vitest, the `strata` bin) before importing it.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { FromParseThread, ParseJobSpec, ToParseThread } from './copy-parse-worker.js';

const BOOT = `
const { workerData, parentPort } = require('node:worker_threads');
import(workerData.entry)
  .catch(async (e) => {
    if (!e || e.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
    (await import(workerData.tsx)).register();
    return import(workerData.entry + '?tsx'); // the failed import stays cached under the plain URL
  })
  .catch((e) => parentPort.postMessage({ kind: 'failed', message: String((e && e.stack) || e) }));
`;

/** tsx's ESM register API (its CommonJS build resolves its hooks wrongly from an eval'd worker). */
function tsxApiUrl(): string {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    return pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  }
}

export interface ParseJobHandlers {
  message(m: FromParseThread): void;
  /** the thread died: the job's remaining batches will not come */
  lost(reason: string): void;
}

export class CopyParseThread {
  private static shared: CopyParseThread | null = null;
  /** STRATA_COPY_THREAD=0, or the thread could not start: parse inline. */
  private static disabled = process.env.STRATA_COPY_THREAD === '0';
  /** COPYs handed to a parse thread since the process started (tests check the path was taken). */
  static jobsStarted = 0;

  /** The process's parse thread, started on first use; null when disabled. It may not be ready yet. */
  static get(): CopyParseThread | null {
    if (CopyParseThread.disabled) return null;
    return (CopyParseThread.shared ??= new CopyParseThread());
  }

  private readonly worker: Worker;
  private readonly jobs = new Map<number, ParseJobHandlers>();
  private nextJob = 1;
  ready = false;

  private constructor() {
    const entry = new URL('./copy-parse-worker.ts', import.meta.url).href;
    const tsx = tsxApiUrl();
    this.worker = new Worker(BOOT, { eval: true, name: 'strata-copy-parse', workerData: { entry, tsx, strataCopyParse: true } });
    this.worker.unref();
    this.worker.on('message', (m: FromParseThread | { kind: 'failed'; message: string }) => {
      if (m.kind === 'ready') this.ready = true;
      else if (m.kind === 'failed') {
        CopyParseThread.disabled = true;
        this.lose(`COPY parse thread failed to start: ${m.message}`);
      } else this.jobs.get(m.job)?.message(m);
    });
    this.worker.on('error', (e) => this.lose(`COPY parse thread failed: ${e.message}`));
    this.worker.on('exit', (code) => this.lose(`COPY parse thread exited with code ${code}`));
  }

  private lose(reason: string): void {
    if (CopyParseThread.shared === this) CopyParseThread.shared = null;
    this.ready = false;
    const jobs = [...this.jobs.values()];
    this.jobs.clear();
    for (const j of jobs) j.lost(reason);
    void this.worker.terminate();
  }

  /** Start a job (the thread must be ready); returns its id for send() and release(). */
  begin(spec: ParseJobSpec, handlers: ParseJobHandlers): number {
    const job = this.nextJob++;
    CopyParseThread.jobsStarted++;
    this.jobs.set(job, handlers);
    this.send({ kind: 'begin', job, spec });
    return job;
  }

  send(m: ToParseThread, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  /** The job is over (done, failed or abandoned): later messages for it are dropped. */
  release(job: number, abort: boolean): void {
    if (!this.jobs.delete(job)) return;
    if (abort) this.send({ kind: 'abort', job });
  }
}
