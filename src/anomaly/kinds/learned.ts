/**
 * The `learned` anomaly kind (AnoGen's method inside a real series): for each event, the
 * target's clean values around it are encoded by a trained VAE, the code is moved out to a
 * radius quantile drawn from the outlier band, decoded, and crossfaded in over the event.
 *
 * Windows. The model sees windows of W rows. An event of d ≤ W rows takes one window that
 * ends where the event ends, [s + d − W, s + d) (moved right to start at row 0 near the
 * beginning of the timeline): the context is the past the event grows out of, and no row
 * after the event is needed. A longer event is covered by windows at s, s + ⌈W/2⌉, … and
 * one ending at its end, overlap-added with triangular weights normalised to sum to one.
 * Windows are placed from the event's drawn duration, not from where the timeline cuts
 * it, so an event cut by the end of the timeline has the same values when the dataset
 * grows (D3); the context rows are clean values, a pure function of their row, generated
 * wherever needed (D2).
 *
 * The move. The code μ(x) of each window (encoder mean) is moved to whitened radius
 * Q(q), q the event's drawn quantile (or to 1.35× its own radius when that is further: a
 * context already in the band moves on out, never back towards the centre), along a drawn
 * direction (`direction: random`, the default: any shape of the outlier shell, which taught
 * a detector more in the usefulness experiment) or its own (`own`: the anomaly exaggerates
 * what the context already does). See vae/move.ts.
 *
 * The splice. With `residual: keep` (the default) the target over the event is the clean
 * value plus (dec(z') − dec(z)): the deformation the move makes, on top of the real
 * series' own detail the decoder does not reproduce (noise, sharp edges). With `drop` it is
 * dec(z') itself. Row k of the event becomes x + w(k)·(target − clean), where
 * w(k) = min(1, (k+1)/(b+1), (d−k)/(b+1)) ramps in and out over `blend` = b rows at each
 * end, so the series stays continuous where the event starts and ends.
 *
 * Effect. Measured as for every kind (anomaly/effect.ts: RMS of |value − clean| over the
 * event's rows in robust sd of the clean context window). A labelled event that does not
 * change the series teaches a detector to alarm on normal data, so an event whose RMS
 * effect stays below the kind's `min_effect` has its radius pushed out by factors of 1.35
 * (at most 6 times) until it does; the segment table records the drawn quantile, the
 * radius moved from and to, and the latent distance moved.
 */
import { inputPath } from '../../model/input-path.js';
import { philox4x32 } from '../../random/philox.js';
import { wordsToUniform, type SeedKey } from '../../random/counter.js';
import { systemStream } from '../../random/hash.js';
import { normalQuantile, openUniform } from '../../random/normal-quantile.js';
import { getInt64, type ValueColumn } from '../../columns/columns.js';
import type { AnomalyKindSpec, Scenario } from '../../model/types.js';
import { radiusQuantile, type RadiusMeasure } from '../../vae/latent.js';
import { LatentMover } from '../../vae/move.js';
import { blendWeight } from '../../vae/stitch.js';
import { downsampleOf, upsampleAt } from '../../vae/downsample.js';
import { vaeCodec, type LoadedVaeCodec } from '../../vae/model.js';
import type { AnomalyEvent } from '../events.js';
import type { EventParams } from './params.js';
import { contextWindow, robustScale } from '../effect.js';

/** Generates rows [from, to) of the scenario without anomalies (the clean values). */
export type CleanRows = (from: number, to: number) => readonly ValueColumn[];

/** What one learned event does to its variables, and the figures the segment table records. */
export interface LearnedEffect {
  /** The variables, in the model's channel order. */
  variables: readonly string[];
  /** Per variable: the change of each event row (length = the event's drawn duration). */
  delta: Float64Array[];
  /** The radius quantile drawn; the radius the code had and the one it moved to (means over windows). */
  quantile: number;
  radiusFrom: number;
  radiusTo: number;
  /** Whitened latent distance moved (mean over the event's windows). */
  latentDistance: number;
  /** RMS and largest |value − clean| over the event's rows, in robust sd of the clean context. */
  effectRms: number;
  effectMax: number;
}

/** True when some kind of the scenario is `learned`. */
export function hasLearnedKind(s: Scenario): boolean {
  return s.anomalies.mode !== 'none' && !!s.anomalies.kinds?.some((k) => k.kind === 'learned');
}

/** Window starts (rows) covering an event [s, s + d) for a model of W rows. */
function learnedWindows(s: number, d: number, W: number): number[] {
  const end = s + d;
  if (d <= W) return [Math.max(0, end - W)];
  const hop = Math.ceil(W / 2);
  const starts: number[] = [];
  for (let a = s; a + W < end; a += hop) starts.push(a);
  starts.push(end - W);
  return starts;
}

/** The blend rows of an event: the given count, or an eighth of it; at most half of it. */
function blendRows(p: EventParams, d: number): number {
  const given = p['blend'] as number | undefined;
  return Math.max(0, Math.min(Math.round(given ?? d / 8), Math.floor((d - 1) / 2)));
}

const TWO32 = 4294967296;
/** A weak event's radius grows by this factor per push, at most MAX_PUSHES times (about 6× the drawn radius). */
const PUSH = 1.35;
const MAX_PUSHES = 6;

function stream(vars: readonly string[]): number {
  return systemStream(`kind:learned:${vars.join(',')}`);
}

/**
 * Learned events of one thread (a shard worker, or the main thread writing the segment
 * table): each event's effect is computed once and kept.
 */
export class LearnedEvents {
  private readonly cache = new Map<string, LearnedEffect>();
  private readonly words = new Uint32Array(4);

  constructor(
    private readonly key: SeedKey,
    private readonly cleanRows: CleanRows,
    /** The scenario's folder, which the model path is relative to (Scenario.baseDir). */
    private readonly baseDir?: string,
  ) {}

  /** The variable groups a kind acts on: the channel variables together, or each target alone. */
  static groups(spec: AnomalyKindSpec): string[][] {
    const ch = spec.learned!.channelVariables;
    return ch.length > 0 ? [ch] : spec.variables.map((v) => [v]);
  }

  /** The group of `variable` under this kind (undefined when the kind does not target it). */
  static groupOf(spec: AnomalyKindSpec, variable: string): string[] | undefined {
    return LearnedEvents.groups(spec).find((g) => g.includes(variable));
  }

  /** The effect of event `e` of kind `spec` (drawn parameters `p`) on the variable group `vars`. */
  effect(spec: AnomalyKindSpec, p: EventParams, e: AnomalyEvent, vars: readonly string[]): LearnedEffect {
    const id = `${e.id}\0${vars.join(',')}`;
    let r = this.cache.get(id);
    if (!r) {
      r = this.compute(spec, p, e, vars);
      this.cache.set(id, r);
    }
    return r;
  }

  private compute(spec: AnomalyKindSpec, p: EventParams, e: AnomalyEvent, vars: readonly string[]): LearnedEffect {
    const ref = spec.learned!;
    const m: LoadedVaeCodec = vaeCodec(inputPath(this.baseDir, ref.model), ref.sha256);
    const { meta, encoder, decoder } = m;
    // Windows in rows of the series; a downsampled model sees block means of F rows and its
    // decoded windows are interpolated back to rows (vae/downsample.ts).
    const F = downsampleOf(meta);
    const Wm = meta.window;
    const W = Wm * F;
    const C = meta.channels.length;
    const L = meta.latent;
    const D = Wm * C;
    const d = e.duration;
    const starts = learnedWindows(e.start, d, W);
    const nw = starts.length;
    // Clean rows of every channel over the model's windows and the effect's context window.
    const [ctxLo, ctxHi] = contextWindow(e.start, d);
    const from = Math.min(starts[0]!, ctxLo);
    const to = Math.max(starts[nw - 1]! + W, ctxHi);
    const cols = this.cleanRows(from, to);
    const clean = vars.map((name) => {
      const col = cols.find((c) => c.name === name)!;
      return Float64Array.from({ length: to - from }, (_, i) => (col.dtype === 'int64' ? getInt64(col.data as Int32Array, i) : col.data[i]!));
    });

    // Encode every window (normalised with the model's training statistics).
    const { mean, sd } = meta.normalisation;
    const x = new Float64Array(nw * D);
    for (let w = 0; w < nw; w++) {
      const o = starts[w]! - from;
      for (let t = 0; t < Wm; t++) {
        for (let c = 0; c < C; c++) {
          let sum = 0;
          for (let j = o + t * F; j < o + (t + 1) * F; j++) sum += clean[c]![j]!;
          x[w * D + t * C + c] = (sum / F - mean[c]!) / sd[c]!;
        }
      }
    }
    const h = new Float64Array(nw * 2 * L);
    const muPick = Int32Array.from({ length: 2 * L }, (_, j) => j);
    encoder.decode(x, nw, muPick, h);
    const z = new Float64Array(2 * nw * L); // [own codes | moved codes]
    for (let w = 0; w < nw; w++) for (let j = 0; j < L; j++) z[w * L + j] = h[w * 2 * L + j]!;

    // Move each code to the drawn radius quantile (further out while the effect is too weak).
    const stats = meta.latentStats;
    const mover = new LatentMover(stats);
    const q = p['quantile'] as number;
    const drawnRadius = radiusQuantile(stats, p['measure'] as RadiusMeasure, q);
    const minEffect = (p['min_effect'] as number | undefined) ?? 0;
    const random = p['direction'] === 'random';
    const dirs = new Float64Array(nw * stats.active);
    if (random) for (let w = 0; w < nw; w++) this.direction(e.id, stream(vars), w, dirs.subarray(w * stats.active, (w + 1) * stats.active));
    const all = Int32Array.from({ length: D }, (_, j) => j);
    const dec = new Float64Array(2 * nw * D);
    const keep = p['residual'] !== 'drop';
    const b = blendRows(p, d);
    const scales = clean.map((c) => robustScale(c.subarray(ctxLo - from, ctxHi - from)));
    const delta = vars.map(() => new Float64Array(d));
    let result!: LearnedEffect;
    for (let attempt = 0; attempt <= MAX_PUSHES; attempt++) {
      const radius = drawnRadius * PUSH ** attempt;
      let fromSum = 0;
      let toSum = 0;
      let distSum = 0;
      for (let w = 0; w < nw; w++) {
        // A context already out in the band moves further out, never back towards the centre.
        const to = Math.max(radius, mover.radius(z, w * L) * PUSH ** (attempt + 1));
        const mv = mover.move(z, w * L, to, random ? dirs.subarray(w * stats.active, (w + 1) * stats.active) : null, z, (nw + w) * L);
        fromSum += mv.from;
        toSum += to;
        distSum += mv.distance;
      }
      // Decode both codes and stitch the targets over the event rows.
      decoder.decode(z, 2 * nw, all, dec);
      let sq = 0;
      let max = 0;
      for (let c = 0; c < C; c++) {
        for (let k = 0; k < d; k++) {
          const row = e.start + k;
          let acc = 0;
          let wsum = 0;
          for (let w = 0; w < nw; w++) {
            const t = row - starts[w]!;
            if (t < 0 || t >= W) continue;
            const tri = nw === 1 ? 1 : Math.min(t + 1, W - t);
            const moved = upsampleAt(dec, (nw + w) * D + c, C, Wm, F, t);
            const change = keep ? (moved - upsampleAt(dec, w * D + c, C, Wm, F, t)) * sd[c]! : moved * sd[c]! + mean[c]! - clean[c]![row - from]!;
            acc += tri * change;
            wsum += tri;
          }
          const v = blendWeight(k, d, b) * (acc / wsum);
          delta[c]![k] = v;
          const r = Math.abs(v) / scales[c]!;
          sq += r * r;
          if (r > max) max = r;
        }
      }
      result = { variables: vars, delta, quantile: q, radiusFrom: fromSum / nw, radiusTo: toSum / nw, latentDistance: distSum / nw, effectRms: Math.sqrt(sq / (d * C)), effectMax: max };
      if (result.effectRms >= minEffect) break;
    }
    return result;
  }

  /** A direction for window w of event `id`: k standard normals from the counter-based generator. */
  private direction(id: number, stream: number, w: number, out: Float64Array): void {
    const k = out.length;
    for (let j = 0, i = 0; i < k; j++, i += 2) {
      const r = philox4x32(id % TWO32, Math.floor(id / TWO32), stream, w * 128 + j, this.key.k0, this.key.k1, this.words);
      out[i] = normalQuantile(openUniform(wordsToUniform(r[0]!, r[1]!)));
      if (i + 1 < k) out[i + 1] = normalQuantile(openUniform(wordsToUniform(r[2]!, r[3]!)));
    }
  }
}
