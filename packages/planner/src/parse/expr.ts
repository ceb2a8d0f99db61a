/**
 * Expressions with PostgreSQL 15's operator precedence (lowest first):
 * OR, AND, NOT, IS/ISNULL/NOTNULL, comparison, BETWEEN/IN/LIKE/ILIKE/SIMILAR,
 * any other operator (incl. ||, ~, ->>), + -, * / %, ^, AT TIME ZONE / COLLATE,
 * unary + -, [ ] and ::. Unary minus binding tighter than ^ makes -2^2 = 4, as in PG.
 */
import type { Expr, SelectStmt } from './ast.js';
import { RESERVED } from './parser-base.js';
import type { Token } from './tokenizer.js';
import { CallParser, makeFunc, stringLit } from './calls.js';
import { TYPE_KEYWORDS } from './typename.js';

const COMPARISON = new Set(['=', '<', '>', '<=', '>=', '<>']);
/** Operators with their own precedence level; every other operator is "Op" level. */
const NOT_OTHER = new Set(['+', '-', '*', '/', '%', '^', '=', '<', '>', '<=', '>=', '<>']);
const PREFIX_OPS = new Set(['~', '@', '|/']);
const NO_ARG_FUNCS = new Set([
  'current_timestamp', 'current_date', 'current_time', 'localtimestamp', 'localtime', 'current_user',
  'session_user', 'user', 'current_role', 'current_schema', 'current_catalog',
]);
/** Reserved words that may still name a function when followed by '('. */
const RESERVED_FUNC_NAMES = new Set(['left', 'right', 'collation', 'current_schema']);
const SELECT_START = ['select', 'with', 'values', 'table'];
/** Second words of multi-word type names (double precision, character varying, time with …). */
const MULTI_WORD_TYPE_CONT = ['precision', 'varying', 'with', 'without', 'character', 'char'];

export abstract class ExprParser extends CallParser {
  parseExpr(): Expr {
    return this.parseOr();
  }

  private bin(op: string, left: Expr, right: Expr, t: Token): Expr {
    return { kind: 'binary', op, left, right, position: this.posOf(t) };
  }

  private parseOr(): Expr {
    let e = this.parseAnd();
    while (this.isKw('or')) {
      const t = this.next();
      e = this.bin('or', e, this.parseAnd(), t);
    }
    return e;
  }

  private parseAnd(): Expr {
    let e = this.parseNot();
    while (this.isKw('and')) {
      const t = this.next();
      e = this.bin('and', e, this.parseNot(), t);
    }
    return e;
  }

  private parseNot(): Expr {
    if (this.isKw('not')) {
      const t = this.next();
      return { kind: 'unary', op: 'not', expr: this.parseNot(), position: this.posOf(t) };
    }
    return this.parseIs();
  }

  private parseIs(): Expr {
    let e = this.parseComparison();
    for (;;) {
      const t = this.peek();
      if (this.isKw('isnull') || this.isKw('notnull')) {
        this.next();
        e = { kind: 'is', expr: e, test: 'null', not: t.value === 'notnull', position: this.posOf(t) };
        continue;
      }
      if (!this.isKw('is')) return e;
      this.next();
      const not = this.acceptKw('not');
      const w = this.peek();
      if (this.isAnyKw(['null', 'true', 'false', 'unknown'])) {
        this.next();
        e = { kind: 'is', expr: e, test: w.value as 'null' | 'true' | 'false' | 'unknown', not, position: this.posOf(t) };
      } else if (this.acceptKws('distinct', 'from')) {
        e = this.bin(not ? 'is not distinct from' : 'is distinct from', e, this.parseComparison(), t);
      } else {
        throw this.syntaxError();
      }
    }
  }

  private parseComparison(): Expr {
    const e = this.parseInLike();
    const t = this.peek();
    if (t.kind === 'op' && COMPARISON.has(t.value)) {
      this.next();
      return this.parseRightOperand(t.value, e, t, () => this.parseInLike());
    }
    // OPERATOR(pg_catalog.=) etc. always has the precedence of a generic operator
    return e;
  }

  /** Right side of a binary operator, or `op ANY/ALL/SOME (…)`. */
  private parseRightOperand(op: string, left: Expr, t: Token, operand: () => Expr): Expr {
    if (this.isAnyKw(['any', 'all', 'some']) && this.isPunct('(', 1)) {
      const quantifier = this.next().value === 'all' ? 'all' : 'any';
      const query = this.parseParenSubquery();
      const position = this.posOf(t);
      if (query) return { kind: 'quantified', op, quantifier, expr: left, query, position };
      this.expectPunct('(');
      const array = this.parseExpr();
      this.expectPunct(')');
      return { kind: 'quantified', op, quantifier, expr: left, array, position };
    }
    return this.bin(op, left, operand(), t);
  }

  private parseInLike(): Expr {
    let e = this.parseOther();
    for (;;) {
      const t = this.peek();
      const not = this.isKw('not') && this.isAnyKw(['in', 'like', 'ilike', 'similar', 'between'], 1);
      if (not) this.next();
      const pre = not ? 'not ' : '';
      const position = this.posOf(t);
      if (this.acceptKw('in')) {
        const query = this.parseParenSubquery();
        if (query) {
          e = { kind: 'in_subquery', expr: e, query, not, position };
          continue;
        }
        this.expectPunct('(');
        const list = this.parseExprList();
        this.expectPunct(')');
        e = { kind: 'in_list', expr: e, list, not, position };
      } else if (this.isKw('like') || this.isKw('ilike') || this.isKw('similar')) {
        let op = this.next().value;
        if (op === 'similar') {
          this.expectKw('to');
          op = 'similar to';
        }
        const b = this.parseRightOperand(pre + op, e, t, () => this.parseOther());
        if (b.kind === 'binary' && this.acceptKw('escape')) b.escape = this.parseOther();
        e = b;
      } else if (this.acceptKw('between')) {
        const symmetric = this.acceptKw('symmetric');
        if (!symmetric) this.acceptKw('asymmetric');
        const low = this.parseOther();
        this.expectKw('and');
        const high = this.parseOther();
        e = { kind: 'between', expr: e, low, high, not, symmetric, position };
      } else {
        return e;
      }
    }
  }

  /** The "Op" level: every operator without a precedence of its own, left-associative. */
  protected parseOther(): Expr {
    let e: Expr;
    const first = this.peek();
    if (first.kind === 'op' && !NOT_OTHER.has(first.value)) {
      this.next();
      if (!PREFIX_OPS.has(first.value)) throw this.unsupported(`prefix operator ${first.value}`, first);
      e = { kind: 'unary', op: first.value as '~' | '@' | '|/', expr: this.parseAdditive(), position: this.posOf(first) };
    } else {
      e = this.parseAdditive();
    }
    for (;;) {
      const t = this.peek();
      let op: string | undefined;
      if (t.kind === 'op' && !NOT_OTHER.has(t.value)) {
        this.next();
        op = t.value;
      } else if (this.isKw('operator') && this.isPunct('(', 1)) {
        op = this.parseOperatorSyntax();
      }
      if (op === undefined) return e;
      e = this.parseRightOperand(op, e, t, () => this.parseAdditive());
    }
  }

  /** OPERATOR(pg_catalog.~) → '~' (the schema is always pg_catalog for us). */
  private parseOperatorSyntax(): string {
    this.next();
    this.expectPunct('(');
    while (this.peek().kind === 'ident' && this.isPunct('.', 1)) this.pos += 2;
    const t = this.peek();
    if (t.kind !== 'op') throw this.syntaxError();
    this.next();
    this.expectPunct(')');
    return t.value;
  }

  private parseAdditive(): Expr {
    let e = this.parseMul();
    while (this.isOp('+') || this.isOp('-')) {
      const t = this.next();
      e = this.bin(t.value, e, this.parseMul(), t);
    }
    return e;
  }

  private parseMul(): Expr {
    let e = this.parsePow();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const t = this.next();
      e = this.bin(t.value, e, this.parsePow(), t);
    }
    return e;
  }

  private parsePow(): Expr {
    let e = this.parseAtTimeZone();
    while (this.isOp('^')) {
      const t = this.next();
      e = this.bin('^', e, this.parseAtTimeZone(), t);
    }
    return e;
  }

  private parseAtTimeZone(): Expr {
    let e = this.parseUnary();
    for (;;) {
      if (this.isKw('collate')) {
        // collations do not change Strata's (byte-order) comparisons; accept and drop
        this.next();
        this.parseColLabel();
        while (this.acceptPunct('.')) this.parseColLabel();
      } else if (this.isKw('at') && this.isKw('time', 1) && this.isKw('zone', 2)) {
        const t = this.next();
        this.pos += 2;
        e = makeFunc('timezone', [this.parseUnary(), e], this.posOf(t));
      } else {
        return e;
      }
    }
  }

  private parseUnary(): Expr {
    if (this.isOp('-') || this.isOp('+')) {
      const t = this.next();
      const operand = this.parseUnary();
      // PostgreSQL folds -<number> into a negative constant (doNegate), which decides int4 vs int8
      if (t.value === '-' && operand.kind === 'literal' && (operand.literalType === 'integer' || operand.literalType === 'numeric')) {
        const value = operand.value.startsWith('-') ? operand.value.slice(1) : '-' + operand.value;
        return { kind: 'literal', literalType: operand.literalType, value, position: this.posOf(t) };
      }
      return { kind: 'unary', op: t.value as '-' | '+', expr: operand, position: this.posOf(t) };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  protected parsePostfix(e: Expr): Expr {
    for (;;) {
      if (this.isPunct('::')) {
        const t = this.next();
        e = { kind: 'cast', expr: e, type: this.parseTypeName(), position: this.posOf(t) };
      } else if (this.isPunct('[')) {
        const t = this.next();
        const index = this.parseExpr();
        if (this.isPunct(':')) throw this.unsupported('array slice');
        this.expectPunct(']');
        e = { kind: 'subscript', expr: e, index, position: this.posOf(t) };
      } else if (this.isPunct('.')) {
        // column references consume their own dots, so this is (expr).field or (expr).*
        const t = this.next();
        if (this.isOp('*')) {
          this.next();
          e = { kind: 'field', expr: e, field: '*', star: true, position: this.posOf(t) };
        } else {
          e = { kind: 'field', expr: e, field: this.parseColLabel(), star: false, position: this.posOf(t) };
        }
      } else {
        return e;
      }
    }
  }

  protected parseExprList(): Expr[] {
    const out = [this.parseExpr()];
    while (this.acceptPunct(',')) out.push(this.parseExpr());
    return out;
  }

  protected isSelectStart(k = 0): boolean {
    return this.isAnyKw(SELECT_START, k);
  }

  /** At '(': a parenthesised query, or undefined (cursor unchanged) if it is not one. */
  protected parseParenSubquery(): SelectStmt | undefined {
    if (!this.isPunct('(')) return undefined;
    if (this.isSelectStart(1)) {
      this.next();
      const q = this.parseSelectStmt();
      this.expectPunct(')');
      return q;
    }
    if (!this.isPunct('(', 1)) return undefined;
    return this.attempt(() => {
      this.next();
      const q = this.parseSelectStmt();
      this.expectPunct(')');
      return q;
    });
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    const position = this.posOf(t);
    switch (t.kind) {
      case 'number':
        this.next();
        return { kind: 'literal', literalType: t.integer ? 'integer' : 'numeric', value: t.value, position };
      case 'string':
        this.next();
        if (t.bits) return { kind: 'cast', expr: stringLit(t.value, position), type: { name: 'bit', modifiers: [t.value.length], arrayDims: 0 }, position };
        return stringLit(t.value, position);
      case 'param':
        this.next();
        return { kind: 'param', index: Number(t.value), position };
      case 'punct':
        if (t.value === '(') return this.parseParenExpr();
        throw this.syntaxError();
      case 'ident':
        return this.parseIdentPrimary(t);
      default:
        throw this.syntaxError();
    }
  }

  private parseParenExpr(): Expr {
    const open = this.peek();
    const query = this.parseParenSubquery();
    if (query) return { kind: 'subquery', query, position: this.posOf(open) };
    this.next();
    const first = this.parseExpr();
    if (this.isPunct(',')) {
      const fields = [first];
      while (this.acceptPunct(',')) fields.push(this.parseExpr());
      this.expectPunct(')');
      return { kind: 'row', fields, position: this.posOf(open) };
    }
    this.expectPunct(')');
    return first;
  }

  private parseIdentPrimary(t: Token): Expr {
    const position = this.posOf(t);
    if (!t.quoted) {
      const special = this.parseKeywordPrimary(t);
      if (special) return special;
    }
    const nextTok = this.peek(1);
    // typed literal: jsonb '…', timestamptz '…', pg_catalog.int4 '1'
    if (nextTok.kind === 'string' && (t.quoted || !RESERVED.has(t.value))) {
      const type = this.parseTypeName();
      const s = this.next();
      return { kind: 'cast', expr: stringLit(s.value, this.posOf(s)), type, position };
    }
    if (!t.quoted && RESERVED.has(t.value) && !(RESERVED_FUNC_NAMES.has(t.value) && this.isPunct('(', 1))) {
      throw this.syntaxError();
    }
    this.next();
    const parts = [t.value];
    while (this.isPunct('.')) {
      this.next();
      if (this.isOp('*')) {
        this.next();
        return { kind: 'star', qualifier: parts, position };
      }
      parts.push(this.parseColLabel());
    }
    if (this.isPunct('(')) {
      const name = parts[parts.length - 1]!;
      const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
      return this.parseFuncCall(name, schema, position);
    }
    const name = parts.pop()!;
    return { kind: 'column', qualifier: parts, name, position };
  }

  /** Keyword-introduced primaries; undefined when `t` is not one of them here. */
  private parseKeywordPrimary(t: Token): Expr | undefined {
    const position = this.posOf(t);
    const kw = t.value;
    const callFollows = this.isPunct('(', 1);
    switch (kw) {
      case 'true':
      case 'false':
        this.next();
        return { kind: 'literal', literalType: 'bool', value: kw, position };
      case 'null':
        this.next();
        return { kind: 'literal', literalType: 'null', value: '', position };
      case 'default':
        this.next();
        return { kind: 'default', position };
      case 'case':
        return this.parseCase();
      case 'cast': {
        this.next();
        this.expectPunct('(');
        const expr = this.parseExpr();
        this.expectKw('as');
        const type = this.parseTypeName();
        this.expectPunct(')');
        return { kind: 'cast', expr, type, position };
      }
      case 'exists': {
        if (!callFollows) return undefined;
        this.next();
        const query = this.parseParenSubquery();
        if (!query) throw this.syntaxError();
        return { kind: 'exists', query, position };
      }
      case 'array': {
        this.next();
        if (this.isPunct('(')) {
          const query = this.parseParenSubquery();
          if (!query) throw this.syntaxError();
          return { kind: 'subquery', query, array: true, position };
        }
        return this.parseArrayBrackets();
      }
      case 'row':
        if (!callFollows) return undefined;
        this.next();
        this.next();
        if (this.acceptPunct(')')) return { kind: 'row', fields: [], position };
        {
          const fields = this.parseExprList();
          this.expectPunct(')');
          return { kind: 'row', fields, position };
        }
      case 'extract':
      case 'position':
      case 'substring':
      case 'trim':
      case 'overlay':
        if (!callFollows) return undefined;
        return this.attempt(() => this.parseSpecialFunc(kw, position));
      case 'interval':
        if (this.peek(1).kind === 'string') {
          this.next();
          const s = this.next();
          const value = this.parseIntervalLiteralFields(s.value);
          return { kind: 'cast', expr: stringLit(value, this.posOf(s)), type: { name: 'interval', modifiers: [], arrayDims: 0 }, position };
        }
        break;
    }
    if (NO_ARG_FUNCS.has(kw)) {
      this.next();
      const args: Expr[] = [];
      if (this.isPunct('(') && this.isPunct(')', 1)) {
        this.pos += 2; // current_schema() / current_user() spelled as calls
      } else if (this.isPunct('(') && this.peek(1).kind === 'number') {
        this.next();
        args.push(this.parseExpr());
        this.expectPunct(')');
      }
      return makeFunc(kw, args, position);
    }
    if (TYPE_KEYWORDS.has(kw) && this.isAnyKw(MULTI_WORD_TYPE_CONT, 1)) {
      // multi-word typed literal: double precision '1', timestamp with time zone '…'
      return this.attempt(() => {
        const type = this.parseTypeName();
        const s = this.peek();
        if (s.kind !== 'string') throw this.syntaxError();
        this.next();
        return { kind: 'cast', expr: stringLit(s.value, this.posOf(s)), type, position } as Expr;
      });
    }
    if ((kw === 'timestamp' || kw === 'time') && callFollows) {
      // timestamp(3) '…'
      return this.attempt(() => {
        const type = this.parseTypeName();
        const s = this.peek();
        if (s.kind !== 'string') throw this.syntaxError();
        this.next();
        return { kind: 'cast', expr: stringLit(s.value, this.posOf(s)), type, position } as Expr;
      });
    }
    return undefined;
  }

  private parseArrayBrackets(): Expr {
    const open = this.expectPunct('[');
    const elements: Expr[] = [];
    if (!this.isPunct(']')) {
      do {
        // nested ARRAY[[1,2],[3,4]]: inner brackets need no ARRAY keyword
        elements.push(this.isPunct('[') ? this.parseArrayBrackets() : this.parseExpr());
      } while (this.acceptPunct(','));
    }
    this.expectPunct(']');
    return { kind: 'array', elements, position: this.posOf(open) };
  }

  private parseCase(): Expr {
    const t = this.next();
    const e: Expr = { kind: 'case', whens: [], position: this.posOf(t) };
    if (!this.isKw('when')) e.operand = this.parseExpr();
    while (this.acceptKw('when')) {
      const when = this.parseExpr();
      this.expectKw('then');
      e.whens.push({ when, then: this.parseExpr() });
    }
    if (e.whens.length === 0) throw this.syntaxError();
    if (this.acceptKw('else')) e.else = this.parseExpr();
    this.expectKw('end');
    return e;
  }
}
