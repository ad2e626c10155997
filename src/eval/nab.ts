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
import { upperBound } from '../math/search.js';
import { ROW_MASK, scoreOrder, type ScoreOrder } from './score-order.js';
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

/**
 * Whether window `w` of a series of `rows` rows has a row after the probationary period
 * (windows with none are left out of the score, as NAB leaves them).
 */
function isScored(w: RowWindow, rows: number, probation: number): boolean {
  return Math.max(w.start, Math.ceil(probation)) <= Math.min(w.end, rows - 1);
}

/**
 * A row's NAB weight before its profile's cost: inside window `k`, the scaled sigmoid of
 * its position; after a window, the sigmoid of its distance from that window's end; before
 * every window, NaN (the weight is then −fpWeight). `k` is the first window ending at or
 * after the row. Weights are computed where they are needed, not stored per row: a dataset
 * may have hundreds of millions of rows.
 */
function rowSigmoid(windows: readonly RowWindow[], k: number, i: number): number {
  const w = windows[k];
  if (w && w.start <= i) return scaledSigmoid(-(w.end - i + 1) / (w.end - w.start + 1));
  const prev = windows[k - 1];
  return prev ? scaledSigmoid(Math.abs(i - prev.end) / (prev.end - prev.start)) : Number.NaN;
}

/** Whether row i lies in window k, the first window ending at or after it. */
function isInside(windows: readonly RowWindow[], k: number, i: number): boolean {
  const w = windows[k];
  return w !== undefined && w.start <= i;
}

/** The weight of a row inside a window, for `cost`. */
function tpWeight(sigmoid: number, cost: NabCostMatrix): number {
  return (sigmoid * cost.tpWeight) / scaledSigmoid(-1);
}

/** The weight of a row outside every window (NaN sigmoid: before every window), for `cost`. */
function fpWeight(sigmoid: number, cost: NabCostMatrix): number {
  return Number.isNaN(sigmoid) ? -cost.fpWeight : sigmoid * cost.fpWeight;
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
  const { scores, windows } = series;
  const n = scores.length;
  const probation = nabProbationRows(n, series.probationPercent ?? NAB_PROBATION_PERCENT);
  const credit = new Float64Array(windows.length).fill(Number.NaN);
  let fpScore = 0;
  const c = { tp: 0, tn: 0, fp: 0, fn: 0 };
  // Windows are sorted: k is the first window ending at or after row i.
  let k = 0;
  for (let i = 0; i < n; i++) {
    while (k < windows.length && windows[k]!.end < i) k++;
    if (i < probation) continue;
    const alarm = scores[i]! >= threshold;
    if (isInside(windows, k, i)) {
      if (alarm) {
        c.tp++;
        if (Number.isNaN(credit[k]!)) credit[k] = tpWeight(rowSigmoid(windows, k, i), cost); // the first alarm earns the credit
      } else c.fn++;
    } else if (alarm) {
      c.fp++;
      fpScore += fpWeight(rowSigmoid(windows, k, i), cost);
    } else c.tn++;
  }
  let windowScore = 0;
  let scored = 0;
  for (let w = 0; w < windows.length; w++) {
    if (!isScored(windows[w]!, n, probation)) continue;
    scored++;
    windowScore += Number.isNaN(credit[w]!) ? -cost.fnWeight : credit[w]!;
  }
  return finish(threshold, windowScore + fpScore, c, n, scored, cost);
}

/**
 * The NAB result of a corpus at one threshold: each series scored alone (its own
 * probationary rows and windows), the scores and counts summed, normalised over the
 * corpus's windows, as NAB reports a detector over its data files.
 */
export function nabCorpusScore(corpus: readonly NabSeries[], threshold: number, cost: NabCostMatrix = NAB_PROFILES.standard): { best: NabResult; series: NabResult[] } {
  const series = corpus.map((s) => nabScore(s, threshold, cost));
  return { best: corpusResult(threshold, series, cost), series };
}

/** Series results at one threshold summed into the corpus's. */
function corpusResult(threshold: number, series: readonly NabResult[], cost: NabCostMatrix): NabResult {
  const total = series.reduce((a, r) => a + r.score, 0);
  const c = series.reduce((a, r) => ({ tp: a.tp + r.tp, tn: a.tn + r.tn, fp: a.fp + r.fp, fn: a.fn + r.fn }), { tp: 0, tn: 0, fp: 0, fn: 0 });
  return finish(threshold, total, c, series.reduce((a, r) => a + r.total, 0), series.reduce((a, r) => a + r.windows, 0), cost);
}

/**
 * NAB's threshold sweep over one or more series: every distinct anomaly score is tried as
 * the threshold (highest first, starting above every score) and the best total is kept;
 * ties keep the highest threshold. Returns the best threshold's corpus result and each
 * series' result at that threshold.
 */
export function nabSweep(corpus: readonly NabSeries[], cost: NabCostMatrix = NAB_PROFILES.standard): { best: NabResult; series: NabResult[] } {
  return nabSweepProfiles(corpus, [cost])[0]!;
}

/**
 * `nabSweep` for several cost matrices at once: one ranking of the corpus's rows and one
 * walk down it serve every profile. `ranked` is the ranking of the corpus's scores (its
 * series' rows one after another) when the caller has it already.
 */
export function nabSweepProfiles(corpus: readonly NabSeries[], costs: readonly NabCostMatrix[], ranked?: ScoreOrder): Array<{ best: NabResult; series: NabResult[] }> {
  for (const s of corpus) checkScores(s.scores);
  // One list of rows across the corpus, as NAB's optimiser builds it, ranked by score
  // (ties in series, then row order); probationary rows are skipped as the walk meets them.
  const base = new Float64Array(corpus.length + 1);
  corpus.forEach((s, i) => (base[i + 1] = base[i]! + s.scores.length));
  const rowsTotal = base[corpus.length]!;
  let rank = ranked;
  if (!rank) {
    let all = corpus[0]?.scores ?? [];
    if (corpus.length > 1) {
      const joined = new Float64Array(rowsTotal);
      corpus.forEach((s, i) => joined.set(s.scores, base[i]!));
      all = joined;
    }
    rank = scoreOrder(all);
  }
  const probation = corpus.map((s) => nabProbationRows(s.scores.length, s.probationPercent ?? NAB_PROBATION_PERCENT));
  const ends = corpus.map((s) => Float64Array.from(s.windows, (w) => w.end));
  const windowBase: number[] = [];
  let windowsTotal = 0;
  let scoredWindows = 0;
  corpus.forEach((s, i) => {
    windowBase.push(windowsTotal);
    windowsTotal += s.windows.length;
    for (const w of s.windows) if (isScored(w, s.scores.length, probation[i]!)) scoredWindows++;
  });
  const P = costs.length;
  // Per profile, flat: credit[p·W + window], the weights of the cost matrices.
  const W = windowsTotal;
  const credit = new Float64Array(P * W).fill(Number.NaN);
  const tpW = Float64Array.from(costs, (c) => c.tpWeight);
  const fpW = Float64Array.from(costs, (c) => c.fpWeight);
  const fnW = Float64Array.from(costs, (c) => c.fnWeight);
  const maxTp = scaledSigmoid(-1);
  const fpScore = new Float64Array(P);
  const creditScore = Float64Array.from(costs, (c) => -c.fnWeight * scoredWindows); // every scored window missed
  const { sorted, order } = rank;
  const N = sorted.length;
  // Which series row g of the corpus is in (its row there is g − base[s]).
  const seriesOf = (g: number): number => (corpus.length === 1 ? 0 : upperBound(base, g) - 1);
  let first = 0;
  for (; first < N; first++) {
    const g = order[first]! & ROW_MASK;
    const s = seriesOf(g);
    if (g - base[s]! >= probation[s]!) break;
  }
  const maxScore = first < N ? sorted[first]! : 0;
  // NAB starts at 1.1, above every score in [0, 1]; scores beyond get a threshold above them.
  const bestThreshold = new Float64Array(P).fill(maxScore < 1.1 ? 1.1 : maxScore + 1);
  const bestScore = Float64Array.from(creditScore, (c, p) => c + fpScore[p]!);
  for (let k = 0; k < N; ) {
    const v = sorted[k]!;
    let firstRow = -1;
    for (; k < N && sorted[k] === v; k++) {
      const g = order[k]! & ROW_MASK;
      const s = seriesOf(g);
      const i = g - base[s]!;
      if (i < probation[s]!) continue;
      if (firstRow < 0) firstRow = g;
      const windows = corpus[s]!.windows;
      // The first window ending at or after row i (windows are sorted).
      const e = ends[s]!;
      let lo = 0;
      for (let hi = e.length; lo < hi; ) {
        const mid = (lo + hi) >>> 1;
        if (e[mid]! < i) lo = mid + 1;
        else hi = mid;
      }
      const sigmoid = rowSigmoid(windows, lo, i);
      if (isInside(windows, lo, i)) {
        const gw = windowBase[s]! + lo;
        for (let p = 0; p < P; p++) {
          const prior = credit[p * W + gw]!;
          const value = (sigmoid * tpW[p]!) / maxTp;
          if (Number.isNaN(prior)) {
            credit[p * W + gw] = value;
            creditScore[p] = creditScore[p]! + (value + fnW[p]!);
          } else if (value > prior) {
            credit[p * W + gw] = value;
            creditScore[p] = creditScore[p]! + (value - prior);
          }
        }
      } else {
        for (let p = 0; p < P; p++) fpScore[p] = fpScore[p]! + (Number.isNaN(sigmoid) ? -fpW[p]! : sigmoid * fpW[p]!);
      }
    }
    // A group of probationary rows only changes nothing.
    if (firstRow < 0) continue;
    const fs = seriesOf(firstRow);
    const threshold = v === 0 ? corpus[fs]!.scores[firstRow - base[fs]!]! : v; // its first row's own zero (−0 or 0)
    for (let p = 0; p < P; p++) {
      const score = creditScore[p]! + fpScore[p]!;
      if (score > bestScore[p]!) {
        bestScore[p] = score;
        bestThreshold[p] = threshold;
      }
    }
  }
  // Each series re-scored at the chosen threshold: exact sums, not running ones.
  return costs.map((cost, p) => nabCorpusScore(corpus, bestThreshold[p]!, cost));
}
