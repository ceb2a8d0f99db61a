/** Issue 2's embedded aggregate benchmark (aggregate-10m.ts) as a scenario. */
import { runAggregateBench } from '../aggregate-10m.js';
import { log } from '../progress.js';

export async function runEmbeddedAggregate(rows: number, iterations: number): Promise<Record<string, number>> {
  log(`\n## Embedded aggregates over ${rows.toLocaleString()} rows (plain table, db.insert)`);
  return runAggregateBench({ rows, hosts: 100, iterations, log });
}
