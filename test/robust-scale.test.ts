/**
 * robustScale (anomaly/effect.ts) finds medians by selection; it must give exactly the
 * scale of the definition computed with sorted copies (the module comment), for odd and
 * even lengths, ties, signed zeros, constant runs and non-finite values.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { robustScale } from '../src/anomaly/effect.js';

/** The definition, with sorts. */
function reference(x: number[]): number {
  const v = x.filter((a) => Number.isFinite(a));
  if (v.length === 0) return 1;
  const median = (a: number[]) => {
    const s = Float64Array.from(a).sort();
    const n = s.length;
    return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
  };
  const med = median(v);
  const dev = v.map((a) => Math.abs(a - med));
  const mad = median(dev);
  if (mad > 0) return 1.4826 * mad;
  const mean = dev.reduce((a, b) => a + b, 0) / dev.length;
  return mean > 0 ? 1.2533 * mean : 1;
}

const value = fc.oneof(fc.double(), fc.integer({ min: -3, max: 3 }), fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1e308, -1e-308));

describe('robustScale', () => {
  it('equals the sorted-median definition bit for bit', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 400 }), (x) => {
        expect(Object.is(robustScale(x), reference(x))).toBe(true);
        expect(Object.is(robustScale(Float64Array.from(x)), reference(x))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('uses the mean deviation when more than half the values are equal, and 1 for a constant', () => {
    expect(robustScale([5, 5, 5, 5, 9])).toBe(1.2533 * (4 / 5));
    expect(robustScale([2, 2, 2])).toBe(1);
    expect(robustScale([NaN, Infinity])).toBe(1);
  });
});
