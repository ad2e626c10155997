/**
 * What the manifest reports of a dataset's kept events (manifest.ts, `anomalies.realised`),
 * added up event by event as the segment table is written.
 */
import type { Segment } from '../anomaly/effect.js';
import type { Scenario } from '../model/types.js';

/**
 * What the manifest reports of a dataset's kept events, added up event by event (a
 * dataset may hold hundreds of millions of events: they are counted as they are written,
 * never held together).
 */
export interface EventTally {
  events: number;
  truncated: number;
  /** Labelled rows whose values equal the clean series. */
  unchanged: number;
  /** Events that settled on a later attempt (`min_effect`). */
  redrawn: number;
  /** Events dropped by `min_effect`. */
  dropped: number;
}

/** Adds `segments` (and `dropped` events) of `s` to `tally`; returns it. */
export function tallyEvents(s: Scenario, segments: readonly Segment[], dropped: number, tally: EventTally = { events: 0, truncated: 0, unchanged: 0, redrawn: 0, dropped: 0 }): EventTally {
  const a = s.anomalies;
  // Labelled rows of an event: its window, or with `label: changed` only its changed rows.
  const changedOnly = a.mode !== 'none' && a.label === 'changed';
  for (const seg of segments) {
    tally.events++;
    if (seg.event.truncated) tally.truncated++;
    tally.unchanged += (changedOnly ? seg.changedRows : seg.event.end - seg.event.start) - seg.changedRows;
    if ((seg.event.attempt ?? 0) > 0) tally.redrawn++;
  }
  tally.dropped += dropped;
  return tally;
}
