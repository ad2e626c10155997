/**
 * The latent regions of a trained VAE, and sampling from them.
 *
 * Measured after training on the training windows' encoder means μ(x):
 *  - per-dimension mean and standard deviation;
 *  - the principal directions of their covariance. Directions whose variance is below
 *    ACTIVE_VARIANCE are inactive (the encoder does not use them: posterior collapse) and
 *    are left out, so radii count only the k dimensions the decoder responds to;
 *  - the Mahalanobis radius of every code in the k active directions,
 *    r(x) = ‖Λ^-1/2 Vᵀ (μ(x) − m)‖, and its empirical quantile function on a fixed grid
 *    of probabilities (fine in the upper tail).
 *
 * A region is a band [pLo, pHi] of radius quantiles, of one of two measures:
 *  - `gaussian`: the radius under the Gaussian N(m, VΛVᵀ) fitted to the codes, a chi
 *    distribution with k degrees of freedom. The radius orders points by that density, so
 *    this is a density quantile, and its upper tail reaches past the last training code.
 *  - `empirical`: the training codes' own radii. Its band ends at the largest code: the
 *    99th–99.99th percentile shell holds codes as rare as the rarest training windows,
 *    which decode to unusual but familiar shapes.
 * Normal windows use [0, inner], anomalous windows [outlierLo, outlierHi]. A latent draw
 * takes a direction uniform on the k-sphere (k normal quantiles of counter-based
 * uniforms, normalised) and a radius by inverse CDF within the band, then maps back:
 * z = m + V Λ^1/2 u. Everything is a pure function of (seed, stream, slot, window) (D1).
 */
import { philox4x32 } from '../random/philox.js';
import { wordsToUniform, type SeedKey } from '../random/counter.js';
import { normalQuantile } from '../random/normal-quantile.js';
import { symmetricEigen } from '../math/eigen.js';
import { chiQuantile } from './chi-square.js';

/** Principal directions of the codes with less variance than this are inactive (Burda et al.'s active-unit threshold). */
const ACTIVE_VARIANCE = 0.01;

export interface LatentStats {
  /** Training windows measured. */
  windows: number;
  /** Per-dimension mean and standard deviation of the encoder means. */
  mean: number[];
  sd: number[];
  /** Per-dimension average posterior standard deviation, exp(½·log-variance). */
  posteriorSd: number[];
  /** Eigenvalues of the covariance of the encoder means, largest first. */
  eigenvalues: number[];
  /** Principal directions kept (eigenvalue ≥ ACTIVE_VARIANCE; at least one). */
  active: number;
  /** latent × active: column j is eigenvector j scaled by √eigenvalue j, so z = mean + basis·u. */
  basis: number[][];
  /** Quantile function of the radius ‖u‖ of the training codes: r[i] is the p[i] quantile. */
  radius: { p: number[]; r: number[] };
}

/** Probabilities at which the radius quantile function is stored: 0, 0.01…0.98, 0.981…0.999, 0.9991…0.9999, 0.99999, 1. */
export function radiusGrid(): number[] {
  const p: number[] = [];
  for (let k = 0; k <= 98; k++) p.push(k / 100);
  for (let k = 981; k <= 999; k++) p.push(k / 1000);
  for (let k = 9991; k <= 9999; k++) p.push(k / 10000);
  p.push(0.99999, 1);
  return p;
}

/** Type-7 (linear) empirical quantile of sorted values. */
function quantileSorted(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Latent statistics of n codes: `mu` and `logVar` are n × L row-major (encoder outputs).
 */
export function latentStats(mu: Float64Array, logVar: Float64Array, n: number, L: number): LatentStats {
  if (n < 2) throw new Error('latent statistics need at least two windows');
  const mean = new Float64Array(L);
  for (let i = 0; i < n; i++) for (let j = 0; j < L; j++) mean[j]! += mu[i * L + j]!;
  for (let j = 0; j < L; j++) mean[j] = mean[j]! / n;
  const cov = new Float64Array(L * L);
  const d = new Float64Array(L);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < L; j++) d[j] = mu[i * L + j]! - mean[j]!;
    for (let a = 0; a < L; a++) for (let b = a; b < L; b++) cov[a * L + b]! += d[a]! * d[b]!;
  }
  for (let a = 0; a < L; a++) {
    for (let b = a; b < L; b++) {
      const c = cov[a * L + b]! / (n - 1);
      cov[a * L + b] = c;
      cov[b * L + a] = c;
    }
  }
  const sd = Array.from({ length: L }, (_, j) => Math.sqrt(cov[j * L + j]!));
  const posteriorSd = Array.from({ length: L }, (_, j) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.exp(0.5 * logVar[i * L + j]!);
    return s / n;
  });

  const eig = symmetricEigen(cov, L);
  const active = Math.max(1, eig.values.filter((v) => v >= ACTIVE_VARIANCE).length);
  const scale = eig.values.slice(0, active).map((v) => Math.sqrt(Math.max(v, 1e-300)));
  const basis = Array.from({ length: L }, (_, row) => Array.from({ length: active }, (_, col) => eig.vectors[col]![row]! * scale[col]!));

  // Whitened coordinates of each code in the active directions, and their radii.
  const radii = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let r2 = 0;
    for (let c = 0; c < active; c++) {
      const v = eig.vectors[c]!;
      let proj = 0;
      for (let j = 0; j < L; j++) proj += v[j]! * (mu[i * L + j]! - mean[j]!);
      const u = proj / scale[c]!;
      r2 += u * u;
    }
    radii[i] = Math.sqrt(r2);
  }
  radii.sort();
  const p = radiusGrid();
  const r = p.map((q) => quantileSorted(radii, q));
  return { windows: n, mean: Array.from(mean), sd, posteriorSd, eigenvalues: eig.values, active, basis, radius: { p, r } };
}

/** The radius at probability q of the stored quantile function (linear between grid points). */
export function radiusAt(stats: Pick<LatentStats, 'radius'>, q: number): number {
  const { p, r } = stats.radius;
  if (q <= 0) return r[0]!;
  if (q >= 1) return r[r.length - 1]!;
  let lo = 0;
  let hi = p.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (p[mid]! <= q) lo = mid;
    else hi = mid;
  }
  const t = (q - p[lo]!) / (p[hi]! - p[lo]!);
  return r[lo]! + t * (r[hi]! - r[lo]!);
}

/** What region quantiles are quantiles of (see the module comment). */
export type RadiusMeasure = 'gaussian' | 'empirical';
export const RADIUS_MEASURES: readonly RadiusMeasure[] = ['gaussian', 'empirical'];

/** The radius at probability q under a measure; `gaussian` needs q < 1. */
export function radiusQuantile(stats: Pick<LatentStats, 'radius' | 'active'>, measure: RadiusMeasure, q: number): number {
  return measure === 'empirical' ? radiusAt(stats, q) : chiQuantile(q, stats.active);
}

/** Points of the radius quantile function tabulated per band. */
const BAND_POINTS = 1024;

/**
 * A band's inverse CDF, tabulated at BAND_POINTS + 1 evenly spaced probabilities from pLo
 * to pHi and interpolated linearly: sampling costs one multiply-add, however the measure's
 * quantiles are computed.
 */
export function radiusBand(stats: Pick<LatentStats, 'radius' | 'active'>, measure: RadiusMeasure, pLo: number, pHi: number): Float64Array {
  const t = new Float64Array(BAND_POINTS + 1);
  for (let i = 0; i <= BAND_POINTS; i++) t[i] = radiusQuantile(stats, measure, pLo + ((pHi - pLo) * i) / BAND_POINTS);
  return t;
}

/** Counter slots of latent draws: normal windows are keyed by window index, anomalous ones by their first row. */
export const SLOT_NORMAL = 0;
export const SLOT_ANOMALOUS = 1;

const HALF_ULP = 1 / 18014398509481984; // 2^-54: moves [0, 1) uniforms into (0, 1) for the normal quantile

/**
 * Draws latent vectors from radius bands. Counter layout of the draws of one window:
 * philox(key = seed, ctr = [index mod 2^32, ⌊index / 2^32⌋, stream, slot·256 + j]) for
 * j = 0, 1, …; the 2(j+1) uniforms they give are, in order, the radius uniform and the k
 * normal coordinates of the direction.
 */
export class LatentSampler {
  readonly latent: number;
  readonly active: number;
  private readonly mean: Float64Array;
  /** basis, row-major latent × active. */
  private readonly basis: Float64Array;
  private readonly u: Float64Array;
  private readonly words = new Uint32Array(4);

  constructor(
    stats: LatentStats,
    private readonly key: SeedKey,
  ) {
    this.latent = stats.mean.length;
    this.active = stats.active;
    this.mean = Float64Array.from(stats.mean);
    this.basis = Float64Array.from(stats.basis.flat());
    this.u = new Float64Array(this.active + 2);
  }

  /**
   * The draw of window `index` in the whitened active space: u[1..k] (u[0] is scratch),
   * with ‖u[1..k]‖ the radius drawn from the band. The returned array is reused by the
   * next draw. `sample` maps it to the latent space; a report plots it.
   */
  whitened(stream: number, slot: number, index: number, band: Float64Array): Float64Array {
    const k = this.active;
    const u = this.u;
    const lo = index % 4294967296;
    const hi = Math.floor(index / 4294967296);
    for (let j = 0, i = 0; i <= k; j++, i += 2) {
      const w = philox4x32(lo, hi, stream, slot * 256 + j, this.key.k0, this.key.k1, this.words);
      u[i] = wordsToUniform(w[0]!, w[1]!);
      u[i + 1] = wordsToUniform(w[2]!, w[3]!);
    }
    const x = u[0]! * (band.length - 1);
    const i0 = Math.floor(x);
    const radius = band[i0]! + (x - i0) * (band[i0 + 1]! - band[i0]!);
    let norm2 = 0;
    for (let c = 1; c <= k; c++) {
      const g = normalQuantile(u[c]! + HALF_ULP);
      u[c] = g;
      norm2 += g * g;
    }
    if (norm2 === 0) {
      // Measure zero (every coordinate exactly at the median), but never divide by zero.
      u[1] = 1;
      norm2 = 1;
    }
    const f = radius / Math.sqrt(norm2);
    for (let c = 1; c <= k; c++) u[c] = u[c]! * f;
    return u;
  }

  /**
   * Writes the latent vector of window `index` (stream, slot) to z[off .. off + latent),
   * with a radius drawn by inverse CDF from a band tabulated by `radiusBand`.
   */
  sample(stream: number, slot: number, index: number, band: Float64Array, z: Float64Array, off: number): void {
    const k = this.active;
    const u = this.whitened(stream, slot, index, band);
    const L = this.latent;
    const b = this.basis;
    for (let j = 0; j < L; j++) {
      let s = this.mean[j]!;
      const row = j * k;
      for (let c = 0; c < k; c++) s += b[row + c]! * u[c + 1]!;
      z[off + j] = s;
    }
  }
}
