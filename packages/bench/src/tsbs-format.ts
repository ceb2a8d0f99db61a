/**
 * Encoders from generator chunks to what each ingest path wants: CSV and
 * binary COPY payloads, row arrays, Arrow tables, multi-row INSERT text and
 * flat parameter arrays. Column order everywhere: DATA_COLUMNS.
 */
import { Dictionary, makeData, makeVector, Table, TimestampMillisecond, Utf8, vectorFromArray, Int32, Float64, type Vector } from 'apache-arrow';
import { CPU_FIELDS, TAG_NAMES, type CpuColumns, type HostTags } from './tsbs-data.js';

/** TSBS multi-node layout (TSBS.md §2.2) without the always-NULL additional_tags */
export const DATA_COLUMNS = ['time', 'tags_id', 'hostname', ...CPU_FIELDS] as const;
export const COLUMN_LIST = DATA_COLUMNS.join(', ');

/** CREATE TABLE for the data table and the tags table. */
export function cpuTableDdl(table = 'cpu'): string {
  return `CREATE TABLE ${table} (time timestamptz NOT NULL, tags_id integer, hostname text, ${CPU_FIELDS.map((f) => `${f} double precision`).join(', ')})`;
}
export function tagsTableDdl(primaryKey = true): string {
  return `CREATE TABLE tags (id integer${primaryKey ? ' PRIMARY KEY' : ''}, ${TAG_NAMES.map((t) => `${t} text`).join(', ')})`;
}
/** The TSBS indexes (partition index and time index). */
export function cpuIndexDdl(table = 'cpu'): string[] {
  return [`CREATE INDEX ON ${table} (hostname, time DESC)`, `CREATE INDEX ON ${table} (time DESC)`];
}
export function tagsInsertSql(hosts: HostTags[]): string {
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  return `INSERT INTO tags (id, ${TAG_NAMES.join(', ')}) VALUES ${hosts.map((h, i) => `(${i + 1}, ${TAG_NAMES.map((t) => q(h[t])).join(', ')})`).join(', ')}`;
}

/** A cache of the last formatted timestamp: rows are time-major, so it hits hosts-1 times out of hosts. */
function isoFormatter(): (ms: number) => string {
  let lastMs = NaN;
  let last = '';
  return (ms) => {
    if (ms !== lastMs) {
      lastMs = ms;
      last = new Date(ms).toISOString();
    }
    return last;
  };
}

export function toCsv(c: CpuColumns): string {
  const iso = isoFormatter();
  const f = c.fields;
  let out = '';
  for (let r = 0; r < c.rows; r++) {
    const h = c.hostIndex[r]!;
    out += `${iso(c.timeMs[r]!)},${h + 1},${c.hostnames[h]},${f[0]![r]},${f[1]![r]},${f[2]![r]},${f[3]![r]},${f[4]![r]},${f[5]![r]},${f[6]![r]},${f[7]![r]},${f[8]![r]},${f[9]![r]}\n`;
  }
  return out;
}

const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
export const COPY_BINARY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
export const COPY_BINARY_TRAILER = Buffer.from([0xff, 0xff]);

/** Tuples in PostgreSQL's binary COPY format (no header/trailer). */
export function toCopyBinary(c: CpuColumns): Buffer {
  const names = c.hostnames.map((h) => Buffer.from(h, 'utf8'));
  let size = 0;
  for (let r = 0; r < c.rows; r++) size += 2 + 12 + 8 + 4 + names[c.hostIndex[r]!]!.length + 10 * 12;
  const buf = Buffer.allocUnsafe(size);
  let o = 0;
  for (let r = 0; r < c.rows; r++) {
    const h = c.hostIndex[r]!;
    o = buf.writeInt16BE(13, o);
    o = buf.writeInt32BE(8, o);
    o = buf.writeBigInt64BE(BigInt(c.timeMs[r]! - PG_EPOCH_MS) * 1000n, o);
    o = buf.writeInt32BE(4, o);
    o = buf.writeInt32BE(h + 1, o);
    const name = names[h]!;
    o = buf.writeInt32BE(name.length, o);
    o += name.copy(buf, o);
    for (let f = 0; f < 10; f++) {
      o = buf.writeInt32BE(8, o);
      o = buf.writeDoubleBE(c.fields[f]![r]!, o);
    }
  }
  return buf;
}

/** Row arrays in DATA_COLUMNS order, for the embedding API's insert. */
export function toRowArrays(c: CpuColumns): unknown[][] {
  const out: unknown[][] = new Array(c.rows);
  for (let r = 0; r < c.rows; r++) {
    const h = c.hostIndex[r]!;
    const row: unknown[] = new Array(13);
    row[0] = new Date(c.timeMs[r]!);
    row[1] = h + 1;
    row[2] = c.hostnames[h];
    for (let f = 0; f < 10; f++) row[3 + f] = c.fields[f]![r];
    out[r] = row;
  }
  return out;
}

/** The hostname dictionary of a generator (one Arrow Utf8 vector per hostnames array, built once). */
const hostDictionaries = new WeakMap<readonly string[], Vector<Utf8>>();

function hostDictionary(hostnames: readonly string[]): Vector<Utf8> {
  let dict = hostDictionaries.get(hostnames);
  if (dict === undefined) {
    dict = vectorFromArray(hostnames as string[], new Utf8());
    hostDictionaries.set(hostnames, dict);
  }
  return dict;
}

/** Epoch milliseconds as int64 words, without a BigInt per value (values are integral and below 2^53). */
function msToInt64(ms: Float64Array): BigInt64Array {
  const out = new BigInt64Array(ms.length);
  const words = new Int32Array(out.buffer);
  for (let i = 0; i < ms.length; i++) {
    const v = ms[i]!;
    const hi = Math.floor(v / 4294967296);
    words[2 * i] = v - hi * 4294967296; // little-endian: low word first
    words[2 * i + 1] = hi;
  }
  return out;
}

/**
 * An Arrow table: timestamp[ms], int32, hostname as dictionary<int32, utf8>
 * (the codes are the generator's host indexes, the dictionary its hostnames),
 * 10 × float64 adopting the generator's arrays.
 */
export function toArrow(c: CpuColumns): Table {
  const time = makeVector(makeData({ type: new TimestampMillisecond(), length: c.rows, data: msToInt64(c.timeMs) }));
  const ids = new Int32Array(c.rows);
  for (let r = 0; r < c.rows; r++) ids[r] = c.hostIndex[r]! + 1;
  const tagsId = makeVector(makeData({ type: new Int32(), length: c.rows, data: ids }));
  const hostname = makeVector(makeData({ type: new Dictionary(new Utf8(), new Int32()), length: c.rows, data: c.hostIndex, dictionary: hostDictionary(c.hostnames) }));
  const cols: Record<string, Vector> = { time, tags_id: tagsId, hostname };
  CPU_FIELDS.forEach((f, i) => (cols[f] = makeVector(makeData({ type: new Float64(), length: c.rows, data: c.fields[i]! }))));
  return new Table(cols);
}

/** One multi-row INSERT statement with literal values. */
export function toInsertSql(c: CpuColumns, table = 'cpu'): string {
  const iso = isoFormatter();
  const f = c.fields;
  const parts: string[] = new Array(c.rows);
  for (let r = 0; r < c.rows; r++) {
    const h = c.hostIndex[r]!;
    parts[r] = `('${iso(c.timeMs[r]!)}',${h + 1},'${c.hostnames[h]}',${f[0]![r]},${f[1]![r]},${f[2]![r]},${f[3]![r]},${f[4]![r]},${f[5]![r]},${f[6]![r]},${f[7]![r]},${f[8]![r]},${f[9]![r]})`;
  }
  return `INSERT INTO ${table} (${COLUMN_LIST}) VALUES ${parts.join(',')}`;
}

/** `INSERT … VALUES ($1,…,$13),(…)` for `rows` rows. */
export function preparedInsertSql(rows: number, table = 'cpu'): string {
  const parts: string[] = [];
  for (let r = 0; r < rows; r++) parts.push(`(${DATA_COLUMNS.map((_, i) => `$${r * 13 + i + 1}`).join(',')})`);
  return `INSERT INTO ${table} (${COLUMN_LIST}) VALUES ${parts.join(',')}`;
}

/** Flat parameter values (text) for preparedInsertSql. */
export function toParams(c: CpuColumns): (string | number)[] {
  const iso = isoFormatter();
  const out: (string | number)[] = new Array(c.rows * 13);
  let o = 0;
  for (let r = 0; r < c.rows; r++) {
    const h = c.hostIndex[r]!;
    out[o++] = iso(c.timeMs[r]!);
    out[o++] = h + 1;
    out[o++] = c.hostnames[h]!;
    for (let f = 0; f < 10; f++) out[o++] = c.fields[f]![r]!;
  }
  return out;
}
