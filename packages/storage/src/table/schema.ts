/** Column and constraint descriptions, and the immutable schema a version reads with. */
import type { SqlType } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import { layoutOf, type ColumnLayout } from './layout.js';
import { constantColStats, type ColumnStats } from './stats.js';

export interface ColumnSpec {
  /** Stable across renames; a dropped column's id is never reused. */
  readonly id: number;
  readonly name: string;
  readonly type: SqlType;
  readonly notNull: boolean;
}

/** PRIMARY KEY / UNIQUE constraint. */
export interface UniqueKeySpec {
  readonly name: string;
  readonly columnIds: readonly number[];
  readonly primary: boolean;
}

/**
 * What a version knows about its columns. Rows stored before a column was added
 * read as that column's fill value (NULL or a constant DEFAULT).
 */
export class Schema {
  readonly layouts = new Map<number, ColumnLayout>();
  readonly byId = new Map<number, ColumnSpec>();

  constructor(
    readonly table: string,
    readonly columns: readonly ColumnSpec[],
    readonly fills: ReadonlyMap<number, Value>,
    readonly uniqueKeys: readonly UniqueKeySpec[],
  ) {
    for (const c of columns) {
      this.layouts.set(c.id, layoutOf(c.id, c.type));
      this.byId.set(c.id, c);
    }
  }

  layout(id: number): ColumnLayout {
    const l = this.layouts.get(id);
    if (l === undefined) throw new Error(`table "${this.table}" has no column with id ${id}`);
    return l;
  }

  fill(id: number): Value {
    return this.fills.get(id) ?? null;
  }

  readonly fillOf = (id: number): Value => this.fills.get(id) ?? null;

  /** Stats of a column for `rows` rows that predate it. */
  readonly missingStats = (id: number, rows: number): ColumnStats | undefined => {
    const l = this.layouts.get(id);
    return l === undefined ? undefined : constantColStats(l, this.fill(id), rows);
  };
}
