/**
 * The candidate rate that realises a requested anomalous-row fraction.
 *
 * Candidates form a Poisson process of rate λ per row; a candidate is kept only when no
 * earlier candidate (kept or not) reaches it, so thinning is local (see events.ts). With
 * mean duration m, a candidate survives with probability e^{-λm}·(1-e^{-λ})/λ, so the
 * expected anomalous fraction is
 *
 *     f(λ) = m · (1 - e^{-λ}) · e^{-λm},
 *
 * which rises to its maximum at e^{-λ} = m/(m+1). We solve f(λ) = target on that rising branch.
 */
import { EVENT_GAP } from '../format.js';

function meanDuration(min: number, max: number): number {
  return (min + max) / 2;
}

function fraction(lambda: number, m: number): number {
  return m * -Math.expm1(-lambda) * Math.exp(-lambda * (m + EVENT_GAP - 1));
}

function lambdaAtMax(m: number): number {
  return Math.log((m + 1) / m);
}

/** The largest anomalous fraction frequency placement can realise for a duration range. */
export function maxFeasibleFrequency(min: number, max: number): number {
  const m = meanDuration(min, max);
  return fraction(lambdaAtMax(m), m);
}

/**
 * The largest frequency as a message names it: rounded down to three decimals, so the figure
 * a user copies from the message is itself accepted (rounded to nearest, 0.36189 would read
 * "0.362", which is refused).
 */
export function feasibleFrequencyText(max: number): string {
  return (Math.floor(max * 1000) / 1000).toFixed(3);
}

const rates = new Map<string, number>();

/** Candidate-event rate per row for a target anomalous fraction (bisection, 80 steps; memoised). */
export function candidateRate(frequency: number, min: number, max: number): number {
  const id = `${frequency}/${min}/${max}`;
  const known = rates.get(id);
  if (known !== undefined) return known;
  const rate = solveRate(frequency, min, max);
  rates.set(id, rate);
  return rate;
}

function solveRate(frequency: number, min: number, max: number): number {
  const m = meanDuration(min, max);
  let lo = 0;
  let hi = lambdaAtMax(m);
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (fraction(mid, m) < frequency) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
