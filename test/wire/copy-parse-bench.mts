/**
 * In-process COPY FROM throughput (no socket, no client): the TSBS cpu shape
 * fed as 64 KB CopyData payloads into CopyFromParser, with a no-op sink
 * (parser only) and with Session.beginCopy into a distributed hypertable on 3
 * data nodes (parser + engine).
 * Usage (from test/): node --import tsx wire/copy-parse-bench.mts [rows] [csv|text] [parse|engine|both]
 */
import { Strata } from '../../packages/server/src/engine/strata.js';
import { CopyFromParser } from '../../packages/server/src/wire/copy-in.js';
import type { CopyOptions } from '../../packages/server/src/wire/copy-options.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const FORMAT = (process.argv[3] ?? 'csv') as 'csv' | 'text';
const MODE = process.argv[4] ?? 'both';
const d = FORMAT === 'csv' ? ',' : '\t';
const chunks: Buffer[] = [];
let buf = '';
const t0 = Date.UTC(2016, 0, 1);
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
const opts: CopyOptions = { format: FORMAT, delimiter: d, null: FORMAT === 'csv' ? '' : '\\N', header: false, headerMatch: false, quote: '"', escape: '"', forceQuote: [], forceNotNull: [], forceNull: [] };

const db = Strata.createSync();
const s = db.session;
for (let i = 1; i <= 3; i++) s.runScript(`SELECT add_data_node('dn${i}')`, () => {});
const cols = `time timestamptz NOT NULL, tags_id int, hostname text, usage_user float8, usage_system float8, usage_idle float8, usage_nice float8,
  usage_iowait float8, usage_irq float8, usage_softirq float8, usage_steal float8, usage_guest float8, usage_guest_nice float8`;

function run(engine: boolean): void {
  s.runScript(`DROP TABLE IF EXISTS cpu; CREATE TABLE cpu (${cols}); SELECT create_distributed_hypertable('cpu', 'time', 'hostname')`, () => {});
  const copy = s.beginCopy({ name: 'cpu' });
  let n = 0;
  const p = new CopyFromParser(opts, copy.columns, 'cpu', s.settings.format(), engine ? (b) => copy.push(b) : (b) => void (n += b.length));
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  for (const c of chunks) p.write(c);
  const rows = p.end();
  if (engine) copy.finish();
  else copy.abort();
  const ms = performance.now() - w0;
  const cpu = process.cpuUsage(c0);
  console.log(`${FORMAT} ${engine ? 'parser+engine' : 'parser only  '}: ${rows} rows in ${ms.toFixed(0)} ms = ${Math.round((rows / ms) * 1000).toLocaleString('en-US')} rows/s (CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms)`);
}
for (let r = 0; r < 3; r++) {
  if (MODE !== 'engine') run(false);
  if (MODE !== 'parse') run(true);
}
