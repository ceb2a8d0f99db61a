/**
 * DDL: CREATE/DROP/ALTER TABLE, CREATE INDEX, CREATE/DROP SCHEMA, CREATE VIEW,
 * TRUNCATE. Catalog changes register undo actions so ROLLBACK removes them.
 */
import { T, formatType } from '../../../storage/src/types/sql-type.js';
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import type { Value } from '../../../storage/src/types/values.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { TableStore } from '../../../storage/src/table/index.js';
import type {
  AlterTableStmt, ColumnDef, CreateIndexStmt, CreateTableStmt, CreateViewStmt, DropStmt, Expr, TableConstraint, TruncateStmt,
} from '../parse/ast.js';
import type { ColumnInfo, ConstraintInfo, TableInfo } from '../catalog/catalog.js';
import { makeObjectName } from '../catalog/catalog.js';
import type { QueryContext } from '../bind/context.js';
import { bindExpr, resolveType } from '../bind/expr.js';
import { coerce } from '../bind/coerce.js';
import { bindQuery } from '../bind/select.js';
import { compileExpr } from '../../../storage/src/expr/compile.js';
import { getValue } from '../../../storage/src/vector.js';
import type { StatementResult, StatementSession } from './session.js';
import { newBinding, rootContext, runQuery, planSelect } from './select.js';
import { tableScope } from './dml-common.js';
import { toStoreBatch } from './dml-common.js';
import { rowsToBatch } from '../exec/rows.js';
import { readReplica } from '../plan/hypertable-scan.js';

function schemaOf(session: StatementSession, schema?: string): string {
  if (schema) {
    if (!session.catalog.getSchema(schema)) throw new SqlError(SQLSTATE.undefinedSchema, `schema "${schema}" does not exist`);
    return schema;
  }
  for (const s of session.searchPath) if (session.catalog.getSchema(s)) return s;
  throw new SqlError(SQLSTATE.undefinedSchema, 'no schema has been selected to create in');
}

function bindDefault(e: Expr, type: SqlType, session: StatementSession, colName: string): ExprNode {
  const binding = newBinding(session);
  const ctx: QueryContext = { ...rootContext(binding), noAggregatesIn: 'DEFAULT expressions', noWindowsIn: 'DEFAULT expressions' };
  let bound: ExprNode;
  try {
    bound = bindExpr(e, ctx);
  } catch (err) {
    if (err instanceof SqlError && err.code === SQLSTATE.undefinedColumn) {
      throw new SqlError(SQLSTATE.featureNotSupported, 'cannot use column reference in DEFAULT expression');
    }
    throw err;
  }
  if (binding.subqueries.length > 0) throw new SqlError(SQLSTATE.featureNotSupported, 'cannot use subquery in DEFAULT expression');
  return coerce(bound, type, binding, 'assignment', () => `column "${colName}" is of type ${formatType(type)} but default expression is of type ${formatType(bound.type)}`);
}

function makeColumn(table: TableInfo, def: ColumnDef, session: StatementSession): ColumnInfo {
  if (table.columns.some((c) => c.name === def.name)) {
    throw new SqlError(SQLSTATE.duplicateColumn, `column "${def.name}" specified more than once`);
  }
  let type = resolveType(def.type);
  if (type.id === 'bpchar' && type.typmod < 0) type = { ...type, typmod: 1 };
  const col: ColumnInfo = { id: table.nextColumnId++, name: def.name, type, notNull: def.notNull || def.primaryKey, attnum: table.nextAttnum++ };
  if (def.type.serial || def.identity) {
    const seq = session.catalog.uniqueRelationName(table.schema, table.name, def.name, 'seq');
    session.catalog.createSequence(seq, session.undo);
    col.serialSequence = seq;
    col.notNull = true;
  }
  if (def.default) {
    col.default = bindDefault(def.default, type, session, def.name);
    col.defaultText = exprText(def.default);
  }
  if (col.serialSequence || col.default) col.defaultOid = session.catalog.allocOid();
  return col;
}

function exprText(e: Expr): string {
  if (e.kind === 'literal') return e.literalType === 'string' ? `'${e.value.replace(/'/g, "''")}'` : e.value || 'NULL';
  if (e.kind === 'func') return `${e.name}()`;
  return 'expression';
}

/** PostgreSQL's INDEX_MAX_KEYS, reported as max_index_keys (drivers size their key lookups by it). */
const MAX_INDEX_KEYS = 32;

function checkIndexKeyCount(n: number): void {
  if (n > MAX_INDEX_KEYS) throw new SqlError(SQLSTATE.tooManyColumns, `cannot use more than ${MAX_INDEX_KEYS} columns in an index`);
}

/** Foreign keys are accepted so that schemas written for PostgreSQL load, and said so: nothing checks the references. */
function noteUnenforcedForeignKey(name: string, notice: ((message: string) => void) | undefined): void {
  notice?.(`foreign key constraint "${name}" is accepted but not enforced`);
}

function foreignKeyName(table: TableInfo, columns: readonly string[]): string {
  return makeObjectName(table.name, columns.join('_'), 'fkey');
}

function addConstraint(table: TableInfo, c: TableConstraint, session: StatementSession, notice?: (message: string) => void): ConstraintInfo {
  if (c.kind === 'primary_key' || c.kind === 'unique') checkIndexKeyCount(c.columns.length);
  const ids = (names: string[]) =>
    names.map((n) => {
      const col = table.columns.find((x) => x.name === n);
      if (!col) throw new SqlError(SQLSTATE.undefinedColumn, `column "${n}" named in key does not exist`);
      return col;
    });
  switch (c.kind) {
    case 'primary_key': {
      if (table.constraints.some((x) => x.kind === 'primary_key')) {
        throw new SqlError(SQLSTATE.invalidTableDefinition, `multiple primary keys for table "${table.name}" are not allowed`);
      }
      const cols = ids(c.columns);
      for (const col of cols) col.notNull = true;
      return { oid: session.catalog.allocOid(), name: c.name ?? session.catalog.uniqueRelationName(table.schema, table.name, undefined, 'pkey'), kind: 'primary_key', columnIds: cols.map((x) => x.id) };
    }
    case 'unique': {
      const cols = ids(c.columns);
      return { oid: session.catalog.allocOid(), name: c.name ?? session.catalog.uniqueRelationName(table.schema, table.name, c.columns.join('_'), 'key'), kind: 'unique', columnIds: cols.map((x) => x.id) };
    }
    case 'check': {
      const binding = newBinding(session);
      const ctx: QueryContext = { ...rootContext(binding), scope: tableScope(table), noAggregatesIn: 'check constraints', noWindowsIn: 'check constraints' };
      const check = coerce(bindExpr(c.expr, ctx), T.bool, binding, 'implicit');
      const cols = [...new Set(collectColumns(c.expr))];
      const name = c.name ?? session.catalog.uniqueRelationName(table.schema, table.name, cols.length === 1 ? cols[0] : undefined, 'check');
      return { oid: session.catalog.allocOid(), name, kind: 'check', columnIds: [], check, checkText: exprText(c.expr) };
    }
    case 'foreign_key': {
      const name = c.name ?? foreignKeyName(table, c.columns);
      noteUnenforcedForeignKey(name, notice);
      return { oid: session.catalog.allocOid(), name, kind: 'check', columnIds: [] };
    }
  }
}

function collectColumns(e: unknown, out: string[] = []): string[] {
  if (e && typeof e === 'object') {
    if (Array.isArray(e)) e.forEach((x) => collectColumns(x, out));
    else {
      const o = e as { kind?: string; name?: string };
      if (o.kind === 'column' && o.name) out.push(o.name);
      Object.values(o).forEach((x) => collectColumns(x, out));
    }
  }
  return out;
}

function storeFor(table: TableInfo): TableStore {
  return new TableStore({
    name: table.name,
    columns: table.columns.map((c) => ({ id: c.id, name: c.name, type: c.type, notNull: c.notNull })),
    uniqueKeys: table.constraints.filter((c) => c.kind !== 'check').map((c) => ({ name: c.name, columnIds: c.columnIds, primary: c.kind === 'primary_key' })),
  });
}

// ---- hypertables: DDL reaches the root table's store (the template new chunks copy) and every chunk replica

/** Every chunk replica store of a hypertable, on every data node. */
function chunkStores(table: TableInfo): TableStore[] {
  return table.hypertable ? table.hypertable.chunks.flatMap((c) => [...c.stores.values()]) : [];
}

/** The root store and all chunk replicas: where a schema change must be applied. */
function allStores(table: TableInfo): TableStore[] {
  return table.store ? [table.store, ...chunkStores(table)] : [];
}

/** Committed + own rows of the table (one replica per chunk for hypertables). */
function readStores(table: TableInfo, session: StatementSession): TableStore[] {
  if (!table.hypertable) return table.store ? [table.store] : [];
  return [table.store!, ...table.hypertable.chunks.map((c) => readReplica(session.catalog, c).store)];
}

function hasRows(table: TableInfo): boolean {
  return allStores(table).some((s) => s.latest().rowCount > 0);
}

/** TimescaleDB: a unique index (PRIMARY KEY, UNIQUE) must cover every partitioning column (TS103). */
function checkHypertableUnique(table: TableInfo, columnIds: readonly number[]): void {
  for (const d of table.hypertable?.dimensions ?? []) {
    if (!columnIds.includes(d.columnId)) {
      const col = table.columns.find((c) => c.id === d.columnId)!;
      throw new SqlError('TS103', `cannot create a unique index without the column "${col.name}" (used in partitioning)`);
    }
  }
}

/** Add a unique key to the root store and to each chunk replica (named like Catalog.createChunk names them); undone on ROLLBACK. */
function addUniqueKeyEverywhere(table: TableInfo, spec: { name: string; columnIds: number[]; primary: boolean }, session: StatementSession): void {
  const targets: [TableStore, string][] = [[table.store!, spec.name]];
  for (const c of table.hypertable?.chunks ?? []) for (const st of c.stores.values()) targets.push([st, `${c.id}_${spec.name}`]);
  for (const [st, name] of targets) {
    st.addUniqueKey({ ...spec, name });
    session.undo.push(() => st.dropUniqueKey(name));
  }
}

/**
 * DROP INDEX of a unique index: CREATE UNIQUE INDEX's key stops being enforced; the index of a
 * PRIMARY KEY or UNIQUE constraint cannot be dropped on its own (2BP01, as in PostgreSQL).
 */
function dropIndexKey(table: TableInfo, name: string, session: StatementSession): void {
  const key = table.constraints.find((c) => c.name === name && c.kind !== 'check');
  if (key === undefined) return;
  if (!key.indexOnly) {
    throw new SqlError(SQLSTATE.dependentObjectsStillExist, `cannot drop index ${name} because constraint ${key.name} on table ${table.name} requires it`, {
      hint: `You can drop constraint ${key.name} on table ${table.name} instead.`,
    });
  }
  const targets: [TableStore, string][] = [[table.store!, name]];
  for (const c of table.hypertable?.chunks ?? []) for (const st of c.stores.values()) targets.push([st, `${c.id}_${name}`]);
  for (const [st, keyName] of targets) {
    st.dropUniqueKey(keyName);
    session.undo.push(() => st.addUniqueKey({ name: keyName, columnIds: key.columnIds, primary: false }));
  }
  const before = table.constraints;
  table.constraints = before.filter((c) => c !== key);
  session.undo.push(() => {
    table.constraints = before;
  });
}

export function createTable(stmt: CreateTableStmt, session: StatementSession, params: readonly Value[], notice?: (message: string) => void): StatementResult {
  const schema = schemaOf(session, stmt.name.schema);
  if (session.catalog.findTable(schema, stmt.name.name) || session.catalog.findIndex(schema, stmt.name.name)) {
    if (stmt.ifNotExists) return { command: 'CREATE TABLE', rowCount: null };
    throw new SqlError(SQLSTATE.duplicateTable, `relation "${stmt.name.name}" already exists`);
  }
  const table: TableInfo = { oid: session.catalog.allocOid(), kind: 'table', schema, name: stmt.name.name, columns: [], constraints: [], nextAttnum: 1, nextColumnId: 1 };
  let asRows: Value[][] | undefined;
  if (stmt.asQuery) {
    const prepared = planSelect(stmt.asQuery, session);
    prepared.names.forEach((n, i) => {
      table.columns.push({ id: table.nextColumnId++, name: stmt.columns[i]?.name ?? n, type: prepared.plan.types[i]!.id === 'unknown' ? T.text : prepared.plan.types[i]!, notNull: false, attnum: table.nextAttnum++ });
    });
    asRows = runQuery(prepared, session, params);
  } else {
    for (const def of stmt.columns) table.columns.push(makeColumn(table, def, session));
  }
  if (table.columns.length > 1600) throw new SqlError(SQLSTATE.programLimitExceeded, 'tables can have at most 1600 columns');
  for (const def of stmt.columns) {
    if (stmt.asQuery) break;
    if (def.primaryKey) table.constraints.push(addConstraint(table, { kind: 'primary_key', columns: [def.name] }, session));
    if (def.unique) table.constraints.push(addConstraint(table, { kind: 'unique', columns: [def.name] }, session));
    if (def.check) table.constraints.push(addConstraint(table, { kind: 'check', expr: def.check }, session));
    if (def.references) noteUnenforcedForeignKey(foreignKeyName(table, [def.name]), notice);
  }
  for (const c of stmt.constraints) table.constraints.push(addConstraint(table, c, session, notice));
  table.store = storeFor(table);
  session.catalog.addTable(table, session.undo);
  for (const c of table.constraints) {
    if (c.kind === 'primary_key' || c.kind === 'unique') {
      session.catalog.addIndex({ name: c.name, oid: session.catalog.allocOid(), table, columns: c.columnIds.map((id) => table.columns.find((x) => x.id === id)!.name), unique: true, definition: '' }, schema, session.undo);
    }
  }
  if (asRows) {
    if (asRows.length > 0) session.write(table.store!).insert(toStoreBatch(table, rowsToBatch(asRows, table.columns.map((c) => c.type))));
    return { command: `SELECT ${asRows.length}`, rowCount: asRows.length };
  }
  return { command: 'CREATE TABLE', rowCount: null };
}

export function dropObjects(stmt: DropStmt, session: StatementSession, notice: (msg: string) => void): StatementResult {
  const tag = `DROP ${stmt.objectType.toUpperCase()}`;
  for (const name of stmt.names) {
    if (stmt.objectType === 'schema') {
      if (stmt.cascade) {
        for (const t of session.catalog.listHypertables()) if (t.schema === name.name) session.catalog.dropChunks(t, [...t.hypertable!.chunks], session.undo, (f) => session.onCommit(f));
      }
      if (!session.catalog.dropSchema(name.name, stmt.ifExists, stmt.cascade, session.undo)) notice(`schema "${name.name}" does not exist, skipping`);
      continue;
    }
    if (stmt.objectType === 'index') {
      const schema = name.schema ?? session.searchPath.find((s) => session.catalog.findIndex(s, name.name)) ?? 'public';
      const ix = session.catalog.findIndex(schema, name.name);
      if (!ix) {
        if (stmt.ifExists) {
          notice(`index "${name.name}" does not exist, skipping`);
          continue;
        }
        throw new SqlError(SQLSTATE.undefinedObject, `index "${name.name}" does not exist`);
      }
      dropIndexKey(ix.table, name.name, session);
      session.catalog.dropIndex(schema, name.name, session.undo);
      continue;
    }
    const t = session.catalog.findTable(name.schema, name.name, session.searchPath);
    const wantKind = stmt.objectType === 'view' ? 'view' : 'table';
    if (!t || t.kind !== wantKind) {
      if (t && t.kind !== wantKind) {
        throw new SqlError(SQLSTATE.wrongObjectType, `"${name.name}" is not a ${wantKind}`, { hint: `Use DROP ${t.kind.toUpperCase()} to remove a ${t.kind}.` });
      }
      if (stmt.ifExists) {
        notice(`${wantKind} "${name.name}" does not exist, skipping`);
        continue;
      }
      throw new SqlError(SQLSTATE.undefinedTable, `${wantKind} "${name.name}" does not exist`);
    }
    // a hypertable's chunks go with it (their stores leave the data nodes; ROLLBACK re-attaches them)
    if (t.hypertable) session.catalog.dropChunks(t, [...t.hypertable.chunks], session.undo, (f) => session.onCommit(f));
    session.catalog.dropTable(t, session.undo);
  }
  return { command: tag, rowCount: null };
}

export function createSchema(name: string, ifNotExists: boolean, session: StatementSession, notice: (m: string) => void): StatementResult {
  if (!session.catalog.createSchema(name, ifNotExists, session.undo)) notice(`schema "${name}" already exists, skipping`);
  return { command: 'CREATE SCHEMA', rowCount: null };
}

export function createIndex(stmt: CreateIndexStmt, session: StatementSession, notice: (m: string) => void): StatementResult {
  const table = session.catalog.getTable(stmt.table.schema, stmt.table.name, session.searchPath);
  checkIndexKeyCount(stmt.keys.length);
  const cols = stmt.keys.map((k) => {
    if (k.expr.kind === 'column') {
      if (!table.columns.some((c) => c.name === (k.expr as { name: string }).name)) {
        throw new SqlError(SQLSTATE.undefinedColumn, `column "${(k.expr as { name: string }).name}" does not exist`);
      }
      return k.expr.name;
    }
    return 'expr';
  });
  const name = stmt.name ?? session.catalog.uniqueRelationName(table.schema, table.name, cols.join('_'), 'idx');
  if (session.catalog.findIndex(table.schema, name) || session.catalog.findTable(table.schema, name)) {
    if (stmt.ifNotExists) {
      notice(`relation "${name}" already exists, skipping`);
      return { command: 'CREATE INDEX', rowCount: null };
    }
    throw new SqlError(SQLSTATE.duplicateTable, `relation "${name}" already exists`);
  }
  if (stmt.unique && table.store) {
    const ids = cols.map((n) => table.columns.find((c) => c.name === n)!.id);
    checkHypertableUnique(table, ids);
    addUniqueKeyEverywhere(table, { name, columnIds: ids, primary: false }, session);
    table.constraints.push({ oid: session.catalog.allocOid(), name, kind: 'unique', columnIds: ids, indexOnly: true });
    session.undo.push(() => {
      table.constraints = table.constraints.filter((c) => c.name !== name);
    });
  }
  const definition = `CREATE ${stmt.unique ? 'UNIQUE ' : ''}INDEX ${name} ON ${table.schema}.${table.name} USING ${stmt.method ?? 'btree'} (${stmt.keys.map((k, i) => `${cols[i]}${k.direction === 'desc' ? ' DESC' : ''}`).join(', ')})`;
  session.catalog.addIndex({ name, oid: session.catalog.allocOid(), table, columns: cols, unique: stmt.unique, definition }, table.schema, session.undo);
  return { command: 'CREATE INDEX', rowCount: null };
}

export function createView(stmt: CreateViewStmt, session: StatementSession): StatementResult {
  const schema = schemaOf(session, stmt.name.schema);
  const prepared = planSelect(stmt.query, session);
  const existing = session.catalog.findTable(schema, stmt.name.name);
  if (existing) {
    if (!stmt.orReplace || existing.kind !== 'view') throw new SqlError(SQLSTATE.duplicateTable, `relation "${stmt.name.name}" already exists`);
    session.catalog.dropTable(existing, session.undo);
  }
  const names = stmt.columnNames ?? prepared.names;
  const view: TableInfo = {
    oid: session.catalog.allocOid(),
    kind: 'view',
    schema,
    name: stmt.name.name,
    columns: prepared.plan.types.map((t, i) => ({ id: i + 1, name: names[i] ?? prepared.names[i]!, type: t, notNull: false, attnum: i + 1 })),
    constraints: [],
    nextAttnum: prepared.plan.types.length + 1,
    nextColumnId: prepared.plan.types.length + 1,
    view: { query: stmt.query, text: stmt.queryText ?? '', columnNames: stmt.columnNames },
  };
  session.catalog.addTable(view, session.undo);
  return { command: 'CREATE VIEW', rowCount: null };
}

export function truncate(stmt: TruncateStmt, session: StatementSession): StatementResult {
  const tables = stmt.tables.map((n) => {
    const t = session.catalog.getTable(n.schema, n.name, session.searchPath);
    if (t.kind !== 'table' || !t.store) throw new SqlError(SQLSTATE.wrongObjectType, `"${t.name}" is not a table`);
    return t;
  });
  for (const t of tables) {
    session.write(t.store!).truncate();
    // TimescaleDB's TRUNCATE of a hypertable drops its chunks
    if (t.hypertable) session.catalog.dropChunks(t, [...t.hypertable.chunks], session.undo, (f) => session.onCommit(f));
    if (stmt.restartIdentity) {
      for (const c of t.columns) if (c.serialSequence) {
        const s = session.catalog.sequences.get(c.serialSequence);
        if (s) {
          s.value = 0;
          s.called = false;
        }
      }
    }
  }
  return { command: 'TRUNCATE TABLE', rowCount: null };
}

export function alterTable(stmt: AlterTableStmt, session: StatementSession, notice?: (message: string) => void): StatementResult {
  const table = session.catalog.findTable(stmt.name.schema, stmt.name.name, session.searchPath);
  if (!table) {
    if (stmt.ifExists) return { command: 'ALTER TABLE', rowCount: null };
    session.catalog.getTable(stmt.name.schema, stmt.name.name, session.searchPath);
    throw new SqlError(SQLSTATE.undefinedTable, `relation "${stmt.name.name}" does not exist`);
  }
  for (const action of stmt.actions) alterAction(table, action, session, notice);
  session.catalog.version++;
  return { command: 'ALTER TABLE', rowCount: null };
}

function findColumn(table: TableInfo, name: string): ColumnInfo {
  const c = table.columns.find((x) => x.name === name);
  if (!c) throw new SqlError(SQLSTATE.undefinedColumn, `column "${name}" of relation "${table.name}" does not exist`);
  return c;
}

function alterAction(table: TableInfo, action: AlterTableStmt['actions'][number], session: StatementSession, notice?: (message: string) => void): void {
  const undo = session.undo;
  switch (action.kind) {
    case 'add_column': {
      if (table.columns.some((c) => c.name === action.column.name)) {
        if (action.ifNotExists) return;
        throw new SqlError(SQLSTATE.duplicateColumn, `column "${action.column.name}" of relation "${table.name}" already exists`);
      }
      const col = makeColumn(table, action.column, session);
      let fill: Value = null;
      if (col.default) {
        const ctx = session.evalContext([]);
        fill = getValue(compileExpr(col.default)({ length: 1, columns: [] }, ctx), 0);
      }
      if (col.serialSequence) throw new SqlError(SQLSTATE.featureNotSupported, 'adding a serial column to an existing table is not supported yet');
      if (col.notNull && fill === null && hasRows(table)) {
        throw new SqlError(SQLSTATE.notNullViolation, `column "${col.name}" of relation "${table.name}" contains null values`);
      }
      if (table.hypertable && (action.column.primaryKey || action.column.unique)) checkHypertableUnique(table, [col.id]);
      const stores = allStores(table);
      for (const st of stores) st.addColumn({ id: col.id, name: col.name, type: col.type, notNull: col.notNull }, fill);
      table.columns.push(col);
      undo.push(() => {
        table.columns = table.columns.filter((c) => c !== col);
        for (const st of stores) st.dropColumn(col.id);
      });
      if (action.column.primaryKey) table.constraints.push(addConstraint(table, { kind: 'primary_key', columns: [col.name] }, session));
      if (action.column.unique) table.constraints.push(addConstraint(table, { kind: 'unique', columns: [col.name] }, session));
      return;
    }
    case 'drop_column': {
      const col = table.columns.find((c) => c.name === action.name);
      if (!col) {
        if (action.ifExists) return;
        throw new SqlError(SQLSTATE.undefinedColumn, `column "${action.name}" of relation "${table.name}" does not exist`);
      }
      if (table.hypertable?.dimensions.some((d) => d.columnId === col.id)) {
        throw new SqlError(SQLSTATE.invalidTableDefinition, 'cannot drop column named in partition key', { detail: 'Cannot drop column that is a hypertable partitioning (space or time) dimension.' });
      }
      const before = table.columns;
      const beforeConstraints = table.constraints;
      table.columns = table.columns.filter((c) => c !== col);
      table.constraints = table.constraints.filter((c) => !c.columnIds.includes(col.id));
      const droppedKeys = beforeConstraints.filter((c) => !table.constraints.includes(c) && c.kind !== 'check');
      // storage keeps the column until commit so that a ROLLBACK can bring it back with its data
      session.onCommit(() => {
        for (const c of droppedKeys) table.store?.dropUniqueKey(c.name);
        table.store?.dropColumn(col.id);
        // chunk replicas as they are at commit, including chunks created later in the transaction
        for (const st of chunkStores(table)) if (st.columns.some((c) => c.id === col.id)) st.dropColumn(col.id);
      });
      undo.push(() => {
        table.columns = before;
        table.constraints = beforeConstraints;
      });
      return;
    }
    case 'rename_column': {
      const col = findColumn(table, action.from);
      if (table.columns.some((c) => c.name === action.to)) throw new SqlError(SQLSTATE.duplicateColumn, `column "${action.to}" of relation "${table.name}" already exists`);
      const old = col.name;
      col.name = action.to;
      undo.push(() => (col.name = old));
      return;
    }
    case 'rename_table':
      session.catalog.renameTable(table, action.to, undo);
      return;
    case 'set_default': {
      const col = findColumn(table, action.column);
      const old = { default: col.default, defaultText: col.defaultText, defaultOid: col.defaultOid, serialDefaultReplaced: col.serialDefaultReplaced };
      col.default = bindDefault(action.default, col.type, session, col.name);
      col.defaultText = exprText(action.default);
      if (col.serialSequence) col.serialDefaultReplaced = true;
      // PostgreSQL replaces the pg_attrdef row: the new default has a new OID
      col.defaultOid = session.catalog.allocOid();
      undo.push(() => Object.assign(col, old));
      return;
    }
    case 'drop_default': {
      const col = findColumn(table, action.column);
      const old = { default: col.default, defaultText: col.defaultText, defaultOid: col.defaultOid, serialDefaultReplaced: col.serialDefaultReplaced };
      col.default = undefined;
      col.defaultText = undefined;
      col.defaultOid = undefined;
      // the column keeps owning its sequence; only the nextval() default goes
      if (col.serialSequence) col.serialDefaultReplaced = true;
      undo.push(() => Object.assign(col, old));
      return;
    }
    case 'set_not_null': {
      const col = findColumn(table, action.column);
      for (const store of readStores(table, session)) {
        for (const sb of session.read(store).scan([col.id])) {
          const v = sb.batch.columns[0]!;
          for (let i = 0; i < sb.batch.length; i++) if (getValue(v, i) === null) throw new SqlError(SQLSTATE.notNullViolation, `column "${col.name}" of relation "${table.name}" contains null values`);
        }
      }
      const old = col.notNull;
      col.notNull = true;
      const stores = allStores(table);
      for (const st of stores) st.setNotNull(col.id, true);
      undo.push(() => {
        col.notNull = old;
        for (const st of stores) st.setNotNull(col.id, old);
      });
      return;
    }
    case 'drop_not_null': {
      const col = findColumn(table, action.column);
      if (table.constraints.some((c) => c.kind === 'primary_key' && c.columnIds.includes(col.id))) {
        throw new SqlError(SQLSTATE.invalidTableDefinition, `column "${col.name}" is in a primary key`);
      }
      if (table.hypertable?.dimensions.some((d) => d.kind === 'open' && d.columnId === col.id)) {
        throw new SqlError('TS101', 'cannot drop not-null constraint from a time-partitioned column');
      }
      const old = col.notNull;
      col.notNull = false;
      const stores = allStores(table);
      for (const st of stores) st.setNotNull(col.id, false);
      undo.push(() => {
        col.notNull = old;
        for (const st of stores) st.setNotNull(col.id, old);
      });
      return;
    }
    case 'add_constraint': {
      const c = addConstraint(table, action.constraint, session, notice);
      if (c.kind !== 'check' && table.store) {
        checkHypertableUnique(table, c.columnIds);
        addUniqueKeyEverywhere(table, { name: c.name, columnIds: c.columnIds, primary: c.kind === 'primary_key' }, session);
      }
      table.constraints.push(c);
      undo.push(() => (table.constraints = table.constraints.filter((x) => x !== c)));
      return;
    }
    case 'alter_column_type':
      throw new SqlError(SQLSTATE.featureNotSupported, 'ALTER COLUMN ... TYPE is not supported yet');
    case 'set_options':
      return;
  }
}

