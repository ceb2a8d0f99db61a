/** The crash verifier's own logic: it must reject every kind of wrong recovery it exists to catch. */
import { describe, expect, it } from 'vitest';
import { ClientReference, rowKey, type ClientRows, type RowState } from './reference-model.js';

function rows(entries: [string, RowState][]): ClientRows {
  return new Map(entries);
}

/** A client with ledger rows 1 and 2 acknowledged (v 1 and 2). */
function clientWithTwoRows(): { ref: ClientReference; ids: number[] } {
  const ref = new ClientReference(1);
  const ids = [ref.newId(), ref.newId()];
  const t = ref.begin('insert');
  t.commitSent = true;
  t.effects.push(...ids.map((id, i) => ({ kind: 'insert' as const, table: 'ledger' as const, id, row: { client: 1, v: i + 1 } })));
  ref.acknowledge();
  return { ref, ids };
}

function state(ids: number[], values: number[]): ClientRows {
  return rows(ids.map((id, i) => [rowKey('ledger', id), { client: 1, v: values[i]! }]));
}

describe('ClientReference.resolveAfterRestart', () => {
  it('accepts the acknowledged state; rejects a lost, a stale or an extra row', () => {
    const { ref, ids } = clientWithTwoRows();
    expect(clientWithTwoRows().ref.resolveAfterRestart(state(ids, [1, 2]))).toBe('none');
    expect(() => ref.resolveAfterRestart(state([ids[0]!], [1]))).toThrow(/missing ledger/);
    const b = clientWithTwoRows();
    expect(() => b.ref.resolveAfterRestart(state(b.ids, [1, 3]))).toThrow(/wrong ledger/);
    const c = clientWithTwoRows();
    expect(() => c.ref.resolveAfterRestart(rows([...state(c.ids, [1, 2]), [rowKey('ledger', 99), { client: 1, v: 0 }]]))).toThrow(/unexpected ledger:99/);
  });

  it('an in-flight commit is all or nothing; half of it is rejected', () => {
    const make = () => {
      const { ref, ids } = clientWithTwoRows();
      const t = ref.begin('transaction → COMMIT');
      const newId = ref.newId();
      t.effects.push({ kind: 'insert', table: 'ledger', id: newId, row: { client: 1, v: 5 } }, { kind: 'update', table: 'ledger', id: ids[0]!, v: 10 });
      t.commitSent = true;
      return { ref, ids, newId };
    };
    const none = make();
    expect(none.ref.resolveAfterRestart(state(none.ids, [1, 2]))).toBe('absent');
    const all = make();
    expect(all.ref.resolveAfterRestart(state([...all.ids, all.newId], [10, 2, 5]))).toBe('present');
    expect(all.ref.aggregates('ledger')).toEqual({ count: 3, sum: 17 });
    const half = make();
    expect(() => half.ref.resolveAfterRestart(state([...half.ids, half.newId], [1, 2, 5]))).toThrow(/in flight/);
  });

  it('a transaction whose COMMIT was not sent, or that ends in ROLLBACK, must be absent', () => {
    for (const [commitSent, rollback] of [
      [false, false],
      [true, true],
    ] as const) {
      const { ref, ids } = clientWithTwoRows();
      const t = ref.begin('t', rollback);
      const newId = ref.newId();
      t.effects.push({ kind: 'insert', table: 'ledger', id: newId, row: { client: 1, v: 5 } });
      t.commitSent = commitSent;
      expect(() => ref.resolveAfterRestart(state([...ids, newId], [1, 2, 5]))).toThrow();
    }
  });

  it('a rolled-back row that appears later is named as such', () => {
    const { ref, ids } = clientWithTwoRows();
    const t = ref.begin('t', true);
    const newId = ref.newId();
    t.effects.push({ kind: 'insert', table: 'ledger', id: newId, row: { client: 1, v: 5 } });
    ref.rolledBackAck();
    expect(() => ref.resolveAfterRestart(state([...ids, newId], [1, 2, 5]))).toThrow(/rolled-back \/ never-committed rows present: ledger:/);
  });
});
