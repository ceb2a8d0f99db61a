import { describe, expect, it } from 'vitest';
import { Decimal } from './numeric.js';
import { SqlError } from '../errors.js';

const D = Decimal.parse;
const s = (d: Decimal) => d.toString();

// Expected values are PostgreSQL 15.18 output.
describe('Decimal', () => {
  it('parses and prints like numeric_in/numeric_out', () => {
    expect(s(D('1.10'))).toBe('1.10');
    expect(s(D('-0.00'))).toBe('0.00');
    expect(s(D('1e-5'))).toBe('0.00001');
    expect(s(D('1.50e3'))).toBe('1500');
    expect(s(D('  .5'))).toBe('0.5');
    expect(s(D('5.'))).toBe('5');
    expect(s(D('-0.5'))).toBe('-0.5');
    expect(s(D(' NaN '))).toBe('NaN');
    expect(s(D('inf'))).toBe('Infinity');
    expect(s(D('-Infinity'))).toBe('-Infinity');
    expect(s(D('123456789012345678901234567890.123456789'))).toBe('123456789012345678901234567890.123456789');
    for (const bad of ['abc', '', '1e', '1.2.3', '--1', '+nan', '1 2'])
      expect(() => D(bad)).toThrowError(new SqlError('22P02', `invalid input syntax for type numeric: "${bad}"`));
  });
  it('float8 → numeric uses 15 significant digits', () => {
    const f = (x: number) => s(Decimal.fromNumber(x));
    expect(f(1.23456789012345678)).toBe('1.23456789012346');
    expect(f(1e20)).toBe('100000000000000000000');
    expect(f(1e-7)).toBe('0.0000001');
    expect(f(0.1)).toBe('0.1');
    expect(f(123456789012345678)).toBe('123456789012346000');
    expect(f(Infinity)).toBe('Infinity');
  });
  it('arithmetic scales', () => {
    expect(s(D('1.10').add(D('2.3')))).toBe('3.40');
    expect(s(D('1.10').mul(D('2.3')))).toBe('2.530');
    expect(s(D('5.5').mod(D('2')))).toBe('1.5');
    expect(s(D('-5.5').mod(D('2')))).toBe('-1.5');
  });
  it('division follows select_div_scale', () => {
    const cases: [string, string, string][] = [
      ['1', '3', '0.33333333333333333333'],
      ['10', '4', '2.5000000000000000'],
      ['1.0', '3', '0.33333333333333333333'],
      ['100000', '3', '33333.333333333333'],
      ['0.001', '7', '0.00014285714285714286'],
      ['1', '0.000003', '333333.333333333333'],
      ['12345678901234567890', '3', '4115226300411522630'],
      ['2', '2', '1.00000000000000000000'],
      ['-7', '2', '-3.5000000000000000'],
      ['1e-20', '3', '0.0000000000000000000033333333333333333333'],
      ['1.000', '3.00000', '0.33333333333333333333'],
      ['9999', '10000', '0.99990000000000000000'],
      ['0', '7', '0.00000000000000000000'],
    ];
    for (const [a, b, r] of cases) expect(s(D(a).div(D(b))), `${a}/${b}`).toBe(r);
    expect(() => D('1').div(D('0'))).toThrowError('division by zero');
    expect(() => D('1').mod(D('0'))).toThrowError('division by zero');
  });
  it('rounding', () => {
    expect(s(D('1.2').round(3))).toBe('1.200');
    expect(s(D('1234.5').round(-2))).toBe('1200');
    expect(s(D('-2.5').round())).toBe('-3');
    expect(s(D('2.5').round())).toBe('3');
    expect(s(D('1.2345').trunc(2))).toBe('1.23');
    expect(s(D('-1.5').trunc())).toBe('-1');
    expect(s(D('-1.5').ceil())).toBe('-1');
    expect(s(D('-1.5').floor())).toBe('-2');
    expect(s(D('1.23').ceil())).toBe('2');
  });
  it('special values', () => {
    expect(s(D('nan').add(D('1')))).toBe('NaN');
    expect(s(D('inf').sub(D('inf')))).toBe('NaN');
    expect(s(D('1').div(D('inf')))).toBe('0');
    expect(s(D('inf').mul(D('0')))).toBe('NaN');
    expect(D('NaN').cmp(D('inf'))).toBe(1);
    expect(D('-inf').cmp(D('-1e100'))).toBe(-1);
    expect(D('NaN').eq(D('nan'))).toBe(true);
  });
  it('transcendental functions match PostgreSQL digits', () => {
    expect(s(D('2').pow(D('10')))).toBe('1024.0000000000000000');
    expect(s(D('2.5').pow(D('2')))).toBe('6.2500000000000000');
    expect(s(D('2').pow(D('0.5')))).toBe('1.4142135623730950');
    expect(s(D('10').pow(D('-2')))).toBe('0.0100000000000000');
    expect(s(D('1.1').pow(D('3')))).toBe('1.3310000000000000');
    expect(s(D('0').pow(D('0')))).toBe('1.0000000000000000');
    expect(s(D('2').pow(D('-3')))).toBe('0.1250000000000000');
    expect(s(D('1.5').pow(D('2.5')))).toBe('2.7556759606310754');
    expect(s(D('-2').pow(D('3')))).toBe('-8.0000000000000000');
    expect(s(D('2').sqrt())).toBe('1.414213562373095');
    expect(s(D('100').sqrt())).toBe('10.000000000000000');
    expect(s(D('0.0001').sqrt())).toBe('0.01000000000000000');
    expect(s(D('12345678.9').sqrt())).toBe('3513.6418286444622');
    expect(s(D('2').ln())).toBe('0.6931471805599453');
    expect(s(D('100').ln())).toBe('4.6051701859880914');
    expect(s(D('0.001').ln())).toBe('-6.9077552789821371');
    expect(s(D('1').exp())).toBe('2.7182818284590452');
    expect(s(D('10').exp())).toBe('22026.465794806717');
    expect(s(D('0.5').exp())).toBe('1.6487212707001281');
    expect(s(D('-100').exp())).toBe('0.00000000000000000000000000000000000000000003720075976020836');
    expect(s(D('100').exp())).toBe('26881171418161354484126255515800135873611119');
    expect(s(D('100').log10())).toBe('2.0000000000000000');
    expect(s(D('2').log10())).toBe('0.3010299956639812');
    expect(() => D('0').pow(D('-1'))).toThrowError('zero raised to a negative power is undefined');
    expect(() => D('-2').pow(D('0.5'))).toThrowError('a negative number raised to a non-integer power yields a complex result');
    expect(() => D('0').ln()).toThrowError('cannot take logarithm of zero');
    expect(() => D('-1').ln()).toThrowError('cannot take logarithm of a negative number');
    expect(() => D('-1').sqrt()).toThrowError('cannot take square root of a negative number');
  });
  it('typmod', () => {
    expect(s(D('0.5').withTypmod(3, 0))).toBe('1');
    expect(s(D('0.5').withTypmod(2, 2))).toBe('0.50');
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return [(e as SqlError).code, (e as SqlError).message, (e as SqlError).detail];
      }
      return null;
    };
    expect(err(() => D('123.45').withTypmod(4, 2))).toEqual([
      '22003',
      'numeric field overflow',
      'A field with precision 4, scale 2 must round to an absolute value less than 10^2.',
    ]);
    expect(err(() => D('1').withTypmod(2, 2))?.[2]).toBe('A field with precision 2, scale 2 must round to an absolute value less than 1.');
    expect(err(() => D('inf').withTypmod(5, 2))?.[2]).toBe('A field with precision 5, scale 2 cannot hold an infinite value.');
  });
  it('hashKey and toNumber', () => {
    expect(D('1.10').hashKey()).toBe(D('1.1').hashKey());
    expect(D('0.00').hashKey()).toBe(D('0').hashKey());
    expect(D('100').hashKey()).toBe(D('1e2').hashKey());
    expect(D('1.10').hashKey()).not.toBe(D('11').hashKey());
    expect(D('0.1').toNumber()).toBe(0.1);
    expect(D('123456789012345678901234567890').toNumber()).toBe(1.2345678901234568e29);
  });
  it('sums a million values quickly', () => {
    const xs: Decimal[] = [];
    for (let i = 0; i < 1e6; i++) xs.push(D(`${i % 1000}.${i % 100}`));
    const t = performance.now();
    let acc = Decimal.ZERO;
    for (const x of xs) acc = acc.add(x);
    expect(performance.now() - t).toBeLessThan(600);
    expect(s(acc)).toBe('500035500.00');
  });
});
