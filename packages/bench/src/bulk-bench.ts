/**
 * Issue 5 (embedded bulk insert): rows/s and metrics/s of `db.insert` for TSBS
 * cpu rows (time timestamptz, tags_id int, hostname text, 10 float8) from an
 * Apache Arrow Table and from arrays of row arrays, into a plain table and into
 * a distributed hypertable on 3 in-process data nodes; plus stored bytes/row.
 *
 *   node --expose-gc --import tsx packages/bench/src/bulk-bench.ts [--rows 1000000,5000000] [--runs 3] [--hosts 100]
 *     [--only arrow-plain,rows-distributed,rows-calls-plain,...] [--profile DIR]
 * (`npx tsx packages/bench/src/bulk-bench.ts` works too; --expose-gc lets each run start from a collected heap.)
 */
import { makeData, makeVector, tableFromArrays, vectorFromArray, Dictionary, Int32, TimestampMillisecond, Utf8, type Table } from 'apache-arrow';
import { Strata } from '@strata/server';
import type { TableStore } from '../../storage/src/table/table-store.js';
import { CPU_FIELDS, generateCpu, type CpuColumns } from './tsbs-data.js';

const SCHEMA = `(time timestamptz NOT NULL, tags_id integer, hostname text, ${CPU_FIELDS.map((f) => `${f} double precision`).join(', ')})`;

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}

/** An Arrow table as `tableFromArrays` builds it: Float64Array fields, Int32 tags_id, Timestamp(ms), Dictionary<Utf8> hostname. */
export function arrowTable(d: CpuColumns, n: number): Table {
  const ms = new BigInt64Array(n);
  for (let i = 0; i < n; i++) ms[i] = BigInt(d.timeMs[i]!);
  const time = makeVector(makeData({ type: new TimestampMillisecond(), length: n, data: ms }));
  const dict = vectorFromArray(d.hostnames, new Utf8());
  const hostname = makeVector(makeData({ type: new Dictionary(new Utf8(), new Int32()), length: n, data: d.hostIndex.subarray(0, n), dictionary: dict }));
  const tags = new Int32Array(n);
  for (let i = 0; i < n; i++) tags[i] = d.hostIndex[i]! + 1;
  const cols: Record<string, unknown> = { time, tags_id: tags, hostname };
  CPU_FIELDS.forEach((f, k) => (cols[f] = d.fields[k]!.subarray(0, n)));
  return tableFromArrays(cols as never) as unknown as Table;
}

const CALL_ROWS = 65_536;

/** Rows [from, n) as row arrays: [Date, tags_id, hostname, 10 numbers]. */
export function rowArrays(d: CpuColumns, n: number, from = 0): unknown[][] {
  const out: unknown[][] = new Array(n - from);
  for (let r = from; r < n; r++) {
    const h = d.hostIndex[r]!;
    const row: unknown[] = [new Date(d.timeMs[r]!), h + 1, d.hostnames[h]];
    for (let f = 0; f < 10; f++) row.push(d.fields[f]![r]);
    out[r - from] = row;
  }
  return out;
}

async function setup(distributed: boolean): Promise<Strata> {
  const db = await Strata.create();
  if (distributed) {
    await db.exec(`SELECT add_data_node('dn1'); SELECT add_data_node('dn2'); SELECT add_data_node('dn3');
      CREATE TABLE cpu ${SCHEMA};
      SELECT create_distributed_hypertable('cpu', 'time', 'hostname', chunk_time_interval => INTERVAL '12 hours');`);
  } else await db.exec(`CREATE TABLE cpu ${SCHEMA}`);
  return db;
}

/** Bytes of every store holding the table's rows (all chunk replicas for a hypertable). */
export function storedBytes(db: Strata): { bytes: number; stores: number } {
  const t = db.core.catalog.getTable(undefined, 'cpu', ['public']);
  if (!t.hypertable) return { bytes: (t.store as TableStore).bytes(), stores: 1 };
  let bytes = 0;
  let stores = 0;
  for (const c of t.hypertable.chunks) for (const s of c.stores.values()) {
    bytes += (s as TableStore).bytes();
    stores++;
  }
  return { bytes, stores };
}

/** --profile DIR: a CPU profile of the last timed insert of each combination (only the insert). */
async function startProfile(): Promise<(file: string) => Promise<void>> {
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync, mkdirSync } = await import('node:fs');
  const s = new Session();
  s.connect();
  await s.post('Profiler.enable');
  await s.post('Profiler.start');
  return async (file) => {
    const { profile } = await s.post('Profiler.stop');
    mkdirSync(file.slice(0, file.lastIndexOf('/')), { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
    s.disconnect();
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

async function main(): Promise<void> {
  const sizes = arg('rows', '1000000,5000000').split(',').map(Number);
  const runs = Number(arg('runs', '3'));
  const hosts = Number(arg('hosts', '100'));
  const only = arg('only', '');
  const max = Math.max(...sizes);
  const data = generateCpu({ hosts, rows: max });
  console.log(`TSBS cpu rows, ${hosts} hosts, median of ${runs}; node ${process.version}`);
  console.log('| input | target | rows | rows/s | metrics/s | bytes/row | stores |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const n of sizes) {
    for (const input of ['arrow', 'rows', 'rows-calls'] as const) {
      // rows: every row array built up front, one db.insert call; rows-calls: 65,536-row calls,
      // each call's arrays built just before it (untimed), so the heap holds one call's rows
      let payload: Table | unknown[][] | null = input === 'arrow' ? arrowTable(data, n) : input === 'rows' ? rowArrays(data, n) : null;
      for (const target of ['plain', 'distributed'] as const) {
        if (only && !only.split(',').includes(`${input}-${target}`)) continue;
        const times: number[] = [];
        let bytes = { bytes: 0, stores: 0 };
        for (let r = 0; r < runs; r++) {
          const db = await setup(target === 'distributed');
          (globalThis as { gc?: () => void }).gc?.();
          const prof = arg('profile', '') && r === runs - 1 ? await startProfile() : null;
          let rowCount = 0;
          let t0 = performance.now();
          if (input === 'rows-calls') {
            let ms = 0;
            for (let s = 0; s < n; s += CALL_ROWS) {
              const part = rowArrays(data, Math.min(n, s + CALL_ROWS), s);
              t0 = performance.now();
              rowCount += db.insertSync('cpu', part).rowCount;
              ms += performance.now() - t0;
            }
            times.push(ms);
          } else {
            rowCount = db.insertSync('cpu', payload as never).rowCount;
            times.push(performance.now() - t0);
          }
          if (prof) await prof(`${arg('profile', '')}/${input}-${target}-${n}.cpuprofile`);
          if (rowCount !== n) throw new Error(`inserted ${rowCount} of ${n}`);
          if (r === 0) {
            const c = await db.query<{ n: string }>('SELECT count(*) AS n FROM cpu');
            if (Number(c.rows[0]!.n) !== n) throw new Error(`count ${c.rows[0]!.n} != ${n}`);
            bytes = storedBytes(db);
          }
          await db.close();
        }
        const rps = n / (median(times) / 1000);
        console.log(`| ${input} | ${target} | ${n.toLocaleString()} | ${Math.round(rps).toLocaleString()} | ${Math.round(rps * 10).toLocaleString()} | ${(bytes.bytes / n).toFixed(1)} | ${bytes.stores} |`);
      }
      payload = null;
    }
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) await main();
