import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Schema as ArrowSchema, Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { SqlError } from '../errors.js';
import { Decimal } from '../types/numeric.js';
import { arrayOf, T } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import { TableStore } from '../table/index.js';
import {
  adoptImageFiles, applyTableDelta, captureStoreImage, decodeTableDelta, decodeValue, encodeValue, restoredStoreImage, restoreTableStore, storeSchemaIdentity, writeStoreImage,
  type WrittenStoreImage,
} from './index.js';
import { vectorToValues } from '../vector.js';
import { ByteArena } from './bytes.js';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-persist-unit-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

function expectSame(a: Value, b: Value): void {
  if (a instanceof Decimal) {
    expect(b).toBeInstanceOf(Decimal);
    expect((b as Decimal).toString()).toBe(a.toString());
    expect((b as Decimal).scale).toBe(a.scale);
  } else if (Array.isArray(a)) {
    expect(Array.isArray(b)).toBe(true);
    expect((b as Value[]).length).toBe(a.length);
    a.forEach((x, i) => expectSame(x, (b as Value[])[i]!));
  } else expect(Object.is(a, b) || JSON.stringify(a) === JSON.stringify(b)).toBe(true);
}

describe('value codec', () => {
  const values: Value[] = [
    null, true, false, 0, -0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 0.1, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE,
    '', 'x', 'é☃ ünï 😀', 'a'.repeat(70), 'ü'.repeat(50),
    Decimal.parse('1.50'), Decimal.parse('-0.001'), Decimal.parse('0.000'), Decimal.parse('123456789012345678901234567890.123456789'),
    Decimal.NaN, Decimal.Infinity, Decimal.NegativeInfinity,
    { months: 1, days: -2, micros: 3 }, { months: 2 ** 40, days: 0.5, micros: -(2 ** 52) },
    [], [1, null, 'a', [true, [Decimal.parse('2.0')]], { months: 0, days: 0, micros: 1 }],
  ];
  for (const v of values) {
    it(`round-trips ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`, () => {
      expectSame(v, decodeValue(encodeValue(v)));
    });
  }
  it('rejects truncated and unknown input with XX001', () => {
    const b = encodeValue('hello');
    expect(() => decodeValue(b.subarray(0, 3))).toThrow(SqlError);
    expect(() => decodeValue(new Uint8Array([99]))).toThrow(/unknown value tag/);
    try {
      decodeValue(b.subarray(0, 3));
    } catch (e) {
      expect((e as SqlError).code).toBe('XX001');
    }
  });
});

const tsbsColumns = [
  { id: 1, name: 'time', type: T.timestamptz, notNull: false },
  { id: 2, name: 'hostname', type: T.text, notNull: false },
  { id: 3, name: 'usage', type: T.float8, notNull: false },
  { id: 4, name: 'ok', type: T.bool, notNull: false },
  { id: 5, name: 'amount', type: T.numeric, notNull: false },
  { id: 6, name: 'doc', type: T.jsonb, notNull: false },
  { id: 7, name: 'arr', type: arrayOf(T.int4), notNull: false },
];

function filled(rows: number): TableStore {
  const s = new TableStore({ name: 'cpu', columns: tsbsColumns, sealRows: 8, chunkRows: 32 });
  s.insert({
    length: rows,
    columns: [
      { tag: 'number', type: T.timestamptz, length: rows, values: Float64Array.from({ length: rows }, (_, i) => 1e15 + i), nulls: null },
      { tag: 'object', type: T.text, length: rows, values: Array.from({ length: rows }, (_, i) => (i % 5 === 0 ? null : `host_${i % 3}`)) },
      { tag: 'number', type: T.float8, length: rows, values: Float64Array.from({ length: rows }, (_, i) => i / 2), nulls: null },
      { tag: 'bool', type: T.bool, length: rows, values: Uint8Array.from({ length: rows }, (_, i) => i & 1), nulls: null },
      { tag: 'object', type: T.numeric, length: rows, values: Array.from({ length: rows }, (_, i) => Decimal.parse(`${i}.10`)) },
      { tag: 'object', type: T.jsonb, length: rows, values: Array.from({ length: rows }, (_, i) => `{"i": ${i}}`) },
      { tag: 'object', type: arrayOf(T.int4), length: rows, values: Array.from({ length: rows }, (_, i) => [i, null]) },
    ],
  });
  return s;
}

async function imaged(store: TableStore, name: string) {
  const dir = fs.mkdtempSync(path.join(tmpRoot, `${name}-`));
  const written = await writeStoreImage(captureStoreImage(store), dir, name);
  return { dir, written, files: written.files, refs: refsOf(written) };
}

function refsOf(w: WrittenStoreImage) {
  return w.files.map((f) => ({ path: path.join(w.dir, f.name), crc32: f.crc32, bytes: f.bytes }));
}

/** Row ids and values of the latest version, comparable with toEqual. */
function rowsOf(store: TableStore): string[] {
  const v = store.latest();
  const out: string[] = [];
  for (const sb of v.scan(v.columns.map((c) => c.id), { withRowIds: true })) {
    const cols = sb.batch.columns.map(vectorToValues);
    for (let i = 0; i < sb.batch.length; i++) out.push(`${sb.rowIds![i]}|${cols.map((c) => (c[i] instanceof Decimal ? c[i]!.toString() : JSON.stringify(c[i]))).join('|')}`);
  }
  return out;
}

function inode(dir: string, name: string): number {
  return fs.statSync(path.join(dir, name)).ino;
}

function xx001(fn: () => unknown, pattern: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SqlError);
  expect((err as SqlError).code).toBe('XX001');
  expect((err as SqlError).message).toMatch(pattern);
}

describe('store images', () => {
  it('writes Arrow IPC files that apache-arrow reads, with column names, types and metadata', async () => {
    const s = filled(40);
    const t = s.begin();
    t.delete([2 ** 32 + 3]);
    t.commit();
    const { dir, files } = await imaged(s, 'cpu');
    expect(files.map((f) => f.name)).toEqual([
      'cpu.meta.arrow', 'cpu.c1.b0.arrow', 'cpu.c1.b1.arrow', 'cpu.c1.b2.arrow', 'cpu.c1.b3.arrow', 'cpu.c1.arrow', 'cpu.c2.b0.arrow', 'cpu.c2.arrow',
    ]);
    // a sealed batch: its rows, no deletion flags, a dictionary of the strings it uses
    const b0 = tableFromIPC(fs.readFileSync(path.join(dir, 'cpu.c1.b0.arrow')));
    expect(b0.schema.fields.map((f) => f.name)).toEqual(['time', 'hostname', 'usage', 'ok', 'amount', 'doc', 'arr']);
    expect(b0.schema.fields.map((f) => String(f.type))).toEqual(['Float64', 'Dictionary<Int32, Utf8>', 'Float64', 'Bool', 'Utf8', 'Utf8', 'Utf8']);
    expect(b0.schema.fields[0]!.metadata.get('strata.sql_type')).toBe('timestamp with time zone');
    expect(b0.schema.fields[1]!.metadata.get('strata.column_id')).toBe('2');
    expect(b0.numRows).toBe(8);
    expect(b0.batches.length).toBe(1);
    expect(b0.getChild('hostname')!.get(1)).toBe('host_1');
    expect(b0.getChild('hostname')!.get(0)).toBe(null);
    expect(b0.getChild('doc')!.get(7)).toBe('{"i": 7}');
    const b3 = tableFromIPC(fs.readFileSync(path.join(dir, 'cpu.c1.b3.arrow')));
    expect(b3.getChild('time')!.get(0)).toBe(1e15 + 24);
    expect(JSON.parse(b3.schema.metadata.get('strata.store')!)).toMatchObject({ kind: 'batch', chunk: { id: 1, batch: 3 } });
    // the head of a full chunk: no buffered rows; the deleted row 3 of batch 0 is in its bitmap
    const t1 = tableFromIPC(fs.readFileSync(path.join(dir, 'cpu.c1.arrow')));
    expect(t1.schema.fields.map((f) => f.name)).toEqual(['time', 'hostname', 'usage', 'ok', 'amount', 'doc', 'arr', '__deleted']);
    expect(t1.numRows).toBe(0);
    const meta = JSON.parse(t1.schema.metadata.get('strata.store')!);
    expect(meta).toMatchObject({ store: 'cpu', sealRows: 8, chunkRows: 32, nextChunkId: 3, tailChunkId: 2, kind: 'chunk', chunk: { id: 1, batches: 4, bufferRows: 0 } });
    expect(meta.deletedBatches).toEqual([[0, Buffer.from([0b1000]).toString('base64')]]);
    const t2 = tableFromIPC(fs.readFileSync(path.join(dir, 'cpu.c2.b0.arrow')));
    expect(t2.numRows).toBe(8);
  });

  it('writes the append buffer into the chunk head, over the chunk\'s whole dictionary', async () => {
    const s = filled(13); // chunk 1: one sealed batch of 8, 5 rows buffered, then one more
    const t = s.begin();
    t.delete([2 ** 32 + 10]);
    t.insertRows([[1, 'late', 1, true, null, null, null]]);
    t.commit();
    const { dir, files, refs } = await imaged(s, 'cpu');
    expect(files.map((f) => f.name)).toEqual(['cpu.meta.arrow', 'cpu.c1.b0.arrow', 'cpu.c1.arrow']);
    const head = tableFromIPC(fs.readFileSync(path.join(dir, 'cpu.c1.arrow')));
    expect(head.numRows).toBe(6);
    expect(head.getChild('time')!.get(0)).toBe(1e15 + 8);
    expect(head.getChild('hostname')!.get(5)).toBe('late');
    expect([...head.getChild('__deleted')!]).toEqual([false, false, true, false, false, false]);
    const batchDict = tableFromIPC(fs.readFileSync(path.join(dir, 'cpu.c1.b0.arrow'))).getChild('hostname')!.data[0]!.dictionary!.length;
    expect(head.getChild('hostname')!.data[0]!.dictionary!.length).toBeGreaterThan(batchDict);
    expect(rowsOf(restoreTableStore(refs))).toEqual(rowsOf(s));
  });

  it('restores an empty store from its meta file alone', async () => {
    const s = new TableStore({ name: 'empty', columns: tsbsColumns, sealRows: 8, chunkRows: 32 });
    s.addColumn({ id: 9, name: 'extra', type: T.text, notNull: false }, 'dflt');
    const { refs } = await imaged(s, 'empty');
    expect(refs.length).toBe(1);
    const r = restoreTableStore(refs);
    expect(r.columns.map((c) => c.name)).toEqual([...tsbsColumns.map((c) => c.name), 'extra']);
    expect(r.schema.fill(9)).toBe('dflt');
    expect(r.latest().rowCount).toBe(0);
  });

  it('fails with XX001 naming the file when a file is missing, damaged or truncated', async () => {
    const s = filled(20);
    const { dir, refs } = await imaged(s, 'cpu');
    const c1 = path.join(dir, 'cpu.c1.arrow');
    const bytes = fs.readFileSync(c1);
    fs.rmSync(c1);
    xx001(() => restoreTableStore(refs), /could not read data file ".*cpu\.c1\.arrow": No such file/);
    const flipped = Uint8Array.from(bytes);
    flipped[Math.floor(flipped.length / 2)]! ^= 0x10;
    fs.writeFileSync(c1, flipped);
    xx001(() => restoreTableStore(refs), /could not read data file ".*cpu\.c1\.arrow": checksum mismatch/);
    // truncated, with a checksum that matches what is left: the Arrow reader must refuse it
    const cut = bytes.subarray(0, bytes.length - 40);
    fs.writeFileSync(c1, cut);
    const { crc32c } = await import('../wal/crc32c.js');
    const cutRefs = refs.map((r) => (r.path === c1 ? { path: c1, crc32c: crc32c(cut) } : r));
    xx001(() => restoreTableStore(cutRefs), /could not read data file ".*cpu\.c1\.arrow"/);
    // a chunk file left out of the list is not skipped
    fs.writeFileSync(c1, bytes);
    xx001(() => restoreTableStore(refs.filter((r) => r.path !== c1)), /chunk 1 of "cpu"/);
    expect(restoreTableStore(refs).latest().rowCount).toBe(20);
    // a sealed batch's file: missing, damaged, or left out of the list
    const b1 = path.join(dir, 'cpu.c1.b1.arrow');
    const batchBytes = fs.readFileSync(b1);
    fs.rmSync(b1);
    xx001(() => restoreTableStore(refs), /could not read data file ".*cpu\.c1\.b1\.arrow": No such file/);
    // damaged: a batch file is read when first needed, and the read fails naming it, every time
    const flippedBatch = Uint8Array.from(batchBytes);
    flippedBatch[100]! ^= 0x01;
    fs.writeFileSync(b1, flippedBatch);
    const damaged = restoreTableStore(refs);
    xx001(() => rowsOf(damaged), /could not read data file ".*cpu\.c1\.b1\.arrow": checksum mismatch/);
    xx001(() => rowsOf(damaged), /could not read data file ".*cpu\.c1\.b1\.arrow": checksum mismatch/);
    // truncated: the size the manifest records is checked at restore
    fs.writeFileSync(b1, batchBytes.subarray(0, batchBytes.length - 8));
    xx001(() => restoreTableStore(refs), /could not read data file ".*cpu\.c1\.b1\.arrow": size is/);
    fs.writeFileSync(b1, batchBytes);
    xx001(() => restoreTableStore(refs.filter((r) => r.path !== b1)), /batch 1 of chunk 1 of "cpu": it is not among the checkpoint's files/);
    expect(restoreTableStore(refs).latest().rowCount).toBe(20);
  });

  it('a restored store reads a sealed batch\'s file only when a scan needs its rows', async () => {
    const s = filled(100);
    const { refs } = await imaged(s, 'cpu');
    const r = restoreTableStore(refs);
    const batches = () => r.imageState().version.snaps.flatMap((snap) => snap.chunk.batches.slice(0, snap.nBatches));
    expect(batches().length).toBe(12);
    expect(batches().filter((b) => b.loaded)).toEqual([]);
    // statistics and sizes without reading: the same as the original store's
    const orig = s.imageState().version.snaps.flatMap((snap) => snap.chunk.batches.slice(0, snap.nBatches));
    expect(batches().map((b) => [b.bytes, [...b.stats.cols]])).toEqual(orig.map((b) => [b.bytes, [...b.stats.cols]]));
    expect(r.latest().rowCount).toBe(100);
    expect(batches().filter((b) => b.loaded)).toEqual([]);
    // one column of the first chunk's rows
    const v = r.latest();
    v.scan([1], { withRowIds: true })[Symbol.iterator]().next();
    expect(batches().filter((b) => b.loaded).length).toBe(1);
    expect(rowsOf(r)).toEqual(rowsOf(s));
    expect(batches().every((b) => b.loaded)).toBe(true);
  });

  it('keeps each sealed batch\'s column statistics in its file; files without them get them computed', async () => {
    const s = filled(20);
    // bounds a JSON number cannot hold, NaN, NULLs: the stored form must bring every one back
    s.insert({
      length: 8,
      columns: [
        { tag: 'number', type: T.timestamptz, length: 8, values: Float64Array.from({ length: 8 }, (_, i) => 2e15 + i), nulls: null },
        { tag: 'object', type: T.text, length: 8, values: ['zz', null, 'a', 'é', null, 'b', 'c', 'zz'] },
        { tag: 'number', type: T.float8, length: 8, values: Float64Array.of(Infinity, -Infinity, NaN, 0, -0, 1.5, 0, 2), nulls: Uint8Array.of(0, 0, 0, 0, 0, 0, 1, 0) },
        { tag: 'bool', type: T.bool, length: 8, values: new Uint8Array(8), nulls: Uint8Array.of(1, 1, 1, 1, 1, 1, 1, 0) },
        { tag: 'object', type: T.numeric, length: 8, values: Array.from({ length: 8 }, () => null) },
        { tag: 'object', type: T.jsonb, length: 8, values: Array.from({ length: 8 }, () => null) },
        { tag: 'object', type: arrayOf(T.int4), length: 8, values: Array.from({ length: 8 }, () => null) },
      ],
    });
    const { refs, dir } = await imaged(s, 'cpu');
    const statsOf = (store: TableStore) => {
      const out: unknown[] = [];
      for (const snap of store.imageState().version.snaps) {
        for (let b = 0; b < snap.nBatches; b++) {
          const st = snap.chunk.batches[b]!.stats;
          out.push(tsbsColumns.map((c) => st.column(c.id)));
        }
      }
      return out;
    };
    const original = statsOf(s);
    expect(original.length).toBe(3);
    expect(statsOf(restoreTableStore(refs))).toEqual(original);
    // the infinite bounds made it through JSON
    const last = original[2] as { min: unknown; max: unknown }[];
    expect([last[2]!.min, last[2]!.max]).toEqual([-Infinity, Infinity]);
    // a batch file written before statistics were stored: same result, computed from the data
    const b0 = path.join(dir, 'cpu.c1.b0.arrow');
    const t = tableFromIPC(fs.readFileSync(b0));
    const md = new Map(t.schema.metadata);
    const meta = JSON.parse(md.get('strata.store')!) as Record<string, unknown>;
    expect(Array.isArray(meta.stats)).toBe(true);
    delete meta.stats;
    md.set('strata.store', JSON.stringify(meta));
    const old = tableToIPC(new Table(new ArrowSchema(t.schema.fields, md), t.batches), 'file');
    fs.writeFileSync(b0, old);
    const { crc32 } = await import('node:zlib');
    const oldRefs = refs.map((r) => (r.path === b0 ? { path: b0, crc32: crc32(old) } : r));
    expect(statsOf(restoreTableStore(oldRefs))).toEqual(original);
  });

  it('refuses files of image format 1 (one file per chunk) with a clear XX001', async () => {
    const { dir, refs } = await imaged(filled(4), 'cpu');
    const metaPath = path.join(dir, 'cpu.meta.arrow');
    const t = tableFromIPC(fs.readFileSync(metaPath));
    const md = new Map(t.schema.metadata);
    md.set('strata.store', JSON.stringify({ ...JSON.parse(md.get('strata.store')!), format: 1 }));
    const old = tableToIPC(new Table(new ArrowSchema(t.schema.fields, md)), 'file');
    fs.writeFileSync(metaPath, old);
    const { crc32c } = await import('../wal/crc32c.js');
    const oldRefs = refs.map((r) => (r.path === metaPath ? { path: metaPath, crc32c: crc32c(old) } : r));
    xx001(() => restoreTableStore(oldRefs), /"[^"]*cpu\.meta\.arrow": it was written in image format 1 \(one file per chunk\), which this version no longer reads; expected format 2/);
  });
});

describe('incremental store images', () => {
  const linkedNames = (w: WrittenStoreImage) => w.files.filter((f) => f.linked === true).map((f) => f.name);
  const batchFiles = (chunk: number, n: number) => Array.from({ length: n }, (_, b) => `cpu.c${chunk}.b${b}.arrow`);
  const chunkFiles = (chunk: number, n: number) => [...batchFiles(chunk, n), `cpu.c${chunk}.arrow`];

  it('writes each sealed batch of a filling chunk once and links it afterwards', async () => {
    const s = filled(12); // chunk 1: batch 0 sealed, 4 rows buffered
    const first = await imaged(s, 'cpu');
    expect(first.files.map((f) => f.name)).toEqual(['cpu.meta.arrow', 'cpu.c1.b0.arrow', 'cpu.c1.arrow']);
    const t = s.begin();
    t.insertRows(Array.from({ length: 10 }, (_, i) => [2e15 + i, `more_${i % 2}`, i, false, null, null, null]));
    t.commit(); // 22 rows: batches 0 and 1 sealed, 6 buffered
    const dir2 = fs.mkdtempSync(path.join(tmpRoot, 'cpu2-'));
    const second = await writeStoreImage(captureStoreImage(s), dir2, 'cpu', first.written);
    expect(second.files.map((f) => f.name)).toEqual(['cpu.meta.arrow', 'cpu.c1.b0.arrow', 'cpu.c1.b1.arrow', 'cpu.c1.arrow']);
    expect(linkedNames(second)).toEqual(['cpu.c1.b0.arrow']);
    fs.rmSync(first.dir, { recursive: true });
    // the third image links batch 1 too, from the second (which links batch 0 from the first)
    const dir3 = fs.mkdtempSync(path.join(tmpRoot, 'cpu3-'));
    const third = await writeStoreImage(captureStoreImage(s), dir3, 'cpu', second);
    expect(linkedNames(third)).toEqual(['cpu.c1.b0.arrow', 'cpu.c1.b1.arrow', 'cpu.c1.arrow']);
    fs.rmSync(dir2, { recursive: true });
    expect(rowsOf(restoreTableStore(refsOf(third)))).toEqual(rowsOf(s));
  });

  it('hard-links the files of unchanged chunks and writes changed ones; the result restores exactly', async () => {
    const s = filled(100); // chunks 1-3 full (32 rows), chunk 4 the open tail with 4 rows
    const first = await imaged(s, 'cpu');
    expect(first.files.map((f) => f.name)).toEqual(['cpu.meta.arrow', ...chunkFiles(1, 4), ...chunkFiles(2, 4), ...chunkFiles(3, 4), 'cpu.c4.arrow']);
    const t = s.begin();
    t.delete([2 * 2 ** 32 + 5]); // a row of chunk 2
    t.insertRows([[1, 'new', 1, true, null, null, null]]); // appended to chunk 4
    t.commit();
    const dir2 = fs.mkdtempSync(path.join(tmpRoot, 'cpu2-'));
    const second = await writeStoreImage(captureStoreImage(s), dir2, 'cpu', first.written);
    // every sealed batch is linked; of the heads, those of the chunks nothing happened to
    expect(linkedNames(second)).toEqual([...chunkFiles(1, 4), ...batchFiles(2, 4), ...chunkFiles(3, 4)]);
    for (const f of linkedNames(second)) expect(inode(dir2, f)).toBe(inode(first.dir, f));
    for (const f of ['cpu.meta.arrow', 'cpu.c2.arrow', 'cpu.c4.arrow']) expect(inode(dir2, f)).not.toBe(inode(first.dir, f));
    // a linked file's manifest entry is the original's
    expect(second.files[1]).toEqual({ ...first.files[1], linked: true });
    // the previous image's directory goes, as an old checkpoint does: the links keep the data
    fs.rmSync(first.dir, { recursive: true });
    const r = restoreTableStore(refsOf(second));
    expect(r.latest().rowCount).toBe(100);
    expect(rowsOf(r)).toEqual(rowsOf(s));
  });

  it('rewrites every chunk after a schema change', async () => {
    const s = filled(70);
    const first = await imaged(s, 'cpu');
    s.renameColumn(3, 'usage_user');
    const dir2 = fs.mkdtempSync(path.join(tmpRoot, 'cpu2-'));
    const second = await writeStoreImage(captureStoreImage(s), dir2, 'cpu', first.written);
    expect(linkedNames(second)).toEqual([]);
    const t1 = tableFromIPC(fs.readFileSync(path.join(dir2, 'cpu.c1.arrow')));
    expect(t1.schema.fields[2]!.name).toBe('usage_user');
  });

  it('a restored store links the chunks that did not change since it was restored', async () => {
    const s = filled(100);
    const first = await imaged(s, 'cpu');
    const r = restoreTableStore(first.refs);
    expect(restoredStoreImage(s)).toBeUndefined();
    const since = restoredStoreImage(r)!;
    expect([...since.chunks.keys()]).toEqual([1, 2, 3, 4]);
    const t = r.begin();
    t.delete([3 * 2 ** 32]);
    t.insertRows([[1, 'after restart', 1, true, null, null, null]]);
    t.commit();
    const dir2 = fs.mkdtempSync(path.join(tmpRoot, 'cpu2-'));
    const second = await writeStoreImage(captureStoreImage(r), dir2, 'cpu', since);
    expect(linkedNames(second)).toEqual([...chunkFiles(1, 4), ...chunkFiles(2, 4), ...batchFiles(3, 4)]);
    expect(inode(dir2, 'cpu.c2.arrow')).toBe(inode(first.dir, 'cpu.c2.arrow'));
    expect(inode(dir2, 'cpu.c3.b0.arrow')).toBe(inode(first.dir, 'cpu.c3.b0.arrow'));
    // the restored store has not read its batch files yet: they move to the new image before the old one goes
    adoptImageFiles(second);
    fs.rmSync(first.dir, { recursive: true });
    expect(rowsOf(restoreTableStore(refsOf(second)))).toEqual(rowsOf(r));
  });

  it('writes a file when the previous one cannot be linked (gone)', async () => {
    const s = filled(40);
    const first = await imaged(s, 'cpu');
    fs.rmSync(path.join(first.dir, 'cpu.c1.arrow'));
    fs.rmSync(path.join(first.dir, 'cpu.c1.b2.arrow'));
    const dir2 = fs.mkdtempSync(path.join(tmpRoot, 'cpu2-'));
    const second = await writeStoreImage(captureStoreImage(s), dir2, 'cpu', first.written);
    expect(linkedNames(second)).toEqual(['cpu.c1.b0.arrow', 'cpu.c1.b1.arrow', 'cpu.c1.b3.arrow', 'cpu.c2.b0.arrow', 'cpu.c2.arrow']);
    // written again, byte for byte
    expect(second.files[3]).toEqual(first.files[3]);
    expect(second.files[5]).toEqual(first.files[5]);
    expect(rowsOf(restoreTableStore(refsOf(second)))).toEqual(rowsOf(s));
  });
});

describe('table deltas', () => {
  it('prepareCommit returns null when there is nothing to commit, and refuses a stale apply', () => {
    const s = filled(4);
    const t = s.begin();
    expect(t.prepareCommit()).toBeNull();
    expect(t.active).toBe(false);
    const a = s.begin();
    a.insertRows([[1, 'x', 1, true, null, null, null]]);
    const p = a.prepareCommit()!;
    expect(a.active).toBe(false);
    // another commit in between breaks the two-phase contract
    const b = s.begin();
    b.insertRows([[2, 'y', 2, false, null, null, null]]);
    b.commit();
    expect(() => p.apply()).toThrow(/stale/);
    expect(s.latest().rowCount).toBe(5);
  });

  it('rejects a delta naming a column the store does not have (XX001 naming the store)', () => {
    const a = filled(0);
    a.addColumn({ id: 20, name: 'late', type: T.float8, notNull: false }, null);
    const t = a.begin();
    t.insertRows([[1, 'x', 1, true, null, null, null, 5]]);
    const p = t.prepareCommit()!;
    const delta = new Uint8Array(Buffer.concat(p.encode()));
    p.apply();
    const b = filled(0);
    xx001(() => applyTableDelta(b, delta), /column id 20, which table "cpu" does not have/);
    expect(decodeTableDelta(delta).rowCount).toBe(1);
    xx001(() => decodeTableDelta(delta.subarray(0, delta.length - 3)), /corrupt/);
  });

  it('writes whole-number float columns as bytes, or as a base and 1, 2 or 4-byte offsets, and reads every value back exactly', () => {
    // bytesPerValue: 1 for int8 without a base; offsets: the column carries an 8-byte base first
    const cases: { values: number[]; bytesPerValue: number; offsets?: true }[] = [
      { values: [0, 1, -1, 127, -128, 42], bytesPerValue: 1 },
      { values: [0, 200, 255, 128], bytesPerValue: 1, offsets: true },
      { values: [0, 300, -300, 32767, -32768], bytesPerValue: 2, offsets: true },
      { values: [70_000, -70_000, 2 ** 31 - 1, -(2 ** 31)], bytesPerValue: 4, offsets: true },
      { values: [1, 2 ** 31], bytesPerValue: 4, offsets: true },
      // timestamps (milliseconds) ten minutes apart, ids far from zero, negatives near the limit of exact integers
      { values: [1_451_606_400_000, 1_451_606_400_000 + 600_000, 1_451_606_410_000], bytesPerValue: 4, offsets: true },
      { values: [-(2 ** 52), -(2 ** 52) + 5], bytesPerValue: 1, offsets: true },
      { values: [2 ** 53 - 1, 2 ** 53 - 65_536], bytesPerValue: 2, offsets: true },
      // spans of 2^32 and more, fractions, -0, NaN, ±Infinity, magnitudes from 2^53: f64, bit for bit
      { values: [0, 2 ** 32], bytesPerValue: 8 },
      { values: [1, 2 ** 53], bytesPerValue: 8 },
      { values: [1, 0.5], bytesPerValue: 8 },
      { values: [1, -0], bytesPerValue: 8 },
      { values: [1_451_606_400_000, -0], bytesPerValue: 8 },
      { values: [1, Number.NaN], bytesPerValue: 8 },
      { values: [1, Number.POSITIVE_INFINITY], bytesPerValue: 8 },
      { values: [1, Number.NEGATIVE_INFINITY], bytesPerValue: 8 },
    ];
    const sizes: number[] = [];
    for (const { values } of cases) {
      const a = new TableStore({ name: 'm', columns: [{ id: 1, name: 'v', type: T.float8, notNull: false }], sealRows: 8, chunkRows: 32 });
      const t = a.begin();
      const rows = Array.from({ length: 64 }, (_, i) => values[i % values.length]!);
      t.insert({ length: rows.length, columns: [{ tag: 'number', type: T.float8, length: rows.length, values: Float64Array.from(rows), nulls: null }] });
      const p = t.prepareCommit()!;
      const delta = new Uint8Array(Buffer.concat(p.encode()));
      p.apply();
      sizes.push(delta.length);
      const back = decodeTableDelta(delta).columns[0]!;
      expect(back.kind).toBe('num');
      const got = back.kind === 'num' ? [...back.values] : [];
      expect(got.length).toBe(rows.length);
      for (let i = 0; i < rows.length; i++) expect(Object.is(got[i], rows[i])).toBe(true);
      const b = new TableStore({ name: 'm', columns: [{ id: 1, name: 'v', type: T.float8, notNull: false }], sealRows: 8, chunkRows: 32 });
      applyTableDelta(b, delta);
      const [sb] = [...b.latest().scan([1])];
      const stored = sb!.batch.columns[0]!;
      expect(stored.tag === 'number' && [...stored.values].every((x, i) => Object.is(x, rows[i]))).toBe(true);
    }
    // the column's bytes follow the width (header and alignment are the same for all)
    const f64 = sizes[cases.findIndex((c) => c.bytesPerValue === 8)]!;
    cases.forEach((c, i) => expect([c.values, f64 - sizes[i]!]).toEqual([c.values, (8 - c.bytesPerValue) * 64 - (c.offsets ? 8 : 0)]));
  });

  it('writes a text column of one small or mostly used dictionary whole, with its codes at their width, and others renumbered', () => {
    const schema = { name: 'h', columns: [{ id: 1, name: 's', type: T.text, notNull: false }], sealRows: 1024, chunkRows: 8192 };
    const text = (values: (string | null)[]) => {
      const dict = [...new Set(values.filter((v): v is string => v !== null))];
      const codes = Int32Array.from(values, (v) => (v === null ? 0 : dict.indexOf(v)));
      const nulls = values.includes(null) ? Uint8Array.from(values, (v) => (v === null ? 1 : 0)) : null;
      return { length: values.length, columns: [{ tag: 'dict' as const, type: T.text, length: values.length, codes, dict, nulls }] };
    };
    const names = (n: number) => Array.from({ length: n }, (_, i) => `host_${i}`);
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
    const cases: { earlier: string[]; rows: (string | null)[]; whole: boolean }[] = [
      // every earlier string goes along: the dictionary (26) is at most an eighth of the rows (500)
      { earlier: letters, rows: Array.from({ length: 500 }, (_, i) => (i % 3 === 0 ? 'A' : 'B')), whole: true },
      // 326 strings: two-byte codes, over several staging blocks
      { earlier: [...letters, ...names(300)], rows: Array.from({ length: 4000 }, (_, i) => `host_${(i * 7) % 300}`), whole: true },
      // larger than an eighth of the rows, but the rows use most of it (20 of 26): whole as well
      { earlier: letters, rows: Array.from({ length: 100 }, (_, i) => letters[i % 20]!), whole: true },
      // the dictionary is larger than an eighth of the rows and mostly unused, or a row is NULL: only the strings used
      { earlier: [...letters, ...names(300)], rows: Array.from({ length: 500 }, (_, i) => (i % 2 === 0 ? 'A' : 'host_1')), whole: false },
      { earlier: letters, rows: Array.from({ length: 500 }, (_, i) => (i % 5 === 0 ? null : 'B')), whole: false },
    ];
    for (const { earlier, rows, whole } of cases) {
      const a = new TableStore(schema);
      const b = new TableStore(schema);
      const first = a.begin();
      first.insert(text(earlier));
      const p0 = first.prepareCommit()!;
      applyTableDelta(b, new Uint8Array(Buffer.concat(p0.encode())));
      p0.apply();
      const t = a.begin();
      t.insert(text(rows));
      const p = t.prepareCommit()!;
      const delta = new Uint8Array(Buffer.concat(p.encode()));
      p.apply();
      const back = decodeTableDelta(delta).columns[0]!;
      expect(back.kind).toBe('dict');
      if (back.kind !== 'dict') continue;
      expect(back.dict.length).toBe(whole ? earlier.length : new Set(rows.filter((r) => r !== null)).size);
      expect(Array.from(back.codes, (c, i) => (back.nulls?.[i] === 1 ? null : back.dict[c]))).toEqual(rows);
      applyTableDelta(b, delta);
      const values = (s: TableStore) => [...s.latest().scan([1])].flatMap((sb) => vectorToValues(sb.batch.columns[0]!));
      expect(values(b)).toEqual(values(a));
      expect(values(b).slice(earlier.length)).toEqual(rows);
    }
  });

  it('encodes the same bytes into a used arena as into fresh memory', () => {
    const rows = 300;
    const store = filled(0);
    const t = store.begin();
    t.insert({
      length: rows,
      columns: [
        // timestamps (base and offsets), text with NULLs, halves (f64), bools, and the rest
        { tag: 'number', type: T.timestamptz, length: rows, values: Float64Array.from({ length: rows }, (_, i) => 1_451_606_400_000 + 10_000 * i), nulls: null },
        { tag: 'object', type: T.text, length: rows, values: Array.from({ length: rows }, (_, i) => (i % 7 === 0 ? null : `host_${i % 11}`)) },
        { tag: 'number', type: T.float8, length: rows, values: Float64Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? i : i / 2)), nulls: Uint8Array.from({ length: rows }, (_, i) => (i % 13 === 0 ? 1 : 0)) },
        { tag: 'bool', type: T.bool, length: rows, values: Uint8Array.from({ length: rows }, (_, i) => i & 1), nulls: null },
        { tag: 'object', type: T.numeric, length: rows, values: Array.from({ length: rows }, (_, i) => Decimal.parse(`${i}.5`)) },
        { tag: 'object', type: T.jsonb, length: rows, values: Array.from({ length: rows }, (_, i) => `{"i": ${i}}`) },
        { tag: 'object', type: arrayOf(T.int4), length: rows, values: Array.from({ length: rows }, (_, i) => [i]) },
      ],
    });
    const p = t.prepareCommit()!;
    const fresh = Buffer.concat(p.encode());
    const arena = new ByteArena(1 << 16);
    arena.take(1 << 16).fill(0xa5);
    arena.reset();
    expect(Buffer.concat(p.encode(arena))).toEqual(fresh);
    p.apply();

    // float columns only: the writer's first guess is small, and writing offsets moves it to a larger
    // buffer taken from the arena
    const floats = new TableStore({ name: 'm', columns: [{ id: 1, name: 't', type: T.float8, notNull: false }, { id: 2, name: 'v', type: T.float8, notNull: false }], sealRows: 8, chunkRows: 32 });
    const u = floats.begin();
    u.insert({
      length: rows,
      columns: [
        { tag: 'number', type: T.float8, length: rows, values: Float64Array.from({ length: rows }, (_, i) => 1_451_606_400_000 + 10_000 * i), nulls: null },
        { tag: 'number', type: T.float8, length: rows, values: Float64Array.from({ length: rows }, (_, i) => 1000 + i), nulls: null },
      ],
    });
    const q = u.prepareCommit()!;
    const plain = Buffer.concat(q.encode());
    arena.take(1 << 16).fill(0xa5);
    arena.reset();
    arena.take(24); // the delta does not start at the arena's first byte
    const inArena = Buffer.concat(q.encode(arena));
    expect(inArena).toEqual(plain);
    const back = decodeTableDelta(new Uint8Array(inArena)).columns.map((c) => (c.kind === 'num' ? [...c.values] : []));
    expect(back[0]!.every((x, i) => x === 1_451_606_400_000 + 10_000 * i)).toBe(true);
    expect(back[1]!.every((x, i) => x === 1000 + i)).toBe(true);
    q.apply();
  });

  it('reads version 2 deltas (signed 2 and 4-byte integers) and refuses offsets from a base in one', () => {
    // a version 2 delta as it was written: one num column of four int16 values
    const v2 = new Uint8Array(40);
    const view = new DataView(v2.buffer);
    view.setUint32(0, 0x31445453, true);
    v2[4] = 2;
    view.setUint32(8, 1, true); // columns
    view.setUint32(12, 4, true); // rows
    view.setUint32(24, 1, true); // column id
    v2[30] = 2; // code width
    [-300, 0, 32767, -32768].forEach((x, i) => view.setInt16(32 + 2 * i, x, true));
    expect([...(decodeTableDelta(v2).columns[0] as { values: Float64Array }).values]).toEqual([-300, 0, 32767, -32768]);
    v2[29] = 2; // the offsets flag
    xx001(() => decodeTableDelta(v2), /offsets from a base/);
  });

  it('reads version 1 deltas (floats always f64) and refuses an integer width in one', () => {
    const a = new TableStore({ name: 'm', columns: [{ id: 1, name: 'v', type: T.float8, notNull: false }], sealRows: 8, chunkRows: 32 });
    const t = a.begin();
    t.insert({ length: 4, columns: [{ tag: 'number', type: T.float8, length: 4, values: Float64Array.from([0.5, 1.5, 2.5, 3.5]), nulls: null }] });
    const f64 = new Uint8Array(Buffer.concat(t.prepareCommit()!.encode()));
    const v1 = f64.slice();
    v1[4] = 1; // the version byte follows the 4-byte magic
    expect([...(decodeTableDelta(v1).columns[0] as { values: Float64Array }).values]).toEqual([0.5, 1.5, 2.5, 3.5]);

    const b = new TableStore({ name: 'm', columns: [{ id: 1, name: 'v', type: T.float8, notNull: false }], sealRows: 8, chunkRows: 32 });
    const u = b.begin();
    u.insert({ length: 4, columns: [{ tag: 'number', type: T.float8, length: 4, values: Float64Array.from([1, 2, 3, 4]), nulls: null }] });
    const narrow = new Uint8Array(Buffer.concat(u.prepareCommit()!.encode()));
    narrow[4] = 1;
    xx001(() => decodeTableDelta(narrow), /width 1 in a version 1 delta/);
  });

  it('fills store columns a delta lacks and keeps storeSchemaIdentity until the schema changes', () => {
    const a = filled(0);
    const t = a.begin();
    t.insertRows([[1, 'x', 1, true, null, null, null]]);
    const p = t.prepareCommit()!;
    const delta = new Uint8Array(Buffer.concat(p.encode()));
    p.apply();
    const b = filled(0);
    const id0 = storeSchemaIdentity(b);
    expect(storeSchemaIdentity(b)).toBe(id0);
    b.addColumn({ id: 21, name: 'd', type: T.text, notNull: false }, 'dflt');
    expect(storeSchemaIdentity(b)).not.toBe(id0);
    applyTableDelta(b, delta);
    const [sb] = [...b.latest().scan([2, 21])];
    expect(sb!.batch.columns.map((c) => (c.tag === 'dict' ? c.dict[c.codes[0]!] : null))).toEqual(['x', 'dflt']);
  });
});
