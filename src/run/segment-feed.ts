/**
 * The events of a dataset's shards, handed to its segment table file (segment-file.ts) in
 * shard order as the shards end: a shard that ends before an earlier one waits for its
 * turn, and is written then. What the workers measured is thus written while the run goes
 * on, never kept until its end; memory is the shards that ended out of order (a few, with
 * a few workers). Shards whose events no worker measured (kept from an earlier run) are
 * measured here, on the main thread, in their turn.
 *
 * A fleet's table lists its events entity by entity, each entity's in start order, as a
 * shard's measured events already come (run/labels.ts, `fleetShardSegments`). Shard order
 * gives that order across shards when every shard's entities come after the previous
 * shard's, or continue its one entity's rows (`SegmentFeed.streams`), as an entity-major
 * plan of a fresh fleet does. Other fleets (time-major, grown, a later stretch of the
 * timeline) keep their events until the end and sort them there (finish.ts).
 */
import { eventsOverlapping } from '../anomaly/events.js';
import { segmentsOf } from '../generate/event-outcome.js';
import { reachedFrom } from '../generate/label-margin.js';
import { firstRow, type Scenario } from '../model/types.js';
import type { GenerationPlan, ShardPlan } from '../plan/planner.js';
import { prepareScenario } from '../variables/registry.js';
import type { EventTally } from '../dataset/event-tally.js';
import { fleetShardSegments, type MeasuredSegments } from './labels.js';
import type { SegmentFile } from './segment-file.js';
import { shardSegments } from './shard-task.js';

/** A shard's events measured by its worker, or `null`: measure them here. */
export type ShardEvents = MeasuredSegments | null;

/** Feeds a dataset's events to its segment table file in shard order. */
export class SegmentFeed {
  /** Position in the plan's shards of the next shard to write. */
  private next = 0;
  private readonly waiting = new Map<number, ShardEvents>();
  private started = false;
  /** The table's figures of a learned event come from its clean context: only once prepared. */
  private readonly learned: boolean;

  constructor(
    private readonly scenario: Scenario,
    private readonly plan: GenerationPlan,
    private readonly file: SegmentFile,
    /** The scenario's variables are loaded (`prepareScenario`): events can be measured on this thread. */
    private prepared = false,
  ) {
    this.learned = learnedEvents(scenario);
  }

  /**
   * Whether a feed of `s` must be prepared before it writes anything: a test split's
   * run-in events are measured, and learned events described, on this thread. (A shard
   * kept from an earlier run needs it too, in its turn.)
   */
  static needsPreparing(s: Scenario): boolean {
    return learnedEvents(s) || firstRow(s.timeline) > 0;
  }

  /**
   * Whether the shard order of `plan` is the segment table's order: always for a single
   * series; for a fleet, when no event runs in from before its first row and each shard
   * holds entities after the previous shard's, or the next rows of its one entity.
   */
  static streams(s: Scenario, plan: GenerationPlan): boolean {
    if (!s.entities) return true;
    if (firstRow(s.timeline) > 0) return false;
    return plan.shards.every((b, i) => i === 0 || follows(plan.shards[i - 1]!, b));
  }

  /**
   * Loads what measuring events here needs (the variables' files and modules); until then
   * the feed waits at the first shard it would measure itself.
   */
  async prepare(): Promise<void> {
    if (this.prepared) return;
    await prepareScenario(this.scenario);
    this.prepared = true;
  }

  /** Shard `index` ended with these events; writes every shard whose turn has come. */
  put(index: number, events: ShardEvents): void {
    this.waiting.set(index, events);
    this.drain();
  }

  /** Shards that ended before their turn, held until it comes. */
  get held(): number {
    return this.waiting.size;
  }

  /** Writes the rest (measuring here what no worker did), ends the file; the events' figures. */
  async finish(): Promise<EventTally> {
    const rest = this.plan.shards.slice(this.next);
    for (const s of rest) if (!this.waiting.has(s.index)) this.waiting.set(s.index, null);
    if (SegmentFeed.needsPreparing(this.scenario) || rest.some((s) => !this.waiting.get(s.index))) await this.prepare();
    this.drain();
    return this.file.end();
  }

  /** Leaves no file behind (a failed or interrupted run). */
  abandon(): void {
    this.waiting.clear();
    this.file.abandon();
  }

  private drain(): void {
    const s = this.scenario;
    if (this.learned && !this.prepared) return;
    if (!this.started) {
      // A later stretch of the timeline (a test split) lists the events running into it
      // first, with their rows or their label margin.
      const first = firstRow(s.timeline);
      if (first > 0) {
        if (!this.prepared) return;
        const runIn = segmentsOf(s, eventsOverlapping(s, reachedFrom(s, first), first + 1).filter((e) => e.start < first));
        this.file.add(runIn);
      }
      this.started = true;
    }
    const shards = this.plan.shards;
    while (this.next < shards.length) {
      const shard = shards[this.next]!;
      if (!this.waiting.has(shard.index)) return;
      let m = this.waiting.get(shard.index)!;
      if (!m) {
        if (!this.prepared) return;
        m = s.entities ? fleetShardSegments(s, shard) : shardSegments(s, shard.rowStart, shard.rowEnd);
      }
      this.waiting.delete(shard.index);
      this.file.add(m);
      this.next++;
    }
  }
}

/** Whether fleet shard `b`'s events come after all of `a`'s in the table's entity-major order. */
function follows(a: ShardPlan, b: ShardPlan): boolean {
  if (a.entityEnd! <= b.entityStart!) return true;
  const oneEntity = a.entityEnd! - a.entityStart! === 1;
  return oneEntity && b.entityStart === a.entityStart && b.entityEnd === a.entityEnd && a.rowEnd <= b.rowStart;
}

function learnedEvents(s: Scenario): boolean {
  const a = s.anomalies;
  return a.mode !== 'none' && (a.kinds?.some((k) => k.kind === 'learned') ?? false);
}
