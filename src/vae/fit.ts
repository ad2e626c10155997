/**
 * Fitting a VAE: minibatch Adam on Σ (x − x̂)² + β·KL with the reparameterisation trick,
 * validation after every epoch, early stopping on the monitored loss (validation when
 * there is a validation tail) and the best epoch's weights restored. Every random draw —
 * the shuffle of each epoch, the noise of each batch — comes from the counter-based
 * generator, so a CPU run repeats bit for bit.
 */
import { ParanomError } from '../errors.js';
import { fillRowUniforms, type SeedKey } from '../random/counter.js';
import { systemStream } from '../random/hash.js';
import { normalQuantile } from '../random/normal-quantile.js';
import { latentStats, type LatentStats } from './latent.js';
import { checkLearned } from './usefulness.js';
import type { TrainingRecord } from './model.js';
import type { Sequential } from './tf-model.js';
import type { Tf } from './tf.js';
import type { WindowSet } from './windows.js';
import type { Scalar, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs';

const HALF_ULP = 1 / 18014398509481984;

/** Standard normals from the counter-based generator: out[i] = Φ⁻¹(u(seed, stream, attempt, row0 + i)). */
function normals(key: SeedKey, stream: number, attempt: number, row0: number, out: Float32Array): void {
  const u = new Float64Array(out.length);
  fillRowUniforms(key, stream, attempt, 0, row0, out.length, u);
  for (let i = 0; i < out.length; i++) out[i] = normalQuantile(u[i]! + HALF_ULP);
}

/** A permutation of 0..n-1 for one epoch (Fisher–Yates over counter-based uniforms). */
function shuffled(key: SeedKey, epoch: number, n: number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  const u = new Float64Array(n);
  fillRowUniforms(key, systemStream('vae-train.shuffle'), epoch, 0, 0, n, u);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(u[i]! * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

function gather(w: WindowSet, idx: ArrayLike<number>, from: number, to: number): Float32Array {
  const out = new Float32Array((to - from) * w.width);
  for (let i = from; i < to; i++) out.set(w.data.subarray(idx[i]! * w.width, (idx[i]! + 1) * w.width), (i - from) * w.width);
  return out;
}

/** What `onEpoch` hears after every epoch. */
export interface EpochReport {
  epoch: number;
  epochs: number;
  recon: number;
  kl: number;
  loss: number;
  valRecon: number | null;
  valKl: number | null;
  valLoss: number | null;
  /** True when this epoch has the best monitored loss so far (its weights are kept). */
  best: boolean;
  seconds: number;
}

/** What fitting needs besides the models and the data. */
export interface FitSettings {
  key: SeedKey;
  latent: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  beta: number;
  patience: number;
  onEpoch?: ((e: EpochReport) => void) | undefined;
  /** After every batch: windows trained so far, and epochs × windows (the most there can be). */
  onBatch?: ((done: number, total: number) => void) | undefined;
}

export interface FitResult {
  history: TrainingRecord['history'];
  bestEpoch: number;
  stoppedEarly: boolean;
}

/**
 * Trains `encoder` and `decoder` in place; on return they hold the best epoch's weights.
 * Throws TRAINING_DIVERGED when the loss stops being finite, or when the best epoch
 * reconstructs no better than the training mean (usefulness.ts).
 */
export function fitVae(tf: Tf, encoder: Sequential, decoder: Sequential, train: WindowSet, val: WindowSet, s: FitSettings): FitResult {
  const { key, batchSize, beta, patience } = s;
  const L = s.latent;
  const D = train.width;
  const variables = [...encoder.trainableWeights, ...decoder.trainableWeights].map((w) => w.read() as Variable);
  const optimizer = tf.train.adam(s.learningRate);

  /** Mean reconstruction and KL per window of a batch, as scalars. */
  const terms = (x: Tensor2D, eps: Tensor2D) => {
    const h = encoder.apply(x) as Tensor2D;
    const mu = h.slice([0, 0], [-1, L]);
    const logVar = h.slice([0, L], [-1, L]).clipByValue(-12, 12);
    const z = mu.add(logVar.mul(0.5).exp().mul(eps));
    const xHat = decoder.apply(z) as Tensor2D;
    const recon = x.sub(xHat).square().sum(1).mean();
    const kl = mu.square().add(logVar.exp()).sub(1).sub(logVar).sum(1).mul(0.5).mean();
    return { recon, kl };
  };

  const epsTrain = systemStream('vae-train.eps');
  const epsVal = systemStream('vae-train.val-eps');
  const evaluate = (w: WindowSet): { recon: number; kl: number } => {
    let recon = 0;
    let kl = 0;
    const all = Int32Array.from({ length: w.count }, (_, i) => i);
    for (let b = 0; b < w.count; b += batchSize) {
      const e = Math.min(w.count, b + batchSize);
      const eps = new Float32Array((e - b) * L);
      normals(key, epsVal, 0, b * L, eps);
      const pair = tf.tidy(() => {
        const t = terms(tf.tensor2d(gather(w, all, b, e), [e - b, D]), tf.tensor2d(eps, [e - b, L]));
        return tf.stack([t.recon, t.kl]);
      });
      const r = pair.dataSync();
      pair.dispose();
      recon += r[0]! * (e - b);
      kl += r[1]! * (e - b);
    }
    return { recon: recon / w.count, kl: kl / w.count };
  };

  const history: TrainingRecord['history'] = [];
  let best = Infinity;
  let bestEpoch = 0;
  let bestWeights: { enc: Tensor[]; dec: Tensor[] } | null = null;
  let stale = 0;
  let stoppedEarly = false;
  for (let epoch = 1; epoch <= s.epochs; epoch++) {
    const te = performance.now();
    const perm = shuffled(key, epoch, train.count);
    // The batches' summed terms stay on the backend until the epoch ends: one read per
    // epoch instead of two per batch (each read waits for the backend).
    const sums: Tensor[] = [];
    for (let b = 0, step = 0; b < train.count; b += batchSize, step++) {
      const e = Math.min(train.count, b + batchSize);
      const eps = new Float32Array((e - b) * L);
      normals(key, epsTrain, epoch, b * L, eps);
      const x = tf.tensor2d(gather(train, perm, b, e), [e - b, D]);
      const epsT = tf.tensor2d(eps, [e - b, L]);
      optimizer.minimize(() => {
        const t = terms(x, epsT);
        sums.push(tf.keep(tf.stack([t.recon, t.kl]).mul(e - b)));
        return t.recon.add(t.kl.mul(beta)) as Scalar;
      }, false, variables);
      x.dispose();
      epsT.dispose();
      s.onBatch?.((epoch - 1) * train.count + e, s.epochs * train.count);
    }
    const total = tf.tidy(() => tf.addN(sums).dataSync());
    sums.forEach((t) => t.dispose());
    const recon = total[0]! / train.count;
    const kl = total[1]! / train.count;
    const v = val.count > 0 ? evaluate(val) : null;
    const loss = recon + beta * kl;
    const valLoss = v ? v.recon + beta * v.kl : null;
    const monitored = valLoss ?? loss;
    const improved = monitored < best;
    if (improved) {
      best = monitored;
      bestEpoch = epoch;
      stale = 0;
      bestWeights?.enc.forEach((t) => t.dispose());
      bestWeights?.dec.forEach((t) => t.dispose());
      bestWeights = { enc: encoder.getWeights().map((t) => t.clone()), dec: decoder.getWeights().map((t) => t.clone()) };
    } else stale++;
    history.push({ epoch, recon, kl, loss, valRecon: v?.recon ?? null, valKl: v?.kl ?? null, valLoss });
    s.onEpoch?.({ epoch, epochs: s.epochs, recon, kl, loss, valRecon: v?.recon ?? null, valKl: v?.kl ?? null, valLoss, best: improved, seconds: (performance.now() - te) / 1000 });
    if (!Number.isFinite(loss)) {
      throw new ParanomError('TRAINING_DIVERGED', `training diverged at epoch ${epoch} (loss ${loss}) with --learning-rate ${s.learningRate} and --beta ${beta}; nothing was written — try a smaller --learning-rate${beta > 1 ? ', or a --beta nearer 1' : ''}`, { epoch, learningRate: s.learningRate, beta });
    }
    if (stale >= patience && epoch < s.epochs) {
      stoppedEarly = true;
      break;
    }
  }
  if (bestWeights) {
    encoder.setWeights(bestWeights.enc);
    decoder.setWeights(bestWeights.dec);
    bestWeights.enc.forEach((t) => t.dispose());
    bestWeights.dec.forEach((t) => t.dispose());
  }
  optimizer.dispose();
  // A loss that exploded but stayed finite leaves a model worse than a constant: refused.
  checkLearned(history, bestEpoch, train, val, { learningRate: s.learningRate, beta, epochs: s.epochs });
  return { history, bestEpoch, stoppedEarly };
}

/** Latent statistics of the training windows' codes (they define the latent regions). */
export function latentCodeStats(tf: Tf, encoder: Sequential, train: WindowSet, L: number): LatentStats {
  const D = train.width;
  const mu = new Float64Array(train.count * L);
  const logVar = new Float64Array(train.count * L);
  const all = Int32Array.from({ length: train.count }, (_, i) => i);
  for (let b = 0; b < train.count; b += 1024) {
    const e = Math.min(train.count, b + 1024);
    const h = tf.tidy(() => (encoder.apply(tf.tensor2d(gather(train, all, b, e), [e - b, D])) as Tensor2D).dataSync());
    for (let i = 0; i < e - b; i++) {
      for (let j = 0; j < L; j++) {
        mu[(b + i) * L + j] = h[i * 2 * L + j]!;
        logVar[(b + i) * L + j] = Math.min(12, Math.max(-12, h[i * 2 * L + L + j]!));
      }
    }
  }
  return latentStats(mu, logVar, train.count, L);

}
