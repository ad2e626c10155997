/** Statistics for tests that check distributions: correlations, their tolerances, the two-sample KS test. */

/** Pearson's r of two equal-length samples. */
export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const a = x[i]! - mx;
    const b = y[i]! - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxy / Math.sqrt(sxx * syy);
}

function ranks(x: readonly number[]): number[] {
  const order = x.map((_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const r = new Array<number>(x.length);
  order.forEach((i, k) => (r[i] = k));
  return r;
}

/** Spearman's rank correlation (continuous data: no ties). */
export function spearman(x: readonly number[], y: readonly number[]): number {
  return pearson(ranks(x), ranks(y));
}

/**
 * Tolerance on Fisher's z = atanh(r) for n pairs: z is close to normal with sd 1/√(n−3),
 * so 4 sd are exceeded with probability 6e-5 per comparison — with a fixed seed, never.
 */
export function fisherTolerance(n: number): number {
  return 4 / Math.sqrt(n - 3);
}

/** The two-sample Kolmogorov–Smirnov statistic D = sup |F₁ − F₂|. */
export function ksStatistic(a: readonly number[], b: readonly number[]): number {
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i]! <= v) i++;
    while (j < y.length && y[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

/** The KS critical value at level alpha for samples of n and m: c(α)·√((n+m)/(n·m)), c(α) = √(−ln(α/2)/2). */
export function ksCritical(n: number, m: number, alpha: number): number {
  return Math.sqrt(-Math.log(alpha / 2) / 2) * Math.sqrt((n + m) / (n * m));
}

/** Mean and sample standard deviation. */
export function meanSd(x: ArrayLike<number>): { mean: number; sd: number } {
  let m = 0;
  for (let i = 0; i < x.length; i++) m += x[i]!;
  m /= x.length;
  let v = 0;
  for (let i = 0; i < x.length; i++) v += (x[i]! - m) ** 2;
  return { mean: m, sd: Math.sqrt(v / (x.length - 1)) };
}

/** The p-quantile of x (the value at ⌊p·(n − 1)⌋ of a sorted copy). */
export function quantile(x: readonly number[], p: number): number {
  return [...x].sort((a, b) => a - b)[Math.floor(p * (x.length - 1))]!;
}

/** The p-quantile of the absolute steps |x[i+1] − x[i]| of a series. */
export function stepQuantile(x: ArrayLike<number>, p: number): number {
  return quantile(Array.from({ length: x.length - 1 }, (_, i) => Math.abs(x[i + 1]! - x[i]!)), p);
}
