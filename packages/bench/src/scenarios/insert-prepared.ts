/**
 * Prepared INSERT over the wire (TSBS --use-insert): a named multi-row
 * `INSERT … VALUES ($1,…,$13),…` of 1,000 rows (13,000 parameters), parsed once,
 * then Bind/Execute per batch (extended protocol, text parameters), autocommit.
 */
import { preparedInsertSql, toParams } from '../tsbs-format.js';
import type { IngestMethod } from './ingest-method.js';

export const insertPrepared: IngestMethod<(string | number)[]> = {
  id: 'wire-insert-prepared',
  label: 'prepared INSERT (1,000 rows × 13 params)',
  chunkRows: 1000,
  encode: (chunk) => toParams(chunk),
  async send(c, parts, onRows) {
    const texts = new Map<number, string>();
    for (const p of parts) {
      let text = texts.get(p.rows);
      if (!text) texts.set(p.rows, (text = preparedInsertSql(p.rows)));
      await c.query({ name: `tsbs_insert_${p.rows}`, text, values: p.data });
      onRows(p.rows);
    }
  },
};
