/**
 * The latent panel of `vae` variables: where the codes behind the data lie. The codes of
 * normal windows (a sample spread over the timeline) and of anomalous windows (each
 * event's first window) are drawn again exactly as generation drew them, then shown in a
 * radial projection of the whitened active space: a code u keeps its radius ‖u‖ and takes
 * the direction of its first two principal coordinates. Radius bands are then rings, so
 * the picture shows truthfully which band each code came from, and the training codes'
 * radius quantiles (median, 99th percentile, largest) are drawn as circles for scale.
 *
 * Learned anomalies (`kind: learned`) move the code of real context windows out to a
 * drawn radius; the segment table records the radius moved from and to, and a panel per
 * model shows each event as a move between those radii. Their directions are not
 * recorded, so events are spread round the circle by their order: only radii are data.
 */
import { existsSync } from 'node:fs';
import { seedKey } from '../random/counter.js';
import type { Scenario, VaeVariable } from '../model/types.js';
import { LatentSampler, radiusAt, radiusBand, radiusQuantile, SLOT_ANOMALOUS, SLOT_NORMAL, type RadiusMeasure } from '../vae/latent.js';
import { readVaeMeta } from '../vae/model.js';
import { inputPath } from '../model/input-path.js';
import { f64 } from './encode.js';

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
export function latentPanels(s: Scenario, events: ReadonlyArray<Pick<PageData.EventRow, 'start' | 'kind' | 'params'>>): { panels: PageData.Latent[]; notes: string[] } {
  const eventStarts = events.map((e) => e.start);
  const panels: PageData.Latent[] = [];
  const notes: string[] = [];
  const seen = new Set<number>();
  const key = seedKey(s.seed);
  for (const v of s.variables) {
    if (v.type !== 'vae' || seen.has((v as VaeVariable).latentStream)) continue;
    const vae = v as VaeVariable;
    seen.add(vae.latentStream);
    const dir = inputPath(s.baseDir, vae.model);
    if (!existsSync(dir)) {
      notes.push(`No latent panel for '${vae.name}': its model ${vae.model} is not there (looked for ${dir}; paths are relative to the scenario file).`);
      continue;
    }
    const stats = readVaeMeta(dir).latentStats;
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
      moves: null,
    });
  }
  learnedPanels(s, events, panels, notes);
  return { panels, notes };
}

/** One panel per model of the scenario's learned kinds, with every learned event's move. */
function learnedPanels(s: Scenario, events: ReadonlyArray<Pick<PageData.EventRow, 'kind' | 'params'>>, panels: PageData.Latent[], notes: string[]): void {
  if (s.anomalies.mode === 'none') return;
  const moves: number[] = [];
  for (const e of events) {
    if (e.kind !== 'learned' || !e.params) continue;
    const p = JSON.parse(e.params) as Record<string, unknown>;
    if (typeof p['radius_from'] === 'number' && typeof p['radius_to'] === 'number') moves.push(p['radius_from'], p['radius_to']);
  }
  const seen = new Set<string>();
  for (const spec of s.anomalies.kinds ?? []) {
    const ref = spec.learned;
    if (spec.kind !== 'learned' || !ref || seen.has(ref.model)) continue;
    seen.add(ref.model);
    const dir = inputPath(s.baseDir, ref.model);
    if (!existsSync(dir)) {
      notes.push(`No latent panel for learned anomalies: the model ${ref.model} is not there (looked for ${dir}).`);
      continue;
    }
    const stats = readVaeMeta(dir).latentStats;
    const measure = (typeof spec.params['measure'] === 'string' ? spec.params['measure'] : 'gaussian') as RadiusMeasure;
    const q = spec.params['quantile'];
    const [lo, hi] = Array.isArray(q) ? q : [0.99, 0.9999];
    panels.push({
      variable: `learned: ${ref.model}`,
      measure,
      dims: stats.active,
      inner: null,
      outlier: [radiusQuantile(stats, measure, lo), radiusQuantile(stats, measure, hi)],
      codes: { median: radiusAt(stats, 0.5), q99: radiusAt(stats, 0.99), max: radiusAt(stats, 1) },
      normal: f64(new Float64Array(0)),
      anomalous: f64(new Float64Array(0)),
      moves: f64(Float64Array.from(moves)),
    });
  }
}
