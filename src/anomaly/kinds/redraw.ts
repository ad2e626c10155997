/**
 * `min_effect` redraws. Attempt a of an event is a pure function of (seed, event id, a):
 * attempts 0 … ⌈tries/2⌉ − 1 keep the event's kind and redraw its parameters (attempt 0 is
 * the draw the event always had); later attempts also redraw the kind, by weight, from
 * their own stream. The event keeps its place and drawn length whatever its kind becomes,
 * so placement — and with it every other event — never depends on a redraw (D2, D3).
 */
import { philox4x32 } from '../../random/philox.js';
import { systemStream } from '../../random/hash.js';
import { wordsToUniform, type SeedKey } from '../../random/counter.js';
import { cumulativeWeights } from '../../distribution/sampler.js';
import type { AnomalyPlan } from '../../model/types.js';
import type { AnomalyEvent } from '../events.js';

const REDRAW_STREAM = systemStream('anomaly.kind-redraw');
const TWO32 = 4294967296;

/** The first attempt that may redraw the kind as well as the parameters. */
function firstKindRedraw(tries: number): number {
  return Math.ceil(tries / 2);
}

/** Attempt `a` of event `e` (a kind event of a plan with kinds). */
export function eventAttempt(plan: AnomalyPlan, key: SeedKey, e: AnomalyEvent, a: number, tries: number): AnomalyEvent {
  if (a === 0) return e;
  if (plan.mode === 'none' || !plan.kinds || e.spec === undefined) throw new Error('unreachable: only kind events are redrawn');
  let spec = e.spec;
  if (a >= firstKindRedraw(tries) && plan.kinds.length > 1) {
    const w = philox4x32(e.id % TWO32, Math.floor(e.id / TWO32), REDRAW_STREAM, a, key.k0, key.k1, new Uint32Array(4));
    const u = wordsToUniform(w[0]!, w[1]!);
    const total = plan.kinds.reduce((s, k) => s + k.weight, 0);
    const cum = cumulativeWeights(plan.kinds.map((k) => k.weight / total));
    spec = 0;
    while (!(u < cum[spec]!)) spec++;
  }
  return { ...e, spec, kind: plan.kinds[spec]!.kind, attempt: a };
}
