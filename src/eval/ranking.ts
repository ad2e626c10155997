/** Threshold-free scores of a ranking: ROC-AUC and average precision. */

/** Row indices ordered by score, highest first (ties in row order). */
function byScoreDescending(scores: ArrayLike<number>): Uint32Array {
  const idx = new Uint32Array(scores.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/**
 * Area under the ROC curve: the chance that a random labelled row scores above a random
 * unlabelled one, ties counting one half (the trapezoid rule over tied groups). Null
 * when either class is empty.
 */
export function rocAuc(labels: ArrayLike<number | boolean>, scores: ArrayLike<number>): number | null {
  const order = byScoreDescending(scores);
  let pos = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]) pos++;
  const neg = labels.length - pos;
  if (pos === 0 || neg === 0) return null;
  let area = 0;
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; ) {
    const s = scores[order[k]!]!;
    let dtp = 0;
    let dfp = 0;
    for (; k < order.length && scores[order[k]!] === s; k++) {
      if (labels[order[k]!]) dtp++;
      else dfp++;
    }
    area += dfp * (tp + dtp / 2);
    tp += dtp;
    fp += dfp;
  }
  return area / (pos * neg);
}

/**
 * Average precision: Σ (Rₙ − Rₙ₋₁)·Pₙ over the distinct score thresholds, highest first
 * (the step-wise area, without interpolation, as scikit-learn defines it). Null without
 * labelled rows.
 */
export function averagePrecision(labels: ArrayLike<number | boolean>, scores: ArrayLike<number>): number | null {
  const order = byScoreDescending(scores);
  let pos = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]) pos++;
  if (pos === 0) return null;
  let ap = 0;
  let tp = 0;
  let seen = 0;
  for (let k = 0; k < order.length; ) {
    const s = scores[order[k]!]!;
    let dtp = 0;
    for (; k < order.length && scores[order[k]!] === s; k++) {
      seen++;
      if (labels[order[k]!]) dtp++;
    }
    tp += dtp;
    ap += (dtp / pos) * (tp / seen);
  }
  return ap;
}
