/** State shared by all sessions of one engine: the catalog and system relations. */
import { Catalog } from '../../../planner/src/catalog/catalog.js';
import type { PlanNode } from '../../../planner/src/plan/nodes.js';
import type { Session } from './session.js';
import type { Transaction } from './transaction.js';
import { systemRelation } from '../catalog/pg-catalog.js';
import { timescaledbRelation } from '../catalog/timescaledb-views.js';
import type { Durability } from './durable/durability.js';

export class EngineCore {
  /** replaced only while the engine opens a data directory (recovery), before any session exists */
  catalog: Catalog;
  readonly user: string;
  readonly database: string;
  private nextSessionId = 1;
  readonly sessions = new Set<Session>();
  private durable: Durability | null = null;

  constructor(opts: { user?: string; database?: string; catalog?: Catalog } = {}) {
    this.catalog = opts.catalog ?? new Catalog();
    this.user = opts.user ?? 'strata';
    this.database = opts.database ?? 'strata';
  }

  /** the data directory (WAL + checkpoints); null for an in-memory engine */
  get durability(): Durability | null {
    return this.durable;
  }

  set durability(d: Durability | null) {
    this.durable = d;
    if (d !== null) d.openTransactions = () => this.openTransactions();
  }

  /** The transactions open in the sessions (the log keeps their uncommitted DDL out of catalog images). */
  *openTransactions(): Iterable<Transaction> {
    for (const s of this.sessions) {
      const t = s.openTransaction;
      if (t !== null) yield t;
    }
  }

  allocSessionId(): number {
    return this.nextSessionId++;
  }

  /** pg_catalog / information_schema relations and sequences; `oid` lets 'pg_class'::regclass resolve at bind time. */
  systemRelation(schema: string | undefined, name: string, session: Session): { plan: PlanNode; names: string[]; oid?: number } | undefined {
    return timescaledbRelation(this, session, schema, name) ?? systemRelation(this, session, schema, name);
  }
}
