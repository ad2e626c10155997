/** Point-wise scores: every row is one classification. */

/** Confusion counts over rows. */
export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** Point precision, recall and F-scores; null where a ratio has no denominator. */
export interface PointScores extends Confusion {
  precision: number | null;
  recall: number | null;
  f1: number | null;
  fbeta: number | null;
  beta: number;
}

export function confusion(labels: ArrayLike<number | boolean>, alarms: ArrayLike<number | boolean>): Confusion {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < labels.length; i++) {
    if (alarms[i]) {
      if (labels[i]) tp++;
      else fp++;
    } else if (labels[i]) fn++;
    else tn++;
  }
  return { tp, fp, fn, tn };
}

/**
 * Fβ from precision and recall. No labelled positives: null (nothing to find). Labelled
 * positives but no alarms: 0 — a silent detector has found nothing, and averaging over
 * series must see that as a zero rather than skip it.
 */
export function fScore(precision: number | null, recall: number | null, beta: number): number | null {
  if (recall === null) return null;
  if (precision === null || (precision === 0 && recall === 0)) return 0;
  const b2 = beta * beta;
  return ((1 + b2) * precision * recall) / (b2 * precision + recall);
}

export function pointScores(c: Confusion, beta: number): PointScores {
  const precision = c.tp + c.fp > 0 ? c.tp / (c.tp + c.fp) : null;
  const recall = c.tp + c.fn > 0 ? c.tp / (c.tp + c.fn) : null;
  return { ...c, precision, recall, f1: fScore(precision, recall, 1), fbeta: fScore(precision, recall, beta), beta };
}
