/** Shared helpers for the wire-protocol tests: an in-process PgServer on an ephemeral port. */
import net from 'node:net';
import pg from 'pg';
import { PgServer, type PgServerOptions } from '../../packages/server/src/wire/index.js';

export interface TestServer {
  server: PgServer;
  port: number;
  client(config?: pg.ClientConfig): Promise<pg.Client>;
  close(): Promise<void>;
}

export async function startServer(options: PgServerOptions = {}): Promise<TestServer> {
  const server = new PgServer(options);
  const { port } = await server.listen(0, '127.0.0.1');
  const clients: pg.Client[] = [];
  return {
    server,
    port,
    async client(config: pg.ClientConfig = {}) {
      const c = new pg.Client({ host: '127.0.0.1', port, user: 'strata', database: 'strata', ...config });
      c.on('error', () => {});
      await c.connect();
      clients.push(c);
      return c;
    },
    async close() {
      await Promise.all(clients.map((c) => c.end().catch(() => {})));
      await server.close();
    },
  };
}

/** A raw protocol client: send bytes, collect backend messages as { type, body }. */
export class RawClient {
  readonly socket: net.Socket;
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  private wake() {
    const w = this.waiters.splice(0);
    w.forEach((f) => f());
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  /** connect and complete a trust start-up (up to the first ReadyForQuery) */
  static async startup(port: number, params: Record<string, string> = { user: 'strata', database: 'strata' }): Promise<RawClient> {
    const c = await RawClient.connect(port);
    c.write(startupMessage(params));
    await c.until('Z');
    return c;
  }

  write(b: Buffer | Uint8Array): void {
    this.socket.write(b);
  }

  /** next message (type '' → raw single byte for SSL answers) */
  async next(timeoutMs = 5000): Promise<{ type: string; body: Buffer } | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.buf.length >= 5) {
        const len = this.buf.readInt32BE(1);
        if (this.buf.length >= 1 + len) {
          const type = String.fromCharCode(this.buf[0]!);
          const body = this.buf.subarray(5, 1 + len);
          this.buf = this.buf.subarray(1 + len);
          return { type, body };
        }
      }
      if (this.closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timeout waiting for a message');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async readByte(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.buf.length < 1) {
      if (this.closed || Date.now() > deadline) throw new Error('no byte');
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiters.push(() => (clearTimeout(t), r()));
      });
    }
    const b = String.fromCharCode(this.buf[0]!);
    this.buf = this.buf.subarray(1);
    return b;
  }

  /** messages up to and including the first of `type` */
  async until(type: string, timeoutMs = 5000): Promise<{ type: string; body: Buffer }[]> {
    const out: { type: string; body: Buffer }[] = [];
    for (;;) {
      const m = await this.next(timeoutMs);
      if (!m) throw new Error(`connection closed before '${type}'; got ${out.map((x) => x.type).join('')}`);
      out.push(m);
      if (m.type === type) return out;
    }
  }

  /** all messages until the server closes the connection */
  async rest(timeoutMs = 5000): Promise<{ type: string; body: Buffer }[]> {
    const out: { type: string; body: Buffer }[] = [];
    for (;;) {
      const m = await this.next(timeoutMs);
      if (!m) return out;
      out.push(m);
    }
  }

  end(): void {
    this.socket.destroy();
  }
}

/** ErrorResponse / NoticeResponse body → field map (S, C, M, D, H, P, W, …) */
export function errorFields(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < body.length && body[i] !== 0) {
    const code = String.fromCharCode(body[i]!);
    const end = body.indexOf(0, i + 1);
    out[code] = body.subarray(i + 1, end).toString('utf8');
    i = end + 1;
  }
  return out;
}

/** DataRow body → field buffers (null for NULL) */
export function dataRow(body: Buffer): (Buffer | null)[] {
  const n = body.readInt16BE(0);
  let p = 2;
  const out: (Buffer | null)[] = [];
  for (let i = 0; i < n; i++) {
    const len = body.readInt32BE(p);
    p += 4;
    if (len < 0) out.push(null);
    else {
      out.push(body.subarray(p, p + len));
      p += len;
    }
  }
  return out;
}

/** A typed frontend message. */
export function message(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5);
  head[0] = type.charCodeAt(0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function cstr(s: string): Buffer {
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
}

function i16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}

function i32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

export function startupMessage(params: Record<string, string>): Buffer {
  const body = Buffer.concat([i32(196608), ...Object.entries(params).flatMap(([k, v]) => [cstr(k), cstr(v)]), Buffer.from([0])]);
  return Buffer.concat([i32(body.length + 4), body]);
}

export const fe = {
  query: (sql: string | Buffer) => message('Q', Buffer.concat([typeof sql === 'string' ? Buffer.from(sql) : sql, Buffer.from([0])])),
  parse: (name: string, sql: string, oids: number[] = []) => message('P', Buffer.concat([cstr(name), cstr(sql), i16(oids.length), ...oids.map(i32)])),
  bind: (portal: string, stmt: string, paramFormats: number[], params: (Buffer | null)[], resultFormats: number[]) =>
    message('B', Buffer.concat([cstr(portal), cstr(stmt), i16(paramFormats.length), ...paramFormats.map(i16), i16(params.length), ...params.flatMap((p) => (p === null ? [i32(-1)] : [i32(p.length), p])), i16(resultFormats.length), ...resultFormats.map(i16)])),
  describe: (kind: 'S' | 'P', name: string) => message('D', Buffer.concat([Buffer.from(kind), cstr(name)])),
  execute: (portal: string, maxRows = 0) => message('E', Buffer.concat([cstr(portal), i32(maxRows)])),
  close: (kind: 'S' | 'P', name: string) => message('C', Buffer.concat([Buffer.from(kind), cstr(name)])),
  sync: () => message('S'),
  flush: () => message('H'),
  terminate: () => message('X'),
  copyData: (b: Buffer | string) => message('d', typeof b === 'string' ? Buffer.from(b) : b),
  copyDone: () => message('c'),
  copyFail: (msg: string) => message('f', cstr(msg)),
  cancel: (pid: number, key: number) => Buffer.concat([i32(16), i32(80877102), i32(pid), i32(key)]),
  sslRequest: () => Buffer.concat([i32(8), i32(80877103)]),
};
