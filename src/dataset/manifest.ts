/**
 * manifest.json: the dataset's provenance and index (D5). Written last and atomically, so
 * its presence means every shard it lists is complete.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  realised: { events: number; anomalous_rows: number; fraction: number; truncated_events: number };
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
 * Requested against realised anomaly figures. `events` are the dataset's events (null for
 * one part of a split run, which cannot count them: its realised figures are then -1).
 */
export function anomalySummary(s: Scenario, events: ReadonlyArray<{ truncated: boolean }> | null, anomalousRows: number): AnomalySummary {
  const a = s.anomalies;
  const rows = s.timeline.rows;
  return {
    mode: a.mode,
    requested: a.mode === 'frequency' ? { frequency: a.frequency, duration_rows: a.duration } : a.mode === 'count' ? { count: a.count, duration_rows: a.duration } : {},
    realised: events
      ? { events: events.length, anomalous_rows: anomalousRows, fraction: anomalousRows / rows, truncated_events: events.filter((e) => e.truncated).length }
      : { events: -1, anomalous_rows: anomalousRows, fraction: -1, truncated_events: -1 },
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
