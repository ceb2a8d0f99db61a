/**
 * COPY FROM STDIN throughput of the TSBS cpu shape (time, tags_id, hostname,
 * 10 float8) from a pg-copy-streams client, against a server on PORT (run the
 * server in another process: `npx tsx packages/server/src/cli/strata.ts --port 55434 --data-nodes 3`).
 * Usage (from test/): node --import tsx wire/copy-bench.mts [rows] [port] [csv|text|binary] [dist|plain]
 * `dist` (default) makes cpu a distributed hypertable partitioned by hostname
 * (needs --data-nodes on the server); `plain` keeps a plain table.
 */
import pg from 'pg';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { readFileSync } from 'node:fs';

/** CPU seconds (user + system) used so far by process `pid` (Linux /proc), to measure the server on a shared machine. */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}
const SERVER_PID = Number(process.env.SERVER_PID ?? 0);

const ROWS = Number(process.argv[2] ?? 1_000_000);
const PORT = Number(process.argv[3] ?? 55434);
const FORMAT = (process.argv[4] ?? 'csv') as 'csv' | 'text' | 'binary';
const DIST = (process.argv[5] ?? 'dist') === 'dist';
const c = new pg.Client({ host: '127.0.0.1', port: PORT, user: 'strata', database: 'strata' });
await c.connect();
await c.query('DROP TABLE IF EXISTS cpu');
await c.query(`CREATE TABLE cpu (time timestamptz NOT NULL, tags_id int, hostname text, usage_user float8, usage_system float8, usage_idle float8, usage_nice float8,
  usage_iowait float8, usage_irq float8, usage_softirq float8, usage_steal float8, usage_guest float8, usage_guest_nice float8)`);
if (DIST) await c.query(`SELECT create_distributed_hypertable('cpu', 'time', 'hostname')`);
// pre-generate the data so that the measurement is the server's
const chunks: Buffer[] = [];
const t0 = Date.UTC(2016, 0, 1);
const PG_EPOCH_US = 946_684_800_000_000n;
if (FORMAT === 'binary') {
  const CHUNK = 64 * 1024;
  let b = Buffer.alloc(CHUNK + 1024);
  let p = 0;
  const push = () => {
    chunks.push(Buffer.from(b.subarray(0, p)));
    p = 0;
  };
  b.write('PGCOPY\n\xff\r\n\0', 0, 'latin1');
  p = 11;
  b.writeInt32BE(0, p);
  b.writeInt32BE(0, p + 4);
  p += 8;
  const hosts = Array.from({ length: 100 }, (_, h) => Buffer.from(`host_${h}`));
  for (let i = 0; i < ROWS; i++) {
    const host = i % 100;
    b.writeInt16BE(13, p);
    p += 2;
    b.writeInt32BE(8, p);
    b.writeBigInt64BE(BigInt(t0 + Math.floor(i / 100) * 10_000) * 1000n - PG_EPOCH_US, p + 4);
    p += 12;
    b.writeInt32BE(4, p);
    b.writeInt32BE(host, p + 4);
    p += 8;
    b.writeInt32BE(hosts[host]!.length, p);
    p += 4;
    p += hosts[host]!.copy(b, p);
    for (let k = 0; k < 10; k++) {
      b.writeInt32BE(8, p);
      b.writeDoubleBE(((i * 7 + k * 13) % 10000) / 100, p + 4);
      p += 12;
    }
    if (p >= CHUNK) push();
  }
  b.writeInt16BE(-1, p);
  p += 2;
  push();
} else {
  const d = FORMAT === 'csv' ? ',' : '\t';
  let buf = '';
  for (let i = 0; i < ROWS; i++) {
    const host = i % 100;
    const ts = new Date(t0 + Math.floor(i / 100) * 10_000).toISOString().replace('T', ' ').replace('Z', '+00');
    let line = `${ts}${d}${host}${d}host_${host}`;
    for (let k = 0; k < 10; k++) line += `${d}${((i * 7 + k * 13) % 10000) / 100}`;
    buf += line + '\n';
    if (buf.length >= 64 * 1024) {
      chunks.push(Buffer.from(buf));
      buf = '';
    }
  }
  if (buf) chunks.push(Buffer.from(buf));
}
const bytes = chunks.reduce((s, b) => s + b.length, 0);
const cpu0 = SERVER_PID ? cpuSeconds(SERVER_PID) : 0;
const start = process.hrtime.bigint();
const stream = c.query(copyFrom(`COPY cpu FROM STDIN WITH (FORMAT ${FORMAT})`));
await pipeline(Readable.from(chunks), stream);
const ms = Number(process.hrtime.bigint() - start) / 1e6;
const cpu = SERVER_PID ? cpuSeconds(SERVER_PID) - cpu0 : 0;
const r = await c.query('SELECT count(*)::int AS n FROM cpu');
console.log(`COPY ${FORMAT} ${DIST ? 'dist' : 'plain'} ${stream.rowCount} rows (${(bytes / 1e6).toFixed(1)} MB) in ${ms.toFixed(0)} ms: ${Math.round((ROWS / ms) * 1000).toLocaleString('en-US')} rows/s, ${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s; count(*) = ${r.rows[0].n}${SERVER_PID ? `; server CPU ${cpu.toFixed(2)} s = ${Math.round(ROWS / cpu).toLocaleString('en-US')} rows per server CPU-second` : ''}`);
await c.query('DROP TABLE cpu');
await c.end();
