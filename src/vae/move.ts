/**
 * Moving a latent code into the outlier region (AnoGen): the code of a real window is
 * expressed in the whitened active coordinates of the latent statistics,
 * u = Λ⁻¹ Bᵀ (z − m) where B = V Λ^½ is the stored basis (so Λ is the squared column
 * norms of B), given a new radius — in its own direction or a drawn one — and mapped back
 * as z' = z + B (u' − u). The part of z outside the active directions (which the decoder
 * ignores) is kept as it was. Radii are in the same units as the regions of `type: vae`
 * variables, so a radius quantile means the same thing for both.
 */
import type { LatentStats } from './latent.js';

export class LatentMover {
  readonly latent: number;
  readonly active: number;
  private readonly mean: Float64Array;
  /** Basis, row-major latent × active. */
  private readonly basis: Float64Array;
  /** Squared norm of each basis column (the eigenvalues of the active directions). */
  private readonly norm2: Float64Array;
  private readonly u: Float64Array;
  private readonly u2: Float64Array;

  constructor(stats: Pick<LatentStats, 'mean' | 'basis' | 'active'>) {
    this.latent = stats.mean.length;
    this.active = stats.active;
    this.mean = Float64Array.from(stats.mean);
    this.basis = Float64Array.from(stats.basis.flat());
    this.norm2 = new Float64Array(this.active);
    for (let j = 0; j < this.latent; j++) for (let c = 0; c < this.active; c++) this.norm2[c]! += this.basis[j * this.active + c]! ** 2;
    this.u = new Float64Array(this.active);
    this.u2 = new Float64Array(this.active);
  }

  /** The whitened radius of the code z[off .. off + latent). */
  radius(z: Float64Array, off = 0): number {
    this.whiten(z, off);
    let r2 = 0;
    for (let c = 0; c < this.active; c++) r2 += this.u[c]! ** 2;
    return Math.sqrt(r2);
  }

  private whiten(z: Float64Array, off: number): void {
    const k = this.active;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < this.latent; j++) s += this.basis[j * k + c]! * (z[off + j]! - this.mean[j]!);
      this.u[c] = s / this.norm2[c]!;
    }
  }

  /**
   * Writes to out[outOff ..] the code z[off ..] moved to whitened radius `radius`: along its
   * own direction, or along `direction` (k values, any length but zero) when given. Returns
   * the radius it had and the whitened distance moved.
   */
  move(z: Float64Array, off: number, radius: number, direction: Float64Array | null, out: Float64Array, outOff: number): { from: number; distance: number } {
    const k = this.active;
    this.whiten(z, off);
    const u = this.u;
    let r2 = 0;
    for (let c = 0; c < k; c++) r2 += u[c]! ** 2;
    const from = Math.sqrt(r2);
    const d = this.u2;
    if (direction) for (let c = 0; c < k; c++) d[c] = direction[c]!;
    else if (from > 0) d.set(u);
    else {
      // A code exactly at the centre has no direction of its own: take the first principal one.
      d.fill(0);
      d[0] = 1;
    }
    let n2 = 0;
    for (let c = 0; c < k; c++) n2 += d[c]! ** 2;
    const f = radius / Math.sqrt(n2);
    let dist2 = 0;
    for (let c = 0; c < k; c++) {
      d[c] = d[c]! * f - u[c]!; // u' − u
      dist2 += d[c]! ** 2;
    }
    for (let j = 0; j < this.latent; j++) {
      let s = z[off + j]!;
      for (let c = 0; c < k; c++) s += this.basis[j * k + c]! * d[c]!;
      out[outOff + j] = s;
    }
    return { from, distance: Math.sqrt(dist2) };
  }
}
