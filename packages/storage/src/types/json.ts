/**
 * json / jsonb text handling: validation (json keeps its text), and jsonb's
 * normalised output: `{"a": 1, "b": [1, 2]}`, keys ordered by length then
 * bytes, duplicate keys → last wins, numbers printed with numeric semantics.
 */
import { SqlError, SQLSTATE } from '../errors.js';
import { Decimal } from './numeric.js';

function invalidJson(detail?: string, _type = 'json'): SqlError {
  return new SqlError(SQLSTATE.invalidTextRepresentation, 'invalid input syntax for type json', detail ? { detail } : {});
}

/** Parsed jsonb tree (numbers kept as normalised numeric text). */
export type JsonbValue = null | boolean | string | JsonbNumber | JsonbValue[] | JsonbObject;
export class JsonbNumber {
  constructor(readonly text: string) {}
}
export class JsonbObject {
  /** entries in jsonb order (length, then bytes), unique keys */
  constructor(readonly entries: [string, JsonbValue][]) {}
}

const encoder = new TextEncoder();
/** jsonb key order: shorter first, then bytewise (UTF-8). */
export function compareJsonbKeys(a: string, b: string): number {
  const ab = encoder.encode(a);
  const bb = encoder.encode(b);
  if (ab.length !== bb.length) return ab.length - bb.length;
  for (let i = 0; i < ab.length; i++) if (ab[i] !== bb[i]) return ab[i]! - bb[i]!;
  return 0;
}

class Parser {
  i = 0;
  constructor(
    readonly s: string,
    readonly type: string,
  ) {}

  fail(): never {
    const rest = this.s.slice(this.i);
    if (rest.trim() === '') throw invalidJson('The input string ended unexpectedly.', this.type);
    const tok = /^[A-Za-z0-9_.+-]+|^./s.exec(rest)![0];
    throw invalidJson(`Token "${tok}" is invalid.`, this.type);
  }
  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }
  value(): JsonbValue {
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const [w, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.s.startsWith(w, this.i)) {
        const after = this.s[this.i + w.length];
        if (after === undefined || !/[A-Za-z0-9_]/.test(after)) {
          this.i += w.length;
          return v;
        }
      }
    }
    return this.fail();
  }
  object(): JsonbObject {
    this.i++;
    const map = new Map<string, JsonbValue>();
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return new JsonbObject([]);
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail();
      const k = this.string();
      this.ws();
      if (this.s[this.i] !== ':') this.fail();
      this.i++;
      const v = this.value();
      map.delete(k);
      map.set(k, v);
      this.ws();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === '}') {
        this.i++;
        break;
      }
      this.fail();
    }
    const entries = [...map.entries()].sort((a, b) => compareJsonbKeys(a[0], b[0]));
    return new JsonbObject(entries);
  }
  array(): JsonbValue[] {
    this.i++;
    const out: JsonbValue[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.ws();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === ']') {
        this.i++;
        return out;
      }
      this.fail();
    }
  }
  string(): string {
    const s = this.s;
    let i = this.i + 1;
    let out = '';
    let start = i;
    for (;;) {
      if (i >= s.length) throw invalidJson('The input string ended unexpectedly.', this.type);
      const c = s.charCodeAt(i);
      if (c === 34) break;
      if (c < 32) {
        this.i = i;
        throw invalidJson(`Character with value 0x${c.toString(16).padStart(2, '0')} must be escaped.`, this.type);
      }
      if (c === 92) {
        out += s.slice(start, i);
        const e = s[i + 1];
        switch (e) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            const hex = s.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw invalidJson('"\\u" must be followed by four hexadecimal digits.', this.type);
            const code = parseInt(hex, 16);
            if (code === 0 && this.type === 'jsonb')
              throw new SqlError('22P05', 'unsupported Unicode escape sequence', { detail: '\\u0000 cannot be converted to text.' });
            out += String.fromCharCode(code);
            i += 4;
            break;
          }
          default:
            this.i = i;
            throw invalidJson(`Escape sequence "\\${e ?? ''}" is invalid.`, this.type);
        }
        i += 2;
        start = i;
        continue;
      }
      i++;
    }
    out += s.slice(start, i);
    this.i = i + 1;
    return out;
  }
  number(): JsonbNumber {
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = this.i;
    const r = m.exec(this.s);
    if (!r) this.fail();
    const after = this.s[this.i + r[0].length];
    if (after !== undefined && /[A-Za-z0-9_.]/.test(after)) this.fail();
    this.i += r[0].length;
    return new JsonbNumber(r[0]);
  }
}

function parseTree(text: string, type: string): JsonbValue {
  const p = new Parser(text, type);
  const v = p.value();
  p.ws();
  if (p.i < text.length) p.fail();
  return v;
}

/** Validate json text (throws 22P02); returns the text unchanged. */
export function validateJson(text: string): string {
  parseTree(text, 'json');
  return text;
}

/** Escape a string as a JSON string literal the way PostgreSQL's escape_json does. */
export function escapeJsonString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 32 && c !== 34 && c !== 92) continue;
    out += s.slice(start, i);
    switch (c) {
      case 34: out += '\\"'; break;
      case 92: out += '\\\\'; break;
      case 8: out += '\\b'; break;
      case 12: out += '\\f'; break;
      case 10: out += '\\n'; break;
      case 13: out += '\\r'; break;
      case 9: out += '\\t'; break;
      default: out += '\\u' + c.toString(16).padStart(4, '0');
    }
    start = i + 1;
  }
  return out + s.slice(start) + '"';
}

export function jsonbToText(v: JsonbValue): string {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'string') return escapeJsonString(v);
  if (v instanceof JsonbNumber) return v.text;
  if (Array.isArray(v)) return '[' + v.map(jsonbToText).join(', ') + ']';
  return '{' + v.entries.map(([k, x]) => escapeJsonString(k) + ': ' + jsonbToText(x)).join(', ') + '}';
}

/** Parse jsonb text into a tree (numbers normalised as numeric output). */
export function parseJsonb(text: string): JsonbValue {
  return normaliseNumbers(parseTree(text, 'jsonb'));
}

function normaliseNumbers(v: JsonbValue): JsonbValue {
  if (v instanceof JsonbNumber) return new JsonbNumber(Decimal.parse(v.text).toString());
  if (Array.isArray(v)) return v.map(normaliseNumbers);
  if (v instanceof JsonbObject) return new JsonbObject(v.entries.map(([k, x]) => [k, normaliseNumbers(x)]));
  return v;
}

/** jsonb input → normalised jsonb text. */
export function normalizeJsonb(text: string): string {
  return jsonbToText(parseJsonb(text));
}
