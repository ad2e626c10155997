/**
 * The NAB score (Lavin & Ahmad 2015; numenta/NAB `nab/scorer.py`, `nab/sweeper.py`), per
 * series and over a corpus, as NAB computes it:
 *
 * - The first `min(⌊0.15·rows⌋, 0.15·5000)` rows are a probationary period: not scored.
 * - Each row gets a weight. Inside a window [s, e] of L rows, row i is worth
 *   `σ(−(e − i + 1)/L)·tpWeight / σ(−1)` where `σ(x) = 2/(1 + e^{5x}) − 1` (the scaled
 *   sigmoid), so an early detection earns almost 1 and one at the window's end little.
 *   Outside, row i after a window ending at e (of L rows) is worth
 *   `σ((i − e)/(L − 1))·fpWeight` (σ = −1 beyond 3, i.e. far from any window), and a row
 *   before every window is worth `−fpWeight`.
 * - At a threshold, rows scoring ≥ it are alarms. Each window earns the weight of its
 *   first alarm (one credit per window) or `−fnWeight` when it has none; every alarm
 *   outside the windows adds its (negative) weight.
 * - TP/FP/FN/TN count scored rows (after probation); `total` counts every row, as NAB's
 *   published per-file tables do.
 * - The threshold sweep scores every distinct anomaly score as a threshold (highest
 *   first) and keeps the best; a corpus is swept as one list, as NAB's optimiser does.
 * - Normalised: `100·(score − null)/(perfect − null)`, where null is the score of a
 *   detector that never alarms (`−fnWeight` per window) and perfect earns `tpWeight` per
 *   window.
 */
import { groupByScore } from './ranking.js';
import type { RowWindow } from './windows.js';

/** A NAB cost matrix (NAB's `config/profiles.json`; `tnWeight` is never used by NAB). */
export interface NabCostMatrix {
  readonly tpWeight: number;
  readonly fpWeight: number;
  readonly fnWeight: number;
}

/** NAB's three application profiles. */
export type NabProfileName = 'standard' | 'reward_low_FP' | 'reward_low_FN';

/** The cost matrices of NAB's `config/profiles.json`. */
export const NAB_PROFILES: Readonly<Record<NabProfileName, NabCostMatrix>> = {
  standard: { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 },
  reward_low_FP: { tpWeight: 1, fpWeight: 0.22, fnWeight: 1 },
  reward_low_FN: { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 },
};

export const NAB_PROFILE_NAMES: readonly NabProfileName[] = ['standard', 'reward_low_FP', 'reward_low_FN'];

/** NAB's probationary share of each series. */
export const NAB_PROBATION_PERCENT = 0.15;

/** One series to score: anomaly scores per row and the labelled windows (sorted, disjoint). */
export interface NabSeries {
  readonly scores: ArrayLike<number>;
  readonly windows: readonly RowWindow[];
  /** Share of rows in the probationary period. Default 0.15, as NAB. */
  readonly probationPercent?: number;
}

/** The NAB result of one series (or a corpus) at one threshold. */
export interface NabResult {
  threshold: number;
  score: number;
  /** 100·(score − null)/(perfect − null); null when no window is scored. */
  normalised: number | null;
  tp: number;
  tn: number;
  fp: number;
  fn: number;
  /** Every row, probationary ones included (NAB's `Total_Count`). */
  total: number;
  /** Windows scored (those with at least one row after the probationary period). */
  windows: number;
  null_score: number;
  perfect_score: number;
}

/** NAB's scaled sigmoid of a relative position (−1 = a window's first row, 0 = its end). */
export function scaledSigmoid(position: number): number {
  return position > 3 ? -1 : 2 / (1 + Math.exp(5 * position)) - 1;
}

export function nabProbationRows(rows: number, percent = NAB_PROBATION_PERCENT): number {
  return Math.min(Math.floor(percent * rows), percent * 5000);
}

/** Per-row NAB weights of a series: which window a scored row is in, and its weight. */
interface Weighted {
  /** Window index per row, −1 outside windows, −2 in the probationary period. */
  window: Int32Array;
  weight: Float64Array;
  /** Indices of the windows with at least one scored row, ascending. */
  scored: number[];
  rows: number;
}

function weigh(series: NabSeries, cost: NabCostMatrix): Weighted {
  const n = series.scores.length;
  const probation = nabProbationRows(n, series.probationPercent ?? NAB_PROBATION_PERCENT);
  const window = new Int32Array(n).fill(-1);
  const weight = new Float64Array(n);
  const maxTp = scaledSigmoid(-1);
  let prev: RowWindow | undefined;
  let k = 0;
  const windows = series.windows;
  const scored = new Set<number>();
  for (let i = 0; i < n; i++) {
    while (k < windows.length && windows[k]!.end < i) prev = windows[k++];
    const w = windows[k];
    if (w && w.start <= i) {
      const length = w.end - w.start + 1;
      weight[i] = (scaledSigmoid(-(w.end - i + 1) / length) * cost.tpWeight) / maxTp;
      window[i] = k;
    } else if (prev) {
      weight[i] = scaledSigmoid(Math.abs(i - prev.end) / (prev.end - prev.start)) * cost.fpWeight;
    } else {
      weight[i] = -cost.fpWeight;
    }
    if (i < probation) window[i] = -2;
    else if (window[i]! >= 0) scored.add(window[i]!);
  }
  return { window, weight, scored: [...scored], rows: n };
}

function finish(threshold: number, score: number, c: { tp: number; tn: number; fp: number; fn: number }, total: number, windows: number, cost: NabCostMatrix): NabResult {
  const nullScore = -cost.fnWeight * windows;
  const perfect = cost.tpWeight * windows;
  return {
    threshold,
    score,
    normalised: windows > 0 ? (100 * (score - nullScore)) / (perfect - nullScore) : null,
    ...c,
    total,
    windows,
    null_score: nullScore,
    perfect_score: perfect,
  };
}

function checkScores(scores: ArrayLike<number>): void {
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i])) throw new RangeError(`anomaly score of row ${i} is NaN`);
  }
}

/** The NAB score of one series at `threshold` (rows scoring ≥ threshold alarm). */
export function nabScore(series: NabSeries, threshold: number, cost: NabCostMatrix = NAB_PROFILES.standard): NabResult {
  checkScores(series.scores);
  const w = weigh(series, cost);
  const credit = new Float64Array(series.windows.length).fill(Number.NaN);
  let fpScore = 0;
  const c = { tp: 0, tn: 0, fp: 0, fn: 0 };
  for (let i = 0; i < w.rows; i++) {
    const win = w.window[i]!;
    if (win === -2) continue;
    const alarm = series.scores[i]! >= threshold;
    if (win >= 0) {
      if (alarm) {
        c.tp++;
        if (Number.isNaN(credit[win]!)) credit[win] = w.weight[i]!; // the first alarm earns the credit
      } else c.fn++;
    } else if (alarm) {
      c.fp++;
      fpScore += w.weight[i]!;
    } else c.tn++;
  }
  let windowScore = 0;
  for (const k of w.scored) windowScore += Number.isNaN(credit[k]!) ? -cost.fnWeight : credit[k]!;
  return finish(threshold, windowScore + fpScore, c, w.rows, w.scored.length, cost);
}

/**
 * NAB's threshold sweep over one or more series: every distinct anomaly score is tried as
 * the threshold (highest first, starting above every score) and the best total is kept;
 * ties keep the highest threshold. Returns the best threshold's corpus result and each
 * series' result at that threshold.
 */
export function nabSweep(corpus: readonly NabSeries[], cost: NabCostMatrix = NAB_PROFILES.standard): { best: NabResult; series: NabResult[] } {
  const weighted = corpus.map((s) => {
    checkScores(s.scores);
    return weigh(s, cost);
  });
  // One list of scored rows across the corpus, as NAB's optimiser builds it (typed
  // arrays: a dataset may have millions of rows).
  let windowsTotal = 0;
  let rowsTotal = 0;
  let scoredRows = 0;
  const windowBase: number[] = [];
  for (let s = 0; s < corpus.length; s++) {
    windowBase.push(windowsTotal);
    windowsTotal += corpus[s]!.windows.length;
    rowsTotal += weighted[s]!.rows;
    for (const win of weighted[s]!.window) if (win !== -2) scoredRows++;
  }
  const refSeries = new Uint32Array(scoredRows);
  const refRow = new Uint32Array(scoredRows);
  const refScore = new Float64Array(scoredRows);
  for (let s = 0, r = 0; s < corpus.length; s++) {
    const w = weighted[s]!;
    for (let i = 0; i < w.rows; i++) {
      if (w.window[i] === -2) continue;
      refSeries[r] = s;
      refRow[r] = i;
      refScore[r++] = corpus[s]!.scores[i]!;
    }
  }
  const { thresholds, offsets, order } = groupByScore(refScore);
  const scoredWindows = weighted.reduce((a, w) => a + w.scored.length, 0);
  const credit = new Float64Array(windowsTotal).fill(Number.NaN);
  let fpScore = 0;
  let creditScore = -cost.fnWeight * scoredWindows; // every scored window missed
  const maxScore = thresholds.length > 0 ? thresholds[0]! : 0;
  // NAB starts at 1.1, above every score in [0, 1]; scores beyond get a threshold above them.
  let best = { threshold: maxScore < 1.1 ? 1.1 : maxScore + 1, score: creditScore + fpScore };
  for (let g = 0; g < thresholds.length; g++) {
    for (let k = offsets[g]!; k < offsets[g + 1]!; k++) {
      const s = refSeries[order[k]!]!;
      const i = refRow[order[k]!]!;
      const w = weighted[s]!;
      const win = w.window[i]!;
      if (win >= 0) {
        const gw = windowBase[s]! + win;
        const prior = credit[gw]!;
        const value = w.weight[i]!;
        if (Number.isNaN(prior)) {
          credit[gw] = value;
          creditScore += value + cost.fnWeight;
        } else if (value > prior) {
          credit[gw] = value;
          creditScore += value - prior;
        }
      } else {
        fpScore += w.weight[i]!;
      }
    }
    const score = creditScore + fpScore;
    if (score > best.score) best = { threshold: thresholds[g]!, score };
  }
  // Re-score each series at the chosen threshold: exact sums, not running ones.
  const series = corpus.map((s) => nabScore(s, best.threshold, cost));
  const total = series.reduce((a, r) => a + r.score, 0);
  const c = series.reduce((a, r) => ({ tp: a.tp + r.tp, tn: a.tn + r.tn, fp: a.fp + r.fp, fn: a.fn + r.fn }), { tp: 0, tn: 0, fp: 0, fn: 0 });
  return { best: finish(best.threshold, total, c, rowsTotal, scoredWindows, cost), series };
}
