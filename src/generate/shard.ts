/**
 * Generation of one shard: rows [rowStart, rowEnd) of the timeline. The events overlapping
 * the rows are placed (anomaly/events.ts), settled when the scenario measures them
 * (generate/event-outcome.ts), and the rows generated with them (generate/rows.ts).
 */
import { eventsOverlapping, type AnomalyEvent } from '../anomaly/events.js';
import type { Scenario } from '../model/types.js';
import type { ColumnArena } from '../columns/columns.js';
import { eventOutcome, measuresEvents } from './event-outcome.js';
import { generateRows, type PipelineSlot, type Retries, type ShardColumns } from './rows.js';
import { putInt64 } from '../columns/columns.js';
import { applyLabelMargin } from './label-margin.js';

export { cleanRowsOf, retriesIn, timestampsOf, type PipelineSlot, type Retries, type ShardColumns } from './rows.js';

/**
 * What a caller already has for a shard's rows: the events placed over them (as
 * `eventsOverlapping` gives them), their timestamp column (generateRows' `timestamps`) and
 * the pipeline of the fleet shard's earlier entities.
 */
export interface ShardGiven {
  placed?: AnomalyEvent[] | undefined;
  timestamps?: Int32Array | undefined;
  /** The pipeline a fleet shard's entities share (generateRows' `slot`). */
  pipeline?: PipelineSlot | undefined;
}

/**
 * Generates rows [rowStart, rowEnd). With an `arena` (a worker's reused buffers) the
 * returned columns live in the arena and are valid until its next reset; values are the
 * same either way. Events are placed, then settled (`min_effect` redraws, drops or near
 * misses kept as normal rows) and, with `label: changed`, the labels narrowed to the rows
 * the events changed (event-outcome.ts); last, `label_margin` labels rows around each
 * event (label-margin.ts).
 */
export function generateShard(scenario: Scenario, rowStart: number, rowEnd: number, retries?: Retries, arena?: ColumnArena, given?: ShardGiven): ShardColumns {
  const columns = settledShard(scenario, rowStart, rowEnd, retries, arena, given);
  // Values are final: margins only add labels.
  applyLabelMargin(scenario, rowStart, rowEnd, columns);
  return columns;
}

function settledShard(scenario: Scenario, rowStart: number, rowEnd: number, retries?: Retries, arena?: ColumnArena, given?: ShardGiven): ShardColumns {
  const placed = given?.placed ?? eventsOverlapping(scenario, rowStart, rowEnd);
  if (!measuresEvents(scenario)) return generateRows(scenario, rowStart, rowEnd, placed, retries, arena, given?.timestamps, given?.pipeline);
  const a = scenario.anomalies;
  const settled = placed.map((e) => eventOutcome(scenario, e));
  const outcomes = settled.filter((o) => o.kept);
  // With `min_effect.below: normal` an event left below the bar is generated all the same
  // (its first attempt, the placed event) and its rows relabelled normal below.
  const nearMisses = a.mode !== 'none' && a.minEffect?.below === 'normal' ? settled.filter((o) => !o.kept) : [];
  const generated = nearMisses.length === 0 ? outcomes.map((o) => o.event) : settled.map((o) => o.event);
  const columns = generateRows(scenario, rowStart, rowEnd, generated, retries, arena, given?.timestamps, given?.pipeline);
  for (const o of nearMisses) {
    for (let row = Math.max(o.event.start, rowStart); row < Math.min(o.event.end, rowEnd); row++) {
      columns.isAnomaly[row - rowStart] = 0;
      putInt64(columns.anomalyId, row - rowStart, 0);
    }
  }
  if (a.mode !== 'none' && a.label === 'changed') {
    // Values are final: the window mask that anomalous definitions read is no longer needed.
    for (const o of outcomes) {
      const e = o.event;
      for (let row = Math.max(e.start, rowStart); row < Math.min(e.end, rowEnd); row++) columns.isAnomaly[row - rowStart] = o.changed[row - e.start]!;
    }
  }
  return columns;
}

