/**
 * Pattern compilation for LIKE, SIMILAR TO and POSIX regular expressions.
 * PostgreSQL's ARE dialect is translated to a JS RegExp for the commonly used
 * subset: POSIX bracket classes, \m \M \y \Y \A \Z, embedded options, and the
 * escapes JS's unicode mode rejects. Compiled patterns are cached.
 */
import { SqlError, SQLSTATE } from '../errors.js';

const CLASSES: Record<string, string> = {
  alpha: '\\p{L}', digit: '0-9', alnum: '\\p{L}\\p{Nd}', upper: '\\p{Lu}', lower: '\\p{Ll}',
  space: '\\s', blank: ' \\t', punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9A-Fa-f', word: '\\w',
  cntrl: '\\x00-\\x1f\\x7f', print: '\\x20-\\x7e\\u00a0-\\uffff', graph: '\\x21-\\x7e\\u00a1-\\uffff',
};

const SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));

function invalidRegex(msg: string): SqlError {
  return new SqlError(SQLSTATE.invalidRegularExpression, `invalid regular expression: ${msg}`);
}

function escapeChar(c: string): string {
  return SYNTAX.has(c) ? '\\' + c : /[A-Za-z0-9]/.test(c) ? c : `\\u{${c.codePointAt(0)!.toString(16)}}`;
}

export interface RegexOptions {
  caseInsensitive: boolean;
  /** 'n' flag: newline-sensitive matching (. and [^] exclude \n, ^ $ match at line ends) */
  newline: boolean;
  expanded: boolean;
}

/** Translate an ARE to JS source; may update options from embedded (?flags). */
export function translateRegex(src: string, opts: RegexOptions): string {
  let i = 0;
  if (src.startsWith('***=')) return Array.from(src.slice(4), escapeChar).join('');
  if (src.startsWith('***:')) i = 4;
  const em = /^\(\?([bceimnpqstwx]+)\)/.exec(src.slice(i));
  if (em) {
    for (const f of em[1]!) applyFlag(f, opts);
    i += em[0].length;
  }
  let out = '';
  const chars = Array.from(src.slice(i));
  for (let k = 0; k < chars.length; k++) {
    const c = chars[k]!;
    if (opts.expanded) {
      if (/\s/.test(c)) continue;
      if (c === '#') {
        while (k < chars.length && chars[k] !== '\n') k++;
        continue;
      }
    }
    if (c === '\\') {
      const d = chars[++k];
      if (d === undefined) throw invalidRegex('invalid escape \\ sequence');
      switch (d) {
        case 'm': case 'y': out += '\\b'; break;
        case 'M': out += '\\b'; break;
        case 'Y': out += '\\B'; break;
        case 'A': out += '^'; break;
        case 'Z': out += '$'; break;
        case 'd': case 'D': case 's': case 'S': case 'w': case 'W': case 'b': case 'B':
        case 'n': case 't': case 'r': case 'f': case 'v':
          out += '\\' + d; break;
        case 'x': case 'u': case 'U': {
          let hex = '';
          while (k + 1 < chars.length && /[0-9a-fA-F]/.test(chars[k + 1]!) && hex.length < (d === 'u' ? 4 : 8)) hex += chars[++k];
          out += `\\u{${hex || '0'}}`;
          break;
        }
        default:
          if (/[1-9]/.test(d)) out += '\\' + d;
          else out += escapeChar(d);
      }
      continue;
    }
    if (c === '[') {
      let k2 = k + 1;
      let cls = '[';
      if (chars[k2] === '^') {
        cls += '^';
        k2++;
      }
      if (chars[k2] === ']') {
        cls += '\\]';
        k2++;
      }
      for (; k2 < chars.length && chars[k2] !== ']'; k2++) {
        const e = chars[k2]!;
        if (e === '[' && chars[k2 + 1] === ':') {
          const end = chars.indexOf(':', k2 + 2);
          const name = chars.slice(k2 + 2, end).join('');
          if (end < 0 || chars[end + 1] !== ']' || !(name in CLASSES)) throw invalidRegex('invalid character class');
          cls += CLASSES[name];
          k2 = end + 1;
        } else if (e === '\\') {
          const d = chars[++k2];
          if (d === undefined) throw invalidRegex('brackets [] not balanced');
          cls += /[dDsSwWntrfv]/.test(d) ? '\\' + d : d === '-' ? '\\-' : escapeChar(d);
        } else if (e === '-' ) {
          cls += '-';
        } else cls += e === '[' || e === '/' || e === '{' || e === '}' || e === '(' || e === ')' || e === '|' ? '\\' + e : e;
      }
      if (k2 >= chars.length) throw invalidRegex('brackets [] not balanced');
      out += cls + ']';
      k = k2;
      continue;
    }
    if (c === '.' && opts.newline) {
      out += '[^\\n]';
      continue;
    }
    if (c === '{' && !/^\{\d+(,\d*)?\}/.test(chars.slice(k, k + 12).join(''))) {
      out += '\\{';
      continue;
    }
    if (c === '}' ) {
      // a '}' closing a valid quantifier was copied with it below; a lone one is literal
      out += '\\}';
      continue;
    }
    if (c === '{') {
      const m = /^\{\d+(,\d*)?\}/.exec(chars.slice(k, k + 12).join(''))!;
      out += m[0];
      k += m[0].length - 1;
      continue;
    }
    out += c === '/' ? '\\/' : c;
  }
  return out;
}

function applyFlag(f: string, o: RegexOptions): void {
  switch (f) {
    case 'i': o.caseInsensitive = true; break;
    case 'c': o.caseInsensitive = false; break;
    case 'n': case 'm': case 'w': o.newline = true; break;
    case 'p': o.newline = true; break;
    case 's': o.newline = false; break;
    case 'x': o.expanded = true; break;
    case 't': o.expanded = false; break;
    case 'g': case 'b': case 'e': case 'q': break;
    default: throw new SqlError(SQLSTATE.invalidParameterValue, `invalid regular expression option: "${f}"`);
  }
}

const cache = new Map<string, RegExp>();

/** Compile an ARE with PostgreSQL flag letters (g is reported separately by the caller). */
export function compileRegex(pattern: string, flags = '', extraJsFlags = ''): RegExp {
  const key = `${flags}\u0000${extraJsFlags}\u0000${pattern}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const opts: RegexOptions = { caseInsensitive: false, newline: false, expanded: false };
  for (const f of flags) applyFlag(f, opts);
  const src = translateRegex(pattern, opts);
  let re: RegExp;
  try {
    re = new RegExp(src, 'u' + (opts.caseInsensitive ? 'i' : '') + (opts.newline ? 'm' : 's') + extraJsFlags);
  } catch (e) {
    throw invalidRegex((e as Error).message.replace(/^Invalid regular expression: /, ''));
  }
  if (cache.size > 2000) cache.clear();
  cache.set(key, re);
  return re;
}

// ---- LIKE -------------------------------------------------------------------------------

export type Matcher = (s: string) => boolean;
const likeCache = new Map<string, Matcher>();

/** LIKE / ILIKE pattern (backslash escapes) → predicate; simple shapes avoid RegExp entirely. */
export function compileLike(pattern: string, ci: boolean): Matcher {
  const key = (ci ? 'i' : 'c') + pattern;
  const hit = likeCache.get(key);
  if (hit) return hit;
  let re = '';
  let literal = '';
  // wildcards are marked with a NUL, which text values cannot contain, so an escaped % stays literal
  const ANY = '\u0000%';
  const ONE = '\u0000_';
  const pieces: string[] = [];
  const cps = Array.from(pattern);
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (c === '\\') {
      if (i + 1 >= cps.length) {
        // PostgreSQL complains only when matching reaches the dangling escape with text left over
        const head = compileLike(cps.slice(0, i).join(''), ci);
        const prefix = new RegExp('^' + likeSource(cps.slice(0, i).join('')) + '[\\s\\S]', ci ? 'isu' : 'su');
        const m: Matcher = (s) => {
          if (prefix.test(s)) throw new SqlError(SQLSTATE.invalidEscapeSequence, 'LIKE pattern must not end with escape character');
          return head(s) && false;
        };
        likeCache.set(key, m);
        return m;
      }
      literal += cps[++i];
    } else if (c === '%' || c === '_') {
      if (literal) pieces.push(literal);
      literal = '';
      if (!(c === '%' && pieces[pieces.length - 1] === ANY)) pieces.push(c === '%' ? ANY : ONE);
    } else literal += c;
  }
  if (literal) pieces.push(literal);
  let m: Matcher;
  const lit = (p: string | undefined) => p !== undefined && p !== ANY && p !== ONE;
  if (!ci && pieces.length === 0) m = (s) => s === '';
  else if (!ci && pieces.length === 1 && lit(pieces[0])) m = (s) => s === pieces[0];
  else if (!ci && pieces.length === 1 && pieces[0] === ANY) m = () => true;
  else if (!ci && pieces.length === 2 && lit(pieces[0]) && pieces[1] === ANY) {
    const p = pieces[0]!;
    m = (s) => s.startsWith(p);
  } else if (!ci && pieces.length === 2 && pieces[0] === ANY && lit(pieces[1])) {
    const p = pieces[1]!;
    m = (s) => s.endsWith(p);
  } else if (!ci && pieces.length === 3 && pieces[0] === ANY && lit(pieces[1]) && pieces[2] === ANY) {
    const p = pieces[1]!;
    m = (s) => s.includes(p);
  } else {
    for (const p of pieces) re += p === ANY ? '.*' : p === ONE ? '.' : Array.from(p, escapeChar).join('');
    const rx = new RegExp(`^${re}$`, ci ? 'isu' : 'su');
    m = (s) => rx.test(s);
  }
  if (likeCache.size > 2000) likeCache.clear();
  likeCache.set(key, m);
  return m;
}

/** Regex source of a (well-formed) LIKE pattern, unanchored. */
function likeSource(pattern: string): string {
  let out = '';
  const cps = Array.from(pattern);
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (c === '\\') out += escapeChar(cps[++i] ?? '');
    else out += c === '%' ? '.*' : c === '_' ? '.' : escapeChar(c);
  }
  return out;
}

/** like_escape(pattern, esc): rewrite a pattern with a custom escape character to backslash escapes. */
export function likeEscape(pattern: string, esc: string): string {
  const e = Array.from(esc);
  if (e.length > 1) throw new SqlError(SQLSTATE.invalidEscapeSequence, 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
  let out = '';
  const cps = Array.from(pattern);
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (e.length === 0) out += c === '\\' ? '\\\\' : c;
    else if (c === e[0]) {
      if (i + 1 >= cps.length) throw new SqlError(SQLSTATE.invalidEscapeSequence, 'LIKE pattern must not end with escape character');
      const d = cps[++i]!;
      out += '\\' + d;
    } else if (c === '\\') out += '\\\\';
    else out += c;
  }
  return out;
}

/** similar_to_escape: SIMILAR TO pattern → POSIX regex string, as PostgreSQL's similar_escape. */
export function similarToRegex(pattern: string, esc: string | null): string {
  const e = esc === null ? '\\' : esc;
  if (Array.from(e).length > 1) throw new SqlError(SQLSTATE.invalidEscapeSequence, 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
  let out = '^(?:';
  let inBracket = false;
  let afterEscape = false;
  for (const c of pattern) {
    if (afterEscape) {
      out += c === '"' ? '' : '\\' + c; // escaped double quote separates the substring() parts; not supported here
      afterEscape = false;
    } else if (e !== '' && c === e) afterEscape = true;
    else if (inBracket) {
      if (c === ']') inBracket = false;
      out += c === '\\' ? '\\\\' : c;
    } else if (c === '[') {
      inBracket = true;
      out += c;
    } else if (c === '%') out += '.*';
    else if (c === '_') out += '.';
    else if (c === '(') out += '(?:';
    else if (c === '\\' || c === '.' || c === '^' || c === '$') out += '\\' + c;
    else out += c;
  }
  return out + ')$';
}
