/**
 * Range-based precision and recall (Tatbul et al., "Precision and Recall for Time
 * Series", NeurIPS 2018), computed as their reference evaluator (TSAD-Evaluator) does:
 *
 *   Recall_T    = mean over real ranges R   of α·Existence(R) + (1−α)·γ(|overlaps|)·Σ ω(R, R∩P, δ_r)
 *   Precision_T = mean over predicted ranges P of           γ(|overlaps|)·Σ ω(P, P∩R, δ_p)
 *
 * ω(range, overlap, δ) is the share of the range's positional weight δ(1..L) that the
 * overlap covers; γ is the overlap cardinality factor: `one` (1) or `reciprocal` (1/x for x
 * overlapping ranges). Precision's existence reward is fixed at 0, as in the paper.
 */
import { fScore } from './point.js';
import type { RowWindow } from './windows.js';

/** Where inside a range a hit counts most. */
export type PositionalBias = 'flat' | 'front' | 'back' | 'middle';
/** How a range overlapped by several ranges of the other side is discounted. */
export type OverlapCardinality = 'one' | 'reciprocal';

export interface RangeOptions {
  /** Existence reward α for recall, in [0, 1]. Default 0. */
  alpha?: number;
  /** Positional bias δ_r for recall. Default `flat`. */
  bias?: PositionalBias;
  /** Positional bias δ_p for precision. Default `flat`. */
  precisionBias?: PositionalBias;
  /** Overlap cardinality γ for both. Default `one`. */
  cardinality?: OverlapCardinality;
}

export interface RangeScores {
  precision: number | null;
  recall: number | null;
  f1: number | null;
  alpha: number;
  bias: PositionalBias;
  precision_bias: PositionalBias;
  cardinality: OverlapCardinality;
}


/** δ(t, L) for position t = 1..L, as in the reference code (integer halving for `middle`). */
function delta(bias: PositionalBias, t: number, length: number): number {
  switch (bias) {
    case 'flat':
      return 1;
    case 'front':
      return length - t + 1;
    case 'back':
      return t;
    case 'middle':
      return t <= Math.floor(length / 2) ? t : length - t + 1;
  }
}

/**
 * The reward of one range against the sorted ranges of the other side. `cum[t]` holds the
 * positional weight of the range's first t positions, so each overlap's ω is a difference.
 */
function rangeReward(r: RowWindow, others: readonly RowWindow[], from: number, alpha: number, bias: PositionalBias, cardinality: OverlapCardinality): number {
  const length = r.end - r.start + 1;
  const cum = new Float64Array(length + 1);
  for (let t = 1; t <= length; t++) cum[t] = cum[t - 1]! + delta(bias, t, length);
  let omega = 0;
  let overlaps = 0;
  for (let j = from; j < others.length; j++) {
    const o = others[j]!;
    if (o.start > r.end) break;
    if (o.end < r.start) continue;
    overlaps++;
    const a = Math.max(r.start, o.start) - r.start; // overlap as positions a+1..b of the range
    const b = Math.min(r.end, o.end) - r.start + 1;
    omega += (cum[b]! - cum[a]!) / cum[length]!;
  }
  const gamma = cardinality === 'reciprocal' && overlaps > 1 ? 1 / overlaps : 1;
  return alpha * (overlaps > 0 ? 1 : 0) + (1 - alpha) * gamma * omega;
}

/** Mean reward of `ranges` against `others` (both sorted and disjoint). */
function meanReward(ranges: readonly RowWindow[], others: readonly RowWindow[], alpha: number, bias: PositionalBias, cardinality: OverlapCardinality): number | null {
  if (ranges.length === 0) return null;
  let sum = 0;
  let j = 0;
  for (const r of ranges) {
    while (j < others.length && others[j]!.end < r.start) j++;
    sum += rangeReward(r, others, j, alpha, bias, cardinality);
  }
  return sum / ranges.length;
}

/** Range precision/recall of predicted ranges against real ranges. */
export function rangeScores(real: readonly RowWindow[], predicted: readonly RowWindow[], options: RangeOptions = {}): RangeScores {
  const alpha = options.alpha ?? 0;
  const bias = options.bias ?? 'flat';
  const precisionBias = options.precisionBias ?? 'flat';
  const cardinality = options.cardinality ?? 'one';
  const recall = meanReward(real, predicted, alpha, bias, cardinality);
  const precision = meanReward(predicted, real, 0, precisionBias, cardinality);
  return { precision, recall, f1: fScore(precision, recall, 1), alpha, bias, precision_bias: precisionBias, cardinality };
}
