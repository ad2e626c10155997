/**
 * From a series to training windows: per-channel z-scores fitted on the training part,
 * then sliding windows flattened row-major (t·C + c), the layout the decoder outputs.
 *
 * The validation part is the chronological tail of the series, not a random subset:
 * overlapping windows drawn at random into both parts would leak the same rows into
 * validation and make early stopping blind to overfitting.
 */
import { ParanomError } from '../errors.js';
import type { Series } from './series.js';

export interface Normalisation {
  mean: number[];
  sd: number[];
}

export interface WindowSet {
  /** count × width float32 values, row-major. */
  data: Float32Array;
  count: number;
  /** window · channels. */
  width: number;
}

/** Mean and standard deviation of each channel over rows [0, rows). */
export function fitNormalisation(s: Series, rows: number): Normalisation {
  const mean: number[] = [];
  const sd: number[] = [];
  for (const [j, col] of s.values.entries()) {
    let [m, d] = meanSd(col, rows, 1);
    // Squares of values past about 1e154 overflow, and of values below about 1e-150 underflow
    // or lose their digits: such a column is measured again in units of its largest magnitude.
    if (!(Number.isFinite(m) && Number.isFinite(d) && d > 1e-150)) {
      let scale = 0;
      for (let i = 0; i < rows; i++) scale = Math.max(scale, Math.abs(col[i]!));
      [m, d] = scale > 0 ? meanSd(col, rows, scale) : [0, 0];
    }
    if (!(d > 0)) throw new ParanomError('USAGE', `column '${s.columns[j]}' of ${s.file} is constant over the training rows; a VAE cannot learn from it`);
    if (!Number.isFinite(d)) throw new ParanomError('USAGE', `column '${s.columns[j]}' of ${s.file} spreads wider than a double can measure (its standard deviation overflows); rescale the data first`);
    mean.push(m);
    sd.push(d);
  }
  return { mean, sd };
}

/** Mean and sample standard deviation of `col[0, rows)` computed on `col / scale` (1: the values as they are). */
function meanSd(col: ArrayLike<number>, rows: number, scale: number): [number, number] {
  let m = 0;
  for (let i = 0; i < rows; i++) m += col[i]! / scale;
  m /= rows;
  let v = 0;
  for (let i = 0; i < rows; i++) v += (col[i]! / scale - m) ** 2;
  return [m * scale, Math.sqrt(v / Math.max(1, rows - 1)) * scale];
}

/**
 * Windows of `window` rows starting at from, from + stride, … and ending by `to`, less
 * those that hold both rows b − 1 and b of a break b (a gap in the times, gaps.ts; sorted).
 * `skipped` counts the windows left out so.
 */
export function slidingWindows(s: Series, norm: Normalisation, from: number, to: number, window: number, stride: number, breaks: readonly number[] = []): WindowSet & { skipped: number } {
  const C = s.columns.length;
  const width = window * C;
  const all = to - from >= window ? Math.floor((to - from - window) / stride) + 1 : 0;
  const starts: number[] = [];
  let b = 0;
  for (let k = 0; k < all; k++) {
    const t0 = from + k * stride;
    while (b < breaks.length && breaks[b]! <= t0) b++;
    if (b < breaks.length && breaks[b]! < t0 + window) continue;
    starts.push(t0);
  }
  const count = starts.length;
  const data = new Float32Array(count * width);
  for (let k = 0; k < count; k++) {
    const t0 = starts[k]!;
    for (let t = 0; t < window; t++) {
      for (let c = 0; c < C; c++) data[k * width + t * C + c] = (s.values[c]![t0 + t]! - norm.mean[c]!) / norm.sd[c]!;
    }
  }
  return { data, count, width, skipped: all - count };
}
