/**
 * Training a VAE on real series (AnoGen), on the main thread with TF.js.
 *
 * Architecture: a dense (MLP) VAE over flattened windows. For windows of tens to a few
 * hundred rows a dense decoder learns shapes as well as a 1-D conv one at this size, and
 * it is what makes generation cheap and exact: shard workers reproduce it in a few lines
 * of plain JS (decoder.ts), bit-identical everywhere, at millions of rows per second. A
 * conv decoder would need a transposed-convolution kernel of our own for no gain here.
 *
 *   encoder: W·C → hidden… → 2L (mean | log-variance)
 *   decoder: L → …hidden reversed → W·C (linear: z-scored values)
 *   loss per window: Σ (x − x̂)² + β · KL(q(z|x) ‖ N(0, I))
 *
 * Reproducibility. Every random choice comes from the counter-based generator keyed by the
 * seed, never from Math.random or TF.js random ops: the initial weights (Glorot uniform),
 * the shuffle of each epoch and the reparameterisation noise of each batch. With the CPU
 * backend, the same data, options and seed give the same model files byte for byte.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ParanomError } from '../errors.js';
import { fillRowUniforms, seedKey, type SeedKey } from '../random/counter.js';
import { systemStream } from '../random/hash.js';
import { normalQuantile } from '../random/normal-quantile.js';
import { ACTIVATIONS, writeLayersModel, type Activation, type LayersArtifacts, type WeightSpec } from './layers-format.js';
import { latentStats } from './latent.js';
import { VAE_FORMAT, VAE_FORMAT_VERSION, VAE_META_FILE, type TrainingRecord, type VaeModelMeta } from './model.js';
import { readSeries } from './series.js';
import { loadTf, type Tf, type TfBackendChoice } from './tf.js';
import { fitNormalisation, slidingWindows, type WindowSet } from './windows.js';
import type { Scalar, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs';

export interface TrainVaeOptions {
  /** A .csv or .parquet file. */
  data: string;
  /** Columns to learn (default: every numeric column but a timestamp). */
  columns?: readonly string[] | undefined;
  window: number;
  latent: number;
  /** Hidden layer widths of the encoder (the decoder mirrors them). Default [64, 64]. */
  hidden?: readonly number[] | undefined;
  activation?: Activation | undefined;
  epochs: number;
  seed: number;
  /** Model directory to write. */
  out: string;
  batchSize?: number | undefined;
  learningRate?: number | undefined;
  /** Weight of the KL term. Default 1. */
  beta?: number | undefined;
  /** Fraction of the series (its tail) held out for validation. Default 0.1; 0 disables. */
  validationSplit?: number | undefined;
  /** Epochs without a better validation loss before stopping. Default 10. */
  patience?: number | undefined;
  /** Rows between window starts. Default: 1, or more to keep at most 50,000 training windows. */
  stride?: number | undefined;
  backend?: TfBackendChoice | undefined;
  /** Called after every epoch. */
  onEpoch?: ((e: EpochReport) => void) | undefined;
}

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

export interface TrainVaeResult {
  meta: VaeModelMeta;
  out: string;
  backend: string;
  /** Why tfjs-node was not used, when it was requested (auto) but could not load. */
  fallback?: string | undefined;
  seconds: number;
  stoppedEarly: boolean;
}

const MAX_TRAIN_WINDOWS = 50_000;
const HALF_ULP = 1 / 18014398509481984;

function usage(message: string): never {
  throw new ParanomError('USAGE', message);
}

function checkOptions(o: TrainVaeOptions): void {
  const int = (v: number, name: string, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(v) || v < min || v > max) usage(`--${name} must be an integer from ${min} to ${max}, got ${v}`);
  };
  int(o.window, 'window', 2, 100_000);
  int(o.latent, 'latent', 1, 254);
  int(o.epochs, 'epochs', 1, 1_000_000);
  int(o.seed, 'seed', 0);
  if (o.batchSize !== undefined) int(o.batchSize, 'batch-size', 1, 1 << 20);
  if (o.patience !== undefined) int(o.patience, 'patience', 1);
  if (o.stride !== undefined) int(o.stride, 'stride', 1);
  for (const h of o.hidden ?? []) int(h, 'hidden', 1, 1 << 16);
  if (o.learningRate !== undefined && !(o.learningRate > 0 && o.learningRate < 10)) usage(`--learning-rate must be in (0, 10), got ${o.learningRate}`);
  if (o.beta !== undefined && !(o.beta >= 0 && Number.isFinite(o.beta))) usage(`--beta must be a finite number >= 0, got ${o.beta}`);
  if (o.validationSplit !== undefined && !(o.validationSplit >= 0 && o.validationSplit < 0.9)) usage(`--validation-split must be in [0, 0.9), got ${o.validationSplit}`);
  if (o.activation !== undefined && !ACTIVATIONS.includes(o.activation)) usage(`--activation must be one of ${ACTIVATIONS.join(', ')}, got ${o.activation}`);
}

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

type Sequential = ReturnType<Tf['sequential']>;

function buildModel(tf: Tf, name: 'encoder' | 'decoder', inputs: number, widths: readonly number[], outputs: number, activation: Activation): Sequential {
  const prefix = name === 'encoder' ? 'enc' : 'dec';
  const layers = [
    ...widths.map((units, i) => tf.layers.dense({ name: `${prefix}_${i + 1}`, units, activation, ...(i === 0 ? { inputShape: [inputs] } : {}) })),
    tf.layers.dense({ name: `${prefix}_out`, units: outputs, activation: 'linear', ...(widths.length === 0 ? { inputShape: [inputs] } : {}) }),
  ];
  return tf.sequential({ name, layers });
}

/** Glorot-uniform kernels and zero biases, drawn from the counter-based generator by layer name. */
function initialise(tf: Tf, model: Sequential, key: SeedKey): void {
  for (const layer of model.layers) {
    const [kernel, bias] = layer.getWeights();
    if (!kernel || !bias) continue;
    const [fanIn, fanOut] = kernel.shape as [number, number];
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const u = new Float64Array(fanIn * fanOut);
    fillRowUniforms(key, systemStream(`vae-train.init:${layer.name}`), 0, 0, 0, u.length, u);
    const k = Float32Array.from(u, (x) => (2 * x - 1) * limit);
    layer.setWeights([tf.tensor2d(k, [fanIn, fanOut]), tf.zeros([fanOut])]);
  }
}

async function artifactsOf(tf: Tf, model: Sequential): Promise<LayersArtifacts> {
  let saved: LayersArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const data = a.weightData;
      if (!a.weightSpecs || !data || Array.isArray(data)) throw new Error('unexpected TF.js save artifacts');
      saved = { modelTopology: a.modelTopology, weightSpecs: a.weightSpecs as WeightSpec[], weightData: data, generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}` };
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved) throw new Error('TF.js did not hand over the model artifacts');
  return saved;
}

/** Trains a VAE and writes it to `o.out`. */
export async function trainVae(o: TrainVaeOptions): Promise<TrainVaeResult> {
  checkOptions(o);
  const t0 = performance.now();
  const series = readSeries(o.data, o.columns);
  const W = o.window;
  const L = o.latent;
  const C = series.columns.length;
  const D = W * C;
  const hidden = [...(o.hidden ?? [64, 64])];
  const activation = o.activation ?? 'relu';
  const batchSize = o.batchSize ?? 64;
  const learningRate = o.learningRate ?? 1e-3;
  const beta = o.beta ?? 1;
  const validationSplit = o.validationSplit ?? 0.1;
  const patience = o.patience ?? 10;

  const trainRows = validationSplit > 0 ? Math.round(series.rows * (1 - validationSplit)) : series.rows;
  if (trainRows < W + 1) usage(`${series.file} has ${series.rows} rows; training needs at least ${W + 1} (window ${W}) before the validation tail (--validation-split ${validationSplit})`);
  const stride = o.stride ?? Math.max(1, Math.ceil((trainRows - W + 1) / MAX_TRAIN_WINDOWS));
  const norm = fitNormalisation(series, trainRows);
  const train = slidingWindows(series, norm, 0, trainRows, W, stride);
  const val = validationSplit > 0 ? slidingWindows(series, norm, trainRows, series.rows, W, stride) : { data: new Float32Array(0), count: 0, width: D };
  if (validationSplit > 0 && val.count === 0) {
    usage(`the validation tail of ${series.file} (${series.rows - trainRows} rows) is shorter than one window of ${W}; use a larger --validation-split, a smaller --window, or --validation-split 0`);
  }
  if (train.count < 2) usage(`${series.file} gives ${train.count} training window(s); use a smaller --window or --stride`);

  const { tf, backend, fallback } = await loadTf(o.backend ?? 'auto');
  const key = seedKey(o.seed);
  const encoder = buildModel(tf, 'encoder', D, hidden, 2 * L, activation);
  const decoder = buildModel(tf, 'decoder', L, [...hidden].reverse(), D, activation);
  initialise(tf, encoder, key);
  initialise(tf, decoder, key);
  const variables = [...encoder.trainableWeights, ...decoder.trainableWeights].map((w) => w.read() as Variable);
  const optimizer = tf.train.adam(learningRate);

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
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const te = performance.now();
    const perm = shuffled(key, epoch, train.count);
    let recon = 0;
    let kl = 0;
    for (let b = 0, step = 0; b < train.count; b += batchSize, step++) {
      const e = Math.min(train.count, b + batchSize);
      const eps = new Float32Array((e - b) * L);
      normals(key, epsTrain, epoch, b * L, eps);
      const x = tf.tensor2d(gather(train, perm, b, e), [e - b, D]);
      const epsT = tf.tensor2d(eps, [e - b, L]);
      optimizer.minimize(() => {
        const t = terms(x, epsT);
        recon += t.recon.dataSync()[0]! * (e - b);
        kl += t.kl.dataSync()[0]! * (e - b);
        return t.recon.add(t.kl.mul(beta)) as Scalar;
      }, false, variables);
      x.dispose();
      epsT.dispose();
    }
    recon /= train.count;
    kl /= train.count;
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
    o.onEpoch?.({ epoch, epochs: o.epochs, recon, kl, loss, valRecon: v?.recon ?? null, valKl: v?.kl ?? null, valLoss, best: improved, seconds: (performance.now() - te) / 1000 });
    if (!Number.isFinite(loss)) throw new ParanomError('TRAINING_DIVERGED', `training diverged at epoch ${epoch} (loss ${loss}); try a smaller --learning-rate`);
    if (stale >= patience && epoch < o.epochs) {
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

  // Latent statistics of the training windows' codes define the regions.
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
  const stats = latentStats(mu, logVar, train.count, L);

  const meta: VaeModelMeta = {
    format: VAE_FORMAT,
    version: VAE_FORMAT_VERSION,
    window: W,
    channels: series.columns,
    latent: L,
    architecture: { type: 'dense', hidden, activation },
    normalisation: norm,
    latentStats: stats,
    training: {
      seed: o.seed,
      epochs: o.epochs,
      epochsRun: history.length,
      bestEpoch,
      batchSize,
      learningRate,
      beta,
      stride,
      validationSplit,
      patience,
      backend,
      tfjsVersion: tf.version_core,
      data: { file: series.file, sha256: series.sha256, rows: series.rows, trainRows, trainWindows: train.count, validationWindows: val.count },
      history,
    },
    files: { encoder: 'encoder', decoder: 'decoder' },
  };
  mkdirSync(o.out, { recursive: true });
  writeLayersModel(join(o.out, meta.files.encoder), await artifactsOf(tf, encoder));
  writeLayersModel(join(o.out, meta.files.decoder), await artifactsOf(tf, decoder));
  writeFileSync(join(o.out, VAE_META_FILE), JSON.stringify(meta, null, 2) + '\n');
  encoder.dispose();
  decoder.dispose();
  return { meta, out: o.out, backend, fallback, seconds: (performance.now() - t0) / 1000, stoppedEarly };
}
