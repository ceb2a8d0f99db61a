/**
 * The embedding API's bulk load: rows as arrays or objects, or an Apache Arrow
 * Table, converted column by column into vectors and appended in one
 * transaction (one storage append per batch, no SQL parsing).
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { physicalKind } from '../../../storage/src/types/sql-type.js';
import type { FormatContext, Value } from '../../../storage/src/types/values.js';
import type { Batch, Vector } from '../../../storage/src/vector.js';
import { vectorFromValues } from '../../../storage/src/vector.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import type { TableInfo } from '../../../planner/src/catalog/catalog.js';
import { paramToValue } from './params.js';

export interface ArrowTableLike {
  readonly numRows: number;
  readonly schema: { readonly fields: readonly { readonly name: string }[] };
  getChild(name: string): { toArray(): ArrayLike<unknown>; readonly nullCount: number; get(i: number): unknown; isValid?(i: number): boolean } | null;
}

export type BulkRows = readonly (readonly unknown[])[] | readonly Record<string, unknown>[] | ArrowTableLike;

export function isArrowTable(x: unknown): x is ArrowTableLike {
  return typeof x === 'object' && x !== null && 'numRows' in x && 'schema' in x && typeof (x as { getChild?: unknown }).getChild === 'function';
}

function columnVector(type: SqlType, n: number, get: (i: number) => unknown, ctx: FormatContext, colName: string): Vector {
  if (physicalKind(type) === 'number' && (type.id === 'float8' || type.id === 'float4' || type.id === 'int4' || type.id === 'int2' || type.id === 'int8')) {
    const values = new Float64Array(n);
    let nulls: Uint8Array | null = null;
    let slow = false;
    for (let i = 0; i < n; i++) {
      const v = get(i);
      if (typeof v === 'number' && (type.id === 'float8' || type.id === 'float4' || Number.isInteger(v))) values[i] = v;
      else if (v === null || v === undefined) {
        nulls ??= new Uint8Array(n);
        nulls[i] = 1;
      } else {
        slow = true;
        break;
      }
    }
    if (!slow && type.id !== 'int4' && type.id !== 'int2') return { tag: 'number', type, length: n, values, nulls };
    if (!slow) {
      const [lo, hi] = type.id === 'int4' ? [-2147483648, 2147483647] : [-32768, 32767];
      for (let i = 0; i < n; i++) {
        if ((nulls === null || nulls[i] === 0) && (values[i]! < lo || values[i]! > hi)) {
          throw new SqlError(SQLSTATE.numericValueOutOfRange, `value "${values[i]}" is out of range for type ${type.id === 'int4' ? 'integer' : 'smallint'}`, { column: colName });
        }
      }
      return { tag: 'number', type, length: n, values, nulls };
    }
  }
  if (type.id === 'timestamptz') {
    const values = new Float64Array(n);
    let nulls: Uint8Array | null = null;
    let slow = false;
    for (let i = 0; i < n; i++) {
      const v = get(i);
      if (v instanceof Date) values[i] = v.getTime() * 1000;
      else if (v === null || v === undefined) {
        nulls ??= new Uint8Array(n);
        nulls[i] = 1;
      } else {
        slow = true;
        break;
      }
    }
    if (!slow) return { tag: 'number', type, length: n, values, nulls };
  }
  const out: Value[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = paramToValue(get(i), type, ctx);
  return vectorFromValues(type, out);
}

/**
 * Which table columns the rows provide at all (an object key present in any
 * row, an array long enough, an Arrow column); the others get their DEFAULT.
 */
export function providedColumns(table: TableInfo, rows: BulkRows): boolean[] {
  const cols = table.columns;
  if (isArrowTable(rows)) return cols.map((c) => rows.getChild(c.name) !== null);
  const list = rows as readonly unknown[];
  const out = cols.map(() => false);
  for (const r of list) {
    if (Array.isArray(r)) for (let i = 0; i < Math.min(r.length, cols.length); i++) out[i] = true;
    else if (r && typeof r === 'object') cols.forEach((c, i) => { if (c.name in (r as object)) out[i] = true; });
  }
  return out;
}

export function rowsToBatches(table: TableInfo, rows: BulkRows, ctx: FormatContext, batchRows = 65_536): Batch[] {
  const cols = table.columns;
  if (isArrowTable(rows)) {
    const n = rows.numRows;
    const children = cols.map((c) => rows.getChild(c.name));
    const unknown = rows.schema.fields.map((f) => f.name).filter((f) => !cols.some((c) => c.name === f));
    if (unknown.length) throw new SqlError(SQLSTATE.undefinedColumn, `column "${unknown[0]}" of relation "${table.name}" does not exist`);
    const vectors = cols.map((c, ci) => {
      const child = children[ci];
      if (!child) return vectorFromValues(c.type, new Array<Value>(n).fill(null));
      const arr = child.nullCount === 0 ? child.toArray() : null;
      const get = arr ? (i: number) => {
        const v = arr[i];
        return typeof v === 'bigint' ? Number(v) : v;
      } : (i: number) => {
        const v = child.get(i);
        return typeof v === 'bigint' ? Number(v) : v;
      };
      const isTs = c.type.id === 'timestamptz' || c.type.id === 'timestamp';
      // Arrow timestamps arrive as epoch milliseconds (numbers) from toArray()/get()
      const getTs = isTs ? (i: number) => {
        const v = get(i);
        return typeof v === 'number' ? new Date(v) : v;
      } : get;
      return columnVector(c.type, n, getTs, ctx, c.name);
    });
    return [{ length: n, columns: vectors }];
  }
  const list = rows as readonly unknown[];
  const batches: Batch[] = [];
  for (let start = 0; start < list.length; start += batchRows) {
    const end = Math.min(list.length, start + batchRows);
    const n = end - start;
    const first = list[start];
    const byName = first !== null && typeof first === 'object' && !Array.isArray(first);
    if (byName) {
      for (let i = start; i < end; i++) {
        for (const k of Object.keys(list[i] as object)) {
          if (!cols.some((c) => c.name === k)) throw new SqlError(SQLSTATE.undefinedColumn, `column "${k}" of relation "${table.name}" does not exist`);
        }
      }
    } else {
      for (let i = start; i < end; i++) {
        const r = list[i] as unknown[];
        if (!Array.isArray(r)) throw new SqlError(SQLSTATE.datatypeMismatch, 'bulk insert rows must all be arrays or all be objects');
        if (r.length > cols.length) throw new SqlError(SQLSTATE.syntaxError, 'INSERT has more expressions than target columns');
      }
    }
    const vectors = cols.map((c, ci) =>
      columnVector(c.type, n, byName ? (i) => (list[start + i] as Record<string, unknown>)[c.name] : (i) => (list[start + i] as unknown[])[ci], ctx, c.name),
    );
    batches.push({ length: n, columns: vectors });
  }
  return batches;
}
