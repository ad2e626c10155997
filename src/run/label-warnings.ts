/**
 * The warning a finished run prints when its labels mark rows a detector could not tell
 * from the clean series (counted while the segment table is written).
 */
import type { Manifest } from '../dataset/manifest.js';

/** Share of labelled rows that may equal the clean series before generate warns. */
const UNCHANGED_WARNING_SHARE = 0.05;

/** A warning when too many labelled rows are identical to the clean series. */
export function labelWarnings(m: Manifest): string[] {
  const r = m.anomalies.realised;
  if (r.unchanged_rows <= 0 || r.anomalous_rows <= 0 || r.unchanged_rows <= UNCHANGED_WARNING_SHARE * r.anomalous_rows) return [];
  const pct = ((100 * r.unchanged_rows) / r.anomalous_rows).toFixed(1);
  // With min_effect every event is visible as a whole; the unchanged rows are parts of events.
  const fix = m.anomalies.min_effect ? 'Set anomalies.label: changed to label only the rows an event changed' : 'Set anomalies.min_effect to redraw weak events, or anomalies.label: changed to label only changed rows';
  return [
    `${pct}% of labelled rows (${r.unchanged_rows} of ${r.anomalous_rows}) hold the same values as the series without anomalies: their label marks no change a detector could see. ${fix} (effect per event: effect_rms, effect_max and changed_rows in ${m.anomalies.segments_file}).`,
  ];
}
