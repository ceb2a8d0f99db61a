/**
 * PostgreSQL-style text for stored expressions (column defaults, CHECK
 * constraints) and for constraint and index definitions, as pg_get_expr,
 * pg_get_constraintdef and pg_get_indexdef print them. `pretty` follows
 * ruleutils' pretty mode: fewer parentheses, `0::double precision` instead of
 * `(0)::double precision`.
 */
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { formatType } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import { formatText } from '../../../storage/src/types/text-io.js';
import { DEFAULT_FORMAT_CONTEXT } from '../../../storage/src/types/values.js';
import { defById } from '../../../storage/src/functions/catalog.js';
import { quoteIdent, quoteLiteral } from '../../../storage/src/functions/string.js';
import type { ColumnInfo, ConstraintInfo, IndexInfo, TableInfo } from '../../../planner/src/catalog/catalog.js';

function literal(type: SqlType, value: Value): string {
  if (value === null) return `NULL::${formatType(type)}`;
  const text = formatText(type, value, DEFAULT_FORMAT_CONTEXT);
  switch (type.id) {
    case 'bool':
      return value ? 'true' : 'false';
    case 'int4':
      return text.startsWith('-') ? `'${text}'::integer` : text;
    case 'numeric':
      // a decimal point makes the literal numeric by itself; an integer needs the label
      return /^\d/.test(text) && /[.eE]/.test(text) ? text : /^\d+$/.test(text) ? `${text}::numeric` : `'${text}'::numeric`;
    case 'float4':
    case 'float8':
      // binds from an integer or numeric literal: PostgreSQL shows the cast it keeps
      return /^\d+(\.\d+)?$/.test(text) ? `${text}::${formatType(type)}` : `'${text}'::${formatType(type)}`;
    default:
      // the literal carries the base type; a length limit is a separate coercion PostgreSQL hides
      return `${quoteLiteral(text)}::${formatType({ ...type, typmod: -1 })}`;
  }
}

function baseFnId(id: string): string {
  const bar = id.indexOf(')[');
  return bar < 0 ? id : id.slice(0, bar + 1);
}

export function deparseExpr(e: ExprNode, columns: readonly ColumnInfo[], pretty: boolean, nested = false): string {
  const sub = (x: ExprNode) => deparseExpr(x, columns, pretty, true);
  const wrap = (s: string) => (pretty && !nested ? s : `(${s})`);
  switch (e.k) {
    case 'const': {
      const s = literal(e.type, e.value);
      return !pretty && /^\d+(\.\d+)?::/.test(s) ? s.replace(/^([\d.]+)::/, '($1)::') : s;
    }
    case 'col': {
      const c = columns[e.index];
      return c ? quoteIdent(c.name) : `$${e.index + 1}`;
    }
    case 'param':
      return `$${e.index + 1}`;
    case 'cast': {
      // length coercions (numeric(6,2) from numeric) are implicit in PostgreSQL's output
      if (e.arg.type.id === e.type.id) return deparseExpr(e.arg, columns, pretty, nested);
      const inner = sub(e.arg);
      return pretty && /^[\w."']+$/.test(inner) ? `${inner}::${formatType(e.type)}` : `(${inner})::${formatType(e.type)}`;
    }
    case 'call': {
      const def = defById(baseFnId(e.fn));
      const name = def?.name ?? e.fn.replace(/\(.*$/, '');
      if (def?.isOperator && e.args.length === 2) return wrap(`${sub(e.args[0]!)} ${name} ${sub(e.args[1]!)}`);
      if (def?.isOperator && e.args.length === 1) return wrap(`${name} ${sub(e.args[0]!)}`);
      if (name === 'nextval' && e.args[0]?.k === 'const') return `nextval(${quoteLiteral(String(e.args[0].value))}::regclass)`;
      return `${name}(${e.args.map((a) => deparseExpr(a, columns, pretty, false)).join(', ')})`;
    }
    case 'and':
    case 'or':
      return wrap(e.args.map(sub).join(e.k === 'and' ? ' AND ' : ' OR '));
    case 'not':
      return wrap(`NOT ${sub(e.arg)}`);
    case 'isnull':
      return wrap(`${sub(e.arg)} IS ${e.negate ? 'NOT ' : ''}NULL`);
    case 'isbool':
      return wrap(`${sub(e.arg)} IS ${e.negate ? 'NOT ' : ''}${e.test.toUpperCase()}`);
    case 'inlist': {
      const list = `ARRAY[${e.list.map((x) => deparseExpr(x, columns, pretty, false)).join(', ')}]`;
      return wrap(`${sub(e.arg)} ${e.negate ? '<> ALL' : '= ANY'} (${list})`);
    }
    case 'coalesce':
      return `COALESCE(${e.args.map((a) => deparseExpr(a, columns, pretty, false)).join(', ')})`;
    case 'case':
      return `CASE${e.whens.map((w) => ` WHEN ${deparseExpr(w.cond, columns, pretty, false)} THEN ${deparseExpr(w.then, columns, pretty, false)}`).join('')}${e.else ? ` ELSE ${deparseExpr(e.else, columns, pretty, false)}` : ''} END`;
    default:
      return 'expression';
  }
}

/** pg_attrdef.adbin: Strata keeps the text PostgreSQL's pg_get_expr would print (pretty form). */
export function defaultText(col: ColumnInfo, table: TableInfo, pretty = true): string | null {
  if (col.serialSequence && !col.serialDefaultReplaced) {
    const seq = table.schema === 'public' ? col.serialSequence : `${table.schema}.${col.serialSequence}`;
    return `nextval(${quoteLiteral(seq)}::regclass)`;
  }
  if (col.default) return deparseExpr(col.default, table.columns, pretty);
  return col.defaultText ?? null;
}

function columnList(table: TableInfo, ids: readonly number[]): string {
  return ids.map((id) => quoteIdent(table.columns.find((c) => c.id === id)?.name ?? `?${id}`)).join(', ');
}

export function constraintDef(table: TableInfo, c: ConstraintInfo, pretty: boolean): string {
  switch (c.kind) {
    case 'primary_key':
      return `PRIMARY KEY (${columnList(table, c.columnIds)})`;
    case 'unique':
      return `UNIQUE (${columnList(table, c.columnIds)})`;
    case 'check': {
      if (!c.check) return `CHECK (${c.checkText ?? 'true'})`;
      return `CHECK (${deparseExpr(c.check, table.columns, pretty)})`;
    }
  }
}

/** Index keys as (column, DESC?) pairs, recovered from the CREATE INDEX text when there is one. */
function indexKeys(ix: IndexInfo): { name: string; desc: boolean }[] {
  const m = /\(([^()]*)\)\s*$/.exec(ix.definition);
  const parts = m ? m[1]!.split(',').map((s) => s.trim()) : [];
  return ix.columns.map((name, i) => ({ name, desc: /\sDESC$/i.test(parts[i] ?? '') }));
}

export function indexMethod(ix: IndexInfo): string {
  return /USING\s+(\w+)/i.exec(ix.definition)?.[1]?.toLowerCase() ?? 'btree';
}

/**
 * pg_get_indexdef(oid, column, pretty): the whole definition (column 0) or one
 * key. `tableName` is how the table is named: pretty mode qualifies it only
 * when the search path would not find it, plain mode always does.
 */
export function indexDef(ix: IndexInfo, column = 0, tableName = `${quoteIdent(ix.table.schema)}.${quoteIdent(ix.table.name)}`): string {
  const keys = indexKeys(ix);
  if (column > 0) return keys[column - 1] ? quoteIdent(keys[column - 1]!.name) : '';
  const list = keys.map((k) => `${quoteIdent(k.name)}${k.desc ? ' DESC' : ''}`).join(', ');
  return `CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(ix.name)} ON ${tableName} USING ${indexMethod(ix)} (${list})`;
}
