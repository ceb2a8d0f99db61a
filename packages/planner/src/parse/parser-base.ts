/**
 * Token cursor and shared helpers for the recursive-descent parser. The parser is
 * split across files as a class chain (base → typename → calls → expr → select → dml
 * → ddl → utility)
 * because the grammar is mutually recursive: expressions contain subqueries,
 * queries contain expressions, EXPLAIN/PREPARE contain statements.
 */
import { SqlError } from '../../../storage/src/errors.js';
import type { QualifiedName, SelectStmt, Statement } from './ast.js';
import type { Token } from './tokenizer.js';

/**
 * PostgreSQL's fully reserved keywords plus the "type/function name" reserved ones
 * (join words, LIKE, IS …): these can never be a bare column label or table alias.
 */
export const RESERVED = new Set([
  'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast',
  'check', 'collate', 'column', 'constraint', 'create', 'current_catalog', 'current_date', 'current_role',
  'current_time', 'current_timestamp', 'current_user', 'default', 'deferrable', 'desc', 'distinct', 'do',
  'else', 'end', 'except', 'false', 'fetch', 'for', 'foreign', 'from', 'grant', 'group', 'having', 'in',
  'initially', 'intersect', 'into', 'lateral', 'leading', 'limit', 'localtime', 'localtimestamp', 'not',
  'null', 'offset', 'on', 'only', 'or', 'order', 'placing', 'primary', 'references', 'returning', 'select',
  'session_user', 'some', 'symmetric', 'table', 'then', 'to', 'trailing', 'true', 'union', 'unique', 'user',
  'using', 'variadic', 'when', 'where', 'window', 'with',
  'authorization', 'binary', 'collation', 'concurrently', 'cross', 'current_schema', 'freeze', 'full',
  'ilike', 'inner', 'is', 'isnull', 'join', 'left', 'like', 'natural', 'notnull', 'outer', 'overlaps',
  'right', 'similar', 'tablesample', 'verbose',
]);

export abstract class ParserBase {
  protected pos = 0;

  /**
   * @param toks tokens of one statement, ending with an 'eof' token
   * @param text the full query string (errors report positions in it, as PostgreSQL does)
   * @param base offset of the statement in `text`; AST positions are relative to it
   */
  constructor(
    protected readonly toks: Token[],
    protected readonly text: string,
    protected readonly base: number,
  ) {}

  abstract parseSelectStmt(): SelectStmt;
  abstract parseStatement(): Statement;

  // --- cursor ---------------------------------------------------------------

  protected peek(k = 0): Token {
    return this.toks[Math.min(this.pos + k, this.toks.length - 1)]!;
  }
  protected next(): Token {
    const t = this.peek();
    if (this.pos < this.toks.length - 1) this.pos++;
    return t;
  }
  protected atEnd(): boolean {
    return this.peek().kind === 'eof';
  }
  /** 1-based position of a token relative to the statement start. */
  protected posOf(t: Token): number {
    return t.start - this.base + 1;
  }

  // --- keyword / punctuation tests ------------------------------------------

  protected isKw(word: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'ident' && !t.quoted && t.value === word;
  }
  protected isAnyKw(words: readonly string[], k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'ident' && !t.quoted && words.includes(t.value);
  }
  protected acceptKw(word: string): boolean {
    if (!this.isKw(word)) return false;
    this.next();
    return true;
  }
  /** Accept a sequence of keywords only if all of them are present. */
  protected acceptKws(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) if (!this.isKw(words[k]!, k)) return false;
    this.pos += words.length;
    return true;
  }
  protected expectKw(word: string): Token {
    if (!this.isKw(word)) throw this.syntaxError();
    return this.next();
  }
  protected isPunct(p: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'punct' && t.value === p;
  }
  protected acceptPunct(p: string): boolean {
    if (!this.isPunct(p)) return false;
    this.next();
    return true;
  }
  protected expectPunct(p: string): Token {
    if (!this.isPunct(p)) throw this.syntaxError();
    return this.next();
  }
  protected isOp(op: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'op' && t.value === op;
  }

  // --- errors -----------------------------------------------------------------

  /** PostgreSQL's 42601 message for the current (or given) token. */
  protected syntaxError(t: Token = this.peek()): SqlError {
    if (t.kind === 'eof') {
      // the statement was cut at a ';': PostgreSQL reports the semicolon itself
      if (this.text[t.start] === ';') {
        return new SqlError('42601', 'syntax error at or near ";"', { position: t.start + 1 });
      }
      return new SqlError('42601', 'syntax error at end of input', { position: this.text.length + 1 });
    }
    const raw = this.text.slice(t.start, t.end);
    return new SqlError('42601', `syntax error at or near "${raw}"`, { position: t.start + 1 });
  }
  protected unsupported(what: string, t: Token = this.peek()): SqlError {
    return new SqlError('0A000', `${what} is not supported`, { position: t.start + 1 });
  }

  // --- names -------------------------------------------------------------------

  /** ColId: any identifier that is not a fully reserved keyword (or a quoted one). */
  protected parseColId(): string {
    const t = this.peek();
    if (t.kind !== 'ident' || (!t.quoted && RESERVED.has(t.value))) throw this.syntaxError();
    this.next();
    return t.value;
  }
  /** ColLabel: any identifier incl. reserved keywords (after AS, after '.'). */
  protected parseColLabel(): string {
    const t = this.peek();
    if (t.kind !== 'ident') throw this.syntaxError();
    this.next();
    return t.value;
  }
  protected isColId(k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'ident' && (t.quoted === true || !RESERVED.has(t.value));
  }
  protected parseQualifiedName(): QualifiedName {
    const first = this.parseColId();
    if (this.acceptPunct('.')) {
      const second = this.parseColLabel();
      // catalog.schema.name: the catalog is the current database; drop it
      if (this.acceptPunct('.')) return { schema: second, name: this.parseColLabel() };
      return { schema: first, name: second };
    }
    return { name: first };
  }
  protected parseNameList(): string[] {
    const out = [this.parseColId()];
    while (this.acceptPunct(',')) out.push(this.parseColId());
    return out;
  }
  /** `( a, b, c )` */
  protected parseParenNameList(): string[] {
    this.expectPunct('(');
    const out = this.parseNameList();
    this.expectPunct(')');
    return out;
  }

  /** Run `fn`; on a syntax error rewind and return undefined (bounded backtracking). */
  protected attempt<T>(fn: () => T): T | undefined {
    const save = this.pos;
    try {
      return fn();
    } catch (e) {
      if (e instanceof SqlError) {
        this.pos = save;
        return undefined;
      }
      throw e;
    }
  }

  /** Source text between two tokens (inclusive), e.g. a view's query text. */
  protected sourceBetween(from: Token, to: Token): string {
    return this.text.slice(from.start, to.end);
  }
}
