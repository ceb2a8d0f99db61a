/**
 * Per-statement ingest into several servers at once, statement by statement in turn (a different
 * server first each time), one client each: the comparison of durable with in-memory that machine
 * noise hits alike. Run one after the other, the two figures of a per-statement path were minutes
 * apart and moved with the machine (the in-memory multi-row INSERT gave 485k–737k rows/s across
 * full runs, on the same code).
 */
import type pg from 'pg';
import { ingestResult, type IngestResult } from '../results.js';
import { createSchema } from '../schema.js';
import type { Target } from '../targets.js';
import { TsbsCpuGenerator } from '../tsbs-data.js';
import { preparedInsertSql, toInsertSql, toParams } from '../tsbs-format.js';

export interface InterleavedServer {
  start(): Promise<Target>;
}

export type InterleavedMethod = 'insert' | 'prepared';

const SCENARIO: Record<InterleavedMethod, string> = { insert: 'wire-insert-1000-interleaved', prepared: 'wire-insert-prepared-interleaved' };

/** Loads `rows` TSBS rows into every server, 1,000 a statement, alternating; one result per server. */
export async function runInterleavedIngest(servers: readonly InterleavedServer[], opts: { rows: number; method: InterleavedMethod }): Promise<IngestResult[]> {
  const started: { target: Target; client: pg.Client; ms: number }[] = [];
  try {
    for (const s of servers) {
      const target = await s.start();
      const client = await target.connect();
      started.push({ target, client, ms: 0 });
      await createSchema(client, target, new TsbsCpuGenerator({ hosts: 1000, seed: 1 }).hosts, { indexes: true });
    }
    const statements: pg.QueryConfig[] = [];
    const prepared = preparedInsertSql(1000);
    for (const chunk of new TsbsCpuGenerator({ hosts: 1000, seed: 1 }).chunks(opts.rows, 1000)) {
      statements.push(
        opts.method === 'insert' || chunk.rows !== 1000
          ? { text: toInsertSql(chunk) }
          : { name: 'tsbs_insert_1000', text: prepared, values: toParams(chunk) as unknown[] },
      );
    }
    for (let k = 0; k < statements.length; k++) {
      for (let j = 0; j < started.length; j++) {
        const s = started[(j + k) % started.length]!;
        const t0 = performance.now();
        await s.client.query(statements[k]!);
        s.ms += performance.now() - t0;
      }
    }
    const note = 'side by side: statements interleaved with the other servers of the run';
    return started.map((s) => ingestResult(SCENARIO[opts.method], s.target.name, opts.rows, s.ms, { note }));
  } finally {
    for (const s of started) {
      await s.client.end().catch(() => {});
      await s.target.stop();
    }
  }
}
