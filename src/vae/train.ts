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
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { noRoom, ParanomError } from '../errors.js';
import { seedKey } from '../random/counter.js';
import { ACTIVATIONS, readDenseStack, writeLayersModel, type Activation } from './layers-format.js';
import { VAE_FORMAT, VAE_FORMAT_VERSION, VAE_META_FILE, type VaeModelMeta } from './model.js';
import { latentChain } from './chain.js';
import { checkModelOut, createStaging, placeModel, settleInterrupted } from './model-dir.js';
import { DenseDecoder } from './decoder.js';
import { readSeries, untimedText, type TrainingMissing } from './series.js';
import { blockMeans } from './downsample.js';
import { loadTf, type TfBackendChoice } from './tf.js';
import { artifactsOf, buildModel, initialise } from './tf-model.js';
import { fitVae, latentCodeStats, type EpochReport } from './fit.js';

export type { EpochReport } from './fit.js';
import { fitNormalisation, slidingWindows } from './windows.js';
import { describeGaps, findGaps, modelBreaks } from './gaps.js';

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
  /** Fraction of the series (its tail) held out for validation. Default 0.1, or more to hold 8 windows; 0 disables. */
  validationSplit?: number | undefined;
  /** Epochs without a better validation loss before stopping. Default 10. */
  patience?: number | undefined;
  /** Model rows between window starts. Default: 1, W/100 for long windows, or more to keep at most 50,000 training windows. */
  stride?: number | undefined;
  /**
   * Rows of the series per model row (default 1): the model learns windows of block means
   * of this many rows; `window` (rows of the series) must be a multiple of it. See downsample.ts.
   */
  downsample?: number | undefined;
  backend?: TfBackendChoice | undefined;
  /** Gaps in the data's times (gaps.ts): `skip` (default) takes no window across one, `span` trains across them. */
  gaps?: 'skip' | 'span' | undefined;
  /** Missing readings in the data (series.ts): refused (`error`, default), or their rows left out (`skip`). */
  missing?: TrainingMissing | undefined;
  /** Told, before training, of gaps in the data's times and the windows left out for them. */
  onGaps?: ((note: string) => void) | undefined;
  /** Called after every epoch. */
  onEpoch?: ((e: EpochReport) => void) | undefined;
  /** Called after every batch with the windows trained so far and the most there can be. */
  onBatch?: ((done: number, total: number) => void) | undefined;
  /** Told, before training, what an interrupted training of the same `out` left and what became of it (model-dir.ts). */
  onSettled?: ((s: { settled: string[]; removed: string[]; kept: string[] }) => void) | undefined;
}

export interface TrainVaeResult {
  meta: VaeModelMeta;
  out: string;
  backend: string;
  /** Why tfjs-node was not used, when it was requested (auto) but could not load. */
  fallback?: string | undefined;
  seconds: number;
  stoppedEarly: boolean;
  /** Staging folders an interrupted training of the same `out` had left, removed (model-dir.ts). */
  staleRemoved: string[];
  /** Staging folders of an interrupted training left in place: they hold files paranom did not write. */
  staleKept: string[];
}

const MAX_TRAIN_WINDOWS = 50_000;
/** Fewest validation windows: with one, early stopping followed noise (65.7 → 71.7 in one epoch). */
const MIN_VALIDATION = 8;

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
  if (o.downsample !== undefined) {
    // The bound is the window's: a model window holds at least 2 block means. Said, with the
    // window a larger F needs, since the option alone does not show it.
    const most = Math.floor(o.window / 2);
    const v = o.downsample;
    if (!Number.isInteger(v) || v < 1 || v > most) {
      const wider = Number.isInteger(v) && v > most && 2 * v <= 100_000 ? `; for --downsample ${v}, use a --window of at least ${2 * v} (a multiple of ${v})` : '';
      usage(`--downsample must be an integer from 1 to ${most}, half the --window of ${o.window} rows (a window holds at least 2 blocks), got ${v}${wider}`);
    }
    if (o.window % o.downsample !== 0) usage(`--window must be a multiple of --downsample (a window is ${o.window} / ${o.downsample} block means), got --window ${o.window} --downsample ${o.downsample}; use --window ${Math.max(2, Math.round(o.window / o.downsample)) * o.downsample}`);
  }
  for (const h of o.hidden ?? []) int(h, 'hidden', 1, 1 << 16);
  // A column named twice would be two channels of one name, which no vae variable could tell apart.
  const twice = o.columns?.find((c, i) => o.columns!.indexOf(c) !== i);
  if (twice !== undefined) usage(`--columns names '${twice}' twice; name each column once`);
  if (o.learningRate !== undefined && !(o.learningRate > 0 && o.learningRate < 10)) usage(`--learning-rate must be in (0, 10), got ${o.learningRate}`);
  if (o.beta !== undefined && !(o.beta >= 0 && Number.isFinite(o.beta))) usage(`--beta must be a finite number >= 0, got ${o.beta}`);
  if (o.validationSplit !== undefined && !(o.validationSplit >= 0 && o.validationSplit < 0.9)) usage(`--validation-split must be in [0, 0.9), got ${o.validationSplit}`);
  if (o.gaps !== undefined && o.gaps !== 'skip' && o.gaps !== 'span') usage(`--gaps must be skip or span, got ${String(o.gaps)}`);
  if (o.missing !== undefined && o.missing !== 'error' && o.missing !== 'skip') usage(`--missing must be error or skip, got ${String(o.missing)}`);
  if (o.activation !== undefined && !ACTIVATIONS.includes(o.activation)) usage(`--activation must be one of ${ACTIVATIONS.join(', ')}, got ${o.activation}`);
}

/**
 * The training data: the series, its z-scores fitted on the training part, and the
 * training and validation windows. Refuses data too short for the options.
 */
function trainingData(o: TrainVaeOptions) {
  const rowsSeries = readSeries(o.data, o.columns, {}, o.missing);
  if (rowsSeries.untimed) {
    o.onGaps?.(`${rowsSeries.file}: ${untimedText(rowsSeries.untimed)}: the rows' order and the gaps in their times are not checked; write the times as ISO 8601 (2024-01-31T12:00:00Z) to have them checked`);
  }
  if (rowsSeries.leftOut) o.onGaps?.(`${rowsSeries.file}: ${rowsSeries.leftOut} row${rowsSeries.leftOut === 1 ? '' : 's'} with a missing reading left out (--missing skip)`);
  const f = o.downsample ?? 1;
  // Everything below counts model rows (block means of f rows of the series).
  const series = blockMeans(rowsSeries, f);
  const W = o.window / f;
  const D = W * series.columns.length;
  const rows = series.rows;
  // The validation tail must hold MIN_VALIDATION windows, or early stopping follows noise.
  const valMin = W + MIN_VALIDATION - 1;
  const needed = Math.ceil((valMin / rows) * 1000) / 1000;
  let validationSplit = o.validationSplit ?? Math.max(0.1, needed);
  let valRows = validationSplit > 0 ? rows - Math.round(rows * (1 - validationSplit)) : 0;
  if (validationSplit > 0 && valRows < valMin) {
    if (o.validationSplit !== undefined) {
      usage(`--validation-split ${validationSplit} leaves ${valRows * f} rows of ${series.file} for validation, fewer than ${MIN_VALIDATION} windows of ${W * f} (${valMin * f} rows); use --validation-split ${needed} or more, a smaller --window, or --validation-split 0`);
    }
    validationSplit = needed;
    valRows = rows - Math.round(rows * (1 - validationSplit));
  }
  const trainRows = rows - valRows;
  if (trainRows < W + 1) usage(tooShort(series.file, rowsSeries.rows, rows, W, f, valRows));
  // Windows a hundredth of a window apart carry little new: long windows take a stride.
  const stride = o.stride ?? Math.max(1, Math.ceil((trainRows - W + 1) / MAX_TRAIN_WINDOWS), Math.floor(W / 100));
  const norm = fitNormalisation(series, trainRows);
  const found = rowsSeries.times ? findGaps(rowsSeries.times) : null;
  const span = o.gaps === 'span';
  const breaks = found && !span ? modelBreaks(found.gaps, f) : [];
  const train = slidingWindows(series, norm, 0, trainRows, W, stride, breaks);
  // The validation tail takes the training stride, or less so that it holds MIN_VALIDATION windows.
  const valStride = Math.max(1, Math.min(stride, Math.floor((valRows - W) / (MIN_VALIDATION - 1))));
  const val = validationSplit > 0 ? slidingWindows(series, norm, trainRows, rows, W, valStride, breaks) : { data: new Float32Array(0), count: 0, width: D, skipped: 0 };
  const gapNote = found && found.gaps.length > 0 ? `${series.file} has ${describeGaps(found, rowsSeries.times!)}` : undefined;
  const leftOut = train.skipped + val.skipped;
  const how = span ? `trained across them (--gaps span)` : `${leftOut} window${leftOut === 1 ? '' : 's'} that would span one left out (${train.skipped} training, ${val.skipped} validation; --gaps span trains across them)`;
  if (train.count < 2) usage(`${series.file} gives ${train.count} training window(s); use a smaller --window or --stride${gapNote ? `; ${gapNote}; ${how}` : ''}`);
  // Gaps must not bring the validation tail below what early stopping needs (MIN_VALIDATION).
  if (validationSplit > 0 && val.skipped > 0 && val.count < MIN_VALIDATION) {
    usage(`the validation tail of ${series.file} holds ${val.count} window(s) once the ${val.skipped} across gaps are left out, fewer than ${MIN_VALIDATION}; use a larger --validation-split, a smaller --window, or --gaps span; ${gapNote}`);
  }
  if (gapNote) o.onGaps?.(`${gapNote}; ${how}`);
  const gaps = found && found.gaps.length > 0 ? { gaps: found.gaps.length, gapsSpanned: span, windowsLeftOut: leftOut } : undefined;
  return { series, rowsSeries, f, D, trainRows, stride, norm, train, val, validationSplit, gaps };
}

/**
 * Why `rows` model rows (`seriesRows` of the file) hold no training for windows of W, and
 * what would: the largest window that leaves room for the validation tail (W' + 1 training
 * rows and W' + MIN_VALIDATION − 1 tail rows), else the largest without one (W' + 1 rows),
 * else nothing — only ever a window of at least 2 that would pass.
 */
function tooShort(file: string, seriesRows: number, rows: number, W: number, f: number, valRows: number): string {
  const need = valRows > 0 ? `at least ${(W + 1) * f} (window ${W * f}) before a validation tail of ${valRows * f} rows (${MIN_VALIDATION} windows)` : `at least ${(W + 1) * f} (window ${W * f})`;
  const withTail = Math.floor((rows - MIN_VALIDATION) / 2);
  const without = rows - 1;
  const advice =
    valRows > 0 && withTail >= 2
      ? `use a --window of at most ${withTail * f}, or --validation-split 0`
      : without >= 2
        ? valRows > 0
          ? `use --validation-split 0${W > without ? ` and a --window of at most ${without * f}` : ''}`
          : `use a --window of at most ${without * f}`
        : `the smallest window (2${f > 1 ? ` blocks of ${f} rows` : ' rows'}) needs ${3 * f} rows`;
  return `${file} has ${seriesRows} rows; training needs ${need}; ${advice}`;
}

/** Trains a VAE and writes it to `o.out`. */
export async function trainVae(o: TrainVaeOptions): Promise<TrainVaeResult> {
  checkOptions(o);
  // What a killed training of the same --out left beside it (its marker says so) is settled
  // first: a previous model it had set aside goes back to --out before --out is judged.
  const stale = settleInterrupted(o.out);
  o.onSettled?.(stale);
  // Before the data is read or a minute is trained: a place the model cannot go is refused now.
  checkModelOut(o.out);
  const t0 = performance.now();
  const L = o.latent;
  const hidden = [...(o.hidden ?? [64, 64])];
  const activation = o.activation ?? 'relu';
  const batchSize = o.batchSize ?? 64;
  const learningRate = o.learningRate ?? 1e-3;
  const beta = o.beta ?? 1;
  const patience = o.patience ?? 10;
  const { series, rowsSeries, f, D, trainRows, stride, norm, train, val, validationSplit, gaps } = trainingData(o);
  const W = o.window / f;

  const { tf, backend, fallback } = await loadTf(o.backend ?? 'auto');
  const key = seedKey(o.seed);
  const encoder = buildModel(tf, 'encoder', D, hidden, 2 * L, activation);
  const decoder = buildModel(tf, 'decoder', L, [...hidden].reverse(), D, activation);
  initialise(tf, encoder, key);
  initialise(tf, decoder, key);
  const { history, bestEpoch, stoppedEarly } = fitVae(tf, encoder, decoder, train, val, { key, latent: L, epochs: o.epochs, batchSize, learningRate, beta, patience, onEpoch: o.onEpoch, onBatch: o.onBatch });
  const stats = latentCodeStats(tf, encoder, train, L);

  const meta: VaeModelMeta = {
    format: VAE_FORMAT,
    version: VAE_FORMAT_VERSION,
    window: W,
    ...(f > 1 ? { downsample: f } : {}),
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
      data: { file: series.file, sha256: series.sha256, rows: rowsSeries.rows, trainRows: trainRows * f, trainWindows: train.count, validationWindows: val.count, ...gaps },
      history,
    },
    files: { encoder: 'encoder', decoder: 'decoder' },
  };
  // Written beside its place, then renamed into it: a failure leaves --out as it was.
  let staged: string | undefined;
  try {
    staged = createStaging(o.out);
    writeLayersModel(join(staged, meta.files.encoder), await artifactsOf(tf, encoder));
    writeLayersModel(join(staged, meta.files.decoder), await artifactsOf(tf, decoder));
    // The chain is measured with the plain-JS stacks generation runs, read back from the files.
    const dir = staged;
    const plain = (name: string) => new DenseDecoder(readDenseStack(join(dir, name)));
    meta.chain = latentChain(plain(meta.files.encoder), plain(meta.files.decoder), series, norm, trainRows, W, L, rowsSeries, f);
    writeFileSync(join(staged, VAE_META_FILE), JSON.stringify(meta, null, 2) + '\n');
    placeModel(staged, o.out);
  } catch (err) {
    throw noRoom(err, o.out, 'free some space and train again; --out is as it was') ?? err;
  } finally {
    if (staged) rmSync(staged, { recursive: true, force: true });
    encoder.dispose();
    decoder.dispose();
  }
  return { meta, out: o.out, backend, fallback, seconds: (performance.now() - t0) / 1000, stoppedEarly, staleRemoved: stale.removed, staleKept: stale.kept };
}
