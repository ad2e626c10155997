/**
 * `anomalies.label_margin`: rows labelled anomalous before and after each kept event,
 * besides the event's own labelled rows, the way benchmarks that label a window around
 * each anomaly (NAB, for one) mark their data. Values never change, nor the segment
 * table (each event keeps its own rows); a margin row carries the `anomaly_id` of the
 * event it surrounds (the later event where two margins meet), so it joins to that
 * event's segment row.
 *
 * A margin can reach into a shard the event does not overlap, so the labels of rows
 * [rowStart, rowEnd) are computed from the events that start within reach of them — the
 * same events in every shard layout (D2). Events are placed on the timeline without its
 * end: the last `before` rows of a dataset carry the margin of an event that starts after
 * them, exactly as a longer dataset labels them, so growth keeps every row (D3). Count
 * mode places events over the whole timeline and is not growth-stable anyway: its events
 * are those of the dataset.
 */
import { eventsStartingIn, maxEventRows } from '../anomaly/events.js';
import { seedKey } from '../random/counter.js';
import { endRow, type Scenario } from '../model/types.js';
import { putInt64 } from '../columns/columns.js';
import { eventOutcome, measuresEvents } from './event-outcome.js';
import type { ShardColumns } from './rows.js';

/**
 * The row from which events reach a stretch of the timeline starting at row `first` (a test
 * split, a stream from `--start-at`): an event that ends after it runs into the stretch with
 * its own rows or with its after-margin's labels, so the stretch's segment table lists it
 * (a row labelled for an event joins to its segment row).
 */
export function reachedFrom(scenario: Scenario, first: number): number {
  const a = scenario.anomalies;
  return first - (a.mode === 'none' ? 0 : (a.labelMargin?.[1] ?? 0));
}

/**
 * Labels the margins of every kept event in the columns of rows [rowStart, rowEnd):
 * `isAnomaly` 1 and the event's id. Near misses (`min_effect.below: normal`) and dropped
 * events get no margin.
 */
export function applyLabelMargin(scenario: Scenario, rowStart: number, rowEnd: number, columns: Pick<ShardColumns, 'isAnomaly' | 'anomalyId'>): void {
  const a = scenario.anomalies;
  if (a.mode === 'none' || !a.labelMargin) return;
  const [before, after] = a.labelMargin;
  const timelineRows = a.mode === 'count' ? endRow(scenario.timeline) : Infinity;
  const from = rowStart - after - maxEventRows(a);
  const placed = eventsStartingIn(a, seedKey(scenario.seed), timelineRows, from, rowEnd + before);
  const settles = measuresEvents(scenario);
  const kept = placed.map((p) => (settles ? eventOutcome(scenario, p) : { event: p, kept: true })).filter((o) => o.kept).map((o) => o.event);
  const fill = (a: number, b: number, id: number): void => {
    for (let row = Math.max(a, rowStart); row < Math.min(b, rowEnd); row++) {
      columns.isAnomaly[row - rowStart] = 1;
      putInt64(columns.anomalyId, row - rowStart, id);
    }
  };
  for (const e of kept) {
    // The event's nominal end, not one cut at the dataset's last row: growth moves no margin.
    fill(e.start - before, e.start, e.id);
    fill(e.start + e.duration, e.start + e.duration + after, e.id);
  }
  // A margin reaching into a neighbouring event leaves that event's rows its own id.
  for (const e of kept) {
    for (let row = Math.max(e.start, rowStart); row < Math.min(e.start + e.duration, rowEnd); row++) putInt64(columns.anomalyId, row - rowStart, e.id);
  }
}
