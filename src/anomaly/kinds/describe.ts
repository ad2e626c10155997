/**
 * What the segment table says about each event: the variables it changes and, for events
 * of a kind, the parameters drawn for it (as canonical JSON).
 */
import { seedKey } from '../../random/counter.js';
import type { AnomalyKindSpec, Scenario } from '../../model/types.js';
import type { AnomalyEvent } from '../events.js';
import { drawParams, specOf, type EventParams } from './params.js';
import { hasLearnedKind, LearnedEvents, type CleanRows } from './learned.js';

export interface EventDescription {
  /** Variables the event changes, in declared order, comma-separated. */
  variables: string;
  /** The drawn parameters as JSON with sorted keys; null for `definition` events. */
  params: string | null;
}

/** True when the segment table carries a params column (the scenario uses kinds). */
export function hasKindParams(s: Scenario): boolean {
  return s.anomalies.mode !== 'none' && s.anomalies.kinds !== undefined;
}

/** Figures a learned event adds to its parameters: the move (averaged over the variable groups it changes). */
function learnedFigures(learned: LearnedEvents, spec: AnomalyKindSpec, p: EventParams, e: AnomalyEvent): EventParams {
  const effects = LearnedEvents.groups(spec).map((g) => learned.effect(spec, p, e, g));
  const n = effects.length;
  const round = (x: number) => Number(x.toPrecision(6));
  return {
    radius_from: round(effects.reduce((a, f) => a + f.radiusFrom, 0) / n),
    radius_to: round(effects[0]!.radiusTo),
    latent_distance: round(effects.reduce((a, f) => a + f.latentDistance, 0) / n),
  };
}

/**
 * Describes events for the segment table (drawn parameters per event, as JSON; learned
 * events add the radius moved from and to, the latent distance and the effect, which
 * need `cleanRows`: rows of the scenario without anomalies).
 */
export function describeEvents(s: Scenario, cleanRows?: CleanRows): (e: AnomalyEvent) => EventDescription {
  const key = seedKey(s.seed);
  const learned = hasLearnedKind(s) ? new LearnedEvents(key, cleanRows ?? (() => { throw new Error('unreachable: learned events described without clean rows'); }), s.baseDir) : undefined;
  // Variables with an anomalous definition switch to it on every anomalous row, whatever the kind.
  const defined = new Set(s.variables.filter((v) => v.anomalous !== null).map((v) => v.name));
  return (e) => {
    const spec = specOf(s.anomalies, e);
    if (!spec) return { variables: [...defined].join(','), params: null };
    const names = new Set([...defined, ...spec.variables]);
    const drawn = drawParams(spec, key, e.id, e.attempt ?? 0);
    const p = spec.kind === 'learned' ? { ...drawn, ...learnedFigures(learned!, spec, drawn, e) } : drawn;
    const sorted = Object.fromEntries(Object.keys(p).sort().map((k) => [k, p[k]]));
    return { variables: s.variables.filter((v) => names.has(v.name)).map((v) => v.name).join(','), params: JSON.stringify(sorted) };
  };
}
