/**
 * A trained VAE on disk, as `paranom train-vae` writes it and `vae` variables read it:
 *
 *   models/NAME/vae.json                 paranom's metadata: window, channels, normalisation,
 *                                        latent statistics (the regions), how it was trained
 *   models/NAME/decoder/model.json       TF.js layers format (Sequential of Dense layers)
 *   models/NAME/decoder/weights.bin
 *   models/NAME/encoder/model.json       the encoder, same format (outputs [mean | log-variance])
 *   models/NAME/encoder/weights.bin
 *
 * Reading needs no TensorFlow. The model's SHA-256 (metadata + decoder files) goes into
 * the resolved scenario, so a dataset's provenance names the exact model (D5) and a model
 * changed under a dataset is noticed before any row is decoded.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DenseDecoder } from './decoder.js';
import { ACTIVATIONS, MODEL_JSON, ModelFormatError, readDenseStack, WEIGHTS_BIN, type Activation } from './layers-format.js';
import type { LatentStats } from './latent.js';
import type { LatentChain } from './chain.js';
import { abandonedPrevious } from './previous-model.js';

export const VAE_META_FILE = 'vae.json';
export const VAE_FORMAT = 'paranom-vae';
export const VAE_FORMAT_VERSION = 1;

/** How a model was trained: enough to train it again (with the same data) and to judge it. */
export interface TrainingRecord {
  seed: number;
  epochs: number;
  epochsRun: number;
  bestEpoch: number;
  batchSize: number;
  learningRate: number;
  beta: number;
  stride: number;
  validationSplit: number;
  patience: number;
  /** TF.js backend the weights were fitted with ('cpu', 'tensorflow', 'wasm'). */
  backend: string;
  tfjsVersion: string;
  /** The data: file name only (never a host path), its SHA-256 and how it was split. */
  /** With gaps in the data's times (gaps.ts): how many, whether windows spanned them, and how many windows were left out for them. */
  data: { file: string; sha256: string; rows: number; trainRows: number; trainWindows: number; validationWindows: number; gaps?: number; gapsSpanned?: boolean; windowsLeftOut?: number };
  /** Per-epoch mean losses per window: reconstruction (sum of squared errors) and KL. */
  history: Array<{ epoch: number; recon: number; kl: number; loss: number; valRecon: number | null; valKl: number | null; valLoss: number | null }>;
}

export interface VaeModelMeta {
  format: typeof VAE_FORMAT;
  version: typeof VAE_FORMAT_VERSION;
  /** Model rows per window (the decoder's width per channel). */
  window: number;
  /**
   * Rows of the series per model row (`train-vae --downsample`; absent: 1). A window spans
   * window · downsample rows; see downsample.ts.
   */
  downsample?: number;
  /** Channel (column) names, in the order of the flattened window (row-major: t·C + c). */
  channels: string[];
  /** Latent dimensions. */
  latent: number;
  architecture: { type: 'dense'; hidden: number[]; activation: Activation };
  /** Per-channel z-score statistics of the training rows; values are decoded as x·sd + mean. */
  normalisation: { mean: number[]; sd: number[] };
  latentStats: LatentStats;
  /**
   * The training series' codes in time order (models trained by paranom ≥ 0.2): normal
   * windows of `type: vae` variables follow it (chain.ts). Absent in older and synthetic
   * models, whose normal windows are drawn from the inner region.
   */
  chain?: LatentChain;
  training: TrainingRecord;
  files: { encoder: string; decoder: string };
}

function isNumArray(v: unknown, n?: number): v is number[] {
  return Array.isArray(v) && (n === undefined || v.length === n) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

/** The message for a missing model directory, naming the previous model an interrupted `train-vae` set aside, if one did. */
function missingModel(dir: string): string {
  const aside = abandonedPrevious(dir).find((p) => p.holdsModel);
  return aside
    ? `model directory ${dir} does not exist: an interrupted train-vae left the model that was there in ${aside.dir}; run 'paranom train-vae --out ${dir}' again (it puts that model back first), or move ${aside.dir}/model to ${dir}`
    : `model directory ${dir} does not exist`;
}

/** Reads and checks `dir/vae.json`; a message names what is wrong. */
export function readVaeMeta(dir: string): VaeModelMeta {
  const file = join(dir, VAE_META_FILE);
  if (!existsSync(file)) {
    throw new ModelFormatError(existsSync(dir) ? `${dir} is not a paranom VAE model (no ${VAE_META_FILE}; train one with 'paranom train-vae')` : missingModel(dir));
  }
  let m: VaeModelMeta;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as VaeModelMeta;
  } catch (err) {
    throw new ModelFormatError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (m.format !== VAE_FORMAT) throw new ModelFormatError(`${file}: not a paranom VAE model (format ${String(m.format)})`);
  if (m.version !== VAE_FORMAT_VERSION) throw new ModelFormatError(`${file}: model format version ${String(m.version)}; this paranom reads version ${VAE_FORMAT_VERSION}`);
  const L = m.latent;
  const C = m.channels?.length ?? 0;
  const s = m.latentStats;
  const ok =
    Number.isInteger(m.window) && m.window >= 1 &&
    Number.isInteger(L) && L >= 1 &&
    C >= 1 && m.channels.every((c) => typeof c === 'string') &&
    isNumArray(m.normalisation?.mean, C) && isNumArray(m.normalisation?.sd, C) &&
    ACTIVATIONS.includes(m.architecture?.activation) &&
    s !== undefined && isNumArray(s.mean, L) && isNumArray(s.sd, L) &&
    Number.isInteger(s.active) && s.active >= 1 && s.active <= L &&
    Array.isArray(s.basis) && s.basis.length === L && s.basis.every((row) => isNumArray(row, s.active)) &&
    isNumArray(s.radius?.p) && isNumArray(s.radius?.r, s.radius.p.length) && s.radius.p.length >= 2 &&
    s.radius.p[0] === 0 && s.radius.p[s.radius.p.length - 1] === 1;
  const ch = m.chain;
  const chainOk =
    ch === undefined ||
    (Number.isInteger(ch.hop) && ch.hop >= 1 && Array.isArray(ch.mean) && ch.mean.length >= 1 && ch.mean.every((r) => isNumArray(r, L)) &&
      Array.isArray(ch.sd) && ch.sd.length === ch.mean.length && ch.sd.every((r) => isNumArray(r, L)) &&
      isNumArray(ch.gain, C) && isNumArray(ch.offset, C) && isNumArray(ch.residualSd, C) &&
      (ch.residual === undefined || isNumArray(ch.residual, ((ch.mean.length - 1) * ch.hop + m.window) * (m.downsample ?? 1) * C)));
  const downsampleOk = m.downsample === undefined || (Number.isInteger(m.downsample) && m.downsample >= 1 && ch?.residual !== undefined);
  if (!ok || !chainOk || !downsampleOk) throw new ModelFormatError(`${file}: incomplete or inconsistent model metadata; train the model again with 'paranom train-vae'`);
  return m;
}

/**
 * SHA-256 of what decoding depends on: the metadata and the decoder's two files; with
 * `withEncoder`, the encoder's two files too (what the learned anomaly kind also runs).
 */
export function modelSha256(dir: string, meta?: VaeModelMeta, withEncoder = false): string {
  const m = meta ?? readVaeMeta(dir);
  const h = createHash('sha256');
  const files = [VAE_META_FILE, join(m.files.decoder, MODEL_JSON), join(m.files.decoder, WEIGHTS_BIN)];
  if (withEncoder) files.push(join(m.files.encoder, MODEL_JSON), join(m.files.encoder, WEIGHTS_BIN));
  for (const rel of files) {
    const bytes = readFileSync(join(dir, rel));
    h.update(`${rel}\0${bytes.length}\0`).update(bytes);
  }
  return h.digest('hex');
}

export interface LoadedVaeModel {
  meta: VaeModelMeta;
  decoder: DenseDecoder;
  sha256: string;
}

/** Reads a model and builds its plain-JS decoder, checking the decoder agrees with the metadata. */
export function readVaeModel(dir: string): LoadedVaeModel {
  const meta = readVaeMeta(dir);
  const decoder = new DenseDecoder(readDenseStack(join(dir, meta.files.decoder)));
  if (decoder.inputs !== meta.latent || decoder.outputs !== meta.window * meta.channels.length) {
    throw new ModelFormatError(`${dir}: the decoder maps ${decoder.inputs} → ${decoder.outputs} values, but the metadata says latent ${meta.latent}, window ${meta.window} × ${meta.channels.length} channel(s)`);
  }
  return { meta, decoder, sha256: modelSha256(dir, meta) };
}

/** A model read with its encoder too (the learned anomaly kind encodes real windows). */
export interface LoadedVaeCodec extends LoadedVaeModel {
  /** The encoder's Dense stack in plain JS: W·C → 2L, [mean | log-variance]. */
  encoder: DenseDecoder;
  /** SHA-256 of the metadata, decoder and encoder files. */
  codecSha256: string;
}

/** Reads a model with its encoder, checking the encoder's shape against the metadata. */
export function readVaeCodec(dir: string): LoadedVaeCodec {
  const m = readVaeModel(dir);
  const encoder = new DenseDecoder(readDenseStack(join(dir, m.meta.files.encoder)));
  const { window: W, channels, latent: L } = m.meta;
  if (encoder.inputs !== W * channels.length || encoder.outputs !== 2 * L) {
    throw new ModelFormatError(`${dir}: the encoder maps ${encoder.inputs} → ${encoder.outputs} values, but the metadata says window ${W} × ${channels.length} channel(s) → 2 × latent ${L}`);
  }
  return { ...m, encoder, codecSha256: modelSha256(dir, m.meta, true) };
}

/**
 * A model read once per thread (by directory and expected hash). With `sha256`, a model
 * whose files no longer hash to it is refused (it changed after the scenario was resolved).
 */
function readOnce<T>(cache: Map<string, T>, dir: string, sha256: string | undefined, read: (dir: string) => T, hashOf: (m: T) => string): T {
  const key = `${dir}\0${sha256 ?? ''}`;
  let m = cache.get(key);
  if (!m) {
    m = read(dir);
    const found = hashOf(m);
    if (sha256 !== undefined && found !== sha256) {
      throw new ModelFormatError(`the VAE model in ${dir} changed since the scenario was resolved (SHA-256 ${found.slice(0, 12)}…, expected ${sha256.slice(0, 12)}…); a dataset must be generated with one model — restore it, or generate a new dataset`);
    }
    cache.set(key, m);
  }
  return m;
}

const codecs = new Map<string, LoadedVaeCodec>();

/** The model in `dir` with its encoder, read once per thread, checked against `sha256` (metadata, decoder and encoder). */
export function vaeCodec(dir: string, sha256?: string): LoadedVaeCodec {
  return readOnce(codecs, dir, sha256, readVaeCodec, (m) => m.codecSha256);
}

/** Models read by this thread, by directory and hash: each worker reads a model once. */
const cache = new Map<string, LoadedVaeModel>();

/** The model in `dir`, read once per thread, checked against `sha256` (metadata and decoder). */
export function vaeModel(dir: string, sha256?: string): LoadedVaeModel {
  return readOnce(cache, dir, sha256, readVaeModel, (m) => m.sha256);
}
