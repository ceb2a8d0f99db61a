/**
 * COPY CSV throughput of the TSBS cpu shape (time, hostname, 10 float8) from a
 * pg-copy-streams client, against a server on PORT (run the server in another
 * process: `node packages/server/bin/strata.mjs --port 55434`).
 * Usage: node --import tsx test/wire/copy-bench.mts [rows] [port]
 */
import pg from 'pg';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const PORT = Number(process.argv[3] ?? 55434);
const c = new pg.Client({ host: '127.0.0.1', port: PORT, user: 'strata', database: 'strata' });
await c.connect();
await c.query('DROP TABLE IF EXISTS cpu');
await c.query(`CREATE TABLE cpu (time timestamptz NOT NULL, hostname text, usage_user float8, usage_system float8, usage_idle float8, usage_nice float8,
  usage_iowait float8, usage_irq float8, usage_softirq float8, usage_steal float8, usage_guest float8, usage_guest_nice float8)`);
// pre-generate the CSV so that the measurement is the server's
const chunks: Buffer[] = [];
let buf = '';
const t0 = Date.UTC(2016, 0, 1);
for (let i = 0; i < ROWS; i++) {
  const host = i % 100;
  const ts = new Date(t0 + Math.floor(i / 100) * 10_000).toISOString().replace('T', ' ').replace('Z', '+00');
  let line = `${ts},host_${host}`;
  for (let k = 0; k < 10; k++) line += `,${((i * 7 + k * 13) % 10000) / 100}`;
  buf += line + '\n';
  if (buf.length >= 64 * 1024) {
    chunks.push(Buffer.from(buf));
    buf = '';
  }
}
if (buf) chunks.push(Buffer.from(buf));
const bytes = chunks.reduce((s, b) => s + b.length, 0);
const start = process.hrtime.bigint();
const stream = c.query(copyFrom('COPY cpu FROM STDIN WITH (FORMAT csv)'));
await pipeline(Readable.from(chunks), stream);
const ms = Number(process.hrtime.bigint() - start) / 1e6;
const r = await c.query('SELECT count(*)::int AS n FROM cpu');
console.log(`COPY ${stream.rowCount} rows (${(bytes / 1e6).toFixed(1)} MB CSV) in ${ms.toFixed(0)} ms: ${Math.round((ROWS / ms) * 1000).toLocaleString('en-US')} rows/s, ${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s; count(*) = ${r.rows[0].n}`);
await c.end();
