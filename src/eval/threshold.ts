/** Choosing a threshold from scores: the one that maximises point Fβ. */
import { fScore } from './point.js';
import { forEachTiedGroup } from './ranking.js';
import { groupScore, type ScoreOrder } from './score-order.js';

/**
 * The threshold (alarm = score ≥ threshold) with the highest point Fβ among the distinct
 * scores of a ranking whose `order` carries the labels (`positives` of them labelled);
 * ties keep the highest threshold (fewest alarms). Without labelled rows every threshold
 * scores alike, and the answer is a threshold above every score (no alarms).
 */
export function bestFbetaThreshold(s: ScoreOrder, scores: ArrayLike<number>, positives: number, beta: number): number {
  const top = s.sorted.length > 0 ? groupScore(s, scores, 0) : 0;
  // Finite, so JSON can carry it (a top score near the largest double would overflow).
  const above = Math.min(Number.MAX_VALUE, top + Math.max(1, Math.abs(top)));
  if (positives === 0) return above;
  let best = { threshold: above, f: -1 };
  let tp = 0;
  let alarms = 0;
  forEachTiedGroup(s, scores, (score, rows, groupPositives) => {
    alarms += rows;
    tp += groupPositives;
    const f = fScore(tp / alarms, tp / positives, beta) ?? 0;
    // Equal Fβ reached by two thresholds can differ in the last bits (5/17 as 25/85 and as
    // 30/102): a lower threshold must beat the best by more than rounding to replace it.
    if (f - best.f > 1e-12) best = { threshold: score, f };
  });
  return best.threshold;
}
