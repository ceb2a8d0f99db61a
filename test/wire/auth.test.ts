/** Password authentication: SCRAM-SHA-256, md5 and cleartext, success and failure (28P01). */
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { startServer } from './helpers.js';

async function tryConnect(port: number, user: string, password: string): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'strata' });
  c.on('error', () => {});
  await c.connect();
  return c;
}

describe.each(['scram-sha-256', 'md5', 'password'] as const)('%s', (auth) => {
  it('accepts the right password and refuses a wrong one or another user', async () => {
    const ts = await startServer({ user: 'alice', password: 's3cret-Ünïcode', auth });
    try {
      const ok = await tryConnect(ts.port, 'alice', 's3cret-Ünïcode');
      expect((await ok.query('SELECT current_user AS u')).rows[0].u).toBeDefined();
      await ok.end();
      await expect(tryConnect(ts.port, 'alice', 'wrong')).rejects.toMatchObject({ code: '28P01', message: 'password authentication failed for user "alice"' });
      await expect(tryConnect(ts.port, 'mallory', 's3cret-Ünïcode')).rejects.toMatchObject({ code: '28P01' });
      expect(ts.server.connectionCount).toBe(0);
      // still serving after the failures
      const again = await tryConnect(ts.port, 'alice', 's3cret-Ünïcode');
      await again.end();
    } finally {
      await ts.close();
    }
  });
});

describe('trust', () => {
  it('without a password any user name is accepted', async () => {
    const ts = await startServer();
    try {
      const c = await tryConnect(ts.port, 'whoever', '');
      expect((await c.query('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
      await c.end();
    } finally {
      await ts.close();
    }
  });
});
