/**
 * The events of a fleet whose shard order is not its segment table's order (time-major,
 * grown, a later stretch of the timeline), put in that order with bounded memory. The table
 * lists a fleet's events entity by entity, each entity's by start row; events of one entity
 * starting on one row (none are known to) keep the order in which the shards come in the
 * plan. The events the workers measured go, as their shards end, into an external sort
 * (external-sort.ts) whose sorted runs are temporaries of the run beside its segment table;
 * at the end the events running into a test split and those of shards no worker measured
 * (kept from an earlier run) are measured here, and the merged runs are handed to the
 * segment table file (segment-file.ts) a page at a time. The bytes are those of the whole
 * table sorted at once.
 */
import { maxEventRows } from '../anomaly/events.js';
import type { Segment } from '../anomaly/effect.js';
import type { EventDescription } from '../anomaly/kinds/describe.js';
import type { EventTally } from '../dataset/event-tally.js';
import { reachedFrom } from '../generate/label-margin.js';
import { firstRow, type Scenario } from '../model/types.js';
import type { GenerationPlan } from '../plan/planner.js';
import { prepareScenario } from '../variables/registry.js';
import { ExternalSort } from './external-sort.js';
import { fleetShardSegments, type MeasuredSegments } from './labels.js';
import type { SegmentFile } from './segment-file.js';
import { SegmentFeed, type ShardEvents } from './segment-feed.js';

/** Events held in memory before a sorted run of them is written beside the table. */
const SPILL_EVENTS = 50_000;
/** Events handed to the table file at once. */
const BATCH = 4096;

/**
 * Events a fleet's segment table sort holds before it writes a run:
 * PARANOM_SEGMENT_SPILL_EVENTS (a whole number, at least 1), else 50,000.
 */
export function segmentSpillEvents(): number {
  const raw = Number(process.env['PARANOM_SEGMENT_SPILL_EVENTS']);
  return Number.isSafeInteger(raw) && raw >= 1 ? raw : SPILL_EVENTS;
}

/** One event of the table: where it sorts, and what its row holds. */
interface EventRecord {
  entity: number;
  start: number;
  /** Position of its shard in the plan (-1: events running into a test split), then in its shard's events. */
  shard: number;
  at: number;
  segment: Segment;
  described: EventDescription;
}

const tableOrder = (a: EventRecord, b: EventRecord): number => a.entity - b.entity || a.start - b.start || a.shard - b.shard || a.at - b.at;

/** Feeds a fleet's events to its segment table file sorted into the table's order. */
export class SortedSegmentFeed {
  private readonly sort: ExternalSort<EventRecord>;
  /** A shard's position in the plan, by its index. */
  private readonly position = new Map<number, number>();
  /** Shards whose worker measured their events. */
  private readonly measured = new Set<number>();
  private dropped = 0;

  constructor(
    private readonly scenario: Scenario,
    private readonly plan: GenerationPlan,
    private readonly file: SegmentFile,
    /** The segment table's path in the output directory: the sorted runs are its temporaries. */
    beside: string,
    spillEvents = segmentSpillEvents(),
  ) {
    plan.shards.forEach((s, i) => this.position.set(s.index, i));
    this.sort = new ExternalSort(beside, tableOrder, spillEvents);
  }

  /** Sorted runs written so far. */
  get spilled(): number {
    return this.sort.spilled;
  }

  /** Shard `index` ended with these events (`null`: measured here at the end). */
  put(index: number, events: ShardEvents): void {
    if (!events) return;
    this.measured.add(index);
    this.add(this.position.get(index)!, events);
  }

  /** Measures what no worker did, writes the events in order, ends the file; the events' figures. */
  async finish(): Promise<EventTally> {
    const s = this.scenario;
    const first = firstRow(s.timeline);
    const here = this.plan.shards.filter((sh) => !this.measured.has(sh.index));
    // Measuring events generates rows on this thread; a learned event's figures come from its clean context.
    if (here.length > 0 || SegmentFeed.needsPreparing(s)) await prepareScenario(s);
    // A later stretch of the timeline (a test split) lists the events running into it too,
    // with their rows or their label margin.
    const from = reachedFrom(s, first);
    if (first > 0) this.add(-1, fleetShardSegments(s, { entityStart: 0, entityEnd: s.entities!.count, rowStart: Math.max(0, from - maxEventRows(s.anomalies)), rowEnd: first }, from));
    for (const sh of here) this.add(this.position.get(sh.index)!, fleetShardSegments(s, sh));
    let batch = empty(this.dropped);
    for (const r of this.sort.sorted()) {
      batch.segments.push(r.segment);
      batch.entities.push(r.entity);
      batch.described.push(r.described);
      if (batch.segments.length === BATCH) {
        this.file.add(batch);
        batch = empty(0);
      }
    }
    this.file.add(batch);
    return this.file.end();
  }

  /** Leaves no file behind (a failed or interrupted run). */
  abandon(): void {
    this.sort.remove();
    this.file.abandon();
  }

  private add(shard: number, m: MeasuredSegments): void {
    this.dropped += m.dropped;
    for (let at = 0; at < m.segments.length; at++) {
      const segment = m.segments[at]!;
      this.sort.add({ entity: m.entities![at]!, start: segment.event.start, shard, at, segment, described: m.described![at]! });
    }
  }
}

function empty(dropped: number): Required<MeasuredSegments> {
  return { segments: [], dropped, entities: [], described: [] };
}
