/**
 * `validate`'s dry run of a scenario's callbacks: a module that imports cleanly may still
 * throw (or return a value its column cannot hold) on its first call, which only a call
 * shows. The first rows of the timeline are generated in memory (a fleet: its first
 * entity's), and the first rows of the first event near the start, so that `anomalous`
 * exports (and callbacks reading `ctx.event`) are called too. Nothing is written.
 */
import { eventsOverlapping } from '../anomaly/events.js';
import { entityScenario } from '../fleet/entity.js';
import { generateShard } from '../generate/shard.js';
import { endRow, type Scenario } from '../model/types.js';
import { EPOCH_ROWS } from '../format.js';

/** Rows of the timeline's start (and of its first event) that the dry run generates. */
const DRY_RUN_ROWS = 64;

/** How far from the start the dry run looks for an event to call `anomalous` exports on. */
const EVENT_SEARCH_ROWS = 4 * EPOCH_ROWS;

/** The row ranges the dry run generates: the timeline's first rows, then its first event's (if one starts near the start). */
export function dryRunRanges(s: Scenario): Array<[number, number]> {
  const start = s.timeline.offset ?? 0;
  const end = endRow(s.timeline);
  const ranges: Array<[number, number]> = [[start, Math.min(end, start + DRY_RUN_ROWS)]];
  if (s.anomalies.mode !== 'none') {
    const events = eventsOverlapping(s, start, Math.min(end, start + EVENT_SEARCH_ROWS));
    const first = events[0];
    // An event among the first rows is called there already.
    if (first && first.start >= start + DRY_RUN_ROWS) ranges.push([first.start, Math.min(first.end, first.start + DRY_RUN_ROWS)]);
  }
  return ranges.filter(([a, b]) => b > a);
}

/**
 * Calls every callback of a loaded scenario (prepareScenario) on the dry run's rows; a
 * callback's failure is thrown as generation would throw it (CALLBACK_FAILED, naming the
 * variable, module and row).
 */
export function dryRunCallbacks(s: Scenario): void {
  if (!s.variables.some((v) => v.type === 'callback')) return;
  const one = dryRunScenario(s);
  for (const [from, to] of dryRunRanges(one)) generateShard(one, from, to);
}

/** The one series the dry run generates: the scenario, or a fleet's first entity. */
export function dryRunScenario(s: Scenario): Scenario {
  return s.entities ? entityScenario(s, 0) : s;
}
