/**
 * The shape every system relation has: a `rows` plan computed from the catalog
 * when the statement runs, its column names, and the relation's OID (so that
 * 'pg_catalog.pg_class'::regclass and pg_class rows agree).
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { INT2VECTOR, OIDVECTOR, T, arrayOf, withTypmod } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import type { PlanNode } from '../../../planner/src/plan/nodes.js';

export interface SystemRelation {
  plan: PlanNode;
  names: string[];
  oid?: number;
}

export type Columns = readonly (readonly [string, SqlType])[];

export function relation(label: string, columns: Columns, rows: () => Value[][], oid?: number): SystemRelation {
  return { plan: { op: 'rows', label, rows, types: columns.map((c) => c[1]) }, names: columns.map((c) => c[0]), ...(oid !== undefined ? { oid } : {}) };
}

/**
 * Stand-ins for PostgreSQL catalog types Strata has no type for. They print
 * the same text, which is what clients read: "char" as character(1), regproc
 * and pg_node_tree as text, xid as oid, aclitem[] as text[]. int2vector/oidvector
 * are arrays marked as vectors (their own OIDs, `1 2` output, subscripts from 0).
 */
export const C = {
  oid: T.oid,
  name: T.name,
  text: T.text,
  bool: T.bool,
  int2: T.int2,
  int4: T.int4,
  int8: T.int8,
  float4: T.float4,
  float8: T.float8,
  char: withTypmod(T.bpchar, 1),
  regproc: T.text,
  regclass: T.regclass,
  xid: T.oid,
  nodeTree: T.text,
  int2vector: INT2VECTOR,
  oidvector: OIDVECTOR,
  int2Array: arrayOf(T.int2),
  oidArray: arrayOf(T.oid),
  textArray: arrayOf(T.text),
  nameArray: arrayOf(T.name),
  charArray: arrayOf(withTypmod(T.bpchar, 1)),
  acl: arrayOf(T.text),
  timestamptz: T.timestamptz,
} as const;
