/**
 * One crash-test client: a seeded random mix of autocommit INSERTs, multi-row
 * INSERTs, explicit transactions into both tables ending in COMMIT or
 * ROLLBACK, UPDATE/DELETE of its own rows and COPY FROM STDIN (text and CSV),
 * recording every step in its ClientReference, until the server dies under it.
 */
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Xorshift32 } from './prng.js';
import { rowKey, type ClientReference, type Effect, type RowState, type TableName, type Transaction } from './reference-model.js';

/** Conditions rows advance 20 s per id a client consumes: new hours, hence new chunks, keep coming. */
export const TIME_BASE_MS = Date.UTC(2024, 0, 1);
const TIME_STEP_MS = 20_000;
const DEVICES = ['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8', 'd9'];

export interface ClientRunResult {
  client: number;
  operations: number;
  /** an error that is not the connection dying: a failed test */
  unexpected?: Error;
}

export interface ClientRunOptions {
  connection: pg.ClientConfig;
  ref: ClientReference;
  rng: Xorshift32;
  synchronousCommitOff: boolean;
  /** called after every acknowledged commit or rollback (the crash trigger counts them) */
  onAcknowledged: () => void;
  /** sees the client's connection (the harness self-test cuts it instead of killing the server) */
  onConnected?: (db: pg.Client) => void;
}

/** Connection failures are the expected end of a client; a DatabaseError is a real error. */
function isServerError(e: unknown): e is pg.DatabaseError {
  return e instanceof pg.DatabaseError;
}

export function timestampLiteral(ms: number): string {
  // 2024-01-01 05:20:40+00: accepted by both the SQL literal parser and COPY
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}+00`;
}

function quarter(rng: Xorshift32): number {
  // multiples of 0.25: every sum the verifier compares is exact in float8
  return rng.int(-4000, 4000) / 4;
}

class ClientSession {
  constructor(
    private readonly db: pg.Client,
    private readonly ref: ClientReference,
    private readonly rng: Xorshift32,
  ) {}

  private newRow(table: TableName): Effect & { kind: 'insert' } {
    const id = this.ref.newId();
    const row: RowState = { client: this.ref.client, v: quarter(this.rng) };
    if (table === 'conditions') {
      const seq = id - this.ref.client * 1_000_000_000;
      // mostly "now", sometimes a back-fill into an older (existing) chunk
      const step = this.rng.chance(0.1) ? this.rng.int(0, seq) : seq;
      row.timeMs = TIME_BASE_MS + step * TIME_STEP_MS;
      row.device = this.rng.pick(DEVICES);
    }
    return { kind: 'insert', table, id, row };
  }

  private valuesTuple(e: Effect & { kind: 'insert' }): string {
    const r = e.row;
    return e.table === 'ledger' ? `(${e.id}, ${r.client}, ${r.v})` : `('${timestampLiteral(r.timeMs!)}', '${r.device}', ${r.client}, ${e.id}, ${r.v})`;
  }

  private insertSql(table: TableName, rows: (Effect & { kind: 'insert' })[]): string {
    const cols = table === 'ledger' ? '(id, client, v)' : '(time, device, client, id, v)';
    return `INSERT INTO ${table} ${cols} VALUES ${rows.map((r) => this.valuesTuple(r)).join(', ')}`;
  }

  /** INSERT of 1 row (parameterized) or several (one multi-row statement). */
  private async insertStatement(t: Transaction, table: TableName, count: number): Promise<void> {
    const rows = Array.from({ length: count }, () => this.newRow(table));
    t.effects.push(...rows);
    if (count === 1 && this.rng.chance(0.5)) {
      const e = rows[0]!;
      const res =
        table === 'ledger'
          ? await this.db.query('INSERT INTO ledger (id, client, v) VALUES ($1, $2, $3)', [String(e.id), e.row.client, e.row.v])
          : await this.db.query('INSERT INTO conditions (time, device, client, id, v) VALUES ($1, $2, $3, $4, $5)', [
              timestampLiteral(e.row.timeMs!),
              e.row.device,
              e.row.client,
              String(e.id),
              e.row.v,
            ]);
      expectCount(res, 1, 'INSERT');
    } else {
      expectCount(await this.db.query(this.insertSql(table, rows)), count, 'INSERT');
    }
  }

  /** Own rows of a table as this client currently sees them (committed + open transaction). */
  private ownIds(table: TableName): number[] {
    const prefix = `${table}:`;
    const ids: number[] = [];
    for (const k of this.ref.visible().keys()) if (k.startsWith(prefix)) ids.push(Number(k.slice(prefix.length)));
    return ids;
  }

  /** For failure messages: whether each target row was committed before or written by the open transaction. */
  private provenance(table: TableName, ids: number[]): string {
    const committed = this.ref.committedRows();
    return `(${ids.map((id) => `${id}: ${committed.has(rowKey(table, id)) ? JSON.stringify(committed.get(rowKey(table, id))) : 'written in this transaction'}`).join('; ')})`;
  }

  /** The ids a WHERE clause selects: a list of a few own rows, or an id range. Null when the client has none. */
  private chooseTargets(table: TableName): { where: string; ids: number[] } | null {
    const own = this.ownIds(table);
    if (own.length === 0) return null;
    const c = this.ref.client;
    if (this.rng.chance(0.5)) {
      const ids = [...new Set(Array.from({ length: this.rng.int(1, 4) }, () => this.rng.pick(own)))];
      return { where: `client = ${c} AND id IN (${ids.join(', ')})`, ids };
    }
    const lo = this.rng.pick(own);
    const hi = lo + this.rng.int(0, 12);
    return { where: `client = ${c} AND id BETWEEN ${lo} AND ${hi}`, ids: own.filter((id) => id >= lo && id <= hi) };
  }

  private async updateStatement(t: Transaction, table: TableName): Promise<boolean> {
    const target = this.chooseTargets(table);
    if (!target) return false;
    const delta = quarter(this.rng);
    const visible = this.ref.visible();
    t.effects.push(...target.ids.map((id): Effect => ({ kind: 'update', table, id, v: visible.get(rowKey(table, id))!.v + delta })));
    const sql = `UPDATE ${table} SET v = v + (${delta}) WHERE ${target.where}`;
    expectCount(await this.db.query(sql), target.ids.length, 'UPDATE', `${sql} ${this.provenance(table, target.ids)}`);
    return true;
  }

  private async deleteStatement(t: Transaction, table: TableName): Promise<boolean> {
    const target = this.chooseTargets(table);
    if (!target) return false;
    t.effects.push(...target.ids.map((id): Effect => ({ kind: 'delete', table, id })));
    const sql = `DELETE FROM ${table} WHERE ${target.where}`;
    expectCount(await this.db.query(sql), target.ids.length, 'DELETE', `${sql} ${this.provenance(table, target.ids)}`);
    return true;
  }

  private async copyIn(t: Transaction, table: TableName, format: 'text' | 'csv'): Promise<void> {
    const rows = Array.from({ length: this.rng.int(5, 150) }, () => this.newRow(table));
    t.effects.push(...rows);
    const sep = format === 'csv' ? ',' : '\t';
    const lines = rows.map((e) => {
      const r = e.row;
      const device = format === 'csv' && this.rng.chance(0.5) ? `"${r.device}"` : r.device;
      const fields = table === 'ledger' ? [e.id, r.client, r.v] : [timestampLiteral(r.timeMs!), device, r.client, e.id, r.v];
      return `${fields.join(sep)}\n`;
    });
    const cols = table === 'ledger' ? '(id, client, v)' : '(time, device, client, id, v)';
    const stream = this.db.query(copyFrom(`COPY ${table} ${cols} FROM STDIN${format === 'csv' ? ' (FORMAT csv)' : ''}`));
    // several chunks so a crash can land between the CopyData messages of one COPY
    const chunks: string[] = [];
    for (let i = 0; i < lines.length; i += 40) chunks.push(lines.slice(i, i + 40).join(''));
    await pipeline(Readable.from(chunks), stream);
    if (stream.rowCount !== rows.length) throw new Error(`COPY ${table}: server reported ${stream.rowCount} rows, sent ${rows.length}`);
  }

  private randomTable(): TableName {
    return this.rng.chance(0.5) ? 'ledger' : 'conditions';
  }

  /** One autocommit statement or COPY: the acknowledgement is its commit. */
  private async autocommit(label: string, body: (t: Transaction) => Promise<unknown>): Promise<void> {
    const t = this.ref.begin(label);
    t.commitSent = true;
    await body(t);
    this.ref.acknowledge();
  }

  private async explicitTransaction(): Promise<void> {
    const rollback = this.rng.chance(0.3);
    const t = this.ref.begin(rollback ? 'transaction → ROLLBACK' : 'transaction → COMMIT', rollback);
    await this.db.query('BEGIN');
    const statements = this.rng.int(2, 6);
    for (let i = 0; i < statements; i++) {
      const table = this.randomTable();
      const kind = this.rng.int(0, 9);
      if (kind < 6) await this.insertStatement(t, table, this.rng.chance(0.6) ? 1 : this.rng.int(2, 12));
      else if (kind < 8) (await this.updateStatement(t, table)) || (await this.insertStatement(t, table, 1));
      else (await this.deleteStatement(t, table)) || (await this.insertStatement(t, table, 1));
    }
    if (rollback) {
      const res = await this.db.query('ROLLBACK');
      if (res.command !== 'ROLLBACK') throw new Error(`ROLLBACK answered ${res.command}`);
      this.ref.rolledBackAck();
      return;
    }
    t.commitSent = true;
    const res = await this.db.query('COMMIT');
    // a COMMIT of an aborted transaction answers ROLLBACK: that would be a failed commit, not an acknowledgement
    if (res.command !== 'COMMIT') throw new Error(`COMMIT answered ${res.command}`);
    this.ref.acknowledge();
  }

  /** One randomly chosen operation, start to acknowledgement. */
  async step(): Promise<void> {
    const roll = this.rng.int(0, 99);
    const table = this.randomTable();
    if (roll < 25) await this.autocommit('INSERT 1 row', (t) => this.insertStatement(t, table, 1));
    else if (roll < 38) await this.autocommit('multi-row INSERT', (t) => this.insertStatement(t, table, this.rng.int(2, 25)));
    else if (roll < 60) await this.explicitTransaction();
    else if (roll < 70) await this.autocommit('UPDATE', async (t) => (await this.updateStatement(t, table)) || (await this.insertStatement(t, table, 1)));
    else if (roll < 77) await this.autocommit('DELETE', async (t) => (await this.deleteStatement(t, table)) || (await this.insertStatement(t, table, 1)));
    else if (roll < 88) await this.autocommit('COPY text', (t) => this.copyIn(t, table, 'text'));
    else if (roll < 99) await this.autocommit('COPY csv', (t) => this.copyIn(t, table, 'csv'));
    // a crash in the middle of a checkpoint is one of the moments worth hitting
    else await this.db.query('CHECKPOINT');
  }
}

function expectCount(res: pg.QueryResult, expected: number, what: string, sql?: string): void {
  if (res.rowCount !== expected) throw new Error(`${what} reported ${res.rowCount} rows, the reference expects ${expected}${sql ? `: ${sql}` : ''}`);
}

/** Runs operations until the connection dies (the server was killed); never rejects. */
export async function runClient(opts: ClientRunOptions): Promise<ClientRunResult> {
  const result: ClientRunResult = { client: opts.ref.client, operations: 0 };
  const db = new pg.Client(opts.connection);
  db.on('error', () => {});
  try {
    await db.connect();
    opts.onConnected?.(db);
    if (opts.synchronousCommitOff) await db.query('SET synchronous_commit = off');
    const session = new ClientSession(db, opts.ref, opts.rng);
    for (;;) {
      await session.step();
      result.operations++;
      opts.onAcknowledged();
    }
  } catch (e) {
    // connection errors end the client (kill -9); a server error or a wrong count is a failure
    if (isServerError(e) || (e instanceof Error && !isConnectionLoss(e))) result.unexpected = describeError(e, opts.ref);
  } finally {
    await db.end().catch(() => {});
  }
  return result;
}

function isConnectionLoss(e: Error): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNREFUSED') return true;
  return /Connection terminated|connection ended|Client was closed|not queryable|write after end|ECONNRESET|EPIPE|premature close/i.test(e.message);
}

function describeError(e: unknown, ref: ClientReference): Error {
  const err = e as Error & { code?: string };
  return new Error(`client ${ref.client}: ${err.code ? `[${err.code}] ` : ''}${err.message} (in flight: ${ref.inFlightLabel() ?? 'nothing'})`);
}
