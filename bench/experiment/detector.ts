/**
 * The one detector of the experiment, the same for every condition. A window of the last
 * W rows is turned into features relative to the training series' robust scale (levels
 * and first differences, squashed by asinh so heavy tails stay bounded) and fed to the
 * same small MLP (mlp.ts) with the same settings and seed:
 *
 *  - with labelled training data (generated anomalies), it is a classifier of "the
 *    window's last row is anomalous", trained by cross-entropy;
 *  - with real normal data only, there are no labels, so the same network forecasts the
 *    next row from the window before it (squared error) and scores a row by its absolute
 *    forecast error.
 *
 * Either way the threshold is the same rule: a fixed quantile of the scores of the held-out
 * real training rows (the last quarter of the training part, never fitted, all normal).
 * Generated labels never set it: a threshold chosen where generated anomalies separate
 * best did not transfer to real data (it alarmed on 16–28% of test rows).
 *
 * Nothing here looks at test labels; every constant is in DETECTOR.
 */
import { Mlp, type MlpOptions } from './mlp.js';
import { sortedQuantile } from './nab.js';

/** Every setting of the detector, fixed before any test label was read. */
export const DETECTOR = {
  /** Rows per window. */
  window: 32,
  hidden: 32,
  steps: 8000,
  batch: 16,
  learningRate: 3e-3,
  l2: 1e-4,
  /** Share of the training rows used to fit; the rest chooses the threshold. */
  fitShare: 0.75,
  /** Threshold: this quantile of the scores of the held-out real training rows. */
  normalQuantile: 0.99,
} as const;

/** How values are put on a common scale: the training part's median and robust sd. */
export interface Scale {
  centre: number;
  scale: number;
}

const FEATURES = 2 * DETECTOR.window - 1;

/** Writes the features of the window ending at row `end` of `x` into `out` at `off`. */
function features(x: Float64Array, end: number, s: Scale, out: Float64Array, off: number): void {
  const w = DETECTOR.window;
  const start = end - w + 1;
  for (let k = 0; k < w; k++) out[off + k] = Math.asinh((x[start + k]! - s.centre) / s.scale);
  for (let k = 1; k < w; k++) out[off + w - 1 + k] = Math.asinh((x[start + k]! - x[start + k - 1]!) / s.scale);
}

function featureMatrix(x: Float64Array, ends: readonly number[], s: Scale): Float64Array {
  const m = new Float64Array(ends.length * FEATURES);
  ends.forEach((e, i) => features(x, e, s, m, i * FEATURES));
  return m;
}

function mlpOptions(loss: MlpOptions['loss'], seed: number): MlpOptions {
  return { hidden: DETECTOR.hidden, loss, steps: DETECTOR.steps, batch: DETECTOR.batch, learningRate: DETECTOR.learningRate, l2: DETECTOR.l2, seed };
}

/** A trained detector: scores rows of a series, alarms where score ≥ threshold. */
export interface Detector {
  score(x: Float64Array, rows: readonly number[]): Float64Array;
  threshold: number;
}

/** Rows of the real training part that set the threshold: its last quarter, never fitted. */
function heldOutRows(train: Float64Array, first: number): number[] {
  const out: number[] = [];
  for (let j = Math.max(first, Math.floor(DETECTOR.fitShare * train.length)); j < train.length; j++) out.push(j);
  return out;
}

/** The threshold rule of every condition: a fixed quantile of held-out real normal scores. */
export function normalThreshold(score: Detector['score'], train: Float64Array, first: number): number {
  return sortedQuantile(score(train, heldOutRows(train, first)).sort(), DETECTOR.normalQuantile);
}

/**
 * Trains the classifier on generated data: `replicates` copies of the training part, each
 * `period` rows long, with paranom's labels. Windows never cross a replicate boundary.
 * `train` is the real training part, whose held-out rows set the threshold.
 */
export function trainSupervised(values: Float64Array, labels: Uint8Array, period: number, train: Float64Array, s: Scale, seed: number): Detector {
  const fitEnd = Math.floor(DETECTOR.fitShare * period);
  const fit: number[] = [];
  for (let j = 0; j < values.length; j++) {
    const i = j % period;
    if (i >= DETECTOR.window - 1 && i < fitEnd) fit.push(j);
  }
  const net = new Mlp(FEATURES, mlpOptions('logistic', seed));
  net.fit(featureMatrix(values, fit, s), Float64Array.from(fit, (j) => labels[j]!), fit.length);
  const score = (x: Float64Array, rows: readonly number[]): Float64Array => net.predict(featureMatrix(x, rows, s), rows.length);
  return { score, threshold: normalThreshold(score, train, DETECTOR.window - 1) };
}

/** Trains the forecaster on real normal rows only; the score is the absolute forecast error. */
export function trainUnsupervised(train: Float64Array, s: Scale, seed: number): Detector {
  const fitEnd = Math.floor(DETECTOR.fitShare * train.length);
  const fit: number[] = [];
  for (let j = DETECTOR.window; j < fitEnd; j++) fit.push(j);
  const net = new Mlp(FEATURES, mlpOptions('squared', seed));
  const target = (x: Float64Array, j: number): number => Math.asinh((x[j]! - s.centre) / s.scale);
  net.fit(featureMatrix(train, fit.map((j) => j - 1), s), Float64Array.from(fit, (j) => target(train, j)), fit.length);
  const score = (x: Float64Array, rows: readonly number[]): Float64Array => {
    const pred = net.predict(featureMatrix(x, rows.map((j) => j - 1), s), rows.length);
    return pred.map((p, i) => Math.abs(p - target(x, rows[i]!)));
  };
  return { score, threshold: normalThreshold(score, train, DETECTOR.window) };
}
