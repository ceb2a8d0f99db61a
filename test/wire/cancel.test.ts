/**
 * CancelRequest against running statements. The server runs in this thread,
 * so while a statement executes nothing here can send anything: cancels come
 * from a worker thread (`Canceller`), a child process (node-postgres) or a
 * shell (psql + SIGINT). A canceller repeats its request until it is stopped,
 * because a cancel that lands before the statement starts is (correctly)
 * ignored; every long statement carries a statement_timeout as a safety net,
 * and the error message tells which of the two stopped it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { RawClient, dataRow, errorFields, fe, startServer, startupMessage, type TestServer } from './helpers.js';
import { hasCommand, run } from '../clients/helpers.js';
import type { Logger } from '../../packages/server/src/wire/log.js';
import { PgServer } from '../../packages/server/src/wire/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const USER_CANCEL = 'canceling statement due to user request';
const TIMEOUT_CANCEL = 'canceling statement due to statement timeout';
/** runs until cancelled (10^12 rows) */
const ENDLESS = 'SELECT count(*) FROM generate_series(1, 1000000000000)';

/**
 * Sends CancelRequests for (pid, secret) from a worker thread, the first after
 * `firstAfterMs`, then one every `everyMs`, until stopped.
 */
class Canceller {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  constructor(port: number, pid: number, secret: number, everyMs = 20, firstAfterMs = 0) {
    const source = `
      const { workerData, parentPort } = require('node:worker_threads');
      const net = require('node:net');
      const { port, pid, secret, everyMs, firstAfterMs } = workerData;
      const msg = Buffer.alloc(16);
      msg.writeInt32BE(16, 0); msg.writeInt32BE(80877102, 4); msg.writeInt32BE(pid, 8); msg.writeInt32BE(secret, 12);
      let stopped = false;
      const send = () => {
        if (stopped) return;
        const s = net.connect(port, '127.0.0.1', () => s.end(msg));
        s.on('error', () => {});
        s.on('close', () => { if (!stopped) setTimeout(send, everyMs); });
      };
      parentPort.on('message', () => { stopped = true; parentPort.close(); });
      setTimeout(send, firstAfterMs);`;
    this.worker = new Worker(source, { eval: true, workerData: { port, pid, secret, everyMs, firstAfterMs } });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
  }

  /** Resolves once no cancel from this canceller can still arrive (its last socket has closed). */
  async stop(): Promise<void> {
    this.worker.postMessage('stop');
    await this.exited;
  }
}

interface Backend {
  c: RawClient;
  pid: number;
  secret: number;
}

async function backend(port: number): Promise<Backend> {
  const c = await RawClient.connect(port);
  c.write(startupMessage({ user: 'strata', database: 'strata' }));
  const k = (await c.until('Z')).find((m) => m.type === 'K')!.body;
  return { c, pid: k.readInt32BE(0), secret: k.readInt32BE(4) };
}

/** Simple query → [error fields or null, data rows' first fields, ReadyForQuery status]. */
async function query(c: RawClient, sql: string, timeoutMs = 30_000): Promise<{ error: Record<string, string> | null; values: string[]; status: string }> {
  c.write(fe.query(sql));
  const msgs = await c.until('Z', timeoutMs);
  const e = msgs.find((m) => m.type === 'E');
  return {
    error: e ? errorFields(e.body) : null,
    values: msgs.filter((m) => m.type === 'D').map((m) => dataRow(m.body)[0]?.toString() ?? 'NULL'),
    status: String.fromCharCode(msgs[msgs.length - 1]!.body[0]!),
  };
}

/** Run `sql` on b while a canceller with `secret` keeps cancelling; returns the query's outcome. */
async function runCancelled(ts: TestServer, b: Backend, sql: string, secret = b.secret, firstAfterMs = 0) {
  const canceller = new Canceller(ts.port, b.pid, secret, 20, firstAfterMs);
  try {
    return await query(b.c, sql);
  } finally {
    await canceller.stop();
  }
}

const logs: string[] = [];
const logger: Logger = {
  error: (m) => void logs.push(`ERROR ${m}`),
  warn: (m) => void logs.push(`WARN ${m}`),
  info: (m) => void logs.push(`INFO ${m}`),
  debug: (m) => void logs.push(`DEBUG ${m}`),
  enabled: () => true,
};

let ts: TestServer;
beforeAll(async () => {
  ts = await startServer({ logger });
});
afterAll(async () => {
  await ts.close();
});

describe('CancelRequest during a running statement', () => {
  it('stops a long SELECT with 57014; the connection then works normally', async () => {
    const b = await backend(ts.port);
    await query(b.c, "SET statement_timeout = '30s'");
    const r = await runCancelled(ts, b, ENDLESS);
    expect(r.error).toMatchObject({ S: 'ERROR', C: '57014', M: USER_CANCEL });
    expect(r.status).toBe('I');
    // the stale flag is cleared when the next statement starts
    expect(await query(b.c, 'SELECT count(*) FROM generate_series(1, 1000)')).toEqual({ error: null, values: ['1000'], status: 'I' });
    b.c.end();
  });

  it('stops nested-loop and hash joins and an endless recursive CTE', async () => {
    const b = await backend(ts.port);
    await query(b.c, "SET statement_timeout = '30s'");
    const cross = await runCancelled(ts, b, 'SELECT count(*) FROM generate_series(1, 1000000) a CROSS JOIN generate_series(1, 1000000) b');
    expect(cross.error).toMatchObject({ C: '57014', M: USER_CANCEL });
    const recursive = await runCancelled(ts, b, 'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT count(*) FROM t');
    expect(recursive.error).toMatchObject({ C: '57014', M: USER_CANCEL });
    const inequality = await runCancelled(ts, b, 'SELECT count(*) FROM generate_series(1, 1000000) a JOIN generate_series(1, 1000000) b ON a < b');
    expect(inequality.error).toMatchObject({ C: '57014', M: USER_CANCEL });
    // a hash join whose keys match everything: one left batch (8 Ki rows) makes 2.5·10^9 pairs,
    // minutes of work without a check in the probe; the cancels start late so that they land in
    // the probe, after the build side is hashed
    const fanOut = await runCancelled(ts, b, 'SELECT count(*) FROM generate_series(1, 1000000) a JOIN generate_series(1, 300000) b ON a % 1 = b % 1', b.secret, 1500);
    expect(fanOut.error).toMatchObject({ C: '57014', M: USER_CANCEL });
    b.c.end();
  });

  it('inside a transaction block leaves the transaction failed', async () => {
    const b = await backend(ts.port);
    expect((await query(b.c, "BEGIN; SET LOCAL statement_timeout = '30s'")).status).toBe('T');
    const r = await runCancelled(ts, b, ENDLESS);
    expect(r.error).toMatchObject({ C: '57014', M: USER_CANCEL });
    expect(r.status).toBe('E');
    expect((await query(b.c, 'SELECT 1')).error).toMatchObject({ C: '25P02' });
    expect((await query(b.c, 'ROLLBACK')).status).toBe('I');
    expect((await query(b.c, 'SELECT count(*) FROM generate_series(1, 5)')).values).toEqual(['5']);
    b.c.end();
  });

  it('with the wrong secret does nothing: the statement runs on to its statement_timeout', async () => {
    const b = await backend(ts.port);
    await query(b.c, "SET statement_timeout = '1s'");
    const r = await runCancelled(ts, b, ENDLESS, b.secret ^ 1);
    expect(r.error).toMatchObject({ C: '57014', M: TIMEOUT_CANCEL });
    b.c.end();
  });

  it('for another backend does not touch this one', async () => {
    const victim = await backend(ts.port);
    const other = await backend(ts.port);
    await query(victim.c, "SET statement_timeout = '1s'");
    const r = await runCancelled(ts, victim, ENDLESS, other.secret);
    expect(r.error).toMatchObject({ M: TIMEOUT_CANCEL });
    // … while the other's own key reaches only the other
    const canceller = new Canceller(ts.port, other.pid, other.secret);
    const mine = await query(victim.c, ENDLESS);
    await canceller.stop();
    expect(mine.error).toMatchObject({ M: TIMEOUT_CANCEL });
    victim.c.end();
    other.c.end();
  });

  it('while idle does not affect the next statement (simple and extended protocol)', async () => {
    const b = await backend(ts.port);
    for (const protocol of ['simple', 'extended']) {
      const canceller = await RawClient.connect(ts.port);
      canceller.write(fe.cancel(b.pid, b.secret));
      // the postmaster closes the socket after it has set the flag: the cancel is now pending
      expect(await canceller.rest()).toEqual([]);
      if (protocol === 'simple') {
        expect(await query(b.c, 'SELECT count(*) FROM generate_series(1, 100000)')).toEqual({ error: null, values: ['100000'], status: 'I' });
      } else {
        b.c.write(Buffer.concat([fe.parse('', 'SELECT count(*) FROM generate_series(1, $1::int)', [23]), fe.bind('', '', [0], [Buffer.from('100000')], [0]), fe.execute(''), fe.sync()]));
        const msgs = await b.c.until('Z');
        expect(msgs.map((m) => m.type).join('')).toBe('12DCZ');
        expect(dataRow(msgs[2]!.body)[0]!.toString()).toBe('100000');
      }
    }
    b.c.end();
  });

  it('cancels a COPY FROM STDIN through the same flag', async () => {
    const b = await backend(ts.port);
    await query(b.c, 'CREATE TABLE cancel_copy (a int)');
    b.c.write(fe.query('COPY cancel_copy FROM STDIN'));
    await b.c.until('G');
    b.c.write(fe.copyData('1\n'));
    const canceller = await RawClient.connect(ts.port);
    canceller.write(fe.cancel(b.pid, b.secret));
    await canceller.rest();
    b.c.write(fe.copyData('2\n'));
    const m = await b.c.until('Z');
    expect(errorFields(m.find((x) => x.type === 'E')!.body)).toMatchObject({ C: '57014', M: USER_CANCEL });
    expect((await query(b.c, 'SELECT count(*) FROM cancel_copy')).values).toEqual(['0']);
    b.c.end();
  });

  it('serves the other connections once the cancelled statement has stopped', async () => {
    const b = await backend(ts.port);
    const other = await backend(ts.port);
    await query(b.c, "SET statement_timeout = '30s'");
    const canceller = new Canceller(ts.port, b.pid, b.secret);
    b.c.write(fe.query(ENDLESS));
    other.c.write(fe.query('SELECT 42'));
    const [mine, theirs] = await Promise.all([b.c.until('Z', 30_000), other.c.until('Z', 30_000)]);
    await canceller.stop();
    expect(errorFields(mine.find((m) => m.type === 'E')!.body)).toMatchObject({ M: USER_CANCEL });
    expect(dataRow(theirs.find((m) => m.type === 'D')!.body)[0]!.toString()).toBe('42');
    b.c.end();
    other.c.end();
  });
});

describe('postmaster', () => {
  it('answers SSLRequest with N and still takes a CancelRequest on the same socket', async () => {
    const b = await backend(ts.port);
    const canceller = await RawClient.connect(ts.port);
    canceller.write(fe.sslRequest());
    expect(await canceller.readByte()).toBe('N');
    canceller.write(fe.cancel(b.pid, b.secret));
    expect(await canceller.rest()).toEqual([]);
    expect(logs).toContain(`DEBUG cancel request for connection ${b.pid}`);
    b.c.end();
  });

  it('listening on a port in use rejects with EADDRINUSE (the CLI reports it)', async () => {
    const second = new PgServer({ logger });
    await expect(second.listen(ts.port, '127.0.0.1')).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(second.listening).toBe(false);
  });

  it('logs the client address', async () => {
    const b = await backend(ts.port);
    const local = b.c.socket.localPort;
    b.c.write(fe.query('SELECT 1'));
    await b.c.until('Z');
    expect(logs.some((l) => l.includes(`from 127.0.0.1:${local}`))).toBe(true);
    b.c.end();
  });

  it('cancel works again after a crash of the cancel relay thread', async () => {
    const b = await backend(ts.port);
    await ts.server.crashCancelRelayForTesting();
    expect(logs.some((l) => l.startsWith('ERROR cancel relay thread exited unexpectedly'))).toBe(true);
    await query(b.c, "SET statement_timeout = '30s'");
    expect((await runCancelled(ts, b, ENDLESS)).error).toMatchObject({ M: USER_CANCEL });
    b.c.end();
  });

  it('is restarted after a crash; existing sessions keep working and cancel works again', async () => {
    const before = await backend(ts.port);
    await ts.server.crashPostmasterForTesting();
    let after: Backend | null = null;
    for (let i = 0; i < 100 && !after; i++) {
      after = await backend(ts.port).catch(() => null);
      if (!after) await new Promise((r) => setTimeout(r, 50));
    }
    expect(after).not.toBeNull();
    expect(logs.some((l) => l.startsWith('ERROR postmaster process exited unexpectedly'))).toBe(true);
    await query(after!.c, "SET statement_timeout = '30s'");
    expect((await runCancelled(ts, after!, ENDLESS)).error).toMatchObject({ M: USER_CANCEL });
    // connections are this process's own sockets: the one from before the crash goes on working
    expect(await query(before.c, 'SELECT 41 + 1')).toEqual({ error: null, values: ['42'], status: 'I' });
    before.c.end();
    after!.c.end();
  });
});

describe('real clients', () => {
  it('node-postgres: client.cancel from another process stops the query', async () => {
    const script = `
      import pg from 'pg';
      const cfg = { host: '127.0.0.1', port: ${ts.port}, user: 'strata', database: 'strata' };
      const c = new pg.Client(cfg);
      await c.connect();
      await c.query("SET statement_timeout = '30s'");
      const q = new pg.Query(${JSON.stringify(ENDLESS)});
      const done = new Promise((resolve) => { q.on('error', (e) => resolve({ code: e.code, message: e.message })); q.on('end', () => resolve({ code: null })); });
      c.query(q);
      const timer = setInterval(() => new pg.Client(cfg).cancel(c, q), 100);
      const outcome = await done;
      clearInterval(timer);
      const after = (await c.query('SELECT count(*)::int AS n FROM generate_series(1, 10)')).rows[0].n;
      await c.end();
      console.log(JSON.stringify({ ...outcome, after }));`;
    const r = await run(process.execPath, ['--no-deprecation', '--input-type=module', '-e', script], { cwd: ROOT, timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ code: '57014', message: USER_CANCEL, after: 10 });
  });

  it.skipIf(!hasCommand('psql'))('psql: SIGINT sends a CancelRequest for the running query', async () => {
    // the shell times the SIGINTs: this thread is busy running the query meanwhile
    const psql = `psql -X -h 127.0.0.1 -p ${ts.port} -U strata -d strata -v ON_ERROR_STOP=1 -c "SET statement_timeout = '30s'" -c "${ENDLESS}" &
      P=$!
      sleep 0.5
      while kill -INT $P 2>/dev/null; do sleep 0.3; done
      wait $P`;
    const r = await run('sh', ['-c', psql], { timeoutMs: 60_000 });
    expect(r.stderr).toContain(`ERROR:  ${USER_CANCEL}`);
    expect(r.stdout).not.toContain('count');
    expect(r.code).toBe(1);
  });
});
