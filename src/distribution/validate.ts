/** Validation of distribution specs (`{ dist: normal, mean, sd }` ...) and what they imply for column types. */
import { Checker, describe, join, unknownChoice } from '../model/checker.js';
import { DIST_NAMES, type DType, type Distribution } from '../model/types.js';

const DIST_PARAMS: Record<Distribution['dist'], readonly string[]> = {
  uniform: ['min', 'max'],
  normal: ['mean', 'sd'],
  lognormal: ['mu', 'sigma'],
  exponential: ['rate'],
  poisson: ['lambda'],
  bernoulli: ['p'],
  integer: ['min', 'max'],
  categorical: ['values', 'weights'],
  constant: ['value'],
};

export function checkDistribution(c: Checker, raw: unknown, path: string): Distribution | undefined {
  const o = c.object(raw, path);
  if (!o) return undefined;
  const name = o['dist'];
  if (typeof name !== 'string' || !(DIST_NAMES as readonly string[]).includes(name)) {
    return c.fail(join(path, 'dist'), unknownChoice('distribution', name, DIST_NAMES));
  }
  const dist = name as Distribution['dist'];
  c.keys(o, path, ['dist', ...DIST_PARAMS[dist]]);
  const p = (k: string) => join(path, k);
  switch (dist) {
    case 'uniform': {
      const min = c.number(o['min'], p('min'));
      const max = c.number(o['max'], p('max'));
      if (min === undefined || max === undefined) return undefined;
      if (!(max > min)) return c.fail(p('max'), `must be > min (${min}), got ${max}`);
      return { dist, min, max };
    }
    case 'normal': {
      const mean = c.number(o['mean'], p('mean'));
      const sd = c.number(o['sd'], p('sd'), { gt: 0 });
      return mean === undefined || sd === undefined ? undefined : { dist, mean, sd };
    }
    case 'lognormal': {
      const mu = c.number(o['mu'], p('mu'));
      const sigma = c.number(o['sigma'], p('sigma'), { gt: 0 });
      return mu === undefined || sigma === undefined ? undefined : { dist, mu, sigma };
    }
    case 'exponential': {
      const rate = c.number(o['rate'], p('rate'), { gt: 0 });
      return rate === undefined ? undefined : { dist, rate };
    }
    case 'poisson': {
      const lambda = c.number(o['lambda'], p('lambda'), { gt: 0, le: 1e9 });
      return lambda === undefined ? undefined : { dist, lambda };
    }
    case 'bernoulli': {
      const pr = c.number(o['p'], p('p'), { ge: 0, le: 1 });
      return pr === undefined ? undefined : { dist, p: pr };
    }
    case 'integer': {
      const min = c.number(o['min'], p('min'), { integer: true });
      const max = c.number(o['max'], p('max'), { integer: true });
      if (min === undefined || max === undefined) return undefined;
      if (!(max >= min)) return c.fail(p('max'), `must be >= min (${min}), got ${max}`);
      if (max - min >= 2 ** 52) return c.fail(p('max'), `range max - min must be < 2^52, got ${max - min}`);
      return { dist, min, max };
    }
    case 'categorical': {
      const values = o['values'];
      if (!Array.isArray(values) || values.length === 0) return c.fail(p('values'), `expected a non-empty list, got ${describe(values)}`);
      // Name the first value that breaks the rule: a YAML `null` or `~` in a long list (a
      // category meant as the text "null") is otherwise hard to find.
      const odd = values.findIndex((v) => !['string', 'number', 'boolean'].includes(typeof v));
      if (odd >= 0) {
        const hint = values[odd] === null ? " (write 'null' in quotes for the text null; an empty list item is null too)" : '';
        return c.fail(join(p('values'), odd), `expected a string, number or boolean, got ${describe(values[odd])}${hint}`);
      }
      const mixed = values.findIndex((v) => typeof v !== typeof values[0]);
      if (mixed >= 0) {
        return c.fail(join(p('values'), mixed), `values must all be strings, all numbers or all booleans: values[0] is a ${typeof values[0]}, this one ${describe(values[mixed])}`);
      }
      if (typeof values[0] === 'number' && values.some((v) => !Number.isFinite(v))) return c.fail(p('values'), 'numbers must be finite');
      if (new Set(values).size !== values.length) return c.fail(p('values'), 'must not repeat a value');
      let weights: number[];
      if (o['weights'] === undefined) {
        weights = values.map(() => 1 / values.length);
      } else {
        const w = o['weights'];
        if (!Array.isArray(w)) return c.fail(p('weights'), `expected a list of numbers, got ${describe(w)}`);
        if (w.length !== values.length) return c.fail(p('weights'), `must have one weight per value (${values.length}), got ${w.length}`);
        const ok = w.map((x, i) => c.number(x, join(p('weights'), i), { ge: 0 }));
        if (ok.some((x) => x === undefined)) return undefined;
        const sum = (ok as number[]).reduce((a, b) => a + b, 0);
        if (!(sum > 0)) return c.fail(p('weights'), 'must not all be 0');
        if (!Number.isFinite(sum)) return c.fail(p('weights'), `sum to more than the largest number (${sum}); scale them down — only their ratios matter`);
        weights = (ok as number[]).map((x) => x / sum);
      }
      return { dist, values: values as Array<string | number | boolean>, weights };
    }
    case 'constant': {
      const value = o['value'];
      if (value === undefined) return c.fail(p('value'), 'required');
      if (typeof value === 'number' ? !Number.isFinite(value) : !['string', 'boolean'].includes(typeof value)) {
        return c.fail(p('value'), `expected a number, string or boolean, got ${describe(value)}`);
      }
      return { dist, value: value as string | number | boolean };
    }
  }
}

/** What a distribution yields: numbers, strings or booleans. */
export function valueKind(d: Distribution): 'number' | 'string' | 'boolean' {
  if (d.dist === 'categorical') return typeof d.values[0] as 'number' | 'string' | 'boolean';
  if (d.dist === 'constant') return typeof d.value as 'number' | 'string' | 'boolean';
  if (d.dist === 'bernoulli') return 'boolean';
  return 'number';
}

export function defaultDtype(d: Distribution): DType {
  const kind = valueKind(d);
  if (kind === 'string') return 'string';
  if (kind === 'boolean') return 'bool';
  if (d.dist === 'poisson' || d.dist === 'integer') return 'int64';
  if (d.dist === 'categorical' && d.values.every((v) => Number.isInteger(v))) return 'int64';
  return 'float64';
}

/** The range a bounded numeric distribution yields; undefined for unbounded or non-numeric ones. */
function numericBounds(d: Distribution): [number, number] | undefined {
  switch (d.dist) {
    case 'uniform':
    case 'integer':
      return [d.min, d.max];
    case 'constant':
      return typeof d.value === 'number' ? [d.value, d.value] : undefined;
    case 'categorical': {
      if (typeof d.values[0] !== 'number') return undefined;
      const nums = d.values as number[];
      return [nums.reduce((a, b) => Math.min(a, b)), nums.reduce((a, b) => Math.max(a, b))];
    }
    default:
      return undefined;
  }
}

/**
 * The largest magnitude a distribution can yield: continuous ones are drawn by inversion
 * from uniforms no closer to 0 or 1 than about 2^-54, so their tails end near 8.3 standard
 * deviations (normal, lognormal) or ln 2^54 ≈ 37.4 means (exponential). Infinity: it can
 * overflow a float64.
 */
export function largestMagnitude(d: Distribution): number | undefined {
  const Z = 8.5;
  switch (d.dist) {
    case 'uniform':
      return Number.isFinite(d.max - d.min) ? Math.max(Math.abs(d.min), Math.abs(d.max)) : Infinity;
    case 'normal':
      return Math.abs(d.mean) + Z * d.sd;
    case 'lognormal':
      return Math.exp(d.mu + Z * d.sigma);
    case 'exponential':
      return 38 / d.rate;
    case 'poisson':
      return d.lambda + Z * Math.sqrt(d.lambda) + 10;
    case 'integer':
      return Math.max(Math.abs(d.min), Math.abs(d.max));
    default: {
      const b = numericBounds(d);
      return b ? Math.max(Math.abs(b[0]), Math.abs(b[1])) : undefined;
    }
  }
}

/**
 * The interval a numeric distribution's values can reach: its bounds where it has them,
 * else its inversion tails as in largestMagnitude (normal mean ± 8.5 sd; lognormal,
 * exponential and Poisson from 0). `tail` says the interval is such a tail, not a bound.
 */
export function reachableBounds(d: Distribution): { range: [number, number]; tail: boolean } | undefined {
  const b = numericBounds(d);
  if (b) return { range: b, tail: false };
  const big = largestMagnitude(d);
  if (big === undefined) return undefined;
  return { range: d.dist === 'normal' ? [d.mean - (big - Math.abs(d.mean)), big - Math.abs(d.mean) + d.mean] : [0, big], tail: true };
}

/** Largest finite float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** True when every value of a numeric distribution is 0 or 1 (so a bool column keeps it). */
export function zeroOrOne(d: Distribution): boolean {
  if (d.dist === 'integer') return d.min >= 0 && d.max <= 1;
  if (d.dist === 'categorical') return d.values.every((v) => v === 0 || v === 1);
  if (d.dist === 'constant') return d.value === 0 || d.value === 1;
  return false;
}

/** What integer columns hold; values are rounded into them. */
export const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

export function stringValues(d: Distribution): string[] {
  if (d.dist === 'categorical') return d.values.map(String);
  if (d.dist === 'constant') return [String(d.value)];
  return [];
}

