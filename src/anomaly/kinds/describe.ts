/**
 * What the segment table says about each event: the variables it changes and, for events
 * of a kind, the parameters drawn for it (as canonical JSON).
 */
import { seedKey } from '../../random/counter.js';
import type { Scenario } from '../../model/types.js';
import type { AnomalyEvent } from '../events.js';
import { drawParams, specOf } from './params.js';

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

/** Describes events for the segment table (drawn parameters per event, as JSON). */
export function describeEvents(s: Scenario): (e: AnomalyEvent) => EventDescription {
  const key = seedKey(s.seed);
  // Variables with an anomalous definition switch to it on every anomalous row, whatever the kind.
  const defined = new Set(s.variables.filter((v) => v.anomalous !== null).map((v) => v.name));
  return (e) => {
    const spec = specOf(s.anomalies, e);
    if (!spec) return { variables: [...defined].join(','), params: null };
    const names = new Set([...defined, ...spec.variables]);
    const p = drawParams(spec, key, e.id);
    const sorted = Object.fromEntries(Object.keys(p).sort().map((k) => [k, p[k]]));
    return { variables: s.variables.filter((v) => names.has(v.name)).map((v) => v.name).join(','), params: JSON.stringify(sorted) };
  };
}
