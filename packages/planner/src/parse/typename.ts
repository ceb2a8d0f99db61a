/**
 * Type names as PostgreSQL's grammar spells them (SQL-standard multi-word forms,
 * modifiers, array bounds), resolved to the canonical names documented on TypeName.
 */
import type { TypeName } from './ast.js';
import { ParserBase } from './parser-base.js';

const ALIASES: Record<string, string> = {
  int: 'int4', integer: 'int4', int4: 'int4',
  bigint: 'int8', int8: 'int8',
  smallint: 'int2', int2: 'int2',
  real: 'float4', float4: 'float4',
  float8: 'float8',
  decimal: 'numeric', numeric: 'numeric', dec: 'numeric',
  boolean: 'bool', bool: 'bool',
  varchar: 'varchar',
  char: 'bpchar', character: 'bpchar', bpchar: 'bpchar',
  timestamptz: 'timestamptz', timetz: 'timetz',
};
const SERIALS: Record<string, string> = {
  serial: 'int4', serial4: 'int4', bigserial: 'int8', serial8: 'int8', smallserial: 'int2', serial2: 'int2',
};
const INTERVAL_FIELDS = ['year', 'month', 'day', 'hour', 'minute', 'second'];

/** Keywords that start a multi-word type and so may start a typed literal `type '…'`. */
export const TYPE_KEYWORDS = new Set([
  'double', 'timestamp', 'time', 'character', 'char', 'varchar', 'national', 'interval', 'bit', 'numeric',
  'decimal', 'dec', 'float', 'int', 'integer', 'smallint', 'bigint', 'real', 'boolean',
]);

export abstract class TypeParser extends ParserBase {
  parseTypeName(): TypeName {
    const t = this.peek();
    if (t.kind !== 'ident') throw this.syntaxError();
    const ty: TypeName = t.quoted ? this.parseGenericType() : this.parseKeywordType();
    this.parseArrayBounds(ty);
    return ty;
  }

  private parseArrayBounds(ty: TypeName): void {
    for (;;) {
      if (this.isPunct('[')) {
        this.next();
        if (this.peek().kind === 'number') this.next();
        this.expectPunct(']');
        ty.arrayDims++;
      } else if (this.isKw('array')) {
        this.next();
        if (this.acceptPunct('[')) {
          if (this.peek().kind === 'number') this.next();
          this.expectPunct(']');
        }
        ty.arrayDims++;
      } else return;
    }
  }

  private parseModifiers(): number[] {
    if (!this.isPunct('(')) return [];
    this.next();
    const mods: number[] = [];
    do {
      const neg = this.isOp('-') ? (this.next(), true) : false;
      const n = this.peek();
      if (n.kind !== 'number' || !n.integer) throw this.syntaxError(n);
      this.next();
      mods.push(neg ? -Number(n.value) : Number(n.value));
    } while (this.acceptPunct(','));
    this.expectPunct(')');
    return mods;
  }

  /** WITH TIME ZONE / WITHOUT TIME ZONE after timestamp/time; true when WITH. */
  private parseTimeZoneSuffix(): boolean {
    if (this.acceptKws('with', 'time', 'zone')) return true;
    this.acceptKws('without', 'time', 'zone');
    return false;
  }

  private parseKeywordType(): TypeName {
    const word = this.next().value;
    const mk = (name: string, modifiers: number[] = []): TypeName => ({ name, modifiers, arrayDims: 0 });
    switch (word) {
      case 'double':
        this.expectKw('precision');
        return mk('float8');
      case 'float': {
        const mods = this.parseModifiers();
        // float(p): p ≤ 24 is real, otherwise double precision
        return mk(mods.length > 0 && mods[0]! <= 24 ? 'float4' : 'float8');
      }
      case 'national':
        this.acceptKw('character') || this.expectKw('char');
        return this.parseCharacter();
      case 'character':
      case 'char':
        return this.parseCharacter();
      case 'varchar':
        return mk('varchar', this.parseModifiers());
      case 'bit': {
        const varying = this.acceptKw('varying');
        return mk(varying ? 'varbit' : 'bit', this.parseModifiers());
      }
      case 'timestamp':
      case 'time': {
        const mods = this.parseModifiers();
        const tz = this.parseTimeZoneSuffix();
        return mk(word === 'timestamp' ? (tz ? 'timestamptz' : 'timestamp') : tz ? 'timetz' : 'time', mods);
      }
      case 'interval': {
        // interval fields (YEAR TO MONTH …) restrict input; Strata accepts and ignores them
        if (this.isAnyKw(INTERVAL_FIELDS)) {
          this.next();
          if (this.acceptKw('to')) this.next();
        }
        return mk('interval', this.parseModifiers());
      }
    }
    if (SERIALS[word]) return { name: SERIALS[word]!, modifiers: [], arrayDims: 0, serial: true };
    // schema-qualified type: pg_catalog.int4, public.mytype → last part
    let name = word;
    while (this.isPunct('.')) {
      this.next();
      name = this.parseColLabel();
    }
    return mk(ALIASES[name] ?? name, this.parseModifiers());
  }

  private parseCharacter(): TypeName {
    const varying = this.acceptKw('varying');
    const mods = this.parseModifiers();
    if (varying) return { name: 'varchar', modifiers: mods, arrayDims: 0 };
    // bare char / character means char(1) in PostgreSQL, unlike bpchar
    return { name: 'bpchar', modifiers: mods.length ? mods : [1], arrayDims: 0 };
  }

  private parseGenericType(): TypeName {
    let name = this.next().value;
    while (this.isPunct('.')) {
      this.next();
      name = this.parseColLabel();
    }
    return { name, modifiers: this.parseModifiers(), arrayDims: 0 };
  }

  /** INTERVAL '1' DAY: the trailing field names the unit of a bare number. */
  protected parseIntervalLiteralFields(value: string): string {
    if (!this.isAnyKw(INTERVAL_FIELDS)) return value;
    const unit = this.next().value;
    if (this.acceptKw('to')) {
      this.next();
      this.parseModifiers();
      return value;
    }
    this.parseModifiers();
    return /^\s*[-+]?\d+(\.\d+)?\s*$/.test(value) ? `${value.trim()} ${unit}` : value;
  }
}
