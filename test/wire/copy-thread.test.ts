/**
 * COPY FROM STDIN large enough to be handed to the COPY parse thread: the rows, their order
 * and PostgreSQL's error behaviour (SQLSTATE, message, CONTEXT line numbers) must be exactly
 * those of the inline parser, whether the error is found in the thread (a bad value), on the
 * main thread while appending the thread's batches (a NULL time), or by the client (CopyFail).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { startServer, type TestServer } from './helpers.js';
import { CopyParseThread } from '../../packages/server/src/wire/copy-parse-thread.js';
import { CopyFeed, copyFlowLimits, HANDOFF_BYTES } from '../../packages/server/src/wire/copy-feed.js';

let ts: TestServer;
let c: pg.Client;

const T0 = Date.UTC(2016, 0, 1);
const HOSTS = 50;

/** TSBS-like CSV lines 1..n: time, host, v; `edit` may replace line i (1-based). */
function csv(n: number, edit?: (i: number, line: string) => string): string {
  let out = '';
  for (let i = 1; i <= n; i++) {
    const line = `${new Date(T0 + Math.floor((i - 1) / HOSTS) * 10_000).toISOString()},host_${(i - 1) % HOSTS},${i % 1000}.25,${i}`;
    out += (edit ? edit(i, line) : line) + '\n';
  }
  return out;
}

/** 8 KiB CopyData messages (psql's size), cut anywhere in a line. */
function pieces(data: string | Buffer): Buffer[] {
  const b = typeof data === 'string' ? Buffer.from(data) : data;
  const out: Buffer[] = [];
  for (let o = 0; o < b.length; o += 8192) out.push(b.subarray(o, o + 8192));
  return out;
}

async function copyIn(sql: string, data: Buffer[]): Promise<number> {
  const stream = c.query(copyFrom(sql));
  await pipeline(Readable.from(data), stream);
  return stream.rowCount ?? -1;
}

async function one(sql: string): Promise<unknown[]> {
  return (await c.query({ text: sql, rowMode: 'array' })).rows[0]!;
}

const ROWS = 150_000; // ≈ 8 MB: handed over after 4 MiB, then several blocks in the thread

beforeAll(async () => {
  ts = await startServer();
  c = await ts.client();
  for (const dn of ['dn1', 'dn2', 'dn3']) await c.query(`SELECT add_data_node('${dn}')`);
  await c.query('CREATE TABLE m (time timestamptz NOT NULL, host text, v float8, seq int8)');
  await c.query("SELECT create_distributed_hypertable('m', 'time', 'host', chunk_time_interval => INTERVAL '2 hours')");
  // the first COPY starts the thread; wait until it is ready so the big COPYs below are handed over
  await copyIn('COPY m FROM STDIN (FORMAT csv)', pieces(csv(1)));
  await c.query('TRUNCATE m');
  const thread = CopyParseThread.get();
  for (let i = 0; i < 600 && !thread?.ready; i++) await new Promise((r) => setTimeout(r, 50));
  expect(thread?.ready).toBe(true);
}, 60_000);

afterAll(async () => {
  await ts.close();
});

describe('COPY through the parse thread', () => {
  it('loads every row, in order, into a distributed hypertable', async () => {
    const data = csv(ROWS);
    expect(Buffer.byteLength(data)).toBeGreaterThan(HANDOFF_BYTES * 1.5);
    const before = CopyParseThread.jobsStarted;
    expect(await copyIn('COPY m FROM STDIN (FORMAT csv)', pieces(data))).toBe(ROWS);
    expect(CopyParseThread.jobsStarted).toBe(before + 1);
    const expectSum = Array.from({ length: ROWS }, (_, k) => ((k + 1) % 1000) + 0.25).reduce((a, b) => a + b, 0);
    const [n, sum, seqSum, hosts, minT, maxT] = await one('SELECT count(*)::int, sum(v), sum(seq)::float8, count(DISTINCT host)::int, min(time), max(time) FROM m');
    expect([n, sum, seqSum, hosts]).toEqual([ROWS, expectSum, (ROWS * (ROWS + 1)) / 2, HOSTS]);
    expect((minT as Date).getTime()).toBe(T0);
    expect((maxT as Date).getTime()).toBe(T0 + Math.floor((ROWS - 1) / HOSTS) * 10_000);
    // rows of one host keep their order and their own values (routing + gathers + sealing)
    const r = await c.query({ text: "SELECT seq::int FROM m WHERE host = 'host_7' ORDER BY time", rowMode: 'array' });
    expect(r.rows.map((x) => x[0])).toEqual(Array.from({ length: ROWS / HOSTS }, (_, k) => k * HOSTS + 8));
    await c.query('TRUNCATE m');
  });

  it('a bad value after the hand-over: 22P02 with the exact line, nothing kept, the connection goes on', async () => {
    const bad = ROWS - 10;
    const data = csv(ROWS, (i, line) => (i === bad ? line.replace(/,[^,]*\.25,/, ',1.2.3,') : line));
    const before = CopyParseThread.jobsStarted;
    await expect(copyIn('COPY m FROM STDIN (FORMAT csv)', pieces(data))).rejects.toMatchObject({
      code: '22P02',
      message: 'invalid input syntax for type double precision: "1.2.3"',
      where: `COPY m, line ${bad}, column v: "1.2.3"`,
    });
    expect(CopyParseThread.jobsStarted).toBe(before + 1);
    expect(await one('SELECT count(*)::int FROM m')).toEqual([0]);
    expect(await one('SELECT 41 + 1')).toEqual([42]);
  });

  it('too many fields after the hand-over: 22P04 with the line and its text', async () => {
    const bad = 120_000;
    let badLine = '';
    const data = csv(ROWS, (i, line) => (i === bad ? (badLine = `${line},extra`) : line));
    await expect(copyIn('COPY m FROM STDIN (FORMAT csv)', pieces(data))).rejects.toMatchObject({
      code: '22P04',
      message: 'extra data after last expected column',
      where: `COPY m, line ${bad}: "${badLine}"`,
    });
    expect(await one('SELECT count(*)::int FROM m')).toEqual([0]);
  });

  it('a NULL time found while appending the thread\'s batches: 23502, nothing kept', async () => {
    const data = csv(ROWS, (i, line) => (i === 140_000 ? line.replace(/^[^,]*/, '') : line));
    await expect(copyIn('COPY m FROM STDIN (FORMAT csv)', pieces(data))).rejects.toMatchObject({ code: '23502' });
    expect(await one('SELECT count(*)::int FROM m')).toEqual([0]);
    expect(await copyIn('COPY m FROM STDIN (FORMAT csv)', pieces(csv(3)))).toBe(3);
    await c.query('TRUNCATE m');
  });

  it('CopyFail after the hand-over aborts the COPY (57014)', async () => {
    const stream = c.query(copyFrom('COPY m FROM STDIN (FORMAT csv)'));
    const failed = new Promise<{ code?: string; message: string }>((resolve) => stream.on('error', resolve));
    for (const p of pieces(csv(ROWS))) stream.write(p);
    await new Promise((r) => setTimeout(r, 100));
    stream.destroy(new Error('client gave up'));
    expect((await failed).message).toMatch(/client gave up|COPY from stdin failed/);
    await new Promise((r) => setTimeout(r, 100));
    expect(await one('SELECT count(*)::int FROM m')).toEqual([0]);
  });

  it('inside a transaction block: the rows are visible to it, and gone after ROLLBACK', async () => {
    await c.query('BEGIN');
    expect(await copyIn('COPY m FROM STDIN (FORMAT csv)', pieces(csv(ROWS)))).toBe(ROWS);
    expect(await one('SELECT count(*)::int FROM m')).toEqual([ROWS]);
    await c.query('ROLLBACK');
    expect(await one('SELECT count(*)::int FROM m')).toEqual([0]);
  });

  it('binary format: the header is read inline, the tuples after the hand-over in the thread', async () => {
    const n = 200_000;
    const head = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
    const tuples = Buffer.alloc(n * (2 + 12 + 4 + 8 + 12 + 12));
    let o = 0;
    for (let i = 1; i <= n; i++) {
      o = tuples.writeInt16BE(4, o);
      o = tuples.writeInt32BE(8, o);
      o = tuples.writeBigInt64BE(BigInt(T0 + (i % 5000) * 1000 - Date.UTC(2000, 0, 1)) * 1000n, o);
      const host = Buffer.from(`host_${i % HOSTS}`);
      o = tuples.writeInt32BE(host.length, o);
      o += host.copy(tuples, o);
      if (i % 9 === 0) o = tuples.writeInt32BE(-1, o);
      else {
        o = tuples.writeInt32BE(8, o);
        o = tuples.writeDoubleBE(i / 8, o);
      }
      o = tuples.writeInt32BE(8, o);
      o = tuples.writeBigInt64BE(BigInt(i), o);
    }
    const all = Buffer.concat([head, tuples.subarray(0, o), Buffer.from([0xff, 0xff])]);
    const before = CopyParseThread.jobsStarted;
    expect(await copyIn('COPY m FROM STDIN (FORMAT binary)', pieces(all))).toBe(n);
    expect(CopyParseThread.jobsStarted).toBe(before + 1);
    let vSum = 0;
    for (let i = 1; i <= n; i++) if (i % 9 !== 0) vSum += i / 8;
    expect(await one('SELECT count(*)::int, count(v)::int, sum(v), sum(seq)::float8, count(DISTINCT host)::int FROM m')).toEqual([n, n - Math.floor(n / 9), vSum, (n * (n + 1)) / 2, HOSTS]);
    await c.query('TRUNCATE m');
  });

  it('flow control: with little allowed in flight, reading pauses and resumes, and every row arrives', async () => {
    const saved = { ...copyFlowLimits };
    copyFlowLimits.maxInFlight = 1 << 20;
    copyFlowLimits.resumeBelow = 512 << 10;
    try {
      const pauses = CopyFeed.pauses;
      expect(await copyIn('COPY m FROM STDIN (FORMAT csv)', pieces(csv(ROWS)))).toBe(ROWS);
      expect(CopyFeed.pauses).toBeGreaterThan(pauses);
      expect(await one('SELECT count(*)::int, sum(seq)::float8 FROM m')).toEqual([ROWS, (ROWS * (ROWS + 1)) / 2]);
    } finally {
      Object.assign(copyFlowLimits, saved);
      await c.query('TRUNCATE m');
    }
  });

  it('two connections copying at once share the thread, each gets its own rows', async () => {
    const d = await ts.client();
    await c.query('CREATE TABLE m2 (time timestamptz NOT NULL, host text, v float8, seq int8)');
    const before = CopyParseThread.jobsStarted;
    const viaD = async () => {
      const stream = d.query(copyFrom('COPY m2 FROM STDIN (FORMAT csv)'));
      await pipeline(Readable.from(pieces(csv(ROWS))), stream);
      return stream.rowCount;
    };
    const [a, b] = await Promise.all([copyIn('COPY m FROM STDIN (FORMAT csv)', pieces(csv(ROWS))), viaD()]);
    expect([a, b]).toEqual([ROWS, ROWS]);
    expect(CopyParseThread.jobsStarted).toBe(before + 2);
    expect(await one('SELECT (SELECT count(*)::int FROM m), (SELECT count(*)::int FROM m2), (SELECT sum(seq)::float8 FROM m2)')).toEqual([ROWS, ROWS, (ROWS * (ROWS + 1)) / 2]);
    await c.query('TRUNCATE m');
  });

  it('a plain table, text format with escapes and NULLs', async () => {
    await c.query('CREATE TABLE p (a int4, b text, c float8)');
    let text = '';
    for (let i = 1; i <= 300_000; i++) text += `${i}\t${i % 3 === 0 ? '\\N' : `x\\t${i % 7}`}\t${i % 5 === 0 ? '\\N' : i / 4}\n`;
    expect(await copyIn('COPY p FROM STDIN', pieces(text))).toBe(300_000);
    expect(await one('SELECT count(*)::int, count(b)::int, count(c)::int, sum(a)::float8 FROM p')).toEqual([300_000, 200_000, 240_000, (300_000 * 300_001) / 2]);
    expect(await one('SELECT b FROM p WHERE a = 299998')).toEqual([`x\t${299998 % 7}`]);
  });
});
