/**
 * One psql `\copy` of a pre-written TSBS CSV (1,000 hosts) into a 3-node distributed hypertable on
 * a Strata server in its own process, with the CPU time of each of the server's threads (main,
 * postmaster, COPY parse thread, V8 helpers) read from /proc — for the issue 5 notes on where a
 * COPY's time goes. The CSV is cached in /tmp/strata-copy-bench and written before the clock starts.
 *
 *   npx tsx packages/bench/src/copy-psql-bench.ts [rows=2000000] [--prof] [--durable] [--data-nodes 3] [--indexes] [--repo DIR] [--label L]
 *
 * `--durable` gives the server a fresh data directory (in-memory otherwise); `--prof` runs the server with `node --cpu-prof` (profiles of every thread in
 * /tmp/strata-copy-bench/prof-<label>); `--repo` runs another checkout's server (before/after);
 * STRATA_COPY_THREAD=0 in the environment keeps parsing on the main thread.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import { TsbsCpuGenerator } from './tsbs-data.js';
import { COLUMN_LIST, cpuIndexDdl, cpuTableDdl, tagsInsertSql, tagsTableDdl, toCsv } from './tsbs-format.js';
import { findPsql } from './scenarios/copy-psql.js';

const argv = process.argv.slice(2);
const opt = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const rows = Number(argv.find((a) => /^\d+$/.test(a)) ?? 2_000_000);
const prof = argv.includes('--prof');
const repo = resolve(opt('--repo') ?? resolve(import.meta.dirname, '../../..'));
const durable = argv.includes('--durable');
const label = opt('--label') ?? (durable ? 'durable' : 'run');
const dir = '/tmp/strata-copy-bench';

/** CPU milliseconds per thread (tid:name) of a process. */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(`${tid}:${comm}`, (Number(f[11]) + Number(f[12])) * 10); // utime + stime, 100 Hz ticks
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

async function main(): Promise<void> {
  const psql = findPsql();
  if (!psql) throw new Error('psql not found (install postgresql-client)');
  mkdirSync(dir, { recursive: true });
  const file = `${dir}/cpu-${rows}.csv`;
  const gen = new TsbsCpuGenerator({ hosts: 1000, seed: 1 });
  if (!existsSync(file)) {
    writeFileSync(`${file}.tmp`, '');
    for (const c of new TsbsCpuGenerator({ hosts: 1000, seed: 1 }).chunks(rows)) appendFileSync(`${file}.tmp`, toCsv(c));
    renameSync(`${file}.tmp`, file);
  }
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const profDir = `${dir}/prof-${label}`;
  const dataDir = `${dir}/data-${label}`;
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(profDir, { recursive: true, force: true });
  const child = spawn(process.execPath, [
    ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []),
    '--max-old-space-size=16384', '--import', 'tsx', resolve(repo, 'packages/server/src/cli/strata.ts'),
    '--port', String(port), ...(durable ? ['--data-dir', dataDir] : ['--in-memory']), '--data-nodes', opt('--data-nodes') ?? '3', '--log-level', 'warn',
  ], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((res, rej) => {
    const on = (d: Buffer) => {
      out += d.toString();
      if (out.includes('Strata listening')) res();
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.on('exit', (code) => rej(new Error(`strata exited with ${code}: ${out}`)));
  });
  child.removeAllListeners('exit');
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'strata', database: 'strata' });
  await c.connect();
  await c.query(tagsTableDdl());
  await c.query(tagsInsertSql(gen.hosts));
  await c.query(cpuTableDdl());
  await c.query("SELECT create_distributed_hypertable('cpu', 'time', 'hostname', chunk_time_interval => INTERVAL '12 hours')");
  // as `pnpm bench` creates them (createSchema): TSBS's two indexes
  if (argv.includes('--indexes')) for (const ddl of cpuIndexDdl()) await c.query(ddl);
  const pid = child.pid!;
  const before = threadCpu(pid);
  const t0 = performance.now();
  const r = spawnSync(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', 'strata', '-d', 'strata',
    '-c', `\\copy cpu (${COLUMN_LIST}) FROM '${file}' WITH (FORMAT csv)`], { stdio: ['ignore', 'inherit', 'inherit'] });
  const ms = performance.now() - t0;
  const after = threadCpu(pid);
  if (r.status !== 0) throw new Error(`psql exited with ${r.status}`);
  const n = (await c.query('SELECT count(*)::int AS n FROM cpu')).rows[0].n as number;
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  const threads: string[] = [];
  let total = 0;
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0);
    total += d;
    if (d >= 50) threads.push(`${k}=${d}`);
  }
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`${label}: ${n} rows in ${ms.toFixed(0)} ms = ${Math.round(rows / ms)}k rows/s; server CPU ${total} ms [${threads.join(' ')}]; peak RSS ${hwm.toFixed(0)} MB; load ${load}`);
  await c.end();
  child.kill('SIGTERM');
  await new Promise((res) => child.once('exit', res));
  rmSync(dataDir, { recursive: true, force: true });
  if (prof) console.log(`profiles in ${profDir}`);
}

await main();
