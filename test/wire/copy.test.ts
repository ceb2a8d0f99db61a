/** COPY FROM STDIN / TO STDOUT through pg-copy-streams: text, CSV, binary, errors, streaming. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { startServer, type TestServer } from './helpers.js';

let ts: TestServer;
let c: pg.Client;

beforeAll(async () => {
  ts = await startServer();
  c = await ts.client();
});
afterAll(async () => {
  await ts.close();
});

/** COPY FROM with the data sent in the given pieces (each piece one CopyData message). */
async function copyIn(client: pg.Client, sql: string, pieces: (string | Buffer)[]): Promise<number> {
  const stream = client.query(copyFrom(sql));
  await pipeline(Readable.from(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))), stream);
  return stream.rowCount ?? -1;
}

async function copyOutText(client: pg.Client, sql: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const stream = client.query(copyTo(sql));
  await pipeline(stream, new Writable({ write(chunk: Buffer, _enc, cb) { chunks.push(chunk); cb(); } }));
  return Buffer.concat(chunks);
}

async function rows(sql: string): Promise<unknown[][]> {
  return (await c.query({ text: sql, rowMode: 'array' })).rows;
}

describe('COPY FROM STDIN', () => {
  it('text format with escapes and NULLs, rows split across CopyData messages', async () => {
    await c.query('CREATE TABLE ct (a int, b text, c float8)');
    const n = await copyIn(c, 'COPY ct FROM STDIN', ['1\thello\t1.5\n2\t\\N\t2', '.5\n3\ttab\\there\\nnl\t\\N\n', '4\tback\\\\slash\t-0.25\n']);
    expect(n).toBe(4);
    expect(await rows('SELECT a, b, c FROM ct ORDER BY a')).toEqual([
      [1, 'hello', 1.5],
      [2, null, 2.5],
      [3, 'tab\there\nnl', null],
      [4, 'back\\slash', -0.25],
    ]);
  });

  it('CSV with HEADER, quotes, embedded newlines and a column list', async () => {
    await c.query('CREATE TABLE cc (id int, name text, note text, v float8)');
    const data = 'id,name,note\n1,"Smith, J","said ""hi"""\n2,,"multi\nline"\n3,"",plain\n';
    const n = await copyIn(c, 'COPY cc (id, name, note) FROM STDIN WITH (FORMAT csv, HEADER true)', [data.slice(0, 30), data.slice(30)]);
    expect(n).toBe(3);
    expect(await rows('SELECT id, name, note, v FROM cc ORDER BY id')).toEqual([
      [1, 'Smith, J', 'said "hi"', null],
      [2, null, 'multi\nline', null],
      [3, '', 'plain', null],
    ]);
  });

  it('CSV options: DELIMITER, NULL, QUOTE, ESCAPE, FORCE_NULL, FORCE_NOT_NULL', async () => {
    await c.query('CREATE TABLE co (a text, b text, c text)');
    await copyIn(c, "COPY co FROM STDIN WITH (FORMAT csv, DELIMITER ';', NULL 'NA', QUOTE '''', ESCAPE '\\', FORCE_NULL (b), FORCE_NOT_NULL (c))", ["x;'NA';NA\n'it\\'s';y;z\n"]);
    expect(await rows('SELECT a, b, c FROM co ORDER BY a')).toEqual([
      ["it's", 'y', 'z'],
      ['x', null, 'NA'],
    ]);
  });

  it('timestamps, booleans, numerics and other types via the column fast paths', async () => {
    await c.query('CREATE TABLE cty (t timestamptz, d date, b bool, n numeric, i8 int8, s smallint, v varchar(3))');
    await copyIn(c, 'COPY cty FROM STDIN (FORMAT csv)', [
      '2024-01-02 03:04:05+00,2024-01-02,t,1.50,9007199254740991,-5,abc\n',
      '2024-01-02T03:04:05.123456Z,2024-02-29,false,-0.001,-1,7,xy\n',
      '2024-01-02 05:04:05+02:00,2024-03-01,yes,1e3,0,0,\n',
    ]);
    const r = await c.query({ text: 'SELECT t::text, d::text, b, n::text, i8::text, s, v FROM cty ORDER BY t, d', rowMode: 'array' });
    expect(r.rows).toEqual([
      ['2024-01-02 03:04:05+00', '2024-01-02', true, '1.50', '9007199254740991', -5, 'abc'],
      ['2024-01-02 03:04:05+00', '2024-03-01', true, '1000', '0', 0, null],
      ['2024-01-02 03:04:05.123456+00', '2024-02-29', false, '-0.001', '-1', 7, 'xy'],
    ]);
  });

  it('a bad value reports its line and column, aborts only that COPY, and the connection goes on', async () => {
    await c.query('CREATE TABLE cb (a int, b text)');
    await expect(copyIn(c, 'COPY cb FROM STDIN (FORMAT csv)', ['1,x\n2,y\n', 'oops,z\n4,w\n'])).rejects.toMatchObject({
      code: '22P02',
      message: 'invalid input syntax for type integer: "oops"',
      where: 'COPY cb, line 3, column a: "oops"',
    });
    expect(await rows('SELECT count(*)::int FROM cb')).toEqual([[0]]);
    await expect(copyIn(c, 'COPY cb FROM STDIN', ['1\tx\n2\n'])).rejects.toMatchObject({ code: '22P04', message: 'missing data for column "b"', where: 'COPY cb, line 2: "2"' });
    await expect(copyIn(c, 'COPY cb FROM STDIN', ['1\tx\textra\n'])).rejects.toMatchObject({ code: '22P04', message: 'extra data after last expected column' });
    await expect(copyIn(c, 'COPY cb FROM STDIN (FORMAT csv)', ['1,"never closed\n'])).rejects.toMatchObject({ code: '22P04', message: 'unterminated CSV quoted field' });
    expect(await copyIn(c, 'COPY cb FROM STDIN', ['5\tok\n'])).toBe(1);
    expect(await rows('SELECT a, b FROM cb')).toEqual([[5, 'ok']]);
  });

  it('errors before the data: unknown table, unknown column, bad options, server files', async () => {
    await expect(copyIn(c, 'COPY nope FROM STDIN', ['1\n'])).rejects.toMatchObject({ code: '42P01' });
    await expect(copyIn(c, 'COPY cb (zz) FROM STDIN', ['1\n'])).rejects.toMatchObject({ code: '42703' });
    await expect(copyIn(c, "COPY cb FROM STDIN (FORMAT xml)", ['1\n'])).rejects.toMatchObject({ code: '22023' });
    await expect(c.query("COPY cb FROM '/etc/passwd'")).rejects.toMatchObject({ code: '42501' });
    expect(await rows('SELECT 1')).toEqual([[1]]);
  });

  it('CopyFail from the client aborts the COPY (57014)', async () => {
    await c.query('CREATE TABLE cf (a int)');
    const stream = c.query(copyFrom('COPY cf FROM STDIN'));
    const done = new Promise((resolve) => stream.on('error', resolve));
    stream.write('1\n2\n');
    stream.destroy(new Error('client gave up'));
    const err = (await done) as { code?: string; message: string };
    expect(err.message).toMatch(/client gave up|COPY from stdin failed/);
    await new Promise((r) => setTimeout(r, 50));
    expect(await rows('SELECT count(*)::int FROM cf')).toEqual([[0]]);
  });

  it('COPY inside a transaction: rolled back with the transaction; a failed COPY fails the transaction', async () => {
    await c.query('CREATE TABLE ctx (a int)');
    await c.query('BEGIN');
    await copyIn(c, 'COPY ctx FROM STDIN', ['1\n2\n']);
    expect(await rows('SELECT count(*)::int FROM ctx')).toEqual([[2]]);
    await c.query('ROLLBACK');
    expect(await rows('SELECT count(*)::int FROM ctx')).toEqual([[0]]);
    await c.query('BEGIN');
    await expect(copyIn(c, 'COPY ctx FROM STDIN', ['x\n'])).rejects.toMatchObject({ code: '22P02' });
    await expect(c.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
    await c.query('ROLLBACK');
  });

  it('binary format', async () => {
    await c.query('CREATE TABLE cbin (a int, b text, c float8, t timestamptz, n int8)');
    const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)];
    const field = (b: Buffer | null) => {
      const len = Buffer.alloc(4);
      len.writeInt32BE(b ? b.length : -1);
      return b ? [len, b] : [len];
    };
    for (let i = 0; i < 3; i++) {
      const cnt = Buffer.alloc(2);
      cnt.writeInt16BE(5);
      const a = Buffer.alloc(4);
      a.writeInt32BE(i);
      const f = Buffer.alloc(8);
      f.writeDoubleBE(i / 4);
      const t = Buffer.alloc(8);
      t.writeBigInt64BE(BigInt(i) * 1_000_000n);
      const n = Buffer.alloc(8);
      n.writeBigInt64BE(BigInt(i) * 10_000_000_000n);
      parts.push(cnt, ...field(a), ...field(i === 1 ? null : Buffer.from(`r${i}`)), ...field(f), ...field(t), ...field(n));
    }
    parts.push(Buffer.from([0xff, 0xff]));
    const all = Buffer.concat(parts);
    expect(await copyIn(c, 'COPY cbin FROM STDIN (FORMAT binary)', [all.subarray(0, 25), all.subarray(25, 60), all.subarray(60)])).toBe(3);
    expect(await rows('SELECT a, b, c, t::text, n::text FROM cbin ORDER BY a')).toEqual([
      [0, 'r0', 0, '2000-01-01 00:00:00+00', '0'],
      [1, null, 0.25, '2000-01-01 00:00:01+00', '10000000000'],
      [2, 'r2', 0.5, '2000-01-01 00:00:02+00', '20000000000'],
    ]);
    // and back out in binary: byte-identical to what went in
    const back = await copyOutText(c, 'COPY (SELECT * FROM cbin ORDER BY a) TO STDOUT (FORMAT binary)');
    expect(back.equals(all)).toBe(true);
  });

  it('50k rows in many messages arrive in bounded batches with the right totals', async () => {
    await c.query('CREATE TABLE cpu (time timestamptz, hostname text, usage_user float8, usage_system float8)');
    const pieces: string[] = [];
    let buf = '';
    const t0 = Date.UTC(2024, 0, 1);
    for (let i = 0; i < 50_000; i++) {
      buf += `${new Date(t0 + i * 10_000).toISOString()},host_${i % 10},${(i % 100) / 2},${i % 7}\n`;
      if (buf.length > 60_000) {
        pieces.push(buf);
        buf = '';
      }
    }
    pieces.push(buf);
    expect(await copyIn(c, 'COPY cpu FROM STDIN (FORMAT csv)', pieces)).toBe(50_000);
    expect(await rows("SELECT count(*)::int, count(DISTINCT hostname)::int, sum(usage_system)::int, min(time)::text FROM cpu")).toEqual([[50_000, 10, 149_997, '2024-01-01 00:00:00+00']]);
  });
});

describe('COPY TO STDOUT', () => {
  it('text format, with escapes and NULLs', async () => {
    await c.query("CREATE TABLE ot (a int, b text, c float8); INSERT INTO ot VALUES (1, 'x', 1.5), (2, NULL, NULL), (3, E'a\\tb\\nc\\\\d', -2)");
    const out = await copyOutText(c, 'COPY ot TO STDOUT');
    expect(out.toString()).toBe('1\tx\t1.5\n2\t\\N\t\\N\n3\ta\\tb\\nc\\\\d\t-2\n');
  });

  it('CSV with HEADER and quoting, column list, and a query', async () => {
    await c.query("CREATE TABLE oc (a int, b text); INSERT INTO oc VALUES (1, 'plain'), (2, 'with,comma'), (3, 'quote\"d'), (4, ''), (5, NULL)");
    expect((await copyOutText(c, 'COPY oc TO STDOUT WITH (FORMAT csv, HEADER)')).toString()).toBe('a,b\n1,plain\n2,"with,comma"\n3,"quote""d"\n4,""\n5,\n');
    expect((await copyOutText(c, 'COPY oc (b) TO STDOUT (FORMAT csv, FORCE_QUOTE *)')).toString()).toBe('"plain"\n"with,comma"\n"quote""d"\n""\n\n');
    expect((await copyOutText(c, "COPY (SELECT a * 10 AS x FROM oc WHERE a < 3 ORDER BY a) TO STDOUT (DELIMITER '|')")).toString()).toBe('10\n20\n');
  });

  it('a round trip of the COPY text format keeps every value', async () => {
    await c.query("CREATE TABLE rt1 (a int, b text, t timestamptz); INSERT INTO rt1 VALUES (1, E'x\\\\y\\tz', '2024-05-06 07:08:09.5+00'), (2, NULL, NULL)");
    const out = await copyOutText(c, 'COPY rt1 TO STDOUT');
    await c.query('CREATE TABLE rt2 (a int, b text, t timestamptz)');
    await copyIn(c, 'COPY rt2 FROM STDIN', [out]);
    expect(await rows('SELECT * FROM rt2 EXCEPT SELECT * FROM rt1')).toEqual([]);
    expect(await rows('SELECT count(*)::int FROM rt2')).toEqual([[2]]);
  });
});
