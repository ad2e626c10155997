/**
 * A VAE model directory with seeded random weights, written without TensorFlow: for
 * benchmarks (decoding cost depends on the shape, not on training) and for tests of the
 * file format and the decoder. Its latent statistics are those of a standard normal
 * latent (mean 0, sd 1, every dimension active, chi radii).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fillRowUniforms, seedKey } from '../random/counter.js';
import { systemStream } from '../random/hash.js';
import { chiQuantile } from './chi-square.js';
import { denseArtifacts, writeLayersModel, type Activation, type DenseLayerWeights } from './layers-format.js';
import { radiusGrid } from './latent.js';
import { VAE_FORMAT, VAE_FORMAT_VERSION, VAE_META_FILE, type VaeModelMeta } from './model.js';

export interface SyntheticModelOptions {
  window: number;
  latent: number;
  hidden: readonly number[];
  channels?: readonly string[];
  activation?: Activation;
  seed?: number;
}

function randomDense(name: string, inputs: number, units: number, activation: Activation, seed: number): DenseLayerWeights {
  const u = new Float64Array(inputs * units + units);
  fillRowUniforms(seedKey(seed), systemStream(`vae-synthetic:${name}`), 0, 0, 0, u.length, u);
  const limit = Math.sqrt(6 / (inputs + units));
  const kernel = Float32Array.from(u.subarray(0, inputs * units), (x) => (2 * x - 1) * limit);
  const bias = Float32Array.from(u.subarray(inputs * units), (x) => (2 * x - 1) * 0.1);
  return { name, inputs, units, activation, kernel, bias };
}

/** Writes a model directory of the given shape; returns its metadata. */
export function writeSyntheticModel(dir: string, o: SyntheticModelOptions): VaeModelMeta {
  const channels = [...(o.channels ?? ['value'])];
  const act = o.activation ?? 'relu';
  const seed = o.seed ?? 0;
  const D = o.window * channels.length;
  const L = o.latent;
  const widths = [...o.hidden].reverse();
  const dec: DenseLayerWeights[] = [];
  let inputs = L;
  widths.forEach((w, i) => {
    dec.push(randomDense(`dec_${i + 1}`, inputs, w, act, seed));
    inputs = w;
  });
  dec.push(randomDense('dec_out', inputs, D, 'linear', seed));
  const enc: DenseLayerWeights[] = [];
  inputs = D;
  o.hidden.forEach((w, i) => {
    enc.push(randomDense(`enc_${i + 1}`, inputs, w, act, seed));
    inputs = w;
  });
  enc.push(randomDense('enc_out', inputs, 2 * L, 'linear', seed));

  const p = radiusGrid();
  const r = p.map((q) => (q < 1 ? chiQuantile(q, L) : chiQuantile(0.999999, L)));
  const meta: VaeModelMeta = {
    format: VAE_FORMAT,
    version: VAE_FORMAT_VERSION,
    window: o.window,
    channels,
    latent: L,
    architecture: { type: 'dense', hidden: [...o.hidden], activation: act },
    normalisation: { mean: channels.map(() => 0), sd: channels.map(() => 1) },
    latentStats: {
      windows: 0,
      mean: Array.from({ length: L }, () => 0),
      sd: Array.from({ length: L }, () => 1),
      posteriorSd: Array.from({ length: L }, () => 1),
      eigenvalues: Array.from({ length: L }, () => 1),
      active: L,
      basis: Array.from({ length: L }, (_, i) => Array.from({ length: L }, (_, j) => (i === j ? 1 : 0))),
      radius: { p, r },
    },
    training: {
      seed,
      epochs: 0,
      epochsRun: 0,
      bestEpoch: 0,
      batchSize: 0,
      learningRate: 0,
      beta: 1,
      stride: 1,
      validationSplit: 0,
      patience: 0,
      backend: 'none (synthetic weights)',
      tfjsVersion: 'none',
      data: { file: 'none', sha256: '', rows: 0, trainRows: 0, trainWindows: 0, validationWindows: 0 },
      history: [],
    },
    files: { encoder: 'encoder', decoder: 'decoder' },
  };
  mkdirSync(dir, { recursive: true });
  writeLayersModel(join(dir, 'decoder'), denseArtifacts('decoder', dec, 'paranom synthetic'));
  writeLayersModel(join(dir, 'encoder'), denseArtifacts('encoder', enc, 'paranom synthetic'));
  writeFileSync(join(dir, VAE_META_FILE), JSON.stringify(meta, null, 2) + '\n');
  return meta;
}
