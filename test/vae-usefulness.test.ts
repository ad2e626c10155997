/**
 * When a trained VAE is refused as having learned nothing (src/vae/usefulness.ts): its best
 * epoch reconstructs no better than predicting the mean, and its loss exploded or stopped
 * improving. A model still improving at its last epoch is kept.
 */
import { describe, expect, it } from 'vitest';
import { checkLearned, meanBaseline } from '../src/vae/usefulness.js';
import type { WindowSet } from '../src/vae/windows.js';
import { ParanomError } from '../src/errors.js';

/** Two windows of width 2: Σ x² per window is 8 on average. */
const windows: WindowSet = { data: Float32Array.from([2, 2, 2, -2]), count: 2, width: 2 };
const options = { learningRate: 0.001, beta: 1, epochs: 3 };
const epoch = (n: number, valRecon: number, loss = valRecon) => ({ epoch: n, recon: loss, kl: 0, loss, valRecon, valKl: 0, valLoss: valRecon });

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
    expect(err.message).toBe('training learned nothing: at its best epoch (1 of 3) the validation reconstruction error is 9.000 per window (loss 9.000), no better than predicting the mean at every row (8.000), and it stopped improving; nothing was written — try another --learning-rate (0.001) or a smaller --beta (1)');
  });

  it('refuses an exploded loss even at its last epoch, naming where it exploded', () => {
    expect(() => checkLearned([epoch(1, 30, 500), epoch(2, 9)], 2, windows, windows, { ...options, learningRate: 3 })).toThrow(
      'the loss exploded at epoch 1 (training loss 500.0) with --learning-rate 3; nothing was written — try a smaller --learning-rate (such as 0.3)',
    );
  });
});
