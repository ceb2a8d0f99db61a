/**
 * 200 concurrent connections, each running a mixed INSERT/SELECT loop (insert a
 * unique row, then count its own rows, which must equal the inserts it has had
 * acknowledged). Afterwards every acknowledged row is present exactly once and
 * nothing else is. Half the clients use the extended protocol (parameters), half
 * the simple one; some iterations run inside an explicit transaction.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgServer } from '../../packages/server/src/wire/index.js';

const CLIENTS = 200;
const ITERATIONS = 20;

describe('200 concurrent connections', () => {
  let server: PgServer;
  let port = 0;
  beforeAll(async () => {
    server = new PgServer({ maxConnections: CLIENTS + 10 });
    port = (await server.listen(0, '127.0.0.1')).port;
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'strata', database: 'strata' });
    await c.connect();
    await c.query('CREATE TABLE conc (client int NOT NULL, seq int NOT NULL, note text, at timestamptz DEFAULT now(), PRIMARY KEY (client, seq))');
    await c.end();
  });
  afterAll(() => server.shutdown());

  it(`${CLIENTS} clients × ${ITERATIONS} INSERT + SELECT iterations; every acknowledged row exactly once`, async () => {
    const acknowledged: [number, number][] = [];
    const failures: string[] = [];
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const c = new pg.Client({ host: '127.0.0.1', port, user: 'strata', database: 'strata' });
        c.on('error', () => {});
        await c.connect();
        return c;
      }),
    );
    expect(server.connectionCount).toBe(CLIENTS);

    const work = async (c: pg.Client, id: number) => {
      let mine = 0;
      for (let seq = 0; seq < ITERATIONS; seq++) {
        try {
          const inTxn = seq % 5 === 4;
          if (inTxn) await c.query('BEGIN');
          const r =
            id % 2 === 0
              ? await c.query('INSERT INTO conc (client, seq, note) VALUES ($1, $2, $3)', [id, seq, `c${id}-s${seq}`])
              : await c.query(`INSERT INTO conc (client, seq, note) VALUES (${id}, ${seq}, 'c${id}-s${seq}')`);
          if (r.rowCount !== 1) failures.push(`client ${id} seq ${seq}: rowCount ${r.rowCount}`);
          const n =
            id % 2 === 0
              ? Number((await c.query('SELECT count(*) AS n FROM conc WHERE client = $1', [id])).rows[0].n)
              : Number((await c.query(`SELECT count(*) AS n FROM conc WHERE client = ${id}`)).rows[0].n);
          // a transaction sees its own uncommitted row
          if (n !== mine + 1) failures.push(`client ${id} seq ${seq}: sees ${n} own rows, expected ${mine + 1}`);
          if (inTxn) await c.query('COMMIT');
          mine++;
          acknowledged.push([id, seq]);
        } catch (e) {
          failures.push(`client ${id} seq ${seq}: ${(e as Error).message}`);
        }
      }
    };
    await Promise.all(clients.map((c, i) => work(c, i)));
    await Promise.all(clients.map((c) => c.end()));

    expect(failures).toEqual([]);
    expect(acknowledged.length).toBe(CLIENTS * ITERATIONS);

    const check = new pg.Client({ host: '127.0.0.1', port, user: 'strata', database: 'strata' });
    await check.connect();
    const rows = (await check.query<{ client: number; seq: number; note: string }>('SELECT client, seq, note FROM conc ORDER BY client, seq')).rows;
    await check.end();
    expect(rows.length).toBe(acknowledged.length);
    const seen = new Set<string>();
    for (const r of rows) {
      const key = `${r.client}/${r.seq}`;
      expect(seen.has(key), `duplicate ${key}`).toBe(false);
      seen.add(key);
      expect(r.note).toBe(`c${r.client}-s${r.seq}`);
    }
    for (const [c, s] of acknowledged) expect(seen.has(`${c}/${s}`)).toBe(true);
  }, 60_000);
});
