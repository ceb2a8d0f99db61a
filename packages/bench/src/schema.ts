/** TSBS cpu-only schema on a wire target (TSBS.md §2.2: hostname inline, other tags in `tags`). */
import type pg from 'pg';
import type { Target } from './targets.js';
import type { HostTags } from './tsbs-data.js';
import { cpuIndexDdl, cpuTableDdl, tagsInsertSql, tagsTableDdl } from './tsbs-format.js';

export interface SchemaInfo {
  /** how queries spell time_bucket on this target */
  bucket: 'time_bucket' | 'date_bin';
  notes: string[];
}

export async function createSchema(c: pg.Client, target: Target, hosts: HostTags[], opts: { indexes?: boolean } = {}): Promise<SchemaInfo> {
  const notes: string[] = [];
  await c.query('DROP TABLE IF EXISTS cpu');
  await c.query('DROP TABLE IF EXISTS tags');
  await c.query(tagsTableDdl());
  await c.query(tagsInsertSql(hosts));
  await c.query(cpuTableDdl());
  let bucket: SchemaInfo['bucket'] = 'date_bin';
  if (target.dialect === 'strata') {
    bucket = 'time_bucket';
    if ((target.dataNodes ?? 0) > 0) {
      await c.query("SELECT create_distributed_hypertable('cpu', 'time', 'hostname', chunk_time_interval => INTERVAL '12 hours')");
    } else {
      await c.query("SELECT create_hypertable('cpu', 'time', chunk_time_interval => INTERVAL '12 hours')");
    }
  } else {
    const ts = await c.query("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'");
    if (ts.rowCount) {
      await c.query("SELECT create_hypertable('cpu', 'time', chunk_time_interval => INTERVAL '12 hours', create_default_indexes => FALSE)");
      bucket = 'time_bucket';
      notes.push('TimescaleDB hypertable (12 h chunks)');
    }
  }
  for (const ddl of opts.indexes === false ? [] : cpuIndexDdl()) {
    try {
      await c.query(ddl);
    } catch (e) {
      notes.push(`index skipped: ${(e as Error).message}`);
    }
  }
  return { bucket, notes };
}

/** Storage bytes of the cpu table as the target reports them, or undefined. */
export async function tableBytes(c: pg.Client, target: Target): Promise<number | undefined> {
  // hypertable_size first (Strata, TimescaleDB: the chunks), then the plain table size
  const tries = ["SELECT hypertable_size('cpu') AS n", "SELECT pg_total_relation_size('cpu') AS n"];
  void target;
  for (const sql of tries) {
    try {
      const v = (await c.query(sql)).rows[0]?.n;
      if (v !== null && v !== undefined && Number(v) > 0) return Number(v);
    } catch {
      /* not supported */
    }
  }
  return undefined;
}
