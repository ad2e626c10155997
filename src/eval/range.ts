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
import { forEachRun, type RowWindow } from './windows.js';

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
 * The reward of one range of `length` rows: `overlaps(visit)` visits each overlap with a
 * range of the other side, in order, as positions a+1..b of the range. `cum[t]`, the
 * positional weight of the range's first t positions, is filled on the first overlap (a
 * range without any earns 0), in one buffer reused across ranges: alarm runs may number
 * in the millions.
 */
class Rewards {
  private cum = new Float64Array(64);

  constructor(
    private readonly alpha: number,
    private readonly bias: PositionalBias,
    private readonly cardinality: OverlapCardinality,
  ) {}

  of(length: number, overlaps: (visit: (a: number, b: number) => void) => void): number {
    let omega = 0;
    let count = 0;
    let cum: Float64Array | undefined;
    overlaps((a, b) => {
      cum ??= this.weights(length);
      count++;
      omega += (cum[b]! - cum[a]!) / cum[length]!;
    });
    const gamma = this.cardinality === 'reciprocal' && count > 1 ? 1 / count : 1;
    return this.alpha * (count > 0 ? 1 : 0) + (1 - this.alpha) * gamma * omega;
  }

  private weights(length: number): Float64Array {
    if (this.cum.length < length + 1) this.cum = new Float64Array(Math.max(length + 1, 2 * this.cum.length));
    const cum = this.cum;
    cum[0] = 0;
    for (let t = 1; t <= length; t++) cum[t] = cum[t - 1]! + delta(this.bias, t, length);
    return cum;
  }
}

/** Visits the overlaps of range r with the sorted ranges `others` from index `from`. */
function overlapsWith(r: RowWindow, others: readonly RowWindow[], from: number): (visit: (a: number, b: number) => void) => void {
  return (visit) => {
    for (let j = from; j < others.length; j++) {
      const o = others[j]!;
      if (o.start > r.end) break;
      if (o.end < r.start) continue;
      visit(Math.max(r.start, o.start) - r.start, Math.min(r.end, o.end) - r.start + 1);
    }
  };
}

/** Mean reward of `ranges` against `others` (both sorted and disjoint). */
function meanReward(ranges: readonly RowWindow[], others: readonly RowWindow[], rewards: Rewards): number | null {
  if (ranges.length === 0) return null;
  let sum = 0;
  let j = 0;
  for (const r of ranges) {
    while (j < others.length && others[j]!.end < r.start) j++;
    sum += rewards.of(r.end - r.start + 1, overlapsWith(r, others, j));
  }
  return sum / ranges.length;
}

interface Resolved {
  alpha: number;
  bias: PositionalBias;
  precisionBias: PositionalBias;
  cardinality: OverlapCardinality;
}

function resolve(options: RangeOptions): Resolved {
  return { alpha: options.alpha ?? 0, bias: options.bias ?? 'flat', precisionBias: options.precisionBias ?? 'flat', cardinality: options.cardinality ?? 'one' };
}

function scores(precision: number | null, recall: number | null, o: Resolved): RangeScores {
  return { precision, recall, f1: fScore(precision, recall, 1), alpha: o.alpha, bias: o.bias, precision_bias: o.precisionBias, cardinality: o.cardinality };
}

/** Range precision/recall of predicted ranges against real ranges. */
export function rangeScores(real: readonly RowWindow[], predicted: readonly RowWindow[], options: RangeOptions = {}): RangeScores {
  const o = resolve(options);
  const recall = meanReward(real, predicted, new Rewards(o.alpha, o.bias, o.cardinality));
  const precision = meanReward(predicted, real, new Rewards(0, o.precisionBias, o.cardinality));
  return scores(precision, recall, o);
}

/** The sums behind range precision and recall: rewards and how many ranges earned them. */
export interface RangeRewards {
  recallSum: number;
  realRanges: number;
  precisionSum: number;
  alarmRuns: number;
}

/**
 * The real ranges' recall rewards and the alarm runs' precision rewards, summed: a real
 * range's overlaps are the runs of alarms inside it (a run reaching in from outside counts
 * from the range's edge, which is all its reward looks at), and the runs are met in one
 * pass for precision. Several series (a fleet's entities) pool by adding their sums.
 */
export function rangeRewardsOfAlarms(real: readonly RowWindow[], alarms: ArrayLike<number>, options: RangeOptions = {}): RangeRewards {
  const o = resolve(options);
  const toRecall = new Rewards(o.alpha, o.bias, o.cardinality);
  let recallSum = 0;
  for (const r of real) {
    recallSum += toRecall.of(r.end - r.start + 1, (visit) => {
      for (let i = r.start; i <= r.end; ) {
        if (!alarms[i]) {
          i++;
          continue;
        }
        const a = i;
        while (i <= r.end && alarms[i]) i++;
        visit(a - r.start, i - r.start);
      }
    });
  }
  const toPrecision = new Rewards(0, o.precisionBias, o.cardinality);
  let precisionSum = 0;
  let runs = 0;
  let j = 0;
  forEachRun(alarms, (start, end) => {
    const run = { start, end };
    while (j < real.length && real[j]!.end < start) j++;
    precisionSum += toPrecision.of(end - start + 1, overlapsWith(run, real, j));
    runs++;
  });
  return { recallSum, realRanges: real.length, precisionSum, alarmRuns: runs };
}

/** Range precision and recall from summed rewards: the mean reward of the alarm runs and of the real ranges. */
export function rangeScoresOfRewards(r: RangeRewards, options: RangeOptions = {}): RangeScores {
  return scores(r.alarmRuns > 0 ? r.precisionSum / r.alarmRuns : null, r.realRanges > 0 ? r.recallSum / r.realRanges : null, resolve(options));
}

/** `rangeScores` of the real ranges against the runs of `alarms`, without a list of the runs. */
export function rangeScoresOfAlarms(real: readonly RowWindow[], alarms: ArrayLike<number>, options: RangeOptions = {}): RangeScores {
  return rangeScoresOfRewards(rangeRewardsOfAlarms(real, alarms, options), options);
}
