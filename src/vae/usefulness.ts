/**
 * Whether a trained VAE learned anything: a training whose loss exploded (a learning rate
 * far too large) can stay finite and end with a model that reconstructs worse than a
 * constant. The reference is the trivial model that predicts the training mean (zero in
 * z-scores) at every row: its reconstruction error per window is the mean of Σ x² over the
 * windows. A model kept (the best epoch's) that does no better on its training windows nor
 * on its validation windows is refused when its reconstruction error exploded or stopped
 * improving.
 *
 * Either set alone misjudges real series: a tail far quieter than the rest has a mean
 * baseline near zero that no sound model beats there, and a training part with one extreme
 * spike has windows no model reconstructs, which dominate its training error. Only the
 * reconstruction term is compared: the KL term is large in the first epochs of a sound run.
 */
import { ParanomError } from '../errors.js';
import type { TrainingRecord } from './model.js';
import type { WindowSet } from './windows.js';

/** Reconstruction error per window of predicting the training mean: mean over windows of Σ x². */
export function meanBaseline(w: WindowSet): number {
  let s = 0;
  for (let i = 0; i < w.data.length; i++) s += w.data[i]! * w.data[i]!;
  return s / Math.max(1, w.count);
}

/**
 * A reconstruction error this many times the mean baseline's has exploded. A too-large
 * learning rate throws it out by many orders of magnitude (1e9× on the test fixture at a
 * learning rate of 5), while a sound first epoch can reach 20×: a training part with one
 * extreme spike (a NAB AWS series, z-score −22) has windows no young model reconstructs.
 */
const EXPLODED = 1000;

/** The options a refusal names, as the command line spells them. */
export interface TrainingOptions {
  learningRate: number;
  beta: number;
  epochs: number;
}

function num(x: number): string {
  return Math.abs(x) >= 1e5 ? x.toExponential(2) : x.toPrecision(4);
}

/**
 * Refuses (TRAINING_DIVERGED, exit 2) a model whose best epoch reconstructs neither its
 * training nor its validation windows better than the mean does, when that error exploded or
 * stopped improving,
 * naming that epoch, its loss, where the loss exploded, and the option to change. A model
 * still improving at its last epoch is only undertrained: it is kept (more epochs help).
 */
export function checkLearned(history: TrainingRecord['history'], bestEpoch: number, train: WindowSet, val: WindowSet, o: TrainingOptions): void {
  const best = history.find((h) => h.epoch === bestEpoch);
  if (!best) return;
  const baseline = meanBaseline(train);
  if (best.recon < baseline) return;
  const valBaseline = best.valRecon === null ? null : meanBaseline(val);
  if (best.valRecon !== null && best.valRecon < valBaseline!) return;
  const exploded = history.find((h) => !(h.recon <= EXPLODED * baseline));
  const last = history[history.length - 1]!;
  if (!exploded && bestEpoch === last.epoch) return;
  const errors = best.valRecon === null
    ? `the training reconstruction error is ${num(best.recon)} per window (loss ${num(best.loss)}), no better than predicting the mean at every row (${num(baseline)})`
    : `the reconstruction error per window is ${num(best.recon)} on the training windows and ${num(best.valRecon)} on the validation windows (loss ${num(best.loss)}), no better than predicting the mean at every row (${num(baseline)} and ${num(valBaseline!)})`;
  const head = `training learned nothing: at its best epoch (${bestEpoch} of ${history.length}) ${errors}`;
  const fix = exploded
    ? `; the reconstruction error exploded at epoch ${exploded.epoch} (${num(exploded.recon)}) with --learning-rate ${o.learningRate}; nothing was written — try a smaller --learning-rate (such as ${+(o.learningRate / 10).toPrecision(2)})`
    : `, and it stopped improving; nothing was written — try another --learning-rate (${o.learningRate}) or a smaller --beta (${o.beta})`;
  throw new ParanomError('TRAINING_DIVERGED', head + fix, { epoch: bestEpoch, recon: best.recon, baseline, learningRate: o.learningRate, beta: o.beta, ...(exploded ? { explodedAt: exploded.epoch } : {}) });
}
