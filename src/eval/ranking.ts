/** Threshold-free scores of a ranking (ROC-AUC, average precision) and the groups of tied scores they walk. */

/** Rows sharing one score: how many, and how many of them are labelled. */
export interface TiedGroup {
  score: number;
  rows: number;
  positives: number;
}

/**
 * Rows grouped by score, highest score first: group g holds rows
 * `order[offsets[g]] … order[offsets[g + 1] − 1]` (in row order), all scoring
 * `thresholds[g]`.
 */
export function groupByScore(scores: ArrayLike<number>): { thresholds: Float64Array; offsets: Uint32Array; order: Uint32Array } {
  const n = scores.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[b]! - scores[a]! || a - b);
  const thresholds = new Float64Array(n);
  const offsets = new Uint32Array(n + 1);
  let d = 0;
  for (let k = 0; k < n; k++) {
    const s = scores[order[k]!]!;
    if (d === 0 || s !== thresholds[d - 1]) {
      offsets[d] = k;
      thresholds[d++] = s;
    }
  }
  offsets[d] = n;
  return { thresholds: thresholds.slice(0, d), offsets: offsets.slice(0, d + 1), order };
}

/** The distinct scores, highest first, each with its row and labelled-row counts. */
export function tiedGroups(labels: ArrayLike<number | boolean>, scores: ArrayLike<number>): TiedGroup[] {
  const { thresholds, offsets, order } = groupByScore(scores);
  const groups: TiedGroup[] = [];
  for (let g = 0; g < thresholds.length; g++) {
    let positives = 0;
    for (let k = offsets[g]!; k < offsets[g + 1]!; k++) if (labels[order[k]!]) positives++;
    groups.push({ score: thresholds[g]!, rows: offsets[g + 1]! - offsets[g]!, positives });
  }
  return groups;
}

/**
 * Area under the ROC curve: the chance that a random labelled row scores above a random
 * unlabelled one, ties counting one half (the trapezoid rule over tied groups). Null
 * when either class is empty.
 */
export function rocAuc(labels: ArrayLike<number | boolean>, scores: ArrayLike<number>): number | null {
  return rocAucOf(tiedGroups(labels, scores));
}

/** ROC-AUC from the tied groups of a ranking. */
export function rocAucOf(groups: readonly TiedGroup[]): number | null {
  const pos = groups.reduce((a, g) => a + g.positives, 0);
  const neg = groups.reduce((a, g) => a + g.rows, 0) - pos;
  if (pos === 0 || neg === 0) return null;
  let area = 0;
  let tp = 0;
  for (const g of groups) {
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
  return averagePrecisionOf(tiedGroups(labels, scores));
}

/** Average precision from the tied groups of a ranking. */
export function averagePrecisionOf(groups: readonly TiedGroup[]): number | null {
  const pos = groups.reduce((a, g) => a + g.positives, 0);
  if (pos === 0) return null;
  // Σ positives·precision, divided once at the end: per-group shares of `pos` summed in
  // floating point can pass 1 (1.0000000000000007 for every row labelled).
  let sum = 0;
  let tp = 0;
  let seen = 0;
  for (const g of groups) {
    seen += g.rows;
    tp += g.positives;
    sum += g.positives * (tp / seen);
  }
  return sum / pos;
}
