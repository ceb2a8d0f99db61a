/**
 * Issue 5: INSERT … VALUES throughput, embedded. 1,000-row literal INSERT
 * statements (TSBS cpu schema) into a plain table and into a distributed
 * hypertable on 3 in-process data nodes, with the general path (forced) and
 * with the fast path; plus a prepared INSERT with 100 rows of $n parameters.
 *
 *   npx tsx packages/bench/src/insert-bench.ts [statements=300] [rowsPerStatement=1000]
 *   npx tsx packages/bench/src/insert-bench.ts --wire [statements] [rows]   (pg client → a strata server process;
 *       STRATA_INSERT_FAST=0 in the server's environment forces the general path)
 */
import { Strata } from '@strata/server';
import { CPU_FIELDS, generateCpu } from './tsbs-data.js';
import { setInsertFastPath } from '../../planner/src/ingest/insert-fast.js';

const SCHEMA = `(time timestamptz NOT NULL, tags_id integer, hostname text, ${CPU_FIELDS.map((f) => `${f} double precision`).join(', ')})`;
const wire = process.argv.includes('--wire');
const args = process.argv.slice(2).filter((a) => a !== '--wire');
const statements = Number(args[0] ?? 300);
const perStmt = Number(args[1] ?? 1000);
const data = generateCpu({ hosts: 100, rows: statements * perStmt });

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '+00');
}

const texts: string[] = [];
for (let s = 0; s < statements; s++) {
  const rows: string[] = [];
  for (let r = s * perStmt; r < (s + 1) * perStmt; r++) {
    const h = data.hostIndex[r]!;
    let row = `('${iso(data.timeMs[r]!)}', ${h + 1}, '${data.hostnames[h]}'`;
    for (let f = 0; f < 10; f++) row += `, ${data.fields[f]![r]!.toFixed(2)}`;
    rows.push(`${row})`);
  }
  texts.push(`INSERT INTO TABLE VALUES ${rows.join(', ')}`);
}

const PREP_ROWS = 100;
const prepSql = `INSERT INTO TABLE VALUES ${Array.from({ length: PREP_ROWS }, (_, r) => `(${Array.from({ length: 13 }, (_, c) => `$${r * 13 + c + 1}`).join(',')})`).join(',')}`;
const prepParams: unknown[][] = [];
for (let s = 0; s < Math.floor((statements * perStmt) / PREP_ROWS); s++) {
  const p: unknown[] = [];
  for (let r = s * PREP_ROWS; r < (s + 1) * PREP_ROWS; r++) {
    const h = data.hostIndex[r]!;
    p.push(iso(data.timeMs[r]!), String(h + 1), data.hostnames[h]);
    for (let f = 0; f < 10; f++) p.push(data.fields[f]![r]!.toFixed(2));
  }
  prepParams.push(p);
}

async function setup(distributed: boolean): Promise<Strata> {
  const db = await Strata.create();
  if (distributed) {
    await db.exec(`SELECT add_data_node('dn1'); SELECT add_data_node('dn2'); SELECT add_data_node('dn3');
      CREATE TABLE cpu ${SCHEMA};
      SELECT create_distributed_hypertable('cpu', 'time', 'hostname');`);
  } else {
    await db.exec(`CREATE TABLE cpu ${SCHEMA};`);
  }
  return db;
}

/** embedded runs report rows per second of process CPU time (user + system): the machine may be shared */
async function run(distributed: boolean, fast: boolean, prepared: boolean): Promise<number> {
  setInsertFastPath(fast);
  const db = await setup(distributed);
  const list = prepared ? prepParams.map((p) => [prepSql.replace('TABLE', 'cpu'), p] as const) : texts.map((t) => [t.replace('TABLE', 'cpu'), undefined] as const);
  // warm-up on a scratch table of the same shape
  await db.exec(`CREATE TABLE warm ${SCHEMA}`);
  for (const [sql, p] of list.slice(0, 30)) await db.query(sql.replace('INTO cpu', 'INTO warm'), p as unknown[] | undefined);
  const c0 = process.cpuUsage();
  let rows = 0;
  for (const [sql, p] of list) rows += (await db.query(sql, p as unknown[] | undefined)).rowCount ?? 0;
  const c = process.cpuUsage(c0);
  const ms = (c.user + c.system) / 1000;
  const check = await db.query('SELECT count(*)::int AS n FROM cpu');
  if ((check.rows[0] as { n: number }).n !== rows) throw new Error(`row count mismatch ${String(check.rows[0]?.n)} vs ${rows}`);
  await db.close();
  setInsertFastPath(true);
  return (rows / ms) * 1000;
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US').padStart(10);

async function runWire(distributed: boolean, fast: boolean, prepared: boolean): Promise<number> {
  const { spawn } = await import('node:child_process');
  const { createRequire } = await import('node:module');
  const { fileURLToPath } = await import('node:url');
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const pg = createRequire(`${root}test/package.json`)('pg') as typeof import('pg');
  const port = 20000 + Math.floor(Math.random() * 20000);
  const server = spawn(process.execPath, ['--import', 'tsx', `${root}packages/server/src/cli/strata.ts`, '--port', String(port), '--in-memory', '--log-level', 'error', ...(distributed ? ['--data-nodes', '3'] : [])], {
    env: { ...process.env, STRATA_INSERT_FAST: fast ? '1' : '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
    cwd: root,
  });
  try {
    let client: import('pg').Client | undefined;
    for (let k = 0; k < 100 && !client; k++) {
      const c = new pg.Client({ host: '127.0.0.1', port, user: 'strata', database: 'strata' });
      try {
        await c.connect();
        client = c;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    if (!client) throw new Error('server did not start');
    await client.query(`CREATE TABLE cpu ${SCHEMA}`);
    await client.query(`CREATE TABLE warm ${SCHEMA}`);
    if (distributed) await client.query(`SELECT create_distributed_hypertable('cpu', 'time', 'hostname')`);
    const list = prepared ? prepParams.map((p) => [prepSql.replace('TABLE', 'cpu'), p] as const) : texts.map((t) => [t.replace('TABLE', 'cpu'), undefined] as const);
    for (const [sql, p] of list.slice(0, 30)) await client.query(prepared ? { text: sql.replace('INTO cpu', 'INTO warm'), values: p as unknown[], name: 'warm' } : sql.replace('INTO cpu', 'INTO warm'));
    const t0 = performance.now();
    let rows = 0;
    for (const [sql, p] of list) rows += (await client.query(prepared ? { text: sql, values: p as unknown[], name: 'ins' } : sql)).rowCount ?? 0;
    const ms = performance.now() - t0;
    await client.end();
    return (rows / ms) * 1000;
  } finally {
    server.kill('SIGTERM');
  }
}

console.log(`${wire ? 'over the wire (pg client, separate server process)' : 'embedded'}: ${statements} statements × ${perStmt} rows (literal) / ${prepParams.length} executions × ${PREP_ROWS} rows ($n text params)`);
console.log(`target              general rows/s   fast rows/s   (${wire ? 'wall clock' : 'per CPU second'})`);
// the embedded runs share one process: a first, unreported pass warms the JIT for every configuration
if (!wire) for (const d of [false, true]) for (const p of [false, true]) for (const f of [false, true]) await run(d, f, p);
for (const distributed of [false, true]) {
  for (const prepared of [false, true]) {
    const g = wire ? await runWire(distributed, false, prepared) : await run(distributed, false, prepared);
    const f = wire ? await runWire(distributed, true, prepared) : await run(distributed, true, prepared);
    console.log(`${(distributed ? 'distributed' : 'plain') + (prepared ? ' prep' : ' lit')}`.padEnd(18), fmt(g), '   ', fmt(f), `  ×${(f / g).toFixed(1)}`);
  }
}
