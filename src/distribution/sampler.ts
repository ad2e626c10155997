/**
 * Compiles a declared distribution into a sampler: a pure function from the row's first
 * uniform (and, for rejection samplers, its further draws) to the number stored in the
 * column buffer — the value itself for numeric columns, 0/1 for bool columns, and the
 * dictionary index for string columns.
 */
import { upperBound } from '../math/search.js';
import type { DType, Distribution } from '../model/types.js';
import { normalQuantile, openUniform } from '../random/normal-quantile.js';
import { makePoisson, type DrawSource } from './poisson.js';

export type { DrawSource } from './poisson.js';

export type Sampler = (u0: number, more: DrawSource) => number;

/** Dictionary positions, built once per dictionary: a lookup per value keeps set-up linear in the values. */
const dictionaries = new WeakMap<readonly string[], Map<string, number>>();

/** The position of `v` in a string column's dictionary (-1 when absent). */
export function categoryCode(categories: readonly string[], v: string): number {
  let index = dictionaries.get(categories);
  if (!index) {
    index = new Map();
    categories.forEach((c, i) => index!.has(c) || index!.set(c, i));
    dictionaries.set(categories, index);
  }
  return index.get(v) ?? -1;
}

/** Maps a categorical/constant value to what the column stores. */
function encodeValue(v: string | number | boolean, dtype: DType, categories: readonly string[] | null): number {
  if (dtype === 'string') return categoryCode(categories!, String(v));
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return dtype === 'bool' ? (v !== 0 ? 1 : 0) : v;
  throw new Error(`unreachable: string value in ${dtype} column`);
}

/**
 * Cumulative weights for "the first index i with u < cum[i]". The last non-zero weight
 * closes the interval (set to 2), so rounding in the sum can never leave u uncovered.
 * Every categorical path uses this one function, so all pick the same index.
 */
export function cumulativeWeights(weights: readonly number[]): Float64Array {
  const cum = new Float64Array(weights.length);
  let acc = 0;
  weights.forEach((w, i) => {
    acc += w;
    cum[i] = acc;
  });
  let last = cum.length - 1;
  while (last > 0 && weights[last] === 0) last--;
  for (let i = last; i < cum.length; i++) cum[i] = 2;
  return cum;
}

export function compileSampler(d: Distribution, dtype: DType, categories: readonly string[] | null): Sampler {
  switch (d.dist) {
    case 'uniform': {
      const { min } = d;
      const span = d.max - d.min;
      return (u) => min + u * span;
    }
    case 'normal': {
      const { mean, sd } = d;
      return (u) => mean + sd * normalQuantile(openUniform(u));
    }
    case 'lognormal': {
      const { mu, sigma } = d;
      return (u) => Math.exp(mu + sigma * normalQuantile(openUniform(u)));
    }
    case 'exponential': {
      const inv = 1 / d.rate;
      return (u) => -Math.log1p(-u) * inv;
    }
    case 'poisson':
      return makePoisson(d.lambda);
    case 'bernoulli': {
      const { p } = d;
      return (u) => (u < p ? 1 : 0);
    }
    case 'integer': {
      const { min } = d;
      const n = d.max - d.min + 1;
      return (u) => min + Math.floor(u * n);
    }
    case 'categorical': {
      const codes = d.values.map((v) => encodeValue(v, dtype, categories));
      const cum = cumulativeWeights(d.weights);
      if (codes.length === 1) {
        const only = codes[0]!;
        return () => only;
      }
      // The first cumulative weight above u; the last one when rounding leaves u above all.
      return (u) => codes[upperBound(cum, u, 0, cum.length - 1)]!;
    }
    case 'constant': {
      const code = encodeValue(d.value, dtype, categories);
      return () => code;
    }
  }
}
