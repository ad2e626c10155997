/**
 * The dataset-wide label files, as finish writes them and verify regenerates them: the
 * segment table (every kept event, measured) and, for a fleet, the entity table. A fleet's
 * events are each entity's own, placed and described with the entity's scenario.
 */
import type { Table } from 'apache-arrow';
import { eventsOverlapping, maxEventRows } from '../anomaly/events.js';
import type { Segment } from '../anomaly/effect.js';
import { describeEvents, type EventDescription } from '../anomaly/kinds/describe.js';
import { hits, outagesOverlapping } from '../fleet/outages.js';
import { endRow, firstRow, type Scenario } from '../model/types.js';
import { segmentTable } from '../dataset/segments.js';
import { cleanRowsOf } from '../generate/shard.js';
import { segmentsOf } from '../generate/event-outcome.js';
import { entityStarts, type EntityStarts } from '../generate/fleet.js';
import { entityName, entityScenario } from '../fleet/entity.js';

/** Measured events of some rows: the segments, and for a fleet each one's entity and description. */
export interface MeasuredSegments {
  segments: Segment[];
  /** Events dropped by `min_effect`. */
  dropped: number;
  /** A fleet: the entity of each segment, and its description made with the entity's scenario. */
  entities?: number[];
  described?: EventDescription[];
}

/**
 * A fleet shard's events (those starting in its rows, entity by entity), measured and
 * described; with `reaching`, only those that end after that row (events running into a
 * test split). `starting`: the shard's entities with events starting in it, as generating
 * the shard found them (generate/fleet.ts), instead of building each entity's scenario again.
 */
export function fleetShardSegments(s: Scenario, shard: { entityStart?: number | undefined; entityEnd?: number | undefined; rowStart: number; rowEnd: number }, reaching?: number, starting?: Iterable<EntityStarts>): MeasuredSegments {
  const out: Required<MeasuredSegments> = { segments: [], dropped: 0, entities: [], described: [] };
  for (const { entity: e, scenario: one, placed } of starting ?? entitiesStarting(s, shard.entityStart!, shard.entityEnd!, shard.rowStart, shard.rowEnd)) {
    const settled = segmentsOf(one, reaching === undefined ? placed : placed.filter((ev) => ev.end > reaching));
    out.dropped += settled.dropped;
    if (settled.segments.length === 0) continue;
    const describe = describeEvents(one, cleanRowsOf(one));
    for (const seg of settled.segments) {
      out.segments.push(seg);
      out.entities.push(e);
      out.described.push(describe(seg.event));
    }
  }
  return out;
}

/** Entities [from, to) whose events start in rows [rowStart, rowEnd), one at a time. */
function* entitiesStarting(s: Scenario, from: number, to: number, rowStart: number, rowEnd: number): Generator<EntityStarts> {
  for (let e = from; e < to; e++) {
    const st = entityStarts(e, entityScenario(s, e), rowStart, rowEnd);
    if (st) yield st;
  }
}

/** The events of entities [from, to) that reach the dataset's rows: a test split's run-in events too. */
function fleetSegmentsFrom(s: Scenario, entityStart: number, entityEnd: number): MeasuredSegments {
  const first = firstRow(s.timeline);
  const back = first > 0 ? maxEventRows(s.anomalies) : 0;
  return fleetShardSegments(s, { entityStart, entityEnd, rowStart: Math.max(0, first - back), rowEnd: endRow(s.timeline) }, first > 0 ? first : undefined);
}

/**
 * The kept events of a dataset, how many were dropped, and the segment table. `settled`:
 * the events already measured (by the shards' workers; for a fleet, with their entities),
 * in any order of shards.
 */
export function datasetSegments(s: Scenario, settled?: MeasuredSegments): { segments: Segment[]; dropped: number; table: Table } {
  const f = s.entities;
  if (!f) {
    // A later stretch of the timeline lists the events starting in it, and one running into it.
    const from = firstRow(s.timeline);
    const end = endRow(s.timeline);
    const { segments, dropped } = settled ?? segmentsOf(s, eventsOverlapping(s, from, end));
    return { segments, dropped, table: segmentTable(s, segments, cleanRowsOf(s)) };
  }
  const measured = settled?.entities ? settled : fleetSegmentsFrom(s, 0, f.count);
  // Entity by entity, each in time order, however the shards were cut.
  const order = measured.segments.map((_, i) => i).sort((a, b) => measured.entities![a]! - measured.entities![b]! || measured.segments[a]!.event.start - measured.segments[b]!.event.start);
  const segments = order.map((i) => measured.segments[i]!);
  const described = order.map((i) => measured.described![i]!);
  const keys: Array<string | number | null> = order.map((i) => (f.names ? entityName(f, measured.entities![i]!) : measured.entities![i]!));
  const dropped = measured.dropped;
  const hit: Array<string | null> | undefined = f.outages ? keys.map(() => null) : undefined;
  if (f.outages) {
    // One row per outage, with the entities it hit (its effect is not measured: NaN).
    for (const o of outagesOverlapping(s, firstRow(s.timeline), endRow(s.timeline))) {
      const who: string[] = [];
      for (let e = 0; e < f.count; e++) if (hits(s, o, e)) who.push(entityName(f, e));
      segments.push({ event: { ...o, id: o.label }, effect: { rms: NaN, max: NaN }, changedRows: o.end - o.start });
      described.push({ variables: f.outages.variables.join(','), params: JSON.stringify({ ...(f.outages.kind === 'flat_line' ? {} : { amount: o.amount }), entities_hit: who.length, scope: 'fleet' }) });
      keys.push(null);
      hit!.push(who.join(','));
    }
  }
  const table = segmentTable(s, segments, undefined, { key: f.key, names: f.names !== null, keys, described, ...(hit ? { hit } : {}) });
  return { segments, dropped, table };
}
