/**
 * json/jsonb operators and functions. jsonb values are held as normalised text
 * (PostgreSQL's jsonb output: keys ordered by length then bytes, duplicates
 * resolved last-wins, numbers as numeric, ", " and ": " separators); json values
 * as the text given, from which json operators return original spans.
 */
import { SqlError, SQLSTATE } from '../errors.js';
import { Decimal } from '../types/numeric.js';
import type { SqlType } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import type { EvalContext } from '../expr/expr.js';
import { fn, op, type ScalarFn } from './catalog.js';
import { formatValue } from './deps.js';
import { compareText } from './util.js';
import { cmpResult, type CmpOp } from './vector-kernels.js';

export type J =
  | { t: 'null'; raw: string }
  | { t: 'bool'; v: boolean; raw: string }
  | { t: 'num'; v: string; raw: string }
  | { t: 'str'; v: string; raw: string }
  | { t: 'arr'; v: J[]; raw: string }
  | { t: 'obj'; v: [string, J][]; raw: string };

function bad(_text: string, detail?: string): SqlError {
  return new SqlError(SQLSTATE.invalidJsonText, 'invalid input syntax for type json', { detail: detail ?? 'The input string ended unexpectedly.' });
}

export function parseJson(text: string): J {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const value = (): J => {
    ws();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      const v: [string, J][] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { t: 'obj', v, raw: text.slice(start, i) };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') throw bad(text, `Expected string, but found "${text[i] ?? ''}".`);
        const k = str();
        ws();
        if (text[i] !== ':') throw bad(text, `Expected ":", but found "${text[i] ?? ''}".`);
        i++;
        v.push([k, value()]);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return { t: 'obj', v, raw: text.slice(start, i) };
        }
        throw bad(text, `Expected "," or "}", but found "${text[i] ?? ''}".`);
      }
    }
    if (c === '[') {
      i++;
      const v: J[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { t: 'arr', v, raw: text.slice(start, i) };
      }
      for (;;) {
        v.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return { t: 'arr', v, raw: text.slice(start, i) };
        }
        throw bad(text, `Expected "," or "]", but found "${text[i] ?? ''}".`);
      }
    }
    if (c === '"') {
      const v = str();
      return { t: 'str', v, raw: text.slice(start, i) };
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m && m[0].length > 0) {
      i += m[0].length;
      return { t: 'num', v: m[0], raw: m[0] };
    }
    for (const [w, node] of [['true', { t: 'bool', v: true }], ['false', { t: 'bool', v: false }], ['null', { t: 'null' }]] as const) {
      if (text.startsWith(w, i)) {
        i += w.length;
        return { ...node, raw: w } as J;
      }
    }
    throw bad(text, `Token "${text.slice(i, i + 10)}" is invalid.`);
  };
  const str = (): string => {
    const start = i;
    i++;
    let out = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) throw bad(text);
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\\') {
        const d = text[i + 1];
        i += 2;
        switch (d) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            const h = text.slice(i, i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(h)) throw bad(text, 'Escape sequence "\\u" is invalid.');
            const cp = parseInt(h, 16);
            if (cp === 0) throw new SqlError('22P05', 'unsupported Unicode escape sequence', { detail: '\\u0000 cannot be converted to text.' });
            out += String.fromCharCode(cp);
            i += 4;
            break;
          }
          default: throw bad(text, `Escape sequence "\\${d ?? ''}" is invalid.`);
        }
        continue;
      }
      if (c.charCodeAt(0) < 0x20) throw bad(text, `Character with value 0x${c.charCodeAt(0).toString(16).padStart(2, '0')} must be escaped.`);
      out += c;
      i++;
    }
    void start;
  };
  const v = value();
  ws();
  if (i < text.length) throw bad(text, `Expected end of input, but found "${text.slice(i, i + 10)}".`);
  return v;
}

export function quoteJsonString(s: string): string {
  let out = '"';
  for (const c of s) {
    const code = c.charCodeAt(0);
    if (c === '"') out += '\\"';
    else if (c === '\\') out += '\\\\';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (c === '\b') out += '\\b';
    else if (c === '\f') out += '\\f';
    else if (code < 0x20) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += c;
  }
  return out + '"';
}

function keyOrder(a: string, b: string): number {
  const la = Buffer.byteLength(a);
  const lb = Buffer.byteLength(b);
  return la !== lb ? la - lb : compareText(a, b);
}

/** Normalise a parsed value the way jsonb stores it (objects sorted and deduplicated). */
export function toJsonb(j: J): J {
  switch (j.t) {
    case 'arr': return { t: 'arr', v: j.v.map(toJsonb), raw: '' };
    case 'obj': {
      const m = new Map<string, J>();
      for (const [k, v] of j.v) m.set(k, toJsonb(v));
      return { t: 'obj', v: [...m.entries()].sort((x, y) => keyOrder(x[0], y[0])), raw: '' };
    }
    case 'num': return { t: 'num', v: Decimal.parse(j.v).toString(), raw: '' };
    default: return j;
  }
}

export function serializeJsonb(j: J): string {
  switch (j.t) {
    case 'null': return 'null';
    case 'bool': return j.v ? 'true' : 'false';
    case 'num': return j.v;
    case 'str': return quoteJsonString(j.v);
    case 'arr': return '[' + j.v.map(serializeJsonb).join(', ') + ']';
    case 'obj': return '{' + j.v.map(([k, v]) => quoteJsonString(k) + ': ' + serializeJsonb(v)).join(', ') + '}';
  }
}

/** jsonb input function: text → normalised jsonb text. */
export function normalizeJsonb(text: string): string {
  return serializeJsonb(toJsonb(parseJson(text)));
}

// ---- access ------------------------------------------------------------------------------------------

function field(j: J, key: string): J | null {
  if (j.t !== 'obj') return null;
  let hit: J | null = null;
  for (const [k, v] of j.v) if (k === key) hit = v; // json keeps duplicates: the last one wins
  return hit;
}
function elem(j: J, idx: number): J | null {
  if (j.t !== 'arr') return null;
  const i = idx < 0 ? j.v.length + idx : idx;
  return j.v[i] ?? null;
}
function pathGet(j: J, path: Value[]): J | null {
  let cur: J | null = j;
  for (const p of path) {
    if (cur === null || p === null) return null;
    if (cur.t === 'obj') cur = field(cur, p as string);
    else if (cur.t === 'arr') {
      const s = (p as string).trim();
      if (!/^-?\d+$/.test(s)) return null;
      cur = elem(cur, Number(s));
    } else return null;
  }
  return cur;
}
function asText(j: J | null): string | null {
  if (j === null || j.t === 'null') return null;
  if (j.t === 'str') return j.v;
  return j.raw !== '' ? j.raw : serializeJsonb(j);
}

const parsed = (v: Value): J => parseJson(v as string);

for (const t of ['json', 'jsonb'] as const) {
  // jsonb results are re-serialised; json results are the original text spans
  const out = (j: J | null): string | null => (j === null ? null : t === 'jsonb' ? serializeJsonb(j) : j.raw);
  op(`->(${t}, text) -> ${t}`, (a) => out(field(parsed(a[0]!), a[1] as string)));
  op(`->(${t}, int4) -> ${t}`, (a) => out(elem(parsed(a[0]!), a[1] as number)));
  op(`->>(${t}, text) -> text`, (a) => asText(field(parsed(a[0]!), a[1] as string)));
  op(`->>(${t}, int4) -> text`, (a) => asText(elem(parsed(a[0]!), a[1] as number)));
  op(`#>(${t}, text[]) -> ${t}`, (a) => out(pathGet(parsed(a[0]!), a[1] as Value[])));
  op(`#>>(${t}, text[]) -> text`, (a) => asText(pathGet(parsed(a[0]!), a[1] as Value[])));
  fn(`${t}_extract_path(${t}, ...text) -> ${t}`, (a) => out(pathGet(parsed(a[0]!), a.slice(1))));
  fn(`${t}_extract_path_text(${t}, ...text) -> text`, (a) => asText(pathGet(parsed(a[0]!), a.slice(1))));
  fn(`${t}_typeof(${t}) -> text`, (a) => {
    const j = parsed(a[0]!);
    return { null: 'null', bool: 'boolean', num: 'number', str: 'string', arr: 'array', obj: 'object' }[j.t];
  });
  fn(`${t}_array_length(${t}) -> int4`, (a) => {
    const j = parsed(a[0]!);
    if (j.t !== 'arr') throw new SqlError(SQLSTATE.invalidParameterValue, j.t === 'obj' ? 'cannot get array length of a non-array' : 'cannot get array length of a scalar');
    return j.v.length;
  });
}

/** jsonb ordering (jsonb_cmp): object > array > boolean > number > string > null, then by size and content. */
export function compareJsonb(a: J, b: J): number {
  const rank = { null: 0, str: 1, num: 2, bool: 3, arr: 4, obj: 5 };
  if (a.t !== b.t) {
    // an empty top-level array sorts below null in PostgreSQL; ignore that corner
    return rank[a.t] - rank[b.t];
  }
  switch (a.t) {
    case 'null': return 0;
    case 'bool': return (a.v ? 1 : 0) - ((b as typeof a).v ? 1 : 0);
    case 'num': return Decimal.parse(a.v).cmp(Decimal.parse((b as typeof a).v));
    case 'str': {
      const y = (b as typeof a).v;
      return a.v.length !== y.length ? a.v.length - y.length : compareText(a.v, y);
    }
    case 'arr': {
      const y = (b as typeof a).v;
      if (a.v.length !== y.length) return a.v.length - y.length;
      for (let i = 0; i < a.v.length; i++) {
        const c = compareJsonb(a.v[i]!, y[i]!);
        if (c !== 0) return c;
      }
      return 0;
    }
    case 'obj': {
      const y = (b as typeof a).v;
      if (a.v.length !== y.length) return a.v.length - y.length;
      for (let i = 0; i < a.v.length; i++) {
        const k = keyOrder(a.v[i]![0], y[i]![0]);
        if (k !== 0) return k;
        const c = compareJsonb(a.v[i]![1], y[i]![1]);
        if (c !== 0) return c;
      }
      return 0;
    }
  }
}

const CMPS: CmpOp[] = ['=', '<>', '<', '>', '<=', '>='];
for (const c of CMPS) {
  const scalar: ScalarFn = c === '=' || c === '<>'
    ? (a) => (a[0] === a[1]) === (c === '=') // normalised text: equal values are equal strings
    : (a) => cmpResult(c, compareJsonb(toJsonb(parsed(a[0]!)), toJsonb(parsed(a[1]!))));
  op(`${c}(jsonb, jsonb) -> bool`, scalar);
}

/** jsonb @>: containment as PostgreSQL defines it (arrays contain elements in any order; scalars in arrays). */
export function contains(a: J, b: J, top = true): boolean {
  if (a.t === 'obj') {
    if (b.t !== 'obj') return false;
    return b.v.every(([k, bv]) => {
      const av = field(a, k);
      return av !== null && (av.t === 'obj' || av.t === 'arr' ? contains(av, bv, false) : compareJsonb(av, bv) === 0);
    });
  }
  if (a.t === 'arr') {
    if (b.t === 'arr') return b.v.every((be) => a.v.some((ae) => (ae.t === 'obj' || ae.t === 'arr' ? ae.t === be.t && contains(ae, be, false) : be.t !== 'obj' && be.t !== 'arr' && compareJsonb(ae, be) === 0)));
    if (top && b.t !== 'obj') return a.v.some((ae) => ae.t === b.t && compareJsonb(ae, b) === 0);
    return false;
  }
  return b.t === a.t && compareJsonb(a, b) === 0;
}
op('@>(jsonb, jsonb) -> bool', (a) => contains(parsed(a[0]!), parsed(a[1]!)));
op('<@(jsonb, jsonb) -> bool', (a) => contains(parsed(a[1]!), parsed(a[0]!)));
function hasKey(j: J, k: string): boolean {
  if (j.t === 'obj') return j.v.some(([x]) => x === k);
  if (j.t === 'arr') return j.v.some((e) => e.t === 'str' && e.v === k);
  return j.t === 'str' && j.v === k;
}
op('?(jsonb, text) -> bool', (a) => hasKey(parsed(a[0]!), a[1] as string));
op('?|(jsonb, text[]) -> bool', (a) => (a[1] as Value[]).some((k) => k !== null && hasKey(parsed(a[0]!), k as string)));
op('?&(jsonb, text[]) -> bool', (a) => (a[1] as Value[]).every((k) => k === null || hasKey(parsed(a[0]!), k as string)));
op('||(jsonb, jsonb) -> jsonb', (a) => {
  const x = parsed(a[0]!);
  const y = parsed(a[1]!);
  if (x.t === 'obj' && y.t === 'obj') return normalizeJsonb(serializeJsonb({ t: 'obj', v: [...x.v, ...y.v], raw: '' }));
  const items = (j: J): J[] => (j.t === 'arr' ? j.v : [j]);
  return serializeJsonb({ t: 'arr', v: [...items(x), ...items(y)], raw: '' });
});
op('-(jsonb, text) -> jsonb', (a) => {
  const x = parsed(a[0]!);
  const k = a[1] as string;
  if (x.t === 'obj') return serializeJsonb({ t: 'obj', v: x.v.filter(([key]) => key !== k), raw: '' });
  if (x.t === 'arr') return serializeJsonb({ t: 'arr', v: x.v.filter((e) => !(e.t === 'str' && e.v === k)), raw: '' });
  throw new SqlError(SQLSTATE.invalidParameterValue, 'cannot delete from scalar');
});
op('-(jsonb, int4) -> jsonb', (a) => {
  const x = parsed(a[0]!);
  if (x.t === 'obj') throw new SqlError(SQLSTATE.invalidParameterValue, 'cannot delete from object using integer index');
  if (x.t !== 'arr') throw new SqlError(SQLSTATE.invalidParameterValue, 'cannot delete from scalar');
  const i = (a[1] as number) < 0 ? x.v.length + (a[1] as number) : (a[1] as number);
  return serializeJsonb({ t: 'arr', v: x.v.filter((_e, k) => k !== i), raw: '' });
});

// ---- construction ---------------------------------------------------------------------------------------

/** to_jsonb of a SQL value of type t. */
export function valueToJson(v: Value, t: SqlType, ctx: EvalContext): J {
  if (v === null) return { t: 'null', raw: 'null' };
  switch (t.id) {
    case 'bool': return { t: 'bool', v: v as boolean, raw: '' };
    case 'int2': case 'int4': case 'int8': case 'oid': case 'numeric': return { t: 'num', v: String(v), raw: '' };
    case 'float4': case 'float8': {
      const x = v as number;
      const s = formatValue(x, t, ctx);
      return Number.isFinite(x) ? { t: 'num', v: Decimal.parse(s).toString(), raw: '' } : { t: 'str', v: s, raw: '' };
    }
    case 'json': case 'jsonb': return toJsonb(parseJson(v as string));
    case 'array': return { t: 'arr', v: (v as Value[]).map((e) => valueToJson(e, t.elem!, ctx)), raw: '' };
    case 'timestamp': case 'timestamptz': case 'date': {
      // JSON uses ISO 8601 with a T separator
      const s = formatValue(v, t, ctx).replace(' ', 'T');
      return { t: 'str', v: t.id === 'timestamptz' && /[+-]\d\d$/.test(s) ? s + ':00' : s, raw: '' };
    }
    default: return { t: 'str', v: formatValue(v, t, ctx), raw: '' };
  }
}

fn('to_jsonb(anyelement) -> jsonb', () => null, {
  volatility: 'stable',
  specialize: (types) => ({ scalar: (a, ctx) => serializeJsonb(valueToJson(a[0]!, types[0]!, ctx)) }),
});
fn('to_json(anyelement) -> json', () => null, {
  volatility: 'stable',
  specialize: (types) => ({ scalar: (a, ctx) => serializeJsonb(valueToJson(a[0]!, types[0]!, ctx)).replace(/, /g, ',').replace(/": /g, '":') }),
});
function buildObject(a: Value[], types: readonly SqlType[], ctx: EvalContext): J {
  if (a.length % 2 !== 0)
    throw new SqlError(SQLSTATE.invalidParameterValue, 'argument list must have even number of elements', { hint: 'The arguments of jsonb_build_object() must consist of alternating keys and values.' });
  const v: [string, J][] = [];
  for (let i = 0; i < a.length; i += 2) {
    if (a[i] === null) throw new SqlError(SQLSTATE.nullValueNotAllowed, `argument ${i + 1}: key must not be null`);
    v.push([typeof a[i] === 'string' ? (a[i] as string) : formatValue(a[i]!, types[i]!, ctx), valueToJson(a[i + 1]!, types[i + 1]!, ctx)]);
  }
  return toJsonb({ t: 'obj', v, raw: '' });
}
fn('jsonb_build_object(...any) -> jsonb', () => null, {
  strict: false,
  volatility: 'stable',
  specialize: (types) => ({ scalar: (a, ctx) => serializeJsonb(buildObject(a, types, ctx)) }),
});
fn('jsonb_build_object() -> jsonb', () => '{}', { strict: false, volatility: 'stable' });
fn('jsonb_build_array(...any) -> jsonb', () => null, {
  strict: false,
  volatility: 'stable',
  specialize: (types) => ({ scalar: (a, ctx) => serializeJsonb({ t: 'arr', v: a.map((x, i) => valueToJson(x, types[i]!, ctx)), raw: '' }) }),
});
fn('jsonb_build_array() -> jsonb', () => '[]', { strict: false, volatility: 'stable' });
