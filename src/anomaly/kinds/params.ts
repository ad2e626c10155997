/**
 * Per-event parameters: a range parameter is drawn uniformly in [min, max] and
 * `direction: both` becomes up or down, from the counter-based generator keyed by the
 * event's id (its start row) and the parameter's position — so an event's parameters are
 * the same in every shard that sees it, and never depend on the variables (D2, D4).
 */
import { philox4x32 } from '../../random/philox.js';
import { systemStream } from '../../random/hash.js';
import { wordsToUniform, type SeedKey } from '../../random/counter.js';
import type { AnomalyKindSpec, AnomalyPlan } from '../../model/types.js';
import type { AnomalyEvent } from '../events.js';

const PARAM_STREAM = systemStream('anomaly.kind-params');
const TWO32 = 4294967296;

export type EventParams = Record<string, number | string>;

/** One side of a `both` choice: late or early for a pattern shift, up or down otherwise. */
function both(kind: string, u: number): string {
  if (kind === 'pattern_shift') return u < 0.5 ? 'late' : 'early';
  return u < 0.5 ? 'up' : 'down';
}

/** Draw indices an attempt reserves (more than any kind has parameters). */
const DRAWS_PER_ATTEMPT = 64;

/**
 * The drawn parameters of one event of the given kind entry. Attempt a (a `min_effect`
 * redraw) takes draws from a·64 on, so attempt 0 is the draw every event always had.
 */
export function drawParams(spec: AnomalyKindSpec, key: SeedKey, eventId: number, attempt = 0): EventParams {
  const out: EventParams = {};
  const scratch = new Uint32Array(4);
  const lo = eventId % TWO32;
  const hi = Math.floor(eventId / TWO32);
  let d = attempt * DRAWS_PER_ATTEMPT;
  for (const name of Object.keys(spec.params).sort()) {
    const p = spec.params[name]!;
    const w = philox4x32(lo, hi, PARAM_STREAM, d++, key.k0, key.k1, scratch);
    const u = wordsToUniform(w[0]!, w[1]!);
    // A spike, shift or trend goes one way per event; noise with `both` stays symmetric.
    // A lag's channel `any` is one of the kind's variables, drawn per event.
    if (spec.kind === 'lag' && name === 'channel' && p === 'any') out[name] = spec.variables[Math.min(spec.variables.length - 1, Math.floor(u * spec.variables.length))]!;
    else if (typeof p === 'string') out[name] = p === 'both' && spec.kind !== 'noise' ? both(spec.kind, u) : p;
    else out[name] = p[0] === p[1] ? p[0] : p[0] + u * (p[1] - p[0]);
  }
  return out;
}

/** The kind entry of an event, or undefined for a `definition` event. */
export function specOf(plan: AnomalyPlan, e: AnomalyEvent): AnomalyKindSpec | undefined {
  return plan.mode !== 'none' && plan.kinds && e.spec !== undefined ? plan.kinds[e.spec] : undefined;
}

/** A cache of drawn parameters by event id, kind entry and attempt (events of one shard). */
export class ParamCache {
  /** Made at the first event: most of a fleet's entities have none, and each has its own cache. */
  private cache: Map<string, EventParams> | undefined;
  constructor(
    private readonly plan: AnomalyPlan,
    private readonly key: SeedKey,
  ) {}

  get(e: AnomalyEvent): EventParams {
    const at = `${e.id}:${e.spec}:${e.attempt ?? 0}`;
    const cache = (this.cache ??= new Map());
    let p = cache.get(at);
    if (!p) {
      p = drawParams(specOf(this.plan, e)!, this.key, e.id, e.attempt ?? 0);
      cache.set(at, p);
    }
    return p;
  }
}

