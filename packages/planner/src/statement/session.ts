/** What statement execution needs from the session that runs it (implemented by the server). */
import type { FormatContext, Value } from '../../../storage/src/types/values.js';
import type { Batch } from '../../../storage/src/vector.js';
import type { EvalContext } from '../../../storage/src/expr/expr.js';
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { TableStore, TableTxn, TableVersion } from '../../../storage/src/table/index.js';
import type { Catalog, TableInfo, UndoAction } from '../catalog/catalog.js';
import type { PlanNode } from '../plan/nodes.js';

export interface StatementSession {
  readonly catalog: Catalog;
  readonly searchPath: readonly string[];
  readonly settings: FormatContext;
  /** the version this statement reads (own writes when in a transaction) */
  read(store: TableStore): TableVersion;
  /** the write transaction of the current (possibly implicit) transaction on this table */
  write(store: TableStore): TableTxn;
  /** DDL undo actions of the current transaction */
  readonly undo: UndoAction[];
  /** run when the current transaction commits (physical removal of dropped columns) */
  onCommit(action: () => void): void;
  /** expression context for this statement */
  /** expression context; `paramTypes` are the statement's bound parameter types, used to convert the client's raw values */
  evalContext(params: readonly Value[], paramTypes?: readonly (SqlType | undefined)[]): EvalContext;
  /** send a NOTICE to the client */
  notice?(message: string): void;
  /** system relations (pg_catalog, information_schema, timescaledb_information) */
  systemRelation?(schema: string | undefined, name: string): { plan: PlanNode; names: string[] } | undefined;
}

export interface ResultColumn {
  name: string;
  type: SqlType;
  tableOid?: number;
  attnum?: number;
}

export interface StatementResult {
  /** PostgreSQL command tag, e.g. 'SELECT 3', 'INSERT 0 1', 'CREATE TABLE' */
  command: string;
  rowCount: number | null;
  columns?: ResultColumn[];
  rows?: Value[][];
  /**
   * The same rows as the executor's column batches, when the statement produced them so
   * (queries): result encoders read these and `rows` is only built if someone asks for it.
   */
  batches?: readonly Batch[];
  /** The rows went to the statement's ResultSink as they were produced: neither `rows` nor `batches` holds them. */
  streamed?: boolean;
}

/**
 * Where a query's batches go as the executor produces them (the wire protocol sends them on
 * at once instead of holding the whole result). Called inside the statement's transaction,
 * before the statement ends: an error after some batches leaves those already delivered,
 * as PostgreSQL's rows already sent before an ERROR.
 */
export interface ResultSink {
  batch(columns: readonly ResultColumn[], batch: Batch): void;
}
