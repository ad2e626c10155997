/**
 * How many distinct stored values a distribution can give in a column: a finite domain lets
 * uniqueness fail (hard) or give up (soft) at once when it is exhausted, instead of
 * searching through every try.
 */
import type { DType, Distribution } from '../model/types.js';

export function domainSize(d: Distribution, dtype: DType): number {
  if (dtype === 'bool') return d.dist === 'constant' ? 1 : d.dist === 'bernoulli' && (d.p === 0 || d.p === 1) ? 1 : 2;
  switch (d.dist) {
    case 'constant':
      return 1;
    case 'bernoulli':
      return d.p === 0 || d.p === 1 ? 1 : 2;
    case 'categorical':
      return d.weights.filter((w) => w > 0).length;
    case 'integer':
      return d.max - d.min + 1;
    case 'uniform':
      // Rounded into an integer column, a bounded range holds finitely many values.
      return dtype === 'int32' || dtype === 'int64' ? Math.round(d.max) - Math.round(d.min) + 1 : Infinity;
    default:
      return Infinity;
  }
}
