/**
 * The CLI's thousands separators (cli/thousands.ts) write what toLocaleString('en-US')
 * writes, without setting up ICU's number formatting.
 */
import { describe, expect, it } from 'vitest';
import { countOf, thousands } from '../src/cli/thousands.js';

describe('thousands', () => {
  it("writes whole numbers as toLocaleString('en-US') does", () => {
    const values = [0, 1, 12, 123, 999, 1000, 1001, 65_536, 387_470, 999_999, 1_000_000, 10_000_000, 123_456_789, 2 ** 40, Number.MAX_SAFE_INTEGER, -1, -999, -1000, -1_234_567];
    for (let d = 1; d <= 16; d++) values.push(10 ** d - 1, 10 ** d, 7 * 10 ** (d - 1) + 3);
    for (const v of values) expect(thousands(v), String(v)).toBe(v.toLocaleString('en-US'));
  });

  it('leaves what is not a safe integer to toLocaleString', () => {
    for (const v of [1234.5, 0.125, 2 ** 60, NaN, Infinity]) expect(thousands(v), String(v)).toBe(v.toLocaleString('en-US'));
  });
});

describe('countOf', () => {
  it('puts the noun in the singular for exactly one, and in the plural otherwise', () => {
    expect(countOf(1, 'row')).toBe('1 row');
    expect(countOf(0, 'row')).toBe('0 rows');
    expect(countOf(1_000_000, 'row')).toBe('1,000,000 rows');
    expect(countOf(2, 'entity', 'entities')).toBe('2 entities');
  });
});
