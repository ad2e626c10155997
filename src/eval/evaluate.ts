/**
 * `evaluate`: every metric of `paranom eval` for one series of labels and predictions
 * that are already aligned row by row (the CLI joins files on their timestamps first).
 */
import { ParanomError } from '../errors.js';
import { eventScores, type EventScores } from './event.js';
import { NAB_PROBATION_PERCENT, NAB_PROFILE_NAMES, NAB_PROFILES, nabProbationRows, nabScore, nabSweepProfiles, type NabProfileName, type NabResult } from './nab.js';
import { confusion, pointScores, type PointScores } from './point.js';
import { rangeScoresOfAlarms, type RangeOptions, type RangeScores } from './range.js';
import { positivesOf, rankingScores } from './ranking.js';
import { scoreOrder, type ScoreOrder } from './score-order.js';
import { bestFbetaThreshold } from './threshold.js';
import { runsOf, windowProblem, type RowWindow } from './windows.js';

/**
 * Ground truth for one series: a per-row flag (1/true = anomalous), or the flag with the
 * labelled windows given explicitly (sorted, disjoint, inclusive row ranges; by default
 * the maximal runs of flagged rows).
 */
export type EvalLabels = ArrayLike<number | boolean> | { readonly isAnomaly: ArrayLike<number | boolean>; readonly windows?: readonly RowWindow[] };

/**
 * A detector's output for the same rows: anomaly scores (higher = more anomalous) or 0/1
 * alarms. A plain array whose values are all 0 or 1 is read as alarms, any other as scores.
 */
export type EvalPredictions = ArrayLike<number> | { readonly scores: ArrayLike<number> } | { readonly alarms: ArrayLike<number | boolean> };

/** How to score. Every field is optional. */
export interface EvalOptions {
  /** Alarm where score ≥ threshold; `'best'` picks the threshold with the best point Fβ. Default: 0.5 for alarms, `'best'` for scores. */
  threshold?: number | 'best';
  /** β of the point Fβ (and of the best threshold). Default 1. */
  beta?: number;
  /** Event tolerance in rows: a window is found by an alarm within ±tolerance of it. Default 0. */
  tolerance?: number;
  /** Alarm runs separated by at most `gap` quiet rows count as one run. Default 0. */
  gap?: number;
  /** Range-based precision/recall options (Tatbul et al. 2018). */
  range?: RangeOptions;
  /** NAB options: the probationary share (default 0.15) and which threshold each profile uses. */
  nab?: {
    probationPercent?: number;
    /** `'sweep'`: each profile its own best threshold, as NAB reports; `'same'`: the evaluation threshold. Default: `'sweep'` when the threshold is `'best'`, else `'same'`. */
    threshold?: 'sweep' | 'same';
  };
}

/** NAB's three scores, normalised (null without scored windows), with each profile's raw result. */
export interface NabScores {
  standard: number | null;
  reward_low_FP: number | null;
  reward_low_FN: number | null;
  raw: Record<NabProfileName, NabResult>;
  probation_rows: number;
}

/** What `evaluate` returns; the JSON of `paranom eval --json`. */
export interface EvalResult {
  rows: number;
  labelled_rows: number;
  windows: number;
  threshold: number;
  /** How the threshold was set: given, the 0/1 alarms' 0.5, or the best point Fβ. */
  threshold_mode: 'given' | 'alarms' | 'best';
  point: PointScores;
  event: EventScores;
  range: RangeScores;
  nab: NabScores;
  /** Null for 0/1 alarms (no ranking) or when either class is empty. */
  roc_auc: number | null;
  /** Null for 0/1 alarms or without labelled rows. */
  average_precision: number | null;
}

function usage(message: string): ParanomError {
  return new ParanomError('USAGE', message);
}

function isBinary(v: ArrayLike<number>): boolean {
  for (let i = 0; i < v.length; i++) if (v[i] !== 0 && v[i] !== 1) return false;
  return true;
}

function resolvePredictions(p: EvalPredictions): { values: ArrayLike<number>; alarmsOnly: boolean } {
  if ('scores' in p) return { values: p.scores, alarmsOnly: false };
  if ('alarms' in p) {
    const values = new Float64Array(p.alarms.length);
    for (let i = 0; i < values.length; i++) values[i] = p.alarms[i] ? 1 : 0;
    return { values, alarmsOnly: true };
  }
  return { values: p, alarmsOnly: isBinary(p) };
}

/**
 * What every metric starts from: the inputs checked, the options resolved, the threshold
 * chosen and the alarms it raises. The ranking of the scores (labels carried along) serves
 * the best threshold, ROC-AUC, average precision and NAB's sweep of every profile.
 */
export interface Prepared {
  flags: ArrayLike<number | boolean>;
  values: ArrayLike<number>;
  alarmsOnly: boolean;
  windows: readonly RowWindow[];
  beta: number;
  tolerance: number;
  gap: number;
  requested: number | 'best';
  ranked: ScoreOrder | null;
  threshold: number;
  mode: EvalResult['threshold_mode'];
  alarms: Uint8Array;
  probationPercent: number;
  nabMode: 'sweep' | 'same';
}

/** Checks the inputs and options and sets the threshold (evaluate's first half; a fleet's too, over its rows one after another). */
export function prepare(labels: EvalLabels, predictions: EvalPredictions, options: EvalOptions): Prepared {
  const flags = 'isAnomaly' in labels ? labels.isAnomaly : labels;
  const { values, alarmsOnly } = resolvePredictions(predictions);
  const n = flags.length;
  if (values.length !== n) throw usage(`labels have ${n} rows but predictions have ${values.length}`);
  for (let i = 0; i < n; i++) if (Number.isNaN(values[i])) throw usage(`prediction of row ${i} is not a number`);
  const windows = ('isAnomaly' in labels && labels.windows) || runsOf(flags);
  const problem = windowProblem(windows, n);
  if (problem) throw usage(problem);

  const beta = options.beta ?? 1;
  // An infinite β gives NaN for Fβ (and null in JSON), not the recall it tends to.
  if (!(beta > 0 && beta < Infinity)) throw usage(`beta must be a finite number > 0, got ${beta}`);
  const tolerance = options.tolerance ?? 0;
  const gap = options.gap ?? 0;
  for (const [name, v] of [['tolerance', tolerance], ['gap', gap]] as const) {
    if (!Number.isInteger(v) || v < 0) throw usage(`${name} must be a whole number of rows ≥ 0, got ${v}`);
  }
  const alpha = options.range?.alpha ?? 0;
  if (!(alpha >= 0 && alpha <= 1)) throw usage(`range alpha must be in [0, 1], got ${alpha}`);

  const requested = options.threshold ?? (alarmsOnly ? 0.5 : 'best');
  // One ranking (labels carried along) serves the best threshold, ROC-AUC, average
  // precision and NAB's sweep of every profile.
  const ranked = requested === 'best' || !alarmsOnly ? scoreOrder(values, flags) : null;
  const threshold = requested === 'best' ? bestFbetaThreshold(ranked!, values, positivesOf(ranked!), beta) : requested;
  const mode = requested === 'best' ? 'best' : options.threshold === undefined ? 'alarms' : 'given';
  const alarms = new Uint8Array(n);
  for (let i = 0; i < n; i++) alarms[i] = values[i]! >= threshold ? 1 : 0;

  const probationPercent = options.nab?.probationPercent ?? NAB_PROBATION_PERCENT;
  const nabMode = options.nab?.threshold ?? (requested === 'best' ? 'sweep' : 'same');
  return { flags, values, alarmsOnly, windows, beta, tolerance, gap, requested, ranked, threshold, mode, alarms, probationPercent, nabMode };
}

/**
 * Scores predictions against labels: point, event-wise, range-based (Tatbul et al.) and
 * NAB metrics at one threshold, and ROC-AUC / average precision over the scores.
 * Labels and predictions must have the same length (row i of one is row i of the other).
 * Throws a ParanomError (`USAGE`) on mismatched lengths, NaN scores or invalid windows.
 */
export function evaluate(labels: EvalLabels, predictions: EvalPredictions, options: EvalOptions = {}): EvalResult {
  const { flags, values, alarmsOnly, windows, beta, tolerance, gap, ranked, threshold, mode, alarms, probationPercent, nabMode } = prepare(labels, predictions, options);
  const n = flags.length;
  const c = confusion(flags, alarms);
  const series = { scores: values, windows, probationPercent };
  const raw = {} as Record<NabProfileName, NabResult>;
  const swept = nabMode === 'sweep' ? nabSweepProfiles([series], NAB_PROFILE_NAMES.map((p) => NAB_PROFILES[p]), ranked ?? undefined) : null;
  NAB_PROFILE_NAMES.forEach((p, k) => (raw[p] = swept ? swept[k]!.best : nabScore(series, threshold, NAB_PROFILES[p])));
  const ranking = alarmsOnly || !ranked ? null : rankingScores(ranked, values);

  return {
    rows: n,
    labelled_rows: c.tp + c.fn,
    windows: windows.length,
    threshold,
    threshold_mode: mode,
    point: pointScores(c, beta),
    event: eventScores(windows, alarms, tolerance, gap),
    range: rangeScoresOfAlarms(windows, alarms, options.range),
    nab: {
      standard: raw.standard.normalised,
      reward_low_FP: raw.reward_low_FP.normalised,
      reward_low_FN: raw.reward_low_FN.normalised,
      raw,
      probation_rows: Math.min(n, Math.ceil(nabProbationRows(n, probationPercent))),
    },
    roc_auc: ranking ? ranking.rocAuc : null,
    average_precision: ranking ? ranking.averagePrecision : null,
  };
}
