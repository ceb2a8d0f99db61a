/**
 * One column of bulk-insert input read value by value through get(i): the
 * generic conversion behind the typed fast paths (row arrays with an odd value,
 * Arrow types without a direct layout), plus the SQL integer ranges they share.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { physicalKind } from '../../../storage/src/types/sql-type.js';
import type { FormatContext, Value } from '../../../storage/src/types/values.js';
import type { Vector } from '../../../storage/src/vector.js';
import { vectorFromValues } from '../../../storage/src/vector.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { paramToValue } from './params.js';

export function columnVector(type: SqlType, n: number, get: (i: number) => unknown, ctx: FormatContext, colName: string): Vector {
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


export function intRange(type: SqlType): [number, number] {
  return type.id === 'int4' ? [-2147483648, 2147483647] : type.id === 'int2' ? [-32768, 32767] : [-Infinity, Infinity];
}

export function outOfRange(type: SqlType, v: number, colName: string): SqlError {
  return new SqlError(SQLSTATE.numericValueOutOfRange, `value "${v}" is out of range for type ${type.id === 'int4' ? 'integer' : type.id === 'int2' ? 'smallint' : 'bigint'}`, { column: colName });
}
