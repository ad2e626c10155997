/**
 * Poisson sampling: inversion for small means (one uniform), Hörmann's PTRS transformed
 * rejection for large ones (pairs of further draws of the same row, as numpy does).
 */
import { openUniform } from '../random/normal-quantile.js';

/** Source of further uniforms of the row being sampled (draw 1, 2, ...). */
export interface DrawSource {
  uniform(draw: number): number;
}

const LOG_FACT: number[] = [0];
for (let k = 1; k < 256; k++) LOG_FACT[k] = LOG_FACT[k - 1]! + Math.log(k);
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln(k!) for integer k >= 0. */
export function logFactorial(k: number): number {
  if (k < 256) return LOG_FACT[k]!;
  const x = k + 1;
  const x2 = x * x;
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + (1 / 12 - (1 / 360 - 1 / (1260 * x2)) / x2) / x;
}

/** Mean below which inversion is used. */
const INVERSION_LIMIT = 30;

export function makePoisson(lambda: number): (u0: number, more: DrawSource) => number {
  if (lambda < INVERSION_LIMIT) {
    const p0 = Math.exp(-lambda);
    return (u) => {
      let k = 0;
      let p = p0;
      let cdf = p0;
      while (u >= cdf) {
        k++;
        p *= lambda / k;
        const next = cdf + p;
        // The rounded running sum can settle a few ulps below 1, so u may never fall under
        // it. Past the mode, once a term no longer moves the sum, the remaining tail mass is
        // below ~1e-16: stop there instead of running on to an absurd k (it used to reach
        // the old 1000 cap, e.g. for lambda 0.1, 10, 25 or 29 at u = 1 - 2^-53).
        if (next === cdf && k > lambda) break;
        cdf = next;
      }
      return k;
    };
  }
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  return (u0, more) => {
    // Draw pairs (2t, 2t+1); draw 0 is the row's block uniform.
    for (let t = 0; t < 127; t++) {
      const U = (t === 0 ? u0 : more.uniform(2 * t)) - 0.5;
      // V on the open grid: V = 0 would make log(V) = -Infinity and accept any k >= 0,
      // however far in the tail (k ~ 5e15 for u0 = 1 - 2^-53), whatever its probability.
      const V = openUniform(more.uniform(2 * t + 1));
      const us = 0.5 - Math.abs(U);
      const k = Math.floor(((2 * a) / us + b) * U + lambda + 0.43);
      if (us >= 0.07 && V <= vr) return k;
      if (k < 0 || (us < 0.013 && V > us)) continue;
      if (Math.log(V) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logFactorial(k)) return k;
    }
    // Unreachable in practice (acceptance rate > 0.9 per pair); keeps the sampler total.
    return Math.round(lambda);
  };
}
