/**
 * `generate`: scenario → plan → shard tasks on the worker pool → segment table → manifest.
 * The main thread only plans, tracks progress and writes the two dataset-wide files; the
 * manifest comes last, so a dataset without one is incomplete by definition.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ParanomError } from '../errors.js';
import { eventsStartingIn } from '../anomaly/events.js';
import { seedKey } from '../random/counter.js';
import { loadScenario, withOverrides } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import { planGeneration, type GenerationPlan, type OutputFormat } from '../plan/planner.js';
import { buildManifest, MANIFEST_FILE, SEGMENTS_FILE, writeManifest, type Manifest, type ManifestShard } from '../output/manifest.js';
import { encodeParquet, type ParquetCompression } from '../output/parquet.js';
import { segmentTable } from '../output/segments.js';
import { shardMetadata } from '../output/provenance.js';
import { writeFileAtomic } from '../output/files.js';
import { createPool, defaultWorkers } from './pool.js';
import type { ShardResult, ShardTask } from './shard-task.js';

export interface GenerateOptions {
  /** Output directory. */
  out: string;
  rows?: number;
  seed?: number;
  format?: OutputFormat;
  compression?: ParquetCompression;
  /** Rows per shard, rounded to whole blocks. */
  shardRows?: number;
  /** Worker threads (default: available cores). */
  workers?: number;
  /** Replace a paranom dataset already in `out`. */
  force?: boolean;
  /** Called after each shard with rows done so far and the total. */
  onProgress?: (rowsDone: number, rowsTotal: number) => void;
}

export interface GenerateResult {
  plan: GenerationPlan;
  manifest: Manifest;
}

/** Files paranom writes at the top of a dataset directory; --force removes only these. */
const OWN_ENTRIES = ['data', MANIFEST_FILE, SEGMENTS_FILE];

function prepareOutput(out: string, force: boolean): void {
  if (existsSync(out)) {
    const entries = readdirSync(out);
    if (entries.length > 0) {
      if (!force) {
        throw new ParanomError('OUTPUT_EXISTS', `output directory '${out}' is not empty; pass --force to replace the dataset there`, { out });
      }
      const foreign = entries.filter((e) => !OWN_ENTRIES.includes(e) && !e.endsWith('.tmp'));
      if (foreign.length > 0) {
        throw new ParanomError('OUTPUT_EXISTS', `output directory '${out}' holds files paranom did not write (${foreign.slice(0, 3).join(', ')}); refusing to replace it even with --force`, { out });
      }
      for (const e of entries) rmSync(join(out, e), { recursive: true, force: true });
    }
  }
  mkdirSync(join(out, 'data'), { recursive: true });
}

/** Resolves a scenario (object or file path) with option overrides applied. */
export function resolveScenario(scenario: Scenario | string, options: Pick<GenerateOptions, 'rows' | 'seed'>): Scenario {
  const s = typeof scenario === 'string' ? loadScenario(scenario) : scenario;
  return withOverrides(s, { rows: options.rows, seed: options.seed });
}

export async function generate(scenarioOrFile: Scenario | string, options: GenerateOptions): Promise<GenerateResult> {
  const scenario = resolveScenario(scenarioOrFile, options);
  const plan = planGeneration(scenario, { ...(options.format ? { format: options.format } : {}), ...(options.shardRows ? { shardRows: options.shardRows } : {}) });
  const compression = options.compression ?? 'snappy';
  const workers = Math.max(1, Math.min(options.workers ?? defaultWorkers(), plan.shards.length));
  prepareOutput(options.out, options.force ?? false);

  const pool = createPool(workers);
  const results: ManifestShard[] = new Array(plan.shards.length);
  let rowsDone = 0;
  let anomalousRows = 0;
  try {
    await Promise.all(
      plan.shards.map(async (shard) => {
        const task: ShardTask = { scenario, shard, outDir: options.out, format: plan.format, compression };
        const r = (await pool.run(task)) as ShardResult;
        if (!r.ok) throw ParanomError.fromData(r.error);
        results[r.index] = { index: r.index, file: r.file, row_start: r.rowStart, row_end: r.rowEnd, rows: r.rowEnd - r.rowStart, bytes: r.bytes, sha256: r.sha256 };
        anomalousRows += r.anomalousRows;
        rowsDone += r.rowEnd - r.rowStart;
        options.onProgress?.(rowsDone, scenario.timeline.rows);
      }),
    );
  } finally {
    await pool.destroy();
  }

  const rows = scenario.timeline.rows;
  const events = eventsStartingIn(scenario.anomalies, seedKey(scenario.seed), rows, 0, rows);
  const segMeta = shardMetadata(scenario, { index: -1, rowStart: 0, rowEnd: rows });
  writeFileAtomic(join(options.out, SEGMENTS_FILE), encodeParquet(segmentTable(scenario, events), segMeta, compression));

  const a = scenario.anomalies;
  const manifest = buildManifest({
    scenario,
    format: plan.format,
    compression,
    shardRows: plan.shardRows,
    growthStable: plan.growthStable,
    shards: results,
    anomalies: {
      mode: a.mode,
      requested: a.mode === 'frequency' ? { frequency: a.frequency, duration_rows: a.duration } : a.mode === 'count' ? { count: a.count, duration_rows: a.duration } : {},
      realised: { events: events.length, anomalous_rows: anomalousRows, fraction: anomalousRows / rows, truncated_events: events.filter((e) => e.truncated).length },
      segments_file: SEGMENTS_FILE,
    },
  });
  writeManifest(options.out, manifest);
  return { plan, manifest };
}
