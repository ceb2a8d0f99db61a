/** Multi-row INSERT over the wire: one simple-protocol statement of 1,000 literal rows at a time, autocommit. */
import { toInsertSql } from '../tsbs-format.js';
import type { IngestMethod } from './ingest-method.js';

export const insertMultiRow: IngestMethod<string> = {
  id: 'wire-insert-1000',
  label: 'multi-row INSERT (1,000 rows/statement)',
  chunkRows: 1000,
  encode: (chunk) => toInsertSql(chunk),
  async send(c, parts, onRows) {
    for (const p of parts) {
      await c.query(p.data);
      onRows(p.rows);
    }
  },
};
