/**
 * INSERT / UPDATE / DELETE.
 */
import type { DeleteStmt, InsertStmt, OnConflict, SetClause, UpdateStmt, WithClause } from './ast.js';
import { SelectParser } from './select.js';

export abstract class DmlParser extends SelectParser {
  parseInsert(withc?: WithClause): InsertStmt {
    this.expectKw('insert');
    this.expectKw('into');
    const table = this.parseQualifiedName();
    const stmt = { kind: 'insert', table } as InsertStmt;
    if (withc) stmt.with = withc;
    if (this.acceptKw('as')) stmt.alias = this.parseColId();
    if (this.isPunct('(') && !this.isSelectStart(1) && !this.isPunct('(', 1)) stmt.columns = this.parseParenNameList();
    if (this.isKw('overriding')) throw this.unsupported('OVERRIDING … VALUE');
    if (this.acceptKws('default', 'values')) {
      stmt.source = { kind: 'default_values' };
    } else {
      const q = this.parseSelectStmt();
      const plainValues = q.body.kind === 'values' && !q.with && q.orderBy.length === 0 && !q.limit && !q.offset;
      stmt.source = plainValues && q.body.kind === 'values' ? { kind: 'values', rows: q.body.rows } : { kind: 'select', query: q };
    }
    if (this.acceptKws('on', 'conflict')) stmt.onConflict = this.parseOnConflict();
    if (this.acceptKw('returning')) stmt.returning = this.parseTargetList();
    return stmt;
  }

  private parseOnConflict(): OnConflict {
    let target: string[] | undefined;
    let constraint: string | undefined;
    if (this.acceptKws('on', 'constraint')) {
      constraint = this.parseColId();
    } else if (this.acceptPunct('(')) {
      target = [];
      do {
        const t = this.peek();
        const e = this.parseExpr();
        if (e.kind !== 'column' || e.qualifier.length > 0) throw this.unsupported('an expression as ON CONFLICT target', t);
        target.push(e.name);
        // opclass / collation of the inferred index: irrelevant for matching by columns
        if (this.isColId() && !this.isPunct(',', 0)) this.next();
      } while (this.acceptPunct(','));
      this.expectPunct(')');
      // an index predicate narrows which partial index is inferred; Strata has none
      if (this.acceptKw('where')) this.parseExpr();
    }
    this.expectKw('do');
    let action: OnConflict['action'];
    if (this.acceptKw('nothing')) {
      action = { kind: 'nothing' };
    } else {
      this.expectKw('update');
      this.expectKw('set');
      const set = this.parseSetClauses();
      action = { kind: 'update', set };
      if (this.acceptKw('where')) action.where = this.parseExpr();
    }
    const oc: OnConflict = { action };
    if (target) oc.target = target;
    if (constraint !== undefined) oc.constraint = constraint;
    return oc;
  }

  /** `a = 1, b = DEFAULT, (c, d) = (1, 2)` */
  protected parseSetClauses(): SetClause[] {
    const out: SetClause[] = [];
    do {
      if (this.isPunct('(')) {
        const cols = this.parseParenNameList();
        const eq = this.peek();
        if (!this.isOp('=')) throw this.syntaxError();
        this.next();
        const rhs = this.parseExpr();
        if (rhs.kind !== 'row' || rhs.fields.length !== cols.length) {
          if (rhs.kind === 'subquery') throw this.unsupported('multiple-column UPDATE from a subquery', eq);
          throw this.syntaxError(eq);
        }
        cols.forEach((column, i) => out.push({ column, value: rhs.fields[i]! }));
        continue;
      }
      const column = this.parseColId();
      if (this.isPunct('.') || this.isPunct('[')) throw this.unsupported('assignment to a field or array element');
      if (!this.isOp('=')) throw this.syntaxError();
      this.next();
      out.push({ column, value: this.parseExpr() });
    } while (this.acceptPunct(','));
    return out;
  }

  parseUpdate(withc?: WithClause): UpdateStmt {
    this.expectKw('update');
    this.acceptKw('only');
    const table = this.parseQualifiedName();
    if (this.isOp('*')) this.next();
    const stmt: UpdateStmt = { kind: 'update', table, set: [], from: [] };
    if (withc) stmt.with = withc;
    this.parseAlias(stmt, false, 'set');
    this.expectKw('set');
    stmt.set = this.parseSetClauses();
    if (this.acceptKw('from')) stmt.from = this.parseFromList();
    if (this.acceptKw('where')) {
      if (this.isKw('current') && this.isKw('of', 1)) throw this.unsupported('WHERE CURRENT OF');
      stmt.where = this.parseExpr();
    }
    if (this.acceptKw('returning')) stmt.returning = this.parseTargetList();
    return stmt;
  }

  parseDelete(withc?: WithClause): DeleteStmt {
    this.expectKw('delete');
    this.expectKw('from');
    this.acceptKw('only');
    const table = this.parseQualifiedName();
    if (this.isOp('*')) this.next();
    const stmt: DeleteStmt = { kind: 'delete', table, using: [] };
    if (withc) stmt.with = withc;
    this.parseAlias(stmt, false);
    if (this.acceptKw('using')) stmt.using = this.parseFromList();
    if (this.acceptKw('where')) {
      if (this.isKw('current') && this.isKw('of', 1)) throw this.unsupported('WHERE CURRENT OF');
      stmt.where = this.parseExpr();
    }
    if (this.acceptKw('returning')) stmt.returning = this.parseTargetList();
    return stmt;
  }
}
