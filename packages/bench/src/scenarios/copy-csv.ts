/** COPY … FROM STDIN (FORMAT csv) over the wire: one COPY statement, 65,536-row CSV chunks. */
import { toCsv } from '../tsbs-format.js';
import { copyIn } from './copy-common.js';
import type { IngestMethod } from './ingest-method.js';

export const copyCsv: IngestMethod<string> = {
  id: 'wire-copy-csv',
  label: 'COPY CSV',
  chunkRows: 65_536,
  encode: (chunk) => toCsv(chunk),
  send: (c, parts, onRows) => copyIn(c, '(FORMAT csv)', parts, onRows),
};
