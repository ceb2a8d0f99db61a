/** String functions. Positions and lengths count characters (code points), as PostgreSQL does in UTF-8. */
import { createHash } from 'node:crypto';
import { SqlError, SQLSTATE } from '../errors.js';
import type { SqlType } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import type { EvalContext } from '../expr/expr.js';
import { alias, fn, type ScalarFn } from './catalog.js';
import { formatValue } from './deps.js';
import { compileRegex } from './regex.js';
import { charLength, chars, hasAstral, rtrimSpaces } from './util.js';
import { stringMap } from './vector-kernels.js';

const S = (v: Value): string => v as string;
const I = (v: Value): number => v as number;

function mapFn(sig: string, f: (s: string) => string): void {
  const scalar: ScalarFn = (a) => f(S(a[0]!));
  fn(sig, scalar, { vector: stringMap(f, scalar) });
}

/**
 * Case mapping one character at a time, as PostgreSQL's towupper/towlower do:
 * a character whose full mapping has several characters (ß → SS) stays as it is.
 */
function mapCase(s: string, upper: boolean): string {
  const whole = upper ? s.toUpperCase() : s.toLowerCase();
  if (whole.length === s.length && !/[^\x00-\x7f]/.test(s)) return whole;
  let out = '';
  for (const c of s) {
    const m = upper ? c.toUpperCase() : c.toLowerCase();
    out += Array.from(m).length === 1 ? m : c;
  }
  return out;
}
export const upper = (s: string): string => mapCase(s, true);
export const lower = (s: string): string => mapCase(s, false);
mapFn('lower(text) -> text', lower);
mapFn('upper(text) -> text', upper);
mapFn('initcap(text) -> text', (s) => {
  let out = '';
  let inWord = false;
  for (const c of s) {
    const alnum = /[\p{L}\p{N}]/u.test(c);
    out += alnum ? (inWord ? lower(c) : upper(c)) : c;
    inWord = alnum;
  }
  return out;
});
mapFn('reverse(text) -> text', (s) => (hasAstral(s) ? chars(s).reverse().join('') : s.split('').reverse().join('')));
mapFn('md5(text) -> text', (s) => createHash('md5').update(s, 'utf8').digest('hex'));

fn('length(text) -> int4', (a) => charLength(S(a[0]!)));
fn('length(bpchar) -> int4', (a) => charLength(rtrimSpaces(S(a[0]!))));
alias('char_length', 'length');
alias('character_length', 'length');
fn('octet_length(text) -> int4', (a) => Buffer.byteLength(S(a[0]!), 'utf8'));
// character(n) keeps its padding for octet_length, unlike the cast to text
fn('octet_length(bpchar) -> int4', (a) => Buffer.byteLength(S(a[0]!), 'utf8'));
fn('bit_length(text) -> int4', (a) => 8 * Buffer.byteLength(S(a[0]!), 'utf8'));

/** SQL substring(s FROM start FOR len): the window [start, start+len) clipped to the string. */
function substr(s: string, start: number, len: number | null): string {
  if (len !== null && len < 0) throw new SqlError('22011', 'negative substring length not allowed');
  const astral = hasAstral(s);
  const n = astral ? charLength(s) : s.length;
  const from = Math.max(start, 1);
  const to = len === null ? n + 1 : Math.min(start + len, n + 1);
  if (to <= from) return '';
  return astral ? chars(s).slice(from - 1, to - 1).join('') : s.slice(from - 1, to - 1);
}
fn('substring(text, int4) -> text', (a) => substr(S(a[0]!), I(a[1]!), null));
fn('substring(text, int4, int4) -> text', (a) => substr(S(a[0]!), I(a[1]!), I(a[2]!)));
fn('substr(text, int4) -> text', (a) => substr(S(a[0]!), I(a[1]!), null));
fn('substr(text, int4, int4) -> text', (a) => substr(S(a[0]!), I(a[1]!), I(a[2]!)));
fn('substring(text, text) -> text', (a) => {
  const m = compileRegex(S(a[1]!)).exec(S(a[0]!));
  if (!m) return null;
  return m.length > 1 ? (m[1] ?? null) : m[0];
});

function strpos(s: string, sub: string): number {
  const i = s.indexOf(sub);
  if (i < 0) return 0;
  return hasAstral(s) ? charLength(s.slice(0, i)) + 1 : i + 1;
}
// position(string, substring), PostgreSQL's argument order: POSITION(sub IN s) arrives as position(s, sub)
fn('position(text, text) -> int4', (a) => strpos(S(a[0]!), S(a[1]!)));
fn('strpos(text, text) -> int4', (a) => strpos(S(a[0]!), S(a[1]!)));
fn('replace(text, text, text) -> text', (a) => (S(a[1]!) === '' ? S(a[0]!) : S(a[0]!).split(S(a[1]!)).join(S(a[2]!))));

function trimChars(s: string, set: string, left: boolean, right: boolean): string {
  const cs = new Set(chars(set));
  const arr = chars(s);
  let b = 0;
  let e = arr.length;
  if (left) while (b < e && cs.has(arr[b]!)) b++;
  if (right) while (e > b && cs.has(arr[e - 1]!)) e--;
  return arr.slice(b, e).join('');
}
for (const [name, l, r] of [['btrim', true, true], ['ltrim', true, false], ['rtrim', false, true]] as const) {
  mapFn(`${name}(text) -> text`, (s) => trimChars(s, ' ', l, r));
  fn(`${name}(text, text) -> text`, (a) => trimChars(S(a[0]!), S(a[1]!), l, r));
}
fn('trim(text) -> text', (a) => trimChars(S(a[0]!), ' ', true, true));

fn('split_part(text, text, int4) -> text', (a) => {
  const s = S(a[0]!);
  const d = S(a[1]!);
  const n = I(a[2]!);
  if (n === 0) throw new SqlError(SQLSTATE.invalidParameterValue, 'field position must not be zero');
  const parts = d === '' ? [s] : s.split(d);
  if (s === '') return '';
  const idx = n > 0 ? n - 1 : parts.length + n;
  return parts[idx] ?? '';
});

/** Output text of a value of type t, as concat/format print it (text types as they are). */
function asText(v: Value, t: SqlType, ctx: EvalContext): string {
  return typeof v === 'string' ? v : formatValue(v, t, ctx);
}

fn('concat(...any) -> text', () => null, {
  strict: false,
  volatility: 'stable',
  specialize: (types) => ({
    scalar: (a, ctx) => {
      let out = '';
      for (let i = 0; i < a.length; i++) if (a[i] !== null) out += asText(a[i]!, types[i]!, ctx);
      return out;
    },
  }),
});
fn('concat_ws(text, ...any) -> text', () => null, {
  strict: false,
  volatility: 'stable',
  specialize: (types) => ({
    scalar: (a, ctx) => {
      if (a[0] === null) return null;
      const parts: string[] = [];
      for (let i = 1; i < a.length; i++) if (a[i] !== null) parts.push(asText(a[i]!, types[i]!, ctx));
      return parts.join(S(a[0]));
    },
  }),
});

function leftRight(s: string, n: number, fromLeft: boolean): string {
  const arr = hasAstral(s) ? chars(s) : null;
  const len = arr ? arr.length : s.length;
  const k = n >= 0 ? Math.min(n, len) : Math.max(len + n, 0);
  const slice = (b: number, e: number) => (arr ? arr.slice(b, e).join('') : s.slice(b, e));
  return fromLeft ? slice(0, k) : slice(len - k, len);
}
fn('left(text, int4) -> text', (a) => leftRight(S(a[0]!), I(a[1]!), true));
fn('right(text, int4) -> text', (a) => leftRight(S(a[0]!), I(a[1]!), false));

function pad(s: string, len: number, fill: string, left: boolean): string {
  if (len <= 0) return '';
  const arr = chars(s);
  if (arr.length >= len) return arr.slice(0, len).join('');
  const f = chars(fill);
  if (f.length === 0) return s;
  let p = '';
  for (let i = 0; i < len - arr.length; i++) p += f[i % f.length];
  return left ? p + s : s + p;
}
fn('lpad(text, int4) -> text', (a) => pad(S(a[0]!), I(a[1]!), ' ', true));
fn('lpad(text, int4, text) -> text', (a) => pad(S(a[0]!), I(a[1]!), S(a[2]!), true));
fn('rpad(text, int4) -> text', (a) => pad(S(a[0]!), I(a[1]!), ' ', false));
fn('rpad(text, int4, text) -> text', (a) => pad(S(a[0]!), I(a[1]!), S(a[2]!), false));
fn('repeat(text, int4) -> text', (a) => {
  const n = I(a[1]!);
  if (n <= 0) return '';
  if (S(a[0]!).length * n > 1 << 28) throw new SqlError(SQLSTATE.programLimitExceeded, 'requested length too large');
  return S(a[0]!).repeat(n);
});
fn('starts_with(text, text) -> bool', (a) => S(a[0]!).startsWith(S(a[1]!)));
fn('translate(text, text, text) -> text', (a) => {
  const from = chars(S(a[1]!));
  const to = chars(S(a[2]!));
  const map = new Map<string, string>();
  from.forEach((c, i) => {
    if (!map.has(c)) map.set(c, to[i] ?? '');
  });
  return chars(S(a[0]!)).map((c) => map.get(c) ?? c).join('');
});
fn('ascii(text) -> int4', (a) => S(a[0]!).codePointAt(0) ?? 0);
fn('chr(int4) -> text', (a) => {
  const n = I(a[0]!);
  if (n === 0) throw new SqlError(SQLSTATE.programLimitExceeded, 'null character not permitted');
  if (n < 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) throw new SqlError(SQLSTATE.programLimitExceeded, 'requested character too large for encoding: ' + n);
  return String.fromCodePoint(n);
});
fn('to_hex(int4) -> text', (a) => (I(a[0]!) >>> 0).toString(16));
fn('to_hex(int8) -> text', (a) => BigInt.asUintN(64, BigInt(I(a[0]!))).toString(16));

// ---- quoting and format() ----------------------------------------------------------------------

/** Words PostgreSQL's quote_ident quotes (reserved and type/function-name keywords). */
const RESERVED = new Set(
  ('all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation column concurrently constraint create cross ' +
    'current_catalog current_date current_role current_schema current_time current_timestamp current_user default deferrable desc distinct do else end except false fetch ' +
    'for foreign freeze from full grant group having ilike in initially inner intersect into is isnull join lateral leading left like limit localtime localtimestamp ' +
    'natural not notnull null offset on only or order outer overlaps placing primary references returning right select session_user similar some symmetric system_user table ' +
    'tablesample then to trailing true union unique user using variadic verbose when where window with between bigint bit boolean char character coalesce dec decimal exists ' +
    'extract float greatest grouping inout int integer interval least national nchar none normalize nullif numeric out overlay position precision real row setof smallint ' +
    'substring time timestamp treat trim values varchar xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable').split(' '),
);

export function quoteIdent(s: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(s) && !RESERVED.has(s)) return s;
  return '"' + s.replace(/"/g, '""') + '"';
}

export function quoteLiteral(s: string): string {
  const body = s.replace(/'/g, "''");
  return s.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

fn('quote_ident(text) -> text', (a) => quoteIdent(S(a[0]!)));
fn('quote_literal(text) -> text', (a) => quoteLiteral(S(a[0]!)));
fn('quote_literal(anyelement) -> text', () => null, {
  volatility: 'stable',
  specialize: (types) => ({ scalar: (a, ctx) => quoteLiteral(asText(a[0]!, types[0]!, ctx)) }),
});
fn('quote_nullable(text) -> text', (a) => (a[0] === null ? 'NULL' : quoteLiteral(S(a[0]!))), { strict: false });
fn('quote_nullable(anyelement) -> text', () => null, {
  strict: false,
  volatility: 'stable',
  specialize: (types) => ({ scalar: (a, ctx) => (a[0] === null ? 'NULL' : quoteLiteral(asText(a[0]!, types[0]!, ctx))) }),
});

/** PostgreSQL's format(): %[position$][flags][width]type with s, I, L and %%. */
export function formatSql(fmt: string, args: readonly Value[], types: readonly SqlType[], ctx: EvalContext): string {
  let out = '';
  let next = 0;
  const bad = (msg: string) => new SqlError(SQLSTATE.invalidParameterValue, msg);
  const arg = (i: number): [Value, SqlType] => {
    if (i >= args.length) throw new SqlError(SQLSTATE.invalidParameterValue, 'too few arguments for format()');
    return [args[i]!, types[i]!];
  };
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    i++;
    if (i >= fmt.length) throw bad('unterminated format() type specifier');
    if (fmt[i] === '%') {
      out += '%';
      continue;
    }
    const m = /^(?:(\d+)\$)?(-)?(?:(\d+)|\*(?:(\d+)\$)?)?([sIL])?/.exec(fmt.slice(i))!;
    if (!m[5]) {
      const ch = fmt[i + m[0].length];
      if (ch === undefined) throw bad('unterminated format() type specifier');
      throw bad(`unrecognized format() type specifier "${ch}"`);
    }
    i += m[0].length - 1;
    let leftAlign = !!m[2];
    let width = 0;
    if (m[3]) width = Number(m[3]);
    else if (m[0].includes('*')) {
      const wi = m[4] ? Number(m[4]) - 1 : next++;
      const [wv] = arg(wi);
      width = wv === null ? 0 : Number(wv);
      if (width < 0) {
        leftAlign = true;
        width = -width;
      }
    }
    const idx = m[1] ? Number(m[1]) - 1 : next;
    if (m[1] && Number(m[1]) === 0) throw bad('format specifies argument 0, but arguments are numbered from 1');
    next = idx + 1;
    const [v, t] = arg(idx);
    let s: string;
    switch (m[5]) {
      case 's': s = v === null ? '' : asText(v, t, ctx); break;
      case 'I':
        if (v === null) throw new SqlError(SQLSTATE.nullValueNotAllowed, 'null values cannot be formatted as an SQL identifier');
        s = quoteIdent(asText(v, t, ctx));
        break;
      default: s = v === null ? 'NULL' : quoteLiteral(asText(v, t, ctx));
    }
    const len = charLength(s);
    if (len < width) s = leftAlign ? s + ' '.repeat(width - len) : ' '.repeat(width - len) + s;
    out += s;
  }
  return out;
}
fn('format(text) -> text', (a, ctx) => (a[0] === null ? null : formatSql(S(a[0]), [], [], ctx)), { strict: false, volatility: 'stable' });
fn('format(text, ...any) -> text', () => null, {
  strict: false,
  volatility: 'stable',
  specialize: (types) => ({ scalar: (a, ctx) => (a[0] === null ? null : formatSql(S(a[0]), a.slice(1), types.slice(1), ctx)) }),
});

// ---- regular expression functions ----------------------------------------------------------------

function splitFlags(flags: string): { global: boolean; rest: string } {
  return { global: flags.includes('g'), rest: flags.replace(/g/g, '') };
}

/** PostgreSQL replacement syntax: \1..\9 groups, \& whole match, \\ a backslash. */
function jsReplacement(r: string): (m: string, ...groups: unknown[]) => string {
  return (m: string, ...rest: unknown[]) => {
    const groups = rest.slice(0, rest.findIndex((x) => typeof x === 'number')) as (string | undefined)[];
    return r.replace(/\\([0-9&\\])/g, (_x, d: string) => (d === '\\' ? '\\' : d === '&' || d === '0' ? m : groups[Number(d) - 1] ?? ''));
  };
}
function regexpReplace(s: string, p: string, r: string, flags: string): string {
  const f = splitFlags(flags);
  const re = compileRegex(p, f.rest, f.global ? 'g' : '');
  re.lastIndex = 0;
  return s.replace(re, jsReplacement(r));
}
fn('regexp_replace(text, text, text) -> text', (a) => regexpReplace(S(a[0]!), S(a[1]!), S(a[2]!), ''));
fn('regexp_replace(text, text, text, text) -> text', (a) => regexpReplace(S(a[0]!), S(a[1]!), S(a[2]!), S(a[3]!)));

function regexpMatch(s: string, p: string, flags: string): Value {
  if (flags.includes('g'))
    throw new SqlError(SQLSTATE.invalidParameterValue, 'regexp_match() does not support the "global" option', { hint: 'Use the regexp_matches function instead.' });
  const m = compileRegex(p, flags).exec(s);
  if (!m) return null;
  return m.length > 1 ? m.slice(1).map((x) => x ?? null) : [m[0]];
}
fn('regexp_match(text, text) -> text[]', (a) => regexpMatch(S(a[0]!), S(a[1]!), ''));
fn('regexp_match(text, text, text) -> text[]', (a) => regexpMatch(S(a[0]!), S(a[1]!), S(a[2]!)));

function regexpSplit(s: string, p: string, flags: string): string[] {
  // setup_regexp_matches(ignore_degenerate): a match counts only if it starts before
  // the end and ends after the previous match, so an empty pattern splits per character
  const re = compileRegex(p, flags, 'g');
  const out: string[] = [];
  let start = 0;
  let prevEnd = 0;
  let pos = 0;
  while (pos <= s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) break;
    const so = m.index;
    const eo = so + m[0].length;
    if (so < s.length && eo > prevEnd) {
      out.push(s.slice(start, so));
      start = eo;
      prevEnd = eo;
    }
    pos = so === eo ? eo + ((s.codePointAt(eo) ?? 0) > 0xffff ? 2 : 1) : eo;
  }
  out.push(s.slice(start));
  return out;
}
fn('regexp_split_to_array(text, text) -> text[]', (a) => regexpSplit(S(a[0]!), S(a[1]!), ''));
fn('regexp_split_to_array(text, text, text) -> text[]', (a) => regexpSplit(S(a[0]!), S(a[1]!), S(a[2]!)));
fn('regexp_count(text, text) -> int4', (a) => (S(a[0]!).match(compileRegex(S(a[1]!), '', 'g')) ?? []).length);

// ---- arrays <-> strings -----------------------------------------------------------------------------

function stringToArray(s: string, d: string | null, nullStr: string | null): Value[] {
  if (s === '') return [];
  const parts = d === null ? chars(s) : d === '' ? [s] : s.split(d);
  return nullStr === null ? parts : parts.map((p) => (p === nullStr ? null : p));
}
fn('string_to_array(text, text) -> text[]', (a) => (a[0] === null ? null : stringToArray(S(a[0]), a[1] as string | null, null)), { strict: false });
fn('string_to_array(text, text, text) -> text[]', (a) => (a[0] === null ? null : stringToArray(S(a[0]), a[1] as string | null, a[2] as string | null)), { strict: false });

function arrayToString(arr: Value[], sep: string, nullStr: string | null, elem: SqlType, ctx: EvalContext): string {
  const parts: string[] = [];
  for (const v of arr) {
    if (v === null) {
      if (nullStr !== null) parts.push(nullStr);
    } else parts.push(Array.isArray(v) && elem.id !== 'array' ? arrayToString(v, sep, nullStr, elem, ctx) : asText(v, elem, ctx));
  }
  return parts.join(sep);
}
fn('array_to_string(anyarray, text) -> text', () => null, {
  volatility: 'stable',
  specialize: (types) => ({ scalar: (a, ctx) => arrayToString(a[0] as Value[], S(a[1]!), null, types[0]!.elem!, ctx) }),
});
fn('array_to_string(anyarray, text, text) -> text', () => null, {
  strict: false,
  volatility: 'stable',
  specialize: (types) => ({
    scalar: (a, ctx) => (a[0] === null || a[1] === null ? null : arrayToString(a[0] as Value[], S(a[1]), a[2] as string | null, types[0]!.elem!, ctx)),
  }),
});
