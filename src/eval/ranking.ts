/** Threshold-free scores of a ranking (ROC-AUC, average precision) and the groups of tied scores they walk. */

/** Rows sharing one score: how many, and how many of them are labelled. */
export interface TiedGroup {
  score: number;
  rows: number;
  positives: number;
}

/** The distinct scores, highest first, each with its row and labelled-row counts. */
export function tiedGroups(labels: ArrayLike<number | boolean>, scores: ArrayLike<number>): TiedGroup[] {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => scores[b]! - scores[a]!);
  const groups: TiedGroup[] = [];
  for (let k = 0; k < order.length; ) {
    const g = { score: scores[order[k]!]!, rows: 0, positives: 0 };
    for (; k < order.length && scores[order[k]!] === g.score; k++) {
      g.rows++;
      if (labels[order[k]!]) g.positives++;
    }
    groups.push(g);
  }
  return groups;
}

function countPositives(labels: ArrayLike<number | boolean>): number {
  let pos = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]) pos++;
  return pos;
}

/**
 * Area under the ROC curve: the chance that a random labelled row scores above a random
 * unlabelled one, ties counting one half (the trapezoid rule over tied groups). Null
 * when either class is empty.
 */
export function rocAuc(labels: ArrayLike<number | boolean>, scores: ArrayLike<number>): number | null {
  const pos = countPositives(labels);
  const neg = labels.length - pos;
  if (pos === 0 || neg === 0) return null;
  let area = 0;
  let tp = 0;
  for (const g of tiedGroups(labels, scores)) {
    area += (g.rows - g.positives) * (tp + g.positives / 2);
    tp += g.positives;
  }
  return area / (pos * neg);
}

/**
 * Average precision: Σ (Rₙ − Rₙ₋₁)·Pₙ over the distinct score thresholds, highest first
 * (the step-wise area, without interpolation, as scikit-learn defines it). Null without
 * labelled rows.
 */
export function averagePrecision(labels: ArrayLike<number | boolean>, scores: ArrayLike<number>): number | null {
  const pos = countPositives(labels);
  if (pos === 0) return null;
  let ap = 0;
  let tp = 0;
  let seen = 0;
  for (const g of tiedGroups(labels, scores)) {
    seen += g.rows;
    tp += g.positives;
    ap += (g.positives / pos) * (tp / seen);
  }
  return ap;
}
