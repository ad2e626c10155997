/**
 * manifest.json: the dataset's provenance and index (D5). Written last and atomically, so
 * its presence means every shard it lists is complete.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BLOCK_ROWS, FORMAT_VERSION } from '../format.js';
import { PRNG_ID } from '../random/philox.js';
import { ENGINE_VERSION } from '../version.js';
import type { AnomalyPlan, DType, Scenario } from '../scenario/types.js';
import type { OutputFormat } from '../plan/planner.js';
import type { ParquetCompression } from './parquet.js';
import { scenarioHash } from './provenance.js';
import { writeFileAtomic } from './files.js';

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
}

export interface AnomalySummary {
  mode: AnomalyPlan['mode'];
  requested: { frequency?: number; count?: number; duration_rows?: [number, number] };
  realised: { events: number; anomalous_rows: number; fraction: number; truncated_events: number };
  segments_file: string;
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
  columns: Array<{ name: string; type: DType | 'timestamp[ms, UTC]' | 'int64?' }>;
  shards: ManifestShard[];
  anomalies: AnomalySummary;
  uniqueness: { normal: { mode: 'none' }; anomalous: { mode: 'none' } };
  scenario: Scenario;
}

export function buildManifest(args: {
  scenario: Scenario;
  format: OutputFormat;
  compression: ParquetCompression;
  shardRows: number;
  growthStable: boolean;
  shards: ManifestShard[];
  anomalies: AnomalySummary;
}): Manifest {
  const s = args.scenario;
  return {
    format_version: FORMAT_VERSION,
    engine: 'paranom',
    engine_version: ENGINE_VERSION,
    prng: PRNG_ID,
    block_rows: BLOCK_ROWS,
    scenario_hash: scenarioHash(s),
    seed: s.seed,
    rows: s.timeline.rows,
    format: args.format,
    compression: args.format === 'parquet' ? args.compression : null,
    shard_rows: args.shardRows,
    growth_stable: args.growthStable,
    columns: [
      { name: 'timestamp', type: 'timestamp[ms, UTC]' },
      ...s.variables.map((v) => ({ name: v.name, type: v.dtype })),
      { name: 'is_anomaly', type: 'bool' as const },
      { name: 'anomaly_id', type: 'int64?' as const },
    ],
    shards: args.shards,
    anomalies: args.anomalies,
    uniqueness: { normal: { mode: 'none' }, anomalous: { mode: 'none' } },
    scenario: s,
  };
}

export function writeManifest(outDir: string, m: Manifest): void {
  writeFileAtomic(join(outDir, MANIFEST_FILE), JSON.stringify(m, null, 2) + '\n');
}

export function readManifest(outDir: string): Manifest {
  return JSON.parse(readFileSync(join(outDir, MANIFEST_FILE), 'utf8')) as Manifest;
}
