/**
 * The dataset-wide files a run writes last: the segment table (whole datasets only) and
 * the manifest. A staged run writes both under their pending names; its commit renames them.
 * The segment table is written a piece at a time as the shards' events come (segment-feed.ts,
 * segment-file.ts); a fleet's lists its events entity by entity, and when its shard order is
 * not that order (time-major, grown, a later stretch of the timeline) it is sorted and
 * written whole here.
 */
import { join } from 'node:path';
import { endRow, firstRow, type Scenario } from '../model/types.js';
import { maxEventRows } from '../anomaly/events.js';
import type { GenerationPlan } from '../plan/planner.js';
import type { Part } from '../plan/parts.js';
import { tallyEvents, type EventTally } from '../dataset/event-tally.js';
import { anomalySummary, buildManifest, ENTITIES_FILE, MANIFEST_FILE, SEGMENTS_FILE, writeManifest, type Manifest, type ManifestShard, type UniquenessSummary } from '../dataset/manifest.js';
import { encodeParquet, type ParquetCompression } from '../formats/parquet.js';
import { entityTable } from '../dataset/entities.js';
import { datasetSegments, fleetShardSegments } from './labels.js';
import type { EventDescription } from '../anomaly/kinds/describe.js';
import { shardMetadata } from '../dataset/provenance.js';
import { writeFileAtomic } from '../formats/files.js';
import { prepareScenario } from '../variables/registry.js';
import type { Resolution } from '../uniqueness/resolve.js';
import { partManifestFile, PENDING_SUFFIX } from './state.js';
import type { ShardSegments } from './shard-task.js';
import type { Segment } from '../anomaly/effect.js';
import { SegmentFile } from './segment-file.js';
import { SegmentFeed } from './segment-feed.js';

/**
 * A fleet's events, all together (the segment table orders them entity by entity): those
 * of the entities' stretch before a test split that run into it, then shard by shard those
 * the workers measured (`measured`, by shard index) or, for shards kept from an earlier
 * run, measured here, on the main thread.
 */
function allSegments(scenario: Scenario, plan: GenerationPlan, measured: ReadonlyMap<number, ShardSegments>): ShardSegments {
  const f = scenario.entities!;
  const first = firstRow(scenario.timeline);
  const segments: Segment[] = [];
  let dropped = 0;
  const entities: number[] = [];
  const described: EventDescription[] = [];
  const runIn = first > 0 ? [fleetShardSegments(scenario, { entityStart: 0, entityEnd: f.count, rowStart: Math.max(0, first - maxEventRows(scenario.anomalies)), rowEnd: first }, first)] : [];
  for (const m of [...runIn, ...plan.shards.map((s) => measured.get(s.index) ?? fleetShardSegments(scenario, s))]) {
    for (const x of m.segments) segments.push(x);
    for (const x of m.entities ?? []) entities.push(x);
    for (const x of m.described ?? []) described.push(x);
    dropped += m.dropped;
  }
  return { segments, dropped, entities, described };
}

/** The provenance of the dataset-wide table files: the whole dataset's rows. */
function tableMetadata(scenario: Scenario): Map<string, string> {
  return shardMetadata(scenario, { index: -1, rowStart: firstRow(scenario.timeline), rowEnd: endRow(scenario.timeline) });
}

/** The segment table file as a whole run writes it (`staged`: under its pending name). */
export function segmentFile(out: string, scenario: Scenario, compression: ParquetCompression, staged: boolean): SegmentFile {
  return new SegmentFile(scenario, join(out, SEGMENTS_FILE + (staged ? PENDING_SUFFIX : '')), tableMetadata(scenario), compression);
}

/**
 * Writes the segment table (whole datasets only; a fleet's with its entity table) and the
 * manifest, last. `measured`: the feed that has been writing the events as the shards
 * ended, or the events the workers measured, by shard index.
 */
export async function finishDataset(
  out: string,
  scenario: Scenario,
  plan: GenerationPlan,
  compression: ParquetCompression,
  shards: ManifestShard[],
  part: Part | null,
  uniqueness: UniquenessSummary | null,
  staged = false,
  measured: ReadonlyMap<number, ShardSegments> | SegmentFeed = new Map(),
): Promise<Manifest> {
  const suffix = staged ? PENDING_SUFFIX : '';
  const a = scenario.anomalies;
  // Every event is measured, for its effect columns (the workers measured their shards'
  // events); a part run has no segment table.
  let tally: EventTally | null = null;
  if (!part && scenario.entities && !(measured instanceof SegmentFeed)) {
    // A fleet's events in another order than its table's, sorted here. Measuring events
    // generates rows on this thread: load what the variables need. The segment table's
    // figures of a learned event (its latent radii) come from its clean context, and a test
    // split's events that start before it are measured, here even when the workers
    // measured every event of their shards.
    if (a.mode !== 'none' && (measured.size < plan.shards.length || firstRow(scenario.timeline) > 0 || (a.kinds?.some((k) => k.kind === 'learned') ?? false))) await prepareScenario(scenario);
    const settled = datasetSegments(scenario, a.mode === 'none' ? undefined : allSegments(scenario, plan, measured));
    tally = tallyEvents(scenario, settled.segments, settled.dropped);
    writeFileAtomic(join(out, SEGMENTS_FILE + suffix), encodeParquet(settled.table, tableMetadata(scenario), compression));
  } else if (!part) {
    // A shard's events at a time, in the table's order: never the whole table at once.
    if (a.mode === 'none') tally = segmentFile(out, scenario, compression, staged).end();
    else {
      let feed = measured instanceof SegmentFeed ? measured : undefined;
      try {
        if (!feed) {
          feed = new SegmentFeed(scenario, plan, segmentFile(out, scenario, compression, staged));
          if (SegmentFeed.needsPreparing(scenario)) await feed.prepare();
          for (const sh of plan.shards) {
            const m = (measured as ReadonlyMap<number, ShardSegments>).get(sh.index);
            if (m) feed.put(sh.index, m);
          }
        }
        tally = await feed.finish();
      } catch (err) {
        feed?.abandon();
        throw err;
      }
    }
  }
  if (!part && scenario.entities) writeFileAtomic(join(out, ENTITIES_FILE + suffix), encodeParquet(entityTable(scenario), tableMetadata(scenario), compression));
  const anomalousRows = shards.reduce((a, s) => a + s.anomalous_rows, 0);
  const manifest = buildManifest({
    scenario,
    format: plan.format,
    compression,
    shardRows: plan.shardRows,
    growthStable: plan.growthStable,
    shards,
    uniqueness,
    part: part ? { ...part, shards: plan.shards.length } : undefined,
    anomalies: anomalySummary(scenario, tally, anomalousRows),
  });
  return writeManifest(out, manifest, (part ? partManifestFile(part) : MANIFEST_FILE) + suffix);
}

/** The manifest's uniqueness section: the key and, per class, what resolution did. */
export function uniquenessSummary(s: Scenario, r: Resolution | undefined): UniquenessSummary | null {
  if (!s.uniqueness) return null;
  const none = (cls: 'normal' | 'anomalous') => ({ mode: s.uniqueness![cls].mode, tries: s.uniqueness![cls].tries, rows: 0, retried_rows: 0, non_unique_rows: 0, distinct_tuples: 0, domain: null });
  return { key: s.uniqueness.key, normal: r?.normal ?? none('normal'), anomalous: r?.anomalous ?? none('anomalous') };
}
