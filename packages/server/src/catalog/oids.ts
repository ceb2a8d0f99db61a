/**
 * OIDs of objects the planner's catalog does not number itself (functions) and
 * PostgreSQL's fixed OIDs for the bootstrap objects clients hard-code (role 10,
 * pg_catalog's relations, the C collation…). Tables, indexes, sequences,
 * constraints and column defaults get theirs from the catalog at creation.
 */

export const BOOTSTRAP_SUPERUSER = 10;
export const PG_DATABASE_OWNER = 6171;
export const DATABASE_OID = 5;
export const PG_CATALOG_NAMESPACE = 11;
export const HEAP_AM = 2;
export const BTREE_AM = 403;
export const DEFAULT_COLLATION = 100;
export const C_COLLATION = 950;
export const POSIX_COLLATION = 951;
export const PLPGSQL_EXTENSION = 13_500;
export const TIMESCALEDB_EXTENSION = 13_501;
export const UTF8_ENCODING = 6;

/** pg_class.oid of PostgreSQL 15's catalog relations (classoid values clients compare with). */
export const SYSTEM_RELATION_OIDS: Readonly<Record<string, number>> = {
  pg_type: 1247, pg_attribute: 1249, pg_proc: 1255, pg_class: 1259, pg_authid: 1260, pg_auth_members: 1261,
  pg_database: 1262, pg_am: 2601, pg_attrdef: 2604, pg_cast: 2605, pg_constraint: 2606, pg_depend: 2608,
  pg_description: 2609, pg_index: 2610, pg_inherits: 2611, pg_language: 2612, pg_namespace: 2615,
  pg_rewrite: 2618, pg_trigger: 2620, pg_sequence: 2224, pg_shdescription: 2396, pg_tablespace: 1213,
  pg_extension: 3079, pg_policy: 3256, pg_statistic_ext: 3381, pg_collation: 3456, pg_partitioned_table: 3350,
  pg_publication: 6104, pg_publication_rel: 6106, pg_publication_namespace: 6237, pg_foreign_table: 3118,
  pg_event_trigger: 3466, pg_enum: 3501, pg_range: 3541, pg_operator: 2617, pg_opclass: 2616,
  // views: PostgreSQL numbers them at initdb time; any stable value works
  pg_roles: 12_001, pg_user: 12_002, pg_settings: 12_003, pg_tables: 12_004, pg_views: 12_005, pg_indexes: 12_006,
  pg_sequences: 12_007, pg_stat_activity: 12_008, pg_locks: 12_009, pg_stat_user_tables: 12_010,
  pg_stat_all_tables: 12_011, pg_matviews: 12_012, pg_timezone_names: 12_013, pg_statio_user_tables: 12_014,
  pg_stat_database: 12_015, pg_shadow: 12_016, pg_group: 12_017, pg_available_extensions: 12_018,
  pg_prepared_statements: 12_019, pg_cursors: 12_020,
};

/** information_schema views get OIDs here (their namespace is information_schema). */
export const INFORMATION_SCHEMA_OIDS: Readonly<Record<string, number>> = {
  tables: 13_010, columns: 13_011, schemata: 13_012, views: 13_013, table_constraints: 13_014,
  key_column_usage: 13_015, routines: 13_016, sequences: 13_017, check_constraints: 13_018,
};

/** Function OIDs are stable per process: the function catalog is static. */
const functionOids = new Map<string, number>();
export function functionOid(id: string): number {
  let oid = functionOids.get(id);
  if (oid === undefined) functionOids.set(id, (oid = 20_000 + functionOids.size));
  return oid;
}
