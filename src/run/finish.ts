/**
 * The dataset-wide files a run writes last: the segment table (whole datasets only) and
 * the manifest. A staged run writes both under their pending names; its commit renames them.
 * The segment table is written a piece at a time as the shards' events come (segment-feed.ts,
 * segment-file.ts); a fleet's lists its events entity by entity, and when its shard order is
 * not that order (time-major, grown, a later stretch of the timeline) they are sorted on the
 * way, in sorted runs beside the table (segment-sort.ts), and written here, merged.
 */
import { join } from 'node:path';
import { endRow, firstRow, type Scenario } from '../model/types.js';
import type { GenerationPlan } from '../plan/planner.js';
import type { Part } from '../plan/parts.js';
import type { EventTally } from '../dataset/event-tally.js';
import { anomalySummary, buildManifest, ENTITIES_FILE, MANIFEST_FILE, SEGMENTS_FILE, writeManifest, type Manifest, type ManifestShard, type UniquenessSummary } from '../dataset/manifest.js';
import { encodeParquet, type ParquetCompression } from '../formats/parquet.js';
import { entityTable } from '../dataset/entities.js';
import { shardMetadata } from '../dataset/provenance.js';
import { writeFileAtomic } from '../formats/files.js';
import type { Resolution } from '../uniqueness/resolve.js';
import { partManifestFile, PENDING_SUFFIX } from './state.js';
import type { ShardSegments } from './shard-task.js';
import { SegmentFile } from './segment-file.js';
import { SegmentFeed } from './segment-feed.js';
import { SortedSegmentFeed } from './segment-sort.js';

/** The provenance of the dataset-wide table files: the whole dataset's rows. */
function tableMetadata(scenario: Scenario): Map<string, string> {
  return shardMetadata(scenario, { index: -1, rowStart: firstRow(scenario.timeline), rowEnd: endRow(scenario.timeline) });
}

/** The segment table file as a whole run writes it (`staged`: under its pending name). */
export function segmentFile(out: string, scenario: Scenario, compression: ParquetCompression, staged: boolean): SegmentFile {
  return new SegmentFile(scenario, join(out, SEGMENTS_FILE + (staged ? PENDING_SUFFIX : '')), tableMetadata(scenario), compression, join(out, SEGMENTS_FILE));
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
  measured: ReadonlyMap<number, ShardSegments> | SegmentFeed | SortedSegmentFeed = new Map(),
): Promise<Manifest> {
  const suffix = staged ? PENDING_SUFFIX : '';
  const a = scenario.anomalies;
  // Every event is measured, for its effect columns (the workers measured their shards'
  // events); a part run has no segment table.
  let tally: EventTally | null = null;
  if (!part) {
    // A shard's events at a time, in the table's order: never the whole table at once.
    if (a.mode === 'none') tally = await segmentFile(out, scenario, compression, staged).end();
    else {
      let feed = measured instanceof SegmentFeed || measured instanceof SortedSegmentFeed ? measured : undefined;
      try {
        if (!feed) {
          const file = segmentFile(out, scenario, compression, staged);
          if (SegmentFeed.streams(scenario, plan)) {
            const inOrder = new SegmentFeed(scenario, plan, file);
            if (SegmentFeed.needsPreparing(scenario)) await inOrder.prepare();
            feed = inOrder;
          } else feed = new SortedSegmentFeed(scenario, plan, file, join(out, SEGMENTS_FILE));
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
