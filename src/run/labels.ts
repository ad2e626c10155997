/**
 * The dataset-wide label files, as finish writes them and verify regenerates them: the
 * segment table (every kept event, measured) and, for a fleet, the entity table. A fleet's
 * events are each entity's own, placed and described with the entity's scenario.
 */
import type { Table } from 'apache-arrow';
import { eventsOverlapping, eventsStartingIn, maxEventRows, type AnomalyEvent } from '../anomaly/events.js';
import { seedKey } from '../random/counter.js';
import type { Segment } from '../anomaly/effect.js';
import { describeEvents, type EventDescription } from '../anomaly/kinds/describe.js';
import { hits, outagesOverlapping } from '../fleet/outages.js';
import { endRow, firstRow, type Scenario } from '../model/types.js';
import { segmentTable } from '../dataset/segments.js';
import { cleanRowsOf } from '../generate/shard.js';
import { segmentsOf } from '../generate/event-outcome.js';
import { reachedFrom } from '../generate/label-margin.js';
import { entityStarts, type EntityStarts } from '../generate/fleet.js';
import { entityKey, entityName, entityScenario } from '../fleet/entity.js';

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
 * test split, with their rows or their label margin: `reachedFrom`). `starting`: the
 * shard's entities with events starting in it, as generating the shard found them
 * (generate/fleet.ts), instead of building each entity's scenario again.
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
  const from = first > 0 ? reachedFrom(s, first) : 0;
  const back = first > 0 ? maxEventRows(s.anomalies) : 0;
  return fleetShardSegments(s, { entityStart, entityEnd, rowStart: Math.max(0, from - back), rowEnd: endRow(s.timeline) }, first > 0 ? from : undefined);
}

/** A fleet's outages as segment table rows: each with the entities it hit (its effect is not measured: NaN). */
export function* outageRows(s: Scenario): Generator<{ segment: Segment; described: EventDescription; hit: string }> {
  const f = s.entities;
  if (!f?.outages) return;
  for (const o of outagesOverlapping(s, firstRow(s.timeline), endRow(s.timeline))) {
    const who: string[] = [];
    for (let e = 0; e < f.count; e++) if (hits(s, o, e)) who.push(entityName(f, e));
    yield {
      // Its rows in each entity it hit; one that hit none changed nothing.
      segment: { event: { ...o, id: o.label }, effect: { rms: NaN, max: NaN }, changedRows: who.length > 0 ? o.end - o.start : 0 },
      described: { variables: f.outages.variables.join(','), params: JSON.stringify({ ...(f.outages.kind === 'flat_line' ? {} : { amount: o.amount }), entities_hit: who.length, scope: 'fleet' }) },
      hit: who.join(','),
    };
  }
}

/**
 * The kept events of a dataset, how many were dropped, and the segment table. `settled`:
 * the events already measured (by the shards' workers; for a fleet, with their entities),
 * in any order of shards.
 */
export function datasetSegments(s: Scenario, settled?: MeasuredSegments): { segments: Segment[]; dropped: number; table: Table } {
  const f = s.entities;
  if (!f) {
    // A later stretch of the timeline lists the events starting in it, and one running into
    // it with its rows or its label margin.
    const first = firstRow(s.timeline);
    const end = endRow(s.timeline);
    const { segments, dropped } = settled ?? segmentsOf(s, eventsOverlapping(s, first > 0 ? reachedFrom(s, first) : 0, end));
    return { segments, dropped, table: segmentTable(s, segments, cleanRowsOf(s)) };
  }
  const measured = settled?.entities ? settled : fleetSegmentsFrom(s, 0, f.count);
  // Entity by entity, each in time order, however the shards were cut.
  const order = measured.segments.map((_, i) => i).sort((a, b) => measured.entities![a]! - measured.entities![b]! || measured.segments[a]!.event.start - measured.segments[b]!.event.start);
  const segments = order.map((i) => measured.segments[i]!);
  const described = order.map((i) => measured.described![i]!);
  const keys: Array<string | number | null> = order.map((i) => entityKey(f, measured.entities![i]!));
  const dropped = measured.dropped;
  const hit: Array<string | null> | undefined = f.outages ? keys.map(() => null) : undefined;
  for (const o of outageRows(s)) {
    segments.push(o.segment);
    described.push(o.described);
    keys.push(null);
    hit!.push(o.hit);
  }
  const table = segmentTable(s, segments, undefined, { key: f.key, names: f.names !== null, keys, described, ...(hit ? { hit } : {}) });
  return { segments, dropped, table };
}

/**
 * The segment table of a dataset in pieces of exactly `chunkRows` rows (the last one
 * shorter; one empty table when there are no events), in the order `datasetSegments`
 * gives its rows: events are placed and measured a stretch of rows at a time, entity by
 * entity for a fleet, then a fleet's outages. Memory is a piece, whatever the number of
 * events (count mode lists its events once, as placing them needs the whole timeline).
 */
export function* segmentTableChunks(s: Scenario, chunkRows: number): Generator<Table> {
  const f = s.entities;
  const first = firstRow(s.timeline);
  const end = endRow(s.timeline);
  const pending = { segments: [] as Segment[], described: [] as EventDescription[], keys: [] as Array<string | number | null>, hit: [] as Array<string | null> };
  let made = 0;
  const table = (n: number): Table => {
    const take = <T>(a: T[]) => a.splice(0, n);
    const segments = take(pending.segments);
    made++;
    if (!f) return segmentTable(s, segments, cleanRowsOf(s));
    const keys = take(pending.keys);
    const hit = take(pending.hit);
    return segmentTable(s, segments, undefined, { key: f.key, names: f.names !== null, keys, described: take(pending.described), ...(f.outages ? { hit } : {}) });
  };
  function* full(): Generator<Table> {
    while (pending.segments.length >= chunkRows) yield table(chunkRows);
  }
  if (!f) {
    // A later stretch of the timeline (a test split) lists the event running into it first.
    for (const seg of segmentsOf(s, eventsOverlapping(s, reachedFrom(s, first), first + 1).filter((e) => e.start < first)).segments) pending.segments.push(seg);
    for (const placed of placedInPieces(s, first, end, chunkRows)) {
      for (const seg of segmentsOf(s, placed).segments) pending.segments.push(seg);
      yield* full();
    }
  } else {
    const back = first > 0 ? maxEventRows(s.anomalies) : 0;
    const reaching = first > 0 ? reachedFrom(s, first) : undefined;
    for (let e = 0; e < f.count; e++) {
      const one = entityScenario(s, e);
      const key = entityKey(f, e);
      for (const placed of placedInPieces(one, Math.max(0, (reaching ?? 0) - back), end, chunkRows)) {
        const m = fleetShardSegments(s, { rowStart: 0, rowEnd: end }, reaching, [{ entity: e, scenario: one, placed }]);
        for (let i = 0; i < m.segments.length; i++) {
          pending.segments.push(m.segments[i]!);
          pending.described.push(m.described![i]!);
          pending.keys.push(key);
          pending.hit.push(null);
        }
        yield* full();
      }
    }
    for (const o of outageRows(s)) {
      pending.segments.push(o.segment);
      pending.described.push(o.described);
      pending.keys.push(null);
      pending.hit.push(o.hit);
      yield* full();
    }
  }
  if (pending.segments.length > 0 || made === 0) yield table(pending.segments.length);
}

/**
 * The events of `s` starting in rows [from, to), in start order, at most `n` at a time:
 * placed a stretch of 2n rows at a time (events start at least two rows apart, an event's
 * row and the normal row after it); count mode places its events over the whole timeline
 * at once and hands them on in pieces.
 */
function* placedInPieces(s: Scenario, from: number, to: number, n: number): Generator<AnomalyEvent[]> {
  const plan = s.anomalies;
  if (plan.mode === 'none') return;
  const key = seedKey(s.seed);
  const rows = endRow(s.timeline);
  if (plan.mode === 'count') {
    const all = eventsStartingIn(plan, key, rows, from, to);
    for (let i = 0; i < all.length; i += n) yield all.slice(i, i + n);
    return;
  }
  for (let r = from; r < to; r += 2 * n) {
    const placed = eventsStartingIn(plan, key, rows, r, Math.min(to, r + 2 * n));
    if (placed.length > 0) yield placed;
  }
}
