/**
 * Statistical tests of the samplers compiled from scenario distributions, fed exactly as
 * the engine feeds them (src/generate/stochastic.ts): the row's block uniform from
 * fillRowUniforms at (seed, stream, attempt 0, draw 0) and a RowDraws cursor positioned
 * at (row, attempt 0) for the further draws of rejection samplers.
 *
 * Tolerances. With n = 200 000 independent samples the sample mean is approximately
 * normal with standard error sqrt(σ²/n), and the sample variance approximately normal with
 * standard error sqrt((μ₄ − σ⁴)/n), μ₄ being the 4th central moment (both by the CLT; the
 * O(1/n²) terms are negligible here). Each moment must lie within 5 standard errors of the
 * theoretical value: a correct sampler fails one such check with probability ≈ 5.7e-7, so
 * the ~40 checks of this file together have a false-alarm rate around 2e-5 for a random
 * seed — and the seed is fixed, so the outcome is deterministic. A sampler whose mean or
 * variance is off by more than ~1.1 % of a standard error unit (5/√n σ) fails.
 *
 * Shape. Discrete distributions get a chi-square goodness-of-fit test against their exact
 * pmf (adjacent cells merged until each expects ≥ 10 samples, tails folded into the end
 * cells); continuous ones a chi-square test over 100 equiprobable bins of the exact
 * quantile function. The statistic must stay below the p = 0.001 critical value for its
 * degrees of freedom (table below, from scipy.stats.chi2.ppf(0.999, df)).
 */
import { describe, expect, it } from 'vitest';
import { compileSampler, type Sampler } from '../src/distribution/sampler.js';
import { normalQuantile, openUniform } from '../src/random/normal-quantile.js';
import { logFactorial, makePoisson, type DrawSource } from '../src/distribution/poisson.js';
import { fillRowUniforms, RowDraws, seedKey } from '../src/random/counter.js';
import { variableStream } from '../src/random/hash.js';
import type { DType, Distribution } from '../src/model/types.js';

const N = 200_000;
const SEED = 8675309;
const KEY = seedKey(SEED);
/** First row sampled: odd, so fillRowUniforms' odd-start path is exercised too. */
const ROW0 = 1_000_001;
const BLOCK = 4096;

/** χ²₀.₉₉₉(df) for df = 1..100 (scipy.stats.chi2.ppf(0.999, df), rounded to 3 decimals). */
const CHI2_999 = [
  10.828, 13.816, 16.266, 18.467, 20.515, 22.458, 24.322, 26.124, 27.877, 29.588,
  31.264, 32.909, 34.528, 36.123, 37.697, 39.252, 40.790, 42.312, 43.820, 45.315,
  46.797, 48.268, 49.728, 51.179, 52.620, 54.052, 55.476, 56.892, 58.301, 59.703,
  61.098, 62.487, 63.870, 65.247, 66.619, 67.985, 69.346, 70.703, 72.055, 73.402,
  74.745, 76.084, 77.419, 78.750, 80.077, 81.400, 82.720, 84.037, 85.351, 86.661,
  87.968, 89.272, 90.573, 91.872, 93.168, 94.461, 95.751, 97.039, 98.324, 99.607,
  100.888, 102.166, 103.442, 104.716, 105.988, 107.258, 108.526, 109.791, 111.055, 112.317,
  113.577, 114.835, 116.092, 117.346, 118.599, 119.850, 121.100, 122.348, 123.594, 124.839,
  126.083, 127.324, 128.565, 129.804, 131.041, 132.277, 133.512, 134.745, 135.978, 137.208,
  138.438, 139.666, 140.893, 142.119, 143.344, 144.567, 145.789, 147.010, 148.230, 149.449,
];

/**
 * Critical value at p = 0.001. Beyond the table, the Wilson–Hilferty approximation, which
 * is within 0.04 % of the exact quantile for df > 100.
 */
function chi2Critical(df: number): number {
  if (df < 1) throw new Error(`chi-square test with ${df} degrees of freedom`);
  if (df <= CHI2_999.length) return CHI2_999[df - 1]!;
  const z = 3.090232306167813; // Φ⁻¹(0.999)
  const h = 2 / (9 * df);
  return df * (1 - h + z * Math.sqrt(h)) ** 3;
}

interface Drawn {
  values: Float64Array;
  /** Further draws requested through the DrawSource, in all. */
  extraDraws: number;
}

/** Samples rows ROW0..ROW0+n-1 the way fillStochastic does, in blocks. */
function sample(sampler: Sampler, name: string, n = N): Drawn {
  const stream = variableStream(name);
  const u = new Float64Array(BLOCK);
  const values = new Float64Array(n);
  const cursor = new RowDraws(KEY, stream);
  let extraDraws = 0;
  const counting: DrawSource = {
    uniform(draw: number): number {
      extraDraws++;
      return cursor.uniform(draw);
    },
  };
  for (let start = 0; start < n; start += BLOCK) {
    const count = Math.min(BLOCK, n - start);
    fillRowUniforms(KEY, stream, 0, 0, ROW0 + start, count, u);
    for (let i = 0; i < count; i++) {
      cursor.at(ROW0 + start + i, 0);
      values[start + i] = sampler(u[i]!, counting);
    }
  }
  return { values, extraDraws };
}

function draw(d: Distribution, name: string, n = N, dtype: DType = 'float64', categories: string[] | null = null): Drawn {
  return sample(compileSampler(d, dtype, categories), name, n);
}

/** The first few values that fail `ok` (an empty list when all pass). */
function violations(x: Float64Array, ok: (v: number) => boolean): number[] {
  const bad: number[] = [];
  for (const v of x) if (!ok(v) && bad.push(v) >= 5) break;
  return bad;
}

interface Moments {
  mean: number;
  variance: number;
  /** 4th central moment. */
  mu4: number;
}

function checkMoments(x: Float64Array, m: Moments): void {
  const n = x.length;
  let s = 0;
  for (const v of x) s += v;
  const mean = s / n;
  let s2 = 0;
  for (const v of x) s2 += (v - mean) * (v - mean);
  const variance = s2 / (n - 1);
  if (m.variance === 0) {
    expect(variance).toBe(0);
    expect(mean).toBe(m.mean);
    return;
  }
  const seMean = Math.sqrt(m.variance / n);
  const seVar = Math.sqrt((m.mu4 - m.variance * m.variance) / n);
  expect(Math.abs(mean - m.mean), `mean ${mean} vs ${m.mean} (se ${seMean})`).toBeLessThan(5 * seMean);
  expect(Math.abs(variance - m.variance), `variance ${variance} vs ${m.variance} (se ${seVar})`).toBeLessThan(5 * seVar);
}

/** Central moments of a distribution with finite support given by its pmf. */
function pmfMoments(pmf: ReadonlyMap<number, number>): Moments {
  let mean = 0;
  for (const [k, p] of pmf) mean += k * p;
  let variance = 0;
  let mu4 = 0;
  for (const [k, p] of pmf) {
    const d2 = (k - mean) * (k - mean);
    variance += d2 * p;
    mu4 += d2 * d2 * p;
  }
  return { mean, variance, mu4 };
}

/** Central moments from the raw moments E[X], E[X²], E[X³], E[X⁴]. */
function fromRaw(m1: number, m2: number, m3: number, m4: number): Moments {
  return { mean: m1, variance: m2 - m1 * m1, mu4: m4 - 4 * m3 * m1 + 6 * m2 * m1 * m1 - 3 * m1 ** 4 };
}

interface ChiSquare {
  stat: number;
  df: number;
  critical: number;
}

/**
 * Chi-square goodness of fit of integer-valued samples against an exact pmf (a map over
 * the whole support, up to tails below 1e-12). Samples outside the map are an error.
 */
function chiSquareDiscrete(x: Float64Array, pmf: ReadonlyMap<number, number>): ChiSquare {
  const n = x.length;
  const keys = [...pmf.keys()].sort((a, b) => a - b);
  const index = new Map(keys.map((k, i) => [k, i]));
  const observed = new Float64Array(keys.length);
  const outside: number[] = [];
  for (const v of x) {
    const i = index.get(v);
    if (i === undefined) outside.push(v);
    else observed[i]!++;
  }
  expect(outside.slice(0, 10), 'values outside the support').toEqual([]);
  // Merge adjacent cells until each expects at least 10 samples; a short remainder joins the last cell.
  const cells: Array<{ e: number; o: number }> = [];
  let e = 0;
  let o = 0;
  keys.forEach((k, i) => {
    e += pmf.get(k)! * n;
    o += observed[i]!;
    if (e >= 10) {
      cells.push({ e, o });
      e = 0;
      o = 0;
    }
  });
  if (cells.length === 0) throw new Error('no chi-square cells');
  cells[cells.length - 1]!.e += e;
  cells[cells.length - 1]!.o += o;
  let stat = 0;
  for (const c of cells) stat += ((c.o - c.e) * (c.o - c.e)) / c.e;
  const df = cells.length - 1;
  return { stat, df, critical: chi2Critical(df) };
}

/** Chi-square over `bins` equiprobable bins given the exact quantile function. */
function chiSquareContinuous(x: Float64Array, quantile: (p: number) => number, bins = 100): ChiSquare {
  const edges = new Float64Array(bins - 1);
  for (let j = 1; j < bins; j++) edges[j - 1] = quantile(j / bins);
  const observed = new Float64Array(bins);
  for (const v of x) {
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v < edges[mid]!) hi = mid;
      else lo = mid + 1;
    }
    observed[lo]!++;
  }
  const e = x.length / bins;
  let stat = 0;
  for (const o of observed) stat += ((o - e) * (o - e)) / e;
  return { stat, df: bins - 1, critical: chi2Critical(bins - 1) };
}

function expectFit(r: ChiSquare): void {
  expect(r.stat, `chi-square ${r.stat.toFixed(2)} with ${r.df} df (critical ${r.critical.toFixed(3)})`).toBeLessThan(
    r.critical,
  );
}

/** ln k! by summation, independent of the module's table and Stirling series. */
const LN_FACT: number[] = [0];
function lnFact(k: number): number {
  for (let i = LN_FACT.length; i <= k; i++) LN_FACT[i] = LN_FACT[i - 1]! + Math.log(i);
  return LN_FACT[k]!;
}

function poissonPmf(lambda: number): Map<number, number> {
  const sd = Math.sqrt(lambda);
  const lo = Math.max(0, Math.floor(lambda - 12 * sd - 10));
  const hi = Math.ceil(lambda + 12 * sd + 30);
  const pmf = new Map<number, number>();
  for (let k = lo; k <= hi; k++) pmf.set(k, Math.exp(-lambda + k * Math.log(lambda) - lnFact(k)));
  return pmf;
}

describe('normalQuantile', () => {
  it.each([
    [0.975, 1.959963984540054],
    [0.999, 3.090232306167813],
    [1e-10, -6.361340902404056],
    [0.6, 0.2533471031357997],
    // Further reference values from scipy.stats.norm.ppf, one per branch and at branch edges.
    [0.3, -0.5244005127080409],
    [0.0751, -1.4388253927525403],
    [0.075, -1.4395314709384563],
    [0.0749, -1.4402382675279635],
    [1e-5, -4.264890793922825],
    [Math.exp(-25), -6.657904643501104],
    [1e-12, -7.034483825301131],
    [1e-20, -9.262340089798409],
    [1e-300, -37.0470962993612],
    [1 - 1e-12, 7.0344869100478356],
  ])('Φ⁻¹(%s) = %s', (p, want) => {
    const got = normalQuantile(p);
    expect(Math.abs(got - want) / Math.abs(want), `got ${got}`).toBeLessThan(1e-12);
  });

  it('Φ⁻¹(0.5) = 0 and the function is odd about 0.5', () => {
    expect(normalQuantile(0.5)).toBe(0);
    for (const p of [0.25, 0.1, 0.01, 1e-3, 2 ** -20]) {
      expect(normalQuantile(1 - p)).toBeCloseTo(-normalQuantile(p), 12);
    }
  });

  it('is increasing across the branch boundaries', () => {
    let prev = -Infinity;
    for (const p of [1e-300, 1e-100, 1.38e-11, 1.39e-11, 1e-3, 0.0749999, 0.075, 0.0750001, 0.5, 0.9249999, 0.925, 0.9250001, 0.999999]) {
      const z = normalQuantile(p);
      expect(z).toBeGreaterThan(prev);
      prev = z;
    }
  });
});

describe('openUniform', () => {
  it('maps [0, 1) into the open interval (0, 1)', () => {
    expect(openUniform(0)).toBe(2 ** -53);
    expect(openUniform(1 - 2 ** -53)).toBe(1 - 2 ** -53);
    expect(openUniform(0.5)).toBe(0.5 + 2 ** -53);
    const u = new Float64Array(100_000);
    fillRowUniforms(KEY, variableStream('open'), 0, 0, 0, u.length, u);
    const inputs = Float64Array.from([0, 2 ** -53, 2 ** -52, 1 - 2 ** -52, 1 - 2 ** -53, ...u]);
    expect(violations(inputs, (x) => {
      const v = openUniform(x);
      return v > 0 && v < 1 && Math.abs(v - x) <= 2 ** -53;
    })).toEqual([]);
  });

  it('keeps normal and lognormal samples finite at the extreme uniforms', () => {
    const normal = compileSampler({ dist: 'normal', mean: 0, sd: 1 }, 'float64', null);
    const none: DrawSource = { uniform: () => 0.5 };
    const lowest = normal(0, none);
    const highest = normal(1 - 2 ** -53, none);
    expect(Number.isFinite(lowest) && Number.isFinite(highest)).toBe(true);
    expect(lowest).toBeCloseTo(normalQuantile(2 ** -53), 12);
    expect(lowest).toBeLessThan(-8);
    expect(highest).toBeGreaterThan(8);
  });
});

describe('continuous distributions', () => {
  it('uniform', () => {
    const [a, b] = [-2, 5];
    const { values } = draw({ dist: 'uniform', min: a, max: b }, 'uniform');
    const w = b - a;
    checkMoments(values, { mean: (a + b) / 2, variance: (w * w) / 12, mu4: w ** 4 / 80 });
    expectFit(chiSquareContinuous(values, (p) => a + p * w));
    expect(violations(values, (v) => v >= a && v < b)).toEqual([]);
  });

  it('normal', () => {
    const [mu, sd] = [10, 3];
    const { values } = draw({ dist: 'normal', mean: mu, sd }, 'normal');
    checkMoments(values, { mean: mu, variance: sd * sd, mu4: 3 * sd ** 4 });
    expectFit(chiSquareContinuous(values, (p) => mu + sd * normalQuantile(p)));
  });

  it('lognormal', () => {
    const [mu, s] = [0.5, 0.5];
    const { values } = draw({ dist: 'lognormal', mu, sigma: s }, 'lognormal');
    const raw = (k: number): number => Math.exp(k * mu + (k * k * s * s) / 2);
    checkMoments(values, fromRaw(raw(1), raw(2), raw(3), raw(4)));
    expectFit(chiSquareContinuous(values, (p) => Math.exp(mu + s * normalQuantile(p))));
    expect(violations(values, (v) => v > 0)).toEqual([]);
  });

  it('exponential', () => {
    const rate = 2;
    const { values } = draw({ dist: 'exponential', rate }, 'exponential');
    // E[X^k] = k! / rate^k
    checkMoments(values, fromRaw(1 / rate, 2 / rate ** 2, 6 / rate ** 3, 24 / rate ** 4));
    expectFit(chiSquareContinuous(values, (p) => -Math.log1p(-p) / rate));
    expect(violations(values, (v) => v >= 0 && Number.isFinite(v))).toEqual([]);
  });
});

describe('poisson', () => {
  // 3: inversion; 29.5: inversion near its limit; 30: PTRS at its lower limit;
  // 40: PTRS with ln k! from the table; 1000: PTRS with the Stirling series.
  it.each([3, 29.5, 30, 40, 1000])('λ = %s', (lambda) => {
    const { values, extraDraws } = draw({ dist: 'poisson', lambda }, `poisson-${lambda}`);
    checkMoments(values, { mean: lambda, variance: lambda, mu4: lambda * (1 + 3 * lambda) });
    expectFit(chiSquareDiscrete(values, poissonPmf(lambda)));
    if (lambda < 30) {
      expect(extraDraws).toBe(0); // inversion uses the row's block uniform only
    } else {
      // PTRS consumes draw 1 for every value and accepts ≥ 85 % of (U, V) pairs.
      expect(extraDraws).toBeGreaterThanOrEqual(N);
      expect(extraDraws / N).toBeLessThan(2 * 1.15);
    }
  });

  it('λ = 1e6: mean and variance', () => {
    const lambda = 1e6;
    const { values } = draw({ dist: 'poisson', lambda }, 'poisson-1e6', 50_000);
    checkMoments(values, { mean: lambda, variance: lambda, mu4: lambda * (1 + 3 * lambda) });
    expect(violations(values, Number.isInteger)).toEqual([]);
  });

  it('inversion stays in the tail at the largest uniform instead of running away', () => {
    // The running cdf sum can settle a few ulps below 1; u = 1 - 2^-53 used to return the
    // loop cap (1000) for λ such as 0.1, 10, 25 and 29.
    const none: DrawSource = { uniform: () => 0.5 };
    for (let lambda = 0.05; lambda < 30; lambda += 0.05) {
      const s = makePoisson(lambda);
      const top = s(1 - 2 ** -53, none);
      // P(X > λ + 12√λ + 15) < 1e-20 for every λ here.
      expect(top, `λ = ${lambda}`).toBeLessThan(lambda + 12 * Math.sqrt(lambda) + 15);
      expect(top).toBeGreaterThanOrEqual(s(1 - 2 ** -40, none));
      expect(s(1 - 2 ** -40, none)).toBeGreaterThanOrEqual(s(0.5, none));
      expect(s(0, none)).toBe(0);
    }
  });

  it('PTRS stays in range at extreme uniforms (V = 0 used to accept k ≈ 5e15)', () => {
    const s = makePoisson(100);
    for (const u0 of [0, 2 ** -53, 0.5, 1 - 2 ** -53]) {
      for (const v of [0, 0.5, 1 - 2 ** -53]) {
        const k = s(u0, { uniform: (d) => (d % 2 === 1 ? v : 0.5) });
        expect(Number.isInteger(k) && k >= 0 && k < 300, `u0 ${u0} v ${v}: ${k}`).toBe(true);
      }
    }
  });

  it('logFactorial matches summed logs on both sides of the table', () => {
    for (const k of [0, 1, 2, 10, 100, 254, 255, 256, 257, 300, 1000, 12_345]) {
      const want = lnFact(k);
      const got = logFactorial(k);
      if (k < 2) expect(got).toBe(0);
      else expect(Math.abs(got - want) / want, `k = ${k}`).toBeLessThan(1e-13);
    }
  });
});

describe('other discrete distributions', () => {
  it('bernoulli', () => {
    const p = 0.3;
    const { values } = draw({ dist: 'bernoulli', p }, 'bernoulli', N, 'bool');
    const pmf = new Map([
      [0, 1 - p],
      [1, p],
    ]);
    checkMoments(values, pmfMoments(pmf));
    expectFit(chiSquareDiscrete(values, pmf));
  });

  it('bernoulli with p = 0 and p = 1 is constant', () => {
    expect(draw({ dist: 'bernoulli', p: 0 }, 'b0', 10_000).values.every((v) => v === 0)).toBe(true);
    expect(draw({ dist: 'bernoulli', p: 1 }, 'b1', 10_000).values.every((v) => v === 1)).toBe(true);
  });

  it('integer', () => {
    const [lo, hi] = [-3, 7];
    const { values } = draw({ dist: 'integer', min: lo, max: hi }, 'integer', N, 'int32');
    const pmf = new Map<number, number>();
    for (let k = lo; k <= hi; k++) pmf.set(k, 1 / (hi - lo + 1));
    checkMoments(values, pmfMoments(pmf));
    const r = chiSquareDiscrete(values, pmf);
    expect(r.df).toBe(10);
    expectFit(r);
  });

  it('categorical with weights over string values (dictionary codes)', () => {
    const values = ['a', 'b', 'c', 'd', 'e'];
    const weights = [0.45, 0.1, 0, 0.3, 0.15];
    const categories = ['a', 'b', 'c', 'd', 'e', 'z'];
    const { values: x } = draw({ dist: 'categorical', values, weights }, 'cat-string', N, 'string', categories);
    // Codes are dictionary indices; 'c' (weight 0) must never occur.
    const pmf = new Map(weights.map((w, i) => [categories.indexOf(values[i]!), w] as const).filter(([, w]) => w > 0));
    expect(x.filter((v) => v === 2).length).toBe(0);
    checkMoments(x, pmfMoments(pmf));
    const r = chiSquareDiscrete(x, pmf);
    expect(r.df).toBe(3);
    expectFit(r);
  });

  it('categorical over numbers, with zero weights at both ends', () => {
    const values = [5, 10, 20, 40, 80];
    const weights = [0, 0.2, 0.5, 0.3, 0];
    const { values: x } = draw({ dist: 'categorical', values, weights }, 'cat-number');
    const pmf = new Map(values.map((v, i) => [v, weights[i]!] as const).filter(([, w]) => w > 0));
    checkMoments(x, pmfMoments(pmf));
    expectFit(chiSquareDiscrete(x, pmf));
  });

  it('categorical: a weight of 1 and the extreme uniforms', () => {
    const s = compileSampler({ dist: 'categorical', values: [1, 2, 3], weights: [0, 1, 0] }, 'float64', null);
    const none: DrawSource = { uniform: () => 0.5 };
    expect([0, 0.5, 1 - 2 ** -53].map((u) => s(u, none))).toEqual([2, 2, 2]);
    // Ten weights of 0.1 sum to 1 - 2^-53 in floating point: the largest uniform must still
    // land on the last value with a non-zero weight, never on the trailing zero-weight one.
    const tenths = compileSampler(
      { dist: 'categorical', values: [...Array.from({ length: 10 }, (_, i) => i), 99], weights: [...Array<number>(10).fill(0.1), 0] },
      'float64',
      null,
    );
    expect(tenths(1 - 2 ** -53, none)).toBe(9);
    expect(tenths(0.95, none)).toBe(9);
    expect(tenths(0.05, none)).toBe(0);
    const t = compileSampler({ dist: 'categorical', values: [true, false], weights: [0.25, 0.75] }, 'bool', null);
    expect([0, 0.2499, 0.25, 1 - 2 ** -53].map((u) => t(u, none))).toEqual([1, 1, 0, 0]);
  });

  it('constant', () => {
    checkMoments(draw({ dist: 'constant', value: 7.5 }, 'const', 10_000).values, { mean: 7.5, variance: 0, mu4: 0 });
    const s = compileSampler({ dist: 'constant', value: 'on' }, 'string', ['off', 'on']);
    expect(s(0.3, { uniform: () => 0 })).toBe(1);
    const b = compileSampler({ dist: 'constant', value: true }, 'bool', null);
    expect(b(0.9, { uniform: () => 0 })).toBe(1);
  });
});

describe('the tests can fail', () => {
  // Guards against a vacuous harness: a slightly wrong distribution must be rejected.
  it('rejects a normal whose sd is 2 % too large and a Poisson shifted by 0.5 %', () => {
    const wide = draw({ dist: 'normal', mean: 10, sd: 3.06 }, 'normal');
    expect(chiSquareContinuous(wide.values, (p) => 10 + 3 * normalQuantile(p)).stat).toBeGreaterThan(chi2Critical(99));
    const shifted = draw({ dist: 'poisson', lambda: 40.2 }, 'poisson-40');
    const r = chiSquareDiscrete(shifted.values, poissonPmf(40));
    expect(r.stat).toBeGreaterThan(r.critical);
    expect(Math.abs(shifted.values.reduce((a, b) => a + b, 0) / N - 40)).toBeGreaterThan(5 * Math.sqrt(40 / N));
  });
});
