/**
 * Why Strata parses SQL itself instead of with node-sql-parser (the design's
 * first choice): its PostgreSQL grammar silently mis-groups AND/OR and has no
 * `^`. If a new node-sql-parser version fixes this, these tests fail and tell
 * us to reconsider (it would then be worth using for the grammar again).
 */
import { describe, expect, it } from 'vitest';
import pkg from 'node-sql-parser/build/postgresql.js';
import { parseOne } from './index.js';

const { Parser } = pkg as unknown as { Parser: new () => { astify(sql: string, opts: object): unknown } };

function nspWhere(sql: string): { operator: string } {
  const ast = new Parser().astify(sql, { database: 'PostgresQL' }) as { where: { operator: string } }[] | { where: { operator: string } };
  return (Array.isArray(ast) ? ast[0]! : ast).where;
}

describe('node-sql-parser canary', () => {
  it('node-sql-parser groups `a OR b AND c` as `(a OR b) AND c`', () => {
    expect(nspWhere('SELECT 1 FROM t WHERE a = 1 OR b = 2 AND c = 3').operator).toBe('AND');
  });

  it('Strata groups it as PostgreSQL does: `a OR (b AND c)`', () => {
    const s = parseOne('SELECT 1 FROM t WHERE a = 1 OR b = 2 AND c = 3');
    if (s.kind !== 'select' || s.body.kind !== 'core') throw new Error('unexpected');
    const where = s.body.where!;
    expect(where.kind === 'binary' && where.op).toBe('or');
  });
});
