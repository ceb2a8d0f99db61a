/**
 * Strata's typed SQL AST. The parser (node-sql-parser plus Strata's own pre-pass
 * for the statements and syntax it lacks) produces exactly these nodes; nothing
 * after parse/ sees a node-sql-parser object.
 *
 * Conventions:
 *  - Identifiers are already case-folded as PostgreSQL folds them: unquoted → lower
 *    case, "Quoted" → kept as written.
 *  - Numbers keep their source text (`1.10`, `9223372036854775807`) so the binder can
 *    type them as int4/int8/numeric exactly as PostgreSQL does.
 *  - `position` fields are 1-based character offsets into the statement text where
 *    known (used for 42601/42703 error positions); optional everywhere.
 */

export interface QualifiedName {
  schema?: string;
  name: string;
}

export interface TypeName {
  /**
   * Canonical base type name: bool, int2, int4, int8, float4, float8, numeric, text,
   * varchar, bpchar, name, date, time, timestamp, timestamptz, interval, json, jsonb,
   * oid, regclass, record, or another name as written (the binder rejects unknown ones
   * with 42704 `type "x" does not exist`). Aliases are resolved by the parser:
   * integer/int → int4, bigint → int8, smallint → int2, real → float4,
   * double precision/float → float8, decimal → numeric, boolean → bool,
   * character varying → varchar, character/char → bpchar,
   * timestamp with time zone → timestamptz, serial → int4 with `serial: true`, etc.
   */
  name: string;
  /** Type modifiers as written: varchar(10) → [10], numeric(10,2) → [10, 2]. */
  modifiers: number[];
  /** Array dimensions: int4[] → 1. */
  arrayDims: number;
  /** serial / bigserial / smallserial (only meaningful in CREATE TABLE). */
  serial?: boolean;
}

// ---------------------------------------------------------------------------
// Expressions

export type Expr =
  | LiteralExpr
  | ColumnRefExpr
  | ParamExpr
  | StarExpr
  | UnaryExpr
  | BinaryExpr
  | IsExpr
  | BetweenExpr
  | InListExpr
  | InSubqueryExpr
  | ExistsExpr
  | SubqueryExpr
  | QuantifiedExpr
  | CaseExpr
  | CastExpr
  | FuncCallExpr
  | ArrayExpr
  | RowExpr
  | SubscriptExpr
  | FieldSelectExpr
  | DefaultExpr;

export interface LiteralExpr {
  kind: 'literal';
  /**
   * string: a '…' literal (also E'…', $$…$$), untyped until the binder coerces it.
   * integer / numeric: number text as written. bool, null.
   */
  literalType: 'string' | 'integer' | 'numeric' | 'bool' | 'null';
  /** For string, integer, numeric: the text. For bool: 'true' / 'false'. For null: ''. */
  value: string;
  position?: number;
}

export interface ColumnRefExpr {
  kind: 'column';
  /** Qualifier parts before the column name: [] | [table] | [schema, table]. */
  qualifier: string[];
  name: string;
  position?: number;
}

export interface ParamExpr {
  kind: 'param';
  /** $1 → 1 */
  index: number;
  position?: number;
}

/** `*` or `t.*` in a select list; `*` as in count(*) appears as FuncCallExpr.star. */
export interface StarExpr {
  kind: 'star';
  qualifier: string[];
  position?: number;
}

export interface UnaryExpr {
  kind: 'unary';
  op: '-' | '+' | 'not' | '~' | '@' | '|/' ;
  expr: Expr;
  position?: number;
}

/**
 * Binary operators, spelled as in SQL, lower case for word operators:
 * arithmetic + - * / % ^, string ||, comparison = <> < > <= >=,
 * and, or, like, ilike, not like, not ilike, similar to, not similar to,
 * regex ~ ~* !~ !~*, is distinct from, is not distinct from,
 * json -> ->> #> #>> @> <@ ? , bitwise & | # << >>, range/array && .
 * `!=` is normalised to `<>`. `a LIKE b ESCAPE c` puts c in `escape`.
 */
export interface BinaryExpr {
  kind: 'binary';
  op: string;
  left: Expr;
  right: Expr;
  escape?: Expr;
  position?: number;
}

export interface IsExpr {
  kind: 'is';
  expr: Expr;
  test: 'null' | 'true' | 'false' | 'unknown';
  not: boolean;
  position?: number;
}

export interface BetweenExpr {
  kind: 'between';
  expr: Expr;
  low: Expr;
  high: Expr;
  not: boolean;
  symmetric: boolean;
  position?: number;
}

export interface InListExpr {
  kind: 'in_list';
  expr: Expr;
  list: Expr[];
  not: boolean;
  position?: number;
}

export interface InSubqueryExpr {
  kind: 'in_subquery';
  expr: Expr;
  query: SelectStmt;
  not: boolean;
  position?: number;
}

export interface ExistsExpr {
  kind: 'exists';
  query: SelectStmt;
  position?: number;
}

/** A scalar subquery `(SELECT …)`, or `ARRAY(SELECT …)` with array: true. */
export interface SubqueryExpr {
  kind: 'subquery';
  query: SelectStmt;
  array?: boolean;
  position?: number;
}

/** `x op ANY (subquery | array)`, `x op ALL (…)`, `x op SOME (…)` (SOME → any). */
export interface QuantifiedExpr {
  kind: 'quantified';
  op: string;
  quantifier: 'any' | 'all';
  expr: Expr;
  query?: SelectStmt;
  array?: Expr;
  position?: number;
}

export interface CaseExpr {
  kind: 'case';
  /** CASE operand WHEN … (simple form); absent for the searched form. */
  operand?: Expr;
  whens: { when: Expr; then: Expr }[];
  else?: Expr;
  position?: number;
}

/** `x::t`, `CAST(x AS t)`, and typed literals `TIMESTAMPTZ '…'`, `INTERVAL '1 day'` (a cast of a string literal). */
export interface CastExpr {
  kind: 'cast';
  expr: Expr;
  type: TypeName;
  position?: number;
}

export interface FuncCallExpr {
  kind: 'func';
  /** Lower-cased unless quoted. `EXTRACT(field FROM x)` becomes extract('field', x) (numeric result, unlike date_part's float8); `POSITION(a IN b)` position(b, a) (PostgreSQL's argument order); `SUBSTRING(x FROM a FOR b)` substring(x, a, b); `TRIM(LEADING x FROM y)` ltrim(y, x) etc.; CURRENT_TIMESTAMP / CURRENT_DATE / LOCALTIMESTAMP / CURRENT_USER … become calls with no args. */
  name: string;
  schema?: string;
  args: Expr[];
  /** Named arguments `name => expr`, in order, after the positional ones. */
  namedArgs: { name: string; expr: Expr }[];
  distinct: boolean;
  /** count(*) */
  star: boolean;
  /** ORDER BY inside an aggregate call: string_agg(x, ',' ORDER BY y). */
  orderBy: OrderItem[];
  /** WITHIN GROUP (ORDER BY …) of an ordered-set aggregate. */
  withinGroup: OrderItem[];
  filter?: Expr;
  over?: WindowSpec;
  position?: number;
}

export interface ArrayExpr {
  kind: 'array';
  elements: Expr[];
  position?: number;
}

export interface RowExpr {
  kind: 'row';
  fields: Expr[];
  position?: number;
}

export interface SubscriptExpr {
  kind: 'subscript';
  expr: Expr;
  index: Expr;
  position?: number;
}

/** `(expr).field`, or `(expr).*` (star: every field; only a select-list item expands it). */
export interface FieldSelectExpr {
  kind: 'field';
  expr: Expr;
  /** The field name; '*' when star. */
  field: string;
  star: boolean;
  position?: number;
}

/** DEFAULT inside INSERT … VALUES or UPDATE … SET. */
export interface DefaultExpr {
  kind: 'default';
  position?: number;
}

export interface OrderItem {
  expr: Expr;
  direction: 'asc' | 'desc';
  /** Absent: PostgreSQL's default (NULLS LAST for ASC, NULLS FIRST for DESC). */
  nulls?: 'first' | 'last';
}

export interface WindowSpec {
  /** OVER w, or OVER (w ORDER BY …) referencing a WINDOW clause entry. */
  baseName?: string;
  partitionBy: Expr[];
  orderBy: OrderItem[];
  frame?: WindowFrame;
}

export interface WindowFrame {
  mode: 'rows' | 'range' | 'groups';
  start: FrameBound;
  end: FrameBound;
  exclude?: 'current row' | 'group' | 'ties' | 'no others';
}

export type FrameBound =
  | { kind: 'unbounded_preceding' }
  | { kind: 'preceding'; offset: Expr }
  | { kind: 'current_row' }
  | { kind: 'following'; offset: Expr }
  | { kind: 'unbounded_following' };

// ---------------------------------------------------------------------------
// SELECT

export interface SelectStmt {
  kind: 'select';
  with?: WithClause;
  body: QueryBody;
  orderBy: OrderItem[];
  limit?: Expr;
  offset?: Expr;
  /** FOR UPDATE / FOR SHARE: accepted and ignored (single-version reads). */
  locking?: string;
}

export interface WithClause {
  recursive: boolean;
  ctes: CommonTableExpr[];
}

export interface CommonTableExpr {
  name: string;
  columnNames?: string[];
  query: SelectStmt | InsertStmt | UpdateStmt | DeleteStmt;
  materialized?: boolean;
}

export type QueryBody = SelectCore | SetOperation | ValuesBody | SelectStmt;

export interface SelectCore {
  kind: 'core';
  /** DISTINCT → { on: [] }; DISTINCT ON (a, b) → { on: [a, b] }; none → undefined. */
  distinct?: { on: Expr[] };
  targets: SelectTarget[];
  from: FromItem[];
  where?: Expr;
  groupBy: Expr[];
  having?: Expr;
  windows: { name: string; spec: WindowSpec }[];
}

export type SelectTarget =
  | { kind: 'expr'; expr: Expr; alias?: string }
  | { kind: 'star'; qualifier: string[] };

export interface SetOperation {
  kind: 'setop';
  op: 'union' | 'intersect' | 'except';
  all: boolean;
  left: QueryBody;
  right: QueryBody;
}

export interface ValuesBody {
  kind: 'values';
  rows: Expr[][];
}

export type FromItem = TableRef | SubqueryRef | FunctionRef | JoinRef;

export interface TableRef {
  kind: 'table';
  name: QualifiedName;
  alias?: string;
  columnAliases?: string[];
  /** FROM ONLY t */
  only?: boolean;
  position?: number;
}

export interface SubqueryRef {
  kind: 'subquery';
  query: SelectStmt;
  alias?: string;
  columnAliases?: string[];
  lateral: boolean;
}

/** A set-returning function in FROM: generate_series(1, 10) AS g(x); unnest(…). */
export interface FunctionRef {
  kind: 'function';
  call: FuncCallExpr;
  alias?: string;
  columnAliases?: string[];
  lateral: boolean;
  withOrdinality?: boolean;
  /** ROWS FROM (call, …zipped): further functions run in lockstep, the shorter padded with NULLs */
  zipped?: FuncCallExpr[];
  /** set-returning calls lifted out of a select list (set-returning.ts): not columns of `*` */
  lifted?: boolean;
}

export interface JoinRef {
  kind: 'join';
  joinType: 'inner' | 'left' | 'right' | 'full' | 'cross';
  left: FromItem;
  right: FromItem;
  on?: Expr;
  using?: string[];
  natural: boolean;
}

// ---------------------------------------------------------------------------
// DML

export interface InsertStmt {
  kind: 'insert';
  with?: WithClause;
  table: QualifiedName;
  alias?: string;
  columns?: string[];
  source: { kind: 'values'; rows: Expr[][] } | { kind: 'select'; query: SelectStmt } | { kind: 'default_values' };
  onConflict?: OnConflict;
  returning?: SelectTarget[];
}

export interface OnConflict {
  /** Conflict target columns; absent = any unique constraint (only valid with DO NOTHING). */
  target?: string[];
  /** ON CONFLICT ON CONSTRAINT name */
  constraint?: string;
  action: { kind: 'nothing' } | { kind: 'update'; set: SetClause[]; where?: Expr };
}

export interface SetClause {
  column: string;
  /** a DefaultExpr for SET x = DEFAULT */
  value: Expr;
}

export interface UpdateStmt {
  kind: 'update';
  with?: WithClause;
  table: QualifiedName;
  alias?: string;
  set: SetClause[];
  from: FromItem[];
  where?: Expr;
  returning?: SelectTarget[];
}

export interface DeleteStmt {
  kind: 'delete';
  with?: WithClause;
  table: QualifiedName;
  alias?: string;
  using: FromItem[];
  where?: Expr;
  returning?: SelectTarget[];
}

// ---------------------------------------------------------------------------
// DDL and utility

export interface ColumnDef {
  name: string;
  type: TypeName;
  notNull: boolean;
  /** explicit NULL constraint */
  nullable?: boolean;
  default?: Expr;
  primaryKey: boolean;
  unique: boolean;
  check?: Expr;
  references?: { table: QualifiedName; columns: string[] };
  /** GENERATED … AS IDENTITY */
  identity?: boolean;
}

export type TableConstraint =
  | { kind: 'primary_key'; name?: string; columns: string[] }
  | { kind: 'unique'; name?: string; columns: string[] }
  | { kind: 'check'; name?: string; expr: Expr }
  | { kind: 'foreign_key'; name?: string; columns: string[]; refTable: QualifiedName; refColumns: string[] };

export interface CreateTableStmt {
  kind: 'create_table';
  name: QualifiedName;
  ifNotExists: boolean;
  columns: ColumnDef[];
  constraints: TableConstraint[];
  temporary?: boolean;
  /** CREATE TABLE … AS SELECT */
  asQuery?: SelectStmt;
  /** WITH (…) storage options as text pairs */
  options?: { name: string; value: string }[];
}

export interface DropStmt {
  kind: 'drop';
  objectType: 'table' | 'schema' | 'index' | 'view';
  names: QualifiedName[];
  ifExists: boolean;
  cascade: boolean;
}

export type AlterTableAction =
  | { kind: 'add_column'; column: ColumnDef; ifNotExists: boolean }
  | { kind: 'drop_column'; name: string; ifExists: boolean; cascade: boolean }
  | { kind: 'rename_column'; from: string; to: string }
  | { kind: 'rename_table'; to: string }
  | { kind: 'alter_column_type'; column: string; type: TypeName; using?: Expr }
  | { kind: 'set_default'; column: string; default: Expr }
  | { kind: 'drop_default'; column: string }
  | { kind: 'set_not_null'; column: string }
  | { kind: 'drop_not_null'; column: string }
  | { kind: 'add_constraint'; constraint: TableConstraint }
  | { kind: 'set_options'; options: { name: string; value: string }[] };

export interface AlterTableStmt {
  kind: 'alter_table';
  name: QualifiedName;
  ifExists: boolean;
  actions: AlterTableAction[];
}

export interface CreateIndexStmt {
  kind: 'create_index';
  name?: string;
  table: QualifiedName;
  /** index keys as expressions (usually ColumnRefExpr) with their ordering */
  keys: OrderItem[];
  unique: boolean;
  ifNotExists: boolean;
  method?: string;
  where?: Expr;
}

export interface CreateSchemaStmt {
  kind: 'create_schema';
  name: string;
  ifNotExists: boolean;
}

export interface CreateViewStmt {
  kind: 'create_view';
  name: QualifiedName;
  orReplace: boolean;
  columnNames?: string[];
  query: SelectStmt;
  /** the SELECT's source text, kept for pg_views / \d+ */
  queryText?: string;
}

export interface TruncateStmt {
  kind: 'truncate';
  tables: QualifiedName[];
  restartIdentity: boolean;
  cascade: boolean;
}

export interface TransactionStmt {
  kind: 'transaction';
  action: 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollback_to';
  savepoint?: string;
  /** BEGIN ISOLATION LEVEL …, READ ONLY, etc. as written (accepted, mostly ignored) */
  options?: string[];
}

export interface SetStmt {
  kind: 'set';
  /** lower-cased setting name; `SET TIME ZONE x` → 'timezone' */
  name: string;
  /** the value list as text items (quotes removed), or 'default' sentinel via isDefault */
  values: string[];
  isDefault: boolean;
  local: boolean;
}

export interface ShowStmt {
  kind: 'show';
  /** lower-cased; 'all' for SHOW ALL */
  name: string;
}

/**
 * ALTER SYSTEM / ALTER DATABASE … SET|RESET: a stored setting default that sessions started
 * afterwards begin with (ALTER SYSTEM below ALTER DATABASE below the client's own settings).
 */
export interface AlterSettingStmt {
  kind: 'alter_setting';
  /** null: ALTER SYSTEM; otherwise the database named by ALTER DATABASE */
  database: string | null;
  change: StoredSettingChange;
}

/** SET … TO DEFAULT parses as 'reset'; 'set_current' is ALTER DATABASE … SET name FROM CURRENT. */
export type StoredSettingChange =
  | { kind: 'set'; name: string; values: string[] }
  | { kind: 'set_current'; name: string }
  | { kind: 'reset'; name: string }
  | { kind: 'reset_all' };

/** CHECKPOINT: write a checkpoint of the data directory now (a no-op in memory) */
export interface CheckpointStmt {
  kind: 'checkpoint';
}

export interface ResetStmt {
  kind: 'reset';
  /** lower-cased; 'all' for RESET ALL */
  name: string;
}

export interface ExplainStmt {
  kind: 'explain';
  analyze: boolean;
  verbose: boolean;
  costs: boolean;
  format: 'text' | 'json';
  statement: Statement;
}

/** CALL proc(args) — e.g. CALL distributed_exec(…) */
export interface CallStmt {
  kind: 'call';
  call: FuncCallExpr;
}

export interface CopyStmt {
  kind: 'copy';
  table?: QualifiedName;
  columns?: string[];
  query?: SelectStmt;
  direction: 'from' | 'to';
  target: 'stdin' | 'stdout' | { file: string };
  options: { name: string; value?: string }[];
}

export interface PrepareStmt {
  kind: 'prepare';
  name: string;
  paramTypes: TypeName[];
  statement: Statement;
}

export interface ExecuteStmt {
  kind: 'execute';
  name: string;
  params: Expr[];
}

export interface DeallocateStmt {
  kind: 'deallocate';
  /** undefined for DEALLOCATE ALL */
  name?: string;
}

/** Statements accepted and answered with a no-op (e.g. ANALYZE, VACUUM, DISCARD, LISTEN). */
export interface NoOpStmt {
  kind: 'noop';
  /** command tag to report, e.g. 'ANALYZE', 'VACUUM' */
  tag: string;
}

export type Statement =
  | SelectStmt
  | InsertStmt
  | UpdateStmt
  | DeleteStmt
  | CreateTableStmt
  | DropStmt
  | AlterTableStmt
  | CreateIndexStmt
  | CreateSchemaStmt
  | CreateViewStmt
  | TruncateStmt
  | TransactionStmt
  | SetStmt
  | ShowStmt
  | CheckpointStmt
  | ResetStmt
  | AlterSettingStmt
  | ExplainStmt
  | CallStmt
  | CopyStmt
  | PrepareStmt
  | ExecuteStmt
  | DeallocateStmt
  | NoOpStmt;

/** One statement of a (possibly multi-statement) query string. */
export interface ParsedStatement {
  statement: Statement;
  /** the statement's own source text (trimmed, without the trailing ';') */
  text: string;
  /** offset of `text` in the whole query string (0-based), to shift error positions */
  offset: number;
  /** NOTICEs the lexer raises (identifiers truncated to 63 bytes), sent each time the text runs */
  notices?: readonly string[];
}
