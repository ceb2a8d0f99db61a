/**
 * Protocol fuzzing: thousands of valid frontend message streams (start-up,
 * simple Query, Parse/Bind/Describe/Execute/Sync, COPY FROM STDIN, cancel,
 * SSL requests) mutated by flipping bytes, truncating, rewriting length fields,
 * changing message types, splicing and appending random frames, sent over many
 * connections to one in-process server. Afterwards every connection must be
 * gone, the server must answer a normal client correctly, and no uncaught
 * exception or unhandled rejection may have happened in this process.
 *
 * The generator is seeded (FUZZ_SEED=n runs other streams; a failure names the seed).
 */
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgServer } from '../../packages/server/src/wire/index.js';
import type { Logger } from '../../packages/server/src/wire/log.js';
import { fe, startupMessage } from './helpers.js';

const CASES = 3_500;
const PARALLEL = 48;
const SEED = Number(process.env.FUZZ_SEED ?? 20_240_601);

/** mulberry32 */
function rng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STARTUP = startupMessage({ user: 'strata', database: 'strata', application_name: 'fuzz' });
const i32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n | 0);
  return b;
};

/** Valid streams after start-up, each a list of frames (so mutations can target one frame). */
const BODIES: Buffer[][] = [
  [fe.query('SELECT 1'), fe.terminate()],
  [fe.query('SELECT $1'), fe.query("SELECT 'a'::text || 'b', 1.5::numeric, now()"), fe.terminate()],
  [fe.query('INSERT INTO fz VALUES (1, \'x\'); SELECT * FROM fz ORDER BY a LIMIT 3')],
  [fe.parse('s1', 'SELECT $1::int + 1 AS x', [23]), fe.bind('p1', 's1', [0], [Buffer.from('41')], [0]), fe.describe('P', 'p1'), fe.execute('p1', 0), fe.sync()],
  [fe.parse('', 'SELECT a, b FROM fz WHERE a > $1', [23]), fe.bind('', '', [1], [i32(0)], [1]), fe.execute('', 2), fe.execute('', 0), fe.close('P', ''), fe.sync()],
  [fe.parse('ins', 'INSERT INTO fz VALUES ($1, $2)', []), fe.bind('', 'ins', [], [Buffer.from('7'), null], []), fe.execute(''), fe.sync(), fe.flush()],
  [fe.query('COPY fz FROM STDIN'), fe.copyData('1\tone\n2\ttwo\n'), fe.copyData('3\t\\N\n'), fe.copyDone(), fe.query('SELECT count(*) FROM fz')],
  [fe.query("COPY fz FROM STDIN (FORMAT csv)"), fe.copyData('4,"four"\n'), fe.copyFail('stop')],
  [fe.query('COPY (SELECT * FROM fz LIMIT 2) TO STDOUT'), fe.query('BEGIN; SELECT 1/0; COMMIT'), fe.query('ROLLBACK')],
  [fe.query('BEGIN'), fe.parse('', 'SELECT 1', []), fe.bind('', '', [], [], []), fe.execute(''), fe.sync(), fe.query('COMMIT')],
];

/** `cut`: send the bytes in two writes split there (exercises frame reassembly). */
type Stream = { bytes: Buffer; label: string; cut?: number };

function validStream(r: () => number): { frames: Buffer[]; label: string } {
  const pick = Math.floor(r() * (BODIES.length + 2));
  if (pick === BODIES.length) return { frames: [fe.sslRequest(), STARTUP, fe.query('SELECT 2')], label: 'ssl' };
  if (pick === BODIES.length + 1) return { frames: [fe.cancel(Math.floor(r() * 100), Math.floor(r() * 2 ** 31))], label: 'cancel' };
  return { frames: [STARTUP, ...BODIES[pick]!], label: `body${pick}` };
}

function randomBytes(r: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

const TYPES = 'QPBDESHXCdcfFpG?Z\0';

function mutate(r: () => number): Stream {
  const { frames, label } = validStream(r);
  // mutations mostly hit frames after the start-up so that the session code is exercised
  const first = frames[0] === STARTUP && r() < 0.85 ? 1 : 0;
  const k = first + Math.floor(r() * Math.max(1, frames.length - first));
  const f = Buffer.from(frames[k] ?? frames[0]!);
  const kind = Math.floor(r() * 9);
  let what = '';
  switch (kind) {
    case 0: {
      const n = 1 + Math.floor(r() * 4);
      for (let i = 0; i < n; i++) f[Math.floor(r() * f.length)] ^= 1 << Math.floor(r() * 8);
      what = `flip${n}`;
      break;
    }
    case 1: {
      frames[k] = f.subarray(0, Math.floor(r() * f.length));
      frames.length = k + 1; // truncated: nothing follows
      what = 'truncate';
      break;
    }
    case 2: {
      // rewrite the length field (offset 1 for typed frames, 0 for the start-up packet)
      const at = k === 0 && frames[0] === STARTUP ? 0 : 1;
      const choices = [0, 1, 3, 4, 5, -1, -2147483648, 2147483647, f.length, f.length + 1, f.length - 2, 1 << 30, Math.floor(r() * 70_000)];
      if (f.length >= at + 4) f.writeInt32BE(choices[Math.floor(r() * choices.length)]!, at);
      what = 'length';
      break;
    }
    case 3: {
      if (!(k === 0 && frames[0] === STARTUP)) f[0] = TYPES.charCodeAt(Math.floor(r() * TYPES.length));
      what = 'type';
      break;
    }
    case 4: {
      // a random frame with a consistent length
      const body = randomBytes(r, Math.floor(r() * 64));
      frames.splice(k, 0, Buffer.concat([Buffer.from([TYPES.charCodeAt(Math.floor(r() * TYPES.length))]), i32(body.length + 4), body]));
      what = 'insert';
      break;
    }
    case 5: {
      frames.splice(k, 0, randomBytes(r, 1 + Math.floor(r() * 200)));
      what = 'garbage';
      break;
    }
    case 6: {
      // replace a string field's terminator or content
      for (let i = 5; i < f.length; i++) if (f[i] === 0 && r() < 0.5) f[i] = 0x41;
      what = 'nul';
      break;
    }
    case 7: {
      // duplicate and reorder frames
      const dup = frames.slice(first).sort(() => r() - 0.5);
      frames.push(...dup);
      what = 'reorder';
      break;
    }
    default: {
      // invalid UTF-8 / giant counts in a body
      if (f.length > 7) f.writeInt16BE(r() < 0.5 ? -1 : 32767, 5 + Math.floor(r() * (f.length - 7)));
      f[Math.floor(r() * f.length)] = 0xff;
      what = 'fields';
    }
  }
  if (kind !== 1 && kind !== 4 && kind !== 5 && kind !== 7) frames[k] = f;
  return { bytes: Buffer.concat(frames), label: `${label}/${what}` };
}

/** Send one stream; read until the server closes or stays quiet; then close. Resolves the bytes received. */
function exchange(port: number, s: Stream): Promise<number> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = 0;
    let idle: NodeJS.Timeout | undefined;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(idle);
      clearTimeout(hard);
      sock.destroy();
      resolve(got);
    };
    // wait up to 250 ms for the first answer (the server may be busy with other connections),
    // then until 40 ms pass without more
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(finish, got === 0 ? 250 : 40);
    };
    const hard = setTimeout(finish, 3_000);
    sock.on('error', finish);
    sock.on('close', finish);
    sock.on('data', (d) => {
      got += d.length;
      arm();
    });
    sock.on('connect', () => {
      const cut = s.cut;
      if (cut !== undefined) {
        sock.write(s.bytes.subarray(0, cut));
        setTimeout(() => {
          if (!done) sock.write(s.bytes.subarray(cut));
        }, 2);
      } else sock.write(s.bytes);
      arm();
    });
  });
}

describe('protocol fuzzing', () => {
  let server: PgServer;
  let port = 0;
  const crashes: unknown[] = [];
  const internal: string[] = [];
  const onCrash = (e: unknown) => crashes.push(e);

  beforeAll(async () => {
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    const logger: Logger = { error: (m) => internal.push(m), warn() {}, info() {}, debug() {}, enabled: (l) => l === 'error' };
    server = new PgServer({ maxConnections: 10_000, logger });
    port = (await server.listen(0, '127.0.0.1')).port;
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'strata', database: 'strata' });
    await c.connect();
    await c.query('CREATE TABLE fz (a int, b text)');
    await c.end();
  });
  afterAll(async () => {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    await server.shutdown(1000);
  });

  it(`survives ${CASES} mutated message streams (seed ${SEED})`, async () => {
    const r = rng(SEED);
    const streams: Stream[] = [];
    for (let i = 0; i < CASES; i++) {
      // every tenth stream is valid, as a control
      let s: Stream;
      if (i % 10 === 0) {
        const v = validStream(r);
        s = { bytes: Buffer.concat(v.frames), label: v.label };
      } else s = mutate(r);
      if (r() < 0.3 && s.bytes.length > 2) s.cut = 1 + Math.floor(r() * (s.bytes.length - 1));
      streams.push(s);
    }
    let next = 0;
    let answered = 0;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= streams.length) return;
        if ((await exchange(port, streams[i]!)) > 0) answered++;
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    console.log(`fuzz seed ${SEED}: ${answered}/${CASES} streams answered`);
    // many streams get some answer (an error, an SSL 'N', a result); cancel requests get none
    expect(answered, `seed ${SEED}`).toBeGreaterThan(CASES / 2);

    // every connection is released
    const deadline = Date.now() + 5_000;
    while (server.connectionCount > 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    expect(server.connectionCount, `seed ${SEED}`).toBe(0);

    // the server still answers a normal client correctly
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'strata', database: 'strata' });
    await c.connect();
    expect((await c.query('SELECT $1::int + 1 AS x, version() LIKE $2 AS v', [41, '%Strata%'])).rows).toEqual([{ x: 42, v: true }]);
    await c.query('CREATE TABLE after_fuzz (x int)');
    await c.query('INSERT INTO after_fuzz SELECT g FROM generate_series(1, 100) g');
    expect((await c.query('SELECT count(*)::int AS n, sum(x)::int AS s FROM after_fuzz')).rows).toEqual([{ n: 100, s: 5050 }]);
    expect(Number((await c.query('SELECT count(*) AS n FROM fz')).rows[0].n)).toBeGreaterThan(0);
    await c.end();

    expect(crashes, `seed ${SEED}`).toEqual([]);
    // internal errors (XX000) would mean an unexpected exception inside the server: list them
    expect(internal.map((m) => m.split('\n')[0]), `seed ${SEED}`).toEqual([]);
  }, 60_000);
});
