/** Typing of SQL literals the way PostgreSQL's parser does it. */
import { T } from '../../../storage/src/types/sql-type.js';
import { Decimal } from '../../../storage/src/types/numeric.js';
import type { ConstNode } from '../../../storage/src/expr/expr.js';
import type { LiteralExpr } from '../parse/ast.js';

const INT4_MAX = 2_147_483_647;
const INT4_MIN = -2_147_483_648;

export function bindLiteral(lit: LiteralExpr, negate = false): ConstNode {
  switch (lit.literalType) {
    case 'null':
      return { k: 'const', type: T.unknown, value: null };
    case 'bool':
      return { k: 'const', type: T.bool, value: lit.value === 'true' };
    case 'string':
      return { k: 'const', type: T.unknown, value: lit.value };
    case 'integer': {
      const text = negate ? `-${lit.value}` : lit.value;
      const digits = text.replace(/^[-+]/, '').replace(/^0+(?=\d)/, '');
      // integers beyond int8 become numeric; int8 beyond 2^53 stays numeric-exact too
      if (digits.length <= 10) {
        const n = Number(text);
        if (n >= INT4_MIN && n <= INT4_MAX) return { k: 'const', type: T.int4, value: n };
      }
      if (digits.length <= 19) {
        const b = BigInt(text);
        if (b >= -(2n ** 63n) && b < 2n ** 63n) {
          return { k: 'const', type: T.int8, value: Number(b) };
        }
      }
      return { k: 'const', type: T.numeric, value: Decimal.parse(text) };
    }
    case 'numeric':
      return { k: 'const', type: T.numeric, value: Decimal.parse(negate ? `-${lit.value}` : lit.value) };
  }
}
