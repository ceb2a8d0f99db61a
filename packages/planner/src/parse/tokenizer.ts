/**
 * PostgreSQL lexical rules (scan.l), reduced to what Strata needs. Every token keeps
 * its 0-based [start, end) span in the full query text so that error positions and
 * AST positions can be reported exactly as PostgreSQL would.
 */
import { SqlError } from '../../../storage/src/errors.js';

export type TokenKind = 'ident' | 'string' | 'number' | 'param' | 'op' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /**
   * ident: case-folded name (unquoted → lower case); string: decoded contents;
   * number: source text; param: the digits; op / punct: the symbol.
   */
  value: string;
  /** ident: written in double quotes (never a keyword). */
  quoted?: boolean;
  /** string: a B'…' / X'…' bit-string constant; value holds the binary digits. */
  bits?: boolean;
  /** number: true when written without '.' or exponent (PostgreSQL's ICONST). */
  integer?: boolean;
  /** ident: the name as written when it was longer than NAMEDATALEN - 1 bytes (value is truncated). */
  truncatedFrom?: string;
  start: number;
  end: number;
}

const OP_CHARS = new Set('~!@#^&|`?+-*/%<>='.split(''));
/** An operator may end in + or - only if it contains one of these (scan.l). */
const OP_SPECIAL = /[~!@#^&|`?%]/;

/** PostgreSQL's NAMEDATALEN - 1: longer identifiers are truncated (with a NOTICE) as they are read. */
export const MAX_IDENTIFIER_BYTES = 63;

const utf8 = new TextEncoder();

/** The longest prefix of `name` within `maxBytes` of UTF-8 that does not split a character (pg_mbcliplen). */
export function clipUtf8(name: string, maxBytes: number): string {
  // at most 3 bytes per UTF-16 unit (4 per surrogate pair): short names fit without encoding
  if (name.length * 3 <= maxBytes) return name;
  const bytes = utf8.encode(name);
  if (bytes.length <= maxBytes) return name;
  let end = maxBytes;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.subarray(0, end));
}

/** An identifier as PostgreSQL keeps it: at most MAX_IDENTIFIER_BYTES. */
export function truncateIdentifier(name: string): string {
  return clipUtf8(name, MAX_IDENTIFIER_BYTES);
}

function identToken(value: string, quoted: boolean, start: number, end: number): Token {
  const truncated = truncateIdentifier(value);
  const token: Token = { kind: 'ident', value: truncated, start, end };
  if (quoted) token.quoted = true;
  if (truncated !== value) token.truncatedFrom = value;
  return token;
}

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c > '\x7f';
}
function isIdentChar(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9') || c === '$';
}
function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function lexError(text: string, pos: number, message: string): SqlError {
  return new SqlError('42601', message, { position: pos + 1 });
}

/** Tokenize a whole query string; the result always ends with one 'eof' token. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i]!;
    // whitespace
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    // -- comment
    if (c === '-' && text[i + 1] === '-') {
      while (i < n && text[i] !== '\n' && text[i] !== '\r') i++;
      continue;
    }
    // nested /* */ comment
    if (c === '/' && text[i + 1] === '*') {
      const start = i;
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') { depth++; i += 2; }
        else if (text[i] === '*' && text[i + 1] === '/') { depth--; i += 2; }
        else i++;
      }
      if (depth > 0) throw lexError(text, start, 'unterminated /* comment at or near "' + text.slice(start) + '"');
      continue;
    }
    const start = i;
    // E'…' escape strings, N'…', B'…'/X'…' treated as plain strings
    if ((c === 'e' || c === 'E') && text[i + 1] === "'") {
      const [value, end] = readEscapeString(text, i + 1);
      out.push({ kind: 'string', value, start, end });
      i = end;
      continue;
    }
    if ((c === 'b' || c === 'B' || c === 'x' || c === 'X') && text[i + 1] === "'") {
      // bit-string constant: B'101', X'1F' (kept as the binary digits, typed by the parser)
      const [raw, end] = readQuoted(text, i + 1, "'");
      const hex = c === 'x' || c === 'X';
      if (!(hex ? /^[0-9a-fA-F]*$/ : /^[01]*$/).test(raw)) {
        throw lexError(text, start, `"${raw}" is not a valid ${hex ? 'hexadecimal' : 'binary'} digit`);
      }
      const value = hex ? [...raw].map((h) => parseInt(h, 16).toString(2).padStart(4, '0')).join('') : raw;
      out.push({ kind: 'string', value, bits: true, start, end });
      i = end;
      continue;
    }
    if ((c === 'u' || c === 'U') && text[i + 1] === '&' && (text[i + 2] === "'" || text[i + 2] === '"')) {
      throw new SqlError('0A000', 'Unicode escape strings (U&) are not supported', { position: start + 1 });
    }
    if ((c === 'n' || c === 'N') && text[i + 1] === "'") {
      const [value, end] = readQuoted(text, i + 1, "'");
      out.push({ kind: 'string', value, start, end });
      i = end;
      continue;
    }
    if (c === "'") {
      const [value, end] = readQuoted(text, i, "'");
      out.push({ kind: 'string', value, start, end });
      i = end;
      continue;
    }
    if (c === '"') {
      const [value, end] = readQuoted(text, i, '"');
      if (value === '') throw lexError(text, start, 'zero-length delimited identifier at or near """"');
      out.push(identToken(value, true, start, end));
      i = end;
      continue;
    }
    if (c === '$') {
      // $1 parameter
      if (isDigit(text[i + 1])) {
        let j = i + 1;
        while (isDigit(text[j])) j++;
        out.push({ kind: 'param', value: text.slice(i + 1, j), start, end: j });
        i = j;
        continue;
      }
      // $tag$ … $tag$ dollar quoting
      let j = i + 1;
      if (text[j] === '$' || (j < n && isIdentStart(text[j]!))) {
        while (j < n && text[j] !== '$' && isIdentChar(text[j]!)) j++;
        if (text[j] === '$') {
          const tag = text.slice(i, j + 1);
          const close = text.indexOf(tag, j + 1);
          if (close < 0) throw lexError(text, start, 'unterminated dollar-quoted string at or near "' + text.slice(start) + '"');
          out.push({ kind: 'string', value: text.slice(j + 1, close), start, end: close + tag.length });
          i = close + tag.length;
          continue;
        }
      }
      throw lexError(text, start, 'syntax error at or near "$"');
    }
    if (isDigit(c) || (c === '.' && isDigit(text[i + 1]))) {
      let j = i;
      let integer = true;
      while (isDigit(text[j])) j++;
      // `1..5` is not a number followed by `.5` in PostgreSQL either; keep it simple
      if (text[j] === '.' && text[j + 1] !== '.') {
        integer = false;
        j++;
        while (isDigit(text[j])) j++;
      }
      if ((text[j] === 'e' || text[j] === 'E') && (isDigit(text[j + 1]) || ((text[j + 1] === '+' || text[j + 1] === '-') && isDigit(text[j + 2])))) {
        integer = false;
        j += 2;
        while (isDigit(text[j])) j++;
      }
      if (j < n && isIdentStart(text[j]!)) {
        throw lexError(text, start, `trailing junk after numeric literal at or near "${text.slice(start, j + 1)}"`);
      }
      out.push({ kind: 'number', value: text.slice(i, j), integer, start, end: j });
      i = j;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentChar(text[j]!)) j++;
      out.push(identToken(text.slice(i, j).toLowerCase(), false, start, j));
      i = j;
      continue;
    }
    if (c === ':') {
      if (text[i + 1] === ':') { out.push({ kind: 'punct', value: '::', start, end: i + 2 }); i += 2; continue; }
      if (text[i + 1] === '=') { out.push({ kind: 'punct', value: ':=', start, end: i + 2 }); i += 2; continue; }
      out.push({ kind: 'punct', value: ':', start, end: i + 1 });
      i++;
      continue;
    }
    if ('(),;[].'.includes(c)) {
      out.push({ kind: 'punct', value: c, start, end: i + 1 });
      i++;
      continue;
    }
    if (OP_CHARS.has(c)) {
      let j = i;
      while (j < n && OP_CHARS.has(text[j]!)) {
        // a comment start ends the operator
        if ((text[j] === '-' && text[j + 1] === '-') || (text[j] === '/' && text[j + 1] === '*')) break;
        j++;
      }
      if (j === i) j = i + 1; // lone '-' of '--' cannot happen (handled above), but be safe
      let op = text.slice(i, j);
      if (op.length > 1 && !OP_SPECIAL.test(op)) {
        while (op.length > 1 && (op.endsWith('+') || op.endsWith('-'))) op = op.slice(0, -1);
      }
      const end = i + op.length;
      if (op === '=>') out.push({ kind: 'punct', value: '=>', start, end });
      else out.push({ kind: 'op', value: op === '!=' ? '<>' : op, start, end });
      i = end;
      continue;
    }
    throw lexError(text, start, `syntax error at or near "${c}"`);
  }
  out.push({ kind: 'eof', value: '', start: n, end: n });
  return out;
}

/** '…' or "…" with doubled-quote escapes; returns [contents, end]. */
function readQuoted(text: string, open: number, q: string): [string, number] {
  let i = open + 1;
  let value = '';
  for (;;) {
    const close = text.indexOf(q, i);
    if (close < 0) {
      const what = q === "'" ? 'unterminated quoted string' : 'unterminated quoted identifier';
      throw lexError(text, open, `${what} at or near "${text.slice(open)}"`);
    }
    value += text.slice(i, close);
    if (text[close + 1] === q) {
      value += q;
      i = close + 2;
      continue;
    }
    // PostgreSQL joins 'a'\n'b' (separated by whitespace containing a newline) into one literal
    if (q === "'") {
      let j = close + 1;
      let newline = false;
      for (let c = text[j]; c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f'; c = text[++j]) {
        if (c === '\n') newline = true;
      }
      if (newline && text[j] === "'") {
        i = j + 1;
        continue;
      }
    }
    return [value, close + 1];
  }
}

/** E'…' with backslash escapes; `quoteAt` is the index of the opening quote. */
function readEscapeString(text: string, quoteAt: number): [string, number] {
  let i = quoteAt + 1;
  let value = '';
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'") {
      if (text[i + 1] === "'") { value += "'"; i += 2; continue; }
      return [value, i + 1];
    }
    if (c !== '\\') { value += c; i++; continue; }
    const d = text[i + 1];
    i += 2;
    switch (d) {
      case 'b': value += '\b'; break;
      case 'f': value += '\f'; break;
      case 'n': value += '\n'; break;
      case 'r': value += '\r'; break;
      case 't': value += '\t'; break;
      case 'x': {
        const m = /^[0-9a-fA-F]{1,2}/.exec(text.slice(i, i + 2));
        if (m) { value += String.fromCharCode(parseInt(m[0], 16)); i += m[0].length; } else value += 'x';
        break;
      }
      case 'u':
      case 'U': {
        const len = d === 'u' ? 4 : 8;
        const hex = text.slice(i, i + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) {
          throw new SqlError('22025', 'invalid Unicode escape', { position: i - 1 });
        }
        value += String.fromCodePoint(parseInt(hex, 16));
        i += len;
        break;
      }
      default:
        if (d !== undefined && d >= '0' && d <= '7') {
          const m = /^[0-7]{1,3}/.exec(text.slice(i - 1, i + 2))!;
          value += String.fromCharCode(parseInt(m[0], 8));
          i += m[0].length - 1;
        } else if (d !== undefined) value += d;
    }
  }
  throw lexError(text, quoteAt - 1, `unterminated quoted string at or near "${text.slice(quoteAt - 1)}"`);
}
