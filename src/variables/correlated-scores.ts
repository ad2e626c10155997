/**
 * The normal scores of a correlation group's members, shared by `type: correlated`
 * variables and by process noise components linked to a group.
 *
 * Member i's score on row r is z_i(r) = Σ_{k ≤ i} L_ik · n_k(r): L is the Cholesky factor
 * of the group's correlation matrix (reader/correlations.ts) and n_k(r) the N(0, 1) draw of
 * member k at (seed, member k's stream, r, attempt 0, draw 0). Every member recomputes the
 * draws it needs from their counters, so a member's column is a pure function of its rows
 * (D1–D3) whichever shard, block or thread computes it, and no member waits for another.
 *
 * `decorrelate` events act here, on the scores of the members they name, over their rows:
 * - mode `remove`: z_i is replaced by a fresh N(0, 1) draw of member i's own stream
 *   (draw 1, at the event's `min_effect` attempt), independent of every other member;
 * - mode `flip`: z_i becomes −z_i, which reverses the named members' correlation with the
 *   members the event does not name (and keeps it among the named ones).
 * Either way each member's score is still N(0, 1), so its marginal is unchanged.
 */
import { BLOCK_ROWS } from '../format.js';
import { toStandardNormals } from '../distribution/standard-normals.js';
import { fillRowUniforms, type SeedKey } from '../random/counter.js';
import { normalQuantile, openUniform } from '../random/normal-quantile.js';
import type { AnomalyPlan, CorrelationLink } from '../model/types.js';
import type { AnomalyEvent } from '../anomaly/events.js';
import { specOf, type ParamCache } from '../anomaly/kinds/params.js';

/** Draw index of the fresh scores `decorrelate` (mode remove) takes. */
const DECORRELATED_DRAW = 1;

/** The N(0, 1) draws of one stream over one block of rows. */
interface BlockDraws {
  k0: number;
  k1: number;
  from: number;
  count: number;
  normals: Float64Array;
}

/**
 * The draws of the block being filled, by stream. A group's members fill the same block
 * one after another and member i needs the draws of members 0…i, so keeping each stream's
 * last block makes a group of n members cost n inversions per row instead of n(n+1)/2.
 * Values are the same either way (a pure function of seed, stream and row); this is a
 * per-thread cache, bounded by the streams of the groups it has seen.
 */
const lastBlock = new Map<number, BlockDraws>();
const MAX_CACHED_STREAMS = 256;

function blockNormals(key: SeedKey, stream: number, from: number, count: number): Float64Array {
  let b = lastBlock.get(stream);
  if (b && b.k0 === key.k0 && b.k1 === key.k1 && b.from === from && b.count === count) return b.normals;
  if (!b || b.normals.length < count) {
    if (lastBlock.size >= MAX_CACHED_STREAMS) lastBlock.clear();
    b = { k0: 0, k1: 0, from: -1, count: 0, normals: new Float64Array(Math.max(BLOCK_ROWS, count)) };
    lastBlock.set(stream, b);
  }
  const normals = b.normals.subarray(0, count);
  fillRowUniforms(key, stream, 0, 0, from, count, normals);
  toStandardNormals(normals, 0, count);
  Object.assign(b, { k0: key.k0, k1: key.k1, from, count });
  return normals;
}

/** out[i] = z(from + i) for `count` rows of the member `link` describes. */
export function groupScores(key: SeedKey, link: CorrelationLink, from: number, count: number, out: Float64Array): void {
  out.fill(0, 0, count);
  for (let k = 0; k <= link.index; k++) {
    const f = link.factor[k]!;
    if (f === 0) continue;
    const n = blockNormals(key, link.streams[k]!, from, count);
    for (let i = 0; i < count; i++) out[i]! += f * n[i]!;
  }
}

/** Applies the `decorrelate` events naming variable `name` to its scores z of rows [from, from + count). */
export function decorrelateScores(key: SeedKey, plan: AnomalyPlan, params: ParamCache, name: string, link: CorrelationLink, events: readonly AnomalyEvent[], from: number, count: number, z: Float64Array, tmp: Float64Array): void {
  for (const e of events) {
    const spec = specOf(plan, e);
    if (!spec || spec.kind !== 'decorrelate' || !spec.variables.includes(name)) continue;
    const lo = Math.max(e.start, from);
    const hi = Math.min(e.end, from + count);
    if (hi <= lo) continue;
    if (params.get(e)['mode'] === 'flip') {
      for (let r = lo; r < hi; r++) z[r - from] = -z[r - from]!;
      continue;
    }
    const u = tmp.subarray(0, hi - lo);
    fillRowUniforms(key, link.streams[link.index]!, e.attempt ?? 0, DECORRELATED_DRAW, lo, hi - lo, u);
    for (let r = lo; r < hi; r++) z[r - from] = normalQuantile(openUniform(u[r - lo]!));
  }
}
