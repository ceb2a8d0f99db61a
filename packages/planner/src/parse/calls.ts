/**
 * Function-call syntax: argument lists with DISTINCT / ORDER BY / named arguments,
 * WITHIN GROUP, FILTER, OVER windows, and the SQL-standard special forms
 * (EXTRACT, POSITION, SUBSTRING, TRIM, OVERLAY) that PostgreSQL maps to plain functions.
 */
import { SqlError } from '../../../storage/src/errors.js';
import type { Expr, FrameBound, FuncCallExpr, LiteralExpr, OrderItem, WindowFrame, WindowSpec } from './ast.js';
import { TypeParser } from './typename.js';

export function makeFunc(name: string, args: Expr[], position?: number, schema?: string): FuncCallExpr {
  const f: FuncCallExpr = { kind: 'func', name, args, namedArgs: [], distinct: false, star: false, orderBy: [], withinGroup: [] };
  if (schema !== undefined) f.schema = schema;
  if (position !== undefined) f.position = position;
  return f;
}

export function stringLit(value: string, position?: number): LiteralExpr {
  return position === undefined ? { kind: 'literal', literalType: 'string', value } : { kind: 'literal', literalType: 'string', value, position };
}

export abstract class CallParser extends TypeParser {
  abstract parseExpr(): Expr;
  protected abstract parseExprList(): Expr[];
  /** the generic-operator precedence level (b_expr-like operands of POSITION / LIKE) */
  protected abstract parseOther(): Expr;

  /** SQL-standard call syntax mapped to PostgreSQL's plain functions. */
  protected parseSpecialFunc(kw: string, position: number): Expr {
    this.next();
    this.expectPunct('(');
    let f: FuncCallExpr;
    if (kw === 'extract') {
      const ft = this.next();
      if (ft.kind !== 'ident' && ft.kind !== 'string') throw this.syntaxError(ft);
      this.expectKw('from');
      f = makeFunc('extract', [stringLit(ft.kind === 'ident' ? ft.value : ft.value.toLowerCase(), this.posOf(ft)), this.parseExpr()], position);
    } else if (kw === 'position') {
      const needle = this.parseOther();
      this.expectKw('in');
      f = makeFunc('position', [this.parseOther(), needle], position);
    } else if (kw === 'substring') {
      const s = this.parseExpr();
      if (this.isKw('from') || this.isKw('for')) {
        let from: Expr | undefined;
        let len: Expr | undefined;
        if (this.acceptKw('from')) from = this.parseExpr();
        if (this.acceptKw('for')) len = this.parseExpr();
        if (!from && this.acceptKw('from')) from = this.parseExpr();
        const args = [s, from ?? { kind: 'literal', literalType: 'integer', value: '1' } as Expr];
        if (len) args.push(len);
        f = makeFunc('substring', args, position);
      } else {
        const args = [s];
        while (this.acceptPunct(',')) args.push(this.parseExpr());
        f = makeFunc('substring', args, position);
      }
    } else if (kw === 'trim') {
      let name = 'btrim';
      if (this.isAnyKw(['leading', 'trailing', 'both'])) {
        const w = this.next().value;
        name = w === 'leading' ? 'ltrim' : w === 'trailing' ? 'rtrim' : 'btrim';
      }
      let chars: Expr | undefined;
      if (!this.isKw('from')) chars = this.parseExpr();
      if (this.acceptKw('from')) {
        const args = this.parseExprList();
        if (chars) args.push(chars);
        f = makeFunc(name, args, position);
      } else {
        const args = [chars!];
        while (this.acceptPunct(',')) args.push(this.parseExpr());
        f = makeFunc(name, args, position);
      }
    } else {
      const s = this.parseExpr();
      this.expectKw('placing');
      const r = this.parseExpr();
      this.expectKw('from');
      const args = [s, r, this.parseExpr()];
      if (this.acceptKw('for')) args.push(this.parseExpr());
      f = makeFunc('overlay', args, position);
    }
    this.expectPunct(')');
    return this.parseFuncSuffix(f);
  }

  protected parseFuncCall(name: string, schema: string | undefined, position: number): FuncCallExpr {
    const f = makeFunc(name, [], position, schema);
    this.expectPunct('(');
    if (this.isOp('*')) {
      this.next();
      f.star = true;
    } else if (!this.isPunct(')')) {
      if (this.acceptKw('distinct')) f.distinct = true;
      else this.acceptKw('all');
      do {
        this.acceptKw('variadic');
        const t = this.peek();
        if (t.kind === 'ident' && (this.isPunct('=>', 1) || this.isPunct(':=', 1))) {
          this.pos += 2;
          f.namedArgs.push({ name: t.value, expr: this.parseExpr() });
        } else {
          if (f.namedArgs.length > 0) {
            throw new SqlError('42601', 'positional argument cannot follow named argument', { position: t.start + 1 });
          }
          f.args.push(this.parseExpr());
        }
      } while (this.acceptPunct(','));
      if (this.acceptKws('order', 'by')) f.orderBy = this.parseOrderList();
    }
    this.expectPunct(')');
    return this.parseFuncSuffix(f);
  }

  private parseFuncSuffix(f: FuncCallExpr): FuncCallExpr {
    if (this.acceptKws('within', 'group')) {
      this.expectPunct('(');
      this.expectKw('order');
      this.expectKw('by');
      f.withinGroup = this.parseOrderList();
      this.expectPunct(')');
    }
    if (this.isKw('filter') && this.isPunct('(', 1)) {
      this.pos += 2;
      this.expectKw('where');
      f.filter = this.parseExpr();
      this.expectPunct(')');
    }
    if (this.acceptKw('over')) {
      if (this.isPunct('(')) f.over = this.parseWindowSpec();
      else f.over = { baseName: this.parseColId(), partitionBy: [], orderBy: [] };
    }
    return f;
  }

  protected parseOrderList(): OrderItem[] {
    const out: OrderItem[] = [];
    do {
      const item: OrderItem = { expr: this.parseExpr(), direction: 'asc' };
      if (this.acceptKw('desc')) item.direction = 'desc';
      else if (!this.acceptKw('asc') && this.acceptKw('using')) {
        const op = this.next();
        if (op.value === '>') item.direction = 'desc';
        else if (op.value !== '<') throw this.unsupported('ORDER BY USING with an operator other than < or >', op);
      }
      if (this.acceptKw('nulls')) {
        if (this.acceptKw('first')) item.nulls = 'first';
        else {
          this.expectKw('last');
          item.nulls = 'last';
        }
      }
      out.push(item);
    } while (this.acceptPunct(','));
    return out;
  }

  /** `( [base] [PARTITION BY …] [ORDER BY …] [frame] )` */
  protected parseWindowSpec(): WindowSpec {
    this.expectPunct('(');
    const spec: WindowSpec = { partitionBy: [], orderBy: [] };
    if (this.isColId() && !this.isAnyKw(['partition', 'order', 'rows', 'range', 'groups'])) spec.baseName = this.parseColId();
    if (this.acceptKws('partition', 'by')) spec.partitionBy = this.parseExprList();
    if (this.acceptKws('order', 'by')) spec.orderBy = this.parseOrderList();
    if (this.isAnyKw(['rows', 'range', 'groups'])) spec.frame = this.parseFrame();
    this.expectPunct(')');
    return spec;
  }

  private parseFrame(): WindowFrame {
    const mode = this.next().value as 'rows' | 'range' | 'groups';
    let start: FrameBound;
    let end: FrameBound = { kind: 'current_row' };
    if (this.acceptKw('between')) {
      start = this.parseFrameBound();
      this.expectKw('and');
      end = this.parseFrameBound();
    } else {
      start = this.parseFrameBound();
    }
    const frame: WindowFrame = { mode, start, end };
    if (this.acceptKw('exclude')) {
      if (this.acceptKws('current', 'row')) frame.exclude = 'current row';
      else if (this.acceptKw('group')) frame.exclude = 'group';
      else if (this.acceptKw('ties')) frame.exclude = 'ties';
      else {
        this.expectKw('no');
        this.expectKw('others');
        frame.exclude = 'no others';
      }
    }
    return frame;
  }

  private parseFrameBound(): FrameBound {
    if (this.acceptKw('unbounded')) {
      if (this.acceptKw('preceding')) return { kind: 'unbounded_preceding' };
      this.expectKw('following');
      return { kind: 'unbounded_following' };
    }
    if (this.acceptKws('current', 'row')) return { kind: 'current_row' };
    const offset = this.parseExpr();
    if (this.acceptKw('preceding')) return { kind: 'preceding', offset };
    this.expectKw('following');
    return { kind: 'following', offset };
  }
}
