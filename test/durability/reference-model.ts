/**
 * The reference log of one crash-test client: what the server acknowledged
 * (committed), what was rolled back, and the one transaction in flight when
 * the server died. Each client owns its rows (the `client` column, ids in
 * its own range), so the reference is exact without modelling concurrency.
 *
 * After a restart the rows the server holds for a client must equal either
 * the committed state or, when the in-flight transaction may have committed
 * (its COMMIT, autocommit statement or COPY end was sent), the committed
 * state with that whole transaction applied. Anything else — a lost
 * acknowledged row, a rolled-back row, half a transaction, a row replayed
 * twice, a stale value — is a durability bug.
 */
export type TableName = 'ledger' | 'conditions';

export interface RowState {
  client: number;
  v: number;
  /** conditions only: epoch milliseconds */
  timeMs?: number;
  /** conditions only */
  device?: string;
}

export type Effect =
  | { kind: 'insert'; table: TableName; id: number; row: RowState }
  | { kind: 'update'; table: TableName; id: number; v: number }
  | { kind: 'delete'; table: TableName; id: number };

export interface Transaction {
  label: string;
  effects: Effect[];
  /** set once the statement that commits it has been sent: only then may it be on disk */
  commitSent: boolean;
  /** ends with ROLLBACK: must never be visible, whenever the crash comes */
  rollback: boolean;
}

export function rowKey(table: TableName, id: number): string {
  return `${table}:${id}`;
}

export type ClientRows = Map<string, RowState>;

function applyEffects(base: ClientRows, effects: readonly Effect[]): ClientRows {
  const out = new Map(base);
  for (const e of effects) {
    const key = rowKey(e.table, e.id);
    if (e.kind === 'insert') out.set(key, e.row);
    else if (e.kind === 'delete') out.delete(key);
    else {
      const cur = out.get(key);
      if (!cur) throw new Error(`reference model: update of ${key}, which this client does not have`);
      out.set(key, { ...cur, v: e.v });
    }
  }
  return out;
}

function sameRow(a: RowState, b: RowState): boolean {
  return a.client === b.client && a.v === b.v && a.timeMs === b.timeMs && a.device === b.device;
}

/** Human-readable differences between what the server has and what it should have (first few). */
export function diffRows(actual: ClientRows, expected: ClientRows, limit = 8): string[] {
  const out: string[] = [];
  for (const [k, row] of expected) {
    const got = actual.get(k);
    if (!got) out.push(`missing ${k} ${JSON.stringify(row)}`);
    else if (!sameRow(got, row)) out.push(`wrong ${k}: has ${JSON.stringify(got)}, expected ${JSON.stringify(row)}`);
    if (out.length >= limit) return out;
  }
  for (const [k, row] of actual) {
    if (!expected.has(k)) out.push(`unexpected ${k} ${JSON.stringify(row)}`);
    if (out.length >= limit) return out;
  }
  return out;
}

function equalRows(a: ClientRows, b: ClientRows): boolean {
  if (a.size !== b.size) return false;
  for (const [k, row] of a) {
    const other = b.get(k);
    if (!other || !sameRow(row, other)) return false;
  }
  return true;
}

export type InFlightOutcome = 'none' | 'absent' | 'present';

export class ClientReference {
  private committed: ClientRows = new Map();
  /** rows of rolled-back or never-committed transactions: must never appear */
  readonly neverCommitted = new Set<string>();
  private inFlight: Transaction | null = null;
  private nextSeq = 1;
  acknowledged = 0;
  rolledBack = 0;

  constructor(readonly client: number) {}

  /** A fresh id in this client's range; never reused, even when its insert is rolled back. */
  newId(): number {
    return this.client * 1_000_000_000 + this.nextSeq++;
  }

  /** The committed state plus the open transaction's effects so far (what this client sees). */
  visible(): ClientRows {
    return this.inFlight ? applyEffects(this.committed, this.inFlight.effects) : this.committed;
  }

  committedRows(): ClientRows {
    return this.committed;
  }

  begin(label: string, rollback = false): Transaction {
    if (this.inFlight) throw new Error(`client ${this.client}: ${label} begun while ${this.inFlight.label} is in flight`);
    this.inFlight = { label, effects: [], commitSent: false, rollback };
    return this.inFlight;
  }

  /** The server acknowledged the commit (autocommit CommandComplete, COMMIT, end of COPY). */
  acknowledge(): void {
    const t = this.requireInFlight();
    if (t.rollback) throw new Error(`client ${this.client}: ${t.label} is a rollback, not a commit`);
    this.committed = applyEffects(this.committed, t.effects);
    this.acknowledged++;
    this.inFlight = null;
  }

  /** The server acknowledged ROLLBACK. */
  rolledBackAck(): void {
    const t = this.requireInFlight();
    this.burn(t);
    this.rolledBack++;
    this.inFlight = null;
  }

  private burn(t: Transaction): void {
    for (const e of t.effects) if (e.kind === 'insert') this.neverCommitted.add(rowKey(e.table, e.id));
  }

  private requireInFlight(): Transaction {
    if (!this.inFlight) throw new Error(`client ${this.client}: no transaction in flight`);
    return this.inFlight;
  }

  inFlightLabel(): string | null {
    return this.inFlight ? `${this.inFlight.label} (${this.inFlight.effects.length} effects, commit ${this.inFlight.commitSent ? 'sent' : 'not sent'})` : null;
  }

  /**
   * After a restart: checks the rows the server has for this client and folds
   * the in-flight transaction into the reference according to what survived.
   * Returns the outcome, or throws with the differences.
   */
  resolveAfterRestart(actual: ClientRows): InFlightOutcome {
    const t = this.inFlight;
    this.inFlight = null;
    if (equalRows(actual, this.committed)) {
      if (!t) return 'none';
      this.burn(t);
      return 'absent';
    }
    if (t && t.commitSent && !t.rollback) {
      const after = applyEffects(this.committed, t.effects);
      if (equalRows(actual, after)) {
        this.committed = after;
        this.acknowledged++;
        return 'present';
      }
    }
    const resurrected = [...actual.keys()].filter((k) => this.neverCommitted.has(k));
    const mayBePresent = t !== null && t.commitSent && !t.rollback;
    const withInFlight = mayBePresent ? applyEffects(this.committed, t.effects) : null;
    const lines = [
      `client ${this.client}: ${actual.size} rows after restart, reference has ${this.committed.size} acknowledged`,
      t ? `in flight: ${t.label}, ${t.effects.length} effects, commit ${t.commitSent ? 'sent' : 'not sent'}${t.rollback ? ', ending in ROLLBACK' : ''}: ${JSON.stringify(t.effects.slice(0, 4))}` : 'nothing in flight',
      ...(resurrected.length ? [`rolled-back / never-committed rows present: ${resurrected.slice(0, 6).join(', ')}`] : []),
      `differences from the acknowledged state (${diffRows(actual, this.committed, Infinity).length} in all):`,
      ...diffRows(actual, this.committed).map((l) => `  ${l}`),
    ];
    if (withInFlight) {
      // the closer of the two tells whether the in-flight transaction landed (then only these rows are wrong)
      lines.push(`differences from the acknowledged state + the whole in-flight transaction (${diffRows(actual, withInFlight, Infinity).length} in all):`);
      lines.push(...diffRows(actual, withInFlight).map((l) => `  ${l}`));
    }
    throw new Error(lines.join('\n'));
  }

  /** count(*) and sum(v) per table over the committed reference. */
  aggregates(table: TableName): { count: number; sum: number } {
    let count = 0;
    let sum = 0;
    const prefix = `${table}:`;
    for (const [k, row] of this.committed) {
      if (!k.startsWith(prefix)) continue;
      count++;
      sum += row.v;
    }
    return { count, sum };
  }
}
