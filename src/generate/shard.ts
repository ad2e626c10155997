/**
 * Generation of one shard: rows [rowStart, rowEnd) of the timeline. The events overlapping
 * the rows are placed (anomaly/events.ts), settled when the scenario measures them
 * (generate/event-outcome.ts), and the rows generated with them (generate/rows.ts).
 */
import { eventsOverlapping } from '../anomaly/events.js';
import type { Scenario } from '../model/types.js';
import type { ColumnArena } from '../columns/columns.js';
import { eventOutcome, measuresEvents } from './event-outcome.js';
import { generateRows, type Retries, type ShardColumns } from './rows.js';

export { cleanRowsOf, retriesIn, type Retries, type ShardColumns } from './rows.js';

/**
 * Generates rows [rowStart, rowEnd). With an `arena` (a worker's reused buffers) the
 * returned columns live in the arena and are valid until its next reset; values are the
 * same either way. Events are placed, then settled (`min_effect` redraws, drops) and, with
 * `label: changed`, the labels narrowed to the rows the events changed (event-outcome.ts).
 */
export function generateShard(scenario: Scenario, rowStart: number, rowEnd: number, retries?: Retries, arena?: ColumnArena): ShardColumns {
  const placed = eventsOverlapping(scenario, rowStart, rowEnd);
  if (!measuresEvents(scenario)) return generateRows(scenario, rowStart, rowEnd, placed, retries, arena);
  const outcomes = placed.map((e) => eventOutcome(scenario, e)).filter((o) => o.kept);
  const columns = generateRows(scenario, rowStart, rowEnd, outcomes.map((o) => o.event), retries, arena);
  if (scenario.anomalies.mode !== 'none' && scenario.anomalies.label === 'changed') {
    // Values are final: the window mask that anomalous definitions read is no longer needed.
    for (const o of outcomes) {
      const e = o.event;
      for (let row = Math.max(e.start, rowStart); row < Math.min(e.end, rowEnd); row++) columns.isAnomaly[row - rowStart] = o.changed[row - e.start]!;
    }
  }
  return columns;
}

