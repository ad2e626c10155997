/**
 * What a caller asks of `generate` and `grow`, and what a run reports back: the options
 * every part of a run reads (generate.ts, run-plan.ts, grow.ts, splits.ts) and its result.
 */
import type { Manifest } from '../dataset/manifest.js';
import type { ParquetCompression } from '../formats/parquet.js';
import type { PhaseTimes, ShardSpan } from '../phases.js';
import type { Part } from '../plan/parts.js';
import type { GenerationPlan, OutputFormat } from '../plan/planner.js';

/** Options of a `generate` run (`grow` takes those that do not change the dataset's identity). */
export interface GenerateOptions {
  /** Output directory. */
  out: string;
  /** Also write `<name>_clean` beside each anomaly-affected variable: its values without anomalies. */
  withClean?: boolean;
  rows?: number;
  seed?: number;
  format?: OutputFormat;
  compression?: ParquetCompression;
  /** Rows per shard, rounded to whole blocks. */
  shardRows?: number;
  /** Worker threads (default: available cores). */
  workers?: number;
  /** Replace a different dataset already in `out` (never files paranom did not write). */
  force?: boolean;
  /** Generate only part K of N of the shards (for runs split over machines). */
  part?: Part;
  /** Stops the run; finished shards stay and the same command resumes. */
  signal?: AbortSignal;
  /** Called after each shard with rows done so far (reused shards included) and the total. */
  onProgress?: (rowsDone: number, rowsTotal: number) => void;
  /** Time each shard's phases in its worker (src/phases.ts); the sums come back in `phases`. */
  phases?: boolean;
}

/** What a `generate` or `grow` run did. */
export interface GenerateResult {
  plan: GenerationPlan;
  manifest: Manifest;
  /** Shards written by this run, and shards kept from an earlier one. */
  generated: number;
  reused: number;
  /** Rows in the shards this run wrote. */
  rowsGenerated: number;
  /** Things the user should know that are not errors (printed on stderr by the CLI). */
  warnings: string[];
  /** With `options.phases`: milliseconds per phase, summed over the shards this run wrote. */
  phases?: PhaseTimes;
  /** With `options.phases`: each shard this run wrote, as its worker ran it, in shard order. */
  spans?: ShardSpan[];
}
