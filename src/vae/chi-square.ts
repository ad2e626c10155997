/**
 * Quantiles of the chi-square distribution: the squared radius of a standard normal
 * vector in k dimensions. Used for latent regions measured on the Gaussian fitted to the
 * training codes, whose radius quantiles extend past the last training code.
 *
 * Regularised incomplete gamma by its series (x < a + 1) or Lentz's continued fraction
 * (Numerical Recipes §6.2), inverted by bisection: a fixed number of plain double
 * operations, so every worker computes the same radii.
 */

const LANCZOS = [76.18009172947146, -86.50532032941677, 24.01409824083091, -1.231739572450155, 0.1208650973866179e-2, -0.5395239384953e-5];

function logGamma(x: number): number {
  let y = x;
  const t = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let s = 1.000000000190015;
  for (const c of LANCZOS) s += c / ++y;
  return -t + Math.log((2.5066282746310005 * s) / x);
}

/** Lower and upper regularised incomplete gamma functions P(a, x) and Q(a, x) = 1 − P. */
function incompleteGamma(a: number, x: number): { p: number; q: number } {
  if (x <= 0) return { p: 0, q: 1 };
  const front = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    let ap = a;
    let del = 1 / a;
    let sum = del;
    for (let n = 0; n < 1000; n++) {
      del *= x / ++ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * 1e-17) break;
    }
    const p = sum * front;
    return { p, q: 1 - p };
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-17) break;
  }
  const q = front * h;
  return { p: 1 - q, q };
}

/** The p-quantile of chi-square with k degrees of freedom, p in [0, 1). */
export function chiSquareQuantile(p: number, k: number): number {
  if (!(p >= 0 && p < 1)) throw new RangeError(`chi-square quantile needs p in [0, 1), got ${p}`);
  if (p === 0) return 0;
  const a = k / 2;
  // Compare in the tail where the answer is small, to keep precision near p = 1.
  const upper = p > 0.5;
  const target = upper ? 1 - p : p;
  const below = (x: number) => {
    const g = incompleteGamma(a, x / 2);
    return upper ? g.q > target : g.p < target;
  };
  let lo = 0;
  let hi = Math.max(1, k);
  while (below(hi)) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (below(mid)) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** The p-quantile of the chi distribution (radius of a k-dimensional standard normal). */
export function chiQuantile(p: number, k: number): number {
  return Math.sqrt(chiSquareQuantile(p, k));
}
