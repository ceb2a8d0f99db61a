/**
 * Wire ingest scenario: fresh TSBS schema on the target, then `rows` rows
 * through one IngestMethod from a client in this process. Reports rows/s,
 * metrics/s, the server process's peak RSS during the load and bytes/row.
 * Payloads are encoded before the clock starts (like TSBS loading
 * pre-generated files) unless `preEncode` is false (then encoding is timed too).
 */
import { progress } from '../progress.js';
import { ingestResult, type IngestResult } from '../results.js';
import { createSchema, tableBytes, type SchemaInfo } from '../schema.js';
import { peakRss, resetPeakRss, type Target } from '../targets.js';
import { TsbsCpuGenerator } from '../tsbs-data.js';
import type { IngestMethod, Part } from './ingest-method.js';

export interface WireIngestOptions {
  rows: number;
  hosts: number;
  seed?: number;
  preEncode?: boolean;
  /** create TSBS's two indexes on cpu (default true); false: a bare table */
  indexes?: boolean;
}

export async function runWireIngest<E>(target: Target, method: IngestMethod<E>, opts: WireIngestOptions): Promise<{ result: IngestResult; schema: SchemaInfo }> {
  const gen = new TsbsCpuGenerator({ hosts: opts.hosts, seed: opts.seed ?? 1 });
  const c = await target.connect();
  try {
    const schema = await createSchema(c, target, gen.hosts, { indexes: opts.indexes ?? true });
    const encodeAll = function* (): Generator<Part<E>> {
      for (const chunk of gen.chunks(opts.rows, method.chunkRows)) yield { rows: chunk.rows, data: method.encode(chunk) };
    };
    const preEncode = opts.preEncode ?? opts.rows <= 2_000_000;
    const encoded: Iterable<Part<E>> = preEncode ? [...encodeAll()] : encodeAll();
    const parts: Iterable<Part<E>> = method.stage ? await method.stage(encoded) : encoded;
    const pid = await target.serverPid(c);
    const resettable = resetPeakRss(pid);
    const p = progress(`${target.name} ${method.label}`, opts.rows);
    let done = 0;
    const t0 = performance.now();
    try {
      await method.send(c, parts, (n) => p.update((done += n)));
    } finally {
      method.unstage?.();
    }
    const ms = performance.now() - t0;
    p.end();
    const peak = resettable ? peakRss(pid) : undefined;
    const count = Number((await c.query('SELECT count(*) AS n FROM cpu')).rows[0].n);
    if (count !== opts.rows) throw new Error(`${target.name} ${method.id}: expected ${opts.rows} rows, found ${count}`);
    const bytes = await tableBytes(c, target);
    const notes = [...schema.notes];
    if (!preEncode && !method.stage) notes.push('client-side encoding included in the time');
    if (opts.indexes === false) notes.push('bare table (no indexes)');
    const result = ingestResult(method.id, target.name, opts.rows, ms, {
      peakRssBytes: peak,
      bytesPerRow: bytes !== undefined ? bytes / opts.rows : undefined,
      note: notes.length ? notes.join('; ') : undefined,
    });
    return { result, schema };
  } finally {
    await c.end();
  }
}
