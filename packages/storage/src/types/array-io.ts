/**
 * Array and record literals: `{1,2,3}`, `{"a b",NULL,"x\"y"}`, `(1,abc)`.
 */
import { SqlError, SQLSTATE } from '../errors.js';
import type { Value } from './values.js';

function isArraySpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Whether an array element needs double quotes (array_out's rules). */
function needsArrayQuote(s: string): boolean {
  if (s.length === 0) return true;
  if (s.length === 4 && s.toUpperCase() === 'NULL') return true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34 || c === 92 || c === 123 || c === 125 || c === 44 || isArraySpace(c)) return true;
  }
  return false;
}

function quoteArrayElem(s: string): string {
  if (!needsArrayQuote(s)) return s;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '"' || ch === '\\') out += '\\';
    out += ch;
  }
  return out + '"';
}

/** array_out: `fmt` formats one non-null element. Nested JS arrays become sub-arrays. */
export function formatArray(values: readonly Value[], fmt: (v: Value) => string): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const v = values[i]!;
    if (v === null) out += 'NULL';
    else if (Array.isArray(v)) out += formatArray(v, fmt);
    else out += quoteArrayElem(fmt(v));
  }
  return out + '}';
}

function malformed(text: string, detail: string): SqlError {
  return new SqlError(SQLSTATE.invalidTextRepresentation, `malformed array literal: "${text}"`, { detail });
}

/**
 * array_in: parses `{…}` (optionally preceded by `[lo:hi]=` dimensions, which
 * are ignored) into nested arrays; `parse` converts each non-null element text.
 */
export function parseArray(text: string, parse: (s: string) => Value): Value[] {
  let i = 0;
  const s = text;
  while (i < s.length && isArraySpace(s.charCodeAt(i))) i++;
  if (s[i] === '[') {
    const eq = s.indexOf('=', i);
    if (eq < 0) throw malformed(text, 'Missing "=" after array dimensions.');
    i = eq + 1;
    while (i < s.length && isArraySpace(s.charCodeAt(i))) i++;
  }
  if (s[i] !== '{') throw malformed(text, 'Array value must start with "{" or dimension information.');
  const pos = { i };
  const result = parseLevel(s, pos, parse, text);
  i = pos.i;
  while (i < s.length && isArraySpace(s.charCodeAt(i))) i++;
  if (i < s.length) throw malformed(text, 'Junk after closing right brace.');
  return result;
}

function parseLevel(s: string, pos: { i: number }, parse: (s: string) => Value, text: string): Value[] {
  let i = pos.i + 1; // after '{'
  const out: Value[] = [];
  let expectElem = true;
  for (;;) {
    while (i < s.length && isArraySpace(s.charCodeAt(i))) i++;
    if (i >= s.length) throw malformed(text, 'Unexpected end of input.');
    const c = s[i];
    if (c === '}') {
      if (expectElem && out.length > 0) throw malformed(text, 'Unexpected "}" character.');
      pos.i = i + 1;
      return out;
    }
    if (!expectElem) {
      if (c !== ',') throw malformed(text, `Unexpected "${c}" character.`);
      i++;
      expectElem = true;
      continue;
    }
    if (c === '{') {
      pos.i = i;
      out.push(parseLevel(s, pos, parse, text));
      i = pos.i;
    } else if (c === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= s.length) throw malformed(text, 'Unexpected end of input.');
        const ch = s[i]!;
        if (ch === '\\') {
          if (i + 1 >= s.length) throw malformed(text, 'Unexpected end of input.');
          v += s[i + 1];
          i += 2;
        } else if (ch === '"') {
          i++;
          break;
        } else {
          v += ch;
          i++;
        }
      }
      out.push(parse(v));
    } else if (c === ',') {
      throw malformed(text, 'Unexpected "," character.');
    } else {
      let v = '';
      let lastNonSpace = 0;
      let quotedAny = false;
      while (i < s.length) {
        const ch = s[i]!;
        if (ch === ',' || ch === '}') break;
        if (ch === '{' || ch === '"') throw malformed(text, `Unexpected "${ch}" character.`);
        if (ch === '\\') {
          if (i + 1 >= s.length) throw malformed(text, 'Unexpected end of input.');
          v += s[i + 1];
          i += 2;
          lastNonSpace = v.length;
          quotedAny = true;
          continue;
        }
        v += ch;
        if (!isArraySpace(ch.charCodeAt(0))) lastNonSpace = v.length;
        i++;
      }
      v = v.slice(0, lastNonSpace);
      if (!quotedAny && v.length === 4 && v.toUpperCase() === 'NULL') out.push(null);
      else out.push(parse(v));
    }
    expectElem = false;
  }
}

/** int2vectorout / oidvectorout: elements separated by single spaces, no braces (the elements are never NULL). */
export function formatVector(values: readonly Value[], fmt: (v: Value) => string): string {
  let out = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ' ';
    const v = values[i]!;
    out += v === null ? '0' : fmt(v);
  }
  return out;
}

/** int2vectorin / oidvectorin: whitespace-separated elements. */
export function parseVector(text: string, parse: (s: string) => Value): Value[] {
  const parts = text.split(/[ \t\n\r\v\f]+/).filter((p) => p.length > 0);
  return parts.map(parse);
}

/** record_out: `(1,abc,,"a b")` — NULL fields are empty; `fmt` formats field `i`'s non-null value. */
export function formatRecord(fields: readonly Value[], fmt: (v: Value, i: number) => string): string {
  let out = '(';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) out += ',';
    const v = fields[i]!;
    if (v === null) continue;
    const t = fmt(v, i);
    let quote = t.length === 0;
    for (let k = 0; k < t.length && !quote; k++) {
      const c = t.charCodeAt(k);
      if (c === 34 || c === 92 || c === 40 || c === 41 || c === 44 || isArraySpace(c)) quote = true;
    }
    if (!quote) out += t;
    else {
      out += '"';
      for (const ch of t) out += ch === '"' ? '""' : ch === '\\' ? '\\\\' : ch;
      out += '"';
    }
  }
  return out + ')';
}

/** record_in (fields as text; NULL for empty unquoted fields). */
export function parseRecord(text: string): (string | null)[] {
  const s = text.trim();
  if (s[0] !== '(') throw new SqlError(SQLSTATE.invalidTextRepresentation, `malformed record literal: "${text}"`, { detail: 'Missing left parenthesis.' });
  const out: (string | null)[] = [];
  let i = 1;
  for (;;) {
    let v = '';
    let quoted = false;
    while (i < s.length && s[i] !== ',' && s[i] !== ')') {
      const ch = s[i]!;
      if (ch === '"') {
        quoted = true;
        i++;
        while (i < s.length) {
          if (s[i] === '"' && s[i + 1] === '"') {
            v += '"';
            i += 2;
          } else if (s[i] === '"') {
            i++;
            break;
          } else if (s[i] === '\\') {
            v += s[i + 1] ?? '';
            i += 2;
          } else v += s[i++];
        }
      } else if (ch === '\\') {
        v += s[i + 1] ?? '';
        i += 2;
      } else v += s[i++];
    }
    out.push(!quoted && v === '' ? null : v);
    if (i >= s.length) throw new SqlError(SQLSTATE.invalidTextRepresentation, `malformed record literal: "${text}"`, { detail: 'Unexpected end of input.' });
    if (s[i] === ')') {
      if (i !== s.length - 1) throw new SqlError(SQLSTATE.invalidTextRepresentation, `malformed record literal: "${text}"`, { detail: 'Junk after right parenthesis.' });
      return out;
    }
    i++;
  }
}
