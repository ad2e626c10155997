/** Choosing a threshold from scores: the one that maximises point Fβ. */
import { fScore } from './point.js';
import type { TiedGroup } from './ranking.js';

/**
 * The threshold (alarm = score ≥ threshold) with the highest point Fβ among the distinct
 * scores (given as the ranking's tied groups); ties keep the highest threshold (fewest alarms). Without labelled rows every
 * threshold scores alike, and the answer is a threshold above every score (no alarms).
 */
export function bestFbetaThreshold(groups: readonly TiedGroup[], beta: number): number {
  const top = groups[0]?.score ?? 0;
  // Finite, so JSON can carry it (a top score near the largest double would overflow).
  const above = Math.min(Number.MAX_VALUE, top + Math.max(1, Math.abs(top)));
  const pos = groups.reduce((a, g) => a + g.positives, 0);
  if (pos === 0) return above;
  let best = { threshold: above, f: -1 };
  let tp = 0;
  let alarms = 0;
  for (const g of groups) {
    alarms += g.rows;
    tp += g.positives;
    const f = fScore(tp / alarms, tp / pos, beta) ?? 0;
    // Equal Fβ reached by two thresholds can differ in the last bits (5/17 as 25/85 and as
    // 30/102): a lower threshold must beat the best by more than rounding to replace it.
    if (f - best.f > 1e-12) best = { threshold: g.score, f };
  }
  return best.threshold;
}
