/**
 * manifest.json: the dataset's provenance and index (D5). Written last and atomically, so
 * its presence means every shard it lists is complete.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Segment } from '../anomaly/effect.js';
import type { AnomalyPlan, DType, Scenario } from '../model/types.js';
import type { OutputFormat } from '../plan/planner.js';
import type { ParquetCompression } from '../formats/parquet.js';
import type { ClassReport } from '../uniqueness/resolve.js';
import { engineFacts } from './provenance.js';
import { CLEAN_SUFFIX, twinnedVariables } from '../anomaly/kinds/clean-twin.js';
import { nullableVariables } from '../generate/pipeline.js';
import { writeFileAtomic } from '../formats/files.js';
import { ParanomError } from '../errors.js';

export const MANIFEST_FILE = 'manifest.json';
export const SEGMENTS_FILE = 'anomalies.parquet';

export interface ManifestShard {
  index: number;
  file: string;
  row_start: number;
  row_end: number;
  rows: number;
  bytes: number;
  sha256: string;
  anomalous_rows: number;
}

export interface AnomalySummary {
  mode: AnomalyPlan['mode'];
  requested: { frequency?: number; count?: number; duration_rows?: [number, number] };
  /**
   * What the dataset holds (-1 where a part cannot know). `unchanged_rows`: labelled rows
   * whose values equal the clean series (every variable anomalies can reach).
   */
  realised: { events: number; anomalous_rows: number; fraction: number; truncated_events: number; unchanged_rows: number };
  /** With `min_effect`: the threshold, attempts per event, and what the redraws did. */
  min_effect?: { threshold: number; tries: number; redrawn_events: number; dropped_events: number };
  segments_file: string;
}

export interface UniquenessSummary {
  key: string[];
  normal: ClassReport;
  anomalous: ClassReport;
}

export interface Manifest {
  format_version: number;
  engine: 'paranom';
  engine_version: string;
  prng: string;
  block_rows: number;
  scenario_hash: string;
  seed: number;
  rows: number;
  format: OutputFormat;
  compression: ParquetCompression | null;
  shard_rows: number;
  growth_stable: boolean;
  /** Column names and types in file order; a trailing `?` marks a nullable column. */
  columns: Array<{ name: string; type: DType | `${DType}?` | 'timestamp[ms, UTC]' }>;
  shards: ManifestShard[];
  anomalies: AnomalySummary;
  /** null when the scenario asks for no uniqueness. For one part: rows [0, part end). */
  uniqueness: UniquenessSummary | null;
  /** Set on the manifest of one part of a split run; absent on a whole dataset. */
  part?: { k: number; n: number; shards: number };
  scenario: Scenario;
}

/**
 * Requested against realised anomaly figures. `settled` holds the dataset's kept events and how many were dropped (null for
 * one part of a split run, which cannot count them: its realised figures are then -1).
 */
export function anomalySummary(s: Scenario, settled: { segments: readonly Segment[]; dropped: number } | null, anomalousRows: number): AnomalySummary {
  const a = s.anomalies;
  const rows = s.timeline.rows;
  const segments = settled?.segments ?? [];
  // Labelled rows of an event: its window, or with `label: changed` only its changed rows.
  const labelled = (seg: Segment) => (a.mode !== 'none' && a.label === 'changed' ? seg.changedRows : seg.event.end - seg.event.start);
  return {
    mode: a.mode,
    requested: a.mode === 'frequency' ? { frequency: a.frequency, duration_rows: a.duration } : a.mode === 'count' ? { count: a.count, duration_rows: a.duration } : {},
    realised: settled
      ? {
          events: segments.length,
          anomalous_rows: anomalousRows,
          fraction: anomalousRows / rows,
          truncated_events: segments.filter((seg) => seg.event.truncated).length,
          unchanged_rows: segments.reduce((n, seg) => n + labelled(seg) - seg.changedRows, 0),
        }
      : { events: -1, anomalous_rows: anomalousRows, fraction: -1, truncated_events: -1, unchanged_rows: -1 },
    ...(a.mode !== 'none' && a.minEffect
      ? { min_effect: { threshold: a.minEffect.threshold, tries: a.minEffect.tries, redrawn_events: settled ? segments.filter((seg) => (seg.event.attempt ?? 0) > 0).length : -1, dropped_events: settled ? settled.dropped : -1 } }
      : {}),
    segments_file: SEGMENTS_FILE,
  };
}

export function buildManifest(args: {
  scenario: Scenario;
  format: OutputFormat;
  compression: ParquetCompression;
  shardRows: number;
  growthStable: boolean;
  shards: ManifestShard[];
  anomalies: AnomalySummary;
  uniqueness: UniquenessSummary | null;
  part?: { k: number; n: number; shards: number } | undefined;
}): Manifest {
  const s = args.scenario;
  const nullable = nullableVariables(s);
  return {
    ...engineFacts(s),
    rows: s.timeline.rows,
    format: args.format,
    compression: args.format === 'parquet' ? args.compression : null,
    shard_rows: args.shardRows,
    growth_stable: args.growthStable,
    columns: [
      { name: 'timestamp', type: 'timestamp[ms, UTC]' },
      ...s.variables.map((v) => ({ name: v.name, type: nullable.has(v.name) ? (`${v.dtype}?` as const) : v.dtype })),
      // --with-clean: each twin holds its variable without anomalies (never null).
      ...(s.anomalies.mode !== 'none' && s.anomalies.cleanTwin ? twinnedVariables(s).map((v) => ({ name: v.name + CLEAN_SUFFIX, type: v.dtype })) : []),
      { name: 'is_anomaly', type: 'bool' as const },
      { name: 'anomaly_id', type: 'int64?' as const },
    ],
    shards: args.shards,
    anomalies: args.anomalies,
    uniqueness: args.uniqueness,
    ...(args.part ? { part: args.part } : {}),
    scenario: s,
  };
}

export function writeManifest(outDir: string, m: Manifest, file = MANIFEST_FILE): void {
  writeFileAtomic(join(outDir, file), JSON.stringify(m, null, 2) + '\n');
}

/** Reads a dataset's manifest; a missing or unreadable one is a user-facing error. */
export function readManifest(outDir: string, file = MANIFEST_FILE): Manifest {
  const path = join(outDir, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ParanomError('DATASET_INVALID', `${path}: no manifest — not a complete paranom dataset (an interrupted run resumes when its command is run again)`, { path });
  }
  try {
    const m = JSON.parse(text) as Manifest;
    if (m.engine !== 'paranom' || !Array.isArray(m.shards)) throw new Error('not a paranom manifest');
    return m;
  } catch (err) {
    throw new ParanomError('DATASET_INVALID', `${path}: unreadable manifest (${(err as Error).message})`, { path });
  }
}
