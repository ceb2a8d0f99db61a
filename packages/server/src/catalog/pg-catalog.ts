/**
 * Name resolution for system relations: pg_catalog (searched before the
 * search path, as in PostgreSQL), information_schema, and sequences read as
 * relations (SELECT * FROM t_id_seq).
 */
import type { Value } from '../../../storage/src/types/values.js';
import type { EngineCore } from '../engine/core.js';
import type { Session } from '../engine/session.js';
import { C, relation, type SystemRelation } from './system-relation.js';
import { CLASS_RELATIONS } from './pg-class.js';
import { MISC_RELATIONS } from './pg-misc.js';
import { pgProc } from './pg-proc.js';
import { PG_TYPE_COLUMNS, pgTypeRows } from './pg-type.js';
import { VIEW_RELATIONS } from './pg-views.js';
import { INFORMATION_SCHEMA_RELATIONS } from './information-schema.js';
import { SYSTEM_RELATION_OIDS } from './oids.js';
import { effectiveSearchPath, listRelations, type CatalogContext, type SystemDef } from './relations.js';
import { catalogCall } from './catalog-hooks.js';

const pgType: SystemDef = { schema: 'pg_catalog', name: 'pg_type', oid: SYSTEM_RELATION_OIDS.pg_type!, kind: 'r', columns: PG_TYPE_COLUMNS, rows: pgTypeRows };

export const SYSTEM_DEFS: readonly SystemDef[] = [...CLASS_RELATIONS, pgType, pgProc, ...MISC_RELATIONS, ...VIEW_RELATIONS, ...INFORMATION_SCHEMA_RELATIONS];

const BY_NAME = new Map(SYSTEM_DEFS.map((d) => [`${d.schema}.${d.name}`, d]));

export function catalogContext(core: EngineCore, session: Session): CatalogContext {
  return { core, session, catalog: core.catalog, system: SYSTEM_DEFS };
}

function materialize(ctx: CatalogContext, d: SystemDef): SystemRelation {
  return relation(`${d.schema}.${d.name}`, d.columns, () => d.rows(ctx), d.oid);
}

function sequenceRelation(ctx: CatalogContext, schema: string, name: string): SystemRelation | undefined {
  const rel = listRelations(ctx).find((r) => r.kind === 'S' && r.schema === schema && r.name === name);
  if (!rel?.sequence) return undefined;
  const seq = rel.sequence;
  return relation(`${schema}.${name}`, [['last_value', C.int8], ['log_cnt', C.int8], ['is_called', C.bool]], (): Value[][] => [[seq.called ? seq.value : 1, 0, seq.called]], rel.oid);
}

/**
 * The binder asks for names its catalog does not hold. Unqualified names try
 * pg_catalog first — user tables never reach here when they exist, so a user
 * table named like a catalog relation still wins (PostgreSQL would pick pg_catalog's).
 */
export function systemRelation(core: EngineCore, session: Session, schema: string | undefined, name: string): SystemRelation | undefined {
  const ctx = catalogContext(core, session);
  const schemas = schema !== undefined ? [schema] : effectiveSearchPath(session);
  for (const s of schemas) {
    const d = BY_NAME.get(`${s}.${name}`);
    if (d) return materialize(ctx, d);
    const seq = sequenceRelation(ctx, s, name);
    if (seq) return seq;
  }
  return undefined;
}

/** SessionHooks.catalog for a statement of `session`. */
export function catalogHook(core: EngineCore, session: Session): (fn: string, args: readonly Value[]) => Value | undefined {
  return (fn, args) => catalogCall(catalogContext(core, session), fn, args);
}
