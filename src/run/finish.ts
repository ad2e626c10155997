/**
 * The dataset-wide files a run writes last: the segment table (whole datasets only) and
 * the manifest. A staged run writes both under their pending names; its commit renames them.
 */
import { join } from 'node:path';
import { endRow, firstRow, type Scenario } from '../model/types.js';
import { eventsOverlapping, maxEventRows } from '../anomaly/events.js';
import { segmentsOf } from '../generate/event-outcome.js';
import type { GenerationPlan } from '../plan/planner.js';
import type { Part } from '../plan/parts.js';
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
import { shardSegments, type ShardSegments } from './shard-task.js';
import type { Segment } from '../anomaly/effect.js';

/**
 * The segment table's rows of every event, shard by shard in row order: those the workers
 * measured (`measured`, by shard index), the others (shards kept from an earlier run)
 * measured here, on the main thread.
 */
function allSegments(scenario: Scenario, plan: GenerationPlan, measured: ReadonlyMap<number, ShardSegments>): ShardSegments {
  const segments: Segment[] = [];
  let dropped = 0;
  // A later stretch of the timeline (a test split) also lists an event running into it.
  const first = firstRow(scenario.timeline);
  const entities: number[] = [];
  const described: EventDescription[] = [];
  if (first > 0) {
    const f = scenario.entities;
    const runIn: ShardSegments = f
      ? fleetShardSegments(scenario, { entityStart: 0, entityEnd: f.count, rowStart: Math.max(0, first - maxEventRows(scenario.anomalies)), rowEnd: first }, first)
      : segmentsOf(scenario, eventsOverlapping(scenario, first, first + 1).filter((e) => e.start < first));
    segments.push(...runIn.segments);
    entities.push(...(runIn.entities ?? []));
    described.push(...(runIn.described ?? []));
    dropped += runIn.dropped;
  }
  for (const s of plan.shards) {
    const m = measured.get(s.index) ?? (scenario.entities ? fleetShardSegments(scenario, s) : shardSegments(scenario, s.rowStart, s.rowEnd));
    for (const x of m.segments) segments.push(x);
    for (const x of m.entities ?? []) entities.push(x);
    for (const x of m.described ?? []) described.push(x);
    dropped += m.dropped;
  }
  return { segments, dropped, ...(scenario.entities ? { entities, described } : {}) };
}

/** Writes the segment table (whole datasets only) and the manifest, last. */
export async function finishDataset(
  out: string,
  scenario: Scenario,
  plan: GenerationPlan,
  compression: ParquetCompression,
  shards: ManifestShard[],
  part: Part | null,
  uniqueness: UniquenessSummary | null,
  staged = false,
  measured: ReadonlyMap<number, ShardSegments> = new Map(),
): Promise<Manifest> {
  const suffix = staged ? PENDING_SUFFIX : '';
  // Measuring events generates rows here, on the main thread: load what the variables need.
  // The segment table's figures of a learned event (its latent radii) come from its clean
  // context, and a test split's events that start before it are measured, here even when
  // the workers measured every event of their shards.
  const a = scenario.anomalies;
  if (!part && a.mode !== 'none' && (measured.size < plan.shards.length || firstRow(scenario.timeline) > 0 || (a.kinds?.some((k) => k.kind === 'learned') ?? false))) await prepareScenario(scenario);
  // Every event is measured, for its effect columns (the workers measured their shards'
  // events; a fleet's are measured here); a part run has no segment table.
  const settled = part ? { segments: [], dropped: -1, table: undefined } : datasetSegments(scenario, scenario.anomalies.mode === 'none' ? undefined : allSegments(scenario, plan, measured));
  const { segments, dropped } = settled;
  if (settled.table) {
    const segMeta = shardMetadata(scenario, { index: -1, rowStart: firstRow(scenario.timeline), rowEnd: endRow(scenario.timeline) });
    writeFileAtomic(join(out, SEGMENTS_FILE + suffix), encodeParquet(settled.table, segMeta, compression));
    if (scenario.entities) writeFileAtomic(join(out, ENTITIES_FILE + suffix), encodeParquet(entityTable(scenario), segMeta, compression));
  }
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
    anomalies: anomalySummary(scenario, part ? null : { segments, dropped }, anomalousRows),
  });
  return writeManifest(out, manifest, (part ? partManifestFile(part) : MANIFEST_FILE) + suffix);
}

/** The manifest's uniqueness section: the key and, per class, what resolution did. */
export function uniquenessSummary(s: Scenario, r: Resolution | undefined): UniquenessSummary | null {
  if (!s.uniqueness) return null;
  const none = (cls: 'normal' | 'anomalous') => ({ mode: s.uniqueness![cls].mode, tries: s.uniqueness![cls].tries, rows: 0, retried_rows: 0, non_unique_rows: 0, distinct_tuples: 0, domain: null });
  return { key: s.uniqueness.key, normal: r?.normal ?? none('normal'), anomalous: r?.anomalous ?? none('anomalous') };
}
