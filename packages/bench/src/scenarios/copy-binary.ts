/** COPY … FROM STDIN (FORMAT binary) over the wire (what TSBS's loader uses via pgx CopyFrom). */
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER, toCopyBinary } from '../tsbs-format.js';
import { copyIn } from './copy-common.js';
import type { IngestMethod } from './ingest-method.js';

export const copyBinary: IngestMethod<Buffer> = {
  id: 'wire-copy-binary',
  label: 'COPY binary',
  chunkRows: 65_536,
  encode: (chunk) => toCopyBinary(chunk),
  send: (c, parts, onRows) => copyIn(c, '(FORMAT binary)', parts, onRows, COPY_BINARY_HEADER, COPY_BINARY_TRAILER),
};
