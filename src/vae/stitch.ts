/**
 * Weights for joining decoded windows into one continuous series.
 *
 * Overlap-add: windows start every hop = ⌈W/2⌉ rows and row t of a window weighs
 * sin²(π(t + ½)/W). For an even W the two windows covering a row have complementary
 * weights (sin² + cos² = 1); in general the sum is normalised. A weight is smallest at a
 * window's ends, so no window's edge shows in the series.
 *
 * Crossfade: row k of a d-row stretch spliced over a series weighs
 * min(1, (k+1)/(b+1), (d−k)/(b+1)), ramping in and out over b rows at each end.
 */

/** Overlap-add weight of row t of a window of W rows. */
export function windowWeight(t: number, W: number): number {
  const s = Math.sin((Math.PI * (t + 0.5)) / W);
  return s * s;
}

/** Crossfade weight of row k of d with b blend rows at each end. */
export function blendWeight(k: number, d: number, b: number): number {
  return Math.min(1, (k + 1) / (b + 1), (d - k) / (b + 1));
}
