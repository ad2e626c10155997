/**
 * Φ, the standard normal distribution function, to about 1e-13 relative accuracy in both
 * tails without tabled coefficients: Marsaglia's Taylor series of Φ(x) − ½ = φ(x)·Σ
 * x^(2k+1)/(1·3·…·(2k+1)) for |x| ≤ 3, and the Laplace continued fraction of the tail
 * Q(x) = φ(x)/(x + 1/(x + 2/(x + 3/(x + …)))) beyond, where the series would lose digits.
 */

const INV_SQRT_2PI = 0.3989422804014327;

/** Q(x) = 1 − Φ(x) for x > 3, by 60 terms of the continued fraction (converged to double precision there). */
function upperTail(x: number): number {
  let f = x;
  for (let k = 60; k >= 1; k--) f = x + k / f;
  return (INV_SQRT_2PI * Math.exp(-0.5 * x * x)) / f;
}

/** Φ(x). */
export function normalCdf(x: number): number {
  if (x > 3) return 1 - upperTail(x);
  if (x < -3) return upperTail(-x);
  let term = x;
  let sum = x;
  const x2 = x * x;
  for (let k = 1; k < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); k++) {
    term *= x2 / (2 * k + 1);
    sum += term;
  }
  return 0.5 + INV_SQRT_2PI * Math.exp(-0.5 * x2) * sum;
}
