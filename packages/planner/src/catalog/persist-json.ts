/**
 * Tagged JSON for catalog images. Plain data (plain objects, arrays, strings,
 * booleans, null, finite numbers) is written as JSON; the values JSON cannot
 * carry exactly get a one-key tag object:
 *
 *   NaN, Infinity, -Infinity, -0   →  {"$num": "NaN" | "Infinity" | "-Infinity" | "-0"}
 *   numeric (Decimal)              →  {"$numeric": "<numeric_out text, display scale kept>"}
 *
 * A plain object key that starts with '$' is written with one more '$', so a
 * tag can never be confused with data. Interval values are plain objects and
 * need no tag. Encoding refuses anything else (class instances, functions,
 * bigint, symbols, cycles, holes): a catalog object that cannot be imaged must
 * fail when the image is written, not come back subtly different after a restart.
 * A key holding `undefined` is left out, as JSON.stringify does.
 */
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { Decimal } from '../../../storage/src/types/numeric.js';

/** PostgreSQL's data_corrupted: a catalog image that cannot be read. */
export const DATA_CORRUPTED = 'XX001';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const NUMBER_TAG = '$num';
const NUMERIC_TAG = '$numeric';

export function corrupted(message: string): SqlError {
  return new SqlError(DATA_CORRUPTED, `invalid catalog image: ${message}`);
}

function unimageable(path: string, what: string): SqlError {
  return new SqlError(SQLSTATE.internalError, `cannot write catalog image: ${what} at ${path}`);
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** obj[key] = value, also for the key "__proto__" (which plain assignment would take as the prototype). */
function setOwn(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function encodeNumber(n: number): Json {
  if (Number.isNaN(n)) return { [NUMBER_TAG]: 'NaN' };
  if (n === Infinity) return { [NUMBER_TAG]: 'Infinity' };
  if (n === -Infinity) return { [NUMBER_TAG]: '-Infinity' };
  if (Object.is(n, -0)) return { [NUMBER_TAG]: '-0' };
  return n;
}

/** Keys from the root to the value being walked; turned into text only for an error message. */
type PathStack = (string | number)[];

function pathText(stack: PathStack): string {
  return `$${stack.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')}`;
}

/** Plain data → JSON-safe data with tags; errors name the path of what cannot be imaged. */
export function encodeTagged(v: unknown): Json {
  return encodeValue(v, [], new Set());
}

function encodeValue(v: unknown, stack: PathStack, ancestors: Set<object>): Json {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return encodeNumber(v);
    case 'object':
      break;
    default:
      throw unimageable(pathText(stack), `a ${typeof v}`);
  }
  if (v === null) return null;
  if (v instanceof Decimal) return { [NUMERIC_TAG]: v.toString() };
  if (ancestors.has(v)) throw unimageable(pathText(stack), 'a cycle');
  ancestors.add(v);
  let out: Json;
  if (Array.isArray(v)) {
    const items: Json[] = new Array<Json>(v.length);
    for (let i = 0; i < v.length; i++) {
      stack.push(i);
      if (!(i in v) || v[i] === undefined) throw unimageable(pathText(stack), 'an array hole');
      items[i] = encodeValue(v[i], stack, ancestors);
      stack.pop();
    }
    out = items;
  } else if (isPlainObject(v)) {
    const obj: { [key: string]: Json } = {};
    for (const key of Object.keys(v)) {
      const value = (v as Record<string, unknown>)[key];
      if (value === undefined) continue;
      stack.push(key);
      const encoded = encodeValue(value, stack, ancestors);
      stack.pop();
      if (key.charCodeAt(0) === 36 /* $ */ || key === '__proto__') setOwn(obj, key.charCodeAt(0) === 36 ? `$${key}` : key, encoded);
      else obj[key] = encoded;
    }
    out = obj;
  } else {
    throw unimageable(pathText(stack), `an instance of ${(v.constructor as { name?: string } | undefined)?.name ?? 'a class'}`);
  }
  ancestors.delete(v);
  return out;
}

function decodeNumberTag(text: unknown, stack: PathStack): number {
  switch (text) {
    case 'NaN': return NaN;
    case 'Infinity': return Infinity;
    case '-Infinity': return -Infinity;
    case '-0': return -0;
    default: throw corrupted(`${pathText(stack)}: unknown number tag ${JSON.stringify(text)}`);
  }
}

function decodeNumericTag(text: unknown, stack: PathStack): Decimal {
  if (typeof text !== 'string') throw corrupted(`${pathText(stack)}: numeric tag is not a string`);
  try {
    return Decimal.parse(text);
  } catch {
    throw corrupted(`${pathText(stack)}: bad numeric ${JSON.stringify(text)}`);
  }
}

/** The inverse of encodeTagged over parsed JSON (which it rewrites in place: tags become values, '$$' keys lose a '$'). */
export function decodeTagged(v: unknown): unknown {
  return decodeValue(v, []);
}

function decodeValue(v: unknown, stack: PathStack): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (x !== null && typeof x === 'object') {
        stack.push(i);
        v[i] = decodeValue(x, stack);
        stack.pop();
      }
    }
    return v;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === NUMBER_TAG) return decodeNumberTag(o[NUMBER_TAG], stack);
  if (keys.length === 1 && keys[0] === NUMERIC_TAG) return decodeNumericTag(o[NUMERIC_TAG], stack);
  let escaped = false;
  for (const key of keys) {
    if (key.charCodeAt(0) === 36 /* $ */) {
      if (key.charCodeAt(1) !== 36) throw corrupted(`${pathText(stack)}: unknown tag "${key}"`);
      escaped = true;
    }
    const x = o[key];
    if (x !== null && typeof x === 'object') {
      stack.push(key);
      const decoded = decodeValue(x, stack);
      if (key === '__proto__') setOwn(o, key, decoded);
      else o[key] = decoded;
      stack.pop();
    }
  }
  if (!escaped) return o;
  // rebuild to unescape the '$$' keys in their original order
  const out: Record<string, unknown> = {};
  for (const key of keys) setOwn(out, key.charCodeAt(0) === 36 ? key.slice(1) : key, o[key]);
  return out;
}

/** JSON text → decoded data; a syntax error is data corruption. */
export function parseTagged(text: string): unknown {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw corrupted(`not JSON (${(e as Error).message})`);
  }
  return decodeTagged(json);
}

// ---- reading a decoded image: every accessor names the path of what is wrong

export type Fields = Record<string, unknown>;

export function record(v: unknown, path: string): Fields {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw corrupted(`${path}: expected an object`);
  return v as Fields;
}

export function list(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw corrupted(`${path}: expected an array`);
  return v;
}

export function num(o: Fields, key: string, path: string): number {
  const v = o[key];
  if (typeof v !== 'number') throw corrupted(`${path}.${key}: expected a number`);
  return v;
}

export function int(o: Fields, key: string, path: string): number {
  const v = num(o, key, path);
  if (!Number.isSafeInteger(v)) throw corrupted(`${path}.${key}: expected an integer, got ${v}`);
  return v;
}

export function str(o: Fields, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw corrupted(`${path}.${key}: expected a string`);
  return v;
}

export function bool(o: Fields, key: string, path: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw corrupted(`${path}.${key}: expected a boolean`);
  return v;
}

export function optStr(o: Fields, key: string, path: string): string | undefined {
  return o[key] === undefined ? undefined : str(o, key, path);
}

export function strings(o: Fields, key: string, path: string): string[] {
  return list(o[key], `${path}.${key}`).map((v, i) => {
    if (typeof v !== 'string') throw corrupted(`${path}.${key}[${i}]: expected a string`);
    return v;
  });
}

export function ints(o: Fields, key: string, path: string): number[] {
  return list(o[key], `${path}.${key}`).map((v, i) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw corrupted(`${path}.${key}[${i}]: expected an integer`);
    return v;
  });
}

export function oneOf<T extends string>(o: Fields, key: string, path: string, allowed: readonly T[]): T {
  const v = str(o, key, path);
  if (!(allowed as readonly string[]).includes(v)) throw corrupted(`${path}.${key}: unexpected ${JSON.stringify(v)}`);
  return v as T;
}
