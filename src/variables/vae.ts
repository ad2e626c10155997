/**
 * `type: vae` variables (AnoGen): a column decoded, window by window, from a VAE trained
 * with `paranom train-vae`.
 *
 * Windows. Normal rows come from windows of the absolute row grid: window w covers rows
 * [w·W, (w+1)·W), whatever shard or block generates them, so a block that starts inside a
 * window decodes the whole window and keeps its slice (D2). Anomalous rows come from
 * windows anchored at their event's first row: window k of the event covers
 * [start + k·W, start + (k+1)·W), cut at the event's end. So every anomalous row, and only
 * anomalous rows, takes values decoded from the outlier region, and labels and values
 * agree row for row (a grid window merely touched by an event would otherwise put
 * outlier values on rows labelled normal, or normal values on labelled rows).
 *
 * Latent draws. Normal window w uses slot 0 and index w; the anomalous window starting at
 * row a uses slot 1 and index a; both on the variable's latent stream (its own, or its
 * group's). Values are therefore a pure function of (seed, stream, window) (D1), do not
 * depend on the shard layout (D2), and growing the timeline leaves earlier windows as
 * they were (D3; an event cut by the end of the timeline keeps its windows and completes).
 *
 * Decoding is the plain-JS reproduction of the trained decoder (src/vae/decoder.ts),
 * batched, in every worker: no TensorFlow is loaded to generate.
 */
import { ParanomError } from '../errors.js';
import { describe, join } from '../model/checker.js';
import { systemStream } from '../random/hash.js';
import type { VaeRegion, VaeVariable } from '../model/types.js';
import type { ColumnData } from '../columns/columns.js';
import { ModelFormatError } from '../vae/layers-format.js';
import { LatentSampler, RADIUS_MEASURES, radiusAt, radiusBand, radiusQuantile, SLOT_ANOMALOUS, SLOT_NORMAL, type RadiusMeasure } from '../vae/latent.js';
import { readVaeModel, vaeModel, type LoadedVaeModel } from '../vae/model.js';
import { inputPath, recordedPath } from '../model/input-path.js';
import type { Block, CompiledVariable, VariableKind } from './kind.js';
import { chainedFill } from './vae-chain.js';
import { downsampleOf } from '../vae/downsample.js';

/** Default radius quantiles: normal windows from the central 95% of training codes, anomalies from the 99th–99.99th percentile shell. */
const DEFAULT_INNER = 0.95;
const DEFAULT_OUTLIER: [number, number] = [0.99, 0.9999];
/** Windows decoded per batch. */
const BATCH = 256;

function quantileIn(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 1;
}

/** The group's latent stream: a hash of the group name, apart from variable streams. */
function groupStream(group: string): number {
  return systemStream(`vae-group:${group}`);
}

function region(m: LoadedVaeModel, measure: RadiusMeasure, lo: number, hi: number): VaeRegion {
  const s = m.meta.latentStats;
  return { quantiles: [lo, hi], radius: [radiusQuantile(s, measure, lo), radiusQuantile(s, measure, hi)] };
}

/** Band tables by model, measure and quantiles: tabulating a Gaussian band costs milliseconds, so each thread does it once. */
const bands = new Map<string, Float64Array>();

function bandOf(m: LoadedVaeModel, measure: RadiusMeasure, q: [number, number]): Float64Array {
  const key = `${m.sha256}:${measure}:${q[0]}:${q[1]}`;
  let t = bands.get(key);
  if (!t) {
    t = radiusBand(m.meta.latentStats, measure, q[0], q[1]);
    bands.set(key, t);
  }
  return t;
}

function loadForValidation(dir: string): LoadedVaeModel | string {
  try {
    return readVaeModel(dir);
  } catch (err) {
    if (err instanceof ModelFormatError) return err.message;
    const e = err as NodeJS.ErrnoException;
    return e.code === 'ENOENT' ? `missing model file ${e.path ?? ''}` : `cannot read model: ${e.message}`;
  }
}

export const vaeKind: VariableKind<VaeVariable> = {
  keys: ['model', 'channel', 'dtype', 'measure', 'inner', 'outlier', 'group'],

  validate(c, { name, stream, path, raw: o, resolveFile }) {
    const dtype = o['dtype'] ?? 'float64';
    if (dtype !== 'float64' && dtype !== 'float32') c.fail(join(path, 'dtype'), `a vae column is float64 or float32, got ${describe(dtype)}`);
    const measure = o['measure'] ?? 'gaussian';
    if (!(RADIUS_MEASURES as readonly unknown[]).includes(measure)) c.fail(join(path, 'measure'), `expected one of ${RADIUS_MEASURES.join(', ')} (what the region quantiles are quantiles of), got ${describe(measure)}`);
    const inner = o['inner'] ?? DEFAULT_INNER;
    if (!quantileIn(inner)) c.fail(join(path, 'inner'), `expected a radius quantile in (0, 1] (normal windows decode from radii below it), got ${describe(inner)}`);
    const outlier = o['outlier'] ?? DEFAULT_OUTLIER;
    let band: [number, number] | undefined;
    if (!Array.isArray(outlier) || outlier.length !== 2 || !quantileIn(outlier[0]) || !quantileIn(outlier[1])) {
      c.fail(join(path, 'outlier'), `expected [low, high] radius quantiles in (0, 1], such as [0.99, 0.9999], got ${describe(outlier)}`);
    } else if (!(outlier[0] < outlier[1])) {
      c.fail(join(path, 'outlier'), `the low quantile must be below the high one, got [${outlier[0]}, ${outlier[1]}]`);
    } else if (quantileIn(inner) && inner > outlier[0]) {
      c.fail(join(path, 'inner'), `the inner region (radius quantiles 0–${inner}) overlaps the outlier region (${outlier[0]}–${outlier[1]}); use inner <= ${outlier[0]}`);
    } else if (measure === 'gaussian' && outlier[1] >= 1) {
      c.fail(join(path, 'outlier'), 'with measure gaussian the high quantile must be below 1 (the fitted radius has no largest value), such as 0.9999');
    } else {
      band = [outlier[0], outlier[1]];
    }
    let group: string | null = null;
    if (o['group'] !== undefined) group = c.string(o['group'], join(path, 'group')) ?? null;

    const file = c.string(o['model'], join(path, 'model'));
    if (file === undefined) return undefined;
    const m = loadForValidation(resolveFile(file));
    if (typeof m === 'string') return c.fail(join(path, 'model'), m);
    const channels = m.meta.channels;
    let channel: string;
    if (o['channel'] === undefined) {
      if (channels.length !== 1) return c.fail(join(path, 'channel'), `required: the model has ${channels.length} channels (${channels.join(', ')}); name one`);
      channel = channels[0]!;
    } else {
      const ch = c.string(o['channel'], join(path, 'channel'));
      if (ch === undefined) return undefined;
      if (!channels.includes(ch)) return c.fail(join(path, 'channel'), `the model has no channel '${ch}'; it has: ${channels.join(', ')}`);
      channel = ch;
    }
    if (!quantileIn(inner) || !band || (dtype !== 'float64' && dtype !== 'float32') || (o['group'] !== undefined && group === null)) return undefined;
    if (measure !== 'gaussian' && measure !== 'empirical') return undefined;
    if (measure === 'gaussian' && inner >= 1) return c.fail(join(path, 'inner'), 'with measure gaussian the inner quantile must be below 1, such as 0.95');
    const s = m.meta.latentStats;
    return {
      name,
      type: 'vae',
      dtype,
      stream,
      model: recordedPath(file),
      modelSha256: m.sha256,
      channel,
      channelIndex: channels.indexOf(channel),
      window: m.meta.window * downsampleOf(m.meta),
      group,
      latentStream: group === null ? stream : groupStream(group),
      regions: {
        space: 'whitened-active',
        measure,
        dims: s.active,
        inner: region(m, measure, 0, inner),
        outlier: region(m, measure, band[0], band[1]),
        codes: { median: radiusAt(s, 0.5), q99: radiusAt(s, 0.99), max: radiusAt(s, 1) },
      },
      anomalous: null,
      categories: null,
    };
  },

  async load(v, s) {
    modelFor(v, s.baseDir);
  },

  compile(v, { key, scenario }): CompiledVariable {
    const m = modelFor(v, scenario.baseDir);
    const { decoder, meta } = m;
    const sampler = new LatentSampler(meta.latentStats, key);
    if (meta.chain) return { variable: v, fill: chainedFill(v, m, meta.chain, key, sampler, bandOf(m, v.regions.measure, v.regions.outlier.quantiles)) };
    const W = v.window;
    const L = meta.latent;
    const C = meta.channels.length;
    const pick = Int32Array.from({ length: W }, (_, t) => t * C + v.channelIndex);
    const mean = meta.normalisation.mean[v.channelIndex]!;
    const sd = meta.normalisation.sd[v.channelIndex]!;
    const stream = v.latentStream;
    const innerBand = bandOf(m, v.regions.measure, v.regions.inner.quantiles);
    const outlierBand = bandOf(m, v.regions.measure, v.regions.outlier.quantiles);
    const z = new Float64Array(BATCH * L);
    const vals = new Float64Array(BATCH * W);
    const starts = new Float64Array(BATCH);
    let covered = new Uint8Array(0);

    /**
     * Decodes the `nb` windows whose latent vectors are in z and writes their rows in
     * [from, to): the anomalous ones (marking them written) for event windows, the rows not
     * yet written for grid windows.
     */
    const emit = (block: Block, out: ColumnData, nb: number, from: number, to: number, anomalous: boolean) => {
      decoder.decode(z, nb, pick, vals);
      const r0 = block.rowStart;
      const o = block.offset;
      const flags = anomalous ? block.anomalous : covered;
      const want = anomalous ? 1 : 0;
      for (let i = 0; i < nb; i++) {
        const ws = starts[i]!;
        const a = Math.max(ws, from) - r0;
        const b = Math.min(ws + W, to) - r0;
        const vo = i * W + r0 - ws;
        for (let bi = a; bi < b; bi++) {
          if (flags[bi] === want) out[o + bi] = vals[vo + bi]! * sd + mean;
        }
        if (anomalous) for (let bi = a; bi < b; bi++) covered[bi] = covered[bi]! | block.anomalous[bi]!;
      }
    };

    return {
      variable: v,
      fill(block, out) {
        const r0 = block.rowStart;
        const n = block.count;
        const r1 = r0 + n;
        if (covered.length < n) covered = new Uint8Array(n);
        else covered.fill(0, 0, n);

        // Anomalous rows: windows anchored at each event's first row, from the outlier band.
        for (const e of block.events) {
          const a = Math.max(e.start, r0);
          const b = Math.min(e.end, r1);
          if (a >= b) continue;
          const kLast = Math.floor((b - 1 - e.start) / W);
          let nb = 0;
          for (let k = Math.floor((a - e.start) / W); k <= kLast; k++) {
            const ws = e.start + k * W;
            sampler.sample(stream, SLOT_ANOMALOUS, ws, outlierBand, z, nb * L);
            starts[nb++] = ws;
            if (nb === BATCH) {
              emit(block, out, nb, a, b, true);
              nb = 0;
            }
          }
          if (nb > 0) emit(block, out, nb, a, b, true);
        }

        // Every other row: windows of the absolute grid, from the inner band.
        let nb = 0;
        for (let w = Math.floor(r0 / W), wLast = Math.floor((r1 - 1) / W); w <= wLast; w++) {
          const ws = w * W;
          const a = Math.max(ws, r0) - r0;
          const b = Math.min(ws + W, r1) - r0;
          let needed = false;
          for (let i = a; i < b && !needed; i++) needed = covered[i] === 0;
          if (!needed) continue;
          sampler.sample(stream, SLOT_NORMAL, w, innerBand, z, nb * L);
          starts[nb++] = ws;
          if (nb === BATCH) {
            emit(block, out, nb, r0, r1, false);
            nb = 0;
          }
        }
        if (nb > 0) emit(block, out, nb, r0, r1, false);
      },
    };
  },
};

/** The variable's model, read once per thread and checked against the hash the scenario recorded. */
function modelFor(v: VaeVariable, baseDir: string | undefined): LoadedVaeModel {
  try {
    return vaeModel(inputPath(baseDir, v.model), v.modelSha256);
  } catch (err) {
    const msg = err instanceof ModelFormatError ? err.message : `cannot read the VAE model in ${v.model}: ${(err as Error).message}`;
    throw new ParanomError('GENERATION_FAILED', `variable '${v.name}': ${msg}`, { variable: v.name, model: v.model });
  }
}
