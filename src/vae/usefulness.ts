/**
 * Whether a trained VAE learned anything: a training whose loss exploded (a learning rate
 * far too large) can stay finite and end with a model that reconstructs worse than a
 * constant. The reference is the trivial model that predicts the training mean (zero in
 * z-scores) at every row: its reconstruction error per window is the mean of Σ x² over the
 * windows. A model kept (the best epoch's) that does no better on the monitored windows
 * (validation, or training without a validation tail) is refused when the loss exploded or
 * stopped improving.
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

/** A loss this many times the mean baseline's has exploded (the first epoch of a sound run stays within 2×). */
export const EXPLODED = 10;

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
 * Refuses (TRAINING_DIVERGED, exit 2) a model whose best epoch reconstructs the monitored
 * windows no better than the mean does, when its loss exploded or it stopped improving,
 * naming that epoch, its loss, where the loss exploded, and the option to change. A model
 * still improving at its last epoch is only undertrained: it is kept (more epochs help).
 */
export function checkLearned(history: TrainingRecord['history'], bestEpoch: number, train: WindowSet, val: WindowSet, o: TrainingOptions): void {
  const best = history.find((h) => h.epoch === bestEpoch);
  if (!best) return;
  const validation = best.valRecon !== null;
  const baseline = meanBaseline(validation ? val : train);
  const recon = best.valRecon ?? best.recon;
  if (recon < baseline) return;
  const trainBaseline = meanBaseline(train);
  const exploded = history.find((h) => h.loss > EXPLODED * trainBaseline || (h.valLoss ?? 0) > EXPLODED * baseline);
  const last = history[history.length - 1]!;
  if (!exploded && bestEpoch === last.epoch) return;
  const set = validation ? 'validation' : 'training';
  const head = `training learned nothing: at its best epoch (${bestEpoch} of ${history.length}) the ${set} reconstruction error is ${num(recon)} per window (loss ${num(best.valLoss ?? best.loss)}), no better than predicting the mean at every row (${num(baseline)})`;
  const fix = exploded
    ? `; the loss exploded at epoch ${exploded.epoch} (training loss ${num(exploded.loss)}) with --learning-rate ${o.learningRate}; nothing was written — try a smaller --learning-rate (such as ${+(o.learningRate / 10).toPrecision(2)})`
    : `, and it stopped improving; nothing was written — try another --learning-rate (${o.learningRate}) or a smaller --beta (${o.beta})`;
  throw new ParanomError('TRAINING_DIVERGED', head + fix, { epoch: bestEpoch, recon, baseline, learningRate: o.learningRate, beta: o.beta, ...(exploded ? { explodedAt: exploded.epoch } : {}) });
}
