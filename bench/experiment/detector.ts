/**
 * The one detector of the experiment, the same for every condition. A window of the last
 * W rows is turned into features relative to the training series' robust scale (levels
 * and first differences, squashed by asinh so heavy tails stay bounded) and fed to the
 * same small MLP (mlp.ts) with the same settings and seed:
 *
 *  - with labelled training data (generated anomalies), it is a classifier of "the
 *    window's last row is anomalous", trained by cross-entropy; its threshold maximises
 *    point F1 on a held-out validation part of the generated data, with generated labels;
 *  - with real normal data only, there are no labels, so the same network forecasts the
 *    next row from the window before it (squared error) and scores a row by its absolute
 *    forecast error; its threshold is a fixed quantile of that error on held-out normal rows.
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
  /** Unsupervised threshold: this quantile of the held-out forecast errors. */
  errorQuantile: 0.99,
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

/** The threshold (a score value) that maximises F1 of `score ≥ t` against `labels`. */
export function bestF1Threshold(scores: Float64Array, labels: ArrayLike<number>): number {
  const order = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]!);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i]!;
  let tp = 0;
  let best = -1;
  let threshold = Infinity;
  order.forEach((i, rank) => {
    tp += labels[i]!;
    const next = order[rank + 1];
    if (next !== undefined && scores[next] === scores[i]) return; // ties alarm together
    const f1 = (2 * tp) / (rank + 1 + positives);
    if (f1 > best) {
      best = f1;
      threshold = scores[i]!;
    }
  });
  return threshold;
}


/** A trained detector: scores rows of a series, alarms where score ≥ threshold. */
export interface Detector {
  score(x: Float64Array, rows: readonly number[]): Float64Array;
  threshold: number;
}

/**
 * Trains the classifier on generated data: `replicates` copies of the training part, each
 * `period` rows long, with paranom's labels. Windows never cross a replicate boundary.
 */
export function trainSupervised(values: Float64Array, labels: Uint8Array, period: number, s: Scale, seed: number): Detector {
  const fitEnd = Math.floor(DETECTOR.fitShare * period);
  const fit: number[] = [];
  const held: number[] = [];
  for (let j = 0; j < values.length; j++) {
    const i = j % period;
    if (i < DETECTOR.window - 1) continue;
    (i < fitEnd ? fit : held).push(j);
  }
  const net = new Mlp(FEATURES, mlpOptions('logistic', seed));
  net.fit(featureMatrix(values, fit, s), Float64Array.from(fit, (j) => labels[j]!), fit.length);
  const score = (x: Float64Array, rows: readonly number[]): Float64Array => net.predict(featureMatrix(x, rows, s), rows.length);
  const threshold = bestF1Threshold(score(values, held), Uint8Array.from(held, (j) => labels[j]!));
  return { score, threshold };
}

/** Trains the forecaster on real normal rows only; the score is the absolute forecast error. */
export function trainUnsupervised(train: Float64Array, s: Scale, seed: number): Detector {
  const fitEnd = Math.floor(DETECTOR.fitShare * train.length);
  const fit: number[] = [];
  const held: number[] = [];
  for (let j = DETECTOR.window; j < train.length; j++) (j < fitEnd ? fit : held).push(j);
  const net = new Mlp(FEATURES, mlpOptions('squared', seed));
  const target = (x: Float64Array, j: number): number => Math.asinh((x[j]! - s.centre) / s.scale);
  net.fit(featureMatrix(train, fit.map((j) => j - 1), s), Float64Array.from(fit, (j) => target(train, j)), fit.length);
  const score = (x: Float64Array, rows: readonly number[]): Float64Array => {
    const pred = net.predict(featureMatrix(x, rows.map((j) => j - 1), s), rows.length);
    return pred.map((p, i) => Math.abs(p - target(x, rows[i]!)));
  };
  return { score, threshold: sortedQuantile(score(train, held).sort(), DETECTOR.errorQuantile) };
}
