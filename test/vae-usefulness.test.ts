/**
 * When a trained VAE is refused as having learned nothing (src/vae/usefulness.ts): its best
 * epoch reconstructs its training windows no better than predicting the mean, and that error
 * exploded or stopped improving, and does no better on its validation windows either. A model
 * still improving at its last epoch is kept, and neither a quiet validation tail, nor a
 * spike in the training part no model reconstructs, nor a large KL term counts against it.
 */
import { describe, expect, it } from 'vitest';
import { checkLearned, meanBaseline } from '../src/vae/usefulness.js';
import type { WindowSet } from '../src/vae/windows.js';
import { ParanomError } from '../src/errors.js';

/** Two windows of width 2: Σ x² per window is 8 on average. */
const windows: WindowSet = { data: Float32Array.from([2, 2, 2, -2]), count: 2, width: 2 };
const options = { learningRate: 0.001, beta: 1, epochs: 3 };
const epoch = (n: number, recon: number, kl = 0) => ({ epoch: n, recon, kl, loss: recon + kl, valRecon: recon, valKl: 0, valLoss: recon });

describe('a model that learned nothing', () => {
  it('the baseline is the mean of Σ x² over the windows', () => {
    expect(meanBaseline(windows)).toBe(8);
  });

  it('keeps a model better than the mean, or still improving at its last epoch', () => {
    expect(() => checkLearned([epoch(1, 14), epoch(2, 7)], 2, windows, windows, options)).not.toThrow();
    expect(() => checkLearned([epoch(1, 20), epoch(2, 13)], 2, windows, windows, options)).not.toThrow();
  });

  it('refuses a model no better than the mean that stopped improving, naming the epoch and the options', () => {
    const err = (() => {
      try {
        checkLearned([epoch(1, 9), epoch(2, 15), epoch(3, 14)], 1, windows, windows, options);
      } catch (e) {
        return e;
      }
    })() as ParanomError;
    expect(err.code).toBe('TRAINING_DIVERGED');
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe('training learned nothing: at its best epoch (1 of 3) the reconstruction error per window is 9.000 on the training windows and 9.000 on the validation windows (loss 9.000), no better than predicting the mean at every row (8.000 and 8.000), and it stopped improving; nothing was written — try another --learning-rate (0.001) or a smaller --beta (1)');
  });

  it('refuses an exploded loss even at its last epoch, naming where it exploded', () => {
    expect(() => checkLearned([epoch(1, 50_000), epoch(2, 9)], 2, windows, windows, { ...options, learningRate: 3 })).toThrow(
      'the reconstruction error exploded at epoch 1 (5.000e+4) with --learning-rate 3; nothing was written — try a smaller --learning-rate (such as 0.3)',
    );
  });

  it('a model better than the mean on one of its two window sets is kept', () => {
    /** Two windows of width 2 far quieter than `windows`: Σ x² per window is 0.02. */
    const quiet: WindowSet = { data: Float32Array.from([0.1, 0.1, -0.1, 0.1]), count: 2, width: 2 };
    /** Two windows, one holding a spike no model reconstructs: Σ x² per window is 50.5. */
    const spiked: WindowSet = { data: Float32Array.from([10, 1, 1, 0]), count: 2, width: 2 };
    const run = [epoch(1, 7), epoch(2, 6), epoch(3, 6.5)];
    // Better than the mean on the training windows, not on a quiet validation tail (6 ≥ 0.02).
    expect(() => checkLearned(run, 2, windows, quiet, options)).not.toThrow();
    // A first epoch 20 times the baseline is no explosion: still improving at its last epoch, kept.
    expect(() => checkLearned([epoch(1, 160), epoch(2, 9), epoch(3, 8.5)], 3, windows, windows, options)).not.toThrow();
    // Worse on training windows whose spike dominates their error, better on validation.
    const spikeRun = [{ ...epoch(1, 600), valRecon: 7 }, { ...epoch(2, 60), valRecon: 6 }, { ...epoch(3, 61), valRecon: 6.5 }];
    expect(() => checkLearned(spikeRun, 2, spiked, windows, options)).not.toThrow();
    // Worse on both: refused.
    expect(() => checkLearned(spikeRun, 2, spiked, quiet, options)).toThrow(/learned nothing/);
  });

  it('a large KL term in the first epochs is no explosion: a model better than the mean is kept', () => {
    expect(() => checkLearned([epoch(1, 7.9, 900), epoch(2, 7.5, 40), epoch(3, 7.7, 30)], 2, windows, windows, options)).not.toThrow();
  });
});
