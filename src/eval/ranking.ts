/** Threshold-free scores of a ranking (ROC-AUC, average precision) and the groups of tied scores they walk. */
import { groupScore, scoreOrder, type ScoreOrder } from './score-order.js';

/**
 * Calls `fn(score, rows, positives)` for each distinct score of a ranking, highest first:
 * how many rows share it and how many of those are labelled (the flags `order` carries).
 */
export function forEachTiedGroup(s: ScoreOrder, scores: ArrayLike<number>, fn: (score: number, rows: number, positives: number) => void): void {
  const { sorted, order } = s;
  const n = sorted.length;
  for (let k = 0; k < n; ) {
    const v = sorted[k]!;
    let end = k;
    let positives = 0;
    while (end < n && sorted[end] === v) positives += order[end++]! >>> 31;
    fn(groupScore(s, scores, k), end - k, positives);
    k = end;
  }
}

/** How many rows of a ranking are labelled. */
export function positivesOf(s: ScoreOrder): number {
  let pos = 0;
  for (let k = 0; k < s.order.length; k++) pos += s.order[k]! >>> 31;
  return pos;
}

/** ROC-AUC and average precision of a ranking whose `order` carries the labels. */
export function rankingScores(s: ScoreOrder, scores: ArrayLike<number>): { rocAuc: number | null; averagePrecision: number | null } {
  const pos = positivesOf(s);
  const neg = s.order.length - pos;
  let area = 0;
  let tp = 0;
  // Σ positives·precision, divided once at the end: per-group shares of `pos` summed in
  // floating point can pass 1 (1.0000000000000007 for every row labelled).
  let sum = 0;
  let seen = 0;
  forEachTiedGroup(s, scores, (_, rows, positives) => {
    // The trapezoid rule over tied groups: ties count one half.
    area += (rows - positives) * (tp + positives / 2);
    seen += rows;
    tp += positives;
    sum += positives * (tp / seen);
  });
  return { rocAuc: pos === 0 || neg === 0 ? null : area / (pos * neg), averagePrecision: pos === 0 ? null : sum / pos };
}

/**
 * Area under the ROC curve: the chance that a random labelled row scores above a random
 * unlabelled one, ties counting one half (the trapezoid rule over tied groups). Null
 * when either class is empty.
 */
export function rocAuc(labels: ArrayLike<number | boolean>, scores: ArrayLike<number>): number | null {
  return rankingScores(scoreOrder(scores, labels), scores).rocAuc;
}

/**
 * Average precision: Σ (Rₙ − Rₙ₋₁)·Pₙ over the distinct score thresholds, highest first
 * (the step-wise area, without interpolation, as scikit-learn defines it). Null without
 * labelled rows.
 */
export function averagePrecision(labels: ArrayLike<number | boolean>, scores: ArrayLike<number>): number | null {
  return rankingScores(scoreOrder(scores, labels), scores).averagePrecision;
}
