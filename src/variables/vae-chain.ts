/**
 * Normal rows of a `type: vae` variable whose model carries a latent chain (vae/chain.ts):
 * windows every hop = ⌈W/2⌉ rows of the absolute row grid, overlap-added (vae/stitch.ts),
 * plus the residual noise the decoder leaves out; anomalous windows crossfaded over events.
 *
 * Window k (k ≥ −1, covering rows [k·hop, k·hop + W)) takes a code of the chain: windows
 * are grouped in segments of SEGMENT; segment s starts at chain code j_s drawn uniformly,
 * and window k of it takes code c = (j_s + k + 1 − s·SEGMENT) mod n, sampled from that
 * code's posterior, z = μ_c + σ_c·ε_s, with one ε per segment. Consecutive windows thus
 * take consecutive training windows, moved alike, whose overlapping halves decode the same
 * stretch of data (independent ε per window would average away part of the spread where
 * windows overlap). Every draw is a counter-based function of (seed, stream, slot, index) —
 * segment starts slot 2, posterior noise slot 3, both indexed by segment on the latent
 * stream — so values depend on row indices only (D1–D3).
 *
 * The residual. Window k also replays the stored residual of its training window (the
 * rows [c·hop, c·hop + W) of chain.residual: the data less the calibrated decoded chain),
 * overlap-added with the same weights. Within a segment consecutive windows replay the same
 * training rows, so a window's decoded mean and its residual add back up to the data's own
 * texture, moved by the posterior draw: a series that sits still and then jumps (CPU load)
 * stays still between jumps. Independent Gaussian noise of the residual's sd moved every
 * row instead: on NAB's EC2 CPU series (median step 0.002) it made the median step 0.076 and
 * the 99th-percentile step 2× the data's. Replaying the residual from another place than
 * the code (not aligned) is as rough: the decoded mean's own roughness no longer cancels.
 * Models without a stored residual (trained before it was kept) add Gaussian noise with the
 * residual's sd and lag-1 autocorrelation, per row on a stream of the variable's group or
 * name (group members share it).
 */
import { fillRowUniforms, wordsToUniform, type SeedKey } from '../random/counter.js';
import { philox4x32 } from '../random/philox.js';
import { systemStream } from '../random/hash.js';
import { normalQuantile, openUniform } from '../random/normal-quantile.js';
import type { VaeVariable } from '../model/types.js';
import type { ColumnData } from '../columns/columns.js';
import type { LatentChain } from '../vae/chain.js';
import type { LoadedVaeModel } from '../vae/model.js';
import { SLOT_ANOMALOUS, type LatentSampler } from '../vae/latent.js';
import { blendWeight, windowWeight } from '../vae/stitch.js';
import { downsampleOf, upsampleAt } from '../vae/downsample.js';
import type { Block } from './kind.js';

/** Windows per segment of consecutive chain codes. */
const SEGMENT = 64;
const SLOT_SEGMENT = 2;
const SLOT_NOISE = 3;
const BATCH = 256;

/** Crossfade rows at each end of an event: an eighth of the event or of a window, whichever is shorter. */
function eventBlend(d: number, W: number): number {
  return Math.max(0, Math.min(Math.round(Math.min(d, W) / 8), Math.floor((d - 1) / 2)));
}

/** A filler for blocks of a chained vae variable. */
export function chainedFill(v: VaeVariable, m: LoadedVaeModel, chain: LatentChain, key: SeedKey, sampler: LatentSampler, outlierBand: Float64Array): (block: Block, out: ColumnData) => void {
  const { decoder, meta } = m;
  // Window and hop in rows of the series; a downsampled model decodes Wm = W / F model
  // rows per window, interpolated back to rows (vae/downsample.ts).
  const F = downsampleOf(meta);
  const Wm = meta.window;
  const W = Wm * F;
  const H = chain.hop * F;
  const L = meta.latent;
  const C = meta.channels.length;
  const n = chain.mean.length;
  const seg = Math.min(SEGMENT, n);
  const pick = Int32Array.from({ length: Wm }, (_, t) => t * C + v.channelIndex);
  const mean = meta.normalisation.mean[v.channelIndex]!;
  const sd = meta.normalisation.sd[v.channelIndex]!;
  const residual = chain.residualSd[v.channelIndex]!;
  // Decoded values are calibrated (chain.ts) before the residual noise is added.
  const g = chain.gain[v.channelIndex]!;
  const sdOut = sd * g;
  const meanOut = mean + sd * chain.offset[v.channelIndex]!;
  const noiseSd = residual / g;
  const phi = Math.min(0.95, Math.max(0, chain.residualLag1?.[v.channelIndex] ?? 0));
  const taps = phi > 0 ? Math.ceil(Math.log(1e-3) / Math.log(phi)) : 1;
  const gain = noiseSd * Math.sqrt(1 - phi * phi);
  let white = new Float64Array(0);
  const stream = v.latentStream;
  const noiseStream = systemStream(`vae-residual:${v.group ?? v.name}`);
  const z = new Float64Array(BATCH * L);
  const vals = new Float64Array(BATCH * Wm);
  const starts = new Float64Array(BATCH);
  const resBase = new Float64Array(BATCH);
  const stored = chain.residual;
  const ch = v.channelIndex;
  let accR = new Float64Array(0);
  const u = new Float64Array(2 * L + 2);
  let acc = new Float64Array(0);
  let wsum = new Float64Array(0);
  let noise = new Float64Array(0);
  const words = new Uint32Array(4);

  /** `count` uniforms of (stream, slot, index), two per Philox call (the layout of LatentSampler). */
  const uniforms = (slot: number, index: number, count: number) => {
    for (let j = 0, i = 0; i < count; j++, i += 2) {
      const w = philox4x32(index % 4294967296, Math.floor(index / 4294967296), stream, slot * 256 + j, key.k0, key.k1, words);
      u[i] = wordsToUniform(w[0]!, w[1]!);
      u[i + 1] = wordsToUniform(w[2]!, w[3]!);
    }
  };

  /** The code of window k into z[off ..]; the first residual row it replays into resBase[b]. */
  const code = (k: number, off: number, b: number) => {
    const s = Math.floor((k + 1) / seg);
    uniforms(SLOT_SEGMENT, s, 1);
    const c = (Math.floor(u[0]! * n) + k + 1 - s * seg) % n;
    resBase[b] = c * H;
    uniforms(SLOT_NOISE, s, L);
    const mu = chain.mean[c]!;
    const sg = chain.sd[c]!;
    for (let j = 0; j < L; j++) z[off + j] = mu[j]! + sg[j]! * normalQuantile(openUniform(u[j]!));
  };

  /** Decodes nb windows (codes in z, first rows in starts) and calls f(row, t, value, window) for rows in [from, to). */
  const decodeInto = (nb: number, from: number, to: number, f: (row: number, t: number, x: number, i: number) => void) => {
    decoder.decode(z, nb, pick, vals);
    for (let i = 0; i < nb; i++) {
      const ws = starts[i]!;
      for (let r = Math.max(ws, from), e = Math.min(ws + W, to); r < e; r++) f(r, r - ws, upsampleAt(vals, i * Wm, 1, Wm, F, r - ws), i);
    }
  };

  return (block, out) => {
    const r0 = block.rowStart;
    const cnt = block.count;
    const r1 = r0 + cnt;
    if (acc.length < cnt) {
      acc = new Float64Array(cnt);
      accR = new Float64Array(cnt);
      wsum = new Float64Array(cnt);
      noise = new Float64Array(cnt);
    } else {
      acc.fill(0, 0, cnt);
      accR.fill(0, 0, cnt);
      wsum.fill(0, 0, cnt);
    }
    const add = (r: number, t: number, x: number, i: number) => {
      const w = windowWeight(t, W);
      acc[r - r0]! += w * x;
      if (stored) accR[r - r0]! += w * stored[(resBase[i]! + t) * C + ch]!;
      wsum[r - r0]! += w;
    };
    let nb = 0;
    for (let k = Math.max(-1, Math.floor((r0 - W) / H)), kLast = Math.floor((r1 - 1) / H); k <= kLast; k++) {
      if (k * H + W <= r0) continue;
      code(k, nb * L, nb);
      starts[nb++] = k * H;
      if (nb === BATCH) {
        decodeInto(nb, r0, r1, add);
        nb = 0;
      }
    }
    if (nb > 0) decodeInto(nb, r0, r1, add);
    // The residual noise: what the decoder's mean leaves out of the training data, as
    // smooth as it was — a moving average of white noise with weights φ^j (lag-1
    // autocorrelation φ), normalised to the residual's sd. A pure function of rows.
    const nz = noise.subarray(0, cnt);
    if (stored) {
      // The replayed residual, in the decoder's units (it was measured in z-scores).
      for (let i = 0; i < cnt; i++) nz[i] = accR[i]! / wsum[i]! / g;
    } else {
      const lead = Math.min(r0, taps - 1);
      if (white.length < cnt + lead) white = new Float64Array(cnt + lead);
      const wn = white.subarray(0, cnt + lead);
      fillRowUniforms(key, noiseStream, 0, 0, r0 - lead, cnt + lead, wn);
      for (let i = 0; i < wn.length; i++) wn[i] = normalQuantile(openUniform(wn[i]!));
      for (let i = 0; i < cnt; i++) {
        let s = 0;
        for (let j = 0, p = 1; j < taps && i + lead - j >= 0; j++, p *= phi) s += p * wn[i + lead - j]!;
        nz[i] = gain * s;
      }
    }
    const o = block.offset;
    for (let i = 0; i < cnt; i++) out[o + i] = (acc[i]! / wsum[i]! + nz[i]!) * sdOut + meanOut;

    // Anomalous rows: windows anchored at each event's first row, from the outlier band,
    // crossfaded over the normal values so the series stays continuous at both ends.
    for (const e of block.events) {
      const a = Math.max(e.start, r0);
      const b = Math.min(e.end, r1);
      if (a >= b) continue;
      const blend = eventBlend(e.duration, W);
      const set = (r: number, _t: number, x: number) => {
        const i = r - r0;
        const normal = acc[i]! / wsum[i]!;
        out[o + i] = (normal + blendWeight(r - e.start, e.duration, blend) * (x - normal) + nz[i]!) * sdOut + meanOut;
      };
      nb = 0;
      for (let k = Math.floor((a - e.start) / W), kLast = Math.floor((b - 1 - e.start) / W); k <= kLast; k++) {
        const ws = e.start + k * W;
        sampler.sample(stream, SLOT_ANOMALOUS, ws, outlierBand, z, nb * L);
        starts[nb++] = ws;
        if (nb === BATCH) {
          decodeInto(nb, a, b, set);
          nb = 0;
        }
      }
      if (nb > 0) decodeInto(nb, a, b, set);
    }
  };
}
