/**
 * A result larger than the socket's buffers waits for the client as batches, not as text
 * (wire/output-backlog.ts): the client still gets every row in order, then what followed the
 * query, and the server keeps serving other connections meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient, dataRow, errorFields, fe, startServer, type TestServer } from './helpers.js';

const ROWS = 200_000;
/** ~250 bytes a row: ~50 MB of DataRows, far more than loopback socket buffers hold */
const WIDE = `SELECT x, repeat('x', 240) AS pad FROM wide`;

function rowsInOrder(msgs: { type: string; body: Buffer }[]): { count: number; ordered: boolean } {
  let count = 0;
  let ordered = true;
  for (const m of msgs) {
    if (m.type !== 'D') continue;
    count++;
    const [x, pad] = dataRow(m.body);
    if (Number(x!.toString()) !== count || pad!.length !== 240) ordered = false;
  }
  return { count, ordered };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function firstColumn(c: RawClient, sql: string): Promise<string[]> {
  c.write(fe.query(sql));
  return (await c.until('Z')).filter((m) => m.type === 'D').map((m) => dataRow(m.body)[0]!.toString());
}

/**
 * Sends `message` from a client that is not reading, waits until the server has run it, checks that
 * the server's socket queue stayed small (the result's ~50 MB of text would otherwise sit there),
 * runs `meanwhile`, then reads up to ReadyForQuery.
 */
async function sendWhileNotReading(
  c: RawClient, server: TestServer['server'], message: Buffer, meanwhile?: () => void,
): Promise<{ type: string; body: Buffer }[]> {
  c.socket.pause();
  c.write(message);
  await sleep(300);
  expect(server.queuedOutputBytes()).toBeLessThan(4 * 1024 * 1024);
  meanwhile?.();
  c.socket.resume();
  return c.until('Z', 60_000);
}

describe('a result the client reads slowly', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer();
    const c = await RawClient.startup(ts.port);
    for (const sql of ['CREATE TABLE wide (x int8 NOT NULL)', `INSERT INTO wide SELECT g FROM generate_series(1, ${ROWS}) g`]) {
      c.write(fe.query(sql));
      await c.until('Z');
    }
    c.end();
  });
  afterAll(async () => {
    await ts.close();
  });

  it('is held as batches, not text, until the client reads, and arrives whole and in order', async () => {
    const slow = await RawClient.startup(ts.port);
    try {
      slow.socket.pause();
      slow.write(fe.query(`${WIDE}; SELECT 'after' AS tail`));
      await sleep(300);
      expect(ts.server.queuedOutputBytes()).toBeLessThan(4 * 1024 * 1024);

      // other clients are served while this one's rows wait
      const other = await RawClient.startup(ts.port);
      expect(await firstColumn(other, 'SELECT count(*) FROM wide')).toEqual([String(ROWS)]);
      other.end();

      slow.socket.resume();
      const msgs = await slow.until('Z', 60_000);
      const tags = msgs.filter((m) => m.type === 'C').map((m) => m.body.toString('utf8', 0, m.body.length - 1));
      expect(tags).toEqual([`SELECT ${ROWS}`, 'SELECT 1']);
      // the second statement's rows come after every row of the first
      const kinds = msgs.map((m) => m.type).filter((t) => t !== 'D').join('');
      expect(kinds).toBe('TCTCZ');
      expect(msgs.at(-3)!.type).toBe('D'); // T D C Z of the second statement
      const last = msgs.filter((m) => m.type === 'D').at(-1)!;
      expect(dataRow(last.body)[0]!.toString()).toBe('after');
      const wideRows = msgs.slice(0, msgs.findIndex((m) => m.type === 'C'));

      expect(rowsInOrder(wideRows)).toEqual({ count: ROWS, ordered: true });

      // the connection carries on
      expect(await firstColumn(slow, 'SELECT 42')).toEqual(['42']);
    } finally {
      slow.end();
    }
  });

  it('an error after held rows follows them, and the transaction is rolled back', async () => {
    const slow = await RawClient.startup(ts.port);
    try {
      slow.write(fe.query('CREATE TABLE IF NOT EXISTS notes (k int)'));
      await slow.until('Z');
      const msgs = await sendWhileNotReading(slow, ts.server, fe.query(`INSERT INTO notes VALUES (1); SELECT x, repeat('x', 240) AS pad, 1 / (x - ${ROWS - 10}) AS boom FROM wide`));
      const kinds = msgs.map((m) => m.type).filter((t) => t !== 'D').join('');
      expect(kinds).toBe('CTEZ');
      const err = msgs.find((m) => m.type === 'E')!;
      expect(errorFields(err.body).C).toBe('22012');
      // every row before the failing one, in order (how many depends on batch sizes)
      const rows = msgs.filter((m) => m.type === 'D').map((m) => Number(dataRow(m.body)[0]!.toString()));
      expect(rows.length).toBeGreaterThan(ROWS / 2);
      expect(rows.every((x, i) => x === i + 1)).toBe(true);
      expect(await firstColumn(slow, 'SELECT count(*) FROM notes')).toEqual(['0']);
    } finally {
      slow.end();
    }
  });

  it('an Execute of the extended protocol waits the same way, binary columns included', async () => {
    const slow = await RawClient.startup(ts.port);
    try {
      // x in binary (int8), pad in text
      const msgs = await sendWhileNotReading(slow, ts.server, Buffer.concat([
        fe.parse('', `SELECT x, repeat('x', 240) AS pad FROM wide WHERE x > $1`, [20]),
        fe.bind('', '', [0], [Buffer.from('0')], [1, 0]),
        fe.execute(''),
        fe.sync(),
      ]));
      expect(msgs.map((m) => m.type).filter((t) => t !== 'D').join('')).toBe('12CZ');
      const xs = msgs.filter((m) => m.type === 'D').map((m) => dataRow(m.body)[0]!.readBigInt64BE(0));
      expect(xs.length).toBe(ROWS);
      expect(xs.every((x, i) => x === BigInt(i + 1))).toBe(true);
    } finally {
      slow.end();
    }
  });

  it('a client that disconnects with rows still held leaves the server serving others', async () => {
    const gone = await RawClient.startup(ts.port);
    gone.socket.pause();
    gone.write(fe.query(WIDE));
    await sleep(200);
    gone.socket.destroy();
    await sleep(100);
    const c = await RawClient.startup(ts.port);
    try {
      expect(await firstColumn(c, 'SELECT max(x) FROM wide')).toEqual([String(ROWS)]);
    } finally {
      c.end();
    }
  });

  it('a graceful shutdown lets held rows reach the client before the connection ends', async () => {
    const own = await startServer();
    try {
      const c = await RawClient.startup(own.port);
      c.write(fe.query(`CREATE TABLE w (x int8); INSERT INTO w SELECT g FROM generate_series(1, ${ROWS}) g`));
      await c.until('Z');
      let stopped: Promise<void> | undefined;
      const msgs = await sendWhileNotReading(c, own.server, fe.query(`SELECT x, repeat('x', 240) AS pad FROM w`), () => {
        stopped = own.server.shutdown(30_000);
      });
      expect(rowsInOrder(msgs)).toEqual({ count: ROWS, ordered: true });
      const fatal = await c.next(10_000);
      expect(fatal?.type).toBe('E');
      expect(errorFields(fatal!.body).C).toBe('57P01');
      await stopped!;
    } finally {
      await own.close();
    }
  });
});
