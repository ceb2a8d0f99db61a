/**
 * SELECT / VALUES / set operations / FROM clauses / WITH.
 */
import { SqlError } from '../../../storage/src/errors.js';
import type {
  CommonTableExpr, DeleteStmt, Expr, FromItem, InsertStmt, JoinRef, QueryBody, SelectCore, SelectStmt,
  SelectTarget, UpdateStmt, ValuesBody, WithClause,
} from './ast.js';
import { ExprParser } from './expr.js';
import { RESERVED } from './parser-base.js';

/** Words that end a select list when it is empty (`SELECT FROM t` is legal in PostgreSQL). */
const TARGET_END = ['from', 'where', 'group', 'having', 'window', 'order', 'limit', 'offset', 'fetch', 'for', 'union', 'intersect', 'except', 'into'];

export abstract class SelectParser extends ExprParser {
  abstract parseInsert(withc?: WithClause): InsertStmt;
  abstract parseUpdate(withc?: WithClause): UpdateStmt;
  abstract parseDelete(withc?: WithClause): DeleteStmt;

  parseSelectStmt(): SelectStmt {
    const withc = this.isKw('with') ? this.parseWithClause() : undefined;
    return this.parseSelectAfterWith(withc);
  }

  protected parseSelectAfterWith(withc: WithClause | undefined): SelectStmt {
    let body = this.parseSetUnion();
    const stmt: SelectStmt = { kind: 'select', body, orderBy: [] };
    this.parseSelectTail(stmt);
    // `(SELECT …) ORDER BY x`: fold the parenthesised query into this one when that loses nothing
    if (body.kind === 'select' && body.orderBy.length === 0 && !body.limit && !body.offset && !body.locking && !(withc && body.with)) {
      withc = withc ?? body.with;
      body = body.body;
      stmt.body = body;
    }
    if (withc) stmt.with = withc;
    return stmt;
  }

  private parseSelectTail(stmt: SelectStmt): void {
    for (;;) {
      if (this.isKw('order') && this.isKw('by', 1)) {
        if (stmt.orderBy.length) throw new SqlError('42601', 'multiple ORDER BY clauses not allowed', { position: this.peek().start + 1 });
        this.pos += 2;
        stmt.orderBy = this.parseOrderList();
      } else if (this.acceptKw('limit')) {
        if (!this.acceptKw('all')) stmt.limit = this.parseExpr();
        if (this.isPunct(',')) {
          throw new SqlError('42601', 'LIMIT #,# syntax is not supported', { position: this.peek().start + 1, hint: 'Use separate LIMIT and OFFSET clauses.' });
        }
      } else if (this.acceptKw('offset')) {
        stmt.offset = this.parseExpr();
        if (!this.acceptKw('rows')) this.acceptKw('row');
      } else if (this.acceptKw('fetch')) {
        if (!this.acceptKw('first')) this.expectKw('next');
        if (this.isKw('row') || this.isKw('rows')) stmt.limit = { kind: 'literal', literalType: 'integer', value: '1' };
        else stmt.limit = this.parseExpr();
        if (!this.acceptKw('rows')) this.expectKw('row');
        if (this.isKw('with')) throw this.unsupported('FETCH … WITH TIES');
        this.expectKw('only');
      } else if (this.isKw('for')) {
        stmt.locking = this.parseLocking();
      } else {
        return;
      }
    }
  }

  private parseLocking(): string {
    this.expectKw('for');
    let mode: string;
    if (this.acceptKw('update')) mode = 'update';
    else if (this.acceptKw('share')) mode = 'share';
    else if (this.acceptKws('no', 'key', 'update')) mode = 'no key update';
    else if (this.acceptKws('key', 'share')) mode = 'key share';
    else throw this.syntaxError();
    if (this.acceptKw('of')) {
      this.parseQualifiedName();
      while (this.acceptPunct(',')) this.parseQualifiedName();
    }
    if (!this.acceptKw('nowait')) this.acceptKws('skip', 'locked');
    return mode;
  }

  private parseSetUnion(): QueryBody {
    let left = this.parseSetIntersect();
    while (this.isKw('union') || this.isKw('except')) {
      const op = this.next().value as 'union' | 'except';
      const all = this.acceptKw('all');
      if (!all) this.acceptKw('distinct');
      left = { kind: 'setop', op, all, left, right: this.parseSetIntersect() };
    }
    return left;
  }

  private parseSetIntersect(): QueryBody {
    let left = this.parseSetPrimary();
    while (this.isKw('intersect')) {
      this.next();
      const all = this.acceptKw('all');
      if (!all) this.acceptKw('distinct');
      left = { kind: 'setop', op: 'intersect', all, left, right: this.parseSetPrimary() };
    }
    return left;
  }

  private parseSetPrimary(): QueryBody {
    if (this.isKw('select')) return this.parseSelectCore();
    if (this.isKw('values')) return this.parseValues();
    if (this.acceptKw('table')) {
      const name = this.parseQualifiedName();
      return { kind: 'core', targets: [{ kind: 'star', qualifier: [] }], from: [{ kind: 'table', name }], groupBy: [], windows: [] };
    }
    if (this.acceptPunct('(')) {
      const q = this.parseSelectStmt();
      this.expectPunct(')');
      const plain = !q.with && q.orderBy.length === 0 && !q.limit && !q.offset && !q.locking;
      return plain ? q.body : q;
    }
    throw this.syntaxError();
  }

  protected parseValues(): ValuesBody {
    this.expectKw('values');
    const rows: Expr[][] = [];
    do {
      this.expectPunct('(');
      rows.push(this.parseExprList());
      this.expectPunct(')');
    } while (this.acceptPunct(','));
    return { kind: 'values', rows };
  }

  private parseSelectCore(): SelectCore {
    this.expectKw('select');
    const core: SelectCore = { kind: 'core', targets: [], from: [], groupBy: [], windows: [] };
    if (this.acceptKw('distinct')) {
      core.distinct = { on: [] };
      if (this.acceptKw('on')) {
        this.expectPunct('(');
        core.distinct.on = this.parseExprList();
        this.expectPunct(')');
      }
    } else {
      this.acceptKw('all');
    }
    if (!this.atEnd() && !this.isPunct(')') && !this.isPunct(';') && !this.isAnyKw(TARGET_END)) {
      core.targets = this.parseTargetList();
    }
    if (this.isKw('into')) throw this.unsupported('SELECT INTO');
    if (this.acceptKw('from')) core.from = this.parseFromList();
    if (this.acceptKw('where')) core.where = this.parseExpr();
    if (this.acceptKws('group', 'by')) {
      if (!this.acceptKw('all')) this.acceptKw('distinct');
      core.groupBy = this.parseExprList();
    }
    if (this.acceptKw('having')) core.having = this.parseExpr();
    if (this.acceptKw('window')) {
      do {
        const name = this.parseColId();
        this.expectKw('as');
        core.windows.push({ name, spec: this.parseWindowSpec() });
      } while (this.acceptPunct(','));
    }
    return core;
  }

  /** Select list / RETURNING list. */
  protected parseTargetList(): SelectTarget[] {
    const out: SelectTarget[] = [];
    do {
      if (this.isOp('*')) {
        this.next();
        out.push({ kind: 'star', qualifier: [] });
        continue;
      }
      const expr = this.parseExpr();
      if (expr.kind === 'star') {
        out.push({ kind: 'star', qualifier: expr.qualifier });
        continue;
      }
      const target: SelectTarget = { kind: 'expr', expr };
      if (this.acceptKw('as')) target.alias = this.parseColLabel();
      else if (this.peek().kind === 'ident' && (this.peek().quoted || !RESERVED.has(this.peek().value))) target.alias = this.parseColLabel();
      out.push(target);
    } while (this.acceptPunct(','));
    return out;
  }

  protected parseFromList(): FromItem[] {
    const out = [this.parseJoinedTable()];
    while (this.acceptPunct(',')) out.push(this.parseJoinedTable());
    return out;
  }

  protected parseJoinedTable(): FromItem {
    let left = this.parseTableRef();
    for (;;) {
      if (this.isKw('cross') && this.isKw('join', 1)) {
        this.pos += 2;
        left = { kind: 'join', joinType: 'cross', left, right: this.parseTableRef(), natural: false };
        continue;
      }
      const natural = this.acceptKw('natural');
      let joinType: JoinRef['joinType'] | undefined;
      if (this.acceptKw('join')) joinType = 'inner';
      else if (this.isAnyKw(['inner', 'left', 'right', 'full'])) {
        joinType = this.next().value as 'inner' | 'left' | 'right' | 'full';
        if (joinType !== 'inner') this.acceptKw('outer');
        this.expectKw('join');
      }
      if (joinType === undefined) {
        if (natural) throw this.syntaxError();
        return left;
      }
      const right = this.parseTableRef();
      const join: JoinRef = { kind: 'join', joinType, left, right, natural };
      if (!natural) {
        if (this.acceptKw('on')) join.on = this.parseExpr();
        else if (this.acceptKw('using')) join.using = this.parseParenNameList();
        else throw this.syntaxError();
      }
      left = join;
    }
  }

  private parseTableRef(): FromItem {
    const lateral = this.acceptKw('lateral');
    if (this.isPunct('(')) {
      const query = this.parseParenSubquery();
      if (query) {
        const ref: FromItem = { kind: 'subquery', query, lateral };
        this.parseAlias(ref, true);
        return ref;
      }
      if (lateral) throw this.syntaxError();
      this.next();
      const inner = this.parseJoinedTable();
      this.expectPunct(')');
      if (this.isKw('as') || this.isColId()) {
        // (a JOIN b …) AS t exposes the join's columns under t: the same as a derived table over SELECT *
        const query: SelectStmt = {
          kind: 'select',
          orderBy: [],
          body: { kind: 'core', targets: [{ kind: 'star', qualifier: [] }], from: [inner], groupBy: [], windows: [] },
        };
        const ref: FromItem = { kind: 'subquery', query, lateral: false };
        this.parseAlias(ref, true);
        return ref;
      }
      return inner;
    }
    const only = this.acceptKw('only');
    const start = this.peek();
    const name = this.parseQualifiedName();
    if (this.isPunct('(') && !only) {
      const call = this.parseFuncCall(name.name, name.schema, this.posOf(start));
      const ref: FromItem = { kind: 'function', call, lateral };
      if (this.acceptKws('with', 'ordinality')) ref.withOrdinality = true;
      this.parseAlias(ref, true);
      return ref;
    }
    if (lateral) throw this.syntaxError();
    if (this.isOp('*')) this.next(); // `t *`: inheritance children, a no-op for Strata
    if (this.isKw('tablesample')) throw this.unsupported('TABLESAMPLE');
    const ref: FromItem = { kind: 'table', name, position: this.posOf(start) };
    if (only) ref.only = true;
    this.parseAlias(ref, true);
    return ref;
  }

  /** [AS] alias [(col, …)] */
  protected parseAlias(ref: { alias?: string; columnAliases?: string[] }, allowColumns: boolean, exclude?: string): void {
    if (this.acceptKw('as')) ref.alias = this.parseColId();
    else if (this.isColId() && !(exclude && this.isKw(exclude))) ref.alias = this.parseColId();
    else return;
    if (allowColumns && this.isPunct('(')) ref.columnAliases = this.parseParenNameList();
  }

  parseWithClause(): WithClause {
    this.expectKw('with');
    const recursive = this.acceptKw('recursive');
    const ctes: CommonTableExpr[] = [];
    do {
      const cte = { name: this.parseColId() } as CommonTableExpr;
      if (this.isPunct('(')) cte.columnNames = this.parseParenNameList();
      this.expectKw('as');
      if (this.acceptKws('not', 'materialized')) cte.materialized = false;
      else if (this.acceptKw('materialized')) cte.materialized = true;
      this.expectPunct('(');
      if (this.isKw('insert')) cte.query = this.parseInsert();
      else if (this.isKw('update')) cte.query = this.parseUpdate();
      else if (this.isKw('delete')) cte.query = this.parseDelete();
      else cte.query = this.parseSelectStmt();
      this.expectPunct(')');
      if (this.isKw('search') || this.isKw('cycle')) throw this.unsupported('SEARCH / CYCLE clauses');
      ctes.push(cte);
    } while (this.acceptPunct(','));
    return { recursive, ctes };
  }
}
