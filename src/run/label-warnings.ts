/**
 * The warning a finished run prints when its labels mark rows a detector could not tell
 * from the clean series (counted while the segment table is written).
 */
import type { Manifest } from '../dataset/manifest.js';
import type { Scenario } from '../model/types.js';
import { twinnedVariables } from '../anomaly/kinds/clean-twin.js';
import { measuredBesideUniqueness } from '../uniqueness/validate.js';

/** Share of labelled rows that may equal the clean series before generate warns. */
const UNCHANGED_WARNING_SHARE = 0.05;

/**
 * A scenario whose events can change no variable (none has an `anomalous` definition, no
 * kind targets one, no callback or vae variable sees the event, no outage): its labels
 * would mark rows that are normal. A likely slip (an `anomalous` left out), so `validate`
 * says it before a run; it is not refused, as a labels-only dataset is a valid request.
 */
export function inertAnomalies(s: Pick<Scenario, 'anomalies' | 'variables' | 'entities'>): string | null {
  if (s.anomalies.mode === 'none' || twinnedVariables(s).length > 0) return null;
  return 'anomalies are placed and labelled, but no variable can change at an event: none has an `anomalous` definition, anomalies.kinds is not set, and there is no callback or vae variable, so every labelled row holds a normal value. Give the variables a detector should see change an `anomalous` definition, or list anomalies.kinds';
}

/** A warning when too many labelled rows are identical to the clean series. */
export function labelWarnings(m: Manifest, s?: Pick<Scenario, 'anomalies' | 'variables' | 'entities' | 'uniqueness'>): string[] {
  const r = m.anomalies.realised;
  const inert = s && r.anomalous_rows > 0 ? inertAnomalies(s) : null;
  if (inert) return [inert + '.'];
  if (r.unchanged_rows <= 0 || r.anomalous_rows <= 0 || r.unchanged_rows <= UNCHANGED_WARNING_SHARE * r.anomalous_rows) return [];
  const pct = ((100 * r.unchanged_rows) / r.anomalous_rows).toFixed(1);
  // With min_effect every event is visible as a whole; the unchanged rows are parts of events.
  // Beside uniqueness both remedies run only where events can be measured without the keys'
  // attempts (uniqueness/validate.ts): else advise what runs there.
  const fix =
    s?.uniqueness && measuredBesideUniqueness(s.uniqueness, s.variables) !== undefined
      ? 'anomalies.min_effect and label: changed, which would redraw weak events or label only changed rows, cannot run beside this uniqueness (validate says why): choose kinds and sizes that change every row they cover (a flat_line or dropout on a stretch that is already flat changes nothing)'
      : m.anomalies.min_effect
      ? 'Set anomalies.label: changed to label only the rows an event changed'
      : 'Set anomalies.min_effect to redraw weak events, or anomalies.label: changed to label only changed rows';
  return [
    `${pct}% of labelled rows (${r.unchanged_rows} of ${r.anomalous_rows}) hold the same values as the series without anomalies: their label marks no change a detector could see. ${fix} (effect per event: effect_rms, effect_max and changed_rows in ${m.anomalies.segments_file}).`,
  ];
}
