/** statement_timeout: a query running past the deadline stops with 57014 and the session stays usable. */
import { describe, expect, it } from 'vitest';
import { Strata } from '../../packages/server/src/index.js';

describe('statement_timeout', () => {
  it('cancels a long scan-based query with 57014 and leaves the session working', async () => {
    const db = await Strata.create();
    await db.query('CREATE TABLE big (x float8, y float8)');
    const rows: number[][] = [];
    for (let i = 0; i < 400_000; i++) rows.push([i, (i * 7919) % 100_000]);
    await db.insert('big', rows);
    await db.query("SET statement_timeout = '1ms'");
    // a sort over a self-join: far longer than 1 ms, and blocking (the check happens in its scans)
    await expect(db.query('SELECT count(*) FROM (SELECT a.x FROM big a JOIN big b ON a.y = b.y ORDER BY 1) s')).rejects.toMatchObject({
      code: '57014',
      message: 'canceling statement due to statement timeout',
    });
    await db.query('RESET statement_timeout');
    expect((await db.query('SELECT count(*) AS n FROM big')).rows).toEqual([{ n: '400000' }]);
    await expect(db.query("SET statement_timeout = 'soon'")).rejects.toMatchObject({ code: '22023' });
    await db.close();
  });
});
