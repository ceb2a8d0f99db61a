/**
 * Name resolution scopes: the columns a FROM clause (or an aggregate's output)
 * makes visible, grouped by the relation (alias) they come from.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';

export interface ScopeColumn {
  name: string;
  type: SqlType;
  /** position in the input row of the operator the expression runs on */
  index: number;
  /** relation alias the column belongs to ('' for unnamed derived columns) */
  relation: string;
  schema?: string;
  /** hidden from `*` and from unqualified lookup (row ids, merged USING duplicates) */
  hidden?: boolean;
  /** left out of `*` but found by name (a procedure's whole-row column) */
  starHidden?: boolean;
  /** hidden from unqualified lookup only (right side of a USING/NATURAL join) */
  usingDuplicate?: boolean;
  /** a select-list set-returning call lifted into FROM: left out of `*` and of unqualified lookup, but part of its item's whole row */
  lifted?: boolean;
  tableOid?: number;
  attnum?: number;
}

export class Scope {
  constructor(readonly columns: ScopeColumn[] = []) {}

  get width(): number {
    return this.columns.length;
  }

  relations(): string[] {
    return [...new Set(this.columns.map((c) => c.relation))];
  }

  hasRelation(name: string, schema?: string): boolean {
    return this.columns.some((c) => c.relation === name && (schema === undefined || c.schema === schema));
  }

  /** Columns of `*` or `rel.*` in order. */
  star(qualifier: string[]): ScopeColumn[] {
    if (qualifier.length === 0) return this.columns.filter((c) => !c.hidden && !c.usingDuplicate && !c.starHidden && !c.lifted);
    const rel = qualifier[qualifier.length - 1]!;
    const schema = qualifier.length > 1 ? qualifier[qualifier.length - 2] : undefined;
    if (!this.hasRelation(rel, schema)) {
      throw new SqlError(SQLSTATE.undefinedTable, `missing FROM-clause entry for table "${rel}"`);
    }
    return this.columns.filter((c) => c.relation === rel && !c.hidden && !c.starHidden);
  }

  /**
   * Find a column. Returns undefined when the name is unknown here (the caller
   * may then try an outer scope); throws on ambiguity.
   */
  lookup(qualifier: string[], name: string, position?: number): ScopeColumn | undefined {
    if (qualifier.length === 0) {
      const hits = this.columns.filter((c) => c.name === name && !c.hidden && !c.usingDuplicate && !c.lifted);
      if (hits.length > 1) {
        throw new SqlError(SQLSTATE.ambiguousColumn, `column reference "${name}" is ambiguous`, { position });
      }
      return hits[0];
    }
    const rel = qualifier[qualifier.length - 1]!;
    const schema = qualifier.length > 1 ? qualifier[qualifier.length - 2] : undefined;
    const hits = this.columns.filter((c) => c.relation === rel && c.name === name && (schema === undefined || c.schema === schema) && !c.hidden);
    if (hits.length > 1) throw new SqlError(SQLSTATE.ambiguousColumn, `column reference "${rel}.${name}" is ambiguous`, { position });
    return hits[0];
  }

  static concat(a: Scope, b: Scope): Scope {
    const offset = a.width;
    return new Scope([...a.columns, ...b.columns.map((c) => ({ ...c, index: c.index + offset }))]);
  }
}
