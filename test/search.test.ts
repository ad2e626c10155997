/** The shared binary searches against a linear scan, including ties, ends and sub-ranges. */
import { describe, expect, it } from 'vitest';
import { lowerBound, upperBound } from '../src/math/search.js';

const scanLower = (a: readonly number[], x: number, lo: number, hi: number) => {
  for (let i = lo; i < hi; i++) if (a[i]! >= x) return i;
  return hi;
};
const scanUpper = (a: readonly number[], x: number, lo: number, hi: number) => {
  for (let i = lo; i < hi; i++) if (a[i]! > x) return i;
  return hi;
};

describe('lowerBound / upperBound', () => {
  it('agree with a linear scan on arrays with runs of equal values', () => {
    const arrays = [[], [5], [1, 1, 1], [0, 2, 2, 2, 4, 7, 7, 9], Array.from({ length: 33 }, (_, i) => Math.floor(i / 3))];
    for (const a of arrays) {
      for (let x = -1; x <= 12; x += 0.5) {
        for (let lo = 0; lo <= a.length; lo++) {
          for (let hi = lo; hi <= a.length; hi++) {
            expect(lowerBound(a, x, lo, hi)).toBe(scanLower(a, x, lo, hi));
            expect(upperBound(a, x, lo, hi)).toBe(scanUpper(a, x, lo, hi));
          }
        }
      }
    }
  });

  it('works on typed arrays', () => {
    const a = new Float64Array([0.1, 0.5, 0.5, 0.9]);
    expect([lowerBound(a, 0.5), upperBound(a, 0.5), lowerBound(a, 1), upperBound(a, 0)]).toEqual([1, 3, 4, 0]);
  });
});
