/**
 * Embedded bulk insert: `Strata.create()` in this process, TSBS schema as a
 * distributed hypertable on N in-process data nodes, rows loaded with
 * `db.insert('cpu', …)` in 65,536-row parts, either as row arrays or as Arrow
 * tables (encoded before the clock starts). Peak RSS is this process's
 * (reset before the load when the kernel allows; it includes the
 * pre-encoded payload).
 */
import { Strata } from '@strata/server';
import { progress } from '../progress.js';
import { ingestResult, type IngestResult } from '../results.js';
import { peakRss, resetPeakRss } from '../targets.js';
import { TsbsCpuGenerator } from '../tsbs-data.js';
import { cpuTableDdl, tagsInsertSql, tagsTableDdl, toArrow, toRowArrays } from '../tsbs-format.js';

export const PRE_ENCODE_MAX = 2_000_000;

export interface EmbeddedIngestOptions {
  rows: number;
  hosts: number;
  dataNodes: number;
  mode: 'rows' | 'arrow';
  seed?: number;
}

export async function runEmbeddedIngest(opts: EmbeddedIngestOptions): Promise<IngestResult> {
  const db = await Strata.create();
  try {
    const gen = new TsbsCpuGenerator({ hosts: opts.hosts, seed: opts.seed ?? 1 });
    for (let i = 1; i <= opts.dataNodes; i++) await db.query(`SELECT add_data_node('dn${i}')`);
    // no PRIMARY KEY: unique-index state currently leaks between Strata instances of one process
    await db.query(tagsTableDdl(false));
    await db.query(tagsInsertSql(gen.hosts));
    await db.query(cpuTableDdl());
    await db.query("SELECT create_distributed_hypertable('cpu', 'time', 'hostname', chunk_time_interval => INTERVAL '12 hours')");
    const encode = function* () {
      for (const c of gen.chunks(opts.rows)) yield { rows: c.rows, data: opts.mode === 'arrow' ? toArrow(c) : toRowArrays(c) };
    };
    // pre-encode (untimed) up to PRE_ENCODE_MAX rows; beyond that encoding is timed too
    const preEncode = opts.rows <= PRE_ENCODE_MAX;
    const parts: Iterable<{ rows: number; data: unknown }> = preEncode ? [...encode()] : encode();
    const pid = process.pid;
    const resettable = resetPeakRss(pid);
    const label = `embedded ${opts.dataNodes}dn db.insert(${opts.mode === 'arrow' ? 'Arrow' : 'row arrays'})`;
    const p = progress(label, opts.rows);
    let done = 0;
    const t0 = performance.now();
    for (const part of parts) {
      await db.insert('cpu', part.data as Parameters<Strata['insert']>[1]);
      p.update((done += part.rows));
    }
    const ms = performance.now() - t0;
    p.end();
    const peak = resettable ? peakRss(pid) : undefined;
    const n = Number((await db.query<{ n: unknown }>('SELECT count(*) AS n FROM cpu')).rows[0]!.n);
    if (n !== opts.rows) throw new Error(`${label}: expected ${opts.rows} rows, found ${n}`);
    let bytes: number | undefined;
    try {
      const v = (await db.query<{ n: unknown }>("SELECT hypertable_size('cpu') AS n")).rows[0]?.n;
      if (v !== null && v !== undefined && Number(v) > 0) bytes = Number(v);
    } catch {
      /* not reported */
    }
    return ingestResult(`embedded-insert-${opts.mode}`, `embedded-${opts.dataNodes}dn`, opts.rows, ms, {
      peakRssBytes: peak,
      bytesPerRow: bytes !== undefined ? bytes / opts.rows : undefined,
      note: preEncode ? 'peak RSS = bench process incl. pre-encoded payload' : 'peak RSS = bench process; encoding timed too',
    });
  } finally {
    await db.close();
  }
}
