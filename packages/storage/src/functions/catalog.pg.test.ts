/**
 * Every case of pg-cases.ts against the answers PostgreSQL 15 gave
 * (pg-cases.fixture.json): result text, result type, or SQLSTATE.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { SqlError } from '../errors.js';
import { formatType } from '../types/sql-type.js';
import type { FixtureRow } from './pg-cases.gen.js';
import { evalCall, lit, makeCtx, show, typeFromName } from './testing.js';

const rows = JSON.parse(readFileSync(new URL('./pg-cases.fixture.json', import.meta.url), 'utf8')) as FixtureRow[];

/** Where Strata knowingly differs from PostgreSQL (see the catalog's report). */
const TYPE_DIFFERENCES: Record<string, string> = {
  regtype: 'text', // pg_typeof returns text
  uuid: 'text',
  void: 'text',
};

function run(row: FixtureRow): { value: string | null; type: string } {
  const [callee, ...args] = row.call;
  const types = args.map((a) => typeFromName(a.slice(0, a.indexOf('|'))));
  const values = args.map((a, i) => {
    const l = a.slice(a.indexOf('|') + 1);
    return types[i]!.id === 'unknown' ? (l === 'NULL' ? null : l) : lit(types[i]!, l, row.zone);
  });
  const ctx = makeCtx(row.zone);
  const isOp = callee!.startsWith('op:');
  const r = evalCall(isOp ? 'op' : 'fn', isOp ? callee!.slice(3) : callee!, types, values, ctx);
  return { value: show(r.value, r.type, row.zone), type: formatType(r.type) };
}

describe('calls agree with PostgreSQL 15', () => {
  for (const row of rows) {
    test(`${row.zone === 'UTC' ? '' : `[${row.zone}] `}${row.sql}`, () => {
      if (row.error !== undefined) {
        let err: unknown;
        try {
          run(row);
        } catch (e) {
          err = e;
        }
        expect(err, 'expected an error').toBeInstanceOf(SqlError);
        expect((err as SqlError).code).toBe(row.error);
        return;
      }
      const got = run(row);
      expect(got.value).toBe(row.value);
      expect(got.type).toBe(TYPE_DIFFERENCES[row.type!] ?? row.type);
    });
  }
});
