/**
 * Downsampled models (`train-vae --downsample F`): the model learns windows of block means
 * of F rows, so a window of W model rows spans W·F rows of the series. A long, slow pattern
 * (a day of one-minute readings) then fits a model of a few hundred inputs that trains in
 * seconds.
 *
 * Block means rather than every F-th row: a mean is the anti-aliasing filter for free, and
 * it is what the encoder sees again when the learned kind encodes a real context. Decoded
 * windows go back to rows by linear interpolation between block centres (row τ of a window
 * sits at block position (τ + ½)/F − ½), held flat before the first centre and after the
 * last, where the overlap-add and crossfade weights are small anyway. With F = 1 both are
 * the identity, bit for bit.
 */
import type { Series } from './series.js';

/** The model rows per series row of a model (1 for models without downsampling). */
export function downsampleOf(meta: { downsample?: number }): number {
  return meta.downsample ?? 1;
}

/** The series as means of consecutive blocks of F rows (a trailing partial block is left out). */
export function blockMeans(s: Series, f: number): Series {
  if (f === 1) return s;
  const rows = Math.floor(s.rows / f);
  const values = s.values.map((col) => {
    const out = new Float64Array(rows);
    for (let j = 0; j < rows; j++) {
      let sum = 0;
      for (let i = j * f; i < (j + 1) * f; i++) sum += col[i]!;
      out[j] = sum / f;
    }
    return out;
  });
  return { ...s, values, rows };
}

/**
 * Row τ (0 ≤ τ < W·F) of a decoded window whose model rows are v[base + t·stride],
 * t = 0 … W − 1, linearly interpolated between block centres.
 */
export function upsampleAt(v: ArrayLike<number>, base: number, stride: number, w: number, f: number, tau: number): number {
  if (f === 1) return v[base + tau * stride]!;
  const u = (tau + 0.5) / f - 0.5;
  if (u <= 0) return v[base]!;
  if (u >= w - 1) return v[base + (w - 1) * stride]!;
  const j = Math.floor(u);
  const a = u - j;
  return (1 - a) * v[base + j * stride]! + a * v[base + (j + 1) * stride]!;
}
