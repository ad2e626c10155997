/**
 * The latent chain: the codes of the training series' windows at a hop of half a window,
 * in time order, with their posterior spreads and what the decoder leaves out.
 *
 * Why. Normal `type: vae` rows used to decode independent draws from a Gaussian fitted to
 * the codes, one per window. That put them off the training scale: the codes of real
 * series are far from Gaussian (skewed, clustered, heavy-tailed), so a symmetric draw lands
 * where no training window's code is and decodes to levels the data never takes; the
 * decoder's mean also lacks the series' own noise, so the spread was too small; and
 * independent windows jump at every boundary. Following the chain instead — consecutive
 * windows take the codes of consecutive training windows, each sampled from its posterior
 * N(μ, σ²), overlap-added, plus the residual noise — samples the aggregate posterior the
 * decoder was trained on, keeps overlapping halves coherent (they decode the same stretch
 * of data), and restores the spread.
 */
import type { DenseDecoder } from './decoder.js';
import type { Series } from './series.js';
import { upsampleAt } from './downsample.js';
import { windowWeight } from './stitch.js';
import { slidingWindows, type Normalisation } from './windows.js';

export interface LatentChain {
  /** Rows between consecutive codes (⌈window / 2⌉). */
  hop: number;
  /** Encoder means of the training windows starting at rows 0, hop, 2·hop, … (time order). */
  mean: number[][];
  /** Their posterior standard deviations, exp(½ · log-variance). */
  sd: number[][];
  /**
   * Per channel, x ≈ offset + gain · dec(μ(x)) fitted by least squares over those windows:
   * a decoder that shrinks towards the mean (gain > 1) would otherwise give data with too
   * small a spread, however much residual noise is added.
   */
  gain: number[];
  offset: number[];
  /** Per channel, the RMS of x − (offset + gain · dec(μ(x))), in z-score units. */
  residualSd: number[];
  /** Per channel, the lag-1 autocorrelation of that residual (its noise is as smooth, not white). */
  residualLag1: number[];
  /**
   * The residual itself over the chain's rows [0, ((n − 1)·hop + window)·F) of the series
   * (F the model's downsampling, usually 1), row-major (ρ·C + c),
   * in z-score units: x − (offset + gain · the overlap-added decoded chain). Generation
   * replays stretches of it in time order instead of Gaussian noise, so the series has the
   * data's own texture — a series that sits still and then jumps (CPU load, counts) stays
   * still between jumps, where independent noise would move every row. Absent in models
   * trained before it was kept (they fall back to the Gaussian noise of residualSd).
   */
  residual?: number[];
}

/** At most this many codes are kept: the first MAX_CODES · hop rows of a longer training part (a contiguous stretch keeps the chain coherent). */
const MAX_CODES = 4096;
/** At most this many rows of residual are kept (the model file holds them as JSON numbers). */
const MAX_CHAIN_ROWS = 65_536;
/** Significant digits of the stored residual (z-score units; far finer than any data's own noise). */
const RESIDUAL_DIGITS = 6;

/**
 * Measures the chain of the training part [0, trainRows) with the plain-JS encoder and
 * decoder. `series`, `trainRows`, `window` and the hop are in model rows; with a
 * downsampled model (`f` > 1, `series` the block means of `rowsSeries`) the residual is
 * measured on the rows themselves, against the decoded windows interpolated back to rows.
 */
export function latentChain(encoder: DenseDecoder, decoder: DenseDecoder, series: Series, norm: Normalisation, trainRows: number, window: number, latent: number, rowsSeries: Series = series, f = 1): LatentChain {
  const hop = Math.ceil(window / 2);
  const rows = Math.min(trainRows, (MAX_CODES - 1) * hop + window, Math.max(window, Math.floor(MAX_CHAIN_ROWS / f)));
  const w = slidingWindows(series, norm, 0, rows, window, hop);
  const n = w.count;
  const D = w.width;
  const C = series.columns.length;
  const x = Float64Array.from(w.data);
  const h = new Float64Array(n * 2 * latent);
  encoder.decode(x, n, Int32Array.from({ length: 2 * latent }, (_, j) => j), h);
  const mu = new Float64Array(n * latent);
  const mean: number[][] = [];
  const sd: number[][] = [];
  for (let i = 0; i < n; i++) {
    const m: number[] = [];
    const s: number[] = [];
    for (let j = 0; j < latent; j++) {
      m.push(h[i * 2 * latent + j]!);
      s.push(Math.exp(0.5 * Math.min(12, Math.max(-12, h[i * 2 * latent + latent + j]!))));
      mu[i * latent + j] = m[j]!;
    }
    mean.push(m);
    sd.push(s);
  }
  const xHat = new Float64Array(n * D);
  decoder.decode(mu, n, Int32Array.from({ length: D }, (_, j) => j), xHat);
  // Least-squares calibration of each channel: x ≈ offset + gain · x̂.
  const gain: number[] = [];
  const offset: number[] = [];
  for (let c = 0; c < C; c++) {
    let sx = 0, sy = 0, sxx = 0, sxy = 0, m = 0;
    for (let i = c; i < n * D; i += C) {
      sx += xHat[i]!;
      sy += x[i]!;
      sxx += xHat[i]! * xHat[i]!;
      sxy += xHat[i]! * x[i]!;
      m++;
    }
    const vx = sxx / m - (sx / m) ** 2;
    const b = vx > 1e-12 ? (sxy / m - (sx / m) * (sy / m)) / vx : 1;
    gain.push(b);
    offset.push(sy / m - b * (sx / m));
  }
  // The residual over the chain's rows: the data less the calibrated decoded chain,
  // overlap-added exactly as generation stitches it (vae/stitch.ts), in rows of the series.
  const span = ((n - 1) * hop + window) * f;
  const wf = window * f;
  const fit = new Float64Array(span * C);
  const wsum = new Float64Array(span);
  for (let i = 0; i < n; i++) {
    for (let tau = 0; tau < wf; tau++) {
      const w = windowWeight(tau, wf);
      const row = i * hop * f + tau;
      wsum[row]! += w;
      for (let c = 0; c < C; c++) fit[row * C + c]! += w * (offset[c]! + gain[c]! * upsampleAt(xHat, i * D + c, C, window, f, tau));
    }
  }
  const residual: number[] = new Array<number>(span * C);
  const sq = new Float64Array(C);
  const lag = new Float64Array(C);
  for (let row = 0; row < span; row++) {
    for (let c = 0; c < C; c++) {
      const r = (rowsSeries.values[c]![row]! - norm.mean[c]!) / norm.sd[c]! - fit[row * C + c]! / wsum[row]!;
      residual[row * C + c] = Number(r.toPrecision(RESIDUAL_DIGITS));
      sq[c]! += r * r;
      if (row > 0) lag[c]! += r * residual[(row - 1) * C + c]!;
    }
  }
  const residualSd = Array.from(sq, (v) => Math.sqrt(v / span));
  const residualLag1 = Array.from(lag, (v, c) => (sq[c]! > 0 ? v / sq[c]! : 0));
  return { hop, mean, sd, gain, offset, residualSd, residualLag1, residual };
}
