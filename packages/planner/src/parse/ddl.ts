/**
 * CREATE TABLE / VIEW / INDEX / SCHEMA, DROP, ALTER TABLE, TRUNCATE.
 */
import type {
  AlterTableAction, AlterTableStmt, ColumnDef, CreateIndexStmt, CreateTableStmt, CreateViewStmt, DropStmt,
  Expr, QualifiedName, Statement, TableConstraint, TruncateStmt,
} from './ast.js';
import { DmlParser } from './dml.js';

export abstract class DdlParser extends DmlParser {
  /** After CREATE. */
  protected parseCreate(): Statement {
    const orReplace = this.acceptKws('or', 'replace');
    let temporary = false;
    if (this.acceptKw('temp') || this.acceptKw('temporary')) temporary = true;
    else if (this.acceptKw('local') || this.acceptKw('global')) temporary = this.acceptKw('temp') || this.acceptKw('temporary');
    else this.acceptKw('unlogged');
    if (this.acceptKw('table')) return this.parseCreateTable(temporary);
    if (this.acceptKw('view')) return this.parseCreateView(orReplace);
    if (this.isKw('recursive')) throw this.unsupported('CREATE RECURSIVE VIEW');
    if (this.isKw('unique') || this.isKw('index')) return this.parseCreateIndex();
    if (this.acceptKw('schema')) {
      const ifNotExists = this.acceptKws('if', 'not', 'exists');
      let name: string;
      if (this.acceptKw('authorization')) name = this.parseColId();
      else {
        name = this.parseColId();
        if (this.acceptKw('authorization')) this.parseColId();
      }
      return { kind: 'create_schema', name, ifNotExists };
    }
    if (this.acceptKw('extension')) {
      // extensions (timescaledb) are built in; scripts still create them
      this.skipRest();
      return { kind: 'noop', tag: 'CREATE EXTENSION' };
    }
    if (this.isKw('materialized')) throw this.unsupported('CREATE MATERIALIZED VIEW');
    throw this.syntaxError();
  }

  /** Consume the remaining tokens of a statement whose details Strata ignores. */
  protected skipRest(): void {
    while (!this.atEnd()) this.next();
  }

  private parseCreateTable(temporary: boolean): CreateTableStmt {
    const ifNotExists = this.acceptKws('if', 'not', 'exists');
    const name = this.parseQualifiedName();
    const stmt: CreateTableStmt = { kind: 'create_table', name, ifNotExists, columns: [], constraints: [] };
    if (temporary) stmt.temporary = true;
    if (this.isPunct('(')) {
      this.next();
      if (!this.isPunct(')')) {
        do {
          if (this.isAnyKw(['constraint', 'primary', 'unique', 'check', 'foreign', 'exclude'])) {
            stmt.constraints.push(this.parseTableConstraint());
          } else if (this.isKw('like')) {
            throw this.unsupported('CREATE TABLE … (LIKE …)');
          } else {
            stmt.columns.push(this.parseColumnDef());
          }
        } while (this.acceptPunct(','));
      }
      this.expectPunct(')');
      if (this.isKw('inherits') || this.isKw('partition')) throw this.unsupported(`CREATE TABLE … ${this.peek().value.toUpperCase()}`);
      if (this.isKw('with') && this.isPunct('(', 1)) {
        this.next();
        stmt.options = this.parseOptionList();
      } else this.acceptKws('without', 'oids');
      if (this.acceptKws('on', 'commit')) {
        if (!this.acceptKws('preserve', 'rows') && !this.acceptKws('delete', 'rows')) this.expectKw('drop');
      }
      if (this.acceptKw('tablespace')) this.parseColId();
      if (this.isKw('as')) throw this.syntaxError();
      return stmt;
    }
    // CREATE TABLE name [(cols)] AS query
    if (this.isKw('with') && this.isPunct('(', 1)) {
      this.next();
      stmt.options = this.parseOptionList();
    }
    this.expectKw('as');
    stmt.asQuery = this.parseSelectStmt();
    if (this.acceptKw('with')) {
      this.acceptKw('no');
      this.expectKw('data');
    }
    return stmt;
  }

  /** `( name [= value], … )` storage options; names may be dotted (timescaledb.compress). */
  protected parseOptionList(): { name: string; value: string }[] {
    this.expectPunct('(');
    const out: { name: string; value: string }[] = [];
    do {
      let name = this.parseColLabel();
      while (this.acceptPunct('.')) name += '.' + this.parseColLabel();
      let value = 'true'; // a bare option means true, as in PostgreSQL's reloptions
      if (this.isOp('=')) {
        this.next();
        value = this.parseOptionValue();
      }
      out.push({ name, value });
    } while (this.acceptPunct(','));
    this.expectPunct(')');
    return out;
  }

  protected parseOptionValue(): string {
    let sign = '';
    if (this.isOp('-') || this.isOp('+')) sign = this.next().value === '-' ? '-' : '';
    const t = this.next();
    if (t.kind === 'string' || t.kind === 'number' || t.kind === 'ident') return sign + t.value;
    throw this.syntaxError(t);
  }

  protected parseColumnDef(): ColumnDef {
    const name = this.parseColId();
    const col: ColumnDef = { name, type: this.parseTypeName(), notNull: false, primaryKey: false, unique: false };
    for (;;) {
      if (this.acceptKw('collate')) {
        this.parseQualifiedName();
        continue;
      }
      if (this.acceptKw('constraint')) this.parseColId();
      if (this.acceptKws('not', 'null')) col.notNull = true;
      else if (this.acceptKw('null')) col.nullable = true;
      else if (this.acceptKw('default')) col.default = this.parseBExpr();
      else if (this.acceptKws('primary', 'key')) {
        col.primaryKey = true;
        this.parseIndexParams();
      } else if (this.acceptKw('unique')) {
        col.unique = true;
        this.parseIndexParams();
      } else if (this.acceptKw('check')) {
        this.expectPunct('(');
        col.check = this.parseExpr();
        this.expectPunct(')');
        this.acceptKws('no', 'inherit');
      } else if (this.acceptKw('references')) {
        const table = this.parseQualifiedName();
        const columns = this.isPunct('(') ? this.parseParenNameList() : [];
        col.references = { table, columns };
        this.parseReferentialActions();
      } else if (this.acceptKw('generated')) {
        if (!this.acceptKw('always')) {
          this.expectKw('by');
          this.expectKw('default');
        }
        this.expectKw('as');
        if (this.isPunct('(')) throw this.unsupported('generated columns');
        this.expectKw('identity');
        if (this.isPunct('(')) this.skipParens();
        col.identity = true;
      } else if (this.acceptKw('deferrable') || this.acceptKws('not', 'deferrable') || this.acceptKws('initially', 'deferred') || this.acceptKws('initially', 'immediate')) {
        continue;
      } else {
        return col;
      }
    }
  }

  /**
   * DEFAULT takes a b_expr in PostgreSQL; our a_expr parser stops before NOT NULL /
   * NULL / CHECK anyway (NOT only continues into NOT IN/LIKE/BETWEEN), so it is equivalent here.
   */
  private parseBExpr(): Expr {
    return this.parseExpr();
  }

  private skipParens(): void {
    this.expectPunct('(');
    let depth = 1;
    while (depth > 0) {
      const t = this.next();
      if (t.kind === 'eof') throw this.syntaxError(t);
      if (t.kind === 'punct' && t.value === '(') depth++;
      else if (t.kind === 'punct' && t.value === ')') depth--;
    }
  }

  /** USING INDEX TABLESPACE / WITH (…) / INCLUDE (…) after PRIMARY KEY / UNIQUE. */
  private parseIndexParams(): void {
    for (;;) {
      if (this.acceptKw('include')) this.skipParens();
      else if (this.isKw('with') && this.isPunct('(', 1)) {
        this.next();
        this.skipParens();
      } else if (this.acceptKws('using', 'index', 'tablespace')) this.parseColId();
      else return;
    }
  }

  private parseReferentialActions(): void {
    for (;;) {
      if (this.acceptKw('match')) this.next();
      else if (this.acceptKw('on')) {
        if (!this.acceptKw('delete')) this.expectKw('update');
        if (this.acceptKws('no', 'action') || this.acceptKw('restrict') || this.acceptKw('cascade')) continue;
        this.expectKw('set');
        if (!this.acceptKw('null')) this.expectKw('default');
        if (this.isPunct('(')) this.skipParens();
      } else return;
    }
  }

  protected parseTableConstraint(): TableConstraint {
    let name: string | undefined;
    if (this.acceptKw('constraint')) name = this.parseColId();
    const withName = <T extends TableConstraint>(c: T): T => (name !== undefined ? { ...c, name } : c);
    let c: TableConstraint;
    if (this.acceptKws('primary', 'key')) {
      c = withName({ kind: 'primary_key', columns: this.parseParenNameList() });
      this.parseIndexParams();
    } else if (this.acceptKw('unique')) {
      c = withName({ kind: 'unique', columns: this.parseParenNameList() });
      this.parseIndexParams();
    } else if (this.acceptKw('check')) {
      this.expectPunct('(');
      c = withName({ kind: 'check', expr: this.parseExpr() });
      this.expectPunct(')');
      this.acceptKws('no', 'inherit');
    } else if (this.acceptKws('foreign', 'key')) {
      const columns = this.parseParenNameList();
      this.expectKw('references');
      const refTable = this.parseQualifiedName();
      const refColumns = this.isPunct('(') ? this.parseParenNameList() : [];
      this.parseReferentialActions();
      c = withName({ kind: 'foreign_key', columns, refTable, refColumns });
    } else if (this.isKw('exclude')) {
      throw this.unsupported('EXCLUDE constraints');
    } else {
      throw this.syntaxError();
    }
    while (this.acceptKw('deferrable') || this.acceptKws('not', 'deferrable') || this.acceptKws('initially', 'deferred') || this.acceptKws('initially', 'immediate') || this.acceptKws('not', 'valid'));
    return c;
  }

  private parseCreateView(orReplace: boolean): CreateViewStmt {
    const name = this.parseQualifiedName();
    const stmt = { kind: 'create_view', name, orReplace } as CreateViewStmt;
    if (this.isPunct('(')) stmt.columnNames = this.parseParenNameList();
    if (this.isKw('with') && this.isPunct('(', 1)) {
      this.next();
      this.parseOptionList();
    }
    this.expectKw('as');
    const first = this.peek();
    stmt.query = this.parseSelectStmt();
    stmt.queryText = this.sourceBetween(first, this.toks[this.pos - 1]!);
    if (this.acceptKw('with')) {
      this.acceptKw('cascaded') || this.acceptKw('local');
      this.expectKw('check');
      this.expectKw('option');
    }
    return stmt;
  }

  private parseCreateIndex(): CreateIndexStmt {
    const unique = this.acceptKw('unique');
    this.expectKw('index');
    this.acceptKw('concurrently');
    const ifNotExists = this.acceptKws('if', 'not', 'exists');
    let name: string | undefined;
    if (!this.isKw('on')) name = this.parseColId();
    this.expectKw('on');
    this.acceptKw('only');
    const table = this.parseQualifiedName();
    const stmt: CreateIndexStmt = { kind: 'create_index', table, keys: [], unique, ifNotExists };
    if (name !== undefined) stmt.name = name;
    if (this.acceptKw('using')) stmt.method = this.parseColId();
    this.expectPunct('(');
    do {
      const expr = this.parseExpr();
      // opclass (jsonb_path_ops, text_pattern_ops …) only matters to a real index AM
      if (this.isColId() && !this.isAnyKw(['asc', 'desc', 'nulls'])) {
        this.parseQualifiedName();
        if (this.isPunct('(')) this.skipParens();
      }
      const item: CreateIndexStmt['keys'][number] = { expr, direction: 'asc' };
      if (this.acceptKw('desc')) item.direction = 'desc';
      else this.acceptKw('asc');
      if (this.acceptKw('nulls')) item.nulls = this.acceptKw('first') ? 'first' : (this.expectKw('last'), 'last');
      stmt.keys.push(item);
    } while (this.acceptPunct(','));
    this.expectPunct(')');
    if (this.acceptKw('include')) this.skipParens();
    if (this.isKw('with') && this.isPunct('(', 1)) {
      this.next();
      this.parseOptionList();
    }
    if (this.acceptKw('tablespace')) this.parseColId();
    if (this.acceptKw('where')) stmt.where = this.parseExpr();
    return stmt;
  }

  /** After DROP. */
  protected parseDrop(): DropStmt | Statement {
    let objectType: DropStmt['objectType'];
    if (this.acceptKw('table')) objectType = 'table';
    else if (this.acceptKw('schema')) objectType = 'schema';
    else if (this.acceptKw('index')) objectType = 'index';
    else if (this.acceptKw('view')) objectType = 'view';
    else if (this.acceptKw('extension')) {
      this.skipRest();
      return { kind: 'noop', tag: 'DROP EXTENSION' };
    } else if (this.isKw('materialized')) throw this.unsupported('DROP MATERIALIZED VIEW');
    else throw this.syntaxError();
    if (objectType === 'index') this.acceptKw('concurrently');
    const ifExists = this.acceptKws('if', 'exists');
    const names: QualifiedName[] = [this.parseQualifiedName()];
    while (this.acceptPunct(',')) names.push(this.parseQualifiedName());
    const cascade = this.acceptKw('cascade');
    if (!cascade) this.acceptKw('restrict');
    return { kind: 'drop', objectType, names, ifExists, cascade };
  }

  /** After TRUNCATE. */
  protected parseTruncate(): TruncateStmt {
    this.acceptKw('table');
    const tables: QualifiedName[] = [];
    do {
      this.acceptKw('only');
      tables.push(this.parseQualifiedName());
      if (this.isOp('*')) this.next();
    } while (this.acceptPunct(','));
    let restartIdentity = false;
    if (this.acceptKws('restart', 'identity')) restartIdentity = true;
    else this.acceptKws('continue', 'identity');
    const cascade = this.acceptKw('cascade');
    if (!cascade) this.acceptKw('restrict');
    return { kind: 'truncate', tables, restartIdentity, cascade };
  }

  /** After ALTER TABLE. */
  protected parseAlterTable(): AlterTableStmt {
    const ifExists = this.acceptKws('if', 'exists');
    this.acceptKw('only');
    const name = this.parseQualifiedName();
    if (this.isOp('*')) this.next();
    const stmt: AlterTableStmt = { kind: 'alter_table', name, ifExists, actions: [] };
    if (this.acceptKw('rename')) {
      if (this.acceptKw('to')) {
        stmt.actions.push({ kind: 'rename_table', to: this.parseColId() });
        return stmt;
      }
      if (this.isKw('constraint')) throw this.unsupported('ALTER TABLE … RENAME CONSTRAINT');
      this.acceptKw('column');
      const from = this.parseColId();
      this.expectKw('to');
      stmt.actions.push({ kind: 'rename_column', from, to: this.parseColId() });
      return stmt;
    }
    do stmt.actions.push(this.parseAlterAction());
    while (this.acceptPunct(','));
    return stmt;
  }

  private parseAlterAction(): AlterTableAction {
    const t = this.peek();
    if (this.acceptKw('add')) {
      if (this.isAnyKw(['constraint', 'primary', 'unique', 'check', 'foreign', 'exclude'])) {
        return { kind: 'add_constraint', constraint: this.parseTableConstraint() };
      }
      this.acceptKw('column');
      const ifNotExists = this.acceptKws('if', 'not', 'exists');
      return { kind: 'add_column', column: this.parseColumnDef(), ifNotExists };
    }
    if (this.acceptKw('drop')) {
      if (this.isKw('constraint')) throw this.unsupported('ALTER TABLE … DROP CONSTRAINT', t);
      this.acceptKw('column');
      const ifExists = this.acceptKws('if', 'exists');
      const name = this.parseColId();
      const cascade = this.acceptKw('cascade');
      if (!cascade) this.acceptKw('restrict');
      return { kind: 'drop_column', name, ifExists, cascade };
    }
    if (this.acceptKw('alter')) {
      this.acceptKw('column');
      const column = this.parseColId();
      if (this.acceptKws('set', 'data', 'type') || this.acceptKw('type')) {
        const type = this.parseTypeName();
        if (this.acceptKw('collate')) this.parseQualifiedName();
        const a: AlterTableAction = { kind: 'alter_column_type', column, type };
        if (this.acceptKw('using')) a.using = this.parseExpr();
        return a;
      }
      if (this.acceptKws('set', 'default')) return { kind: 'set_default', column, default: this.parseBExpr() };
      if (this.acceptKws('drop', 'default')) return { kind: 'drop_default', column };
      if (this.acceptKws('set', 'not', 'null')) return { kind: 'set_not_null', column };
      if (this.acceptKws('drop', 'not', 'null')) return { kind: 'drop_not_null', column };
      throw this.syntaxError();
    }
    if (this.isKw('set') && this.isPunct('(', 1)) {
      this.next();
      return { kind: 'set_options', options: this.parseOptionList() };
    }
    if (this.isKw('reset') || this.isKw('owner') || this.isKw('set')) {
      throw this.unsupported(`ALTER TABLE … ${t.value.toUpperCase()} ${this.peek(1).value.toUpperCase()}`, t);
    }
    throw this.syntaxError();
  }
}
