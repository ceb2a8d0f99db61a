/** Issue 3's benchmark (tsbs-multinode.ts): TSBS queries, plain table vs 3-node distributed hypertable, embedded. */
import { log } from '../progress.js';
import { runMultiNodeBench } from '../tsbs-multinode.js';

export async function runEmbeddedMultiNode(rows: number, perType: number): ReturnType<typeof runMultiNodeBench> {
  log(`\n## Embedded TSBS queries: plain table vs distributed hypertable on 3 data nodes (${rows.toLocaleString()} rows)`);
  return runMultiNodeBench({ rows, hosts: 100, perType, log });
}
