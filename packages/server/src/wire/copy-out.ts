/** COPY … TO STDOUT: rows of a result → CopyData payloads in text, CSV or binary format. */
import type { FormatContext, Value } from '../../../storage/src/types/values.js';
import { formatText } from '../../../storage/src/types/text-io.js';
import type { ResultColumn } from '../../../planner/src/statement/session.js';
import type { CopyOptions } from './copy-options.js';
import { encodeBinary } from './binary.js';

const CHUNK = 64 * 1024;
const BINARY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);

function escapeText(s: string, delim: string): string {
  let needs = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 || c < 32 || s[i] === delim) {
      needs = true;
      break;
    }
  }
  if (!needs) return s;
  let out = '';
  for (const ch of s) {
    switch (ch) {
      case '\\': out += '\\\\'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      case '\b': out += '\\b'; break;
      case '\f': out += '\\f'; break;
      case '\v': out += '\\v'; break;
      default: out += ch === delim ? `\\${ch}` : ch;
    }
  }
  return out;
}

function csvField(s: string, o: CopyOptions, force: boolean): string {
  let quote = force || s === o.null || s === '\\.';
  if (!quote) {
    for (let i = 0; i < s.length; i++) {
      const ch = s[i];
      if (ch === o.delimiter || ch === o.quote || ch === '\n' || ch === '\r' || (o.escape !== o.quote && ch === o.escape)) {
        quote = true;
        break;
      }
    }
  }
  if (!quote) return s;
  let out = o.quote;
  for (const ch of s) out += ch === o.quote || (ch === o.escape && o.escape !== o.quote) ? o.escape + ch : ch;
  return out + o.quote;
}

/**
 * Writes the rows in `o.format` through `emit` (one call per ~64 kB) and
 * returns the number of rows.
 */
export function copyOut(columns: readonly ResultColumn[], rows: readonly Value[][], o: CopyOptions, ctx: FormatContext, emit: (chunk: Buffer) => void): number {
  const nc = columns.length;
  if (o.format === 'binary') {
    const parts: Buffer[] = [BINARY_HEADER];
    let size = BINARY_HEADER.length;
    for (const row of rows) {
      const head = Buffer.allocUnsafe(2);
      head.writeInt16BE(nc);
      parts.push(head);
      size += 2;
      for (let k = 0; k < nc; k++) {
        const v = row[k] ?? null;
        const len = Buffer.allocUnsafe(4);
        if (v === null) {
          len.writeInt32BE(-1);
          parts.push(len);
          size += 4;
        } else {
          const b = encodeBinary(columns[k]!.type, v, ctx);
          len.writeInt32BE(b.length);
          parts.push(len, b);
          size += 4 + b.length;
        }
      }
      if (size >= CHUNK) {
        emit(Buffer.concat(parts, size));
        parts.length = 0;
        size = 0;
      }
    }
    const trailer = Buffer.from([0xff, 0xff]);
    parts.push(trailer);
    emit(Buffer.concat(parts, size + 2));
    return rows.length;
  }
  const csv = o.format === 'csv';
  const forceAll = o.forceQuote === '*';
  const force = columns.map((c) => forceAll || (Array.isArray(o.forceQuote) && o.forceQuote.includes(c.name)));
  let buf = '';
  if (o.header) {
    buf = columns.map((c) => (csv ? csvField(c.name, o, false) : escapeText(c.name, o.delimiter))).join(o.delimiter) + '\n';
  }
  for (const row of rows) {
    let line = '';
    for (let k = 0; k < nc; k++) {
      if (k) line += o.delimiter;
      const v = row[k] ?? null;
      if (v === null) line += o.null;
      else {
        const s = formatText(columns[k]!.type, v, ctx);
        line += csv ? csvField(s, o, force[k]!) : escapeText(s, o.delimiter);
      }
    }
    buf += line + '\n';
    if (buf.length >= CHUNK) {
      emit(Buffer.from(buf, 'utf8'));
      buf = '';
    }
  }
  if (buf) emit(Buffer.from(buf, 'utf8'));
  return rows.length;
}
