/**
 * Embedded bulk insert: `Strata.create()` in this process, TSBS schema as a
 * distributed hypertable on N in-process data nodes, rows loaded with
 * `db.insert('cpu', …)` in 65,536-row parts, either as row arrays or as Arrow
 * tables (hostname dictionary-encoded, float columns adopted as they are).
 * Only the db.insert calls are timed: each part is generated and encoded just
 * before its call, outside the clock, so 10M rows never sit in memory as
 * input. Peak RSS is this process's (reset before the load when the kernel
 * allows). `durable`: the same load into a fresh data directory (write-ahead log,
 * synchronous_commit on: each part's insert returns once its rows are on disk).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Strata } from '@strata/server';
import { progress } from '../progress.js';
import { ingestResult, type IngestResult } from '../results.js';
import { peakRss, resetPeakRss } from '../targets.js';
import { TsbsCpuGenerator, type HostTags } from '../tsbs-data.js';
import { cpuTableDdl, tagsInsertSql, tagsTableDdl, toArrow, toRowArrays } from '../tsbs-format.js';

/** rows per db.insert call */
export const PART_ROWS = 65_536;

export interface EmbeddedIngestOptions {
  rows: number;
  hosts: number;
  dataNodes: number;
  mode: 'rows' | 'arrow';
  seed?: number;
  durable?: boolean;
}

/** An engine (in a fresh data directory when durable) with the TSBS schema on `dataNodes` data nodes. */
export interface EmbeddedTsbs {
  readonly db: Strata;
  readonly dataDir: string | undefined;
  /** closes the engine and removes its data directory */
  close(): Promise<void>;
}

export async function createEmbeddedTsbs(opts: { hosts: HostTags[]; dataNodes: number; durable?: boolean }): Promise<EmbeddedTsbs> {
  const dataDir = opts.durable ? fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-embedded-')) : undefined;
  const db = await Strata.create(dataDir !== undefined ? { dataDir } : {});
  const close = async (): Promise<void> => {
    try {
      await db.close();
    } finally {
      if (dataDir !== undefined) fs.rmSync(dataDir, { recursive: true, force: true });
    }
  };
  try {
    for (let i = 1; i <= opts.dataNodes; i++) await db.query(`SELECT add_data_node('dn${i}')`);
    // no PRIMARY KEY: unique-index state currently leaks between Strata instances of one process
    await db.query(tagsTableDdl(false));
    await db.query(tagsInsertSql(opts.hosts));
    await db.query(cpuTableDdl());
    await db.query("SELECT create_distributed_hypertable('cpu', 'time', 'hostname', chunk_time_interval => INTERVAL '12 hours')");
  } catch (e) {
    await close();
    throw e;
  }
  return { db, dataDir, close };
}

export async function runEmbeddedIngest(opts: EmbeddedIngestOptions): Promise<IngestResult> {
  const gen = new TsbsCpuGenerator({ hosts: opts.hosts, seed: opts.seed ?? 1 });
  const engine = await createEmbeddedTsbs({ hosts: gen.hosts, dataNodes: opts.dataNodes, durable: opts.durable });
  const db = engine.db;
  try {
    const pid = process.pid;
    const resettable = resetPeakRss(pid);
    const target = `embedded-${opts.dataNodes}dn${opts.durable ? '-durable' : ''}`;
    const label = `${target} db.insert(${opts.mode === 'arrow' ? 'Arrow' : 'row arrays'})`;
    const p = progress(label, opts.rows);
    let done = 0;
    // the clock runs only inside db.insert: each part is generated and encoded before its call
    let ms = 0;
    for (const c of gen.chunks(opts.rows, PART_ROWS)) {
      const data = opts.mode === 'arrow' ? toArrow(c) : toRowArrays(c);
      const t0 = performance.now();
      await db.insert('cpu', data);
      ms += performance.now() - t0;
      p.update((done += c.rows));
    }
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
    return ingestResult(`embedded-insert-${opts.mode}`, target, opts.rows, ms, {
      peakRssBytes: peak,
      bytesPerRow: bytes !== undefined ? bytes / opts.rows : undefined,
      note: `timed: the db.insert calls only (${PART_ROWS.toLocaleString()}-row parts generated and encoded outside the clock); peak RSS = bench process incl. one encoded part`,
    });
  } finally {
    await engine.close();
  }
}
