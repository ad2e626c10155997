/**
 * A regular timeline's timestamps are written as int64 pairs stepped in int32 arithmetic
 * (columns.ts putInt64Steps): the same pairs as putInt64 of each value, across low-word
 * carries, negative (pre-1970) values and the edges of the exact range; anything it cannot
 * step exactly is declined and left to the per-row loop.
 */
import { describe, expect, it } from 'vitest';
import { putInt64, putInt64Steps } from '../src/columns/columns.js';

/** The pairs putInt64 writes for first + k·step, k in [0, count). */
function perRow(count: number, first: number, step: number): Int32Array {
  const out = new Int32Array(2 * count);
  for (let k = 0; k < count; k++) putInt64(out, k, first + k * step);
  return out;
}

describe('int64 pairs of a regular timeline', () => {
  it('are the pairs of each value, across carries, below zero and up to 2^53', () => {
    const cases: Array<[string, number, number, number]> = [
      ['100 ms from 2024', 1_000_000, 1_704_067_200_000, 100],
      ['a carry at nearly every step', 5000, 2 ** 32 * 7 - 3, 2 ** 31 - 1],
      ['before 1970, through zero', 5000, -2_500_000_000, 1_000_003],
      ['a step of zero', 10, -1, 0],
      ['one value', 1, 2 ** 40 + 5, 1000],
      ['up to the largest safe integer', 1000, 2 ** 53 - 1 - 999 * 1_000_000, 1_000_000],
    ];
    for (const [what, count, first, step] of cases) {
      const out = new Int32Array(2 * count).fill(7);
      expect(putInt64Steps(out, count, first, step), what).toBe(true);
      expect(out, what).toEqual(perRow(count, first, step));
    }
  });

  it('declines what it cannot step exactly, writing nothing', () => {
    const declined: Array<[string, number, number, number]> = [
      ['a fractional step', 10, 0, 0.5],
      ['a negative step', 10, 1000, -1],
      ['a step of 2^31', 10, 0, 2 ** 31],
      ['a fractional start', 10, 0.25, 1],
      ['past 2^53', 10, 2 ** 53 - 5, 1],
    ];
    for (const [what, count, first, step] of declined) {
      const out = new Int32Array(2 * count).fill(7);
      expect(putInt64Steps(out, count, first, step), what).toBe(false);
      expect(out.every((x) => x === 7), what).toBe(true);
    }
  });
});
