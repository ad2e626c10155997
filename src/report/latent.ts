/**
 * The latent panel of `vae` variables: where the codes behind the data lie. The codes of
 * normal windows (a sample spread over the timeline) and of anomalous windows (each
 * event's first window) are drawn again exactly as generation drew them, then shown in a
 * radial projection of the whitened active space: a code u keeps its radius ‖u‖ and takes
 * the direction of its first two principal coordinates. Radius bands are then rings, so
 * the picture shows truthfully which band each code came from, and the training codes'
 * radius quantiles (median, 99th percentile, largest) are drawn as circles for scale.
 */
import { existsSync } from 'node:fs';
import { seedKey } from '../random/counter.js';
import type { Scenario, VaeVariable } from '../model/types.js';
import { LatentSampler, radiusBand, SLOT_ANOMALOUS, SLOT_NORMAL } from '../vae/latent.js';
import { readVaeMeta } from '../vae/model.js';
import { f64 } from './build.js';

/** Codes drawn per panel and class, at most. */
const MAX_CODES = 1500;

function project(u: Float64Array, k: number, out: number[]): void {
  let r2 = 0;
  for (let c = 1; c <= k; c++) r2 += u[c]! * u[c]!;
  const r = Math.sqrt(r2);
  const a = u[1]!;
  const b = k >= 2 ? u[2]! : 0;
  const p = Math.hypot(a, b);
  out.push(p > 0 ? (r * a) / p : r, p > 0 ? (r * b) / p : 0);
}

/**
 * Panels for the scenario's vae variables (one per latent stream: a group shares its
 * draws). `eventStarts` are the first rows of anomaly events. A variable whose model is
 * no longer at its path gets no panel; the returned notes say so.
 */
export function latentPanels(s: Scenario, eventStarts: readonly number[]): { panels: PageData.Latent[]; notes: string[] } {
  const panels: PageData.Latent[] = [];
  const notes: string[] = [];
  const seen = new Set<number>();
  const key = seedKey(s.seed);
  for (const v of s.variables) {
    if (v.type !== 'vae' || seen.has((v as VaeVariable).latentStream)) continue;
    const vae = v as VaeVariable;
    seen.add(vae.latentStream);
    if (!existsSync(vae.model)) {
      notes.push(`No latent panel for '${vae.name}': its model ${vae.model} is not there (paths are relative to where the dataset was generated).`);
      continue;
    }
    const stats = readVaeMeta(vae.model).latentStats;
    const k = stats.active;
    const sampler = new LatentSampler(stats, key);
    const reg = vae.regions;
    const inner = radiusBand(stats, reg.measure, reg.inner.quantiles[0], reg.inner.quantiles[1]);
    const outlier = radiusBand(stats, reg.measure, reg.outlier.quantiles[0], reg.outlier.quantiles[1]);
    const windows = Math.ceil(s.timeline.rows / vae.window);
    const nNormal = Math.min(MAX_CODES, windows);
    const normal: number[] = [];
    for (let i = 0; i < nNormal; i++) project(sampler.whitened(vae.latentStream, SLOT_NORMAL, Math.floor((i * windows) / nNormal), inner), k, normal);
    const anomalous: number[] = [];
    for (const start of eventStarts.slice(0, MAX_CODES)) project(sampler.whitened(vae.latentStream, SLOT_ANOMALOUS, start, outlier), k, anomalous);
    panels.push({
      variable: vae.group ? `${vae.name} (group ${vae.group})` : vae.name,
      measure: reg.measure,
      dims: k,
      inner: reg.inner.radius,
      outlier: reg.outlier.radius,
      codes: reg.codes,
      normal: f64(Float64Array.from(normal)),
      anomalous: f64(Float64Array.from(anomalous)),
    });
  }
  return { panels, notes };
}
