/**
 * What a dataset's event windows leave out. With `anomalies.label_margin`, `is_anomaly`
 * marks rows around each event as well, while the segment table's windows are the events'
 * own rows: the window metrics then count alarms on margin rows as false alarms, so the
 * labels' description says so, and which windows would include them.
 */
import type { Manifest } from '../dataset/manifest.js';

/** Text added to a dataset's label description when its windows leave out labelled margins; '' otherwise. */
export function marginNote(m: Manifest): string {
  const a = m.scenario.anomalies;
  const margin = a.mode === 'none' ? undefined : a.labelMargin;
  if (!margin) return '';
  return `; is_anomaly also marks the label_margin [${margin[0]}, ${margin[1]}] rows around each event, which these windows leave out: --windows runs scores the labelled runs`;
}
