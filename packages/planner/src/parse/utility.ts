/**
 * Statement dispatch plus the utility statements: transactions, SET/SHOW/RESET,
 * ALTER SYSTEM / ALTER DATABASE … SET|RESET,
 * EXPLAIN, COPY, CALL, PREPARE/EXECUTE/DEALLOCATE and the accepted no-ops.
 */
import type { CopyStmt, ExplainStmt, Statement, StoredSettingChange, TransactionStmt, SetStmt, TypeName, Expr } from './ast.js';
import { DdlParser } from './ddl.js';

const NOOP_TAGS: Record<string, string> = {
  analyze: 'ANALYZE', analyse: 'ANALYZE', vacuum: 'VACUUM', listen: 'LISTEN',
  unlisten: 'UNLISTEN', load: 'LOAD',
};

export class StatementParser extends DdlParser {
  /** One whole statement: everything up to the statement's end must be consumed. */
  parseTopLevel(): Statement {
    const stmt = this.parseStatement();
    if (!this.atEnd()) throw this.syntaxError();
    return stmt;
  }

  parseStatement(): Statement {
    const t = this.peek();
    if (t.kind === 'punct' && t.value === '(') return this.parseSelectStmt();
    if (t.kind !== 'ident' || t.quoted) throw this.syntaxError();
    switch (t.value) {
      case 'select':
      case 'values':
      case 'table':
        return this.parseSelectStmt();
      case 'with': {
        const withc = this.parseWithClause();
        if (this.isKw('insert')) return this.parseInsert(withc);
        if (this.isKw('update')) return this.parseUpdate(withc);
        if (this.isKw('delete')) return this.parseDelete(withc);
        return this.parseSelectAfterWith(withc);
      }
      case 'insert':
        return this.parseInsert();
      case 'update':
        return this.parseUpdate();
      case 'delete':
        return this.parseDelete();
      case 'create':
        this.next();
        return this.parseCreate();
      case 'drop':
        this.next();
        return this.parseDrop();
      case 'alter':
        this.next();
        if (this.acceptKw('table')) return this.parseAlterTable();
        if (this.acceptKw('system')) return { kind: 'alter_setting', database: null, change: this.parseStoredSettingChange(false) };
        if (this.acceptKw('database')) {
          const database = this.parseColId();
          return { kind: 'alter_setting', database, change: this.parseStoredSettingChange(true) };
        }
        throw this.unsupported(`ALTER ${this.peek().value.toUpperCase()}`);
      case 'truncate':
        this.next();
        return this.parseTruncate();
      case 'begin':
      case 'start': {
        this.next();
        if (t.value === 'start') this.expectKw('transaction');
        else if (!this.acceptKw('work')) this.acceptKw('transaction');
        const stmt: TransactionStmt = { kind: 'transaction', action: 'begin' };
        const options = this.parseTransactionModes();
        if (options.length) stmt.options = options;
        return stmt;
      }
      case 'commit':
      case 'end':
        this.next();
        if (!this.acceptKw('work')) this.acceptKw('transaction');
        this.parseChain();
        return { kind: 'transaction', action: 'commit' };
      case 'rollback':
      case 'abort':
        this.next();
        if (!this.acceptKw('work')) this.acceptKw('transaction');
        if (t.value === 'rollback' && this.acceptKw('to')) {
          this.acceptKw('savepoint');
          return { kind: 'transaction', action: 'rollback_to', savepoint: this.parseColId() };
        }
        this.parseChain();
        return { kind: 'transaction', action: 'rollback' };
      case 'savepoint':
        this.next();
        return { kind: 'transaction', action: 'savepoint', savepoint: this.parseColId() };
      case 'release':
        this.next();
        this.acceptKw('savepoint');
        return { kind: 'transaction', action: 'release', savepoint: this.parseColId() };
      case 'set':
        this.next();
        return this.parseSet();
      case 'show':
        this.next();
        return { kind: 'show', name: this.parseSettingName(true) };
      case 'reset':
        this.next();
        return { kind: 'reset', name: this.parseSettingName(true) };
      case 'checkpoint':
        this.next();
        return { kind: 'checkpoint' };
      case 'explain':
        this.next();
        return this.parseExplain();
      case 'copy':
        this.next();
        return this.parseCopy();
      case 'call': {
        this.next();
        const nameTok = this.peek();
        const name = this.parseQualifiedName();
        return { kind: 'call', call: this.parseFuncCall(name.name, name.schema, this.posOf(nameTok)) };
      }
      case 'prepare': {
        this.next();
        if (this.isKw('transaction')) throw this.unsupported('PREPARE TRANSACTION');
        const name = this.parseColId();
        const paramTypes: TypeName[] = [];
        if (this.acceptPunct('(')) {
          do paramTypes.push(this.parseTypeName());
          while (this.acceptPunct(','));
          this.expectPunct(')');
        }
        this.expectKw('as');
        return { kind: 'prepare', name, paramTypes, statement: this.parseStatement() };
      }
      case 'execute': {
        this.next();
        const name = this.parseColId();
        let params: Expr[] = [];
        if (this.acceptPunct('(')) {
          params = this.parseExprList();
          this.expectPunct(')');
        }
        return { kind: 'execute', name, params };
      }
      case 'deallocate':
        this.next();
        this.acceptKw('prepare');
        if (this.acceptKw('all')) return { kind: 'deallocate' };
        return { kind: 'deallocate', name: this.parseColId() };
      case 'discard': {
        this.next();
        const what = this.next();
        if (!['all', 'plans', 'sequences', 'temp', 'temporary'].includes(what.value)) throw this.syntaxError(what);
        return { kind: 'noop', tag: `DISCARD ${what.value === 'temporary' ? 'TEMP' : what.value.toUpperCase()}` };
      }
    }
    const tag = NOOP_TAGS[t.value];
    if (tag) {
      this.skipRest();
      return { kind: 'noop', tag };
    }
    throw this.syntaxError();
  }

  private parseChain(): void {
    if (this.acceptKw('and')) {
      this.acceptKw('no');
      this.expectKw('chain');
    }
  }

  /** ISOLATION LEVEL …, READ ONLY/WRITE, [NOT] DEFERRABLE — as lower-case text. */
  private parseTransactionModes(): string[] {
    const out: string[] = [];
    for (;;) {
      if (this.acceptKws('isolation', 'level')) {
        if (this.acceptKw('serializable')) out.push('isolation level serializable');
        else if (this.acceptKws('repeatable', 'read')) out.push('isolation level repeatable read');
        else if (this.acceptKws('read', 'committed')) out.push('isolation level read committed');
        else if (this.acceptKws('read', 'uncommitted')) out.push('isolation level read uncommitted');
        else throw this.syntaxError();
      } else if (this.acceptKws('read', 'only')) out.push('read only');
      else if (this.acceptKws('read', 'write')) out.push('read write');
      else if (this.acceptKw('deferrable')) out.push('deferrable');
      else if (this.acceptKws('not', 'deferrable')) out.push('not deferrable');
      else return out;
      this.acceptPunct(',');
    }
  }

  /** A GUC name (dotted names allowed) or the multi-word aliases PostgreSQL accepts. */
  private parseSettingName(allowAll: boolean): string {
    if (this.acceptKws('time', 'zone')) return 'timezone';
    if (this.acceptKws('transaction', 'isolation', 'level')) return 'transaction_isolation';
    if (this.acceptKws('session', 'authorization')) return 'session_authorization';
    if (allowAll && this.acceptKw('all')) return 'all';
    let name = this.parseColLabel();
    while (this.acceptPunct('.')) name += '.' + this.parseColLabel();
    return name.toLowerCase();
  }

  private parseSet(): SetStmt {
    let local = false;
    if (this.acceptKw('local')) local = true;
    else this.acceptKw('session');
    const stmt: SetStmt = { kind: 'set', name: '', values: [], isDefault: false, local };
    if (this.acceptKws('time', 'zone')) {
      stmt.name = 'timezone';
      if (this.acceptKw('local') || this.acceptKw('default')) stmt.isDefault = true;
      else if (this.isKw('interval')) {
        const e = this.parseExpr();
        if (e.kind !== 'cast' || e.expr.kind !== 'literal') throw this.syntaxError();
        stmt.values = [e.expr.value];
      } else stmt.values = [this.parseSetValue()];
      return stmt;
    }
    if (this.acceptKw('transaction') || this.acceptKws('characteristics', 'as', 'transaction')) {
      const modes = this.parseTransactionModes();
      const iso = modes.find((m) => m.startsWith('isolation level '));
      if (iso) {
        stmt.name = 'transaction_isolation';
        stmt.values = [iso.slice('isolation level '.length)];
      } else {
        stmt.name = 'transaction_read_only';
        stmt.values = [modes.includes('read only') ? 'on' : 'off'];
      }
      return stmt;
    }
    if (this.acceptKw('schema')) {
      stmt.name = 'search_path';
      stmt.values = [this.parseSetValue()];
      return stmt;
    }
    if (this.acceptKw('names')) {
      stmt.name = 'client_encoding';
      if (this.acceptKw('default')) stmt.isDefault = true;
      else stmt.values = [this.parseSetValue()];
      return stmt;
    }
    if (this.acceptKws('session', 'authorization') || this.acceptKw('role')) {
      stmt.name = this.toks[this.pos - 1]!.value === 'role' ? 'role' : 'session_authorization';
      if (this.acceptKw('default')) stmt.isDefault = true;
      else stmt.values = [this.parseSetValue()];
      return stmt;
    }
    stmt.name = this.parseSettingName(false);
    if (!this.acceptKw('to') && !(this.isOp('=') && this.next())) throw this.syntaxError();
    if (this.acceptKw('default')) {
      stmt.isDefault = true;
      return stmt;
    }
    do stmt.values.push(this.parseSetValue());
    while (this.acceptPunct(','));
    return stmt;
  }

  /**
   * ALTER SYSTEM / ALTER DATABASE x: `SET name {TO|=} value[, …] | DEFAULT`, `RESET name | ALL`;
   * ALTER DATABASE also takes `SET name FROM CURRENT` and `SET TIME ZONE value`, as PostgreSQL does.
   */
  private parseStoredSettingChange(database: boolean): StoredSettingChange {
    if (this.acceptKw('reset')) {
      if (this.acceptKw('all')) return { kind: 'reset_all' };
      return { kind: 'reset', name: this.parseSettingName(false) };
    }
    if (!this.acceptKw('set')) throw this.syntaxError();
    if (database && this.acceptKws('time', 'zone')) {
      if (this.acceptKw('local') || this.acceptKw('default')) return { kind: 'reset', name: 'timezone' };
      return { kind: 'set', name: 'timezone', values: [this.parseSetValue()] };
    }
    const name = this.parseSettingName(false);
    if (database && this.acceptKws('from', 'current')) return { kind: 'set_current', name };
    if (!this.acceptKw('to') && !(this.isOp('=') && this.next())) throw this.syntaxError();
    if (this.acceptKw('default')) return { kind: 'reset', name };
    const values: string[] = [];
    do values.push(this.parseSetValue());
    while (this.acceptPunct(','));
    return { kind: 'set', name, values };
  }

  private parseSetValue(): string {
    let sign = '';
    if (this.isOp('-') || this.isOp('+')) sign = this.next().value === '-' ? '-' : '';
    const t = this.next();
    if (t.kind === 'number') return sign + t.value;
    if (sign) throw this.syntaxError(t);
    if (t.kind === 'string' || t.kind === 'ident') return t.value;
    throw this.syntaxError(t);
  }

  private parseExplain(): ExplainStmt {
    const stmt = { kind: 'explain', analyze: false, verbose: false, costs: true, format: 'text' } as ExplainStmt;
    if (this.isPunct('(') && this.peek(1).kind === 'ident' && !this.isSelectStart(1)) {
      this.next();
      do {
        const opt = this.parseColLabel();
        let value = 'true';
        if (!this.isPunct(',') && !this.isPunct(')')) {
          const v = this.next();
          if (v.kind !== 'ident' && v.kind !== 'string' && v.kind !== 'number') throw this.syntaxError(v);
          value = v.value.toLowerCase();
        }
        const on = ['true', 'on', '1', 'yes'].includes(value);
        if (opt === 'analyze' || opt === 'analyse') stmt.analyze = on;
        else if (opt === 'verbose') stmt.verbose = on;
        else if (opt === 'costs') stmt.costs = on;
        else if (opt === 'format') {
          if (value !== 'text' && value !== 'json') throw this.unsupported(`EXPLAIN format ${value.toUpperCase()}`);
          stmt.format = value;
        }
        // BUFFERS, TIMING, SUMMARY, SETTINGS, WAL: accepted, no effect on Strata's output
      } while (this.acceptPunct(','));
      this.expectPunct(')');
    } else {
      if (this.acceptKw('analyze') || this.acceptKw('analyse')) stmt.analyze = true;
      if (this.acceptKw('verbose')) stmt.verbose = true;
    }
    stmt.statement = this.parseStatement();
    return stmt;
  }

  private parseCopy(): CopyStmt {
    const stmt = { kind: 'copy', options: [] } as unknown as CopyStmt;
    if (this.acceptPunct('(')) {
      stmt.query = this.parseSelectStmt();
      this.expectPunct(')');
    } else {
      stmt.table = this.parseQualifiedName();
      if (this.isPunct('(')) stmt.columns = this.parseParenNameList();
    }
    if (this.acceptKw('from')) stmt.direction = 'from';
    else {
      this.expectKw('to');
      stmt.direction = 'to';
    }
    if (stmt.query && stmt.direction === 'from') throw this.syntaxError(this.toks[this.pos - 1]);
    const target = this.next();
    if (target.kind === 'ident' && !target.quoted && (target.value === 'stdin' || target.value === 'stdout')) {
      if ((target.value === 'stdin') !== (stmt.direction === 'from')) throw this.syntaxError(target);
      stmt.target = target.value;
    } else if (target.kind === 'string') {
      stmt.target = { file: target.value };
    } else if (target.kind === 'ident' && target.value === 'program') {
      throw this.unsupported('COPY … PROGRAM', target);
    } else {
      throw this.syntaxError(target);
    }
    const withKw = this.acceptKw('with');
    if (this.isPunct('(')) this.parseCopyOptions(stmt.options);
    else if (!this.atEnd() || withKw) this.parseLegacyCopyOptions(stmt.options);
    if (this.isKw('where')) throw this.unsupported('COPY … WHERE');
    return stmt;
  }

  /** `( FORMAT csv, HEADER true, DELIMITER ',', FORCE_NOT_NULL (a, b) )` */
  private parseCopyOptions(out: CopyStmt['options']): void {
    this.expectPunct('(');
    do {
      const name = this.parseColLabel().toLowerCase();
      if (this.isPunct(',') || this.isPunct(')')) {
        out.push({ name });
        continue;
      }
      if (this.isPunct('(')) {
        out.push({ name, value: this.parseParenNameList().join(',') });
        continue;
      }
      if (this.isOp('*')) {
        this.next();
        out.push({ name, value: '*' });
        continue;
      }
      const v = this.next();
      if (v.kind !== 'ident' && v.kind !== 'string' && v.kind !== 'number') throw this.syntaxError(v);
      out.push({ name, value: v.value });
    } while (this.acceptPunct(','));
    this.expectPunct(')');
  }

  /** Pre-9.0 spelling: `CSV HEADER DELIMITER AS ',' NULL AS ''` → the same option names. */
  private parseLegacyCopyOptions(out: CopyStmt['options']): void {
    const str = (): string => {
      this.acceptKw('as');
      const t = this.next();
      if (t.kind !== 'string') throw this.syntaxError(t);
      return t.value;
    };
    while (!this.atEnd()) {
      if (this.acceptKw('binary')) out.push({ name: 'format', value: 'binary' });
      else if (this.acceptKw('csv')) out.push({ name: 'format', value: 'csv' });
      else if (this.acceptKw('text')) out.push({ name: 'format', value: 'text' });
      else if (this.acceptKw('header')) out.push({ name: 'header' });
      else if (this.acceptKw('freeze')) out.push({ name: 'freeze' });
      else if (this.acceptKw('delimiter')) out.push({ name: 'delimiter', value: str() });
      else if (this.acceptKw('null')) out.push({ name: 'null', value: str() });
      else if (this.acceptKw('quote')) out.push({ name: 'quote', value: str() });
      else if (this.acceptKw('escape')) out.push({ name: 'escape', value: str() });
      else if (this.acceptKw('encoding')) out.push({ name: 'encoding', value: str() });
      else if (this.acceptKws('force', 'quote')) {
        if (this.isOp('*')) {
          this.next();
          out.push({ name: 'force_quote', value: '*' });
        } else out.push({ name: 'force_quote', value: this.parseNameList().join(',') });
      } else if (this.acceptKws('force', 'not', 'null')) out.push({ name: 'force_not_null', value: this.parseNameList().join(',') });
      else if (this.acceptKws('force', 'null')) out.push({ name: 'force_null', value: this.parseNameList().join(',') });
      else throw this.syntaxError();
    }
  }
}
