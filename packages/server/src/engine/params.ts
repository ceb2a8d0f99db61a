/** JS parameter values (as node-postgres users pass them) → typed SQL values. */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { T, physicalKind } from '../../../storage/src/types/sql-type.js';
import type { FormatContext, Value } from '../../../storage/src/types/values.js';
import { parseText, formatText } from '../../../storage/src/types/text-io.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** node-postgres sends a Date as local time with an explicit offset; do the same. */
function dateToText(d: Date, type: SqlType): string {
  if (Number.isNaN(d.getTime())) throw new SqlError(SQLSTATE.invalidDatetimeFormat, 'invalid Date passed as a parameter');
  const base = `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  if (type.id === 'date') return base;
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  return type.id === 'timestamp' ? `${base} ${time}` : `${base} ${time}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function arrayToText(v: unknown[], elem: SqlType, ctx: FormatContext): string {
  const items = v.map((x) => {
    if (x === null || x === undefined) return 'NULL';
    if (Array.isArray(x)) return arrayToText(x, elem, ctx);
    const s = jsToText(x, elem, ctx);
    return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${items.join(',')}}`;
}

function jsToText(v: unknown, type: SqlType, ctx: FormatContext): string {
  if (v instanceof Date) return dateToText(v, type);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (Array.isArray(v)) return arrayToText(v, type.elem ?? T.text, ctx);
  if (typeof v === 'object' && v !== null) {
    if (typeof (v as { toPostgres?: unknown }).toPostgres === 'function') return String((v as { toPostgres: () => unknown }).toPostgres());
    return JSON.stringify(v);
  }
  return String(v);
}

export function paramToValue(v: unknown, type: SqlType | undefined, ctx: FormatContext): Value {
  if (v === null || v === undefined) return null;
  const t = type && type.id !== 'unknown' ? type : T.text;
  if (typeof v === 'number' && physicalKind(t) === 'number' && (t.id === 'float8' || t.id === 'float4')) return v;
  if (typeof v === 'boolean' && t.id === 'bool') return v;
  if (v instanceof Date && t.id === 'timestamptz') {
    const ms = v.getTime();
    if (Number.isNaN(ms)) throw new SqlError(SQLSTATE.invalidDatetimeFormat, 'invalid Date passed as a parameter');
    return ms * 1000;
  }
  return parseText(t, jsToText(v, t, ctx), ctx);
}

export function convertParams(values: readonly unknown[], types: readonly (SqlType | undefined)[], ctx: FormatContext): Value[] {
  const n = Math.max(values.length, types.length);
  const out: Value[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = paramToValue(values[i], types[i], ctx);
  return out;
}

export { formatText };
