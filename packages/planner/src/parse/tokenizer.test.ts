import { describe, expect, it } from 'vitest';
import type { SelectCore, SelectStmt } from './ast.js';
import { clearParseCache, parseOne, parseSql } from './index.js';
import { tokenize, truncateIdentifier } from './tokenizer.js';

const kinds = (s: string) => tokenize(s).map((t) => [t.kind, t.value]);

describe('tokenizer', () => {
  it('identifiers fold unless quoted; "" escapes', () => {
    expect(kinds('Foo "Bar" "a""b"')).toEqual([['ident', 'foo'], ['ident', 'Bar'], ['ident', 'a"b'], ['eof', '']]);
  });
  it('numbers keep their text and integer-ness', () => {
    const t = tokenize('1 1.5 .5 1e10 2E-3 10.');
    expect(t.slice(0, -1).map((x) => [x.value, x.integer])).toEqual([['1', true], ['1.5', false], ['.5', false], ['1e10', false], ['2E-3', false], ['10.', false]]);
  });
  it('operators follow the PostgreSQL trailing +/- rule', () => {
    expect(kinds('a=-1')).toEqual([['ident', 'a'], ['op', '='], ['op', '-'], ['number', '1'], ['eof', '']]);
    expect(kinds('a<>-1').map((k) => k[1])).toEqual(['a', '<>', '-', '1', '']);
    expect(kinds("x @- 'a'").map((k) => k[1])).toEqual(['x', '@-', 'a', '']);
    expect(kinds('a!=b').map((k) => k[1])).toEqual(['a', '<>', 'b', '']);
    expect(kinds('x::int a=>b c:=d').map((k) => k[1])).toEqual(['x', '::', 'int', 'a', '=>', 'b', 'c', ':=', 'd', '']);
  });
  it('comments: line, nested block, and inside operators', () => {
    expect(kinds('a /* x /* y */ z */ b -- c\n d').map((k) => k[1])).toEqual(['a', 'b', 'd', '']);
    expect(kinds('1+--x\n2').map((k) => k[1])).toEqual(['1', '+', '2', '']);
  });
  it('strings: E escapes, dollar quotes with tags', () => {
    expect(tokenize("E'\\t\\x41\\101\\u00e9\\\\'")[0]!.value).toBe('\tAA\u00e9\\');
    expect(tokenize('$a$ $$ ; $a$')[0]!.value).toBe(' $$ ; ');
  });
  it('lexical errors are 42601 with a position', () => {
    expect(() => tokenize("SELECT 'abc")).toThrow(expect.objectContaining({ code: '42601', position: 8, message: 'unterminated quoted string at or near "\'abc"' }));
    expect(() => tokenize('SELECT /* x')).toThrow(expect.objectContaining({ code: '42601', position: 8 }));
    expect(() => tokenize('SELECT ""')).toThrow(/zero-length delimited identifier/);
  });
});

describe('statement splitting', () => {
  it('empty input, only comments or semicolons → []', () => {
    expect(parseSql('')).toEqual([]);
    expect(parseSql('  ;; -- hi\n /* x */ ;')).toEqual([]);
  });
  it('splits on top-level semicolons only, keeping offsets and text', () => {
    const text = "SELECT ';' AS a; /* c */ SELECT $$;$$;\n  SELECT 3";
    const r = parseSql(text);
    expect(r.map((s) => [s.text, s.offset])).toEqual([["SELECT ';' AS a", 0], ['SELECT $$;$$', 25], ['SELECT 3', 41]]);
  });
  it('AST positions are 1-based within the statement text', () => {
    const r = parseSql('SELECT 1; SELECT abc FROM t');
    const t = ((r[1]!.statement as SelectStmt).body as SelectCore).targets[0] as { expr: { position: number } };
    expect(t.expr.position).toBe(8);
  });
});

describe('syntax errors', () => {
  it('report the token and its position in the whole string like PostgreSQL', () => {
    expect(() => parseSql('SELECT * FORM t')).toThrow(expect.objectContaining({ code: '42601', message: 'syntax error at or near "FORM"', position: 10 }));
    expect(() => parseSql('SELEC 1')).toThrow(expect.objectContaining({ message: 'syntax error at or near "SELEC"', position: 1 }));
    expect(() => parseSql('SELECT 1; SELECT FROM WHERE')).toThrow(expect.objectContaining({ message: 'syntax error at or near "WHERE"', position: 23 }));
    expect(() => parseSql("SELECT 1 + 'x' 'y'")).toThrow(expect.objectContaining({ message: 'syntax error at or near "\'y\'"', position: 16 }));
  });
  it('end of input and a premature semicolon', () => {
    expect(() => parseSql('SELECT 1 +')).toThrow(expect.objectContaining({ message: 'syntax error at end of input', position: 11 }));
    expect(() => parseSql('SELECT (1 +; SELECT 2')).toThrow(expect.objectContaining({ message: 'syntax error at or near ";"', position: 12 }));
  });
  it('reserved words cannot be bare names', () => {
    expect(() => parseSql('SELECT * FROM select')).toThrow(/syntax error at or near "select"/);
    expect(() => parseSql('CREATE TABLE t (from int)')).toThrow(/syntax error at or near "from"/);
    expect(parseOne('CREATE TABLE t ("from" int)')).toMatchObject({ columns: [{ name: 'from' }] });
  });
  it('parseOne rejects zero or several statements', () => {
    expect(() => parseOne('')).toThrow(expect.objectContaining({ code: '42601' }));
    expect(() => parseOne('SELECT 1; SELECT 2')).toThrow(/cannot insert multiple commands into a prepared statement/);
  });
  it('unsupported syntax is 0A000, not a crash', () => {
    expect(() => parseOne('SELECT a[1:2] FROM t')).toThrow(expect.objectContaining({ code: '0A000' }));
    expect(() => parseOne('CREATE MATERIALIZED VIEW v AS SELECT 1')).toThrow(expect.objectContaining({ code: '0A000' }));
  });
});

describe('parse cache', () => {
  it('returns the same frozen AST for the same text', () => {
    clearParseCache();
    const a = parseSql('SELECT 1 AS x');
    const b = parseSql('SELECT 1 AS x');
    expect(b).toBe(a);
    expect(Object.isFrozen(a[0]!.statement)).toBe(true);
    expect(() => {
      (a[0]!.statement as { kind: string }).kind = 'insert';
    }).toThrow(TypeError);
  });
  it('evicts beyond its capacity', () => {
    clearParseCache();
    const first = parseSql('SELECT 0');
    for (let i = 1; i <= 600; i++) parseSql(`SELECT ${i}`);
    expect(parseSql('SELECT 0')).not.toBe(first);
  });
});

describe('identifier truncation (NAMEDATALEN - 1 = 63 bytes)', () => {
  it('cuts long names at 63 bytes, never inside a character, and keeps what was written', () => {
    const long = 'a'.repeat(70);
    const [t] = tokenize(long);
    expect(t).toMatchObject({ kind: 'ident', value: 'a'.repeat(63), truncatedFrom: long });
    const [q] = tokenize(`"${'B'.repeat(64)}"`);
    expect(q).toMatchObject({ kind: 'ident', value: 'B'.repeat(63), quoted: true, truncatedFrom: 'B'.repeat(64) });
    // 61 bytes + a 4-byte character: the character does not fit, 61 bytes remain
    expect(truncateIdentifier(`${'c'.repeat(61)}😀d`)).toBe('c'.repeat(61));
    // 62 bytes + a 2-byte character = 64 bytes
    expect(truncateIdentifier(`${'c'.repeat(62)}é`)).toBe('c'.repeat(62));
    expect(truncateIdentifier(`${'c'.repeat(61)}é`)).toBe(`${'c'.repeat(61)}é`);
    const [short] = tokenize('x'.repeat(63));
    expect(short!.truncatedFrom).toBeUndefined();
  });
});
