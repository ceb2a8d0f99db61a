import { describe, expect, it } from 'vitest';
import { T, type SqlType } from '../types/sql-type.js';
import { DEFAULT_FORMAT_CONTEXT, type Value } from '../types/values.js';
import type { EvalContext, ExprNode } from '../expr/expr.js';
import { vectorToValues } from '../vector.js';
import { TableStore } from '../table/index.js';
import { setPostingsCacheBytes } from '../table/postings.js';
import { fragmentSource } from './fragment.js';
import { scanRestriction } from './scan-restriction.js';

const ctx = (params: Value[] = []): EvalContext => ({ params, settings: DEFAULT_FORMAT_CONTEXT, statementTime: 0, transactionTime: 0, correlated: [] });
const col = (index: number, type: SqlType): ExprNode => ({ k: 'col', type, index });
const txt = (value: string | null): ExprNode => ({ k: 'const', type: T.text, value });
const inList = (arg: ExprNode, list: ExprNode[], negate = false): ExprNode => ({ k: 'inlist', type: T.bool, arg, list, eqFn: 'texteq', negate });

describe('scanRestriction', () => {
  it('takes a top-level IN over a text column with constant and parameter items', () => {
    const f: ExprNode = { k: 'and', type: T.bool, args: [{ k: 'const', type: T.bool, value: true }, inList(col(1, T.text), [txt('a'), { k: 'param', type: T.text, index: 0 }, txt(null)])] };
    const r = scanRestriction(f, [10, 20])!;
    expect(r.columnId).toBe(20);
    // NULL matches nothing and is left out; the parameter is read per execution
    expect(r.values(ctx(['p']))).toEqual({ columnId: 20, values: ['a', 'p'] });
    expect(r.values(ctx([null]))).toEqual({ columnId: 20, values: ['a'] });
  });

  it('refuses what the posting lists cannot answer exactly', () => {
    expect(scanRestriction(inList(col(0, T.text), [txt('a')], true), [1])).toBeUndefined(); // NOT IN
    expect(scanRestriction(inList(col(0, T.bpchar), [{ k: 'const', type: T.bpchar, value: 'a' }]), [1])).toBeUndefined(); // trailing spaces
    expect(scanRestriction({ k: 'or', type: T.bool, args: [inList(col(0, T.text), [txt('a')]), inList(col(0, T.text), [txt('b')])] }, [1])).toBeUndefined();
    expect(scanRestriction(inList(col(0, T.text), [col(1, T.text)]), [1, 2])).toBeUndefined(); // not a constant
    expect(scanRestriction(undefined, [1])).toBeUndefined();
  });
});

describe('fragment scan with a restriction', () => {
  const hosts = ['h0', 'h1', 'h2', 'h3', 'h4', 'h5', null];
  function store(): TableStore {
    const s = new TableStore({ name: 'c', columns: [{ id: 1, name: 'id', type: T.int4, notNull: true }, { id: 2, name: 'host', type: T.text, notNull: false }], sealRows: 16, chunkRows: 64 });
    const t = s.begin();
    t.insertRows(Array.from({ length: 300 }, (_, i) => [i, hosts[(i * 5) % hosts.length]!]));
    t.commit();
    return s;
  }

  it('returns what a full scan and filter return (sealed batches, buffer, NULLs, deletes, absent values)', () => {
    const s = store();
    const t = s.begin();
    const ids: number[] = [];
    for (const sb of t.view().scan([1], { withRowIds: true })) ids.push(...sb.rowIds!);
    t.delete(ids.filter((_, i) => i % 4 === 1));
    t.commit();
    const filter: ExprNode = {
      k: 'and', type: T.bool,
      args: [{ k: 'isnull', type: T.bool, arg: col(0, T.int4), negate: true }, inList(col(1, T.text), [txt('h1'), { k: 'param', type: T.text, index: 0 }, txt('absent'), txt(null)])],
    };
    const run = (): Value[] => {
      const out: Value[] = [];
      for (const b of fragmentSource({ columnIds: [1, 2], filter }, [{ version: s.latest() }])(ctx(['h4']))) out.push(...vectorToValues(b.columns[0]!));
      return out.sort((a, b) => (a as number) - (b as number));
    };
    const restricted = run();
    setPostingsCacheBytes(0);
    let full: Value[];
    try {
      full = run();
    } finally {
      setPostingsCacheBytes(64 * 1024 * 1024);
    }
    expect(restricted).toEqual(full);
    const expected: number[] = [];
    for (let i = 0; i < 300; i++) {
      const h = hosts[(i * 5) % hosts.length];
      if ((h === 'h1' || h === 'h4') && i % 4 !== 1) expected.push(i);
    }
    expect(restricted).toEqual(expected);
  });
});
