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
}

/** At most this many codes are kept: the first MAX_CODES · hop rows of a longer training part (a contiguous stretch keeps the chain coherent). */
const MAX_CODES = 4096;

/** Measures the chain of the training part [0, trainRows) with the plain-JS encoder and decoder. */
export function latentChain(encoder: DenseDecoder, decoder: DenseDecoder, series: Series, norm: Normalisation, trainRows: number, window: number, latent: number): LatentChain {
  const hop = Math.ceil(window / 2);
  const rows = Math.min(trainRows, (MAX_CODES - 1) * hop + window);
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
  const sq = new Float64Array(C);
  const lag = new Float64Array(C);
  const res = (i: number) => x[i]! - (offset[i % C]! + gain[i % C]! * xHat[i]!);
  for (let i = 0; i < n * D; i++) {
    const r = res(i);
    sq[i % C]! += r * r;
    // The previous row of the same window and channel.
    if (i % D >= C) lag[i % C]! += r * res(i - C);
  }
  const residualSd = Array.from(sq, (v) => Math.sqrt(v / Math.max(1, n * window)));
  const residualLag1 = Array.from(lag, (v, c) => (sq[c]! > 0 ? v / ((sq[c]! * (window - 1)) / window) : 0));
  return { hop, mean, sd, gain, offset, residualSd, residualLag1 };
}
