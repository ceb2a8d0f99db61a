/** Type-directed three-way comparison of non-NULL values (array elements, jsonb, generic fallbacks). */
import type { SqlType } from '../types/sql-type.js';
import type { Decimal } from '../types/numeric.js';
import type { Interval, Value } from '../types/values.js';
import { intervalCmp } from './dt.js';
import { compareText, rtrimSpaces } from './util.js';
import { floatCmp } from './vector-kernels.js';

export function compareValues(a: Value, b: Value, t: SqlType): number {
  switch (t.id) {
    case 'float4':
    case 'float8':
      return floatCmp(a as number, b as number);
    case 'numeric':
      return (a as Decimal).cmp(b as Decimal);
    case 'bool':
      return (a ? 1 : 0) - (b ? 1 : 0);
    case 'interval':
      return intervalCmp(a as Interval, b as Interval);
    case 'bpchar':
      return compareText(rtrimSpaces(a as string), rtrimSpaces(b as string));
    case 'text': case 'varchar': case 'name': case 'unknown': case 'json':
      return compareText(a as string, b as string);
    case 'array':
    case 'record':
      return compareArrays(a as Value[], b as Value[], t.elem);
    default:
      if (typeof a === 'number') return a < (b as number) ? -1 : a > (b as number) ? 1 : 0;
      return compareText(String(a), String(b));
  }
}

/** array_cmp: element by element (NULL sorts after everything and equals NULL), then by length. */
export function compareArrays(a: Value[], b: Value[], elem: SqlType | undefined): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === null || y === null) {
      if (x === null && y === null) continue;
      return x === null ? 1 : -1;
    }
    const c = elem ? compareValues(x, y, elem) : compareText(String(x), String(y));
    if (c !== 0) return c;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
