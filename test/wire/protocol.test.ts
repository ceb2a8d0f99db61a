/** Raw protocol messages: framing errors, the extended protocol in detail, binary formats, cancel, COPY edge cases. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient, dataRow, errorFields, fe, message, startupMessage, startServer, type TestServer } from './helpers.js';

let ts: TestServer;

beforeAll(async () => {
  ts = await startServer();
});
afterAll(async () => {
  await ts.close();
});

async function stillServes(): Promise<void> {
  const c = await ts.client();
  expect((await c.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
}

function types(msgs: { type: string }[]): string {
  return msgs.map((m) => m.type).join('');
}

function fatalOf(msgs: { type: string; body: Buffer }[]): Record<string, string> {
  const e = msgs.find((m) => m.type === 'E');
  expect(e).toBeDefined();
  return errorFields(e!.body);
}

function i32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

describe('start-up', () => {
  it('SSLRequest is answered N and the start-up continues in plain text', async () => {
    const c = await RawClient.connect(ts.port);
    c.write(fe.sslRequest());
    expect(await c.readByte()).toBe('N');
    c.write(startupMessage({ user: 'strata', database: 'strata', application_name: 'raw' }));
    const msgs = await c.until('Z');
    expect(msgs[0]!.type).toBe('R');
    const params = Object.fromEntries(msgs.filter((m) => m.type === 'S').map((m) => m.body.toString().split('\0').slice(0, 2)));
    expect(params).toMatchObject({ server_version: '15.0 (Strata 0.1.0)', server_encoding: 'UTF8', client_encoding: 'UTF8', DateStyle: 'ISO, MDY', TimeZone: 'UTC', integer_datetimes: 'on', standard_conforming_strings: 'on', application_name: 'raw', is_superuser: 'on', session_authorization: 'strata' });
    expect(msgs.some((m) => m.type === 'K')).toBe(true);
    expect(msgs.at(-1)!.body.toString()).toBe('I');
    c.end();
  });

  it('a start-up packet with a bad length closes that connection with 08P01 only', async () => {
    const c = await RawClient.connect(ts.port);
    c.write(Buffer.from([0, 0, 0, 3, 1, 2, 3, 4]));
    const msgs = await c.rest();
    expect(fatalOf(msgs)).toMatchObject({ S: 'FATAL', C: '08P01' });
    await stillServes();
  });

  it('an unsupported protocol version is refused', async () => {
    const c = await RawClient.connect(ts.port);
    c.write(Buffer.concat([i32(16), i32(2 << 16), Buffer.from('user\0x\0\0\0')]).subarray(0, 16));
    expect(fatalOf(await c.rest())).toMatchObject({ C: '0A000' });
  });
});

describe('malformed messages', () => {
  it('garbage after start-up: 08P01 and close, others unaffected', async () => {
    const c = await RawClient.startup(ts.port);
    c.write(Buffer.from('this is not a protocol message at all'));
    const msgs = await c.rest();
    expect(fatalOf(msgs)).toMatchObject({ S: 'FATAL', C: '08P01' });
    expect(c.closed).toBe(true);
    await stillServes();
  });

  it('oversized length (> 1 GiB) and length < 4', async () => {
    const a = await RawClient.startup(ts.port);
    a.write(Buffer.concat([Buffer.from('Q'), i32(0x7ffffff0)]));
    expect(fatalOf(await a.rest())).toMatchObject({ C: '08P01' });
    const b = await RawClient.startup(ts.port);
    b.write(Buffer.concat([Buffer.from('Q'), i32(2)]));
    expect(fatalOf(await b.rest())).toMatchObject({ C: '08P01' });
    await stillServes();
  });

  it('an unknown message type', async () => {
    const c = await RawClient.startup(ts.port);
    c.write(message('z', Buffer.from('hello')));
    expect(fatalOf(await c.rest())).toMatchObject({ C: '08P01', M: 'invalid frontend message type 122' });
    await stillServes();
  });

  it('a truncated Bind body is a protocol violation', async () => {
    const c = await RawClient.startup(ts.port);
    c.write(Buffer.concat([fe.parse('', 'SELECT $1::int', [23]), message('B', Buffer.from([0, 0, 0, 0, 1]))]));
    expect(fatalOf(await c.rest())).toMatchObject({ C: '08P01' });
    await stillServes();
  });

  it('invalid UTF-8 in a query string: 22021, the connection stays usable', async () => {
    const c = await RawClient.startup(ts.port);
    c.write(fe.query(Buffer.from([0x53, 0x45, 0x4c, 0x45, 0x43, 0x54, 0x20, 0x27, 0xff, 0xfe, 0x27])));
    const msgs = await c.until('Z');
    expect(errorFields(msgs.find((m) => m.type === 'E')!.body)).toMatchObject({ C: '22021' });
    c.write(fe.query('SELECT 2'));
    const ok = await c.until('Z');
    expect(types(ok)).toBe('TDCZ');
    c.end();
  });

  it('a client that disconnects mid-message or mid-COPY leaves no trace', async () => {
    const setup = await ts.client();
    await setup.query('CREATE TABLE midcopy (a int)');
    const c = await RawClient.startup(ts.port);
    c.write(fe.query('COPY midcopy FROM STDIN'));
    await c.until('G');
    c.write(fe.copyData('1\n2\n3\n'));
    c.write(Buffer.concat([Buffer.from('d'), i32(100), Buffer.from('4\n')])); // a partial message
    await new Promise((r) => setTimeout(r, 50));
    c.end();
    await new Promise((r) => setTimeout(r, 100));
    expect((await setup.query('SELECT count(*)::int AS n FROM midcopy')).rows[0].n).toBe(0);
    await setup.query('INSERT INTO midcopy VALUES (9)');
    expect((await setup.query('SELECT count(*)::int AS n FROM midcopy')).rows[0].n).toBe(1);
  });
});

describe('extended protocol', () => {
  it('binary parameters and binary results, Describe, row limits with PortalSuspended', async () => {
    const c = await RawClient.startup(ts.port);
    const p1 = Buffer.alloc(4);
    p1.writeInt32BE(2);
    const p2 = Buffer.alloc(8);
    p2.writeDoubleBE(0.5);
    const p3 = Buffer.alloc(8);
    p3.writeBigInt64BE(86_400_000_000n); // 2000-01-02 00:00:00 UTC
    const p4 = Buffer.alloc(8);
    p4.writeBigInt64BE(-5_000_000_000n);
    c.write(Buffer.concat([
      fe.parse('s1', 'SELECT g AS n, g * $2 AS f, $3 AS ts, $4 + g AS big, $5 AS t, $6 AS num FROM generate_series(1, $1) AS g', [23, 701, 1184, 20, 25, 1700]),
      fe.bind('p1', 's1', [1, 1, 1, 1, 0, 0], [p1, p2, p3, p4, Buffer.from('héllo'), Buffer.from('12.50')], [1]),
      fe.describe('S', 's1'),
      fe.describe('P', 'p1'),
      fe.execute('p1', 1),
      fe.execute('p1', 1),
      fe.execute('p1', 1),
      fe.sync(),
    ]));
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('12tTTDsDsCZ');
    const pd = msgs[2]!.body;
    expect([...Array(pd.readInt16BE(0))].map((_, i) => pd.readInt32BE(2 + 4 * i))).toEqual([23, 701, 1184, 20, 25, 1700]);
    const rowsMsgs = msgs.filter((m) => m.type === 'D').map((m) => dataRow(m.body));
    expect(rowsMsgs).toHaveLength(2);
    const [n, f, t, big, txt, num] = rowsMsgs[1]!;
    expect(n!.readInt32BE(0)).toBe(2);
    expect(f!.readDoubleBE(0)).toBe(1);
    expect(t!.readBigInt64BE(0)).toBe(86_400_000_000n);
    expect(big!.readBigInt64BE(0)).toBe(-4_999_999_998n);
    expect(txt!.toString()).toBe('héllo');
    // numeric 12.50: ndigits 2, weight 0, sign 0, dscale 2, digits [12, 5000]
    expect([num!.readInt16BE(0), num!.readInt16BE(2), num!.readUInt16BE(4), num!.readInt16BE(6), num!.readInt16BE(8), num!.readInt16BE(10)]).toEqual([2, 0, 0, 2, 12, 5000]);
    expect(msgs.find((m) => m.type === 'C')!.body.toString()).toBe('SELECT 0\0');
    c.end();
  });

  it('after an error, messages are ignored until Sync', async () => {
    const c = await RawClient.startup(ts.port);
    c.write(Buffer.concat([fe.parse('', 'SELEC nope'), fe.bind('', '', [], [], []), fe.execute(''), fe.sync(), fe.query('SELECT 1')]));
    const first = await c.until('Z');
    expect(types(first)).toBe('EZ');
    expect(errorFields(first[0]!.body)).toMatchObject({ C: '42601', P: '1' });
    const second = await c.until('Z');
    expect(types(second)).toBe('TDCZ');
    c.end();
  });

  it('named statements: reuse, duplicates (42P05), Close, unknown (26000) and wrong parameter counts', async () => {
    const c = await RawClient.startup(ts.port);
    c.write(Buffer.concat([fe.parse('q', 'SELECT $1::int * 2'), fe.sync()]));
    expect(types(await c.until('Z'))).toBe('1Z');
    for (const v of ['3', '4']) {
      c.write(Buffer.concat([fe.bind('', 'q', [], [Buffer.from(v)], []), fe.execute(''), fe.sync()]));
      const m = await c.until('Z');
      expect(types(m)).toBe('2DCZ');
      expect(dataRow(m[1]!.body)[0]!.toString()).toBe(String(Number(v) * 2));
    }
    c.write(Buffer.concat([fe.parse('q', 'SELECT 1'), fe.sync()]));
    expect(errorFields((await c.until('Z'))[0]!.body)).toMatchObject({ C: '42P05' });
    c.write(Buffer.concat([fe.bind('', 'q', [], [], []), fe.sync()]));
    expect(errorFields((await c.until('Z'))[0]!.body)).toMatchObject({ C: '08P01', M: 'bind message supplies 0 parameters, but prepared statement "q" requires 1' });
    c.write(Buffer.concat([fe.close('S', 'q'), fe.bind('', 'q', [], [Buffer.from('1')], []), fe.sync()]));
    const closed = await c.until('Z');
    expect(types(closed)).toBe('3EZ');
    expect(errorFields(closed[1]!.body)).toMatchObject({ C: '26000' });
    c.end();
  });

  it('Flush sends pending responses without Sync; empty queries; NoData for statements without rows', async () => {
    const c = await RawClient.startup(ts.port);
    c.write(Buffer.concat([fe.parse('', ''), fe.bind('', '', [], [], []), fe.describe('P', ''), fe.execute(''), fe.flush()]));
    expect(types(await c.until('I'))).toBe('12nI');
    c.write(Buffer.concat([fe.parse('', 'CREATE TABLE ext_t (a int)'), fe.bind('', '', [], [], []), fe.describe('P', ''), fe.execute(''), fe.sync()]));
    const m = await c.until('Z');
    expect(types(m)).toBe('12nCZ');
    expect(m[3]!.body.toString()).toBe('CREATE TABLE\0');
    c.end();
  });

  it('COPY through the extended protocol', async () => {
    const c = await RawClient.startup(ts.port);
    c.write(fe.query('CREATE TABLE ext_copy (a int, b text)'));
    await c.until('Z');
    c.write(Buffer.concat([fe.parse('', 'COPY ext_copy FROM STDIN (FORMAT csv)'), fe.bind('', '', [], [], []), fe.execute('')]));
    expect(types(await c.until('G'))).toBe('12G');
    c.write(Buffer.concat([fe.copyData('1,a\n2,'), fe.copyData('b\n'), fe.copyDone(), fe.sync()]));
    const m = await c.until('Z');
    expect(m.map((x) => x.type).join('')).toBe('CZ');
    expect(m[0]!.body.toString()).toBe('COPY 2\0');
    c.write(fe.query('COPY ext_copy TO STDOUT'));
    const out = await c.until('Z');
    expect(types(out)).toBe('HdcCZ');
    expect(out[1]!.body.toString()).toBe('1\ta\n2\tb\n');
    c.end();
  });
});

describe('cancel and termination', () => {
  it('a cancel request while idle is ignored and the connection keeps working', async () => {
    const c = await RawClient.connect(ts.port);
    c.write(startupMessage({ user: 'strata', database: 'strata' }));
    const msgs = await c.until('Z');
    const k = msgs.find((m) => m.type === 'K')!.body;
    const canceller = await RawClient.connect(ts.port);
    canceller.write(fe.cancel(k.readInt32BE(0), k.readInt32BE(4)));
    expect(await canceller.rest()).toEqual([]);
    c.write(fe.query('SELECT 42'));
    const r = await c.until('Z');
    expect(types(r)).toBe('TDCZ');
    expect(dataRow(r[1]!.body)[0]!.toString()).toBe('42');
    c.end();
  });

  it('a cancel request during COPY FROM aborts that COPY with 57014', async () => {
    const setup = await ts.client();
    await setup.query('CREATE TABLE cancelled (a int)');
    const c = await RawClient.startup(ts.port);
    const pidKey = await (async () => {
      const d = await RawClient.connect(ts.port);
      d.write(startupMessage({ user: 'strata', database: 'strata' }));
      const msgs = await d.until('Z');
      return { d, k: msgs.find((m) => m.type === 'K')!.body };
    })();
    c.end();
    const { d, k } = pidKey;
    d.write(fe.query('COPY cancelled FROM STDIN'));
    await d.until('G');
    d.write(fe.copyData('1\n'));
    const canceller = await RawClient.connect(ts.port);
    canceller.write(fe.cancel(k.readInt32BE(0), k.readInt32BE(4)));
    await canceller.rest();
    d.write(fe.copyData('2\n'));
    const m = await d.until('Z');
    expect(errorFields(m.find((x) => x.type === 'E')!.body)).toMatchObject({ C: '57014' });
    d.write(Buffer.concat([fe.copyDone(), fe.query('SELECT count(*) FROM cancelled')]));
    const after = await d.until('Z');
    expect(dataRow(after.find((x) => x.type === 'D')!.body)[0]!.toString()).toBe('0');
    d.end();
  });

  it('Terminate closes the connection', async () => {
    const c = await RawClient.startup(ts.port);
    c.write(fe.terminate());
    expect(await c.rest()).toEqual([]);
    expect(c.closed).toBe(true);
  });
});
