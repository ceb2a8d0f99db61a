/** Streams encoded parts into one `COPY cpu (…) FROM STDIN` with backpressure. */
import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { COLUMN_LIST } from '../tsbs-format.js';
import type { Part } from './ingest-method.js';

export async function copyIn(c: pg.Client, options: string, parts: Iterable<Part<string | Buffer>>, onRows: (n: number) => void, head?: Buffer, tail?: Buffer): Promise<void> {
  const stream = c.query(copyFrom(`COPY cpu (${COLUMN_LIST}) FROM STDIN ${options}`));
  const done = new Promise<void>((res, rej) => {
    stream.on('finish', res);
    stream.on('error', rej);
  });
  const write = async (d: string | Buffer) => {
    // events.once removes its listeners again and rejects on 'error'
    if (!stream.write(d)) await once(stream, 'drain');
  };
  if (head) await write(head);
  for (const p of parts) {
    await write(p.data);
    onRows(p.rows);
  }
  if (tail) await write(tail);
  stream.end();
  await done;
}
