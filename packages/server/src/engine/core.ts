/** State shared by all sessions of one engine: the catalog and system relations. */
import { Catalog } from '../../../planner/src/catalog/catalog.js';
import type { PlanNode } from '../../../planner/src/plan/nodes.js';
import type { Session } from './session.js';
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
  /** the data directory (WAL + checkpoints); null for an in-memory engine */
  durability: Durability | null = null;

  constructor(opts: { user?: string; database?: string; catalog?: Catalog } = {}) {
    this.catalog = opts.catalog ?? new Catalog();
    this.user = opts.user ?? 'strata';
    this.database = opts.database ?? 'strata';
  }

  allocSessionId(): number {
    return this.nextSessionId++;
  }

  /** pg_catalog / information_schema relations and sequences; `oid` lets 'pg_class'::regclass resolve at bind time. */
  systemRelation(schema: string | undefined, name: string, session: Session): { plan: PlanNode; names: string[]; oid?: number } | undefined {
    return timescaledbRelation(this, session, schema, name) ?? systemRelation(this, session, schema, name);
  }
}
