/**
 * Multi-row INSERT (the bench's 1,000-row statements, TSBS rows) into a 3-node Strata server process
 * in memory and with a data directory, alternated, with the server's user and system CPU from /proc
 * for each run: where the durable path's extra time goes (CPU on the server, or waiting for fdatasync).
 *
 *   npx tsx packages/bench/src/durability/insert-cpu.ts [rows=1000000] [--runs 3] [--repo DIR]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { peerTarget } from '../targets.js';
import { runWireIngest } from '../scenarios/wire-ingest.js';
import { insertMultiRow } from '../scenarios/insert-multirow.js';
import type { IngestMethod } from '../scenarios/ingest-method.js';

const argv = process.argv.slice(2);
const opt = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const rows = Number(argv.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const runs = Number(opt('--runs') ?? 3);
const repo = resolve(opt('--repo') ?? resolve(import.meta.dirname, '../../../..'));

/** user and system CPU of a process in ms (clock ticks of 10 ms) */
function cpuMs(pid: number): { user: number; sys: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return { user: Number(fields[11]) * 10, sys: Number(fields[12]) * 10 };
}

async function startServer(dataDir: string | undefined): Promise<{ pid: number; port: number; stop: () => void }> {
  const child = spawn(process.execPath, [join(repo, 'packages/server/bin/strata.mjs'), ...(dataDir ? ['--data-dir', dataDir] : ['--in-memory']), '--data-nodes', '3', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((res, rej) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on \S+:(\d+)/.exec(out);
      if (m) res(Number(m[1]));
    });
    child.on('exit', (code) => rej(new Error(`server exited (${code}) before listening`)));
  });
  return { pid: child.pid!, port, stop: () => child.kill('SIGKILL') };
}

const totals = { memory: [] as number[], durable: [] as number[] };
for (let run = 1; run <= runs; run++) {
  for (const durable of [false, true]) {
    const dir = durable ? mkdtempSync(join(tmpdir(), 'strata-insert-cpu-')) : undefined;
    const server = await startServer(dir);
    try {
      const target = peerTarget(`postgresql://strata@127.0.0.1:${server.port}/strata`);
      const before = cpuMs(server.pid);
      const { result } = await runWireIngest(target, insertMultiRow as IngestMethod<never>, { rows, hosts: 1000 });
      const after = cpuMs(server.pid);
      (durable ? totals.durable : totals.memory).push(result.rowsPerSec);
      console.log(
        `run ${run} ${durable ? 'durable  ' : 'in memory'} ${Math.round(result.rowsPerSec).toLocaleString().padStart(9)} rows/s; server CPU user ${after.user - before.user} ms, system ${after.sys - before.sys} ms (schema set-up included)`,
      );
    } finally {
      server.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
console.log(`medians: in memory ${Math.round(median(totals.memory)).toLocaleString()}, durable ${Math.round(median(totals.durable)).toLocaleString()} rows/s (${Math.round((median(totals.durable) / median(totals.memory)) * 100)} %)`);
process.exit(0);
